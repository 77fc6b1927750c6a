"""The event rules on hand-made snapshots: boot grace, unknown readings, pauses."""

from __future__ import annotations

from dataclasses import replace

from custom_components.asic_miner.driver.models import (
    Board,
    MinerErrorEntry,
    MinerIdentity,
    MinerSnapshot,
    Pool,
)
from custom_components.asic_miner.miner_events import MinerEventTracker, pool_server

IDENTITY = MinerIdentity(
    make="Bitmain", model="S19", family="braiins", firmware="Braiins OS", backend="v25_07"
)
BOARDS = (Board(index=0, active=True), Board(index=1, active=True))
HASHING = MinerSnapshot(
    identity=IDENTITY,
    hashrate=95.0,
    mining=True,
    uptime=3600,
    boards=BOARDS,
    pools=(Pool(index=0, url="stratum+tcp://wallet.worker:x@pool.example:3333", alive=True),),
    errors=(),
)


def _types(
    tracker: MinerEventTracker, snapshot: MinerSnapshot | None, ok: bool = True
) -> list[str]:
    return [e.type for e in tracker.update(ok, snapshot)]


def test_start_is_no_event() -> None:
    tracker = MinerEventTracker()
    assert _types(tracker, HASHING) == []
    assert _types(MinerEventTracker(), None, ok=False) == []


def test_offline_at_start_then_back() -> None:
    tracker = MinerEventTracker()
    assert _types(tracker, None, ok=False) == []
    assert _types(tracker, HASHING) == ["came_back"]
    assert _types(tracker, None, ok=False) == ["went_offline"]
    assert _types(tracker, None, ok=False) == []


def test_booting_miner_is_not_stopped() -> None:
    tracker = MinerEventTracker()
    _types(tracker, HASHING)
    booting = replace(HASHING, hashrate=0.0, uptime=60, boards=())
    assert _types(tracker, booting) == ["rebooted"]
    assert _types(tracker, replace(booting, uptime=120)) == []
    # Still not hashing after the grace: that is a stop.
    assert _types(tracker, replace(booting, uptime=700)) == ["stopped_mining"]
    assert _types(tracker, replace(HASHING, uptime=760)) == ["resumed_mining"]


def test_unknown_readings_fire_nothing_and_keep_what_was_known() -> None:
    tracker = MinerEventTracker()
    _types(tracker, HASHING)
    unknown = replace(HASHING, hashrate=None, uptime=None, errors=None, pools=(), boards=())
    assert _types(tracker, unknown) == []
    assert _types(tracker, replace(HASHING, hashrate=0.0)) == ["stopped_mining"]


def test_pause_during_a_stop_clears_it() -> None:
    tracker = MinerEventTracker()
    _types(tracker, HASHING)
    assert _types(tracker, replace(HASHING, hashrate=0.0)) == ["stopped_mining"]
    assert _types(tracker, replace(HASHING, hashrate=0.0, mining=False)) == []
    assert _types(tracker, HASHING) == ["resumed_mining"]
    paused = MinerEventTracker()
    _types(paused, HASHING)
    assert _types(paused, replace(HASHING, hashrate=0.0, mining=False)) == []
    assert _types(paused, HASHING) == []


def test_board_missing_from_the_list_is_lost() -> None:
    tracker = MinerEventTracker()
    _types(tracker, HASHING)
    events = tracker.update(True, replace(HASHING, boards=BOARDS[:1]))
    assert [(e.type, e.data) for e in events] == [("board_lost", {"board": 2})]
    no_board_hashing = replace(HASHING, boards=(Board(index=0, active=False),))
    assert _types(tracker, no_board_hashing) == []


def test_pool_lost_once_and_without_the_login() -> None:
    tracker = MinerEventTracker()
    _types(tracker, HASHING)
    dead = replace(HASHING, pools=(replace(HASHING.pools[0], alive=False),))
    events = tracker.update(True, dead)
    assert [(e.type, e.data) for e in events] == [("pool_lost", {"pool": "pool.example:3333"})]
    assert _types(tracker, dead) == []
    assert _types(tracker, replace(dead, mining=False, hashrate=0.0)) == []
    assert pool_server("pool.example:3333") == "pool.example:3333"
    assert pool_server("stratum+tcp://") == "stratum+tcp://"


def test_new_error_by_code_or_message() -> None:
    tracker = MinerEventTracker()
    _types(tracker, HASHING)
    errors = (MinerErrorEntry("Fan lost", code="R:1"), MinerErrorEntry("Temperature high"))
    events = tracker.update(True, replace(HASHING, errors=errors))
    assert [e.data for e in events] == [
        {"code": "R:1", "message": "Fan lost"},
        {"code": None, "message": "Temperature high"},
    ]
    assert _types(tracker, replace(HASHING, errors=errors)) == []
