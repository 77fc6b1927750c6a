"""What the VNish APIs of one simulated unit share: presets, release, tokens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from aiohttp import web

from ... import thermal
from ...miner import SimMiner, SimPorts
from ...state import MinerState

API = "/api/v1"
ROOT_HTML = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>AnthillOS</title></head>"
    '<body><div id="app"></div><script src="/assets/index.js"></script></body></html>'
)
MAX_UNLOCK_FAILURES = 5
LOCKOUT_SECONDS = 60
TOKEN_TTL = 3600.0
DEVFEE_URL = "stratum+tcp://devfee.anthill.example:3333"
FAN_MAX_RPM = 6000

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class PresetSpec:
    watts: int
    tuned: bool
    suffix: str = ""  # " LC" on some firmware builds


@dataclass(frozen=True, slots=True)
class Profile:
    """What the model's firmware build offers (its release is in simulator/models.py)."""

    presets: tuple[PresetSpec, ...]
    default_preset: int  # watts of the preset running out of the box
    platform: str  # control board: aml, bb, cv, xil
    frequency: int  # MHz at nominal power


def _presets(tuned: dict[int, bool], lc: int | None = None) -> tuple[PresetSpec, ...]:
    return tuple(PresetSpec(w, t, " LC" if w == lc else "") for w, t in sorted(tuned.items()))


PROFILES = {
    "S19": Profile(
        _presets(
            {2200: False, 2500: True, 2800: True, 3000: True, 3250: True, 3400: True, 3600: False}
        ),
        3250,
        "xil",
        525,
    ),
    "S19j Pro": Profile(
        _presets({2400: True, 2700: True, 3068: True, 3300: False, 3500: True}),
        3068,
        "aml",
        500,
    ),
    "S21": Profile(
        _presets(
            {2600: True, 3000: True, 3300: False, 3500: True, 3800: True, 4000: False}, lc=4000
        ),
        3500,
        "cv",
        490,
    ),
}


RPC_DESCRIPTION = "bmminer 1.0.0"


def uptime_text(seconds: int) -> str:
    """The way the firmware prints system uptime: minute resolution, busybox style."""
    days, rest = divmod(max(0, seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    clock = f"{minutes} min" if hours == 0 else f"{hours}:{minutes:02d}"
    if days:
        return f"{days} day{'s' if days > 1 else ''}, {clock}"
    return clock


class VnishBase(SimMiner):
    default_username = "admin"
    default_password = "admin"

    def __init__(self, host: str, state: MinerState, ports: SimPorts | None = None) -> None:
        super().__init__(host, state, ports)
        self.profile = PROFILES[state.spec.model]
        self.release = state.spec.firmware
        self.tokens: dict[str, tuple[float, int]] = {}  # token -> (issued, reboots)
        self.token_ttl = TOKEN_TTL
        self.unlocks = 0  # successful unlocks, for tests counting logins
        self.failed_unlocks = 0
        self.locked_until = 0.0
        self.toggles = 0  # LED actions received
        self.find_miner = True  # False: a 1.3 build that dropped the deprecated action
        self.screen_lock = False  # True: the public endpoints want a token too

    @classmethod
    def create(
        cls, host: str, model: str, ports: SimPorts | None = None, **overrides: Any
    ) -> SimMiner:
        """Like the base, plus ``release=`` to run another firmware release and
        ``find_miner=False`` for a 1.3 build without the deprecated ``find-miner``."""
        profile = PROFILES[model]
        release = str(overrides.pop("release", cls.models[model].firmware))
        find_miner = bool(overrides.pop("find_miner", True))
        defaults: dict[str, Any] = {
            "firmware_version": release,
            "power_limit": profile.default_preset,
        }
        sim = cast(VnishBase, super().create(host, model, ports, **defaults | overrides))
        sim.release = release
        sim.find_miner = find_miner or not sim.v1_3
        return sim

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "release": self.release}

    # -- model of the firmware ---------------------------------------------------------

    @property
    def v1_3(self) -> bool:
        major, minor = (int(p) for p in self.release.split("-")[0].split(".")[:2])
        return (major, minor) >= (1, 3)

    @property
    def type_name(self) -> str:
        return f"Antminer {self.state.spec.model} (Vnish {self.release})"

    @property
    def preset_name(self) -> str:
        limit = self.state.power_limit
        return "disabled" if limit is None else str(limit)

    def preset_hashrate(self, watts: int) -> float:
        """TH/s the physics gives at this power (what the firmware tuned it to)."""
        spec = self.state.spec
        ratio: float = (min(watts, spec.max_power) / spec.nominal_power) ** 0.85
        return spec.nominal_hashrate * ratio

    # -- fans: ``miner.cooling.mode`` in settings (``immers``) and in the summary -------

    def settings_fan_mode(self) -> dict[str, Any]:
        s = self.state
        if s.fan_mode == thermal.MANUAL:
            return {"name": "manual", "param": s.fan_speed}
        if s.fan_mode == thermal.IMMERSION:
            return {"name": "immers"}
        return {"name": "auto", "param": round(s.temperature_target)}

    def summary_fan_mode(self) -> dict[str, Any]:
        """1.3 spells immersion out and gives the parameter; 1.2 names the mode only."""
        mode = self.settings_fan_mode()
        if mode["name"] == "immers":
            mode = {"name": "immersion"}
        return mode if self.v1_3 else {"name": mode["name"]}

    def apply_fan_mode(self, mode: Any) -> bool:
        """A ``ModeRaw`` from a settings POST; anything else is refused."""
        if not isinstance(mode, dict):
            return False
        name, param = mode.get("name"), mode.get("param")
        if name == "immers":
            self.state.fan_mode = thermal.IMMERSION
            return True
        if name not in ("auto", "manual") or not isinstance(param, int) or param < 0:
            return False
        if name == "manual":
            if param > 100:
                return False
            self.state.fan_speed = param
        else:
            self.state.temperature_target = float(param)
        self.state.fan_mode = name
        return True

    def tuned_watts(self) -> set[int]:
        return {p.watts for p in self.profile.presets if p.tuned}

    def expire_tokens(self) -> None:
        """Forget every token, as their expiry or a firmware restart does."""
        self.tokens.clear()

    def _token_ok(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return False  # the bare token pyasic once sent is not what the API takes
        issued = self.tokens.get(header[len("Bearer ") :].strip())
        if issued is None:
            return False
        at, reboots = issued
        return reboots == self.state.reboots and self.state.now() - at < self.token_ttl

    @property
    def miner_state(self) -> str:
        return "mining" if self.state.mining else "stopped"
