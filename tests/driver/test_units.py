"""Hashrate and efficiency units follow the algorithm (issue 15, "Algorithms and units")."""

from __future__ import annotations

import pytest

from custom_components.asic_miner.driver import Algorithm, MinerIdentity, MinerSnapshot
from custom_components.asic_miner.driver.units import UNITS, miner_units, shown


def _snapshot(
    algorithm: Algorithm, hashrate: float | None, power: float | None = None, model: str = "X"
) -> MinerSnapshot:
    identity = MinerIdentity("Nobody", model, "test", "Stock", "test", algorithm=algorithm)
    return MinerSnapshot(identity, hashrate=hashrate, power=power)


@pytest.mark.parametrize(
    ("algorithm", "hashrate", "power", "text", "efficiency"),
    [
        (Algorithm.SHA256, 100.0, 3000.0, "100.00 TH/s", "30.0 J/TH"),
        (Algorithm.SHA256, 1.2, 18.0, "1200.00 GH/s", "15.0 J/TH"),
        (Algorithm.SCRYPT, 0.0142, 3420.0, "14.20 GH/s", "0.241 J/MH"),
        (Algorithm.SCRYPT, 0.000185, 233.0, "185.0 MH/s", "1.259 J/MH"),
        (Algorithm.KHEAVYHASH, 21.0, 3150.0, "21.00 TH/s", "150.0 J/TH"),
        (Algorithm.KHEAVYHASH, 0.1, 65.0, "100.00 GH/s", "650.0 J/TH"),
        (Algorithm.BLAKE3, 15.0, 3300.0, "15.00 TH/s", "220.0 J/TH"),
        (Algorithm.EAGLESONG, 0.5, 215.0, "500.00 GH/s", "430.0 J/TH"),
        (Algorithm.X11, 1.77, 1300.0, "1770.00 GH/s", "0.734 J/GH"),
        (Algorithm.EQUIHASH, 0.00000042, 1510.0, "420.0 kSol/s", "3.595 J/kSol"),
        (Algorithm.ETHASH, 0.0024, 1920.0, "2.40 GH/s", "0.800 J/MH"),
    ],
)
def test_shown_units(
    algorithm: Algorithm, hashrate: float, power: float, text: str, efficiency: str
) -> None:
    """Never "0.014 TH/s" for a Scrypt miner; efficiency in the unit that matches."""
    assert shown(_snapshot(algorithm, hashrate, power)) == {
        "algorithm": algorithm.value,
        "hashrate": text,
        "efficiency": efficiency,
    }


def test_every_algorithm_has_units() -> None:
    assert set(UNITS) == set(Algorithm)


def test_unknown_figures_stay_unknown() -> None:
    assert shown(_snapshot(Algorithm.SCRYPT, None)) == {
        "algorithm": "scrypt",
        "hashrate": None,
        "efficiency": None,
    }
    # Nothing to size the miner by: its algorithm's main unit.
    assert miner_units(_snapshot(Algorithm.SCRYPT, None)).hashrate.name == "GH/s"


def test_state_keeps_the_decimals_of_its_unit() -> None:
    units = miner_units(_snapshot(Algorithm.SCRYPT, 0.0142))
    assert units.hashrate.convert(0.014212345) == 14.21
    assert units.efficiency.convert(240_647.3) == 0.24065
