"""Goldshell (KD, LT, Mini-DOGE, SC, ARI…): a bfgminer-style RPC and a JWT web API, read only.

Recognised by the RPC ``version`` naming ``INTCHAINS_QOMO``, ``KDAMINER`` or
``BFGMINER`` (protocols.md §3.3); named by the web API's ``/mcb/status`` (``model``
as ``Goldshell-<model>``, ``firmware``, ``mcbversion``) after the JWT login
admin / 123456789. The package: ``client`` (the web session), ``parse`` (the RPC
extractors), ``backends`` (the one backend).
"""

from __future__ import annotations

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...models import MinerIdentity
from ...values import clean_str
from .._cgminer import probe_item
from .._identity import details_from
from .._probes import RPC_VERSION, rpc_text
from .backends import GoldshellBackend
from .client import DEFAULT_CREDENTIALS, GoldshellWeb

__all__ = ["FAMILY"]

MAKE = "Goldshell"
_MARKS = ("INTCHAINS_QOMO", "KDAMINER", "BFGMINER")


def _matches(results: ProbeResults) -> bool:
    text = rpc_text(results)
    return any(mark in text for mark in _MARKS)


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    status = await GoldshellWeb(ctx).get("status")
    named = clean_str(status.get("model")) or ""
    model = named.removeprefix(f"{MAKE}-").replace("-", " ") or MAKE
    details = details_from(status, firmware_version="firmware", control_board="mcbversion")
    details |= details_from(probe_item(results, RPC_VERSION.key, "VERSION"), api_version="API")
    return FAMILY.identity(MAKE, model, "Stock", GoldshellBackend.name, **details)


FAMILY = Family(
    key="goldshell",
    name="Goldshell",
    stock=True,
    probes=(RPC_VERSION,),
    matches=_matches,
    identify=_identify,
    backends=(GoldshellBackend,),
    default_credentials=DEFAULT_CREDENTIALS,
)
