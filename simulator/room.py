"""A room heated by simulated miners, for closed-loop tests and the demo.

One lumped heat capacity losing heat to the outside through ``ua`` (W/K): ``C dT/dt =
P - UA (T - T_out)``, stepped exactly over each interval (the power held constant
inside it), so a thermostat under test can be run on any clock, with any step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .miner import SimMiner


def miner_watts(sim: SimMiner) -> float:
    """What the simulated miner really draws (Bitaxe models its own power)."""
    power_w = getattr(sim, "power_w", None)
    return float(power_w()) if callable(power_w) else float(sim.state.power)


@dataclass
class Room:
    """A room heated by miners: ``C dT/dt = P - UA (T - T_out)``."""

    temperature: float
    ua: float  # W/K lost to the outside
    tau: float = 1800.0  # s, C / UA
    outside: float = 5.0

    def advance(self, seconds: float, watts: float) -> None:
        settle = self.outside + watts / self.ua
        self.temperature = settle + (self.temperature - settle) * math.exp(-seconds / self.tau)

    def heat(self, seconds: float, *miners: SimMiner) -> None:
        """Advance by ``seconds`` with what the miners draw now; their air is the room's."""
        self.advance(seconds, sum(miner_watts(sim) for sim in miners))
        for sim in miners:
            sim.state.environment_temperature = round(self.temperature, 1)
