"""Marathon MaraFW ("kaonsu"): third-party firmware on Antminers (KS5 Pro, S19, S21).

Recognised by ``KAONSU`` / ``MARAFW`` in the bmminer RPC's ``version`` or on the web
root (its digest challenge or page), as asic-rs's BlockOps fork identifies it. Its RPC
otherwise looks like stock bmminer, so the registry lists this family before the
stock Antminer. Everything but the pools is read over ``/kaonsu/v1/`` with the digest
login root / root. The package: ``parse`` (sources, extractors, model names),
``client`` (the writes), ``backends`` (the one backend).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...exceptions import MinerError, MinerResponseError
from .._identity import Naming, Reply
from .._probes import Marks
from .backends import MaraBackend
from .client import DEFAULT_CREDENTIALS
from .parse import NETWORK_CONFIG, WEB_OVERVIEW, model_name

__all__ = ["FAMILY"]

MAKE = "Bitmain"
FIRMWARE = "MaraFW"
_MARKERS = ("KAONSU", "MARAFW", "MARA FW")


async def _web(ctx: MinerContext, _results: ProbeResults) -> Mapping[str, Any]:
    """``overview`` with the model named, and ``network_config``'s hostname beside it."""
    web = ctx.web(digest=ctx.login(DEFAULT_CREDENTIALS))
    overview = await web.get_json(WEB_OVERVIEW.path)
    if not isinstance(overview, dict):
        raise MinerResponseError(f"{ctx.host}: {WEB_OVERVIEW.path} is not an object")
    try:  # the hostname only: identification does not fail for it
        network = await web.get_json(NETWORK_CONFIG)
    except MinerError:
        network = None
    hostname = network.get("hostname") if isinstance(network, dict) else None
    return {**overview, "model": model_name(overview), "network_hostname": hostname}


FAMILY = Family(
    name="MaraFW",
    recognised_by=Marks(rpc=_MARKERS, realm=_MARKERS, page=_MARKERS),
    identify=Naming(
        make=MAKE,
        firmware=FIRMWARE,
        unknown_model="Unknown",
        replies=(
            Reply(
                _web,
                model="model",
                firmware_version="version_firmware",
                mac="mac",
                control_board="control_board",
                hostname="network_hostname",
            ),
        ),
    ),
    backends=(MaraBackend,),
    stock=False,
    default_credentials=DEFAULT_CREDENTIALS,
)
