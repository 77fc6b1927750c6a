"""Auradine FluxOS (Teraflux AT1500, AT2880, AH3880, AI3680): gcminer plus a token API.

Recognised by gcminer's RPC (``GCMiner`` in ``version``, protocols.md §3.3); named by
the API's ``ipreport`` (model, serial, MAC, hostname, FluxOS version) after the token
login admin / admin. The package: ``client`` (the 8080 token session), ``parse``
(sources and extractors), ``backends`` (the one backend).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...context import MinerContext
from ...contract import Family, ProbeResults
from .._cgminer import first
from .._identity import Naming, Reply
from .._probes import Marks
from .backends import FluxBackend
from .client import DEFAULT_CREDENTIALS, FluxApi

__all__ = ["FAMILY"]


async def _ipreport(ctx: MinerContext, results: ProbeResults) -> Mapping[str, Any]:
    return first(await FluxApi(ctx).get("ipreport"), "IPReport")


FAMILY = Family(
    name="Auradine FluxOS",
    recognised_by=Marks(rpc=("GCMINER", "FLUXOS"), devdetails=True),
    identify=Naming(
        make="Auradine",
        firmware="FluxOS",
        unknown_model="Teraflux",
        replies=(
            Reply(
                _ipreport,
                model="model",
                firmware_version="version",
                mac="mac",
                serial="SerialNo",
                hostname="hostname",
            ),
        ),
    ),
    backends=(FluxBackend,),
    default_credentials=DEFAULT_CREDENTIALS,
)
