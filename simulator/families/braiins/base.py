"""What every Braiins API of one simulated unit shares: release, logins, board layout."""

from __future__ import annotations

import secrets
from typing import Any

from ...miner import SimMiner, SimPorts
from ...state import MinerState
from .releases import RELEASES, Release

LUCI_USER_AGENT = "BTC Tools v0.1"
ROOT_HTML = (
    "<!DOCTYPE html><html><head><title>Braiins OS</title></head>"
    '<body><div id="root">Braiins OS web interface</div></body></html>'
)
DEFAULT_RELEASE = "25.07"


def release_of(firmware: str) -> str:
    """The release key whose full version is ``firmware`` (the model table's entry)."""
    for key, release in RELEASES.items():
        if release.full == firmware:
            return key
    return DEFAULT_RELEASE


class BraiinsBase(SimMiner):
    """State and helpers the RPC, REST and GraphQL modules all use."""

    release: Release

    def __init__(self, host: str, state: MinerState, ports: SimPorts | None = None) -> None:
        super().__init__(host, state, ports)
        self.release = RELEASES[release_of(state.spec.firmware)]
        self.sessions: dict[str, int] = {}  # token or cookie -> reboot count when issued

    @classmethod
    def create(
        cls, host: str, model: str, ports: SimPorts | None = None, **overrides: Any
    ) -> SimMiner:
        """Like the base, plus ``release=`` to run another firmware generation."""
        default = release_of(cls.models[model].firmware)
        release = RELEASES[str(overrides.pop("release", default))]
        password_given = "password" in overrides
        sim = super().create(host, model, ports, **overrides)
        assert isinstance(sim, BraiinsBase)
        sim.release = release
        sim.state.firmware_version = release.full
        if not password_given:
            sim.state.password = release.default_password
        return sim

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "release": self.release.full}

    @property
    def bosminer_running(self) -> bool:
        """The REST release pauses in-process; older ones stop bosminer altogether."""
        return self.release.rest or self.state.mining

    @property
    def chain_ids(self) -> list[int]:
        first = 6 if self.state.spec.model == "S9" else 1
        return [first + i for i in range(self.state.spec.boards)]

    def _new_session(self) -> str:
        token = secrets.token_hex(16)
        self.sessions[token] = self.state.reboots
        return token

    def _session_ok(self, token: str | None) -> bool:
        return token is not None and self.sessions.get(token) == self.state.reboots

    def revoke_sessions(self) -> None:
        """Forget every login, as a firmware restart does."""
        self.sessions.clear()

    def _credentials_ok(self, username: Any, password: Any) -> bool:
        return bool(username == self.state.username and password == self.state.password)

    def _set_power_target(self, watt: Any) -> str | None:
        """Apply a power target; return why it was refused, or ``None``."""
        spec = self.state.spec
        if not isinstance(watt, int) or isinstance(watt, bool):
            return "power target must be an integer number of watts"
        if not spec.min_power <= watt <= spec.max_power:
            return f"power target {watt} W is outside {spec.min_power}-{spec.max_power} W"
        self.state.power_limit = watt
        return None

    def _model_name(self) -> str:
        model = self.state.spec.model
        return f"Bitmain Antminer {model}" if not self.release.rest else f"Antminer {model}"

    def _frequency_hz(self, board: int) -> int:
        base = 650 if self.state.spec.model == "S9" else 525
        return (base + 5 * board) * 1_000_000

    def _fan_slots(self) -> list[int]:
        """RPM per fan slot: bosminer lists four, unused ones at 0 (S9 has two fans)."""
        rpms = self.state.fan_rpms()
        return rpms + [0] * max(0, 4 - len(rpms))

    def _board_serial(self, board: int) -> str:
        return f"{self.state.serial[:12]}HB{board + 1}"
