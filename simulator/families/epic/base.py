"""The hardware PowerPlay runs on and the physics behind its tuning."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...miner import SimMiner, SimPorts
from ...state import MinerState

DASHBOARD_HTML = (
    "<!DOCTYPE html><html><head><title>Miner Web Dashboard</title></head>"
    '<body><div id="app">ePIC Miner Web Dashboard</div></body></html>'
)
VOLTAGE_OPTIMIZER = "VoltageOptimizer"
FAN_SLOTS = 12
BAD_PASSWORD = "BadPassword"
MISSING_PARAM = "MissingParam"


@dataclass(frozen=True, slots=True)
class Hardware:
    """What the firmware says about the machine it runs on."""

    model: str  # capabilities "Model"
    subtype: str  # capabilities "Model Subtype"
    power_algorithm: str | None  # the power-target algorithm this release offers
    cpu: str  # "Control Board Version".cpuHardware


HARDWARE = {
    "S19j Pro": Hardware("Antminer S19J Pro", "BHB42801", "Power", "AMLogic A113D"),
    "S21": Hardware("Antminer S21", "BHB68606", "PowerTune", "AMLogic A113D"),
    "M30S++": Hardware("WhatsMiner M30S++", "VH40", None, "Allwinner H6"),
}


def _host_port(url: str) -> str:
    """``stratum+tcp://pool:3333`` → ``pool:3333``, as "Current Pool" shows it."""
    return url.split("://", 1)[-1]


class EpicBase(SimMiner):
    default_username = ""
    default_password = "letmein"
    firmware_version = "1.8.2"

    def __init__(self, host: str, state: MinerState, ports: SimPorts | None = None) -> None:
        super().__init__(host, state, ports)
        self.hardware = HARDWARE[state.spec.model]
        self.not_ready = 0  # how many of the next GETs answer "not ready"
        self.tune_running = True
        # Out of the box PowerPlay tunes for the nominal hashrate, not for a wattage.
        self.tune_algorithm = VOLTAGE_OPTIMIZER
        self.tune_target = int(state.spec.nominal_hashrate)
        self.posts: list[tuple[str, Any]] = []  # every accepted control, for tests

    # -- the physics behind tuning ------------------------------------------------------

    @property
    def power_tuned(self) -> bool:
        return self.tune_running and self.tune_algorithm == self.hardware.power_algorithm

    def _apply_tuning(self) -> None:
        """A running power algorithm holds its watts, a hashrate one the watts that give
        its TH/s; with tuning off the miner runs at stock power."""
        if not self.tune_running:
            self.state.power_limit = None
        elif self.power_tuned:
            self.state.power_limit = self.tune_target
        else:
            self.state.power_limit = self.state.watts_for_hashrate(self.tune_target)

    def _algorithms(self) -> list[dict[str, Any]]:
        spec = self.state.spec
        options = [
            {
                "algorithm": VOLTAGE_OPTIMIZER,
                "name": "Voltage Optimizer",
                "description": "Hold a hashrate target at the lowest voltage.",
                "min": int(spec.nominal_hashrate * 0.5),
                "max": int(spec.nominal_hashrate * 1.2),
            }
        ]
        if self.hardware.power_algorithm is not None:
            options.append(
                {
                    "algorithm": self.hardware.power_algorithm,
                    "name": "Power Tune",
                    "description": "Hold a power target.",
                    "min": spec.min_power,
                    "max": spec.max_power,
                }
            )
        return options
