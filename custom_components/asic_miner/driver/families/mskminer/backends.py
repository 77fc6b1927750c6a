"""The MSKMiner backend: RPC reads only (``stats``, ``pools``), no controls."""

from __future__ import annotations

from ...contract import Backend, Field, Location
from .._cgminer import STATS
from ..antminer import parse as stock
from ..antminer.backends import STOCK_ROWS
from ..hiveon import parse as rwglr
from . import parse as p


class MskBackend(Backend):
    """MSKMiner 2.6 on S19-era Antminers."""

    name = "rwglr"
    RPC_MULTICOMMAND = False  # a bmminer fork; no capture shows it taking `a+b`
    DATA_MAP = {
        Field.HASHRATE: Location((STATS,), p.hashrate),
        Field.EXPECTED_HASHRATE: Location((STATS,), stock.expected_hashrate),
        Field.POWER: Location((STATS,), rwglr.power),
        Field.BOARDS: Location((STATS,), rwglr.boards),
        **STOCK_ROWS,
    }
