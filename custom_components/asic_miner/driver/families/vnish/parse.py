"""Pure functions over VNish replies: presets, uptime, names, and the extractors.

Everything is read from ``/api/v1``: ``info`` (model, release, hashrate unit, system
uptime, MAC), ``summary`` (hashrate, power, chains, fans, pools), ``status`` (miner
state, locate LED), the per-chip board list for chip counts (``chains`` in 1.2.x,
``boards`` in 1.3.x), and, behind the token, ``settings`` (the active preset) and
``autotune/presets``. Power is an autotune preset named by its wattage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ...contract import Field, Location, Replies, Web
from ...exceptions import MinerResponseError
from ...models import Board, Fan, MinerErrorEntry, Pool, PowerLimitRange
from ...values import clean_str, positive, rate_to_ths, to_bool, to_float, to_int
from .._cgminer import PoolKeys, pool_of
from .client import API

INFO = Web(f"{API}/info")
SUMMARY = Web(f"{API}/summary")
STATUS = Web(f"{API}/status")
CHAINS = Web(f"{API}/chains")  # per-chip data, 1.2.x
BOARDS = Web(f"{API}/boards")  # the same, renamed in 1.3.x
SETTINGS = Web(f"{API}/settings")
PRESETS = Web(f"{API}/autotune/presets")
PROTECTED = frozenset({SETTINGS.path, PRESETS.path})  # behind the token

# miner_state values; the rest of the enum (initializing, starting, auto-tuning,
# restarting) are on the way to mining.
# Stopped on purpose; "failure" is no pause (mining unknown, the failure is an error).
_NOT_MINING = frozenset({"stopped", "shutting-down"})
_MINING = frozenset({"mining", "initializing", "starting", "auto-tuning", "restarting"})
# pool status -> (alive, active)
# A pool's keys; its ``status`` word says whether it is alive and the one in use.
_POOL_KEYS = PoolKeys("url", "user", "status", "", "accepted", "rejected", stale="stale")
_POOL_STATES: dict[str, tuple[bool | None, bool | None]] = {
    "active": (True, True),
    "working": (True, False),
    "rejecting": (True, None),
    "offline": (False, False),
    "disabled": (False, False),
}

# -- pure parsing --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Preset:
    """One autotune preset as ``autotune/presets`` lists it."""

    name: str  # the id ``settings`` takes, a wattage such as "3250"
    pretty: str | None  # "3250 watt ~ 95 TH", "3425 watt ~ 11500 MH", "Disabled"
    tuned: bool
    watts: int | None


# Bounded repetition and a digit lookbehind: each start position costs O(1), so a
# long string of digits cannot make the search quadratic.
_WATTS = re.compile(r"(?<![\d.])(\d{1,6}(?:\.\d{1,3})?)\s{0,4}(?:w|watts?)\b", re.IGNORECASE)
# Longer than any real uptime, model or version text: not worth parsing.
MAX_TEXT = 128


def _preset_watts(name: str, pretty: str | None) -> int | None:
    """The preset's power: the name when it is a plain wattage, else the pretty text.

    Only the part before "~" of the pretty text is power; what follows is a hashrate
    with its own unit ("11500 MH", "95 TH LC") and never a wattage.
    """
    if name.isdigit() and len(name) <= 6:
        return int(name)
    if pretty:
        match = _WATTS.search(pretty.split("~", 1)[0][:MAX_TEXT])
        if match:
            return round(float(match.group(1)))
    return None


def parse_presets(reply: Any) -> list[Preset]:
    """The preset list (a bare array, or one under ``presets``); bad entries skipped."""
    items = reply.get("presets") if isinstance(reply, dict) else reply
    if not isinstance(items, list):
        raise MinerResponseError("autotune/presets is not a list")
    presets = []
    for item in items:
        if not isinstance(item, dict):
            continue
        name = clean_str(item.get("name"))
        if name is None:
            continue
        pretty = clean_str(item.get("pretty"))
        presets.append(
            Preset(
                name=name,
                pretty=pretty,
                tuned=str(item.get("status", "")).strip().lower() == "tuned",
                watts=_preset_watts(name, pretty),
            )
        )
    return presets


def tuned_presets(presets: list[Preset]) -> list[Preset]:
    """Presets a write can switch to, lowest power first (unknown power last)."""
    tuned = [p for p in presets if p.tuned]
    return sorted(tuned, key=lambda p: (p.watts is None, p.watts or 0, p.name))


_UPTIME_DAYS = re.compile(r"(?<!\d)(\d{1,6})\s{0,4}days?")
_UPTIME_CLOCK = re.compile(r"(?<!\d)(\d{1,6}):(\d{1,2})(?::(\d{1,2}))?")
_UPTIME_MIN = re.compile(r"(?<!\d)(\d{1,6})\s{0,4}min")
_UPTIME_SECONDS = re.compile(r"\d{1,12}(?:\.\d{1,6})?")


def parse_uptime(value: Any) -> int | None:
    """Seconds from ``info.system.uptime``: "5 min", "3:07", "10 days, 18:00", "12 days".

    A plain number is taken as seconds. Anything else is unknown, not zero.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if value >= 0 else None
    text = clean_str(value)
    if text is None or len(text) > MAX_TEXT:
        return None
    if _UPTIME_SECONDS.fullmatch(text):
        return int(float(text))
    total = 0
    found = False
    if match := _UPTIME_DAYS.search(text):
        total += int(match.group(1)) * 86400
        found = True
    if match := _UPTIME_CLOCK.search(text):
        hours, minutes, seconds = match.groups()
        total += int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0)
        found = True
    elif match := _UPTIME_MIN.search(text):
        total += int(match.group(1)) * 60
        found = True
    return total if found else None


def normalize_model(raw: Any) -> str | None:
    """``Antminer S19 (Vnish 1.2.6)`` / ``Antminer S19j Pro AML`` → ``S19`` / ``S19j Pro``."""
    text = clean_str(raw)
    if text is None or len(text) > MAX_TEXT:
        return None  # no model name is that long; the bound keeps the patterns linear
    text = re.sub(r"\s{0,8}\((?:vnish|anthill)[^)]{0,64}\)", "", text, flags=re.IGNORECASE)
    text = text.replace("(88)", " NoPIC")
    text = re.sub(r"^(?:bitmain\s+)?antminer\s+", "", text.strip(), flags=re.IGNORECASE)
    text = re.sub(r"\s{1,8}(?:\(?aml\)?)$", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def parse_version(text: Any) -> tuple[int, int] | None:
    """``1.2.6-rc4`` → ``(1, 2)``."""
    value = clean_str(text)
    match = re.match(r"v?(\d{1,6})\.(\d{1,6})", value or "", flags=re.IGNORECASE)
    return (int(match.group(1)), int(match.group(2))) if match else None


# -- extractors ----------------------------------------------------------------------


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} is not an object")
    return value


def _miner(replies: Replies) -> dict[str, Any]:
    return _dict(_dict(replies[SUMMARY], "summary")["miner"], "summary.miner")


def _unit(replies: Replies) -> str:
    """The unit of every hashrate in ``summary`` (``info.hr_measure``: GH/s or MH/s)."""
    unit = clean_str(_dict(replies[INFO], "info").get("hr_measure"))
    if unit is None:
        raise KeyError("hr_measure")
    return unit


def _hashrate(replies: Replies) -> float | None:
    return rate_to_ths(_miner(replies)["hr_realtime"], _unit(replies))


def _expected_hashrate(replies: Replies) -> float | None:
    return positive(rate_to_ths(_miner(replies)["hr_stock"], _unit(replies)))


def _power(replies: Replies) -> float | None:
    # Not power_usage: 1.2.6+ documents it as a deprecated alias of power_efficiency.
    value = to_float(_miner(replies)["power_consumption"])
    return None if value is None or value < 0 else value


def settings_preset(replies: Replies) -> str | None:
    miner = _dict(_dict(replies[SETTINGS], "settings")["miner"], "settings.miner")
    overclock = _dict(miner["overclock"], "settings.miner.overclock")
    return clean_str(overclock.get("preset"))


def _power_limit(replies: Replies) -> float | None:
    name = settings_preset(replies)
    if name is None or name.lower() == "disabled":
        return None  # stock clocks: no limit
    presets = replies.get(PRESETS)
    if presets is not None:
        for preset in parse_presets(presets):
            if preset.name == name:
                return preset.watts
    return _preset_watts(name, None)


def _work_mode(replies: Replies) -> str | None:
    return settings_preset(replies)


def _power_limit_range(replies: Replies) -> PowerLimitRange | None:
    """The only wattages VNish runs at: its tuned presets'."""
    presets = tuned_presets(parse_presets(replies[PRESETS]))
    return PowerLimitRange.from_levels(p.watts for p in presets)


def _work_modes(replies: Replies) -> list[str]:
    return [p.name for p in tuned_presets(parse_presets(replies[PRESETS]))]


def _temp_max(value: Any) -> float | None:
    if isinstance(value, dict):
        return positive(to_float(value.get("max")))
    return positive(to_float(value))


def _chip_counts(replies: Replies, source: Web) -> dict[int, int]:
    """Chips per board id from the per-chip list; empty when it did not answer."""
    reply = replies.get(source)
    if isinstance(reply, dict):
        reply = reply.get("chains", reply.get("boards"))
    counts: dict[int, int] = {}
    for item in reply if isinstance(reply, list) else []:
        if isinstance(item, dict) and isinstance(item.get("chips"), list):
            board_id = to_int(item.get("id"))
            if board_id is not None:
                counts[board_id] = len(item["chips"])
    return counts


def _chains(replies: Replies) -> list[dict[str, Any]]:
    chains = _miner(replies)["chains"]
    if not isinstance(chains, list):
        raise TypeError("summary.miner.chains is not a list")
    items = [c for c in chains if isinstance(c, dict)]
    return sorted(items, key=lambda c: to_int(c.get("id")) or 0)


def _chain_state(chain: dict[str, Any]) -> tuple[str | None, str | None]:
    status = chain.get("status")
    if not isinstance(status, dict):
        return None, None
    state = clean_str(status.get("state"))
    text = clean_str(status.get("description") or status.get("failure_message"))
    return (state.lower() if state else None), text


def _boards_from(source: Web) -> Callable[[Replies], list[Board]]:
    def extract(replies: Replies) -> list[Board]:
        unit = _unit(replies)
        chips = _chip_counts(replies, source)
        boards = []
        for position, chain in enumerate(_chains(replies)):
            state, _ = _chain_state(chain)
            board_id = to_int(chain.get("id"))
            boards.append(
                Board(
                    index=position,
                    hashrate=rate_to_ths(chain.get("hashrate_rt"), unit),
                    expected_hashrate=positive(rate_to_ths(chain.get("hashrate_ideal"), unit)),
                    board_temperature=_temp_max(chain.get("pcb_temp")),
                    chip_temperature=_temp_max(chain.get("chip_temp")),
                    inlet_temperature=positive(to_float(chain.get("inlet_water_temp"))),
                    outlet_temperature=positive(to_float(chain.get("outlet_water_temp"))),
                    chips=chips.get(board_id) if board_id is not None else None,
                    frequency=positive(to_float(chain.get("frequency"))),
                    active=None if state is None else state == "mining",
                )
            )
        return boards

    return extract


def _fans(replies: Replies) -> list[Fan]:
    cooling = _dict(_miner(replies)["cooling"], "summary.miner.cooling")
    fans = cooling["fans"]
    if not isinstance(fans, list):
        raise TypeError("cooling.fans is not a list")
    items = sorted((f for f in fans if isinstance(f, dict)), key=lambda f: to_int(f.get("id")) or 0)
    # ``fan_duty`` (%, required in every published schema) is the one PWM all fans share.
    duty = to_int(cooling.get("fan_duty"))
    return [
        Fan(index=position, rpm=to_int(fan.get("rpm")), percent=duty)
        for position, fan in enumerate(items)
    ]


def _pools(replies: Replies) -> list[Pool]:
    pools: list[Pool] = []
    items = _miner(replies)["pools"]
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        # The firmware lists its own dev-fee (and refund) pool beside the user's.
        kind = clean_str(item.get("pool_type"))
        if kind is not None and kind != "UserPool":
            continue
        pool = pool_of(item, len(pools), _POOL_KEYS)
        if pool is not None:
            alive, active = _POOL_STATES.get((pool.status or "").lower(), (None, None))
            pools.append(replace(pool, alive=alive, active=active))
    return pools


def _errors(replies: Replies) -> list[MinerErrorEntry]:
    miner = _miner(replies)
    errors: list[MinerErrorEntry] = []
    status = miner.get("miner_status")
    if isinstance(status, dict) and str(status.get("miner_state", "")).lower() == "failure":
        code = status.get("failure_code")
        errors.append(
            MinerErrorEntry(
                message=clean_str(status.get("description")) or "Miner failure",
                code=None if code is None else str(code),
            )
        )
    for position, chain in enumerate(_chains(replies)):
        state, text = _chain_state(chain)
        if state == "failure":
            errors.append(MinerErrorEntry(message=f"Board {position}: {text or 'failure'}"))
    return errors


def _uptime(replies: Replies) -> int | None:
    system = _dict(_dict(replies[INFO], "info")["system"], "info.system")
    return parse_uptime(system.get("uptime"))


def _status(replies: Replies) -> dict[str, Any]:
    return _dict(replies[STATUS], "status")


def _mining(replies: Replies) -> bool | None:
    state = str(_status(replies)["miner_state"]).lower()
    if state in _NOT_MINING:
        return False
    return True if state in _MINING else None


def _fault_light(replies: Replies) -> bool | None:
    return to_bool(_status(replies)["find_miner"])


def data_map(chips: Web) -> dict[Field, Location]:
    return {
        Field.HASHRATE: Location((INFO, SUMMARY), _hashrate),
        Field.EXPECTED_HASHRATE: Location((INFO, SUMMARY), _expected_hashrate),
        Field.POWER: Location((SUMMARY,), _power),
        Field.POWER_LIMIT: Location((SETTINGS, PRESETS), _power_limit),
        Field.BOARDS: Location((INFO, SUMMARY, chips), _boards_from(chips)),
        Field.FANS: Location((SUMMARY,), _fans),
        Field.POOLS: Location((SUMMARY,), _pools),
        Field.ERRORS: Location((SUMMARY,), _errors),
        Field.UPTIME: Location((INFO,), _uptime),
        Field.MINING: Location((STATUS,), _mining),
        Field.FAULT_LIGHT: Location((STATUS,), _fault_light),
        Field.WORK_MODE: Location((SETTINGS,), _work_mode),
        Field.WORK_MODES: Location((PRESETS,), _work_modes),
        Field.POWER_LIMIT_RANGE: Location((PRESETS,), _power_limit_range),
    }
