"""Innosilicon (DragonMint T3 series): innominer's cgminer RPC plus a JWT web API.

Recognised by ``INNOMINER`` in the RPC ``version`` (pyasic, protocols.md §7.4); the
model is the web API's ``type`` after the login admin / admin, as only the web says
it. The package: ``client`` (the JWT session), ``parse`` (sources and extractors),
``backends`` (the one, read-only backend).
"""

from __future__ import annotations

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...models import MinerIdentity
from ...values import clean_str
from .._cgminer import probe_item
from .._identity import details_from
from .._probes import RPC_VERSION, rpc_text
from .backends import InnoBackend
from .client import DEFAULT_CREDENTIALS, InnoApi

__all__ = ["FAMILY"]

MAKE = "Innosilicon"


def _matches(results: ProbeResults) -> bool:
    return "INNOMINER" in rpc_text(results)


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    kind = await InnoApi(ctx).post("type")
    version = probe_item(results, RPC_VERSION.key, "VERSION")
    details = details_from(version, firmware_version=("CGMiner", "Miner"), api_version="API")
    model = clean_str(kind.get("type")) or "Innosilicon"
    return FAMILY.identity(MAKE, model, "Stock", InnoBackend.name, **details)


FAMILY = Family(
    key="innosilicon",
    name="Innosilicon",
    stock=True,
    probes=(RPC_VERSION,),
    matches=_matches,
    identify=_identify,
    backends=(InnoBackend,),
    default_credentials=DEFAULT_CREDENTIALS,
)
