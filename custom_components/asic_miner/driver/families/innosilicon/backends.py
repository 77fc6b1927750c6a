"""The Innosilicon backend: RPC for the mining figures, ``getAll`` for the power.

Read only: the web API's ``reboot`` and ``restartCgMiner`` are named by pyasic but no
public capture shows their replies, so no control is offered yet.
"""

from __future__ import annotations

from typing import Any

from ...context import MinerContext
from ...contract import Backend, Call, Field, Location, read_from
from ...models import MinerIdentity
from .._cgminer import POOLS, STATS, SUMMARY
from .._session import LoginChecked
from ..antminer import parse as stock
from . import parse as p
from .client import InnoApi


class InnoBackend(LoginChecked[InnoApi], Backend):
    """innominer (cgminer) on the DragonMint / T3 series."""

    name = "innominer"
    RPC_MULTICOMMAND = False  # no capture shows innominer answering `a+b`
    DATA_MAP = {
        **read_from(SUMMARY, p, Field.HASHRATE, Field.UPTIME),
        **read_from(STATS, p, Field.BOARDS, Field.FANS),
        Field.POWER: Location((p.GET_ALL,), p.power),
        Field.POOLS: Location((POOLS,), stock.pool_list),
    }

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = InnoApi(ctx)

    async def fetch_call(self, call: Call) -> Any:
        return await self.api.post(call.name)
