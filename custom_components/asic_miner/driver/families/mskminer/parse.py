"""MSKMiner's replies: the model and release in ``Type``, the rest as Hiveon's bmminer.

``stats`` has the sixteen-slot layout and measured power of the ``rwglr`` bmminer
(``..hiveon.parse``); ``pools`` is stock cgminer's. No ``summary`` was captured, so the
hashrate is the ``stats`` chain object's ``GHS 5s`` (GH/s), which stock bmminer fills
the same way.
"""

from __future__ import annotations

import re

from ...contract import Replies
from ...values import clean_str, ghs_to_ths
from .._cgminer import STATS, stats_item

_CHAIN_KEYS = ("chain_rate", "chain_acn", "fan")
_RELEASE = re.compile(r"\bv\.?\s*(\d+(?:\.\d+)+)", re.IGNORECASE)


def model_and_release(raw: str | None) -> tuple[str | None, str | None]:
    """``S19-88 v.2.6.0.39 `` -> (``S19-88``, ``2.6.0.39``): the model is the first word."""
    text = clean_str(raw)
    if text is None:
        return None, None
    found = _RELEASE.search(text)
    return text.split()[0], found.group(1) if found else None


def hashrate(replies: Replies) -> float | None:
    return ghs_to_ths(stats_item(replies[STATS], _CHAIN_KEYS)["GHS 5s"])
