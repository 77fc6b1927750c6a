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
import os
import socket
import struct
from collections.abc import Iterator
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
# A netlink dump is read on the event loop; the kernel fills each chunk inside the
# recv itself, so a dump that is not there at once never comes (a sandboxed kernel):
# give up quickly and treat the table as unreadable.
NETLINK_WAIT: Final = 0.05

# rtnetlink: RTM_GETNEIGHTBL dump, attributes of the reply (linux/neighbour.h).
_RTM_GETNEIGHTBL: Final = 66
_RTM_NEWNEIGHTBL: Final = 64
_NLMSG_DONE: Final = 3
_NLMSG_ERROR: Final = 2
_NLM_F_REQUEST_DUMP: Final = 0x1 | 0x300
_RTM_GETNEIGH: Final = 30
_RTM_NEWNEIGH: Final = 28
_NDA_DST: Final = 1
_NDA_CACHEINFO: Final = 3
_NUD_VALID: Final = 0xDE  # REACHABLE, STALE, DELAY, PROBE, NOARP, PERMANENT: answered
# INCOMPLETE: still asking. Not FAILED: once the kernel gives up, the connect fails at
# once (EHOSTUNREACH), and an old FAILED entry on another interface is not our request.
_NUD_INCOMPLETE: Final = 0x01
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
    # ndtmsg: family, 3 pad bytes
    sock = _netlink_dump(_RTM_GETNEIGHTBL, struct.pack("=B3x", socket.AF_INET))
    if sock is None:
        return None
    with sock, contextlib.suppress(OSError):
        return _read_dump(sock)
    return None


def _netlink_dump(kind: int, body: bytes) -> socket.socket | None:
    """A netlink socket that has sent the dump request ``kind``; ``None`` where refused."""
    netlink = getattr(socket, "AF_NETLINK", None)
    if netlink is None:  # pragma: no cover - not Linux
        return None
    try:
        sock = socket.socket(netlink, socket.SOCK_RAW, 0)
    except OSError:
        return None
    try:
        sock.settimeout(NETLINK_WAIT)
        # nlmsghdr (len, type, flags, seq, pid), then the request's body
        sock.send(struct.pack("=IHHII", 16 + len(body), kind, _NLM_F_REQUEST_DUMP, 1, 0) + body)
    except OSError:
        sock.close()
        return None
    return sock


def _messages(sock: socket.socket) -> Iterator[tuple[int, bytes]]:
    """(type, body) of each message of a netlink dump, up to its end."""
    for _ in range(4096):  # a dump is a bounded number of chunks; never loop for ever
        data = sock.recv(65536)
        offset = 0
        while offset + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            if length < 16 or kind in (_NLMSG_DONE, _NLMSG_ERROR):
                return
            yield kind, data[offset + 16 : offset + length]
            offset += (length + 3) & ~3


def _read_dump(sock: socket.socket) -> tuple[int, int] | None:
    found: tuple[int, int] | None = None
    for kind, body in _messages(sock):
        if kind == _RTM_NEWNEIGHTBL:
            found = _table_attributes(body[4:]) or found  # after the ndtmsg
    return found


def _attributes(payload: bytes) -> dict[int, bytes]:
    """Type -> value of the rtnetlink attributes in ``payload`` (malformed ones end it)."""
    found: dict[int, bytes] = {}
    offset = 0
    while offset + 4 <= len(payload):
        length, kind = struct.unpack_from("=HH", payload, offset)
        if length < 4:
            break
        found[kind] = payload[offset + 4 : offset + length]
        offset += (length + 3) & ~3
    return found


def _table_attributes(payload: bytes) -> tuple[int, int] | None:
    attrs = _attributes(payload)
    name = attrs.get(_NDTA_NAME, b"").rstrip(b"\x00")
    thresh3, config = attrs.get(_NDTA_THRESH3, b""), attrs.get(_NDTA_CONFIG, b"")
    if name != b"arp_cache" or len(thresh3) < 4 or len(config) < 8:
        return None
    # ndtc_entries is the second field of the table's configuration
    return int(struct.unpack_from("=I", thresh3)[0]), int(struct.unpack_from("=I", config, 4)[0])


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
    """Whether addresses answered ARP, from the kernel's own table (a netlink dump).

    The table has room for ``gc_thresh3`` entries; on a /22 with a table of 1,000 the
    last ~25 addresses cannot start until the first silent ones fail (3 s), and with the
    full verdict they would end the scan a second later. Their own ARP request settles
    what the full verdict waits for: an entry the kernel has kept INCOMPLETE for
    ``ANSWER_WAIT`` (its age, by the kernel's clock: a first packet the full table
    dropped does not count) means nobody answered, so the sweep gives up on the address
    then. An address that answered (REACHABLE, STALE...) keeps the full verdict with its
    retry, and so does one the table does not show (routed, or netlink refused).

    One dump serves every address whose wait ended by then: 1-2 ms for a thousand
    entries.
    """

    __slots__ = ("_entries", "_read_at", "reads")

    def __init__(self) -> None:
        self._entries: dict[str, float | None] = {}
        self._read_at = -1.0
        self.reads = 0

    def waited(self, host: str, since: float, now: float) -> float | None:
        """How long the kernel has asked ``host`` in vain, as read at ``since`` or later.

        ``now`` is the loop time. ``None`` when the host answered, or the table has no
        entry for it, or cannot be read.
        """
        if self._read_at < since:
            self._entries = _neighbour_entries()
            self._read_at = now
            self.reads += 1
        return self._entries.get(host)


def _neighbour_entries() -> dict[str, float | None]:
    """Address -> seconds its ARP has gone unanswered (``None``: answered), this namespace's."""
    sock = _netlink_dump(_RTM_GETNEIGH, struct.pack("=BBHiHBB", socket.AF_INET, 0, 0, 0, 0, 0, 0))
    if sock is None:
        return {}
    with sock, contextlib.suppress(OSError):
        return _read_neighbours(sock, _clock_ticks())
    return {}


def _read_neighbours(sock: socket.socket, ticks: int) -> dict[str, float | None]:
    found: dict[str, float | None] = {}
    for kind, body in _messages(sock):
        if kind != _RTM_NEWNEIGH or len(body) < 12:
            continue
        family, state = body[0], struct.unpack_from("=H", body, 8)[0]
        attrs = _attributes(body[12:])  # after the ndmsg
        dst, info = attrs.get(_NDA_DST, b""), attrs.get(_NDA_CACHEINFO, b"")
        if family != socket.AF_INET or len(dst) != 4:
            continue
        host = socket.inet_ntoa(dst)
        if state & _NUD_VALID:
            found[host] = None  # answered (on one interface is enough)
        elif state & _NUD_INCOMPLETE and len(info) >= 12:
            age = struct.unpack_from("=I", info, 8)[0] / ticks  # ndm_updated: since it asked
            if host not in found:
                found[host] = age
            elif (other := found[host]) is not None:
                found[host] = min(age, other)  # the youngest request decides
    return found


def _clock_ticks() -> int:
    """The unit of the neighbour table's ages (``USER_HZ``, 100 on Linux)."""
    with contextlib.suppress(AttributeError, ValueError, OSError):
        return max(1, os.sysconf("SC_CLK_TCK"))
    return 100  # pragma: no cover - sysconf without it
