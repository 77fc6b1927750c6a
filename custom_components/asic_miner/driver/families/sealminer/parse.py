"""bdminer's ``stats``: one object with the miner, its PSU, fans and boards by number.

Rates are MH/s (``MHS(30s)``, ``MHS(Ideal)``, per board ``<n> MHS(Sample)``); fans are
``<n> Speed`` up to ``Fan Count``; boards ``<n> Chip Count`` less ``<n> Bad Chip
Count``, ``<n> Freq``, ``<n> Online`` and four sensors ``<n> Temp 0..3`` whose hottest
is the board temperature (which one is a chip's is not documented; asic-rs reads them
the same way). ``PSU Input Power`` is the wall power and ``Power Limit`` the limit in
force, both in W; ``System Uptime`` the control board's uptime.
"""

from __future__ import annotations

from typing import Any

from ...contract import Replies
from ...models import Board, Fan
from ...values import clean_str, item_count, mhs_to_ths, positive, to_bool, to_float, to_int
from .._cgminer import STATS, stats_item

MINER_KEYS = ("Board Count", "Fan Count", "Model")


def _stats(replies: Replies) -> dict[str, Any]:
    return stats_item(replies[STATS], MINER_KEYS)


def hashrate(replies: Replies) -> float | None:
    return mhs_to_ths(_stats(replies)["MHS(30s)"])


def expected_hashrate(replies: Replies) -> float | None:
    return mhs_to_ths(_stats(replies)["MHS(Ideal)"])


def power(replies: Replies) -> float | None:
    return positive(to_float(_stats(replies)["PSU Input Power"]))


def power_limit(replies: Replies) -> float | None:
    return positive(to_float(_stats(replies)["Power Limit"]))


def uptime(replies: Replies) -> int | None:
    return to_int(_stats(replies)["System Uptime"])


def fans(replies: Replies) -> list[Fan]:
    stats = _stats(replies)
    count = item_count(stats["Fan Count"])
    return [Fan(index=n, rpm=to_int(stats.get(f"{n} Speed"))) for n in range(count)]


def boards(replies: Replies) -> list[Board]:
    stats = _stats(replies)
    found = []
    for n in range(item_count(stats["Board Count"])):
        temps = [t for i in range(4) if (t := positive(to_float(stats.get(f"{n} Temp {i}"))))]
        chips = to_int(stats.get(f"{n} Chip Count"))
        bad = to_int(stats.get(f"{n} Bad Chip Count")) or 0
        found.append(
            Board(
                index=n,
                hashrate=mhs_to_ths(stats.get(f"{n} MHS(Sample)")),
                expected_hashrate=mhs_to_ths(stats.get(f"{n} MHS(Ideal)")),
                board_temperature=max(temps, default=None),
                chips=None if chips is None else max(chips - bad, 0),
                frequency=positive(to_float(stats.get(f"{n} Freq"))),
                serial=clean_str(stats.get(f"{n} SN")),
                active=to_bool(stats.get(f"{n} Online")),
            )
        )
    return found
