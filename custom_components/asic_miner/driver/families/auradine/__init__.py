"""Auradine FluxOS (Teraflux AT1500, AT2880, AH3880, AI3680): gcminer plus a token API.

Recognised by gcminer's RPC (``GCMiner`` in ``version``, protocols.md §3.3); named by
the API's ``ipreport`` (model, serial, MAC, hostname, FluxOS version) after the token
login admin / admin. The package: ``client`` (the 8080 token session), ``parse``
(sources and extractors), ``backends`` (the one backend).
"""

from __future__ import annotations

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...models import MinerIdentity
from ...values import clean_str, normalize_mac
from .._cgminer import first, probe_item
from .._probes import RPC_DEVDETAILS, RPC_VERSION, rpc_text
from .backends import FluxBackend
from .client import DEFAULT_CREDENTIALS, FluxApi

__all__ = ["FAMILY"]

MAKE = "Auradine"


def _matches(results: ProbeResults) -> bool:
    text = rpc_text(results)
    return "GCMINER" in text or "FLUXOS" in text


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    report = first(await FluxApi(ctx).get("ipreport"), "IPReport")
    version = probe_item(results, RPC_VERSION.key, "VERSION")
    return FAMILY.identity(
        MAKE,
        clean_str(report.get("model")) or "Teraflux",
        "FluxOS",
        FluxBackend.name,
        firmware_version=clean_str(report.get("version")),
        api_version=clean_str(version.get("API")),
        mac=normalize_mac(report.get("mac")),
        serial=clean_str(report.get("SerialNo")),
        hostname=clean_str(report.get("hostname")),
    )


FAMILY = Family(
    key="auradine",
    name="Auradine FluxOS",
    stock=True,
    probes=(RPC_VERSION, RPC_DEVDETAILS),
    matches=_matches,
    identify=_identify,
    backends=(FluxBackend,),
    default_credentials=DEFAULT_CREDENTIALS,
)
