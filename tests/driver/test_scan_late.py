"""Addresses that wait for room in the neighbour table: their own ARP request decides.

Loopback has no ARP, so the kernel's table is a file written here (``/proc/net/arp``'s
layout, documentation addresses) and the budget's ARP give-up is shortened; the hosts
are loopback listeners whose full accept queue drops SYNs, like a silent address.
"""

from __future__ import annotations

import importlib
import random
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
import pytest_socket

from custom_components.asic_miner.driver.scan import ScanProgress, ScanStage, scan_all
from custom_components.asic_miner.driver.scan.neighbours import ArpAnswers, NeighbourTable
from tests.driver.conftest import DRIVER_PORTS
from tests.driver.test_scan import SCAN_HOSTS, SCAN_NETS, _full_listener

neighbours = importlib.import_module("custom_components.asic_miner.driver.scan.neighbours")
scanner_module = importlib.import_module("custom_components.asic_miner.driver.scan.scanner")

ARP_HEADER = "IP address       HW type     Flags       HW address            Mask     Device\n"


def _arp_line(host: str, flags: int, device: str = "eth0") -> str:
    mac = "02:00:00:00:00:07" if flags & 0x2 else "00:00:00:00:00:00"
    return f"{host:<16} 0x1         0x{flags:<10x}{mac}     *        {device}\n"


@pytest.fixture(autouse=True)
def scan_loopback(loopback: None) -> Iterator[None]:
    pytest_socket.socket_allow_hosts(["127.0.0.1", *SCAN_HOSTS], allow_unix_socket=True)
    yield


@pytest.fixture
def proc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    (tmp_path / "net").mkdir()
    monkeypatch.setattr(neighbours, "_PROC", tmp_path)
    return tmp_path / "net/arp"


def test_the_arp_table_says_who_answered(proc: Path) -> None:
    proc.write_text(
        ARP_HEADER
        + _arp_line("198.51.100.7", 0x2)
        + _arp_line("198.51.100.8", 0x0)  # INCOMPLETE (or FAILED): no answer
        + _arp_line("198.51.100.9", 0x0)
        + _arp_line("198.51.100.9", 0x6, "eth1")  # answered on another interface
        + "198.51.100.10 0x1 broken\n"
        + "\n"
    )
    answers = ArpAnswers()
    assert answers.answered("198.51.100.7", 1.0, 1.0) is True
    assert answers.answered("198.51.100.8", 1.0, 1.0) is False
    assert answers.answered("198.51.100.9", 1.0, 1.0) is True
    assert answers.answered("198.51.100.10", 1.0, 1.0) is None  # unreadable line
    assert answers.answered("203.0.113.1", 1.0, 1.0) is None  # not in the table: routed

    proc.write_text(ARP_HEADER + _arp_line("198.51.100.8", 0x2))
    assert answers.answered("198.51.100.8", 0.9, 1.2) is False  # the read at 1.0 serves
    assert answers.answered("198.51.100.8", 1.1, 1.2) is True  # a wait ending later reads again

    proc.unlink()
    assert answers.answered("198.51.100.8", 2.0, 2.0) is None


def _table_of(proc: Path, first: str, late: str, flags: int) -> None:
    proc.write_text(ARP_HEADER + _arp_line(first, 0x0) + _arp_line(late, flags))


@pytest.mark.parametrize(
    ("flags", "verdict"),
    [
        # It waits 0.2 s for the first address's slot, then:
        (0x0, (0.25, 0.6)),  # its ARP went unanswered: given up after ANSWER_WAIT (0.1 s)
        (0x2, (0.75, 2.0)),  # it answered ARP: the full connect and retry (0.6 s)
    ],
)
async def test_an_address_that_waited_for_room(
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
    proc: Path,
    flags: int,
    verdict: tuple[float, float],
) -> None:
    net = random.choice(SCAN_NETS)
    first = f"127.0.{net}.{random.randint(100, 149)}"
    late = f"127.0.{net}.{random.randint(150, 199)}"
    _table_of(proc, first, late, flags)
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
