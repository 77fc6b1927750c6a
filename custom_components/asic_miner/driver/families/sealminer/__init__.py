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
from .._identity import Naming, Reply, probed_version
from .._probes import RPC_VERSION, rpc_text
from .backends import SealBackend
from .parse import MINER_KEYS

__all__ = ["FAMILY"]


def _matches(results: ProbeResults) -> bool:
    return "BDMINER" in rpc_text(results)


async def _stats(ctx: MinerContext, results: ProbeResults) -> Mapping[str, Any]:
    return stats_item(await ctx.rpc().command("stats"), MINER_KEYS)


FAMILY = Family(
    key="sealminer",
    name="SealMiner",
    stock=True,
    probes=(RPC_VERSION,),
    matches=_matches,
    identify=Naming(
        make="SealMiner",
        replies=(
            Reply(probed_version, api_version="API"),
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
