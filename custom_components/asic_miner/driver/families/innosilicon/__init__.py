"""Innosilicon (DragonMint T3 series): innominer's cgminer RPC plus a JWT web API.

Recognised by ``INNOMINER`` in the RPC ``version`` (pyasic, protocols.md §7.4); the
model is the web API's ``type`` after the login admin / admin, as only the web says
it, and its ``getAll`` the MAC. The package: ``client`` (the JWT session), ``parse``
(sources and extractors), ``backends`` (the one, read-only backend).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...exceptions import MinerError
from ...values import normalize_mac
from .._identity import Naming, Reply, probed_version
from .._probes import Marks
from .backends import InnoBackend
from .client import DEFAULT_CREDENTIALS, InnoApi

__all__ = ["FAMILY"]


async def _mac(api: InnoApi) -> str | None:
    """``all.mac`` of ``getAll``; a web API that will not say leaves it unknown."""
    try:
        everything = (await api.post("getAll")).get("all")
    except MinerError:
        return None
    return normalize_mac(everything.get("mac")) if isinstance(everything, dict) else None


async def _web(ctx: MinerContext, results: ProbeResults) -> Mapping[str, Any]:
    """The model (``type``, only the web says it) and the MAC, over one login."""
    api = InnoApi(ctx)
    kind = await api.post("type")
    return {"type": kind.get("type"), "mac": await _mac(api)}


FAMILY = Family(
    name="Innosilicon",
    recognised_by=Marks(rpc=("innominer",)),
    identify=Naming(
        replies=(
            Reply(_web, model="type", mac="mac"),
            Reply(probed_version, firmware_version=("CGMiner", "Miner")),
        ),
    ),
    backends=(InnoBackend,),
    default_credentials=DEFAULT_CREDENTIALS,
)
