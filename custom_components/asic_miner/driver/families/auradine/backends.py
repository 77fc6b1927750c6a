"""The one FluxOS backend: gcminer RPC for the mining figures, the 8080 API for the rest.

Controls as asic-rs's FluxOS client sends them (protocols.md §7.2): sleep / wake and
the power target through ``mode``, the named operating modes through ``mode`` too,
the locate light through ``led`` (3 on, 2 back to normal), ``restart`` for a reboot
and ``restart {"parameter": "gcminer"}`` for the mining software. Pools: asic-rs's
``updatepools`` with the list ``{"pools": [{url, user, pass}]}`` (an empty password sent
as ``x``), read back from gcminer's ``pools``, which sends no passwords (a restored pool
gets ``x``). ⚠ Its reply and whether gcminer restarts for it are unverified on hardware.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...context import MinerContext
from ...contract import Backend, Call, Field, Location, read_from
from ...exceptions import MinerValueError
from ...models import ALL_CONTROLS, Control, MinerIdentity, PoolConfig
from .._cgminer import DEVS, POOLS, SUMMARY
from .._session import LoginChecked
from . import parse as p
from .client import FluxApi

_CALLS = {call.name: call for call in (p.MODE, p.PSU, p.FAN, p.LED, p.TEMPERATURE)}


class FluxBackend(LoginChecked[FluxApi], Backend):
    """FluxOS on the Teraflux AT/AH/AI series."""

    name = "fluxos"
    RPC_MULTICOMMAND = False  # no capture shows gcminer answering `a+b`
    DATA_MAP = {
        **read_from(SUMMARY, p, Field.HASHRATE, Field.UPTIME),
        **read_from(
            p.MODE, p, Field.EXPECTED_HASHRATE, Field.POWER_LIMIT, Field.MINING, Field.WORK_MODE
        ),
        Field.WORK_MODES: Location((), lambda _: p.WORK_MODES),
        Field.POWER: Location((p.PSU,), p.power),
        Field.BOARDS: Location((DEVS, p.TEMPERATURE), p.boards),
        Field.FANS: Location((p.FAN, p.PSU), p.fan_list),
        Field.POOLS: Location((POOLS,), p.pool_list),
        Field.FAULT_LIGHT: Location((p.LED,), p.fault_light),
        Field.ERRORS: Location((p.LED,), p.errors),
    }
    CONTROLS = ALL_CONTROLS | {Control.POOLS}  # each as asic-rs's client sends it
    # Whether gcminer restarts for new pools is not known: silence then is expected.
    RESTARTS_AFTER = frozenset({Control.REBOOT, Control.POOLS})

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = FluxApi(ctx)

    async def fetch_call(self, call: Call) -> Any:
        return await self.api.get(_CALLS[call.name].name)

    async def set_mining(self, on: bool) -> None:
        what = "resume mining" if on else "pause mining"
        await self.api.post("mode", what, {"sleep": "off" if on else "on"})

    async def set_power_limit(self, watts: int) -> None:
        body = {"mode": "custom", "tune": "power", "power": watts}
        await self.api.post("mode", "power limit", body)

    async def set_work_mode(self, mode: str) -> None:
        if mode not in p.WORK_MODES:
            raise MinerValueError(
                f"unknown work mode {mode!r}; choose from {', '.join(p.WORK_MODES)}"
            )
        await self.api.post("mode", "work mode", {"mode": mode})

    async def set_fault_light(self, on: bool) -> None:
        await self.api.post("led", "fault light", {"code": p.LED_LOCATE if on else p.LED_NORMAL})

    async def reboot(self) -> None:
        await self.api.post("restart", "reboot")

    async def restart_backend(self) -> None:
        await self.api.post("restart", "restart gcminer", {"parameter": "gcminer"})

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        sent = [{"url": p.url, "user": p.user, "pass": p.password or "x"} for p in pools]
        await self.api.post("updatepools", "pools", {"pools": sent})
