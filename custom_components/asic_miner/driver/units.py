"""The unit a hashrate and an efficiency are shown in, chosen from the algorithm.

The snapshot keeps every hashrate in TH/s and every efficiency in J/TH whatever the
miner hashes, so sums and comparisons need no conversion. A Scrypt miner's 14 GH/s is
0.014 TH/s there; shown as such it reads as a broken miner. This table says, per
algorithm, the unit people quote that coin's miners in (the makers' spec sheets and
the miners' own web pages) and how many decimals carry information in it.

One unit per miner, decided once from the model's nominal hashrate: a statistic in
Home Assistant keeps the unit its first state had.
"""

from __future__ import annotations

from dataclasses import dataclass

from .hardware import lookup
from .models import Algorithm, MinerSnapshot


@dataclass(frozen=True, slots=True)
class ShownUnit:
    """A display unit: its name, its size per TH/s (or per J/TH), the decimals kept."""

    name: str
    factor: float  # shown value = snapshot value (TH/s, J/TH) * factor
    digits: int  # decimals the state keeps: where the firmware's precision ends
    precision: int  # decimals shown (Home Assistant's suggested display precision)

    def convert(self, value: float) -> float:
        return round(value * self.factor, self.digits)

    def text(self, value: float) -> str:
        return f"{value * self.factor:.{self.precision}f} {self.name}"


TH = ShownUnit("TH/s", 1.0, 5, 2)
GH = ShownUnit("GH/s", 1e3, 2, 2)
MH = ShownUnit("MH/s", 1e6, 2, 1)
KSOL = ShownUnit("kSol/s", 1e9, 2, 1)
J_TH = ShownUnit("J/TH", 1.0, 2, 1)
J_GH = ShownUnit("J/GH", 1e-3, 4, 3)
J_MH = ShownUnit("J/MH", 1e-6, 5, 3)
J_KSOL = ShownUnit("J/kSol", 1e-9, 5, 3)


@dataclass(frozen=True, slots=True)
class AlgorithmUnits:
    """An algorithm's hashrate unit, the smaller one for small miners, its efficiency."""

    hashrate: ShownUnit
    efficiency: ShownUnit
    small: ShownUnit | None = None
    small_below: float = 0.0  # nominal TH/s under which ``small`` is used


# A Bitaxe's 1.2 TH/s reads 1200 GH/s (as its own page shows it); a Goldshell
# Mini-DOGE's 0.000185 TH/s reads 185 MH/s, an Elphapex DG1's 0.014 TH/s 14 GH/s.
UNITS: dict[Algorithm, AlgorithmUnits] = {
    Algorithm.SHA256: AlgorithmUnits(TH, J_TH, GH, 2.0),
    Algorithm.SCRYPT: AlgorithmUnits(GH, J_MH, MH, 0.001),
    Algorithm.KHEAVYHASH: AlgorithmUnits(TH, J_TH, GH, 1.0),
    Algorithm.BLAKE3: AlgorithmUnits(TH, J_TH, GH, 1.0),
    Algorithm.EAGLESONG: AlgorithmUnits(TH, J_TH, GH, 1.0),
    Algorithm.BLAKE2S: AlgorithmUnits(TH, J_TH, GH, 1.0),
    Algorithm.X11: AlgorithmUnits(GH, J_GH),
    Algorithm.EQUIHASH: AlgorithmUnits(KSOL, J_KSOL),
    Algorithm.ETHASH: AlgorithmUnits(GH, J_MH, MH, 0.001),
}


@dataclass(frozen=True, slots=True)
class MinerUnits:
    """The units one miner's figures are shown in."""

    hashrate: ShownUnit
    efficiency: ShownUnit


def _nominal(snapshot: MinerSnapshot) -> float | None:
    identity = snapshot.identity
    hardware = lookup(identity.make, identity.model)
    nominal = hardware.nominal_hashrate if hardware else snapshot.expected_hashrate
    return snapshot.hashrate if nominal is None else nominal


def miner_units(snapshot: MinerSnapshot) -> MinerUnits:
    """The units for this miner: its algorithm's, the small one below its threshold."""
    units = UNITS[snapshot.identity.algorithm]
    hashrate = units.hashrate
    nominal = _nominal(snapshot)
    if units.small is not None and nominal is not None and 0 < nominal < units.small_below:
        hashrate = units.small
    return MinerUnits(hashrate, units.efficiency)


def shown(snapshot: MinerSnapshot) -> dict[str, str | None]:
    """Hashrate and efficiency as text in the miner's units (the CLI's read)."""
    units = miner_units(snapshot)
    hashrate, efficiency = snapshot.hashrate, snapshot.efficiency
    return {
        "algorithm": snapshot.identity.algorithm.value,
        "hashrate": None if hashrate is None else units.hashrate.text(hashrate),
        "efficiency": None if efficiency is None else units.efficiency.text(efficiency),
    }
