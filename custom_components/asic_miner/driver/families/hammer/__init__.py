"""Hammer D10 (Scrypt): a ccminer RPC and an Antminer-clone CGI behind digest auth.

The web UI answers with the digest realm ``blackMiner Configuration`` (VolcMiner shares
it) and its RPC ``version`` names the model (``Hammer D10``, pyasic's capture of the
2023-05-28 firmware). The default login is root / root; a VolcMiner answers the same
realm but wants another password, so it is found and asks for its login. The
package: ``parse`` (sources, extractors, model names), ``backends`` (the one release
known).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...context import MinerContext
from ...contract import Family, ProbeResults
from .._identity import SYSTEM_INFO_KEYS, Naming, Reply, probed_version, system_info
from .._probes import Marks
from ..antminer.client import DEFAULT_CREDENTIALS
from .backends import HammerBackend
from .parse import make_and_model

_system_info = system_info(DEFAULT_CREDENTIALS)


async def _info(ctx: MinerContext, results: ProbeResults) -> Mapping[str, Any]:
    """``get_system_info.cgi`` with the make and model its ``minertype`` (else the RPC
    ``Type``) names: ``Hammer D10``."""
    info = await _system_info(ctx, results)
    version = await probed_version(ctx, results)
    make, model = make_and_model(info.get("minertype") or version.get("Type"))
    return {**info, "named make": make, "named model": model}


FAMILY = Family(
    name="Hammer (blackMiner web UI)",
    recognised_by=Marks(rpc=("Hammer",), realm=("blackMiner",)),
    identify=Naming(
        make="Hammer",
        replies=(
            # The firmware's build (RPC CompileTime) is what pyasic reports, not the file
            # system's.
            Reply(probed_version, firmware_version="CompileTime"),
            Reply(_info, make="named make", model="named model", **SYSTEM_INFO_KEYS),
        ),
    ),
    backends=(HammerBackend,),
    default_credentials=DEFAULT_CREDENTIALS,
)
