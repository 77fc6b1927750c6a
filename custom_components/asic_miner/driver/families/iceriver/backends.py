"""The IceRiver backend: the one panel read for every figure, the fault light its one control.

pyasic and the asic-rs fork name no other write (no pause, reboot, pool or power
write is documented for this firmware), and the panel carries no power, expected
hashrate or error list, so those stay unknown.
"""

from __future__ import annotations

from typing import Any

from ...context import MinerContext
from ...contract import Backend, Field, Location
from ...exceptions import MinerControlRefusedError
from ...models import Control, MinerIdentity
from ...values import clean_str, to_bool
from . import parse as p
from .client import LOCATE, READ, IceRiverWeb


class IceRiverBackend(Backend):
    """IceRiver stock firmware (KS0-KS5 kHeavyHash, AL3 Blake3): web only."""

    name = "userpanel"
    DATA_MAP = {
        Field.HASHRATE: Location((p.PANEL,), p.hashrate),
        Field.UPTIME: Location((p.PANEL,), p.uptime),
        Field.MINING: Location((p.PANEL,), p.mining),
        Field.FAULT_LIGHT: Location((p.PANEL,), p.fault_light),
        Field.BOARDS: Location((p.PANEL,), p.boards),
        Field.FANS: Location((p.PANEL,), p.fans),
        Field.POOLS: Location((p.PANEL,), p.pool_list),
    }
    CONTROLS = frozenset({Control.FAULT_LIGHT})

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = IceRiverWeb(ctx)

    async def fetch_web(self, path: str) -> Any:
        """The panel is read by a POST in the login session (``post=4``)."""
        return await self.api.panel(READ)

    async def check_credentials(self) -> None:
        """The login: the password the miner was added with still works."""
        self.api.auth.invalidate()
        await self.api.auth.headers()

    async def set_fault_light(self, on: bool) -> None:
        """``post=5&locate=1|0`` (answered ``{"error": 0, "message": ""}``), then the
        panel must show the light as asked."""
        reply = await self.api.panel(LOCATE, locate="1" if on else "0")
        if reply.get("error") not in (None, 0):
            raise MinerControlRefusedError("fault light", clean_str(reply.get("message")) or "")
        shown = to_bool(p.data(await self.api.panel(READ)).get("locate"))
        if shown is not on:
            raise MinerControlRefusedError("fault light", f"the panel shows locate={shown}")
