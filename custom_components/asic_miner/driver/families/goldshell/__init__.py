"""Goldshell (KD, LT, Mini-DOGE, SC, ARI…): a bfgminer-style RPC and a JWT web API, read only.

Recognised by the RPC ``version`` naming ``INTCHAINS_QOMO``, ``KDAMINER`` or
``BFGMINER`` (protocols.md §3.3); named by the web API's ``/mcb/status`` (``model``
as ``Goldshell-<model>``, ``firmware``, ``mcbversion``) after the JWT login
admin / 123456789. The package: ``client`` (the web session), ``parse`` (the RPC
extractors), ``backends`` (the one backend).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...values import clean_str
from .._identity import Naming, Reply
from .._probes import Marks
from .backends import GoldshellBackend
from .client import DEFAULT_CREDENTIALS, GoldshellWeb

__all__ = ["FAMILY"]


async def _status(ctx: MinerContext, results: ProbeResults) -> Mapping[str, Any]:
    status: Mapping[str, Any] = await GoldshellWeb(ctx).get("status")
    return status


def _model_name(raw: Any) -> str | None:
    """``Goldshell-Mini-DOGE`` -> ``Mini DOGE``."""
    named = clean_str(raw) or ""
    return named.removeprefix("Goldshell-").replace("-", " ") or None


FAMILY = Family(
    name="Goldshell",
    recognised_by=Marks(rpc=("INTCHAINS_QOMO", "KDAMINER", "BFGMINER")),
    identify=Naming(
        replies=(
            Reply(_status, model="model", firmware_version="firmware", control_board="mcbversion"),
        ),
        model_name=_model_name,
    ),
    backends=(GoldshellBackend,),
    default_credentials=DEFAULT_CREDENTIALS,
)
