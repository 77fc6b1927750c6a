"""Subnet scan: target parsing, then real scans of loopback /24s holding simulated fleets.

The scans here run on 127.0.20.0/24 to 127.0.25.0/24 only (other driver tests use
127.0.10-19.x, the CLI tests 127.0.26-29.x); every address is spelled out for
pytest-socket, so a scan that strayed anywhere else would fail the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import importlib
import ipaddress
import random
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import pytest
import pytest_socket

from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerScanRangeError,
)
from custom_components.asic_miner.driver.models import Credentials, Ports
from custom_components.asic_miner.driver.registry import FAMILIES
from custom_components.asic_miner.driver.scan import (
    ScanProgress,
    ScanResult,
    ScanStage,
    parse_targets,
    scan,
    scan_all,
)
from custom_components.asic_miner.driver.scan.neighbours import ArpBudget
from simulator.families import load_all
from simulator.faults import Fault, FaultKind
from simulator.miner import SimMiner, SimPorts
from tests.driver.conftest import DRIVER_PORTS, SIM_PORTS

scanner_module = importlib.import_module("custom_components.asic_miner.driver.scan.scanner")

SCAN_NETS = range(20, 26)
SCAN_HOSTS = [f"127.0.{net}.{host}" for net in SCAN_NETS for host in range(256)]
FAST = {"connect_timeout": 0.2, "retry_timeout": 0.3}


@pytest.fixture(autouse=True)
def scan_loopback(loopback: None) -> Iterator[None]:
    pytest_socket.socket_allow_hosts(["127.0.0.1", *SCAN_HOSTS], allow_unix_socket=True)
    yield


def ip(text: str) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(text)


def driver_tasks() -> list[asyncio.Task[Any]]:
    """Tasks running driver code (the simulator's own server tasks are not counted)."""
    current = asyncio.current_task()
    found = []
    for task in asyncio.all_tasks():
        code = getattr(task.get_coro(), "cr_code", None)
        if task is not current and code is not None and "custom_components" in code.co_filename:
            found.append(task)
    return found


# -- parse_targets -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first", "last", "count"),
    [
        ("192.168.1.0/24", "192.168.1.1", "192.168.1.254", 254),
        ("192.168.1.77/24", "192.168.1.1", "192.168.1.254", 254),  # host bits set
        ("10.0.0.0/30", "10.0.0.1", "10.0.0.2", 2),
        ("10.0.0.5/32", "10.0.0.5", "10.0.0.5", 1),
        ("10.0.0.0/16", "10.0.0.1", "10.0.255.254", 65_534),
        ("192.168.1.10-192.168.1.50", "192.168.1.10", "192.168.1.50", 41),
        ("192.168.1.10-50", "192.168.1.10", "192.168.1.50", 41),
        ("192.168.1.250-192.168.2.5", "192.168.1.250", "192.168.2.5", 12),
        ("192.168.1.7", "192.168.1.7", "192.168.1.7", 1),
        (" 192.168.1.7 ", "192.168.1.7", "192.168.1.7", 1),
    ],
)
def test_parse_single_forms(text: str, first: str, last: str, count: int) -> None:
    hosts = parse_targets(text)
    assert (hosts[0], hosts[-1], len(hosts)) == (ip(first), ip(last), count)
    assert hosts == sorted(hosts)


def test_parse_lists_combine_and_deduplicate() -> None:
    hosts = parse_targets("192.168.1.0/30, 192.168.1.2-4,10.0.0.1 ,192.168.1.1")
    assert hosts == [ip(a) for a in ("10.0.0.1", "192.168.1.1", "192.168.1.2", "192.168.1.3")] + [
        ip("192.168.1.4")
    ]


@pytest.mark.parametrize(
    "text", ["10.0.0.0/15", "10.0.0.0/8", "0.0.0.0/0", "10.0.0.0-10.1.0.0", "10.0.0.0/16,10.1.0.1"]
)
def test_parse_refuses_more_than_a_slash_16(text: str) -> None:
    with pytest.raises(MinerScanRangeError, match=r"65,536"):
        parse_targets(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no scan target"),
        ("   ", "no scan target"),
        ("192.168.1", "not an IPv4 address"),
        ("192.168.1.300", "not an IPv4 address"),
        ("miner.local", "not an IPv4 address"),
        ("192.168.1.0/33", "not a valid CIDR"),
        ("192.168.1.0/abc", "not a valid CIDR"),
        ("192.168.1.50-10", "ends before it starts"),
        ("192.168.1.10-300", "not a valid last octet"),
        ("192.168.1.10-foo", "not an IPv4 address"),
        ("192.168.1.1,,192.168.1.2", "empty entry"),
        ("::1", "only IPv4"),
        ("fe80::/64", "only IPv4"),
        ("224.0.0.1", "cannot hold a miner"),
        ("0.0.0.0", "cannot hold a miner"),
    ],
)
def test_parse_refuses_malformed(text: str, message: str) -> None:
    with pytest.raises(MinerScanRangeError, match=message) as info:
        parse_targets(text)
    assert "Traceback" not in str(info.value)
    assert "\n" not in str(info.value)


# -- fleets on loopback ------------------------------------------------------------

type Spec = tuple[str, str, dict[str, Any]]  # family, model, state overrides
type FleetFactory = Callable[..., Awaitable[tuple[str, list[SimMiner]]]]


@pytest.fixture
async def fleet() -> AsyncIterator[FleetFactory]:
    """Start simulated miners on the hosts ``.10``, ``.11``, ... of a free /24 of ours."""
    running: list[SimMiner] = []
    nets = random.sample(list(SCAN_NETS), len(SCAN_NETS))

    async def start(
        specs: list[Spec], ports: SimPorts = SIM_PORTS, first: int = 10
    ) -> tuple[str, list[SimMiner]]:
        families = load_all()
        for net in nets:
            prefix = f"127.0.{net}"
            sims = [
                families[family].create(f"{prefix}.{first + i}", model, ports, **overrides)
                for i, (family, model, overrides) in enumerate(specs)
            ]
            started: list[SimMiner] = []
            try:
                for sim in sims:
                    await sim.start()
                    started.append(sim)
            except OSError as err:
                for sim in started:
                    await sim.stop()
                if err.errno != errno.EADDRINUSE:
                    raise
                continue  # another run uses this /24: take the next
            nets.remove(net)
            running.extend(sims)
            return f"{prefix}.0/24", sims
        raise RuntimeError("no free loopback /24 for a scan test")

    yield start
    for sim in running:
        await sim.stop()


# Families whose replies carry no MAC address (MSKMiner: read over RPC only).
NO_MAC = frozenset({"mskminer", "goldshell"})  # RPC only, or a web reply with no MAC


def mixed_specs() -> list[Spec]:
    """Every family both the driver and the simulator know, every model (at least 2)."""
    driver_keys = {fam.key for fam in FAMILIES}
    specs: list[Spec] = []
    for key, sim in sorted(load_all().items()):
        if key in driver_keys:
            models = list(sim.models)
            if len(models) == 1:  # a family with one simulated model: two miners of it
                models *= 2
            specs.extend((key, model, {}) for model in models)
    return specs


def by_host(results: list[ScanResult]) -> dict[str, ScanResult]:
    return {r.host: r for r in results}


async def test_mixed_fleet_found_exactly(
    fleet: FleetFactory, session: aiohttp.ClientSession
) -> None:
    specs = mixed_specs()
    families = {family for family, _, _ in specs}
    assert families == {fam.key for fam in FAMILIES} & set(load_all())
    for family in families:
        assert sum(1 for f, _, _ in specs if f == family) >= 2
    subnet, sims = await fleet(specs)

    results = await scan_all(subnet, session, ports=DRIVER_PORTS, **FAST)

    found = by_host(results)
    assert set(found) == {sim.host for sim in sims}  # no miss, nothing else
    assert [r.host for r in results] == sorted(found, key=ipaddress.IPv4Address)
    for sim in sims:
        result = found[sim.host]
        assert result.error is None, result.error
        assert result.identity is not None
        assert result.family.key == sim.family
        assert result.identity.family == sim.family
        assert (result.identity.make, result.identity.model) == (
            sim.state.spec.make,
            sim.state.spec.model,
        )
        no_mac = sim.family in NO_MAC
        assert result.identity.mac == (None if no_mac else sim.state.mac)


async def test_changed_password_reported_with_auth_error(
    fleet: FleetFactory, session: aiohttp.ClientSession
) -> None:
    subnet, (good, locked) = await fleet(
        [("antminer", "S19 Pro", {}), ("antminer", "S21", {"password": "changed"})]
    )

    found = by_host(await scan_all(subnet, session, ports=DRIVER_PORTS, **FAST))

    assert set(found) == {good.host, locked.host}
    assert found[good.host].identity is not None
    refused = found[locked.host]
    assert refused.family.key == "antminer"
    assert refused.identity is None
    assert isinstance(refused.error, MinerAuthenticationError)

    # With the family's credentials given, the same miner is identified.
    retry = await scan_all(
        locked.host,
        session,
        ports=DRIVER_PORTS,
        credentials={"antminer": Credentials("root", "changed")},
        **FAST,
    )
    assert [r.host for r in retry] == [locked.host]
    assert retry[0].error is None
    assert retry[0].identity is not None
    assert retry[0].identity.model == "S21"


async def test_progress_sequence(fleet: FleetFactory, session: aiohttp.ClientSession) -> None:
    subnet, sims = await fleet([("antminer", "S19 Pro", {}), ("antminer", "S9", {})])
    events: list[ScanProgress] = []

    found = await scan_all(subnet, session, ports=DRIVER_PORTS, progress=events.append, **FAST)

    assert len(found) == 2
    assert events[0] == ScanProgress(ScanStage.SWEEP, 0, 254, 0, 0)
    assert events[-1] == ScanProgress(ScanStage.DONE, 254, 254, 2, 2)
    stages = [e.stage for e in events]
    # Stages only move forward: sweep, identify, done.
    order = [ScanStage.SWEEP, ScanStage.IDENTIFY, ScanStage.DONE]
    assert [order.index(s) for s in stages] == sorted(order.index(s) for s in stages)
    assert stages.count(ScanStage.DONE) == 1
    assert ScanStage.IDENTIFY in stages
    sweep = [e for e in events if e.stage is ScanStage.SWEEP]
    assert [e.done for e in sweep] == sorted(e.done for e in sweep)
    assert sweep[-1].done == 254
    assert all(e.total == 254 for e in sweep)
    identify = [e for e in events if e.stage is ScanStage.IDENTIFY]
    assert all(e.total == len(sims) for e in identify)
    assert identify[-1].done == len(sims)
    assert [e.found for e in events] == sorted(e.found for e in events)
    assert all(0 <= e.fraction <= 1 for e in events)


async def test_results_stream_past_slow_miner(
    fleet: FleetFactory, session: aiohttp.ClientSession
) -> None:
    slow_fault = Fault(FaultKind.DELAY, 0.8)
    subnet, sims = await fleet(
        [
            ("antminer", "S19 Pro", {"fault": slow_fault}),
            ("antminer", "S21", {}),
            ("antminer", "S9", {}),
            ("antminer", "S19 Pro", {}),
        ]
    )
    slow = sims[0]
    arrivals: list[tuple[str, float]] = []
    start = time.monotonic()

    async with contextlib.aclosing(
        scan(subnet, session, ports=DRIVER_PORTS, identify_timeout=5.0, **FAST)
    ) as results:
        async for result in results:
            arrivals.append((result.host, time.monotonic() - start))

    hosts = [host for host, _ in arrivals]
    assert set(hosts) == {sim.host for sim in sims}
    assert hosts[-1] == slow.host  # the slow miner is found too, last
    fast_done = max(t for host, t in arrivals if host != slow.host)
    slow_done = arrivals[-1][1]
    assert slow_done - fast_done > 0.5  # the others did not wait for it


async def test_deadline_abandons_cleanly(
    fleet: FleetFactory, session: aiohttp.ClientSession
) -> None:
    subnet, sims = await fleet(
        [
            ("antminer", "S19 Pro", {}),
            ("antminer", "S21", {"fault": Fault(FaultKind.SILENCE)}),
            ("antminer", "S9", {"fault": Fault(FaultKind.SILENCE)}),
        ]
    )
    events: list[ScanProgress] = []
    prefix = subnet.rsplit(".", 1)[0]
    start = time.monotonic()

    found = await scan_all(
        f"{prefix}.1-30",
        session,
        ports=DRIVER_PORTS,
        identify_timeout=30.0,
        deadline=1.0,
        progress=events.append,
        **FAST,
    )

    elapsed = time.monotonic() - start
    assert 1.0 <= elapsed < 3.0  # not the 30 s identification timeout
    assert [r.host for r in found] == [sims[0].host]
    assert events[-1].stage is ScanStage.DONE
    assert events[-1].done == 30 - 2  # the two silent miners were abandoned
    assert driver_tasks() == []


async def test_stopping_early_leaves_nothing_running(
    fleet: FleetFactory, session: aiohttp.ClientSession
) -> None:
    subnet, _ = await fleet([("antminer", "S19 Pro", {}), ("antminer", "S21", {})])
    async with contextlib.aclosing(scan(subnet, session, ports=DRIVER_PORTS, **FAST)) as results:
        async for _ in results:
            break
    assert driver_tasks() == []


async def test_custom_ports(fleet: FleetFactory, session: aiohttp.ClientSession) -> None:
    moved = SimPorts(rpc=24028, web=28080, https=28443, whatsminer_v3=24433)
    subnet, sims = await fleet(
        [("antminer", "S19 Pro", {}), ("antminer", "S9", {})], ports=moved, first=200
    )
    ports = Ports(rpc=24028, web=28080, https=28443, whatsminer_v3=24433)

    found = await scan_all(subnet, session, ports=ports, **FAST)
    assert [r.host for r in found] == [sim.host for sim in sims]
    assert all(r.identity is not None for r in found)

    # On the usual ports nothing answers there.
    assert await scan_all(subnet, session, ports=DRIVER_PORTS, **FAST) == []


async def test_empty_target_list(session: aiohttp.ClientSession) -> None:
    events: list[ScanProgress] = []
    assert await scan_all([], session, progress=events.append) == []
    assert events[-1] == ScanProgress(ScanStage.DONE, 0, 0, 0, 0)


# -- the sweep's retry -------------------------------------------------------------


def _full_listener(host: str, port: int) -> tuple[socket.socket, list[socket.socket]]:
    """A listener whose accept queue is full: further SYNs are dropped, like a firewall."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(0)
    fillers = []
    for _ in range(2):
        client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        client.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            client.connect((host, port))
        fillers.append(client)
    return server, fillers


async def test_silent_port_retried_once_then_given_up(session: aiohttp.ClientSession) -> None:
    host = f"127.0.{random.choice(SCAN_NETS)}.{random.randint(100, 199)}"
    server, fillers = _full_listener(host, DRIVER_PORTS.rpc)
    events: list[ScanProgress] = []
    try:
        await asyncio.sleep(0.05)
        start = time.monotonic()
        found = await scan_all(
            [host],
            session,
            ports=DRIVER_PORTS,
            connect_timeout=0.2,
            retry_timeout=0.6,
            progress=events.append,
        )
        elapsed = time.monotonic() - start
    finally:
        for sock in (server, *fillers):
            sock.close()
    assert found == []
    assert events[-1].reachable == 0
    assert 0.75 <= elapsed < 1.3  # connect timeout + one retry (0.8 s); a second: 1.4 s


async def test_retry_catches_a_dropped_syn(session: aiohttp.ClientSession) -> None:
    host = f"127.0.{random.choice(SCAN_NETS)}.{random.randint(100, 199)}"
    server, fillers = _full_listener(host, DRIVER_PORTS.rpc)
    server.setblocking(False)
    events: list[ScanProgress] = []

    async def drain_later() -> None:
        await asyncio.sleep(0.1)  # after the first SYN was dropped, before the retry
        with contextlib.suppress(BlockingIOError):
            while True:
                conn, _ = server.accept()
                conn.close()

    drain = asyncio.create_task(drain_later())
    try:
        await scan_all(
            [host],
            session,
            ports=DRIVER_PORTS,
            connect_timeout=0.2,
            retry_timeout=0.5,
            identify_timeout=0.3,
            progress=events.append,
        )
    finally:
        await drain
        for sock in (server, *fillers):
            sock.close()
    assert events[-1].reachable == 1


async def test_address_list_targets(fleet: FleetFactory, session: aiohttp.ClientSession) -> None:
    _, (sim,) = await fleet([("antminer", "S9", {})])
    empty = str(ip(sim.host) + 1)

    found = await scan_all([sim.host, ip(sim.host), empty], session, ports=DRIVER_PORTS, **FAST)

    assert [r.host for r in found] == [sim.host]
    with pytest.raises(MinerScanRangeError, match="not an IPv4 address"):
        await scan_all([sim.host, "miner.local"], session)


async def test_arp_budget_paces_silent_hosts() -> None:
    """A silent host's slot frees when its ARP entry fails, counted from its first packet."""
    budget = ArpBudget(2, resolve_time=0.2)
    first = await budget.acquire()
    await budget.acquire()
    budget.release_silent(first)  # its entry is still INCOMPLETE: the slot is not free
    start = time.monotonic()
    await asyncio.wait_for(budget.acquire(), 1)
    assert time.monotonic() - start >= 0.15


async def test_arp_budget_holds_live_hosts_until_identified() -> None:
    """A live host's entry stays while it is identified, and for a while after it answered."""
    budget = ArpBudget(1, live_hold=0.2)
    await budget.acquire()
    lease = budget.answered()
    waiting = asyncio.ensure_future(budget.acquire())
    await asyncio.sleep(0.3)
    assert not waiting.done()  # past LIVE_HOLD, but still being identified
    start = time.monotonic()
    lease.done()
    lease.done()  # twice is once
    await asyncio.wait_for(waiting, 1)
    assert time.monotonic() - start < 0.1  # the hold had passed already
    assert budget.free() == 0


async def test_small_arp_budget_still_finds_everything(
    fleet: FleetFactory, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Loopback keeps no ARP entries; a short hold keeps the one-slot sweep quick.
    monkeypatch.setattr(scanner_module, "LIVE_HOLD", 0.05)
    subnet, sims = await fleet([("antminer", "S19 Pro", {}), ("antminer", "S9", {})])
    prefix = subnet.rsplit(".", 1)[0]
    found = await scan_all(f"{prefix}.5-20", session, ports=DRIVER_PORTS, arp_budget=1, **FAST)
    assert [r.host for r in found] == [sim.host for sim in sims]


async def test_arp_budget_wakes_for_a_sooner_release() -> None:
    """A waiter sleeping until a live host's late release takes a silent slot freed sooner."""
    budget = ArpBudget(2, resolve_time=0.2, live_hold=5.0)
    first = await budget.acquire()
    await budget.acquire()
    budget.answered().done()  # frees in 5 s
    waiting = asyncio.ensure_future(budget.acquire())
    await asyncio.sleep(0.01)
    start = time.monotonic()
    budget.release_silent(first)  # frees 0.2 s after its first packet
    await asyncio.wait_for(waiting, 1)
    assert time.monotonic() - start < 0.5
