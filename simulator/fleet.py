"""A fleet of simulated miners described by a TOML file.

[ports]                 # optional; the real ports by default
web = 8080

[[miner]]
family = "antminer"
model = "S19 Pro"
host = "127.0.1.10"     # first address
count = 3               # optional: consecutive addresses
password = "secret"     # optional state overrides
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .families import load_all
from .faults import Fault
from .miner import SimMiner, SimPorts
from .servers.base import start_all, stop_all

_STATE_KEYS = {"password", "username", "mining", "power_limit", "fault_light", "work_mode"}


class Fleet:
    def __init__(self, miners: Iterable[SimMiner]) -> None:
        self.miners = list(miners)

    @classmethod
    def from_dict(cls, data: dict[str, Any], ports: SimPorts | None = None) -> Fleet:
        families = load_all()
        if ports is None:
            ports = SimPorts(**data.get("ports", {}))
        miners: list[SimMiner] = []
        for entry in data.get("miner", []):
            sim = families[entry["family"]]
            first = ipaddress.IPv4Address(entry["host"])
            overrides = {k: v for k, v in entry.items() if k in _STATE_KEYS}
            if "fault" in entry:
                overrides["fault"] = Fault.parse(entry["fault"])
            for i in range(int(entry.get("count", 1))):
                miners.append(sim.create(str(first + i), entry["model"], ports, **overrides))
        return cls(miners)

    @classmethod
    def from_file(cls, path: str | Path, ports: SimPorts | None = None) -> Fleet:
        with Path(path).open("rb") as handle:
            return cls.from_dict(tomllib.load(handle), ports)

    async def start(self) -> None:
        await start_all(self.miners)

    async def stop(self) -> None:
        await stop_all(self.miners)

    async def __aenter__(self) -> Fleet:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
