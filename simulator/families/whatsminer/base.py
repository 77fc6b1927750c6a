"""What the Whatsminer API generations of one simulated unit share: profiles, logins,
the readings both API v2 and v3 report."""

from __future__ import annotations

import secrets
import socket
from dataclasses import dataclass, replace
from typing import Any, cast

from ...miner import SimMiner, SimPorts
from ...state import MinerState
from .crypto import SALT_CHARS

TOKEN_SECONDS = 30 * 60 + 60  # a little longer than a client keeps one
MAX_TOKENS = 16
TS_WINDOW = 300  # seconds a v3 write's ts may differ from the miner's clock
ERROR_TIME = "2024-06-15 10:30:00"
_MODES = ("low", "normal", "high")


@dataclass(frozen=True, slots=True)
class _Profile:
    type_name: str  # what btminer calls the model, variant included
    api: str
    v3: bool
    frequency: int  # MHz per chip at nominal load
    psu: str
    v1: bool = False  # API 1.x: errors in summary, no get_miner_info / get_error_code
    firmware: str = ""  # filled from the model table (simulator/models.py)


PROFILES = {
    "M20S": _Profile("M20S_V10", "1.4.0", False, 625, "P21", v1=True),
    "M30S+": _Profile("M30S+_VE40", "2.0.5", False, 595, "P221"),
    "M60S": _Profile("M60S_VK40", "3.0.2", True, 625, "P221B"),
}


def _salt() -> str:
    return "".join(secrets.choice(SALT_CHARS) for _ in range(8))


class _HeldPort:
    """A port bound but never listened on: connections are refused, and no other
    simulated miner can take the address (the test runner skips busy addresses)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._sock: socket.socket | None = None

    async def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self._sock = sock

    async def stop(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class WhatsminerBase(SimMiner):
    default_username = "admin"
    default_password = "admin"

    def __init__(self, host: str, state: MinerState, ports: SimPorts | None = None) -> None:
        super().__init__(host, state, ports)
        self.profile = replace(PROFILES[state.spec.model], firmware=state.spec.firmware)
        self.write_api_enabled = True
        self.rpc_4028 = True
        self.power_unknown = False
        self.factory_hash_unknown = False
        self.salt = _salt()  # the admin password entry's crypt salt (v2) / API salt (v3)
        self.tokens: dict[str, float] = {}  # v2 host_sign -> valid until (monotonic)
        self.privileged_commands: list[str] = []
        self.tokens_issued = 0

    @classmethod
    def create(
        cls,
        host: str,
        model: str,
        ports: SimPorts | None = None,
        *,
        write_api_enabled: bool = True,
        rpc_4028: bool | None = None,
        power_unknown: bool = False,
        factory_hash_unknown: bool = False,
        **overrides: Any,
    ) -> SimMiner:
        profile = PROFILES[model]
        login = ("super", "super") if profile.v3 else ("admin", "admin")
        defaults = {"username": login[0], "password": login[1]}
        miner = cast(WhatsminerBase, super().create(host, model, ports, **defaults | overrides))
        miner.write_api_enabled = write_api_enabled
        if rpc_4028 is not None:
            miner.rpc_4028 = rpc_4028
        miner.power_unknown = power_unknown
        miner.factory_hash_unknown = factory_hash_unknown
        return miner

    def expire_tokens(self) -> None:
        """Forget every v2 token handed out, as a reboot or a long wait would."""
        self.tokens.clear()

    # -- shared readings -----------------------------------------------------------

    def frequency(self) -> int:
        return self.profile.frequency if self.state.hashing else 0

    def psu_fan(self) -> int:
        return 6300 if self.state.hashing else 2100

    def led_status(self) -> str:
        return "manual" if self.state.fault_light else "auto"

    def pcb_serial(self, board: int) -> str:
        return f"{self.state.serial[-8:]}PCB{board}"

    def chip_temps(self, board: int) -> tuple[float, float, float]:
        top = self.state.chip_temperature(board)
        return (round(top - 6, 1), round(top - 3, 1), top)
