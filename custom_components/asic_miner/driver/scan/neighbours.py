"""How many addresses a sweep may have in the kernel's neighbour (ARP) table at once.

Linux keeps one ARP table for the whole machine, every network namespace included:
``gc_thresh3`` entries (1,024 by default). Past it the kernel drops the packet that
needed a new entry (a ``table_fulls`` count, "neighbor table overflow"), and a live
miner further along the range goes unseen. A connect to an address creates an entry:

- **silent address** (nobody answers ARP): INCOMPLETE for ``mcast_solicit`` x
  ``retrans_time`` (3 x 1 s by default) after its first packet, then FAILED, which the
  kernel's forced collection removes at once when it needs room;
- **live host** (answered, accepted or refused): REACHABLE for ``base_reachable_time``
  (30 s by default) while it is talked to. The kernel's forced collection is meant to
  take such an entry 5 s after its last update, but measured on ``shared/tools/lan``
  a sweep that counted on it overflowed the table (a /21 with 400 live hosts lost
  3-35 of them per run), so a live host's slot is held for ``LIVE_HOLD`` (30 s), and
  not before its identification is done.

:class:`NeighbourTable` reads the real numbers (netlink's neighbour-table dump works in
any network namespace; ``/proc`` where netlink is refused; else the defaults), and
:class:`ArpBudget` hands out the room left, releasing each slot when the kernel would;
:class:`ArpAnswers` tells whether an address that had to wait for room answered ARP.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import socket
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Final

DEFAULT_TABLE_SIZE: Final = 1024  # the kernel's default gc_thresh3
DEFAULT_RESOLVE_TIME: Final = 3.0  # mcast_solicit 3 x retrans_time 1 s
# How long a live host's resolved entry is counted: as long as the kernel keeps it
# REACHABLE (base_reachable_time, 30 s by default); see the module docstring for why
# not the forced collection's 5 s.
LIVE_HOLD: Final = 30.0
MARGIN: Final = 0.1  # timers fire a little late; so do we, on purpose
MIN_BUDGET: Final = 16  # a nearly full table still lets a scan make progress
# Entries the kernel takes for itself while a sweep fills the table (the far side's
# entry for this machine, a router's). Once made they are among the ``entries`` read at
# the start; the first sweep after the table was emptied finds none, took the whole
# table and overflowed it 6-12 times on ``shared/tools/lan`` (a live miner unseen). So
# at least this many are never the sweep's. Not more: a /22 fills a default table to
# its last 3 entries, and one address over the room costs a whole ARP timeout.
HEADROOM: Final = 3

# How long an address that waited for a free slot has to answer the kernel's first ARP
# request before the sweep gives up on it (``ArpAnswers``). Every other address gets
# the full connect and retry (1 s), but that verdict too rests on the first request
# alone: the second goes out ``retrans_time`` (1 s) after it, when that verdict is due.
# A wired LAN answers ARP in about a millisecond (tens of microseconds on
# shared/tools/lan); a Wi-Fi miner (Bitaxe) in power save at its next beacon wake,
# typically within 0.1-0.3 s.
ANSWER_WAIT: Final = 0.5
_ATF_COM: Final = 0x2  # /proc/net/arp's flag of an entry the host answered

# rtnetlink: RTM_GETNEIGHTBL dump, attributes of the reply (linux/neighbour.h).
_RTM_GETNEIGHTBL: Final = 66
_RTM_NEWNEIGHTBL: Final = 64
_NLMSG_DONE: Final = 3
_NLMSG_ERROR: Final = 2
_NLM_F_REQUEST_DUMP: Final = 0x1 | 0x300
_NDTA_NAME: Final = 1
_NDTA_THRESH3: Final = 4
_NDTA_CONFIG: Final = 5
_PROC: Final = Path("/proc")


@dataclass(frozen=True, slots=True)
class NeighbourTable:
    """The ARP table's limit, its current entries and how long a silent entry lives."""

    size: int = DEFAULT_TABLE_SIZE
    entries: int = 0
    resolve_time: float = DEFAULT_RESOLVE_TIME
    source: str = "assumed"  # where the figures came from: netlink, proc or assumed

    @property
    def room(self) -> int:
        """Entries a sweep may add before the kernel starts dropping packets."""
        return max(MIN_BUDGET, self.size - max(self.entries, HEADROOM))

    @classmethod
    def read(cls) -> NeighbourTable:
        """The machine's figures, as far as this process can read them."""
        resolve = _resolve_time()
        figures = _netlink_figures()
        if figures is not None:
            return cls(figures[0], figures[1], resolve, "netlink")
        figures = _proc_figures()
        if figures is not None:
            return cls(figures[0], figures[1], resolve, "proc")
        return cls(resolve_time=resolve)


def local_addresses() -> frozenset[str]:
    """This machine's own IPv4 addresses (this network namespace's): they need no ARP.

    Read from the kernel's routing table (``/proc/net/fib_trie``, its ``LOCAL`` host
    routes); empty where unreadable, which only makes the budget more careful.
    """
    found: set[str] = set()
    last = ""
    with contextlib.suppress(OSError), (_PROC / "net/fib_trie").open() as trie:
        for line in trie:
            text = line.strip()
            if text.startswith("|-- "):
                last = text[4:]
            elif text == "/32 host LOCAL" and last:
                found.add(last)
    return frozenset(found)


def _netlink_figures() -> tuple[int, int] | None:
    """(gc_thresh3, entries) of the ``arp_cache`` table, from an rtnetlink dump."""
    netlink = getattr(socket, "AF_NETLINK", None)
    if netlink is None:  # pragma: no cover - not Linux
        return None
    try:
        with socket.socket(netlink, socket.SOCK_RAW, 0) as sock:
            sock.settimeout(0.5)
            # nlmsghdr (len, type, flags, seq, pid) + ndtmsg (family, 3 pad bytes)
            request = struct.pack("=IHHII", 20, _RTM_GETNEIGHTBL, _NLM_F_REQUEST_DUMP, 1, 0)
            sock.send(request + struct.pack("=B3x", socket.AF_INET))
            return _read_dump(sock)
    except OSError:
        return None


def _read_dump(sock: socket.socket) -> tuple[int, int] | None:
    found: tuple[int, int] | None = None
    for _ in range(64):  # a dump is a handful of messages; never loop for ever
        data = sock.recv(65536)
        offset = 0
        while offset + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            if length < 16 or kind in (_NLMSG_DONE, _NLMSG_ERROR):
                return found
            if kind == _RTM_NEWNEIGHTBL:
                found = _table_attributes(data[offset + 20 : offset + length]) or found
            offset += (length + 3) & ~3
    return found


def _table_attributes(payload: bytes) -> tuple[int, int] | None:
    name, thresh3, entries = b"", None, None
    offset = 0
    while offset + 4 <= len(payload):
        length, kind = struct.unpack_from("=HH", payload, offset)
        if length < 4:
            break
        value = payload[offset + 4 : offset + length]
        if kind == _NDTA_NAME:
            name = value.rstrip(b"\x00")
        elif kind == _NDTA_THRESH3 and len(value) >= 4:
            thresh3 = struct.unpack_from("=I", value)[0]
        elif kind == _NDTA_CONFIG and len(value) >= 8:
            entries = struct.unpack_from("=I", value, 4)[0]  # ndtc_entries
        offset += (length + 3) & ~3
    if name != b"arp_cache" or thresh3 is None or entries is None:
        return None
    return int(thresh3), int(entries)


def _proc_figures() -> tuple[int, int] | None:
    """gc_thresh3 and entries from /proc (host network namespace only)."""
    try:
        size = int((_PROC / "sys/net/ipv4/neigh/default/gc_thresh3").read_text())
        lines = (_PROC / "net/stat/arp_cache").read_text().split("\n")
        return size, int(lines[1].split()[0], 16)
    except OSError, ValueError, IndexError:
        return None


def _resolve_time() -> float:
    """How long the slowest interface tries ARP before it gives up on an address."""
    longest = 0.0
    with contextlib.suppress(OSError):
        for folder in (_PROC / "sys/net/ipv4/neigh").iterdir():
            if folder.name in ("default", "lo"):
                continue
            with contextlib.suppress(OSError, ValueError):
                probes = int((folder / "mcast_solicit").read_text())
                retrans = int((folder / "retrans_time_ms").read_text()) / 1000
                longest = max(longest, probes * retrans)
    return longest or DEFAULT_RESOLVE_TIME


class ArpBudget:
    """Paces the sweep so the addresses it tries never overflow the neighbour table.

    A host takes a slot before its first packet. A silent one frees it when its ARP
    entry has failed (``resolve_time`` after that packet), when the kernel's forced
    collection removes such an entry at once; a live one (it accepted or refused)
    ``live_hold`` after it answered, and not before its identification is done. No timers: a blocked sweep sleeps until the earliest release, so
    cancelling the scan leaves nothing behind.
    """

    __slots__ = ("_active", "_loop", "_releases", "_sooner", "live_hold", "resolve_time", "size")

    def __init__(
        self,
        size: int,
        resolve_time: float = DEFAULT_RESOLVE_TIME,
        live_hold: float = LIVE_HOLD,
    ) -> None:
        self.size = max(1, size)
        self.resolve_time = resolve_time
        self.live_hold = live_hold
        self._active = 0  # slots of hosts being swept or identified
        self._releases: list[float] = []  # sorted loop times at which held slots free
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sooner = asyncio.Event()  # set when a release earlier than all others comes

    def free(self) -> int:
        """Slots free now."""
        now = self._now()
        expired = bisect.bisect_right(self._releases, now)
        del self._releases[:expired]
        return self.size - self._active - len(self._releases)

    def _now(self) -> float:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop.time()

    async def acquire(self) -> float:
        """Wait for a slot; returns the loop time the host's first packet goes out."""
        while self.free() <= 0:
            # The earliest release, else a host being swept gives its slot back soon;
            # woken earlier when a host gives back a slot that frees sooner than that.
            wake = self._releases[0] if self._releases else self._now() + 0.05
            sooner = self._sooner
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.001, wake - self._now())):
                    await sooner.wait()
        self._active += 1
        return self._now()

    def release_silent(self, first_packet: float) -> None:
        """The host never answered: its entry fails ``resolve_time`` after ``first_packet``."""
        self._hold(first_packet + self.resolve_time + MARGIN)

    def answered(self) -> Lease:
        """The host answered: its slot is held until :meth:`Lease.done` and ``LIVE_HOLD``."""
        return Lease(self, self._now() + self.live_hold)

    def _hold(self, until: float) -> None:
        self._active -= 1
        if until > self._now():
            index = bisect.bisect_left(self._releases, until)
            self._releases.insert(index, until)
            if index == 0:
                self._sooner.set()
                self._sooner = asyncio.Event()


class Lease:
    """A live host's slot, given back when its identification is done."""

    __slots__ = ("_budget", "_done", "_until")

    def __init__(self, budget: ArpBudget, until: float) -> None:
        self._budget = budget
        self._until = until
        self._done = False

    def done(self) -> None:
        if not self._done:
            self._done = True
            self._budget._hold(self._until)


class ArpAnswers:
    """Which addresses answered ARP, from the kernel's table (``/proc/net/arp``).

    The table has room for ``gc_thresh3`` entries; on a /22 with a table of 1,000 the
    last ~25 addresses cannot start until the first silent ones fail (3 s), and with the
    full verdict they would end the scan a second later. Their own ARP request settles
    what the full verdict waits for: an entry still INCOMPLETE ``ANSWER_WAIT`` after the
    first packet means nobody answered, so the sweep gives up on the address then. An
    address that answered (REACHABLE, STALE...) keeps the full verdict with its retry,
    and so does one the table does not show (routed, or ``/proc`` unreadable).

    One read serves every address whose wait ended by then: a read costs about a
    millisecond for a thousand entries.
    """

    __slots__ = ("_answered", "_read_at", "reads")

    def __init__(self) -> None:
        self._answered: dict[str, bool] = {}
        self._read_at = -1.0
        self.reads = 0

    def answered(self, host: str, since: float, now: float) -> bool | None:
        """Whether ``host`` answered ARP, as read at ``since`` or later (``now`` is the loop time).

        ``None`` when the table has no entry for it or cannot be read.
        """
        if self._read_at < since:
            self._answered = _arp_entries()
            self._read_at = now
            self.reads += 1
        return self._answered.get(host)


def _arp_entries() -> dict[str, bool]:
    """Address -> whether its entry is complete, for this network namespace's ARP table."""
    found: dict[str, bool] = {}
    with contextlib.suppress(OSError, UnicodeDecodeError):
        for line in (_PROC / "net/arp").read_text().splitlines()[1:]:
            fields = line.split()
            with contextlib.suppress(IndexError, ValueError):
                answered = bool(int(fields[2], 16) & _ATF_COM)
                found[fields[0]] = found.get(fields[0], False) or answered
    return found
