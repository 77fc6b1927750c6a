"""Whatsminer API v1/v2 replies: the sources a poll reads and the pure functions over them.

btminer answers cgminer's ``summary``, ``devs`` and ``pools`` in cgminer's shape
(MH/s, ``Factory GHS`` in GH/s, ``Power`` ``-1`` when the PSU does not report) and
its own ``status`` / ``get_*`` commands in a flat envelope whose ``Msg`` holds the
values. Nothing here does I/O; ``v2.py`` decides which of these a poll sends.
"""

from __future__ import annotations

from typing import Any

from ...contract import Call, Replies
from ...exceptions import MinerError
from ...models import Board, Fan, MinerErrorEntry, Pool
from ...values import clean_str, ghs_to_ths, mhs_to_ths, positive, to_bool, to_float, to_int
from .._cgminer import first, section
from .._cgminer import pools as cgminer_pools
from .parse import WORK_MODES, case_fans, error_entries, led_is_on

SUMMARY = Call("summary")
DEVS = Call("devs")
POOLS = Call("pools")
MINER_INFO = Call("get_miner_info")
STATUS = Call("status")
ERROR_CODE = Call("get_error_code")
CGMINER = (SUMMARY, DEVS, POOLS)  # one multicommand
SIDE = (STATUS, ERROR_CODE, MINER_INFO)  # one connection each, in turn
READS = CGMINER + SIDE
# Codes and texts of a command the firmware does not have (API 1.x: get_miner_info).
UNKNOWN_COMMAND = ("invalid cmd", "invalid command", "unknown command")


# -- extractors -------------------------------------------------------------------


def _summary(replies: Replies) -> dict[str, Any]:
    return first(replies[SUMMARY], "SUMMARY")


def _msg(replies: Replies, source: Call) -> dict[str, Any]:
    msg = replies[source]["Msg"]
    if not isinstance(msg, dict):
        raise TypeError(f"{source.name}: Msg is not an object")
    return msg


def hashrate(replies: Replies) -> float | None:
    summary = _summary(replies)
    for key in ("MHS 1m", "HS RT", "MHS 5s", "MHS av"):
        if key in summary:
            return mhs_to_ths(summary[key])
    raise KeyError("no hashrate in summary")


def expected_hashrate(replies: Replies) -> float | None:
    return positive(ghs_to_ths(_summary(replies)["Factory GHS"]))


def power(replies: Replies) -> float | None:
    value = to_float(_summary(replies)["Power"])
    return None if value is None or value < 0 else value  # -1: the PSU does not say


def power_limit(replies: Replies) -> float | None:
    return positive(to_float(_summary(replies)["Power Limit"]))


def environment_temperature(replies: Replies) -> float | None:
    return to_float(_summary(replies)["Env Temp"])


def fans(replies: Replies) -> list[Fan]:
    summary = _summary(replies)
    fans = case_fans(summary, ("Fan Speed In", "Fan Speed Out"))
    if "Power Fanspeed" in summary:
        fans.append(Fan(index=0, rpm=to_int(summary["Power Fanspeed"]), psu=True))
    return fans


def uptime(replies: Replies) -> int | None:
    """The system's uptime (``Uptime``); ``Elapsed`` is btminer's, reset by a restart."""
    summary = _summary(replies)
    return to_int(summary["Uptime"] if "Uptime" in summary else summary["Elapsed"])


def work_mode(replies: Replies) -> str | None:
    mode = clean_str(_summary(replies).get("Power Mode"))
    return mode.lower() if mode and mode.lower() in WORK_MODES else None


def boards(replies: Replies) -> list[Board]:
    boards = []
    for position, dev in enumerate(section(replies[DEVS], "DEVS")):
        index = to_int(dev.get("ASC", dev.get("Slot")))
        rate = mhs_to_ths(dev.get("MHS 1m", dev.get("MHS av")))
        chip = to_float(dev.get("Chip Temp Max", dev.get("Chip Temp Avg")))
        status = clean_str(dev.get("Status"))
        boards.append(
            Board(
                index=position if index is None else index,
                hashrate=rate,
                expected_hashrate=positive(ghs_to_ths(dev.get("Factory GHS"))),
                board_temperature=positive(to_float(dev.get("Temperature"))),
                chip_temperature=positive(chip),
                chips=to_int(dev.get("Effective Chips")),
                frequency=positive(to_float(dev.get("Frequency", dev.get("Chip Frequency")))),
                serial=clean_str(dev.get("PCB SN")),
                active=None if status is None else status.lower() == "alive" and bool(rate),
            )
        )
    return boards


def pools(replies: Replies) -> list[Pool]:
    return cgminer_pools(replies[POOLS], renumber=True)


def summary_error_codes(summary: dict[str, Any]) -> list[MinerErrorEntry] | None:
    """API 1.x: ``Error Code Count`` and ``Error Code 0``...; ``None`` where not counted."""
    count = to_int(summary.get("Error Code Count"))
    if count is None:
        return None
    codes = [summary.get(f"Error Code {i}") for i in range(min(count, 64))]
    return error_entries([c for c in codes if c not in (None, "")])


def errors(replies: Replies) -> list[MinerErrorEntry]:
    summary = replies.get(SUMMARY)
    if summary is not None:
        counted = summary_error_codes(first(summary, "SUMMARY"))
        if counted is not None:
            return counted
    msg = _msg(replies, ERROR_CODE)
    if "error_code" not in msg:
        raise KeyError("get_error_code without error_code")
    return error_entries(msg["error_code"])


def mining(replies: Replies) -> bool | None:
    msg = _msg(replies, STATUS)
    off = msg.get("mineroff", msg.get("btmineroff"))  # v1 firmware says btmineroff
    flag = to_bool(off)
    return None if flag is None else not flag


def fault_light(replies: Replies) -> bool | None:
    return led_is_on(_msg(replies, MINER_INFO)["ledstat"])


def is_unknown(err: MinerError) -> bool:
    text = str(err).lower()
    return any(marker in text for marker in UNKNOWN_COMMAND)
