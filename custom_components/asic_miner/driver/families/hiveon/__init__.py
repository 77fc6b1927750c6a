"""Hiveon OS on Antminers: bmminer's RPC and the stock-like CGI behind digest auth.

Hiveon's ``version`` names the model with ` Hiveon` after it (``Antminer S19x88
Hiveon``); that word is its only fingerprint, so this family comes before stock
Antminer (whose realm it shares) and before MSKMiner (whose ``rwglr`` bmminer it ships).
The package: ``parse`` (what differs from stock: model name, power, board slots),
``backends`` (the one release its public facts describe).
"""

from __future__ import annotations

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...models import MinerIdentity
from .._cgminer import probe_item
from .._probes import RPC_VERSION, rpc_text
from ..antminer.client import DEFAULT_CREDENTIALS
from ..antminer.parse import web_details
from .backends import HiveonBackend
from .parse import model_name

__all__ = ["FAMILY"]

MAKE = "Bitmain"


def _matches(results: ProbeResults) -> bool:
    return "HIVEON" in rpc_text(results)


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    version_item = probe_item(results, RPC_VERSION.key, "VERSION")
    web = ctx.web(digest=ctx.login(DEFAULT_CREDENTIALS))
    info = await web.get_json("/cgi-bin/get_system_info.cgi")
    model = model_name(version_item.get("Type")) or model_name(info.get("minertype")) or "Antminer"
    return FAMILY.identity(
        MAKE, model, "Hiveon", HiveonBackend.name, **web_details(info, version_item)
    )


FAMILY = Family(
    key="hiveon",
    name="Hiveon OS (on Antminers)",
    stock=False,
    probes=(RPC_VERSION,),
    matches=_matches,
    identify=_identify,
    backends=(HiveonBackend,),
    default_credentials=DEFAULT_CREDENTIALS,
)
