"""A count a reply states never sets how long a parser loops.

A SealMiner's ``Board Count`` / ``Fan Count`` and an Avalon's ``PVT_T<n>`` slot index
are the reply's word. A hostile ``Board Count`` of 10**12 once made the fuzz test's
worker loop and allocate until the kernel killed it; now every count is cut at
``MAX_ITEMS`` before the loop, and the snapshot's bounds keep what is left.
"""

from __future__ import annotations

import copy
import re
import time
from typing import Any

import pytest

from custom_components.asic_miner.driver.collect import snapshot_from
from custom_components.asic_miner.driver.families.avalon.backends import _AvalonBackend
from custom_components.asic_miner.driver.families.sealminer.backends import SealBackend
from custom_components.asic_miner.driver.limits import MAX_ITEMS
from custom_components.asic_miner.driver.values import item_count
from tests.driver.test_fuzz import corpus

HUGE = 10**12


def _swap(value: Any, change: Any) -> Any:
    """``value`` with every mapping run through ``change`` (a deep copy)."""
    if isinstance(value, dict):
        return change({k: _swap(v, change) for k, v in value.items()})
    if isinstance(value, list):
        return [_swap(v, change) for v in value]
    return value


def _poll(kind: type) -> tuple[Any, dict[Any, Any]]:
    for backend, replies in corpus().polls:
        if isinstance(backend, kind):
            return backend, copy.deepcopy(replies)
    pytest.fail(f"no recorded poll of a {kind.__name__}")


def _sealminer_counts(item: dict[str, Any]) -> dict[str, Any]:
    return {k: HUGE if k in ("Board Count", "Fan Count") else v for k, v in item.items()}


def _avalon_slot(item: dict[str, Any]) -> dict[str, Any]:
    return {
        k: f"{v} PVT_T999999999[70 71]" if isinstance(v, str) and re.match(r"MM ID\d", k) else v
        for k, v in item.items()
    }


@pytest.mark.parametrize(
    ("kind", "change"),
    [(SealBackend, _sealminer_counts), (_AvalonBackend, _avalon_slot)],
    ids=["sealminer-counts", "avalon-slot-index"],
)
def test_a_huge_count_is_cut_not_looped(kind: type, change: Any) -> None:
    backend, replies = _poll(kind)
    hostile = {source: _swap(reply, change) for source, reply in replies.items()}
    assert hostile != replies  # the change reached the reply
    started = time.perf_counter()
    snapshot = snapshot_from(backend, hostile)
    assert time.perf_counter() - started < 2.0
    assert len(snapshot.boards or []) <= MAX_ITEMS
    assert len(snapshot.fans or []) <= MAX_ITEMS


@pytest.mark.parametrize(
    ("raw", "count"),
    [(None, 0), ("x", 0), (-5, 0), ("3", 3), (2.0, 2), (HUGE, MAX_ITEMS), (str(HUGE), MAX_ITEMS)],
)
def test_item_count(raw: Any, count: int) -> None:
    assert item_count(raw) == count
