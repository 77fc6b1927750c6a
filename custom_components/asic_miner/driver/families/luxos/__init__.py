"""LuxOS (Luxor's LUXminer) on Antminers: cgminer-style RPC on 4028 and nothing else.

Recognised by ``LUXminer`` in the RPC ``version`` reply (which otherwise poses as a
stock Antminer: ``Type`` "Antminer S19 XP", older releases even ``BMMiner`` and
``Miner`` "uart_trans.1.3") or "Luxor Firmware" on the web root. The registry puts
this family before stock Antminer, so a LuxOS miner is never called stock.

The package: ``client`` (one command per connection, the session privileged commands
need), ``parse`` (the read commands, parsers and extractors), ``backends`` (the
backend: its data map and the profile-based controls).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...exceptions import MinerError, MinerResponseError
from ...models import MinerIdentity
from .._cgminer import first
from .._identity import details_from
from .._probes import RPC_VERSION, Marks, parsed
from .backends import LuxminerBackend
from .client import request
from .parse import CONFIG, normalize_model, parse_firmware_version

FIRMWARE = "LuxOS"
MAKE = "Bitmain"  # LuxOS runs on Antminers
UNKNOWN_MODEL = "Unknown"


def _probe_version(results: ProbeResults) -> dict[str, Any] | None:
    try:
        reply = parsed(results, RPC_VERSION.key)
    except MinerError:
        return None
    return reply if isinstance(reply, dict) and "VERSION" in reply else None


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    version_reply = _probe_version(results)
    if version_reply is None:  # recognised by the web page; ask LUXminer itself
        version_reply, config_reply = await asyncio.gather(
            request(ctx, "version"), request(ctx, CONFIG.command)
        )
    else:
        config_reply = await request(ctx, CONFIG.command)
    try:
        version = first(version_reply, "VERSION")
        config = first(config_reply, "CONFIG")
    except (KeyError, IndexError, TypeError) as err:
        raise MinerResponseError(f"{ctx.host}: LUXminer identity replies are incomplete") from err
    description = None
    with contextlib.suppress(KeyError, IndexError, TypeError):
        description = first(version_reply, "STATUS").get("Description")
    model = normalize_model(version.get("Type")) or normalize_model(config.get("Model"))
    model = model or UNKNOWN_MODEL
    details = details_from(
        config,
        mac="MACAddr",
        serial="SerialNumber",
        hostname="Hostname",
        control_board="ControlBoardType",
    )
    details |= details_from(version, api_version="API")
    details["firmware_version"] = parse_firmware_version(version, description)
    return FAMILY.identity(MAKE, model, FIRMWARE, LuxminerBackend.name, **details)


FAMILY = Family(
    name="LuxOS",
    recognised_by=Marks(rpc=("LUXminer",), page=("Luxor Firmware",)),
    identify=_identify,
    backends=(LuxminerBackend,),
    stock=False,  # and no default login: its logon takes none
)
