"""MSKMiner on Antminers: the ``4.11.1 rwglr`` bmminer's RPC, read only.

Its ``version`` says ``rwglr`` and names the model and release in ``Type``
(``S19-88 v.2.6.0.39``, pyasic's capture for release 2.6.0.39); Hiveon ships the same
bmminer, so a Hiveon tag rules this family out. Nothing public documents a write
(pyasic's MSKMiner has none, and its ``/api/info_v1`` web reply is a placeholder), so
the family reads and controls nothing. The package: ``parse`` (model, release, the
extractors), ``backends`` (the one release known).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...context import MinerContext
from ...contract import Family, ProbeResults
from .._identity import Naming, Reply, probed_version
from .._probes import Marks
from .backends import MskBackend
from .parse import model_and_release

__all__ = ["FAMILY"]


async def _version(ctx: MinerContext, results: ProbeResults) -> Mapping[str, Any]:
    """The probed ``version``, with the model and release its ``Type`` names."""
    item = await probed_version(ctx, results)
    model, release = model_and_release(item.get("Type"))
    return {**item, "model": model, "release": release}


FAMILY = Family(
    name="MSKMiner (on Antminers)",
    recognised_by=Marks(rpc=("rwglr",), unless=("Hiveon",)),
    identify=Naming(
        make="Bitmain",
        firmware="MSKMiner",
        unknown_model="Antminer",
        replies=(Reply(_version, model="model", firmware_version="release"),),
    ),
    backends=(MskBackend,),
    stock=False,
)
