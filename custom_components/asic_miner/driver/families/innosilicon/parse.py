"""Innosilicon replies read: cgminer's RPC and the web API's ``getAll``.

innominer is cgminer with Innosilicon's driver: ``summary`` reports MH/s
(``MHS 1m``, ``Elapsed``); ``stats`` holds one object per hash chain with ``Chain
ID``, ``Num chips``, ``Num active chips`` and the hottest and coolest chip
(``Temp max``, ``Temp min``, read as chip and board temperature as pyasic does), as
the driver's ``api_stats`` writes them (the open A1 driver source). The web API's
``getAll`` carries the wall power as ``all.power`` in W and each chain's rate as
``all.chain[].Hash Rate H`` in H/s, keyed by ``ASC`` (pyasic). Fan speeds are the
``fan<n>`` keys of a ``stats`` object, in RPM (asic-rs); ``getAll``'s ``fansSpeed`` is
one duty in percent for all fans and is not read. No public capture of a whole reply exists:
fields beyond these stay unknown.
"""

from __future__ import annotations

from typing import Any

from ...contract import Call, Replies
from ...models import Board, Fan
from ...values import mhs_to_ths, positive, rate_to_ths, to_float, to_int
from .._cgminer import STATS, SUMMARY, first, section, slots

GET_ALL = Call("getAll")


def _summary(replies: Replies) -> dict[str, Any]:
    return first(replies[SUMMARY], "SUMMARY")


def hashrate(replies: Replies) -> float | None:
    return mhs_to_ths(_summary(replies)["MHS 1m"])


def uptime(replies: Replies) -> int | None:
    return to_int(_summary(replies)["Elapsed"])


def power(replies: Replies) -> float | None:
    return positive(to_float(replies[GET_ALL]["all"]["power"]))


def _chain_rates(replies: Replies) -> dict[int | None, float | None]:
    """H/s per chain from ``getAll``; empty when the web API did not answer."""
    web = replies.get(GET_ALL)
    chains = web.get("all", {}).get("chain") if isinstance(web, dict) else None
    if not isinstance(chains, list):
        return {}
    return {
        to_int(c.get("ASC")): to_float(c.get("Hash Rate H")) for c in chains if isinstance(c, dict)
    }


def fans(replies: Replies) -> list[Fan]:
    """Every ``fan<n>`` of every ``stats`` object, in the order of ``n``."""
    found: dict[int, int | None] = {}
    for item in section(replies[STATS], "STATS"):
        for n in slots(item, "fan"):
            found.setdefault(n, to_int(item[f"fan{n}"]))
    return [Fan(index=i, rpm=found[n]) for i, n in enumerate(sorted(found))]


def boards(replies: Replies) -> list[Board]:
    rates = _chain_rates(replies)
    found = []
    for item in section(replies[STATS], "STATS"):
        index = to_int(item.get("Chain ID"))
        if index is None:
            continue  # the pool and summary objects cgminer adds after the chains
        found.append(
            Board(
                index=index,
                hashrate=(rate := rate_to_ths(rates.get(index), "H")),
                active=None if rate is None else rate > 0,
                chips=to_int(item.get("Num active chips")),
                expected_chips=to_int(item.get("Num chips")),
                chip_temperature=positive(to_float(item.get("Temp max"))),
                board_temperature=positive(to_float(item.get("Temp min"))),
            )
        )
    return found
