"""Stock Antminer replies read: the RPC and CGI sources, their extractors, model names.

``stats`` carries the chains after a version object (``chain_acn``/``chain_rate``/
``fan`` numbered from 1, 6 or 11, an empty fourth slot listed on three-board models);
the CGI gives the work mode (``bitmain-work-mode``, older ``miner-mode``: 0 normal,
1 sleep, 2 high, 3 low), the blink state and the firmware's own fault list.
"""

from __future__ import annotations

import re
from typing import Any

from ...contract import Replies, Web
from ...models import Board, Fan, MinerErrorEntry, Pool
from ...values import clean_str, ghs_to_ths, rate_to_ths, to_bool, to_int
from .._cgminer import POOLS, STATS, SUMMARY, chain_sensors, chains, first, pools, slots, stats_item

WEB_CONF = Web("/cgi-bin/get_miner_conf.cgi")
WEB_BLINK = Web("/cgi-bin/get_blink_status.cgi")
WEB_SUMMARY = Web("/cgi-bin/summary.cgi")
LEGACY_BLINK = Web("blink:onPageLoaded")  # old web reports the light through an action

# bitmain-work-mode / miner-mode values
MODE_NAMES = {0: "normal", 1: "sleep", 2: "high", 3: "low"}
MODE_VALUES = {name: value for value, name in MODE_NAMES.items()}
WORK_MODES = ("normal", "low", "high")

# The STATS object that carries the chain data (the one after the version object).
_CHAIN_KEYS = ("chain_rate", "chain_acn", "fan")


def model_name(raw: str | None) -> str | None:
    """``Antminer S19 Pro (…)`` -> ``S19 Pro``."""
    if not raw:
        return None
    name = raw.split(" (")[0].strip()
    name = re.sub(r"^antminer\s+", "", name, flags=re.IGNORECASE)
    return name or None


def hashrate(replies: Replies) -> float | None:
    return ghs_to_ths(first(replies[SUMMARY], "SUMMARY")["GHS 5s"])


def expected_hashrate(replies: Replies) -> float | None:
    stats = stats_item(replies[STATS], _CHAIN_KEYS)
    return rate_to_ths(stats["total_rateideal"], stats.get("rate_unit"))


def boards(replies: Replies) -> list[Board]:
    """The chains by slot position; an empty slot (no chips, no rate) is left out, as
    bmminer lists four even on three-board models."""
    stats = stats_item(replies[STATS], _CHAIN_KEYS)
    return [
        Board(
            index=position,
            hashrate=rate,
            chips=chips,
            active=bool(rate),
            **chain_sensors(stats, slot),
        )
        for position, (slot, chips, rate) in enumerate(chains(stats, ghs_to_ths))
        if chips or rate is not None
    ]


def fan_list(replies: Replies) -> list[Fan]:
    stats = stats_item(replies[STATS], _CHAIN_KEYS)
    spinning = [s for s in slots(stats, "fan") if to_int(stats.get(f"fan{s}"))]
    if not spinning:
        return []
    lowest = spinning[0]  # fan1-4 on most models, fan5-8 on some
    return [Fan(index=s - lowest, rpm=to_int(stats[f"fan{s}"])) for s in spinning]


def uptime(replies: Replies) -> int | None:
    return to_int(stats_item(replies[STATS], _CHAIN_KEYS)["Elapsed"])


def pool_list(replies: Replies) -> list[Pool]:
    return pools(replies[POOLS])


def work_mode_value(conf: dict[str, Any]) -> int | None:
    return to_int(conf.get("bitmain-work-mode", conf.get("miner-mode")))


def mining(replies: Replies) -> bool | None:
    mode = work_mode_value(replies[WEB_CONF])
    return None if mode is None else mode != 1


def work_mode(replies: Replies) -> str | None:
    mode = work_mode_value(replies[WEB_CONF])
    return None if mode is None or mode == 1 else MODE_NAMES.get(mode)


def fault_light(replies: Replies) -> bool | None:
    return to_bool(replies[WEB_BLINK]["blink"])


def legacy_fault_light(replies: Replies) -> bool | None:
    return to_bool(replies[LEGACY_BLINK]["isBlinking"])


def errors(replies: Replies) -> list[MinerErrorEntry]:
    items = first(replies[WEB_SUMMARY], "SUMMARY")["status"]
    return [
        MinerErrorEntry(
            message=str(item.get("msg") or item.get("type")), code=clean_str(item.get("code"))
        )
        for item in items
        if isinstance(item, dict) and item.get("status") not in ("s", None)
    ]
