"""The SealMiner backend: ``stats`` and ``pools`` over RPC, no controls."""

from __future__ import annotations

from ...contract import Backend, Field, Location, read_from
from .._cgminer import POOLS, STATS
from ..antminer import parse as stock
from . import parse as p


class SealBackend(Backend):
    """SealMiner A2 firmware of 2025."""

    name = "bdminer"
    RPC_MULTICOMMAND = False  # no capture shows bdminer answering `a+b`
    DATA_MAP = {
        **read_from(
            STATS,
            p,
            Field.HASHRATE,
            Field.EXPECTED_HASHRATE,
            Field.POWER,
            Field.POWER_LIMIT,
            Field.BOARDS,
            Field.FANS,
            Field.UPTIME,
        ),
        Field.POOLS: Location((POOLS,), stock.pool_list),
    }
