"""Goldshell's bfgminer-style RPC read: ``summary``, ``devs``, ``devdetails``, ``pools``.

Shapes as in the reduced live captures of an SC5 Pro (firmware 2.2.0) and an ARI31
(2.2.3) (protocols.md §7.5, §11.4): rates are MH/s (``MHS 20s``); each ``devs`` object
is a hash board with its ``clock``, ``Status``, the PCB temperature ``tstemp-2`` and
the four fans (``fan0``..``fan3``, the same on every board); ``devdetails`` gives the
chips per board (``chips-nr``) under the same ``ID``.
"""

from __future__ import annotations

from typing import Any

from ...contract import Replies, Rpc
from ...models import Board, Fan
from ...values import clean_str, mhs_to_ths, positive, to_float, to_int
from .._cgminer import DEVS, SUMMARY, first, section

DEVDETAILS = Rpc("devdetails")
_FAN_SLOTS = 4


def hashrate(replies: Replies) -> float | None:
    return mhs_to_ths(first(replies[SUMMARY], "SUMMARY")["MHS 20s"])


def uptime(replies: Replies) -> int | None:
    return to_int(first(replies[SUMMARY], "SUMMARY")["Elapsed"])


def fans(replies: Replies) -> list[Fan]:
    """The fans the first board reports (every board repeats them)."""
    board = first(replies[DEVS], "DEVS")
    found = [Fan(index=n, rpm=to_int(board.get(f"fan{n}"))) for n in range(_FAN_SLOTS)]
    return [fan for fan in found if fan.rpm is not None]


def _chips(replies: Replies) -> dict[Any, int | None]:
    return {
        item.get("ID"): to_int(item.get("chips-nr"))
        for item in section(replies[DEVDETAILS], "DEVDETAILS")
    }


def boards(replies: Replies) -> list[Board]:
    chips = _chips(replies)
    found = []
    for position, item in enumerate(section(replies[DEVS], "DEVS")):
        index = to_int(item.get("ID"))
        status = clean_str(item.get("Status"))
        found.append(
            Board(
                index=position if index is None else index,
                hashrate=mhs_to_ths(item.get("MHS 20s")),
                board_temperature=positive(to_float(item.get("tstemp-2"))),
                chips=chips.get(item.get("ID")),
                frequency=positive(to_float(item.get("clock"))),
                active=None if status is None else status == "Alive",
            )
        )
    return found
