"""The typed data model every family reads into.

Units are fixed here, once, so that no caller ever has to know which firmware said
"GHS 5s" and which said "hash-realtime": hashrate in TH/s, power in W, temperatures in
°C, fan speed in RPM, frequency in MHz, voltage in V, uptime in seconds, energy in kWh.
A value the miner did not report is ``None``; the driver never invents a zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

DEFAULT_RPC_PORT = 4028
DEFAULT_WEB_PORT = 80
DEFAULT_HTTPS_PORT = 443
DEFAULT_WHATSMINER_V3_PORT = 4433


@dataclass(frozen=True, slots=True)
class Ports:
    """TCP ports of one miner; any of them can be moved for port forwarding or tests."""

    rpc: int = DEFAULT_RPC_PORT
    web: int = DEFAULT_WEB_PORT
    https: int = DEFAULT_HTTPS_PORT
    whatsminer_v3: int = DEFAULT_WHATSMINER_V3_PORT

    def as_dict(self) -> dict[str, int]:
        return {
            "rpc": self.rpc,
            "web": self.web,
            "https": self.https,
            "whatsminer_v3": self.whatsminer_v3,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Ports:
        data = data or {}
        return cls(**{k: int(v) for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class Credentials:
    """Login for the miner's privileged API; ``None`` fields mean "the family's default"."""

    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never leak a password into a log line
        return (
            f"Credentials(username={self.username!r}, password={'***' if self.password else None})"
        )


class Control(StrEnum):
    """Every control a family may offer; a backend supports a subset."""

    MINING = "mining"  # pause / resume (sleep / wake on some firmware)
    FAULT_LIGHT = "fault_light"
    POWER_LIMIT = "power_limit"
    WORK_MODE = "work_mode"  # presets or power modes where the firmware has no wattage
    REBOOT = "reboot"
    RESTART_BACKEND = "restart_backend"
    FAN_MODE = "fan_mode"  # auto / manual / immersion, as the firmware names them
    FAN_SPEED = "fan_speed"  # the manual fan speed, in %
    TEMPERATURE_TARGET = "temperature_target"  # the chip or board temperature the firmware holds
    HASHRATE_TARGET = "hashrate_target"  # tuning by hashrate instead of watts
    POOLS = "pools"  # replace the configured pool list
    SWITCH_POOL = "switch_pool"  # make another configured pool the active one
    THROTTLE = "throttle"  # a percentage of full power, applied live (VNish 1.3)


ALL_CONTROLS: frozenset[Control] = frozenset(
    {
        Control.MINING,
        Control.FAULT_LIGHT,
        Control.POWER_LIMIT,
        Control.WORK_MODE,
        Control.REBOOT,
        Control.RESTART_BACKEND,
    }
)
"""The basic controls LuxOS, VNish and Whatsminer firmware all offer; the fan, target
and pool controls are added per family where its firmware really has them."""


class Algorithm(StrEnum):
    """What a miner hashes; decides the unit its hashrate is shown in.

    The snapshot keeps every hashrate in TH/s whatever the algorithm, so sums and
    comparisons stay simple; the display unit is chosen from the algorithm.
    """

    SHA256 = "sha256"  # Bitcoin
    SCRYPT = "scrypt"  # Litecoin, Dogecoin
    KHEAVYHASH = "kheavyhash"  # Kaspa
    BLAKE3 = "blake3"  # Alephium
    EAGLESONG = "eaglesong"  # Nervos CKB
    X11 = "x11"  # Dash
    EQUIHASH = "equihash"  # Zcash
    BLAKE2S = "blake2s"  # Kadena (Blake2S)
    ETHASH = "ethash"  # Ethereum Classic


@dataclass(frozen=True, slots=True)
class MinerIdentity:
    """What a miner is; stable across polls, so Home Assistant can store it."""

    make: str
    model: str
    family: str  # registry key of the firmware family, e.g. "antminer", "braiins"
    firmware: str  # human name of the firmware, e.g. "Braiins OS", "Stock"
    backend: str  # the family backend that speaks to this firmware release
    firmware_version: str | None = None
    api_version: str | None = None
    mac: str | None = None
    serial: str | None = None
    hostname: str | None = None
    control_board: str | None = None
    supported: bool = True  # False when the model is unknown to the hardware table
    algorithm: Algorithm = Algorithm.SHA256

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MinerIdentity:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        # Entries stored before the algorithm existed hold none: they were all SHA-256.
        algorithm = known.pop("algorithm", None)
        try:
            known["algorithm"] = Algorithm(algorithm) if algorithm else Algorithm.SHA256
        except ValueError:
            known["algorithm"] = Algorithm.SHA256
        return cls(**known)


@dataclass(frozen=True, slots=True)
class Board:
    """One hashboard (chain)."""

    index: int
    hashrate: float | None = None
    expected_hashrate: float | None = None
    board_temperature: float | None = None
    chip_temperature: float | None = None
    inlet_temperature: float | None = None
    outlet_temperature: float | None = None
    chips: int | None = None
    expected_chips: int | None = None
    frequency: float | None = None
    voltage: float | None = None
    serial: str | None = None
    # Hashing as it should; ``None`` while mining is paused on purpose (not a fault).
    active: bool | None = None


@dataclass(frozen=True, slots=True)
class Fan:
    """One fan; ``psu`` marks the power supply's own fan."""

    index: int
    rpm: int | None = None
    percent: int | None = None
    psu: bool = False


class FanMode(StrEnum):
    """How the firmware drives its fans; each firmware offers a subset."""

    AUTO = "auto"  # the firmware's own curve, towards its temperature target
    MANUAL = "manual"  # a fixed speed in %, above a floor that protects the hardware
    IMMERSION = "immersion"  # fans off or absent: hashboards in a cooling liquid


@dataclass(frozen=True, slots=True)
class Cooling:
    """The fan settings the firmware keeps (the fans' readings are ``Fan``).

    ``speed_range`` is what the firmware takes for the manual speed, floor first: the
    floor protects air-cooled hardware (0 only in immersion). ``modes``, ``speed_range``
    and ``target_range`` are the firmware's own where it reports them, else the
    backend's documented ones; a setting it did not send is ``None``.
    """

    mode: FanMode | None = None
    modes: tuple[FanMode, ...] = ()
    speed: int | None = None  # the manual speed setting, %
    speed_range: tuple[int, int] | None = None
    target_temperature: float | None = None  # °C the firmware's fan curve holds
    target_range: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Pool:
    """One configured pool with its share counters.

    ``priority`` is the firmware's own failover order (0 first) where the reply names
    it; ``status`` its status word as sent ("Alive", "Dead", "Disabled"), ``stale``
    the stale shares it counts. Each is ``None`` where the firmware does not say.
    """

    index: int
    url: str
    user: str | None = None
    alive: bool | None = None
    active: bool | None = None
    accepted: int | None = None
    rejected: int | None = None
    priority: int | None = None
    stale: int | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class PoolConfig:
    """One pool to write: URL, worker and password (never shown in a ``repr``)."""

    url: str
    user: str
    password: str = field(default="x", repr=False)


@dataclass(frozen=True, slots=True)
class MinerErrorEntry:
    """One fault the firmware reports (code where it has one, text where it has one)."""

    message: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class PowerLimitRange:
    """Bounds and step the firmware accepts for a power limit, in W.

    ``levels`` lists the only wattages a preset or profile firmware (LuxOS, VNish) can
    actually run at, lowest first; empty where any value on the step is reachable.
    Automations need them to aim at a level the miner will report back.
    """

    minimum: int
    maximum: int
    step: int = 1
    levels: tuple[int, ...] = ()

    @classmethod
    def from_levels(cls, watts: Iterable[int | None]) -> PowerLimitRange | None:
        """The range spanning a preset or profile list's wattages; ``None`` without any."""
        levels = tuple(sorted({w for w in watts if w is not None}))
        return cls(levels[0], levels[-1], levels=levels) if levels else None


@dataclass(frozen=True, slots=True)
class MinerSnapshot:
    """Everything one poll learned about a miner."""

    identity: MinerIdentity
    hashrate: float | None = None
    expected_hashrate: float | None = None
    power: float | None = None
    power_limit: float | None = None
    power_limit_range: PowerLimitRange | None = None
    environment_temperature: float | None = None
    boards: tuple[Board, ...] = ()
    fans: tuple[Fan, ...] = ()
    pools: tuple[Pool, ...] = ()
    # ``None``: the errors could not be read; ``()``: the miner said there are none.
    errors: tuple[MinerErrorEntry, ...] | None = None
    uptime: int | None = None  # seconds since the system (not the mining process) booted
    # ``False`` only when the firmware says mining is paused on purpose (sleep, curtail,
    # soft-off, stopped); ``None`` when neither a state field nor a hashrate says.
    mining: bool | None = None
    fault_light: bool | None = None
    work_mode: str | None = None
    work_modes: tuple[str, ...] = ()
    energy: float | None = None  # kWh, only where the firmware keeps its own counter
    cooling: Cooling | None = None  # fan mode, manual speed, temperature target
    controls: frozenset[Control] = field(default_factory=frozenset)
    # TH/s the tuner aims at where it tunes by hashrate (Braiins OS), and the bounds
    # the firmware accepts (``None`` where it does not say).
    hashrate_target: float | None = None
    hashrate_target_range: tuple[float, float] | None = None
    # Percent of full power the firmware throttles to (VNish 1.3 ``miner_status.throttled``).
    throttle: int | None = None

    @property
    def efficiency(self) -> float | None:
        """J/TH: the figure miner owners compare models by."""
        if self.power is None or not self.hashrate:
            return None
        return round(self.power / self.hashrate, 2)

    @property
    def chip_temperature(self) -> float | None:
        """Hottest chip across boards: what throttling and alarms key on."""
        return _hottest(b.chip_temperature for b in self.boards)

    @property
    def board_temperature(self) -> float | None:
        return _hottest(b.board_temperature for b in self.boards)

    @property
    def active_pool(self) -> Pool | None:
        for pool in self.pools:
            if pool.active:
                return pool
        return None

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form for the CLI and Home Assistant diagnostics."""
        from dataclasses import asdict

        data = asdict(self)
        data["controls"] = sorted(c.value for c in self.controls)
        data["efficiency"] = self.efficiency
        return data


def _hottest(temperatures: Iterable[float | None]) -> float | None:
    """The highest of the readings; ``None`` where no board has one."""
    return max((t for t in temperatures if t is not None), default=None)
