"""Innosilicon (DragonMint T3 series): innominer's cgminer RPC plus a JWT web API.

Recognised by ``INNOMINER`` in the RPC ``version`` (pyasic, protocols.md §7.4); the
model is the web API's ``type`` after the login admin / admin, as only the web says
it, and its ``getAll`` the MAC. The package: ``client`` (the JWT session), ``parse``
(sources and extractors), ``backends`` (the one, read-only backend).
"""

from __future__ import annotations

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...exceptions import MinerError
from ...models import MinerIdentity
from ...values import clean_str, normalize_mac
from .._cgminer import probe_item
from .._identity import details_from
from .._probes import RPC_VERSION, rpc_text
from .backends import InnoBackend
from .client import DEFAULT_CREDENTIALS, InnoApi

__all__ = ["FAMILY"]

MAKE = "Innosilicon"


def _matches(results: ProbeResults) -> bool:
    return "INNOMINER" in rpc_text(results)


async def _mac(api: InnoApi) -> str | None:
    """``all.mac`` of ``getAll``; a web API that will not say leaves it unknown."""
    try:
        everything = (await api.post("getAll")).get("all")
    except MinerError:
        return None
    return normalize_mac(everything.get("mac")) if isinstance(everything, dict) else None


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    api = InnoApi(ctx)
    kind = await api.post("type")
    version = probe_item(results, RPC_VERSION.key, "VERSION")
    details = details_from(version, firmware_version=("CGMiner", "Miner"), api_version="API")
    model = clean_str(kind.get("type")) or "Innosilicon"
    details["mac"] = await _mac(api)
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
