"""MSKMiner on Antminers: the ``4.11.1 rwglr`` bmminer's RPC, read only.

Its ``version`` says ``rwglr`` and names the model and release in ``Type``
(``S19-88 v.2.6.0.39``, pyasic's capture for release 2.6.0.39); Hiveon ships the same
bmminer, so a Hiveon tag rules this family out. Nothing public documents a write
(pyasic's MSKMiner has none, and its ``/api/info_v1`` web reply is a placeholder), so
the family reads and controls nothing. The package: ``parse`` (model, release, the
extractors), ``backends`` (the one release known).
"""

from __future__ import annotations

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...models import MinerIdentity
from ...values import clean_str
from .._cgminer import probe_item
from .._probes import RPC_VERSION, rpc_text
from .backends import MskBackend
from .parse import model_and_release

__all__ = ["FAMILY"]

MAKE = "Bitmain"


def _matches(results: ProbeResults) -> bool:
    text = rpc_text(results)
    return "RWGLR" in text and "HIVEON" not in text


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    version_item = probe_item(results, RPC_VERSION.key, "VERSION")
    model, release = model_and_release(version_item.get("Type"))
    return FAMILY.identity(
        MAKE,
        model or "Antminer",
        "MSKMiner",
        MskBackend.name,
        firmware_version=release,
        api_version=clean_str(version_item.get("API")),
    )


FAMILY = Family(
    key="mskminer",
    name="MSKMiner (on Antminers)",
    stock=False,
    probes=(RPC_VERSION,),
    matches=_matches,
    identify=_identify,
    backends=(MskBackend,),
)
