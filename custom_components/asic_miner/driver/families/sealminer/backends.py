"""The SealMiner backend: ``stats`` and ``pools`` over RPC, no controls."""

from __future__ import annotations

from ...contract import Backend, Field, Location
from .._cgminer import POOLS, STATS
from ..antminer import parse as stock
from . import parse as p


class SealBackend(Backend):
    """SealMiner A2 firmware of 2025."""

    name = "bdminer"
    RPC_MULTICOMMAND = False  # no capture shows bdminer answering `a+b`
    DATA_MAP = {
        Field.HASHRATE: Location((STATS,), p.hashrate),
        Field.EXPECTED_HASHRATE: Location((STATS,), p.expected_hashrate),
        Field.POWER: Location((STATS,), p.power),
        Field.POWER_LIMIT: Location((STATS,), p.power_limit),
        Field.BOARDS: Location((STATS,), p.boards),
        Field.FANS: Location((STATS,), p.fans),
        Field.UPTIME: Location((STATS,), p.uptime),
        Field.POOLS: Location((POOLS,), stock.pool_list),
    }
