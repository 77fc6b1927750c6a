"""AxeOS releases, the boards (ESP-Miner's device table) and the physics every reply
reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from ... import thermal
from ...miner import SimMiner, SimPorts
from ...models import models_of
from ...state import MinerState, ModelSpec

IDLE_W = 3.2  # a Bitaxe with its chip powered down: ESP32, display, fan
NERD_IDLE_W = 9.5
NERD_VERSION = models_of("bitaxe")["NerdQAxe++"].firmware
IDENTIFY_SECONDS = 30.0
ASIC_EFFICIENCY = 0.97  # measured hashrate against frequency * cores * chips


@dataclass(frozen=True, slots=True)
class Release:
    """What an AxeOS release serves, as far as a client can tell."""

    version: str
    asic_api: bool  # GET /api/system/asic (2.7)
    device_in_asic: bool  # deviceModel/asicCount there, expectedHashrate in info (2.9)
    newer_info: bool  # temp2, fan2rpm, identify (2.10-2.12)
    pause: bool  # pause / resume, miningPaused, actualFrequency (2.14)


RELEASES = {
    "2.4.5": Release("v2.4.5", False, False, False, False),
    "2.8.0": Release("v2.8.0", True, False, False, False),
    "2.12.0": Release("v2.12.0", True, True, True, False),
    "2.14.2": Release("v2.14.2", True, True, True, True),
}


@dataclass(frozen=True, slots=True)
class Device:
    """The board: chip, chip count, presets (ESP-Miner's device table)."""

    device_model: str
    asic: str
    board_version: str | None
    small_cores: int
    default_frequency: int
    frequency_options: tuple[float, ...]
    default_voltage: int
    voltage_options: tuple[int, ...]
    nerd: bool = False  # the NerdQAxe firmware, not AxeOS


_BM1370_FREQUENCIES = (400, 490, 525, 550, 600, 625)
_BM1370_VOLTAGES = (1000, 1060, 1100, 1150, 1200, 1250)
DEVICES = {
    "Gamma": Device(
        "Gamma", "BM1370", "601", 2040, 525, _BM1370_FREQUENCIES, 1150, _BM1370_VOLTAGES
    ),
    "Gamma Turbo": Device(
        "GammaTurbo",
        "BM1370",
        "801",
        2040,
        525,
        _BM1370_FREQUENCIES,
        1150,
        _BM1370_VOLTAGES,
    ),
    "Supra": Device(
        "Supra",
        "BM1368",
        "401",
        1276,
        490,
        (400, 425, 450, 475, 485, 490, 500, 525, 550, 575),
        1166,
        (1100, 1150, 1166, 1200, 1250, 1300),
    ),
    "NerdQAxe++": Device(
        "NerdQAxe++",
        "BM1370",
        None,
        2040,
        600,
        (500, 515, 525, 550, 575, 590, 600),
        1150,
        (1120, 1130, 1140, 1150, 1160, 1170, 1180, 1190, 1200),
        nerd=True,
    ),
}

_AXEOS_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AxeOS</title>'
    '<base href="/"></head><body><app-root></app-root></body></html>'
)
_NERD_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<title>Nerd* Dashboard</title><base href="/"></head><body><app-root></app-root>'
    "</body></html>"
)
_UINT16 = 65535


def _split_pool(url: str) -> tuple[str, int]:
    """``stratum+tcp://host:3333`` → ``("host", 3333)``: AxeOS stores them apart."""
    parts = urlsplit(url if "://" in url else f"stratum+tcp://{url}")
    return parts.hostname or "", parts.port or 3333


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class BitaxeBase(SimMiner):
    firmware_version = RELEASES["2.14.2"].version
    models: ClassVar[dict[str, ModelSpec]] = models_of("bitaxe")

    release: Release
    device: Device

    def __init__(self, host: str, state: MinerState, ports: SimPorts | None = None) -> None:
        super().__init__(host, state, ports)
        self.device = DEVICES[state.spec.model]
        # The AxeOS release the model table gives the model (the NerdQAxe's own
        # firmware serves the newest AxeOS routes it copies).
        self.release = RELEASES.get(state.spec.firmware.removeprefix("v"), RELEASES["2.14.2"])
        self.core_voltage = self.device.default_voltage
        self.otp = False  # NerdQAxe: writes need a one-time password
        self.refuse_clients = False  # AxeOS: the client is outside the private networks
        self.identify_until = 0.0
        self.patches: list[dict[str, Any]] = []  # every PATCH body, for tests

    @classmethod
    def create(
        cls, host: str, model: str, ports: SimPorts | None = None, **overrides: Any
    ) -> SimMiner:
        """Like the base, plus ``release="2.8.0"`` (AxeOS) and ``otp=True`` (NerdQAxe)."""
        release = overrides.pop("release", None)
        otp = bool(overrides.pop("otp", False))
        sim = super().create(host, model, ports, **overrides)
        assert isinstance(sim, BitaxeBase)
        if release is not None:
            sim.release = RELEASES[str(release)]
        sim.otp = otp
        if "work_mode" not in overrides:
            sim.state.work_mode = str(sim.device.default_frequency)
        sim.state.firmware_version = NERD_VERSION if sim.device.nerd else sim.release.version
        if "hostname" not in overrides:
            prefix = "nerdqaxe" if sim.device.nerd else "bitaxe"
            sim.state.hostname = f"{prefix}-{host.rsplit('.', maxsplit=1)[-1]}"
        return sim

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "firmware": self.state.firmware_version}

    # -- physics (public: tests compare the driver's snapshot with these) ------------

    @property
    def chips(self) -> int:
        return self.state.spec.chips_per_board

    @property
    def frequency(self) -> float:
        """The frequency setting in MHz (``state.work_mode``), applied live."""
        try:
            return float(self.state.work_mode)
        except ValueError:
            return float(self.device.default_frequency)

    @property
    def load(self) -> float:
        return self.frequency / self.device.default_frequency if self.state.hashing else 0.0

    def expected_ghs(self) -> float:
        return round(self.frequency * self.device.small_cores * self.chips / 1000, 3)

    def hashrate_ghs(self) -> float:
        return round(self.expected_ghs() * ASIC_EFFICIENCY, 2) if self.state.hashing else 0.0

    def power_w(self) -> float:
        if not self.state.hashing:
            return NERD_IDLE_W if self.device.nerd else IDLE_W
        return round(float(self.state.spec.nominal_power * self.load**1.2), 2)

    def chip_temps(self) -> list[float]:
        """Per chip; -1 on a Bitaxe whose chip is powered down (its diode reads nothing).

        The rise follows the load and, off the auto curve, the fan (``thermal.py``).
        """
        env = self.state.environment_temperature
        if not self.state.hashing:
            return [round(env + 2, 1) if self.device.nerd else -1.0] * self.chips
        rise = thermal.chip_rise(30 * self.load, self.auto_fan_percent(), self.fan_percent())
        return [round(env + rise + 0.5 * i, 1) for i in range(self.chips)]

    def vr_temp(self) -> float:
        return round(self.state.environment_temperature + 3 + 22 * self.load, 1)

    def fan_rpms(self) -> list[int]:
        if self.fan_percent() == self.auto_fan_percent():
            return [2400 + int(2600 * self.load) + 150 * i for i in range(self.state.spec.fans)]
        rpm = int(5000 * self.fan_percent() / 80)
        return [rpm + 150 * i if rpm else 0 for i in range(self.state.spec.fans)]

    def auto_fan_percent(self) -> int:
        """AxeOS's auto curve: with the load, the room and the target (``temptarget``)."""
        s = self.state
        return thermal.auto_percent(
            35 + int(45 * self.load), s.environment_temperature, s.temperature_target
        )

    def fan_percent(self) -> int:
        """The duty the fan runs at (``fanspeed``)."""
        s = self.state
        return thermal.running_percent(s.fan_mode, s.fan_speed, self.auto_fan_percent())

    def core_voltage_actual(self) -> int:
        return self.core_voltage - 6 if self.state.hashing else 0

    def shares(self) -> tuple[int, int]:
        accepted = int(self.state.uptime * self.hashrate_ghs() / 40)
        return accepted, accepted // 250

    def faults(self) -> dict[str, str]:
        return dict(self.state.errors)
