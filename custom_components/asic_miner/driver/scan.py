"""Find miners on a subnet: a cheap TCP sweep, then identification of what answered.

Two stages, pipelined so a miner is identified as soon as its sweep answers:

1. **Sweep.** Every target gets TCP connects on the miner ports (web, RPC, Whatsminer
   v3), with bounded concurrency: web first, the next port as soon as one refuses or
   after 50 ms without an answer. A host is reachable when any port accepts (a live
   miner costs one bare connection). Refused everywhere: not a miner, done. Neither
   accepted nor refused in time: one retry with a longer timeout, then given up.
2. **Identify.** Each reachable host runs the families' probes (``identify.py``) with
   bounded concurrency, then the winning family's model and version lookups with the
   credentials given for that family. Results stream out as they are found; a family
   that answered but refused the credentials is still reported, with its error. A
   host where something miner-like answered that no family supports (an Auradine, an
   Elphapex) is reported to the ``unsupported`` callback, named after what answered;
   :func:`scan_report` collects both, with how many addresses answered nothing.

Timing trade-off. On a LAN a live miner answers a SYN in about a millisecond (its
kernel does, however busy the miner is), while an address with no host behind it
costs about 3 s before Linux gives up on ARP and reports ``EHOSTUNREACH``, and a
firewalled host that drops SYNs never answers at all. Waiting for those is what makes
other scanners take 3 s or more per /24. We give up on a silent host after
``connect_timeout`` (0.3 s) plus one retry of ``retry_timeout`` (0.7 s): 1 s per silent
host, all of a /24 in parallel. The retry catches a miner that was slow once (cold ARP
on a busy switch, a dropped SYN); a miner slower than 0.7 s to accept a connection is
reachable through ``retry_timeout`` or by adding it by address.

Large ranges are paced: an address that never answers ARP keeps an entry in the
kernel's neighbour table for ~3 s, and the table is machine-wide and small (1024
entries by default); overflowing it silently loses live miners further along the range.
So at most ``ARP_BUDGET`` (512) hosts are in flight or were given up within the last
``ARP_HOLD`` seconds: a /24 is swept in one wave (256 hosts in flight), a /23 in two,
larger ranges at roughly 150 silent addresses per second (a /22 of mostly absent hosts
in about 5.5 s, measured with ``benchmarks/lan.py``).

The scan as a whole ends at ``deadline``: hosts not finished by then are abandoned and
every task the scan started is cancelled and awaited before ``scan`` returns.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import math
import socket
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, Final

import aiohttp

from .context import MinerContext
from .contract import Family
from .exceptions import (
    MinerError,
    MinerNotIdentifiedError,
    MinerResponseError,
    MinerScanRangeError,
    MinerScanTooLargeError,
    MinerTimeoutError,
)
from .identify import detect_family
from .models import Credentials, MinerIdentity, Ports
from .registry import FAMILIES

_LOGGER = logging.getLogger(__name__)

MAX_SCAN_ADDRESSES: Final = 65_536  # a /16
DEFAULT_CONCURRENCY: Final = 256  # hosts swept at once: a whole /24 in one wave
DEFAULT_IDENTIFY_CONCURRENCY: Final = 64  # hosts identified at once
DEFAULT_CONNECT_TIMEOUT: Final = 0.3
SWEEP_STAGGER: Final = 0.05  # wait this long for a port before also trying the next
DEFAULT_RETRY_TIMEOUT: Final = 0.7
DEFAULT_IDENTIFY_TIMEOUT: Final = 5.0  # per host, probes plus model/version lookups
# Without an explicit deadline: this much, plus the worst-case sweep time.
DEFAULT_DEADLINE_BASE: Final = 30.0

# Linux keeps one neighbour (ARP) table for the whole machine, 1024 entries by default
# (gc_thresh3), and an address that does not answer ARP holds an entry for ~3 s after
# its first packet, long after we gave up on it. Past the limit the kernel drops new
# entries, and live miners further along the range go unseen. So at most this many
# hosts are in flight or were given up within the last ARP_HOLD seconds.
ARP_BUDGET: Final = 512
ARP_HOLD: Final = 2.5

_ABSENT_ERRNOS = frozenset({errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH})
_FD_RESERVE = 256  # file descriptors left to the rest of the process
_FDS_PER_IDENTIFY = 6


# -- targets -----------------------------------------------------------------------


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
                raise MinerScanTooLargeError(_too_large(part, size))
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
            raise MinerScanTooLargeError(_too_large(text.strip(), count))
    found: set[int] = set()
    for low, high in spans:
        found.update(range(low, high + 1))
    for network in cidr_hosts:
        found.update(int(host) for host in network.hosts())
    return [ipaddress.IPv4Address(value) for value in sorted(found)]


def _too_large(what: str, size: int) -> str:
    return (
        f"{what} covers {size:,} addresses; a scan is limited to "
        f"{MAX_SCAN_ADDRESSES:,} (a /16). Split it into smaller ranges"
    )


def _parse_address(text: str, context: str) -> ipaddress.IPv4Address:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        raise MinerScanRangeError(
            f"{context!r} is not an IPv4 address, a range (a.b.c.d-e) or a CIDR (a.b.c.d/nn)"
        ) from None
    if not isinstance(address, ipaddress.IPv4Address):
        raise MinerScanRangeError(f"{context!r}: only IPv4 addresses can be scanned")
    _check_usable(address, context)
    return address


def _check_usable(address: ipaddress.IPv4Address, context: str) -> None:
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        raise MinerScanRangeError(f"{context!r}: {address} cannot hold a miner")


def _parse_network(text: str) -> ipaddress.IPv4Network:
    try:
        network = ipaddress.ip_network(text.replace(" ", ""), strict=False)
    except ValueError:
        raise MinerScanRangeError(
            f"{text!r} is not a valid CIDR; write it like 192.168.1.0/24"
        ) from None
    if not isinstance(network, ipaddress.IPv4Network):
        raise MinerScanRangeError(f"{text!r}: only IPv4 addresses can be scanned")
    return network


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


# -- results and progress ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScanResult:
    """One miner found.

    ``identity`` is ``None`` when the family answered but its identification failed;
    ``error`` then says why. A ``MinerAuthenticationError`` means the miner wants other
    credentials than the family's defaults (ask the user, then ``Miner.connect``).
    """

    host: str
    family: Family
    identity: MinerIdentity | None = None
    error: MinerError | None = None

    @property
    def address(self) -> ipaddress.IPv4Address:
        return ipaddress.IPv4Address(self.host)


@dataclass(frozen=True, slots=True)
class UnsupportedMiner:
    """A host where a miner answered that no supported family matched."""

    host: str
    answered: str  # what answered, e.g. "Auradine FluxOS"

    @property
    def address(self) -> ipaddress.IPv4Address:
        return ipaddress.IPv4Address(self.host)


@dataclass(frozen=True, slots=True)
class ScanReport:
    """Everything a finished scan found, for a caller that shows it all at once."""

    miners: list[ScanResult]  # supported miners, by address
    unsupported: list[UnsupportedMiner]  # miners no family supports, by address
    addresses: int  # addresses scanned
    reachable: int  # addresses where something accepted a connection

    @property
    def silent(self) -> int:
        """Addresses where nothing answered at all."""
        return self.addresses - self.reachable


class ScanStage(StrEnum):
    SWEEP = "sweep"  # done/total: hosts swept / targets
    IDENTIFY = "identify"  # done/total: reachable hosts identified / reachable hosts
    DONE = "done"  # done/total: hosts finished / targets (fewer when the deadline hit)


@dataclass(frozen=True, slots=True)
class ScanProgress:
    stage: ScanStage
    done: int
    total: int
    found: int  # miners reported so far
    reachable: int = 0  # hosts that accepted a connection so far

    @property
    def fraction(self) -> float:
        return 1.0 if self.total == 0 else self.done / self.total


# -- the scan ----------------------------------------------------------------------


async def scan(
    targets: str | Iterable[ipaddress.IPv4Address | str],
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
    arp_budget: int = ARP_BUDGET,
    unsupported: Callable[[UnsupportedMiner], None] | None = None,
) -> AsyncIterator[ScanResult]:
    """Scan ``targets`` and yield each miner found, as soon as it is identified.

    ``targets`` is a target string (see :func:`parse_targets`) or addresses.
    ``credentials`` maps a family key (``"antminer"``) to the login for that family;
    families not in it use their defaults. ``deadline`` bounds the whole scan in
    seconds; ``None`` allows ``30 s`` plus the worst-case sweep time for the target
    count. ``arp_budget`` caps the hosts in flight or given up within the last
    ``ARP_HOLD`` seconds (see ``ARP_BUDGET``); raise it only where the kernel's
    ``gc_thresh3`` was raised too. ``unsupported`` is called for each host where a
    miner no family supports answered. Stop early with ``contextlib.aclosing``; every
    task is cleaned up then too.
    """
    hosts = _hosts(targets)
    runner = _Scanner(
        hosts,
        session,
        ports=ports or Ports(),
        credentials=credentials or {},
        concurrency=concurrency,
        identify_concurrency=identify_concurrency,
        connect_timeout=connect_timeout,
        retry_timeout=retry_timeout,
        identify_timeout=identify_timeout,
        progress=progress,
        families=FAMILIES if families is None else families,
        arp_budget=arp_budget,
        unsupported=unsupported,
    )
    if deadline is None:
        # Worst case: every host silent, each holding a slot for the sweep and the hold.
        waves = math.ceil(len(hosts) / runner.arp.size)
        deadline = DEFAULT_DEADLINE_BASE + waves * (connect_timeout + retry_timeout + ARP_HOLD)
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
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
    targets: str | Iterable[ipaddress.IPv4Address | str],
    session: aiohttp.ClientSession,
    **kwargs: Any,
) -> list[ScanResult]:
    """Run :func:`scan` to the end (same options); the miners found, sorted by address."""
    found = [result async for result in scan(targets, session, **kwargs)]
    return sorted(found, key=lambda r: r.address)


async def scan_report(
    targets: str | Iterable[ipaddress.IPv4Address | str],
    session: aiohttp.ClientSession,
    *,
    progress: Callable[[ScanProgress], None] | None = None,
    **kwargs: Any,
) -> ScanReport:
    """Run :func:`scan` to the end (same options) and report everything it found."""
    hosts = _hosts(targets)
    found: list[UnsupportedMiner] = []
    reachable = 0

    def track(update: ScanProgress) -> None:
        nonlocal reachable
        reachable = max(reachable, update.reachable)
        if progress is not None:
            progress(update)

    miners = [
        result
        async for result in scan(hosts, session, progress=track, unsupported=found.append, **kwargs)
    ]
    return ScanReport(
        miners=sorted(miners, key=lambda r: r.address),
        unsupported=sorted(found, key=lambda u: u.address),
        addresses=len(hosts),
        reachable=reachable,
    )


def _hosts(targets: str | Iterable[ipaddress.IPv4Address | str]) -> list[str]:
    if isinstance(targets, str):
        return [str(a) for a in parse_targets(targets)]
    seen: dict[str, None] = {}
    for target in targets:
        address = target if isinstance(target, ipaddress.IPv4Address) else None
        if address is None:
            address = _parse_address(str(target), str(target))
        seen.setdefault(str(address), None)
        if len(seen) > MAX_SCAN_ADDRESSES:
            raise MinerScanTooLargeError(_too_large("the target list", len(seen)))
    return list(seen)


class _Reach(Enum):
    OPEN = "open"  # a port accepted
    CLOSED = "closed"  # every port refused (or the host is known unreachable)
    SILENT = "silent"  # some port neither accepted nor refused in time


def _fd_limit() -> int | None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Linux/macOS
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else int(soft)


class _ArpBudget:
    """Paces the sweep so silent hosts never crowd the kernel's neighbour table.

    A worker takes a slot per host; a host that answered (accepted or refused) frees it
    at once, a silent one only ``hold`` seconds after it was given up, when its
    unresolved ARP entry has expired. No timers: a blocked worker sleeps until the
    oldest silent host's hold ends, so cancelling the workers leaves nothing behind.
    """

    __slots__ = ("active", "cooling", "hold", "size")

    def __init__(self, size: int, hold: float) -> None:
        self.size = size
        self.hold = hold
        self.active = 0
        self.cooling: deque[float] = deque()  # loop times at which silent hosts' slots free

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            while self.cooling and self.cooling[0] <= now:
                self.cooling.popleft()
            if self.active + len(self.cooling) < self.size:
                self.active += 1
                return
            # Workers never outnumber the slots, so a full budget has a silent host cooling.
            await asyncio.sleep(self.cooling[0] - now)

    def release(self, *, silent: bool) -> None:
        self.active -= 1
        if silent:
            self.cooling.append(asyncio.get_running_loop().time() + self.hold)


class _PortProbe:
    """Non-blocking connects to one host's ports, settled by selector callbacks.

    Ports are tried in order, the next one as soon as the previous refuses or after
    ``stagger`` seconds without an answer, and the probe stops at the first that
    accepts: a live miner gets one bare connection, an empty address costs one RST
    per port, a silent one has every port tried within ``2 * stagger``.

    No task per port: a sweep of a /24 is ~800 connects, and the callbacks run in the
    loop iteration the kernel reports them, so a busy loop does not turn an accepted
    connection into a timeout. A connect still pending when time is up is checked once
    more (``getpeername``) before it counts as silent.
    """

    __slots__ = (
        "failed",
        "future",
        "host",
        "loop",
        "on_error",
        "open",
        "order",
        "pending",
        "queue",
        "stagger",
        "stagger_timer",
        "timer",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        host: str,
        ports: tuple[int, ...],
        *,
        timeout: float,
        stagger: float,
        on_error: Callable[[OSError], None],
    ) -> None:
        self.loop = loop
        self.order = ports
        self.host = host
        self.on_error = on_error
        self.stagger = stagger
        self.future: asyncio.Future[None] = loop.create_future()
        self.open = False
        self.failed: list[int] = []  # ports that neither accepted nor refused in time
        self.pending: dict[int, tuple[socket.socket, int]] = {}
        self.queue = list(ports)
        self.stagger_timer: asyncio.TimerHandle | None = None
        self.timer = loop.call_later(timeout, self._settle)
        self._next()

    def _next(self) -> None:
        """Start the next port (several, if they fail at once); re-arm the stagger."""
        if self.stagger_timer is not None:
            self.stagger_timer.cancel()
            self.stagger_timer = None
        while self.queue and not self.open:
            if self._start(self.queue.pop(0)):
                break
        if self.queue and not self.open:
            self.stagger_timer = self.loop.call_later(self.stagger, self._next)
        self._check()

    def _start(self, port: int) -> bool:
        """Begin one connect; ``True`` when it is in flight."""
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except OSError as err:
            self.on_error(err)
            self.failed.append(port)
            return False
        try:
            sock.setblocking(False)
            sock.connect((self.host, port))
        except BlockingIOError:
            fd = sock.fileno()
            self.pending[fd] = (sock, port)
            self.loop.add_writer(fd, self._ready, fd)
            return True
        except OSError as err:
            sock.close()
            if err.errno not in _ABSENT_ERRNOS:
                self.on_error(err)
                self.failed.append(port)
            return False
        sock.close()
        self.open = True
        return False

    def _ready(self, fd: int) -> None:
        sock, port = self.pending.pop(fd)
        self.loop.remove_writer(fd)
        error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        sock.close()
        if error == 0:
            self.open = True
            self._check()
            return
        if error not in _ABSENT_ERRNOS:
            self.failed.append(port)
        self._next()  # refused: no reason to wait for the stagger

    def _check(self) -> None:
        if self.open or not (self.pending or self.queue):
            self._settle()

    def _settle(self) -> None:
        if not self.future.done():
            self.future.set_result(None)

    def close(self) -> None:
        self.timer.cancel()
        if self.stagger_timer is not None:
            self.stagger_timer.cancel()
        for fd, (sock, port) in self.pending.items():
            self.loop.remove_writer(fd)
            try:
                sock.getpeername()
            except OSError:
                self.failed.append(port)
            else:
                self.open = True
            sock.close()
        self.pending.clear()
        self.failed.extend(self.queue)  # never tried: time ran out first
        self.queue.clear()

    def outcome(self) -> tuple[_Reach, tuple[int, ...]]:
        if self.open:
            return _Reach.OPEN, ()
        if self.failed:
            return _Reach.SILENT, tuple(p for p in self.order if p in self.failed)
        return _Reach.CLOSED, ()


class _Scanner:
    """One scan's state: the worker pools, the counters, the result queue."""

    def __init__(
        self,
        hosts: list[str],
        session: aiohttp.ClientSession,
        *,
        ports: Ports,
        credentials: Mapping[str, Credentials],
        concurrency: int,
        identify_concurrency: int,
        connect_timeout: float,
        retry_timeout: float,
        identify_timeout: float,
        progress: Callable[[ScanProgress], None] | None,
        families: tuple[Family, ...],
        arp_budget: int,
        unsupported: Callable[[UnsupportedMiner], None] | None = None,
    ) -> None:
        self.hosts = hosts
        self.unsupported = unsupported
        self.session = session
        self.ports = ports
        # Web first: nearly every firmware serves it, so one connect settles most miners.
        self.sweep_ports = tuple(dict.fromkeys((ports.web, ports.rpc, ports.whatsminer_v3)))
        self.stagger = min(SWEEP_STAGGER, connect_timeout / 4)
        self.credentials = credentials
        self.connect_timeout = connect_timeout
        self.retry_timeout = retry_timeout
        self.identify_timeout = identify_timeout
        self.progress = progress
        self.families = families
        self.identify_limit = asyncio.Semaphore(max(1, identify_concurrency))
        workers = max(1, concurrency)
        limit = _fd_limit()
        if limit is not None:
            # Stay inside the process's open-file limit (pyasic #138: "too many open files").
            spare = limit - _FD_RESERVE - identify_concurrency * _FDS_PER_IDENTIFY
            workers = min(workers, max(8, spare // len(self.sweep_ports)))
        self.arp = _ArpBudget(max(1, arp_budget), ARP_HOLD)
        self.sweep_workers = min(workers, self.arp.size, max(1, len(hosts)))
        self.results: asyncio.Queue[ScanResult | None] = asyncio.Queue()
        self.swept = 0
        self.reachable = 0
        self.identified = 0
        self.found = 0
        self.sweeping = True
        self._emfile_logged = False

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
            self.report(ScanStage.IDENTIFY)

    async def _sweep_worker(self, pending: Iterable[str], group: asyncio.TaskGroup) -> None:
        for host in pending:
            await self.arp.acquire()
            reach, silent = await self._reach(host, self.sweep_ports, self.connect_timeout)
            if reach is _Reach.SILENT:
                reach, _ = await self._reach(host, silent, self.retry_timeout)
            self.arp.release(silent=reach is _Reach.SILENT)
            self.swept += 1
            if reach is _Reach.OPEN:
                self.reachable += 1
                group.create_task(self._identify(host))
            self.report()

    async def _reach(
        self, host: str, ports: tuple[int, ...], timeout: float
    ) -> tuple[_Reach, tuple[int, ...]]:
        """Try the ports (see ``_PortProbe``) until one accepts or time is up."""
        loop = asyncio.get_running_loop()
        probe = _PortProbe(
            loop, host, ports, timeout=timeout, stagger=self.stagger, on_error=self._socket_error
        )
        try:
            await probe.future
        finally:
            probe.close()
        return probe.outcome()

    def _socket_error(self, err: OSError) -> None:
        if err.errno in (errno.EMFILE, errno.ENFILE):
            if not self._emfile_logged:
                self._emfile_logged = True
                _LOGGER.warning("scan: out of file descriptors (%s); lower the concurrency", err)
        else:
            _LOGGER.debug("scan connect failed: %s", err)

    async def _identify(self, host: str) -> None:
        async with self.identify_limit:
            result = await self._identify_host(host)
        self.identified += 1
        if result is not None:
            self.found += 1
            self.results.put_nowait(result)
        self.report()

    async def _identify_host(self, host: str) -> ScanResult | None:
        ctx = MinerContext(host, self.session, self.ports, timeout=self.identify_timeout)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.identify_timeout
        try:
            family, results = await detect_family(ctx, self.families, self.identify_timeout / 2)
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
        ctx.credentials = self.credentials.get(family.key) or Credentials()
        try:
            async with asyncio.timeout_at(deadline):
                identity = await family.identify(ctx, results)
        except TimeoutError:
            error = MinerTimeoutError(
                f"{host}: identification took longer than {self.identify_timeout} s"
            )
            return ScanResult(host, family, None, error)
        except MinerError as err:
            _LOGGER.debug("%s: %s found but not identified: %s", host, family.key, err)
            return ScanResult(host, family, None, err)
        except Exception as err:
            # A family's model lookup met a reply it did not expect: still a miner.
            _LOGGER.debug("%s: identifying %s failed", host, family.key, exc_info=True)
            message = f"{host}: unexpected reply while identifying {family.name}: {err!r}"
            return ScanResult(host, family, None, MinerResponseError(message))
        return ScanResult(host, family, identity, None)
