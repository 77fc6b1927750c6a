"""What the demo needs to know about its fleet file: subnet, size, changed passwords."""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The widest network the demo scans: the fleet file keeps its miners in one /24.
_NARROWEST_SCAN_PREFIX = 24


@dataclass(frozen=True, slots=True)
class FleetPlan:
    """The miners a fleet file describes, as the config flow will meet them."""

    hosts: tuple[str, ...]
    passwords: dict[str, str]  # host -> a password changed from the firmware default
    subnet: str
    automations: dict[str, str] = field(default_factory=dict)  # host -> "price" / "solar"
    heater: str | None = None  # the host of the miner that heats the demo room

    @property
    def size(self) -> int:
        return len(self.hosts)


def plan_fleet(data: dict[str, Any]) -> FleetPlan:
    """Expand the ``[[miner]]`` tables (``count`` means consecutive addresses).

    A table with ``supported = false`` is a miner no family supports: the scan covers
    its address, but it is not among the miners the demo waits to see added.
    """
    hosts: list[str] = []
    passwords: dict[str, str] = {}
    automations: dict[str, str] = {}
    everything: list[str] = []  # what the scan covers, unsupported miners included
    heater: str | None = None
    for entry in data.get("miner", []):
        first = ipaddress.IPv4Address(entry["host"])
        for i in range(int(entry.get("count", 1))):
            host = str(first + i)
            everything.append(host)
            if entry.get("supported", True) is False:
                continue  # listed by the scan as not supported; never an entry
            hosts.append(host)
            if "password" in entry:
                passwords[host] = str(entry["password"])
            if "automation" in entry:
                automations[host] = str(entry["automation"])
            if entry.get("heater") is True and heater is None:
                heater = host
    if not hosts:
        raise ValueError("the fleet file has no [[miner]] that can be added")
    return FleetPlan(tuple(hosts), passwords, scan_subnet(everything), automations, heater)


def scan_subnet(hosts: list[str]) -> str:
    """The network a person would scan: the /24 around the miners, wider if they spread."""
    addresses = [ipaddress.IPv4Address(h) for h in hosts]
    low, high = min(addresses), max(addresses)
    prefix = _NARROWEST_SCAN_PREFIX
    while high not in (network := ipaddress.IPv4Network(f"{low}/{prefix}", strict=False)):
        prefix -= 1
    return str(network)


def load_fleet(path: Path) -> tuple[dict[str, Any], FleetPlan]:
    data = tomllib.loads(path.read_text())
    return data, plan_fleet(data)
