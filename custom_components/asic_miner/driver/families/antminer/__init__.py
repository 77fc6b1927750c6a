"""Stock Antminer firmware (bmminer / cgminer) on X17 to X21 and the S9 era.

Reads come over RPC and the digest-protected web CGI (default login root / root).
The package: ``parse`` (the sources, extractors, model names), ``client`` (the CGI
writes), ``backends`` (the X19/X21 web UI and the S9/X17-era one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...exceptions import MinerResponseError
from .._identity import SYSTEM_INFO, SYSTEM_INFO_KEYS, Naming, Reply, probed_version
from .._probes import Marks
from .backends import LegacyBackend, ModernBackend
from .client import DEFAULT_CREDENTIALS
from .parse import WORK_MODES, model_name

__all__ = ["FAMILY", "WORK_MODES"]


async def _system(ctx: MinerContext, results: ProbeResults) -> Mapping[str, Any]:
    """``get_system_info.cgi``, and the web UI's generation: the S9/X17 era has no
    blink status page."""
    web = ctx.web(digest=ctx.login(DEFAULT_CREDENTIALS))
    info = await web.get_json(SYSTEM_INFO)
    if not isinstance(info, dict):
        raise MinerResponseError(f"{ctx.host} {SYSTEM_INFO}: not an object")
    blink = await web.request("GET", "/cgi-bin/get_blink_status.cgi")
    backend = LegacyBackend if blink.status == 404 else ModernBackend
    return {**info, "backend": backend.name}


FAMILY = Family(
    name="Antminer (stock firmware)",
    recognised_by=Marks(rpc=("ANTMINER",), realm=("antMiner",), version_only=True),
    identify=Naming(
        make="Bitmain",
        unknown_model="Antminer",
        replies=(
            Reply(_system, model="minertype", backend="backend", **SYSTEM_INFO_KEYS),
            Reply(probed_version, model="Type", firmware_version="CompileTime"),
        ),
        model_name=model_name,
    ),
    backends=(ModernBackend, LegacyBackend),
    default_credentials=DEFAULT_CREDENTIALS,
)
