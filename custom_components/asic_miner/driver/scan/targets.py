"""What a scan covers: a target text (CIDR, range, address, comma-separated) as addresses."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import partial
from typing import Final

from ..exceptions import MinerScanRangeError, MinerScanTooLargeError

MAX_SCAN_ADDRESSES: Final = 65_536  # a /16

type Targets = str | Iterable[ipaddress.IPv4Address | str]


def parse_targets(text: str) -> list[ipaddress.IPv4Address]:
    """Parse a scan target into a sorted list of unique IPv4 addresses.

    Accepts, comma-separated in any combination: a CIDR (``192.168.1.0/24``, host bits
    may be set; network and broadcast addresses are skipped), a range
    (``192.168.1.10-192.168.1.50`` or ``192.168.1.10-50``) and a single address.
    Raises ``MinerScanRangeError`` with a readable message for malformed input, and its
    subclass ``MinerScanTooLargeError`` for more than 65,536 addresses.
    """
    spans: list[tuple[int, int]] = []  # inclusive bounds, as integers
    cidr_hosts: list[ipaddress.IPv4Network] = []
    count = 0
    parts = [part.strip() for part in text.split(",")]
    if not any(parts):
        raise MinerScanRangeError("no scan target given")
    for part in parts:
        if not part:
            raise MinerScanRangeError(f"empty entry in scan target {text.strip()!r}")
        if "/" in part:
            network = _parse_network(part)
            size = network.num_addresses
            if size > MAX_SCAN_ADDRESSES:
                raise MinerScanTooLargeError(too_large(part, size))
            _check_usable(network.network_address, part)
            _check_usable(network.broadcast_address, part)
            cidr_hosts.append(network)
            count += size
        elif "-" in part:
            start, end = _parse_range(part)
            spans.append((int(start), int(end)))
            count += int(end) - int(start) + 1
        else:
            address = _parse_address(part, part)
            spans.append((int(address), int(address)))
            count += 1
        if count > MAX_SCAN_ADDRESSES:
            raise MinerScanTooLargeError(too_large(text.strip(), count))
    found: set[int] = set()
    for low, high in spans:
        found.update(range(low, high + 1))
    for network in cidr_hosts:
        found.update(int(host) for host in network.hosts())
    return [ipaddress.IPv4Address(value) for value in sorted(found)]


def too_large(what: str, size: int) -> str:
    """The message for a target over the limit."""
    return (
        f"{what} covers {size:,} addresses; a scan is limited to "
        f"{MAX_SCAN_ADDRESSES:,} (a /16). Split it into smaller ranges"
    )


def _parse_ipv4[T](
    parse: Callable[[str], object], kind: type[T], text: str, context: str, invalid: str
) -> T:
    """``parse(text)`` as an IPv4 ``kind``; ``invalid`` says what is wrong if it is none."""
    try:
        value = parse(text)
    except ValueError:
        raise MinerScanRangeError(f"{context!r} {invalid}") from None
    if not isinstance(value, kind):
        raise MinerScanRangeError(f"{context!r}: only IPv4 addresses can be scanned")
    return value


def _parse_address(text: str, context: str) -> ipaddress.IPv4Address:
    address = _parse_ipv4(
        ipaddress.ip_address,
        ipaddress.IPv4Address,
        text.strip(),
        context,
        "is not an IPv4 address, a range (a.b.c.d-e) or a CIDR (a.b.c.d/nn)",
    )
    _check_usable(address, context)
    return address


def _check_usable(address: ipaddress.IPv4Address, context: str) -> None:
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        raise MinerScanRangeError(f"{context!r}: {address} cannot hold a miner")


def _parse_network(text: str) -> ipaddress.IPv4Network:
    return _parse_ipv4(
        partial(ipaddress.ip_network, strict=False),
        ipaddress.IPv4Network,
        text.replace(" ", ""),
        text,
        "is not a valid CIDR; write it like 192.168.1.0/24",
    )


def _parse_range(text: str) -> tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]:
    left, _, right = text.partition("-")
    start = _parse_address(left, text)
    right = right.strip()
    if right.isdigit() and len(right) <= 3:  # 192.168.1.10-50: last octet only
        octet = int(right)
        if octet > 255:
            raise MinerScanRangeError(f"{text!r}: {octet} is not a valid last octet (0-255)")
        end = ipaddress.IPv4Address((int(start) & 0xFFFFFF00) | octet)
    else:
        end = _parse_address(right, text)
    if end < start:
        raise MinerScanRangeError(f"{text!r}: the range ends before it starts")
    return start, end


def hosts(targets: Targets) -> list[str]:
    """The addresses ``targets`` names, in order, each once (as text)."""
    if isinstance(targets, str):
        return [str(a) for a in parse_targets(targets)]
    seen: dict[str, None] = {}
    for target in targets:
        address = target if isinstance(target, ipaddress.IPv4Address) else None
        if address is None:
            address = _parse_address(str(target), str(target))
        seen.setdefault(str(address), None)
        if len(seen) > MAX_SCAN_ADDRESSES:
            raise MinerScanTooLargeError(too_large("the target list", len(seen)))
    return list(seen)
