"""Whatsminer (MicroBT) stock firmware: btminer API v1/v2 on 4028, API v3 on 4433.

Recognised by the web root (HTTP answers 307 to ``https://`` and LuCI is behind it) or
by ``BTMINER`` / ``BITMICRO`` in an RPC reply; firmware on 4433 only is recognised by
the web root alone. The API generation follows the firmware date in ``get_version``
(``YYYYMMDD.xx.REL``): from 2024-11-01 on it is v3. Newer firmware no longer answers
on 4028 at all, so when 4028 is silent the v3 ``get.device.info`` decides; both are
asked at once so a silent port costs no extra round trip.

The package: ``parse.py`` (what both generations read alike: model names, dates,
errors, the light), ``base.py`` (what both backends share), ``stream.py`` and
``crypto.py`` (one request per connection; md5-crypt, AES and the v3 token), then per
generation a session (``client_v2.py``, ``client_v3.py``), the pure functions over its
replies (``parse_v2.py``, ``parse_v3.py``) and its backend (``v2.py``, ``v3.py``).

Models: btminer reports ``M30S+_VE40``. The identity's ``model`` is the base name
(``M30S+``) because that is what the hardware table, the user and the power range
know; the variant (``VE40``, the chip/board generation) has no field in
``MinerIdentity`` and is not kept (see ``parse_model`` for the normalised key).
"""

from __future__ import annotations

import asyncio
from typing import Any

from ...context import MinerContext
from ...contract import Family, Fingerprint, ProbeResults
from ...exceptions import MinerError, MinerNotIdentifiedError
from ...gathering import gather_dict
from ...models import MinerIdentity
from ...transports.http import HttpReply
from ...transports.rpc_parse import parse_rpc_reply
from ...values import clean_str, normalize_mac
from .._probes import RPC_DEVDETAILS, RPC_VERSION, WEB_ROOT, rpc_text, web_reply
from .client_v2 import WhatsminerV2Client
from .client_v3 import WhatsminerV3Client
from .parse import FIRMWARE, MAKE, api_version, parse_model, speaks_v3
from .v2 import DEFAULT_CREDENTIALS as V2_CREDENTIALS
from .v2 import ApiV1Backend, ApiV2Backend
from .v3 import DEFAULT_CREDENTIALS as V3_CREDENTIALS
from .v3 import ApiV3Backend, client_for

__all__ = ["FAMILY", "V2_CREDENTIALS", "V3_CREDENTIALS"]

# How long a v3 answer waits for 4028 to claim the miner by its firmware date.
V2_GRACE = 1.0
UNKNOWN_MODEL = "Whatsminer"


# -- fingerprint -------------------------------------------------------------------


def _header(reply: HttpReply, name: str) -> str:
    for key, value in reply.headers.items():
        if key.lower() == name.lower():
            return value
    return ""


def _matches(results: ProbeResults) -> bool:
    text = rpc_text(results)
    if "BTMINER" in text or "BITMICRO" in text:
        return True
    reply = web_reply(results)
    if reply is None:
        return False
    if reply.status == 307 and _header(reply, "Location").lower().startswith("https://"):
        return True
    body = reply.text.lower()
    # Old Braiins OS serves LuCI too; its own family is checked first, this only guards.
    return "/cgi-bin/luci" in body and "braiins" not in body


# -- identification ----------------------------------------------------------------


async def _v2_version(api: WhatsminerV2Client) -> dict[str, Any] | None:
    try:
        reply = await api.read("get_version")
    except MinerError:
        return None
    msg = reply.get("Msg")
    return msg if isinstance(msg, dict) else None


async def _v3_info(client: WhatsminerV3Client) -> dict[str, Any] | None:
    try:
        msg = await client.get("get.device.info")
    except MinerError:
        return None
    return msg if isinstance(msg, dict) else None


async def _choose(
    v2_task: asyncio.Task[dict[str, Any] | None], v3_task: asyncio.Task[dict[str, Any] | None]
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(get_version Msg, get.device.info msg), each ``None`` when it did not answer.

    A 4028 answer decides by date; a v3 answer alone decides once 4028 had its grace.
    """
    await asyncio.wait({v2_task, v3_task}, return_when=asyncio.FIRST_COMPLETED)
    if v2_task.done():
        version = v2_task.result()
        if version is not None and speaks_v3(version.get("fw_ver")) is not True:
            return version, None
        return version, await v3_task
    info = v3_task.result()
    if info is None:
        return await v2_task, None
    done, _ = await asyncio.wait({v2_task}, timeout=V2_GRACE)
    return (v2_task.result() if done else None), info


def _probe_json(results: ProbeResults, key: str) -> Any:
    text = results.get(key)
    if text is None:
        return None
    try:
        return parse_rpc_reply(str(text).encode())
    except MinerError:
        return None


def _devdetails_model(reply: Any) -> str | None:
    if not isinstance(reply, dict):
        return None
    items = reply.get("DEVDETAILS")
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return clean_str(items[0].get("Model"))
    return None


def _identity(
    raw_model: Any,
    backend: str,
    *,
    firmware_version: Any,
    api: Any,
    mac: Any,
    serial: Any,
    hostname: Any,
    platform: Any,
) -> MinerIdentity:
    parsed = parse_model(raw_model)
    model = parsed.base if parsed is not None else UNKNOWN_MODEL
    return FAMILY.identity(
        MAKE,
        model,
        FIRMWARE,
        backend,
        firmware_version=clean_str(firmware_version),
        api_version=api_version(api),
        mac=normalize_mac(mac),
        serial=clean_str(serial),
        hostname=clean_str(hostname),
        control_board=clean_str(platform),
    )


async def _identify_v2(
    api: WhatsminerV2Client, results: ProbeResults, version: dict[str, Any]
) -> MinerIdentity:
    raw_model = _devdetails_model(_probe_json(results, RPC_DEVDETAILS.key))
    tasks: dict[str, Any] = {"info": api.read("get_miner_info")}
    if raw_model is None:
        tasks["devdetails"] = api.read("devdetails")
    got = await gather_dict(tasks)
    if raw_model is None:
        raw_model = _devdetails_model(got.get("devdetails"))
    reply = got["info"]
    info = reply.get("Msg") if isinstance(reply, dict) else None
    info = info if isinstance(info, dict) else {}
    mac = info.get("mac")
    if mac is None:  # API v1 has no get_miner_info; its summary carries the MAC
        mac = await _summary_mac(api)
    api_ver = api_version(version.get("api_ver"))
    v1 = api_ver is not None and api_ver.startswith("1.")
    return _identity(
        raw_model,
        ApiV1Backend.name if v1 else ApiV2Backend.name,
        firmware_version=version.get("fw_ver"),
        api=version.get("api_ver"),
        mac=mac,
        serial=info.get("minersn"),
        hostname=info.get("hostname"),
        platform=version.get("platform"),
    )


async def _summary_mac(api: WhatsminerV2Client) -> Any:
    try:
        reply = await api.read("summary")
    except MinerError:
        return None
    items = reply.get("SUMMARY")
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0].get("MAC")
    return None


def _identify_v3(info: dict[str, Any]) -> MinerIdentity:
    def section(name: str) -> dict[str, Any]:
        value = info.get(name)
        return value if isinstance(value, dict) else {}

    miner, system, network = section("miner"), section("system"), section("network")
    return _identity(
        miner.get("type"),
        ApiV3Backend.name,
        firmware_version=system.get("fwversion"),
        api=system.get("api"),
        mac=network.get("mac"),
        serial=miner.get("miner-sn"),
        hostname=network.get("hostname"),
        platform=system.get("platform"),
    )


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    api = WhatsminerV2Client(ctx.rpc)  # reads need no password
    v2_task = asyncio.create_task(_v2_version(api))
    v3_task = asyncio.create_task(_v3_info(client_for(ctx)))
    try:
        version, info = await _choose(v2_task, v3_task)
    finally:
        for task in (v2_task, v3_task):
            task.cancel()
        await asyncio.gather(v2_task, v3_task, return_exceptions=True)
    if version is not None and (info is None or speaks_v3(version.get("fw_ver")) is not True):
        return await _identify_v2(api, results, version)
    if info is not None:
        return _identify_v3(info)
    raise MinerNotIdentifiedError(
        f"{ctx.host}: looks like a Whatsminer but neither API v2 (port {ctx.ports.rpc}) "
        f"nor API v3 (port {ctx.ports.whatsminer_v3}) answered"
    )


FAMILY = Family(
    name="Whatsminer (stock firmware)",
    recognised_by=Fingerprint((RPC_VERSION, RPC_DEVDETAILS, WEB_ROOT), _matches),
    identify=_identify,
    backends=(ApiV3Backend, ApiV2Backend, ApiV1Backend),
    # No family-wide default login: v2 logs in as admin/admin, v3 as super/super; each
    # backend falls back to its own, so a stored login never crosses generations.
    max_reply_bytes=512 * 1024,
)
