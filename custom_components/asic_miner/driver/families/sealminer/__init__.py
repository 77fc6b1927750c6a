"""SealMiner (A2): bdminer's cgminer-style RPC, read only.

``version`` says ``BDMiner`` and nothing more; ``stats`` names the model, firmware,
MAC and control board (asic-rs capture ``sealminer/…/v2025``, firmware 2025091001).
Its writes go through a web UI behind a ``login.php`` cookie whose requests no public
capture shows, so the family reads and controls nothing.
"""

from __future__ import annotations

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...models import MinerIdentity
from ...values import clean_str, normalize_mac
from .._cgminer import probe_item, stats_item
from .._probes import RPC_VERSION, rpc_text
from .backends import SealBackend
from .parse import MINER_KEYS

__all__ = ["FAMILY"]

MAKE = "SealMiner"


def _matches(results: ProbeResults) -> bool:
    return "BDMINER" in rpc_text(results)


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    version_item = probe_item(results, RPC_VERSION.key, "VERSION")
    stats = stats_item(await ctx.rpc().command("stats"), MINER_KEYS)
    return FAMILY.identity(
        MAKE,
        clean_str(stats.get("Model")) or "SealMiner",
        "Stock",
        SealBackend.name,
        firmware_version=clean_str(stats.get("Firmware")),
        api_version=clean_str(version_item.get("API")),
        mac=normalize_mac(stats.get("MAC")),
        serial=clean_str(stats.get("Ctrl Board SN")),
        control_board=clean_str(stats.get("Ctrl Board")),
    )


FAMILY = Family(
    key="sealminer",
    name="SealMiner",
    stock=True,
    probes=(RPC_VERSION,),
    matches=_matches,
    identify=_identify,
    backends=(SealBackend,),
)
