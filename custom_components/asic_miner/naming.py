"""Names and unique IDs that tell miners apart.

Most fleets keep the factory hostname ("Antminer", "WhatsMiner"), and cheap control
boards share a placeholder MAC. Naming a device after such a hostname gives six
devices called "Antminer"; keying an entry on such a MAC merges two miners into one.
So a hostname counts only when someone set it, and a MAC only when it is a real one.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final

from .driver import MinerIdentity, clean_str, normalize_mac

# Hostnames firmware ships with, compared without case and punctuation. A hostname
# equal to the make, the model or the family key counts as factory-set too.
FACTORY_HOSTNAMES: Final = frozenset(
    {
        "antminer",
        "whatsminer",
        "microbt",
        "btminer",
        "avalon",
        "avalonminer",
        "canaan",
        "bitaxe",
        "axeos",
        "nerdqaxe",
        "nerdaxe",
        "braiinsos",
        "bosminer",
        "bos",
        "luxos",
        "luxminer",
        "vnish",
        "anthill",
        "anthillos",
        "epic",
        "umc",
        "miner",
        "asic",
        "localhost",
        "none",
        "zynq",
        "cvitek",
        "amlogic",
        "beaglebone",
    }
)

# MACs that cheap control boards and some firmware builds report for every unit.
PLACEHOLDER_MACS: Final = frozenset(
    {
        "AA:BB:CC:DD:EE:FF",
        "00:11:22:33:44:55",
        "01:23:45:67:89:AB",
        "12:34:56:78:90:AB",
        "12:34:56:78:9A:BC",
        "DE:AD:BE:EF:00:00",
    }
)

_NOT_ALNUM = re.compile(r"[^a-z0-9+]")


def _squash(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower())


def real_mac(identity: MinerIdentity) -> str | None:
    """The miner's MAC as ``AA:BB:...``, or ``None`` when missing or a placeholder."""
    mac = normalize_mac(identity.mac)
    if mac is None or mac in PLACEHOLDER_MACS:
        return None
    octets = mac.split(":")
    if len(set(octets)) == 1:  # FF:FF:..., 11:11:...: nobody's NIC
        return None
    if int(octets[0], 16) & 1:  # a multicast address is never a NIC's own
        return None
    return mac


def user_hostname(identity: MinerIdentity) -> str | None:
    """The hostname when someone set it; ``None`` for a missing or factory one."""
    hostname = clean_str(identity.hostname)
    if hostname is None:
        return None
    squashed = _squash(hostname)
    factory = {_squash(identity.make), _squash(identity.model), _squash(identity.family)}
    if not squashed or squashed in FACTORY_HOSTNAMES or squashed in factory:
        return None
    return hostname


def unique_id_for(identity: MinerIdentity, host: str) -> str:
    """The entry's unique ID: real MAC, else serial, else a set hostname, else the host.

    The MAC is lowercase hex without separators. A hostname only counts when someone
    set it (a factory one is shared by the whole fleet); the address is the last
    resort, for firmware that reports nothing else that tells units apart.
    """
    if mac := real_mac(identity):
        return mac.replace(":", "").lower()
    if serial := clean_str(identity.serial):
        return serial
    if hostname := user_hostname(identity):
        return f"{identity.family}-{hostname.lower()}"
    return f"{identity.family}-{host.strip().lower()}"


def stable_keys(identity: MinerIdentity | None, *, mac: str | None = None) -> frozenset[str]:
    """What names the unit wherever DHCP puts it: its real MAC, its serial.

    ``mac`` adds one seen elsewhere (the DHCP request's). Two identities sharing a key
    are the same miner, whatever address either was found at; the address itself is
    never a key, because it is what changes.
    """
    keys: set[str] = set()
    for found in (real_mac(identity) if identity else None, mac):
        if found:
            keys.add("mac:" + found.replace(":", "").lower())
    if identity is not None and (serial := clean_str(identity.serial)):
        keys.add(f"serial:{serial}")
    return frozenset(keys)


def device_name(identity: MinerIdentity, host: str) -> str:
    """``garage-miner`` when its hostname was set, else ``S19 XP .13``.

    The suffix is the address's last octet, or for a host name the MAC's last three
    bytes, or the host name itself: enough to find the unit in a rack.
    """
    if hostname := user_hostname(identity):
        return hostname
    model = clean_str(identity.model) or clean_str(identity.make) or "Miner"
    try:
        address = ipaddress.ip_address(host.strip())
    except ValueError:
        address = None
    if isinstance(address, ipaddress.IPv4Address):
        return f"{model} .{str(address).rsplit('.', 1)[-1]}"
    if mac := real_mac(identity):
        return f"{model} {mac[-8:]}"
    return f"{model} {host.strip()}"
