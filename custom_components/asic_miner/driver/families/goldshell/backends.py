"""The Goldshell backend: the bfgminer-style RPC for every figure, no controls.

pyasic names a sleep / normal write (``PUT /mcb/setting`` selecting a power plan) and
a pool rewrite (``delpool`` / ``newpool``), but no public capture shows the replies of
``setting`` or ``pools``, so the family ships read only.
"""

from __future__ import annotations

from ...context import MinerContext
from ...contract import Backend, Field, Location
from ...models import MinerIdentity
from ...slow import HARDWARE_EVERY
from .._cgminer import DEVS, POOLS, SUMMARY
from .._session import LoginChecked
from ..antminer import parse as stock
from . import parse as p
from .client import GoldshellWeb


class GoldshellBackend(LoginChecked[GoldshellWeb], Backend):
    """Goldshell firmware 2.2 (SC5 Pro, ARI31 captures), KD and Mini-DOGE boxes."""

    name = "goldshell"
    RPC_MULTICOMMAND = False  # no capture shows the firmware answering `a+b`
    DATA_MAP = {
        Field.HASHRATE: Location((SUMMARY,), p.hashrate),
        Field.UPTIME: Location((SUMMARY,), p.uptime),
        Field.BOARDS: Location((DEVS, p.DEVDETAILS), p.boards),
        Field.FANS: Location((DEVS,), p.fans),
        Field.POOLS: Location((POOLS,), stock.pool_list),
    }
    # ``devdetails`` is read for the boards' chip counts only: one connection fewer on
    # most polls.
    SLOW_SOURCES = {p.DEVDETAILS: HARDWARE_EVERY}

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = GoldshellWeb(ctx)
