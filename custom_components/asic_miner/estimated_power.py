"""Estimated power for firmware that reports no watts (stock Antminer).

Stock Bitmain firmware reports hashrate but no power, so such a miner has no energy
for the Energy dashboard. Its power is estimated as the model's nominal efficiency
(``driver.nominal_efficiency``: nominal W / nominal TH/s from the hardware table)
times the live hashrate, and the sensors say "Estimated" in their names. Only where
the model is in the table and the firmware reports no power at all: a miner that
reports real watts never gets an estimate, and the farm's total power adds real
watts only (README: "Estimated power").
"""

from __future__ import annotations

from .driver import Miner, MinerSnapshot, nominal_efficiency


def has_estimate(snapshot: MinerSnapshot, miner: Miner) -> bool:
    """Whether the miner gets the estimated power and energy sensors."""
    identity = snapshot.identity
    return not miner.reports_power and nominal_efficiency(identity.make, identity.model) is not None


def estimated_power(snapshot: MinerSnapshot) -> int | None:
    """Watts: nominal J/TH x the hashrate read now; 0 while paused; unknown otherwise.

    ``None`` while the hashrate is unknown, and as soon as the firmware reports real
    watts (then the Power sensor shows them).
    """
    if snapshot.power is not None:
        return None
    if snapshot.mining is False:
        return 0
    identity = snapshot.identity
    efficiency = nominal_efficiency(identity.make, identity.model)
    if efficiency is None or snapshot.hashrate is None:
        return None
    return round(snapshot.hashrate * efficiency)
