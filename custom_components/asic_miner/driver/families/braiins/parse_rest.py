"""Braiins OS 25.07+ REST replies: the resources a poll reads and the pure functions
over them.

One GET per resource, each failing on its own, so a field whose resource failed is
left to bosminer's RPC. The uptime is ``system_uptime_s``, the system's;
``bosminer_uptime_s`` is only the mining process. Nothing here does I/O.
"""

from __future__ import annotations

from typing import Any

from ...contract import Replies, Web
from ...models import Board, Fan, MinerErrorEntry, Pool
from ...values import clean_str, ghs_to_ths, positive, to_bool, to_float, to_int
from .parse import by_number, grouped_pools, hashboard, megahertz, spinning_fans

API = "/api/v1"

DETAILS = Web(f"{API}/miner/details")
LOCATE = Web(f"{API}/actions/locate")
STATS = Web(f"{API}/miner/stats")
HASHBOARDS = Web(f"{API}/miner/hw/hashboards")
COOLING = Web(f"{API}/cooling/state")
ERRORS = Web(f"{API}/miner/errors")
TUNER = Web(f"{API}/performance/tuner-state")
POOLS = Web(f"{API}/pools/")
CONSTRAINTS = Web(f"{API}/configuration/constraints")

# miner/details "status" (bos.v1 MinerStatus): 1 not started, 2 normal, 3 paused,
# 4 suspended, 5 restricted (licence limits, still hashing).
_MINING_BY_STATUS = {1: False, 2: True, 3: False, 4: False, 5: True}


def mining(replies: Replies) -> bool | None:
    status = to_int(replies[DETAILS]["status"])
    return None if status is None else _MINING_BY_STATUS.get(status)


def fault_light(replies: Replies) -> bool | None:
    return to_bool(replies[LOCATE])


def _ghs(value: Any) -> float | None:
    """``{"gigahash_per_second": x}`` to TH/s."""
    return ghs_to_ths(value["gigahash_per_second"]) if isinstance(value, dict) else None


def _window(rates: Any) -> float | None:
    """The one-minute average, as on RPC: five-second figures jump with share luck."""
    if not isinstance(rates, dict):
        return None
    for window in ("last_1m", "last_5s"):
        if window in rates:
            return _ghs(rates[window])
    return None


def _celsius(value: Any) -> Any:
    """``{"degree_c": x}``'s ``x``, as sent."""
    return value.get("degree_c") if isinstance(value, dict) else None


def hashrate(replies: Replies) -> float | None:
    return _window(replies[STATS]["miner_stats"]["real_hashrate"])


def expected_hashrate(replies: Replies) -> float | None:
    return _ghs(replies[DETAILS]["sticker_hashrate"])


def power(replies: Replies) -> float | None:
    return to_float(replies[STATS]["power_stats"]["approximated_consumption"]["watt"])


def power_limit(replies: Replies) -> float | None:
    state = replies[TUNER]["mode_state"]
    target = state["powertargetmodestate"]["current_target"] if state else None
    return positive(to_float(target["watt"])) if isinstance(target, dict) else None


def hashrate_target(replies: Replies) -> float | None:
    """TH/s the tuner aims at; ``None`` while it aims at watts (power-target mode)."""
    state = replies[TUNER]["mode_state"]
    target = state.get("hashratetargetmodestate") if isinstance(state, dict) else None
    if not isinstance(target, dict):
        return None
    return positive(to_float(target["current_target"]["terahash_per_second"]))


def hashrate_target_range(replies: Replies) -> tuple[float, float] | None:
    """``tuner_constraints.hashrate_target`` min and max (TH/s) from the constraints."""
    bounds = replies[CONSTRAINTS]["tuner_constraints"]["hashrate_target"]
    low = to_float(bounds["min"]["terahash_per_second"])
    high = to_float(bounds["max"]["terahash_per_second"])
    return None if low is None or high is None else (low, high)


def tuning_by_hashrate(tuner_state: Any) -> bool:
    """Whether a ``performance/tuner-state`` reply shows the hashrate-target mode."""
    state = tuner_state.get("mode_state") if isinstance(tuner_state, dict) else None
    return isinstance(state, dict) and "hashratetargetmodestate" in state


def uptime(replies: Replies) -> int | None:
    return to_int(replies[DETAILS]["system_uptime_s"])


def boards(replies: Replies) -> list[Board]:
    chains = by_number(replies[HASHBOARDS]["hashboards"], "id")
    found_boards = []
    for position, item in enumerate(chains):
        stats = item.get("stats") or {}
        found_boards.append(
            hashboard(
                position,
                _window(stats.get("real_hashrate")),
                expected=_ghs(stats.get("nominal_hashrate")),
                chips=item.get("chips_count"),
                frequency=megahertz((item.get("current_frequency") or {}).get("hertz")),
                voltage=(item.get("current_voltage") or {}).get("volt"),
                board=_celsius(item.get("board_temp")),
                chip=_celsius((item.get("highest_chip_temp") or {}).get("temperature")),
                inlet=_celsius(item.get("lowest_inlet_temp")),
                outlet=_celsius(item.get("highest_outlet_temp")),
                serial=item.get("serial_number"),
                enabled=to_bool(item.get("enabled")),
            )
        )
    return found_boards


def fans(replies: Replies) -> list[Fan]:
    return spinning_fans(replies[COOLING]["fans"], "position", _percent)


def _percent(item: dict[str, Any]) -> int | None:
    ratio = to_float(item.get("target_speed_ratio"))
    return None if ratio is None else round(ratio * 100)


def errors(replies: Replies) -> list[MinerErrorEntry]:
    """The miner's error list, each distinct fault once (it repeats them as they recur)."""
    seen: dict[tuple[str, str | None], MinerErrorEntry] = {}
    for item in replies[ERRORS]["errors"]:
        if not isinstance(item, dict):
            continue
        codes = [c for c in item.get("error_codes") or [] if isinstance(c, dict)]
        code = clean_str(codes[0].get("code")) if codes else None
        message = str(item.get("message"))
        seen.setdefault((message, code), MinerErrorEntry(message=message, code=code))
    return list(seen.values())


def pools(replies: Replies) -> list[Pool]:
    groups = replies[POOLS]
    if not isinstance(groups, list):
        raise KeyError("pools reply is not a list")  # unknown, not "no pools"
    return grouped_pools(groups, _pool_state)


def _pool_state(item: dict[str, Any]) -> tuple[bool | None, Any, Any]:
    stats = item.get("stats") or {}
    return to_bool(item.get("alive")), stats.get("accepted_shares"), stats.get("rejected_shares")
