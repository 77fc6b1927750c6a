"""Find miners on a subnet: a cheap TCP sweep, then identification of what answered.

Two stages, pipelined so a miner is identified as soon as its sweep answers
(``scanner.py``):

1. **Sweep** (``reach.py``). Every target gets TCP connects on the miner ports (web,
   RPC, Whatsminer v3): web first, the next port as soon as one refuses or after
   50 ms without an answer. A host is reachable when any port accepts (a live miner
   costs one bare connection). Refused everywhere: not a miner, done. Neither
   accepted nor refused in time: one retry with a longer timeout, then given up.
2. **Identify** (``identify.identify_host``, shared with ``Miner.connect`` and the
   config flow). Each reachable host runs the families' probes, then the winning
   family's model and version lookups with the credentials given for that family.
   Results stream out as they are found; a family that answered but refused the
   credentials is still reported, with its error. A host where something miner-like
   answered that no family supports (an Auradine, an Elphapex) is reported to the
   ``unsupported`` callback; :func:`scan_report` collects both, with how many
   addresses answered nothing.

Timing trade-off. On a LAN a live miner answers a SYN in about a millisecond, while an
address with no host behind it costs about 3 s before Linux gives up on ARP, and a
firewalled host that drops SYNs never answers at all. We give up on a silent host
after ``connect_timeout`` (0.3 s) plus one retry of ``retry_timeout`` (0.7 s); the
retry catches a miner that was slow once (cold ARP on a busy switch, a dropped SYN).

Large ranges are paced by the kernel's neighbour table (``neighbours.py``): every
address tried holds an ARP entry, a silent one for ~3 s, a live one for as long as it
stays REACHABLE (30 s), and an overflowing table silently loses live miners. The sweep
takes the table's real room (``gc_thresh3`` minus the entries in use, 1,024 assumed
where unreadable) and gives each slot back when the kernel frees the entry: a /22
fits a default table in one wave, a /21 with 800 live miners takes four. An address
that had to wait for a slot starts ~3 s late; it is given up once its own ARP request
has gone unanswered for 0.5 s (``neighbours.ArpAnswers``), instead of the full 1 s,
which rests on that same first request. One that answered ARP keeps the full verdict.

The scan as a whole ends at ``deadline``: hosts not finished by then are abandoned and
every task the scan started is cancelled and awaited before ``scan`` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from typing import Any, Final

import aiohttp

from ..contract import Family
from ..identify import DEFAULT_IDENTIFY_TIMEOUT
from ..models import Credentials, Ports
from ..registry import FAMILIES
from .neighbours import ArpBudget, NeighbourTable
from .results import ScanProgress, ScanReport, ScanResult, ScanStage, UnsupportedMiner
from .scanner import (
    DEFAULT_CONCURRENCY,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_IDENTIFY_CONCURRENCY,
    DEFAULT_RETRY_TIMEOUT,
    Scanner,
    ScanOptions,
)
from .targets import MAX_SCAN_ADDRESSES, Targets, hosts, parse_targets

__all__ = [
    "DEFAULT_CONCURRENCY",
    "MAX_SCAN_ADDRESSES",
    "ArpBudget",
    "NeighbourTable",
    "ScanOptions",
    "ScanProgress",
    "ScanReport",
    "ScanResult",
    "ScanStage",
    "UnsupportedMiner",
    "parse_targets",
    "scan",
    "scan_all",
    "scan_report",
]

_LOGGER = logging.getLogger(__name__)

# Without an explicit deadline: this much, plus the worst-case sweep time.
DEFAULT_DEADLINE_BASE: Final = 30.0


async def scan(
    targets: Targets,
    session: aiohttp.ClientSession,
    *,
    ports: Ports | None = None,
    credentials: Mapping[str, Credentials] | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    identify_concurrency: int = DEFAULT_IDENTIFY_CONCURRENCY,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    retry_timeout: float = DEFAULT_RETRY_TIMEOUT,
    identify_timeout: float = DEFAULT_IDENTIFY_TIMEOUT,
    deadline: float | None = None,
    progress: Callable[[ScanProgress], None] | None = None,
    families: tuple[Family, ...] | None = None,
    arp_budget: int | None = None,
    unsupported: Callable[[UnsupportedMiner], None] | None = None,
) -> AsyncIterator[ScanResult]:
    """Scan ``targets`` and yield each miner found, as soon as it is identified.

    ``targets`` is a target string (see :func:`parse_targets`) or addresses.
    ``credentials`` maps a family key (``"antminer"``) to the login for that family;
    families not in it use their defaults. ``deadline`` bounds the whole scan in
    seconds; ``None`` allows ``30 s`` plus the worst-case sweep time for the target
    count. ``arp_budget`` caps the addresses in the kernel's neighbour table at once;
    ``None`` reads the table's room (see ``neighbours.py``). ``unsupported`` is called
    for each host where a miner no family supports answered. Stop early with
    ``contextlib.aclosing``; every task is cleaned up then too.
    """
    options = ScanOptions(
        ports=ports or Ports(),
        credentials=credentials or {},
        concurrency=concurrency,
        identify_concurrency=identify_concurrency,
        connect_timeout=connect_timeout,
        retry_timeout=retry_timeout,
        identify_timeout=identify_timeout,
        families=FAMILIES if families is None else families,
        arp_budget=arp_budget,
    )
    runner = Scanner(hosts(targets), session, options, progress, unsupported)
    if deadline is None:
        deadline = _default_deadline(len(runner.hosts), runner.arp, options)
    async with contextlib.aclosing(_drain(runner, deadline)) as results:
        async for result in results:
            yield result


def _default_deadline(count: int, budget: ArpBudget, options: ScanOptions) -> float:
    # Every host silent: each wave of the table's room costs the sweep and ARP's give-up.
    waves = math.ceil(count / budget.size)
    per_wave = options.connect_timeout + options.retry_timeout + budget.resolve_time
    return DEFAULT_DEADLINE_BASE + waves * per_wave


async def _drain(runner: Scanner, deadline: float) -> AsyncGenerator[ScanResult]:
    """Yield the runner's results until it ends or ``deadline`` passes; then clean up."""
    end = asyncio.get_running_loop().time() + deadline
    task = asyncio.create_task(runner.run(), name="asic_miner scan")
    task.add_done_callback(lambda _: runner.results.put_nowait(None))
    finished = False
    try:
        while True:
            try:
                async with asyncio.timeout_at(end):
                    result = await runner.results.get()
            except TimeoutError:
                _LOGGER.debug("scan deadline of %.1f s reached; abandoning the rest", deadline)
                break
            if result is None:
                finished = True
                break
            yield result
    finally:
        if not task.done():
            task.cancel()
        await asyncio.wait([task])
        failure = None if task.cancelled() else task.exception()
        if failure is not None and not finished:
            _LOGGER.debug("scan stopped after an error", exc_info=failure)
    if failure is not None:
        raise failure
    runner.report(ScanStage.DONE)


async def scan_all(
    targets: Targets, session: aiohttp.ClientSession, **kwargs: Any
) -> list[ScanResult]:
    """Run :func:`scan` to the end (same options); the miners found, sorted by address."""
    found = [result async for result in scan(targets, session, **kwargs)]
    return sorted(found, key=lambda r: r.address)


async def scan_report(
    targets: Targets,
    session: aiohttp.ClientSession,
    *,
    progress: Callable[[ScanProgress], None] | None = None,
    supported: Callable[[ScanResult], None] | None = None,
    unsupported: Callable[[UnsupportedMiner], None] | None = None,
    **kwargs: Any,
) -> ScanReport:
    """Run :func:`scan` to the end (same options) and report everything it found.

    ``supported`` and ``unsupported`` hear of each miner as it is found (the CLI prints
    them while the scan runs); the report holds them all, sorted by address.
    """
    addresses = hosts(targets)
    miners: list[ScanResult] = []
    others: list[UnsupportedMiner] = []
    reachable = 0

    def track(update: ScanProgress) -> None:
        nonlocal reachable
        reachable = max(reachable, update.reachable)
        if progress is not None:
            progress(update)

    def not_supported(found: UnsupportedMiner) -> None:
        others.append(found)
        if unsupported is not None:
            unsupported(found)

    async for result in scan(
        addresses, session, progress=track, unsupported=not_supported, **kwargs
    ):
        miners.append(result)
        if supported is not None:
            supported(result)
    return ScanReport(
        miners=sorted(miners, key=lambda r: r.address),
        unsupported=sorted(others, key=lambda u: u.address),
        addresses=len(addresses),
        reachable=reachable,
    )
