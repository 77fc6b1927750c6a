"""VNish / AnthillOS: third-party firmware on Antminers, driven through its REST API.

Recognised by "AnthillOS" (or "VNish") on the web root, or by ``VNISH`` in an RPC
reply. VNish keeps bmminer's RPC on 4028 in the stock Antminer layout, model string
``Antminer S19 (Vnish 1.2.6)`` included, so the stock Antminer fingerprint matches
too: the registry lists this family first, and identification waits for it.

Everything is read from ``/api/v1`` (one transport, one login): ``client.py`` keeps the
token session, ``parse.py`` reads the replies, ``backends.py`` holds the two releases.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...exceptions import MinerResponseError
from ...models import MinerIdentity
from ...values import clean_str
from .._cgminer import probe_item
from .._identity import details_from
from .._probes import RPC_VERSION, Marks
from .backends import BACKENDS, backend_for
from .client import DEFAULT_CREDENTIALS, VnishApi
from .parse import INFO, MAX_TEXT, normalize_model, parse_version

FIRMWARE = "VNish"
MAKE = "Bitmain"
UNKNOWN_MODEL = "Unknown"
_PLATFORMS = {
    "aml": "Amlogic",
    "bb": "BeagleBone",
    "cv": "CVITEK",
    "stm": "STM32",
    "xil": "Xilinx",
}


def _section(value: Mapping[str, Any], key: str) -> dict[str, Any]:
    section = value.get(key)
    return section if isinstance(section, dict) else {}


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    # Public: no unlock unless a screen lock closed it (then the password must be right).
    info = await VnishApi(ctx).get(INFO.path, public=True)
    if not isinstance(info, dict):
        raise MinerResponseError(f"{ctx.host}: {INFO.path} is not an object")
    rpc = probe_item(results, RPC_VERSION.key, "VERSION")
    rpc_type = clean_str(rpc.get("Type"))
    version = clean_str(info.get("fw_version"))
    if version is None and rpc_type:
        match = re.search(r"vnish\s{1,8}([\w.\-]{1,32})", rpc_type[:MAX_TEXT], flags=re.IGNORECASE)
        version = match.group(1) if match else None
    model = normalize_model(info.get("miner")) or normalize_model(rpc_type) or UNKNOWN_MODEL
    system = _section(info, "system")
    network = _section(system, "network_status")
    platform = clean_str(info.get("platform"))
    details = details_from(network, mac="mac", hostname="hostname")
    details |= details_from(info, serial="serial") | details_from(rpc, api_version="API")
    details["firmware_version"] = version
    details["control_board"] = _PLATFORMS.get(platform.lower(), platform) if platform else None
    return FAMILY.identity(
        MAKE, model, FIRMWARE, backend_for(parse_version(version)).name, **details
    )


FAMILY = Family(
    name="VNish",
    recognised_by=Marks(rpc=("VNish",), page=("AnthillOS", "VNish")),
    identify=_identify,
    backends=BACKENDS,
    stock=False,
    default_credentials=DEFAULT_CREDENTIALS,
)

__all__ = ["FAMILY"]
