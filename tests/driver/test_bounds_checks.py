"""The bounds tables name only real fields, so checking by table is checking every field."""

from __future__ import annotations

import math
from dataclasses import fields

import pytest

from custom_components.asic_miner.driver import bounds
from custom_components.asic_miner.driver.models import Board, Fan, Pool
from custom_components.asic_miner.driver.values import within


@pytest.mark.parametrize(
    ("cls", "checks"), [(Board, bounds._BOARD), (Fan, bounds._FAN), (Pool, bounds._POOL)]
)
def test_every_check_names_a_field(cls: type, checks: dict[str, object]) -> None:
    assert set(checks) <= {f.name for f in fields(cls)}


@pytest.mark.parametrize(
    ("value", "low", "high", "expected"),
    [
        (5, 0, 10, 5),
        (5.5, 0, 10, 5.5),
        (-1, 0, 10, None),
        (math.inf, 0, math.inf, None),  # never a reading, whatever the ceiling
        (math.nan, 0, 10, None),
        (True, 0, 10, None),
        ("5", 0, 10, None),
    ],
)
def test_within(value: object, low: float, high: float, expected: float | None) -> None:
    assert within(value, low, high) == expected
