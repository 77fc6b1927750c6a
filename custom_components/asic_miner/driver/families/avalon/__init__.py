"""Avalon (Canaan) stock firmware: Canaan's cgminer 4.11.1 on TCP 4028, no login.

Everything goes over the cgminer RPC: ``version`` (identity), ``devs``, ``estats`` and
``pools`` (reads), ``ascset`` options and ``restart`` (controls). Replies end with a
NUL and may hold ``nan``/``inf`` bare in the JSON.

The package: ``parse`` (the ``estats`` bracket format, extractors, model names),
``client`` (commands for the controls, one at a time), ``backends`` (one per product
line: work modes, the locate light).
"""

from __future__ import annotations

from typing import Any

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...models import MinerIdentity
from .._cgminer import first, probe_item
from .._identity import details_from
from .._probes import RPC_DEVDETAILS, RPC_VERSION, rpc_text
from .backends import (
    GenericBackend,
    Mini3Backend,
    Nano3Backend,
    Nano3sBackend,
    QBackend,
    RackBackend,
    backend_for,
)
from .parse import normalize_model

MAKE = "Canaan"
FIRMWARE = "Stock"
FAMILY_KEY = "avalon"
UNKNOWN_MODEL = "Avalon"


def _matches(results: ProbeResults) -> bool:
    return "AVALON" in rpc_text(results)


def _version_item(reply: Any) -> dict[str, Any]:
    try:
        item = first(reply, "VERSION")
    except KeyError, IndexError, TypeError:
        return {}
    return item


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    item = probe_item(results, RPC_VERSION.key, "VERSION")
    if not item:  # recognised by devdetails alone: ask for the version once more
        item = _version_item(await ctx.rpc().command("version"))
    model = normalize_model(item.get("MODEL")) or normalize_model(item.get("PROD")) or UNKNOWN_MODEL
    details = details_from(
        item,
        firmware_version=("VERSION", "LVERSION", "CGVERSION"),
        api_version="API",
        mac="MAC",
        serial="DNA",
        control_board="HWTYPE",
    )
    return FAMILY.identity(MAKE, model, FIRMWARE, backend_for(model).name, **details)


FAMILY = Family(
    key=FAMILY_KEY,
    name="Avalon (stock firmware)",
    stock=True,
    probes=(RPC_VERSION, RPC_DEVDETAILS),
    matches=_matches,
    identify=_identify,
    backends=(
        RackBackend,
        QBackend,
        Nano3sBackend,
        Nano3Backend,
        Mini3Backend,
        GenericBackend,
    ),
)
