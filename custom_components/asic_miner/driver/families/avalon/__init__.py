"""Avalon (Canaan) stock firmware: Canaan's cgminer 4.11.1 on TCP 4028, no login.

Everything goes over the cgminer RPC: ``version`` (identity), ``devs``, ``estats`` and
``pools`` (reads), ``ascset`` options and ``restart`` (controls). Replies end with a
NUL and may hold ``nan``/``inf`` bare in the JSON.

The package: ``parse`` (the ``estats`` bracket format, extractors, model names),
``client`` (commands for the controls, one at a time), ``backends`` (one per product
line: work modes, the locate light).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...context import MinerContext
from ...contract import Family, ProbeResults
from .._cgminer import first
from .._identity import Naming, Reply, probed_version
from .._probes import Marks
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


async def _version(ctx: MinerContext, results: ProbeResults) -> Mapping[str, Any]:
    """The probed ``version``; recognised by devdetails alone, asked for once more."""
    item = await probed_version(ctx, results)
    if item:
        return item
    try:
        return first(await ctx.rpc().command("version"), "VERSION")
    except KeyError, IndexError, TypeError:
        return {}


FAMILY = Family(
    name="Avalon (stock firmware)",
    recognised_by=Marks(rpc=("AVALON",), devdetails=True),
    identify=Naming(
        make="Canaan",
        unknown_model="Avalon",
        replies=(
            Reply(
                _version,
                model=("MODEL", "PROD"),
                firmware_version=("VERSION", "LVERSION", "CGVERSION"),
                api_version="API",
                mac="MAC",
                serial="DNA",
                control_board="HWTYPE",
            ),
        ),
        backend_for=backend_for,
        model_name=normalize_model,
    ),
    backends=(
        RackBackend,
        QBackend,
        Nano3sBackend,
        Nano3Backend,
        Mini3Backend,
        GenericBackend,
    ),
)
