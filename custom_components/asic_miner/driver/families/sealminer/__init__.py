"""SealMiner (A2): bdminer's cgminer-style RPC, read only.

``version`` says ``BDMiner`` and nothing more; ``stats`` names the model, firmware,
MAC and control board (asic-rs capture ``sealminer/…/v2025``, firmware 2025091001).
Its writes go through a web UI behind a ``login.php`` cookie whose requests no public
capture shows, so the family reads and controls nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...context import MinerContext
from ...contract import Family, ProbeResults
from .._cgminer import stats_item
from .._identity import Naming, Reply
from .._probes import Marks
from .backends import SealBackend
from .parse import MINER_KEYS

__all__ = ["FAMILY"]


async def _stats(ctx: MinerContext, results: ProbeResults) -> Mapping[str, Any]:
    return stats_item(await ctx.rpc().command("stats"), MINER_KEYS)


FAMILY = Family(
    name="SealMiner",
    recognised_by=Marks(rpc=("BDMiner",)),
    identify=Naming(
        replies=(
            Reply(
                _stats,
                model="Model",
                firmware_version="Firmware",
                mac="MAC",
                serial="Ctrl Board SN",
                control_board="Ctrl Board",
            ),
        ),
    ),
    backends=(SealBackend,),
)
