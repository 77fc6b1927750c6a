"""MaraFW ("kaonsu") replies read: the web sources, their extractors, model names.

Shapes as asic-rs's BlockOps captures of two KS5 Pro on ``MaraFW rel 3.14_584`` show
(one mining with a board missing, one asleep): ``brief`` carries the miner's figures
in the unit ``hashrate_unit`` names (GH/s there), ``hashboards`` one object per slot
(``present`` false and zero placeholders for an empty slot), ``fans`` the fans with
``current_speed``, ``overview`` the model and firmware. ``miner_config`` (the work-mode
selector and the power target) and ``locate_miner`` follow pyasic's MaraFW backend.
Pools come from the bmminer RPC, as on stock Antminers.
"""

from __future__ import annotations

from typing import Any

from ...contract import Replies, Web
from ...models import Board, Fan, MinerErrorEntry
from ...values import clean_str, max_temp, rate_to_ths, to_bool, to_float, to_int

API = "/kaonsu/v1/"
WEB_BRIEF = Web(API + "brief")
WEB_OVERVIEW = Web(API + "overview")
WEB_HASHBOARDS = Web(API + "hashboards")
WEB_FANS = Web(API + "fans")
WEB_CONFIG = Web(API + "miner_config")
WEB_LOCATE = Web(API + "locate_miner")
NETWORK_CONFIG = API + "network_config"
MAINTENANCE = API + "maintenance"

SLEEP = "Sleep"
POWER_TARGET = "PowerTarget"
HEALTHY = "Fully functional"  # brief ``indicator`` of a miner without a fault


def model_name(overview: dict[str, Any]) -> str | None:
    """``Antminer KS5 Pro`` -> ``KS5 Pro``; ``model`` may be blank, then ``model_extended``
    without its capacity suffix (``Antminer KS5 Pro (21.0TH)``)."""
    text = clean_str(overview.get("model")) or clean_str(overview.get("model_extended"))
    if text is None:
        return None
    text = text.split("(", 1)[0].strip()
    return text.removeprefix("Antminer ").strip() or None


def _brief(replies: Replies) -> dict[str, Any]:
    brief = replies[WEB_BRIEF]
    if not isinstance(brief, dict):
        raise TypeError("brief is not an object")
    return brief


def _rate(brief: dict[str, Any], key: str) -> float | None:
    return rate_to_ths(brief[key], brief["hashrate_unit"])


def hashrate(replies: Replies) -> float | None:
    return _rate(_brief(replies), "hashrate_realtime")


def expected_hashrate(replies: Replies) -> float | None:
    return _rate(_brief(replies), "hashrate_ideal")


def power(replies: Replies) -> float | None:
    """``power_consumption_estimated``: the firmware's own estimate (PSU or model)."""
    return to_float(_brief(replies)["power_consumption_estimated"])


def uptime(replies: Replies) -> int | None:
    return to_int(_brief(replies)["elapsed"])


def _mining(brief: dict[str, Any]) -> bool | None:
    status = clean_str(brief.get("status"))
    return {"Mining": True, SLEEP: False}.get(status or "")


def mining(replies: Replies) -> bool | None:
    """``Mining`` or ``Sleep``; any other status (starting, tuning) is not known here."""
    return _mining(_brief(replies))


def errors(replies: Replies) -> list[MinerErrorEntry]:
    """The brief's ``indicator``: ``Fully functional``, else the fault it names."""
    brief = _brief(replies)
    indicator = clean_str(brief["indicator"])
    if indicator is None or indicator == HEALTHY:
        return []
    return [MinerErrorEntry(message=clean_str(brief.get("indicator_long")) or indicator)]


def boards(replies: Replies) -> list[Board]:
    """Every slot the firmware lists; an empty one (``present`` false) as inactive."""
    brief = _brief(replies)
    hashing = _mining(brief)  # a brief without a status leaves the boards' state unknown
    found: list[Board] = []
    for position, item in enumerate(replies[WEB_HASHBOARDS]["hashboards"]):
        if not isinstance(item, dict):
            continue
        unit = item.get("hashrate_average_unit") or brief["hashrate_unit"]
        rate = rate_to_ths(item.get("hashrate_average"), unit)
        present = to_bool(item.get("present"))
        active = None if hashing is not True else bool(rate)
        index = to_int(item.get("index"))
        found.append(
            Board(
                index=position if index is None else index,
                hashrate=rate,
                expected_hashrate=rate_to_ths(item.get("hashrate_ideal"), unit),
                board_temperature=max_temp(item.get("temperature_pcb")),
                chip_temperature=max_temp(item.get("temperature_chip")),
                chips=to_int(item.get("asic_num")),
                expected_chips=to_int(item.get("asic_num_ideal")),
                frequency=to_float(item.get("frequency_average")) or None,
                serial=clean_str(item.get("serial_number")),
                active=False if present is False else active,
            )
        )
    return found


def fan_list(replies: Replies) -> list[Fan]:
    found: list[Fan] = []
    for position, item in enumerate(replies[WEB_FANS]["fans"]):
        if isinstance(item, dict):
            index = to_int(item.get("index"))
            rpm = to_int(item.get("current_speed"))
            found.append(Fan(index=position if index is None else index, rpm=rpm))
    return found


def _mode(replies: Replies) -> dict[str, Any]:
    mode = replies[WEB_CONFIG]["mode"]
    if not isinstance(mode, dict):
        raise TypeError("miner_config mode is not an object")
    return mode


def power_target(mode: dict[str, Any]) -> int | None:
    """The ``concorde`` power target, where the tuner is set to one."""
    concorde = mode.get("concorde")
    if not isinstance(concorde, dict) or concorde.get("mode-select") != POWER_TARGET:
        return None
    return to_int(concorde.get("power-target"))


def power_limit(replies: Replies) -> int | None:
    """The power target of work mode ``Auto``, also while asleep (resume returns to it);
    none in Stock or Fixed, where the tuner's target applies to nothing."""
    mode = _mode(replies)
    if mode.get("work-mode-selector") not in ("Auto", SLEEP):
        return None
    return power_target(mode)


def fault_light(replies: Replies) -> bool | None:
    return to_bool(replies[WEB_LOCATE]["blinking"])
