"""Hammer's ccminer replies: MH/s everywhere, an Antminer-like ``stats`` without power.

``summary`` gives ``MHS 5s`` as a string; ``stats`` (after a version object) has
``chain_acn<n>`` and ``chain_rate<n>`` (MH/s, strings, the fourth slot empty),
``fan1``..``fan4``, and ``temp1``..``temp4`` each sent four times in one object
(duplicate keys: what a parser keeps is the last, so which sensor it is cannot be
told; the temperatures are left unknown). pyasic's capture of the 2023-05-28 firmware.
"""

from __future__ import annotations

from ...contract import Replies
from ...models import Board
from ...values import clean_str, mhs_to_ths
from .._cgminer import STATS, SUMMARY, chains, first, stats_item

_CHAIN_KEYS = ("chain_rate", "chain_acn", "fan")


def make_and_model(raw: str | None) -> tuple[str, str]:
    """``Hammer D10`` -> (``Hammer``, ``D10``); another make keeps its first word."""
    text = clean_str(raw) or "Hammer"
    make, _, model = text.partition(" ")
    return make, model.strip() or make


def hashrate(replies: Replies) -> float | None:
    return mhs_to_ths(first(replies[SUMMARY], "SUMMARY")["MHS 5s"])


def boards(replies: Replies) -> list[Board]:
    """The chains by slot position, the empty fourth connector left out."""
    stats = stats_item(replies[STATS], _CHAIN_KEYS)
    return [
        Board(index=position, hashrate=rate, chips=chips, active=bool(rate))
        for position, (_slot, chips, rate) in enumerate(chains(stats, mhs_to_ths))
        if chips or rate
    ]
