"""What changed between two polls of one miner, as events a person cares about.

The rules, each firing once per occurrence:

- ``went_offline`` / ``came_back``: a poll failed after one that worked, and the reverse.
- ``stopped_mining``: it was hashing and now is not, though the firmware does not say it
  was paused on purpose (a miner paused by a switch, an automation or its own sleep mode
  is not a fault). ``resumed_mining`` follows such a stop when it hashes again.
- ``board_lost``: the miner hashes but a board that hashed before does not, or is gone.
- ``pool_lost``: a pool that was alive is dead now (one event per pool).
- ``new_error``: an error code or message the previous reading did not have.
- ``rebooted``: the uptime went down.

While a miner has just booted (uptime under ``BOOT_GRACE``) and is not hashing yet, its
hashing and boards count as unknown: hashboards take minutes to start, which is no stop.
Unknown readings never fire anything and never overwrite what was known before, so a
miner that goes away and comes back is compared with how it was before it went.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from .driver import MinerSnapshot

EVENT_WENT_OFFLINE: Final = "went_offline"
EVENT_CAME_BACK: Final = "came_back"
EVENT_STOPPED_MINING: Final = "stopped_mining"
EVENT_RESUMED_MINING: Final = "resumed_mining"
EVENT_BOARD_LOST: Final = "board_lost"
EVENT_POOL_LOST: Final = "pool_lost"
EVENT_NEW_ERROR: Final = "new_error"
EVENT_REBOOTED: Final = "rebooted"

EVENT_TYPES: Final = (
    EVENT_WENT_OFFLINE,
    EVENT_CAME_BACK,
    EVENT_STOPPED_MINING,
    EVENT_RESUMED_MINING,
    EVENT_BOARD_LOST,
    EVENT_POOL_LOST,
    EVENT_NEW_ERROR,
    EVENT_REBOOTED,
)

# Hashboards take a few minutes to start after a boot; no stop or lost board before.
BOOT_GRACE_SECONDS: Final = 600
# Uptimes computed from a boot time wobble by a second or two between polls.
UPTIME_TOLERANCE_SECONDS: Final = 5


@dataclass(frozen=True, slots=True)
class MinerEvent:
    """One occurrence: its type and what it concerns (board number, pool, error)."""

    type: str
    data: dict[str, Any] = field(default_factory=dict)


def pool_server(url: str) -> str:
    """``host:port`` of a pool URL, never its login (a user name can be a wallet)."""
    _scheme, sep, rest = url.strip().partition("://")
    return (rest if sep else url).rsplit("@", 1)[-1].split("/", 1)[0] or url


def _booting(snapshot: MinerSnapshot) -> bool:
    return snapshot.uptime is not None and snapshot.uptime < BOOT_GRACE_SECONDS


def _hashing(snapshot: MinerSnapshot) -> bool | None:
    """True / False when the reading says; None while unknown or still booting."""
    if snapshot.hashrate is None:
        return None
    hashing = snapshot.hashrate > 0
    if not hashing and _booting(snapshot) and snapshot.mining is not False:
        return None
    return hashing


def _error_keys(snapshot: MinerSnapshot) -> dict[str, dict[str, Any]] | None:
    if snapshot.errors is None:
        return None
    return {(e.code or e.message): {"code": e.code, "message": e.message} for e in snapshot.errors}


class MinerEventTracker:
    """Remembers the last known state of one miner and reports what each poll changed."""

    def __init__(self) -> None:
        self.online: bool | None = None
        self.hashing: bool | None = None
        self.stopped_unexpectedly = False
        self.boards: frozenset[int] | None = None  # boards seen hashing
        self.pools: dict[str, bool] | None = None  # server -> alive
        self.errors: dict[str, dict[str, Any]] | None = None
        self.uptime: int | None = None

    def update(self, success: bool, snapshot: MinerSnapshot | None) -> list[MinerEvent]:
        """The events one poll outcome makes: a failure, or a snapshot that worked."""
        if not success or snapshot is None:
            was_online, self.online = self.online, False
            return [MinerEvent(EVENT_WENT_OFFLINE)] if was_online else []
        events: list[MinerEvent] = []
        if self.online is False:
            events.append(MinerEvent(EVENT_CAME_BACK))
        self.online = True
        events += self._rebooted(snapshot)
        events += self._mining(snapshot)
        events += self._boards(snapshot)
        events += self._pools(snapshot)
        events += self._errors(snapshot)
        return events

    def _rebooted(self, snapshot: MinerSnapshot) -> list[MinerEvent]:
        if snapshot.uptime is None:
            return []
        before, self.uptime = self.uptime, snapshot.uptime
        if before is not None and snapshot.uptime + UPTIME_TOLERANCE_SECONDS < before:
            return [MinerEvent(EVENT_REBOOTED, {"uptime": snapshot.uptime})]
        return []

    def _mining(self, snapshot: MinerSnapshot) -> list[MinerEvent]:
        hashing = _hashing(snapshot)
        if hashing is None:
            return []
        before, self.hashing = self.hashing, hashing
        if before and not hashing:
            if snapshot.mining is False:  # paused on purpose
                self.stopped_unexpectedly = False
                return []
            self.stopped_unexpectedly = True
            return [MinerEvent(EVENT_STOPPED_MINING)]
        if hashing and self.stopped_unexpectedly:
            self.stopped_unexpectedly = False
            return [MinerEvent(EVENT_RESUMED_MINING)]
        return []

    def _boards(self, snapshot: MinerSnapshot) -> list[MinerEvent]:
        # Only a miner that hashes can be missing a board: a stopped one is one event.
        if not snapshot.boards or _hashing(snapshot) is not True:
            return []
        hashing = frozenset(b.index for b in snapshot.boards if b.active)
        if not hashing:
            return []
        before, self.boards = self.boards, hashing
        if before is None:
            return []
        return [
            MinerEvent(EVENT_BOARD_LOST, {"board": index + 1}) for index in sorted(before - hashing)
        ]

    def _pools(self, snapshot: MinerSnapshot) -> list[MinerEvent]:
        if not snapshot.pools or snapshot.mining is False:
            return []
        alive = {
            pool_server(p.url): p.alive for p in snapshot.pools if p.alive is not None and p.url
        }
        before = self.pools or {}
        self.pools = {**before, **alive}
        return [
            MinerEvent(EVENT_POOL_LOST, {"pool": server})
            for server, is_alive in alive.items()
            if not is_alive and before.get(server) is True
        ]

    def _errors(self, snapshot: MinerSnapshot) -> list[MinerEvent]:
        errors = _error_keys(snapshot)
        if errors is None:
            return []
        before, self.errors = self.errors, errors
        if before is None:
            return []
        return [
            MinerEvent(EVENT_NEW_ERROR, data) for key, data in errors.items() if key not in before
        ]
