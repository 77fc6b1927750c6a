"""The farm's figures are worked out once per gather, however often entities ask."""

from __future__ import annotations

from custom_components.asic_miner.driver import Algorithm
from custom_components.asic_miner.farm import FarmMiner, FarmSnapshot
from tests.components.asic_miner.test_farm_algorithms import _miner


def test_each_figure_is_computed_once_per_snapshot() -> None:
    farm = FarmSnapshot(
        (_miner("a", Algorithm.SHA256, 100.0, 3000.0), FarmMiner("b", "b", None, None))
    )
    first = (farm.online, farm.mining, farm.total("power"), farm.efficiency)
    second = (farm.online, farm.mining, farm.total("power"), farm.efficiency)
    assert all(a is b for a, b in zip(first, second, strict=True))
    assert farm.total("power") is not farm.total("hashrate")
    assert farm.total("power").value == 3000.0
    # A new gather is a new snapshot: nothing carries over, and equality ignores the memo.
    again = FarmSnapshot(farm.miners)
    assert again == farm
    assert again.online is not farm.online
