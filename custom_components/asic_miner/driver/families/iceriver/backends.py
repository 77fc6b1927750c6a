"""The IceRiver backend: the one panel read for every figure; the fault light and pools.

pyasic has the fault light; bitcap-ipr's IceRiver client also writes the pools through
``machineconfig``. No pause, reboot or power write is in any public client, and the
panel carries no power, expected hashrate or error list, so those stay unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...context import MinerContext
from ...contract import Backend, Field, Location, read_from
from ...exceptions import MinerControlRefusedError
from ...models import Control, MinerIdentity, PoolConfig
from ...pools import keep_passwords
from ...values import to_bool
from .._session import LoginChecked
from . import parse as p
from .client import CONFIG_PATH, CONFIG_READ, CONFIG_WRITE, LOCATE, READ, IceRiverWeb, refusal


class IceRiverBackend(LoginChecked[IceRiverWeb], Backend):
    """IceRiver stock firmware (KS0-KS5 kHeavyHash, AL3 Blake3): web only."""

    name = "userpanel"
    DATA_MAP = {
        **read_from(
            p.PANEL,
            p,
            Field.HASHRATE,
            Field.UPTIME,
            Field.MINING,
            Field.FAULT_LIGHT,
            Field.BOARDS,
            Field.FANS,
        ),
        Field.POOLS: Location((p.PANEL,), p.pool_list),
    }
    CONTROLS = frozenset({Control.FAULT_LIGHT, Control.POOLS})

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = IceRiverWeb(ctx)

    async def fetch_web(self, path: str) -> Any:
        """The panel is read by a POST in the login session (``post=4``)."""
        return await self.api.panel(READ)

    async def set_fault_light(self, on: bool) -> None:
        """``post=5&locate=1|0`` (answered ``{"error": 0, "message": ""}``), then the
        panel must show the light as asked."""
        said = refusal(await self.api.panel(LOCATE, locate="1" if on else "0"))
        if said is not None:
            raise MinerControlRefusedError("fault light", said)
        shown = to_bool(p.data(await self.api.panel(READ)).get("locate"))
        if shown is not on:
            raise MinerControlRefusedError("fault light", f"the panel shows locate={shown}")

    async def read_pool_configs(self) -> list[PoolConfig]:
        """The saved pools with their passwords (``machineconfig``), so a restore is exact."""
        return p.pool_configs(p.data(await self.api.call(CONFIG_PATH, CONFIG_READ)))

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        """All three slots at once, the fan settings sent back as read; a pool without a
        password keeps the one it has."""
        config = p.data(await self.api.call(CONFIG_PATH, CONFIG_READ))
        kept = keep_passwords(pools, p.pool_configs(config))
        said = refusal(
            await self.api.call(CONFIG_PATH, CONFIG_WRITE, form=p.config_form(config, kept))
        )
        if said is not None:
            raise MinerControlRefusedError("pools", said)
