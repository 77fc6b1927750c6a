"""Addresses that wait for room in the neighbour table: their own ARP request decides.

Loopback has no ARP, so the kernel's neighbour entries are netlink messages built here
(the layout of ``linux/neighbour.h``, documentation addresses) or a stand-in for the
dump, and the budget's ARP give-up is shortened; the hosts are loopback listeners
whose full accept queue drops SYNs, like a silent address.
"""

from __future__ import annotations

import importlib
import random
import socket
import struct
import time
from collections.abc import Iterator

import aiohttp
import pytest
import pytest_socket

from custom_components.asic_miner.driver.scan import ScanProgress, ScanStage, scan_all
from custom_components.asic_miner.driver.scan.neighbours import ArpAnswers, NeighbourTable
from tests.driver.conftest import DRIVER_PORTS
from tests.driver.test_scan import SCAN_HOSTS, SCAN_NETS, _full_listener
from tests.driver.test_scan_neighbours import FakeNetlink, _attr

neighbours = importlib.import_module("custom_components.asic_miner.driver.scan.neighbours")
scanner_module = importlib.import_module("custom_components.asic_miner.driver.scan.scanner")

INCOMPLETE, REACHABLE, STALE, FAILED, NONE = 0x01, 0x02, 0x04, 0x20, 0x00
DONE = struct.pack("=IHHII", 20, 3, 2, 1, 0) + b"\0" * 4


def _neighbour(
    host: str, state: int, updated: int = 0, family: int = socket.AF_INET, ifindex: int = 2
) -> bytes:
    """One RTM_NEWNEIGH message: ndmsg, NDA_DST, NDA_CACHEINFO (ages in clock ticks)."""
    dst = socket.inet_aton(host) if family == socket.AF_INET else b"\0" * 16
    info = struct.pack("=IIII", 0, 0, updated, 1)
    body = struct.pack("=BBHiHBB", family, 0, 0, ifindex, state, 0, 1)
    body += _attr(1, dst) + _attr(3, info)
    return struct.pack("=IHHII", 16 + len(body), 28, 2, 1, 0) + body


@pytest.fixture(autouse=True)
def scan_loopback(loopback: None) -> Iterator[None]:
    pytest_socket.socket_allow_hosts(["127.0.0.1", *SCAN_HOSTS], allow_unix_socket=True)
    yield


def test_the_kernel_table_says_who_answered() -> None:
    short = struct.pack("=IHHII", 20, 28, 2, 1, 0) + b"\0" * 4  # no ndmsg
    other = struct.pack("=IHHII", 20, 24, 2, 1, 0) + b"\0" * 4  # not a neighbour
    dump = FakeNetlink(
        _neighbour("198.51.100.7", REACHABLE)
        + _neighbour("198.51.100.8", INCOMPLETE, updated=70)
        + _neighbour("198.51.100.9", INCOMPLETE, updated=90)
        + _neighbour("198.51.100.9", STALE, ifindex=3)  # answered on another interface
        + _neighbour("198.51.100.9", FAILED, updated=10),  # ... which is enough
        _neighbour("198.51.100.10", FAILED, updated=250)
        + _neighbour("198.51.100.10", INCOMPLETE, updated=40, ifindex=3)  # not FAILED: asking
        + _neighbour("198.51.100.10", INCOMPLETE, updated=60, ifindex=4)  # youngest decides
        + _neighbour("198.51.100.11", NONE)  # nothing asked yet
        + _neighbour("2001:db8::1", REACHABLE, family=socket.AF_INET6)
        + short
        + other,
        DONE,
    )
    assert neighbours._read_neighbours(dump, 100) == {
        "198.51.100.7": None,
        "198.51.100.8": 0.7,
        "198.51.100.9": None,
        "198.51.100.10": 0.4,
    }


def test_one_read_serves_every_wait_that_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    reads = iter([{"198.51.100.8": 0.2}, {"198.51.100.8": None}])
    monkeypatch.setattr(neighbours, "_neighbour_entries", lambda: next(reads))
    answers = ArpAnswers()
    assert answers.waited("198.51.100.8", 1.0, 1.0) == 0.2
    assert answers.waited("198.51.100.8", 0.9, 1.2) == 0.2  # the read at 1.0 serves
    assert answers.waited("203.0.113.1", 1.0, 1.2) is None  # not in the table: routed
    assert answers.waited("198.51.100.8", 1.1, 1.2) is None  # a wait ending later reads again
    assert answers.reads == 2


def test_a_refused_dump_shows_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def __init__(self, *_args: object) -> None:
            self.closed = False

        def settimeout(self, _timeout: float) -> None:
            return None

        def send(self, _data: bytes) -> int:
            raise PermissionError("send refused")

        def close(self) -> None:
            self.closed = True

    monkeypatch.setattr(neighbours.socket, "socket", Broken)
    assert neighbours._neighbour_entries() == {}
    assert neighbours._netlink_figures() is None


def test_a_dump_that_times_out_shows_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    class Silent(FakeNetlink):
        def __enter__(self) -> Silent:
            return self

        def __exit__(self, *_exc: object) -> None:
            return None

        def recv(self, _size: int) -> bytes:
            raise TimeoutError("no answer")

    monkeypatch.setattr(neighbours, "_netlink_dump", lambda *_args: Silent())
    assert neighbours._neighbour_entries() == {}
    assert neighbours._netlink_figures() is None


@pytest.mark.parametrize(
    ("tables", "verdict"),
    [
        # It waits 0.2 s for the first address's slot, then:
        ([1.0], (0.25, 0.6)),  # its ARP went unanswered: given up after ANSWER_WAIT (0.1 s)
        # the kernel asked only 0.05 s before the check (the table was full at the
        # first packet): a second look when its request is ANSWER_WAIT old
        ([0.05, 0.1], (0.3, 0.65)),
        ([None], (0.75, 2.0)),  # it answered ARP: the full connect and retry (0.6 s)
    ],
)
async def test_an_address_that_waited_for_room(
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
    tables: list[float | None],
    verdict: tuple[float, float],
) -> None:
    net = random.choice(SCAN_NETS)
    first = f"127.0.{net}.{random.randint(100, 149)}"
    late = f"127.0.{net}.{random.randint(150, 199)}"
    reads = iter(tables)
    monkeypatch.setattr(neighbours, "_neighbour_entries", lambda: {first: 0.5, late: next(reads)})
    monkeypatch.setattr(scanner_module, "ANSWER_WAIT", 0.1)
    table = NeighbourTable(resolve_time=0.7)  # the first slot frees 0.8 s after its packet
    monkeypatch.setattr(scanner_module.NeighbourTable, "read", lambda: table)
    swept: list[float] = []

    def progress(update: ScanProgress) -> None:
        if update.stage is ScanStage.SWEEP and update.done > len(swept):
            swept.append(time.monotonic())

    listeners = [_full_listener(host, DRIVER_PORTS.rpc) for host in (first, late)]
    try:
        start = time.monotonic()
        found = await scan_all(
            [first, late],
            session,
            ports=DRIVER_PORTS,
            connect_timeout=0.1,
            retry_timeout=0.5,
            arp_budget=1,  # the second address waits for the first one's slot
            progress=progress,
        )
    finally:
        for server, fillers in listeners:
            for sock in (server, *fillers):
                sock.close()
    assert found == []
    assert swept[0] - start >= 0.55  # the first address had the full verdict
    low, high = verdict
    assert low <= swept[1] - swept[0] < high
    assert next(reads, "all read") == "all read"
