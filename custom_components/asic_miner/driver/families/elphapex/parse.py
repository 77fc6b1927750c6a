"""Elphapex replies read: the CGI sources, their extractors, model names.

The firmware is an Antminer web UI adapted to Scrypt (pyasic's DG1+ 1.0.2 replies and
asic-rs's DG-Home1 1.0.5 captures): ``summary.cgi``, ``stats.cgi`` and ``pools.cgi``
carry cgminer-like sections under an object-form ``STATUS``, hashrates in the unit
``rate_unit`` names (MH/s), chip temperatures in thousandths of a degree, pools with
lower-case keys. Chains are listed per slot, an empty slot with 0 chips and no rate.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...contract import Replies, Web
from ...models import Board, Fan, MinerErrorEntry, Pool
from ...values import clean_str, max_temp, rate_to_ths, temps_from, to_bool, to_float, to_int
from .._cgminer import PoolKeys, first, pool_of, section
from ..antminer import parse as stock

# The Antminer CGI's own pages; the others are Elphapex's.
WEB_SUMMARY, WEB_CONF, WEB_BLINK = stock.WEB_SUMMARY, stock.WEB_CONF, stock.WEB_BLINK
WEB_STATS = Web("/cgi-bin/stats.cgi")
WEB_POOLS = Web("/cgi-bin/pools.cgi")
WEB_POWER = Web("/cgi-bin/get_power.cgi")

# fc-work-mode values (asic-rs reads 0 normal, 2 high, 3 low; 1 is not used).
MODE_NAMES = {0: "normal", 2: "high", 3: "low"}
MODE_VALUES = {name: value for value, name in MODE_NAMES.items()}
WORK_MODES = ("normal", "low", "high")

_POOL_KEYS = PoolKeys(
    "url", "user", "status", "active", "accepted", "rejected", "priority", "stale"
)
_MODELS = {"DG1": "DG1", "DG1+": "DG1+", "DG1PLUS": "DG1+", "DG-HOME1": "DG Home 1"}


def model_name(raw: Any) -> str | None:
    """``DG-Home1`` -> ``DG Home 1``; ``DG1+`` as it is; an unknown name as sent."""
    text = clean_str(raw)
    if text is None:
        return None
    return _MODELS.get(text.upper().replace(" ", ""), text)


def _summary(replies: Replies) -> dict[str, Any]:
    return first(replies[WEB_SUMMARY], "SUMMARY")


def hashrate(replies: Replies) -> float | None:
    item = _summary(replies)
    return rate_to_ths(item["rate_5s"], item["rate_unit"])


def expected_hashrate(replies: Replies) -> float | None:
    item = _summary(replies)
    return rate_to_ths(item["rate_ideal"], item["rate_unit"])


def uptime(replies: Replies) -> int | None:
    return to_int(_summary(replies)["elapsed"])


def power(replies: Replies) -> float | None:
    return to_float(replies[WEB_POWER]["power_output"])


def errors(replies: Replies) -> list[MinerErrorEntry]:
    """The ``status`` checks of the summary that are not "s" (or blank: not checked)."""
    return [
        MinerErrorEntry(
            message=str(item.get("msg") or item.get("type")), code=clean_str(item.get("code"))
        )
        for item in _summary(replies)["status"]
        if isinstance(item, dict) and item.get("status") not in ("s", "", None)
    ]


def _stats(replies: Replies) -> dict[str, Any]:
    return first(replies[WEB_STATS], "STATS")


def _chip_temperature(value: Any) -> float | None:
    """Chip temperatures in thousandths of a degree (``"25687"``); blanks unknown."""
    return max_temp([t / 1000 for t in temps_from(value)])


def boards(replies: Replies) -> list[Board]:
    stats = _stats(replies)
    unit = stats["rate_unit"]
    found: list[Board] = []
    for chain in stats["chain"]:
        if not isinstance(chain, dict):
            continue
        chips = to_int(chain.get("asic_num"))
        ideal = rate_to_ths(chain.get("rate_ideal"), unit)
        if not chips and not ideal:
            continue  # an empty slot
        rate = rate_to_ths(chain.get("rate_real"), unit)
        found.append(
            Board(
                index=len(found),
                hashrate=rate,
                expected_hashrate=ideal,
                board_temperature=max_temp(chain.get("temp_pcb")),
                chip_temperature=_chip_temperature(chain.get("temp_chip")),
                chips=chips,
                serial=clean_str(chain.get("sn")),
                active=bool(rate) if rate is not None else None,
            )
        )
    return found


def fan_list(replies: Replies) -> list[Fan]:
    fans = _stats(replies)["fan"]
    return [Fan(index=i, rpm=to_int(rpm)) for i, rpm in enumerate(fans)]


def pool_list(replies: Replies) -> list[Pool]:
    """Pools in priority order; the first alive one is the one cgminer mines on.

    The reply has no "active" flag: cgminer's failover mines on the alive pool of the
    best priority, which is what ``active`` says here.
    """
    found: list[Pool] = []
    for position, item in enumerate(section(replies[WEB_POOLS], "POOLS")):
        pool = pool_of(item, to_int(item.get("index")) or position, _POOL_KEYS)
        if pool is not None:
            found.append(pool)
    found.sort(key=lambda p: p.index)
    alive = [p.index for p in found if p.alive]
    return [replace(p, active=bool(alive) and p.index == alive[0]) for p in found]


def work_mode(replies: Replies) -> str | None:
    mode = to_int(replies[WEB_CONF]["fc-work-mode"])
    return None if mode is None else MODE_NAMES.get(mode)


def fault_light(replies: Replies) -> bool | None:
    return to_bool(replies[WEB_BLINK]["blink"])
