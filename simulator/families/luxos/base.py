"""What LUXminer's read and privileged commands share: profiles, the session, the
reply envelope."""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass
from typing import Any

from ... import cgminer
from ...cgminer import PoolRow
from ...miner import SimMiner, SimPorts
from ...models import LUXOS_VERSION
from ...state import MinerState

VERSION = LUXOS_VERSION
SESSION_SECONDS = 60.0
ROOT_HTML = (
    "<!DOCTYPE html><html><head><title>Luxor Firmware</title></head>"
    '<body><div id="app">Luxor Firmware - LuxOS</div></body></html>'
)
READ_COMMANDS = frozenset(
    {"version", "summary", "stats", "pools", "fans", "power", "config", "profiles", "atm"}
    | {"events", "temps", "devs", "tempctrl"}
)
LED_MODES = frozenset({"on", "off", "blink", "auto"})


@dataclass(frozen=True, slots=True)
class SimProfile:
    name: str
    frequency: int  # MHz
    voltage: float
    watts: int
    step: str


def _ladder(eco: SimProfile, volts: float, watts: tuple[int, ...]) -> tuple[SimProfile, ...]:
    """LUXminer's frequency steps -2..+1 around the 465 MHz "default" (25 MHz and
    0.2 V a step, ``volts`` at the default), after the user-made ``eco``."""
    ladder = [eco]
    for step, watt in zip(range(-2, 2), watts, strict=True):
        mhz = 465 + 25 * step
        name = "default" if step == 0 else f"{mhz}MHz"
        label = "0" if step == 0 else f"{step:+d}"
        ladder.append(SimProfile(name, mhz, round(volts + 0.2 * step, 1), watt, label))
    return tuple(ladder)


# Listed lowest first, as LUXminer lists them; "eco" is a user-made profile. The
# "default" profile draws the model's nominal power.
PROFILES: dict[str, tuple[SimProfile, ...]] = {
    "S19 XP": _ladder(SimProfile("eco", 340, 12.9, 1950, ""), 13.7, (2480, 2720, 3010, 3290)),
    "S21": _ladder(SimProfile("eco", 380, 12.6, 2450, ""), 13.3, (2860, 3180, 3500, 3800)),
}
CONTROL_BOARDS = {"S19 XP": "xilinx", "S21": "amlogic"}
SPOOFING_MODELS = {"S19 XP"}  # older-style version reply posing as bmminer


DESCRIPTION = f"LUXminer {VERSION}"


def _pool_extra(row: PoolRow) -> dict[str, Any]:
    accepted, rejected, active = row.accepted, row.rejected, row.active
    return {
        "AsicBoost": True,
        "Bad Work": 0,
        "Best Share": 65536 if accepted else 0,
        "Current Block Height": 0,
        "Current Block Version": 536870912 if accepted else 0,
        "Diff": "32K" if active else "0",
        "Diff1 Shares": accepted * 32768,
        "Difficulty Accepted": accepted * 32768,
        "Difficulty Rejected": rejected * 32768,
        "Difficulty Stale": 0,
        "Discarded": 0,
        "GROUP": 0,
        "Get Failures": 0,
        "Getworks": accepted // 4,
        "Has GBT": False,
        "Has Stratum": True,
        "Has Vmask": True,
        "Last Share Difficulty": 32768 if accepted else 0,
        "Last Share Time": "00:00:02" if active else "00:00:00",
        "Long Pool": "N",
        "Pool Rejected%": 0.0,
        "Pool Stale%": 0.0,
        "Priority": row.priority,
        "Proxy": "",
        "Proxy Type": "",
        "Quota": 1.0,
        "Remote Failures": 0,
        "Stale": 0,
        "Stratum Difficulty": 32768 if active else 0,
        "Stratum URL": row.pool.url.split("://")[-1],
        "Work Difficulty": 32768 if active else 0,
        "Works": 0,
    }


class LuxosBase(SimMiner):
    firmware_version = VERSION
    default_username = ""
    default_password = ""

    def __init__(self, host: str, state: MinerState, ports: SimPorts | None = None) -> None:
        super().__init__(host, state, ports)
        self.profiles = PROFILES[state.spec.model]
        self.atm_enabled = True
        self.red_led = "auto"  # the mode last set; state.fault_light is the truth
        self.session_seconds = SESSION_SECONDS
        self.refuse_sessions = False  # every session ID refused (a broken LUXminer)
        self.multicommand = True  # False: a release refusing ``a+b`` (one command each)
        self.logon_race = False  # another tool logs on just before our next ``logon``
        self.drop_on_reboot = False  # rebootdevice cuts the connection before answering
        self._session: str | None = None
        self._session_used = 0.0
        self._session_epoch = (0, 0)
        self.logons = 0
        self.refused = 0  # privileged commands refused for their session ID
        self.log: list[str] = []  # privileged commands run, without the session ID

    @classmethod
    def create(
        cls, host: str, model: str, ports: SimPorts | None = None, **overrides: Any
    ) -> SimMiner:
        """Like the base; the miner starts on the "default" profile unless told otherwise."""
        overrides.setdefault("work_mode", "default")
        sim = super().create(host, model, ports, **overrides)
        assert isinstance(sim, LuxosBase)
        profile = sim.profile(sim.state.work_mode)
        if profile is not None and "power_limit" not in overrides:
            sim.state.power_limit = profile.watts
        return sim

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "profile": self.state.work_mode}

    def profile(self, name: str) -> SimProfile | None:
        for profile in self.profiles:
            if profile.name == name:
                return profile
        return None

    # -- sessions ----------------------------------------------------------------------

    @property
    def _epoch(self) -> tuple[int, int]:
        return (self.state.reboots, self.state.backend_restarts)

    @property
    def active_session(self) -> str | None:
        """The session ID, until a minute without use, logoff, reboot or resetminer."""
        if self._session is None:
            return None
        if (
            time.monotonic() - self._session_used > self.session_seconds
            or self._session_epoch != self._epoch
        ):
            self._session = None
        return self._session

    def open_session(self) -> str:
        """What ``logon`` does; also lets a test play another tool holding the session."""
        self._session = "".join(
            secrets.choice(string.ascii_letters + string.digits) for _ in range(8)
        )
        self._session_used = time.monotonic()
        self._session_epoch = self._epoch
        return self._session

    def expire_session(self) -> None:
        """End the session as a minute without use would."""
        self._session = None

    def _encode(self, payload: dict[str, Any]) -> bytes:
        return cgminer.encode(payload)

    def _error(self, msg: str, code: int) -> dict[str, Any]:
        return cgminer.error(msg, code, DESCRIPTION)

    def _wrap(self, msg: str, code: int, key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        return cgminer.reply(key, items, msg, code, DESCRIPTION)
