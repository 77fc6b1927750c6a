"""The farm sums hashrate over SHA-256 miners only and names the others."""

from __future__ import annotations

from custom_components.asic_miner.driver import Algorithm, MinerIdentity, MinerSnapshot
from custom_components.asic_miner.farm import FarmMiner, FarmSnapshot


def _miner(name: str, algorithm: Algorithm, hashrate: float, power: float) -> FarmMiner:
    identity = MinerIdentity("Nobody", "X", "test", "Stock", "test", algorithm=algorithm)
    return FarmMiner(name, name, None, MinerSnapshot(identity, hashrate=hashrate, power=power))


def test_hashrate_and_efficiency_add_like_with_like() -> None:
    farm = FarmSnapshot(
        (
            _miner("s19", Algorithm.SHA256, 100.0, 3000.0),
            _miner("dg1", Algorithm.SCRYPT, 0.014, 3400.0),
            FarmMiner("gone", "gone", None, None),
        )
    )
    hashrate = farm.total("hashrate")
    assert (hashrate.value, hashrate.missing, hashrate.other_algorithms) == (
        100.0,
        ("gone",),
        ("dg1",),
    )
    efficiency = farm.efficiency
    assert (efficiency.value, efficiency.other_algorithms) == (30.0, ("dg1",))
    # Watts are watts: power adds over every miner.
    power = farm.total("power")
    assert (power.value, power.other_algorithms) == (6400.0, ())
