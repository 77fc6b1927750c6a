"""What Hiveon's replies say differently from stock bmminer's.

Its ``stats`` lists all sixteen chain slots, the unused ones as zeros (stock lists
one spare, with empty strings), and carries the power the firmware measures:
``total_power`` and ``chain_power<n>`` in W (asic-rs capture
``hiveon_s19x88_stats_captured.json``). The model is the ``Type`` without its
` Hiveon` tag.
"""

from __future__ import annotations

import re

from ...contract import Replies
from ...models import Board
from ...values import positive, to_float
from .._cgminer import STATS, stats_item
from ..antminer import parse as stock

_TAG = re.compile(r"\s+hiveon\s*$", re.IGNORECASE)
_CHAIN_KEYS = ("chain_rate", "chain_acn", "fan")


def model_name(raw: str | None) -> str | None:
    """``Antminer S19x88 Hiveon`` -> ``S19x88``."""
    name = stock.model_name(raw)
    return _TAG.sub("", name) or None if name else None


def boards(replies: Replies) -> list[Board]:
    """The stock board list without the unused slots, which Hiveon sends as zeros."""
    return [b for b in stock.boards(replies) if b.chips or b.hashrate]


def power(replies: Replies) -> float | None:
    return positive(to_float(stats_item(replies[STATS], _CHAIN_KEYS)["total_power"]))
