"""One scan's pipeline: sweep every target, identify each host that answered.

The sweep runs ``workers`` hosts at once, each paced by the neighbour-table budget
(``neighbours.py``): a host takes a slot before its first packet and gives it back
when the kernel would drop its ARP entry. A reachable host is identified at once
(``identify.identify_host``, the same orchestration ``Miner.connect`` and the config
flow use), with bounded concurrency; its result goes to the ``results`` queue.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

import aiohttp

from ..context import MinerContext
from ..contract import Family
from ..exceptions import MinerNotIdentifiedError
from ..identify import DEFAULT_IDENTIFY_TIMEOUT, identify_host
from ..models import Credentials, Ports
from ..reach import STAGGER, Reach, reach
from ..registry import FAMILIES
from .neighbours import (
    ANSWER_WAIT,
    LIVE_HOLD,
    ArpAnswers,
    ArpBudget,
    Lease,
    NeighbourTable,
    local_addresses,
)
from .results import ScanProgress, ScanResult, ScanStage, UnsupportedMiner

_LOGGER = logging.getLogger(__name__)

DEFAULT_CONCURRENCY: Final = 1024  # hosts swept at once, at most: the table decides
DEFAULT_IDENTIFY_CONCURRENCY: Final = 64  # hosts identified at once
DEFAULT_CONNECT_TIMEOUT: Final = 0.3
DEFAULT_RETRY_TIMEOUT: Final = 0.7
# The kernel's entry ages count whole 10 ms ticks, and an entry dates from just after
# the loop time taken for its first packet: look this much later so one look does.
_AGE_SLACK: Final = 0.02
_FD_RESERVE: Final = 256  # file descriptors left to the rest of the process
_FDS_PER_IDENTIFY: Final = 6


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """How a scan sweeps and identifies; see :func:`scan` for each field."""

    ports: Ports = field(default_factory=Ports)
    credentials: Mapping[str, Credentials] = field(default_factory=dict)
    concurrency: int = DEFAULT_CONCURRENCY
    identify_concurrency: int = DEFAULT_IDENTIFY_CONCURRENCY
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    retry_timeout: float = DEFAULT_RETRY_TIMEOUT
    identify_timeout: float = DEFAULT_IDENTIFY_TIMEOUT
    families: tuple[Family, ...] = FAMILIES
    arp_budget: int | None = None  # None: the neighbour table's room, read now

    def budget(self) -> ArpBudget:
        """The sweep's neighbour-table budget: as given, else from the kernel's figures."""
        table = NeighbourTable.read()
        size = table.room if self.arp_budget is None else self.arp_budget
        _LOGGER.debug("scan: ARP budget %d (%s: %s)", size, table.source, table)
        return ArpBudget(size, table.resolve_time, LIVE_HOLD)


def _fd_limit() -> int | None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Linux/macOS
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else int(soft)


class _ArpCheck:
    """Ends a waiting address's sweep (``window``) once its ARP went unanswered long enough."""

    __slots__ = ("answers", "handle", "host", "loop", "window")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        answers: ArpAnswers,
        host: str,
        window: asyncio.Timeout,
    ) -> None:
        self.loop = loop
        self.answers = answers
        self.host = host
        self.window = window
        self.handle: asyncio.TimerHandle | None = None

    def at(self, when: float) -> None:
        self.handle = self.loop.call_at(when, self._check, when)

    def _check(self, since: float) -> None:
        waited = self.answers.waited(self.host, since, self.loop.time())
        if waited is None:
            return  # it answered, or the table does not show it: the full verdict
        if waited >= ANSWER_WAIT:
            self.window.reschedule(self.loop.time())  # the sweep of this host ends now
        else:  # the kernel asked later than the first packet (the table was full then)
            self.at(self.loop.time() + ANSWER_WAIT - waited + _AGE_SLACK)

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()


class Scanner:
    """One scan's state: the worker pools, the counters, the result queue."""

    def __init__(
        self,
        hosts: list[str],
        session: aiohttp.ClientSession,
        options: ScanOptions,
        progress: Callable[[ScanProgress], None] | None = None,
        unsupported: Callable[[UnsupportedMiner], None] | None = None,
    ) -> None:
        self.hosts = hosts
        self.session = session
        self.options = options
        self.progress = progress
        self.unsupported = unsupported
        ports = options.ports
        # Web first: nearly every firmware serves it, so one connect settles most miners.
        self.sweep_ports = tuple(dict.fromkeys((ports.web, ports.rpc, ports.whatsminer_v3)))
        self.stagger = min(STAGGER, options.connect_timeout / 4)
        self.identify_limit = asyncio.Semaphore(max(1, options.identify_concurrency))
        self.arp = options.budget()
        self.arp_answers = ArpAnswers()
        # The machine's own addresses in the range are reached over loopback: no ARP.
        self.local = local_addresses().intersection(hosts)
        in_table = self.arp.size + len(self.local)
        self.sweep_workers = min(self._worker_limit(), in_table, max(1, len(hosts)))
        _LOGGER.debug("scan: %d hosts, %d sweeping at once", len(hosts), self.sweep_workers)
        self.results: asyncio.Queue[ScanResult | None] = asyncio.Queue()
        self.swept = 0
        self.reachable = 0
        self.identified = 0
        self.found = 0
        self.sweeping = True
        self._emfile_logged = False

    def _worker_limit(self) -> int:
        workers = max(1, self.options.concurrency)
        limit = _fd_limit()
        if limit is not None:
            # Stay inside the process's open-file limit (pyasic #138: "too many open files").
            identify_fds = self.options.identify_concurrency * _FDS_PER_IDENTIFY
            spare = limit - _FD_RESERVE - identify_fds
            workers = min(workers, max(8, spare // len(self.sweep_ports)))
        return workers

    # -- progress ------------------------------------------------------------------

    def report(self, stage: ScanStage | None = None) -> None:
        if self.progress is None:
            return
        if stage is None:
            stage = ScanStage.SWEEP if self.sweeping else ScanStage.IDENTIFY
        if stage is ScanStage.SWEEP:
            done, total = self.swept, len(self.hosts)
        elif stage is ScanStage.IDENTIFY:
            done, total = self.identified, self.reachable
        else:
            unfinished_identify = self.reachable - self.identified
            done, total = self.swept - unfinished_identify, len(self.hosts)
        try:
            self.progress(ScanProgress(stage, done, total, self.found, self.reachable))
        except Exception:
            _LOGGER.exception("scan progress callback failed")

    # -- pipeline ------------------------------------------------------------------

    async def run(self) -> None:
        self.report(ScanStage.SWEEP)
        pending = iter(self.hosts)
        async with asyncio.TaskGroup() as group:
            sweepers = [
                group.create_task(self._sweep_worker(pending, group))
                for _ in range(self.sweep_workers)
            ]
            await asyncio.gather(*sweepers)
            self.sweeping = False
            _LOGGER.debug("scan: swept; the ARP table read %d times", self.arp_answers.reads)
            self.report(ScanStage.IDENTIFY)

    async def _sweep_worker(self, pending: Iterator[str], group: asyncio.TaskGroup) -> None:
        for host in pending:
            lease = None  # the host's slot in the neighbour table, while it answers
            if host in self.local:
                outcome = await self._sweep_one(host)
            else:
                late = self.arp.free() <= 0  # it waits for the kernel to free an entry
                first_packet = await self.arp.acquire()
                if late:
                    outcome = await self._sweep_late(host, first_packet)
                else:
                    outcome = await self._sweep_one(host)
                if outcome is Reach.SILENT:
                    _LOGGER.debug("%s silent (first packet at %.3f)", host, first_packet)
                    self.arp.release_silent(first_packet)
                else:
                    lease = self.arp.answered()
            self.swept += 1
            if outcome is Reach.OPEN:
                self.reachable += 1
                group.create_task(self._identify(host, lease))
            elif lease is not None:
                lease.done()
            self.report()

    async def _sweep_one(self, host: str) -> Reach:
        """Connect on the sweep ports; the ports that stayed silent get one retry."""
        options = self.options
        outcome, silent = await self._reach(host, self.sweep_ports, options.connect_timeout)
        if outcome is Reach.SILENT:
            outcome, _ = await self._reach(host, silent, options.retry_timeout)
        return outcome

    async def _sweep_late(self, host: str, first_packet: float) -> Reach:
        """The sweep of an address that waited for room: silent once ARP went unanswered.

        See ``neighbours.ArpAnswers``: an address whose ARP request the kernel has kept
        unanswered for ``ANSWER_WAIT`` is given up; any other keeps the full verdict.
        """
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(None) as window:
                check = _ArpCheck(loop, self.arp_answers, host, window)
                check.at(first_packet + ANSWER_WAIT + _AGE_SLACK)
                try:
                    return await self._sweep_one(host)
                finally:
                    check.cancel()
        except TimeoutError:
            return Reach.SILENT

    async def _reach(
        self, host: str, ports: tuple[int, ...], timeout: float
    ) -> tuple[Reach, tuple[int, ...]]:
        return await reach(host, ports, timeout, stagger=self.stagger, on_error=self._socket_error)

    def _socket_error(self, err: OSError) -> None:
        if err.errno in (errno.EMFILE, errno.ENFILE):
            if not self._emfile_logged:
                self._emfile_logged = True
                _LOGGER.warning("scan: out of file descriptors (%s); lower the concurrency", err)
        else:
            _LOGGER.debug("scan connect failed: %s", err)

    async def _identify(self, host: str, lease: Lease | None) -> None:
        try:
            async with self.identify_limit:
                result = await self._identify_host(host)
        finally:
            if lease is not None:
                lease.done()
        self.identified += 1
        if result is not None:
            self.found += 1
            self.results.put_nowait(result)
        self.report()

    def _login(self, family: Family) -> Credentials:
        return self.options.credentials.get(family.key) or Credentials()

    async def _identify_host(self, host: str) -> ScanResult | None:
        options = self.options
        ctx = MinerContext(host, self.session, options.ports, timeout=options.identify_timeout)
        try:
            found = await identify_host(
                ctx,
                options.families,
                timeout=options.identify_timeout,
                credentials=self._login,
                check_reach=False,  # the sweep just saw it accept
            )
        except MinerNotIdentifiedError as err:
            if err.answered is None:
                _LOGGER.debug("%s: reachable, but no known miner firmware answered", host)
            else:
                _LOGGER.info("%s: found %s, which is not supported", host, err.answered)
                if self.unsupported is not None:
                    self.unsupported(UnsupportedMiner(host, err.answered))
            return None
        except Exception:
            _LOGGER.debug("%s: identification failed", host, exc_info=True)
            return None
        return ScanResult(host, found.family, found.identity, found.error)
