"""Whatsminer API v3 replies: the sources a poll reads and the pure functions over them.

Everything is already in TH/s, W and °C. ``factory-hash`` is ``-0.001`` per board
when the firmware does not know it, so any value at or below zero means "unknown".
The work mode lives in ``get.miner.setting`` (``power-mode``), not in the status.
Nothing here does I/O.
"""

from __future__ import annotations

from typing import Any

from ...contract import Call, Replies
from ...models import Board, Fan, MinerErrorEntry, Pool
from ...values import clean_str, positive, to_bool, to_float, to_int
from .._cgminer import PoolKeys, pool_of
from .parse import WORK_MODES, case_fans, error_entries, led_is_on

SUMMARY = Call("get.miner.status", "summary")
EDEVS = Call("get.miner.status", "edevs")
POOLS = Call("get.miner.status", "pools")
DEVICE = Call("get.device.info")
SETTING = Call("get.miner.setting")
# The three sections of ``get.miner.status``; its param takes several joined by "+"
# (the vendor's API documentation; clients that read real units ask for all three so).
STATUS = (SUMMARY, EDEVS, POOLS)
STATUS_ALL = "+".join(str(source.argument) for source in STATUS)
OTHERS = (DEVICE, SETTING)
READS = STATUS + OTHERS


def has_sections(msg: Any) -> bool:
    """Whether a combined ``get.miner.status`` answer holds every section asked for."""
    return isinstance(msg, dict) and all(str(s.argument) in msg for s in STATUS)


# -- extractors -------------------------------------------------------------------


def _optional(replies: Replies, source: Call) -> Any:
    """A reply that only adds detail: its failure must not cost the field."""
    return replies.get(source)


def _summary(replies: Replies) -> dict[str, Any]:
    summary = replies[SUMMARY]["summary"]
    if not isinstance(summary, dict):
        raise TypeError("summary is not an object")
    return summary


def _device(replies: Replies, section: str) -> dict[str, Any]:
    value = replies[DEVICE][section]
    if not isinstance(value, dict):
        raise TypeError(f"get.device.info {section} is not an object")
    return value


def hashrate(replies: Replies) -> float | None:
    return to_float(_summary(replies)["hash-realtime"])


def expected_hashrate(replies: Replies) -> float | None:
    return positive(to_float(_summary(replies)["factory-hash"]))


def power(replies: Replies) -> float | None:
    value = to_float(_summary(replies)["power-realtime"])
    return None if value is None or value < 0 else value


def power_limit(replies: Replies) -> float | None:
    return positive(to_float(_summary(replies)["power-limit"]))


def environment_temperature(replies: Replies) -> float | None:
    return to_float(_summary(replies)["environment-temperature"])


def uptime(replies: Replies) -> int | None:
    return to_int(_summary(replies)["elapsed"])


def fans(replies: Replies) -> list[Fan]:
    summary = _summary(replies)
    fans = case_fans(summary, ("fan-speed-in", "fan-speed-out"))
    device = _optional(replies, DEVICE)
    power = device.get("power") if isinstance(device, dict) else None
    if isinstance(power, dict) and "fanspeed" in power:
        fans.append(Fan(index=0, rpm=to_int(power["fanspeed"]), psu=True))
    return fans


def boards(replies: Replies) -> list[Board]:
    edevs = replies[EDEVS]["edevs"]
    summary = _optional(replies, SUMMARY)
    pcb_temps = summary.get("summary", {}).get("board-temperature") if summary else None
    device = _optional(replies, DEVICE)
    miner = device.get("miner") if isinstance(device, dict) else None
    boards = []
    for position, dev in enumerate(item for item in edevs if isinstance(item, dict)):
        index = to_int(dev.get("id"))
        index = position if index is None else index
        rate = to_float(dev.get("hash-realtime", dev.get("hash-average")))
        pcb = None
        if isinstance(pcb_temps, list) and index < len(pcb_temps):
            pcb = positive(to_float(pcb_temps[index]))
        status = clean_str(dev.get("status"))
        boards.append(
            Board(
                index=index,
                hashrate=rate,
                expected_hashrate=positive(to_float(dev.get("factory-hash"))),
                board_temperature=pcb,
                chip_temperature=positive(
                    to_float(dev.get("chip-temp-max", dev.get("chip-temp-avg")))
                ),
                chips=to_int(dev.get("effective-chips")),
                frequency=positive(to_float(dev.get("freq"))),
                serial=clean_str(miner.get(f"pcbsn{index}")) if isinstance(miner, dict) else None,
                active=None if status is None else status.lower() == "alive" and bool(rate),
            )
        )
    return boards


# API v3 names a pool's figures in lower case, the user an ``account``.
_POOL_KEYS = PoolKeys(
    "url", "account", "status", "stratum-active", "accepted", "rejected", "pool-priority", "stale"
)


def pools(replies: Replies) -> list[Pool]:
    items = [p for p in replies[POOLS]["pools"] if isinstance(p, dict)]
    items.sort(key=lambda p: to_int(p.get("pool-priority")) or 0)
    pools: list[Pool] = []
    for item in items:
        pool = pool_of(item, len(pools), _POOL_KEYS)
        if pool is not None:
            pools.append(pool)
    return pools


def errors(replies: Replies) -> list[MinerErrorEntry]:
    return error_entries(replies[DEVICE].get("error-code"))


def mining(replies: Replies) -> bool | None:
    return to_bool(_device(replies, "miner")["working"])


def fault_light(replies: Replies) -> bool | None:
    return led_is_on(_device(replies, "system")["ledstatus"])


def work_mode(replies: Replies) -> str | None:
    mode = clean_str(replies[SETTING]["power-mode"])
    return mode.lower() if mode and mode.lower() in WORK_MODES else None
