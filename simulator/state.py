"""A simulated miner's live state and the physics that derive its readings.

Readings are deterministic functions of the state (and the clock for uptime and share
counters) so tests can compute exactly what the driver must report.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from . import thermal
from .faults import Fault

IDLE_POWER_W = 12.0
FAN_MAX_RPM = 6000  # the fans' top speed, for the duty in %
REBOOT_SECONDS = 3.0
HASHRATE_EXPONENT = 0.85  # hashrate grows with power to this power: chips slowed are leaner


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A hardware model: nominal figures and layout."""

    make: str
    model: str
    nominal_hashrate: float  # TH/s at nominal power
    nominal_power: int  # W
    min_power: int
    max_power: int
    boards: int = 3
    chips_per_board: int = 76
    fans: int = 4
    hydro: bool = False
    family: str = ""  # the simulated family serving it (``simulator/models.py``)
    firmware: str = ""  # the firmware version it reports out of the box


@dataclass(slots=True)
class SimPool:
    url: str
    user: str
    password: str = "x"
    alive: bool = True


@dataclass(slots=True)
class MinerState:
    """Everything a control can change and every reading derives from."""

    spec: ModelSpec
    mac: str = "02:00:00:00:00:01"
    serial: str = "SIM0000000001"
    hostname: str = "miner"
    firmware_version: str = "1.0.0"
    username: str = "root"
    password: str = "root"
    mining: bool = True
    power_limit: int | None = None  # None: nominal
    throttle: int = 100  # % of full power (VNish 1.3's mining/throttle): power follows live
    fault_light: bool = False
    work_mode: str = "normal"
    environment_temperature: float = 25.0
    # Fan settings (``thermal.py``), on the families whose firmware has fan controls.
    fan_mode: str = "auto"  # auto / manual / immersion
    fan_speed: int = 70  # the manual speed, %
    temperature_target: float = 60.0  # °C the auto fan curve holds
    errors: list[tuple[str, str]] = field(default_factory=list)
    pools: list[SimPool] = field(
        default_factory=lambda: [
            SimPool("stratum+tcp://pool.example.com:3333", "sim.worker1"),
            SimPool("stratum+tcp://backup.example.com:3333", "sim.worker1"),
        ]
    )
    pool_choice: int = 0  # the pool last switched to: first in the failover order
    fault: Fault | None = None
    boot_time: float = field(default_factory=time.time)
    reboot_until: float = 0.0
    backend_restarts: int = 0
    reboots: int = 0
    clock: float | None = None  # frozen "now" for tests that need exact uptime

    # -- time ----------------------------------------------------------------------

    def now(self) -> float:
        return self.clock if self.clock is not None else time.time()

    @property
    def rebooting(self) -> bool:
        return self.now() < self.reboot_until

    def reboot(self, seconds: float = REBOOT_SECONDS) -> None:
        self.reboots += 1
        self.reboot_until = self.now() + seconds
        self.boot_time = self.reboot_until

    def restart_backend(self) -> None:
        self.backend_restarts += 1
        self.boot_time = self.now()

    @property
    def uptime(self) -> int:
        return max(0, int(self.now() - self.boot_time))

    # -- physics -------------------------------------------------------------------

    @property
    def hashing(self) -> bool:
        return self.mining and not self.rebooting

    @property
    def effective_power_limit(self) -> int:
        return self.power_limit if self.power_limit is not None else self.spec.nominal_power

    @property
    def mode_factor(self) -> float:
        return {"low": 0.8, "high": 1.1, "sleep": 0.0}.get(self.work_mode, 1.0)

    @property
    def power(self) -> float:
        if not self.hashing or self.work_mode == "sleep":
            return IDLE_POWER_W
        full = min(self.effective_power_limit, self.spec.max_power) * self.mode_factor
        return round(full * (self.throttle / 100), 1)

    @property
    def hashrate(self) -> float:
        """TH/s: a bit sub-linear in power, as real chips get more efficient when slowed."""
        if not self.hashing or self.work_mode == "sleep":
            return 0.0
        ratio: float = (self.power / self.spec.nominal_power) ** HASHRATE_EXPONENT
        return round(self.spec.nominal_hashrate * ratio, self.hashrate_digits)

    def watts_for_hashrate(self, ths: float) -> int:
        """The power limit that gives ``ths`` TH/s (the inverse of ``hashrate``), within
        the model's power range: what a tuner aiming at a hashrate settles on."""
        spec = self.spec
        watts: float = spec.nominal_power * (ths / spec.nominal_hashrate) ** (1 / HASHRATE_EXPONENT)
        return min(spec.max_power, max(spec.min_power, round(watts)))

    @property
    def hashrate_digits(self) -> int:
        """Decimals of TH/s kept: 3 (a GH/s), more for Scrypt miners of a few GH/s."""
        nominal = self.spec.nominal_hashrate
        return 3 if nominal >= 0.1 else 3 + math.ceil(-math.log10(nominal))

    @property
    def expected_hashrate(self) -> float:
        return self.spec.nominal_hashrate

    def board_hashrates(self) -> list[float]:
        """Per-board TH/s summing exactly to ``hashrate``."""
        n = self.spec.boards
        if n == 0:
            return []
        weights = [1.0 + 0.01 * (i - (n - 1) / 2) for i in range(n)]
        total = sum(weights)
        digits = self.hashrate_digits
        rates = [round(self.hashrate * w / total, digits) for w in weights]
        rates[-1] = round(self.hashrate - sum(rates[:-1]), digits)
        return rates

    def chip_temperature(self, board: int) -> float:
        """The rise follows the load and, off the auto curve, the fans (``thermal.py``)."""
        if not self.hashing:
            return self.environment_temperature + 5
        load = self.power / self.spec.nominal_power
        rise = thermal.chip_rise(35 * load, self.auto_fan_percent(), self.fan_percent())
        return round(self.environment_temperature + rise + board, 1)

    def board_temperature(self, board: int) -> float:
        return round(self.chip_temperature(board) - 12, 1)

    def _curve_rpm(self) -> int:
        """The fans' own curve: faster with the load (the auto mode's base)."""
        if not self.hashing:
            return 1200
        return int(3000 + 2000 * self.power / self.spec.nominal_power)

    def auto_fan_percent(self) -> int:
        """The auto curve in % of ``FAN_MAX_RPM``, faster in a warm room or for a low target."""
        curve = 100 * self._curve_rpm() / FAN_MAX_RPM
        return thermal.auto_percent(curve, self.environment_temperature, self.temperature_target)

    def fan_percent(self) -> int:
        """The duty the fans run at: the manual speed, the curve in auto, 0 in immersion."""
        return thermal.running_percent(self.fan_mode, self.fan_speed, self.auto_fan_percent())

    def fan_rpms(self) -> list[int]:
        if self.fan_mode == thermal.AUTO and self.auto_fan_percent() == round(
            100 * self._curve_rpm() / FAN_MAX_RPM
        ):
            base = self._curve_rpm()  # the usual readings, unchanged by the model
        else:
            base = FAN_MAX_RPM * self.fan_percent() // 100
        return [base + 10 * i if base else 0 for i in range(self.spec.fans)]

    # -- pools ---------------------------------------------------------------------

    def pool_order(self) -> list[int]:
        """Failover order: the pool last switched to first, then the others as listed."""
        count = len(self.pools)
        first = self.pool_choice if 0 <= self.pool_choice < count else 0
        return [first, *(i for i in range(count) if i != first)] if count else []

    def current_pool(self) -> int | None:
        """The pool mined on: the first alive one in failover order; none while idle."""
        if not self.hashing:
            return None
        return next((i for i in self.pool_order() if self.pools[i].alive), None)

    def remove_pool(self, index: int) -> None:
        """Drop pool ``index``; the numbers after it close up, as cgminer's do."""
        del self.pools[index]
        if self.pool_choice > index:
            self.pool_choice -= 1
        elif self.pool_choice == index:
            self.pool_choice = 0

    def session_shares(self) -> tuple[int, int]:
        """(accepted, rejected) since boot, whichever pool took them (summaries)."""
        current = self.current_pool()
        return (0, 0) if current is None else self.shares(current)

    def shares(self, pool: int) -> tuple[int, int]:
        """(accepted, rejected) growing with uptime on the pool mined on only."""
        if pool != self.current_pool():
            return (0, 0)
        accepted = int(self.uptime * self.hashrate / 10)
        return (accepted, accepted // 200)
