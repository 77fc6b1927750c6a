"""Bitaxe on AxeOS (ESP-Miner), and the boards on its forks: NerdAxe / NerdQAxe, LuckyMiner.

One HTTP server on port 80, no login; everything is in ``GET /api/system/info``
(``parse.py``). Releases differ in what they add, so the backend is chosen by what the
miner serves, not by its version string (``backends.py``).

Work mode: the select is the chip frequency, one option per entry of the miner's own
``frequencyOptions``, named like ``"525 MHz"``. Choosing one sends only
``PATCH /api/system {"frequency": 525}`` (an integer where the value is whole: the
NerdQAxe firmware ignores a non-integer number); the core voltage is left as the owner
set it. AxeOS 2.7 and later apply a new frequency live, so no restart follows; the
driver reads the setting back and fails if the miner kept the old one. A frequency the
owner set outside the presets is still reported as the work mode, just not offered.

Not offered, for want of a matching control: fan settings (``autofanspeed``,
``manualFanSpeed``), the core-voltage presets, and ``POST /api/system/identify``, which
shows "Hi!" on the screen for 30 s as a toggle whose state no reply reports (so it is no
fault light). Pools are never written.
"""

from __future__ import annotations

import asyncio
import re

from ...context import MinerContext
from ...contract import Backend, Family, Fingerprint, ProbeResults
from ...exceptions import MinerNotIdentifiedError
from ...models import MinerIdentity
from ...values import normalize_mac
from .._probes import WEB_ROOT, web_reply
from .backends import AsicBackend, LegacyBackend, PauseBackend
from .client import get_json, optional_asic
from .parse import (
    INFO,
    MAKE_BITAXE,
    MAKE_LUCKYMINER,
    MAKE_NERDAXE,
    firmware_version,
    known_text,
    make_and_model,
)

_FIRMWARE = {
    MAKE_BITAXE: "AxeOS",
    MAKE_NERDAXE: "NerdQAxe ESP-Miner",
    MAKE_LUCKYMINER: "AxeOS (LuckyMiner)",
}


def _page_text(results: ProbeResults) -> str:
    reply = web_reply(results)
    return reply.text.upper() if reply is not None and reply.status == 200 else ""


def _matches(results: ProbeResults) -> bool:
    """The web root: "AxeOS", a NerdAxe dashboard ("Nerd* Dashboard"), or "Lucky miner"."""
    text = _page_text(results)
    return (
        "AXEOS" in text
        or re.search(r"\bNERD", text) is not None
        or re.search(r"LUCKY\s*MINER", text) is not None
    )


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    web = ctx.web()
    info, asic = await asyncio.gather(
        get_json(web, INFO.path), optional_asic(web), return_exceptions=True
    )
    for answer in (info, asic):
        if isinstance(answer, BaseException):
            raise answer
    if not isinstance(info, dict) or not ({"ASICModel", "hashRate"} & info.keys()):
        raise MinerNotIdentifiedError(f"{ctx.host}: /api/system/info is not an AxeOS reply")
    if asic is None:
        backend: type[Backend] = LegacyBackend
    elif "miningPaused" in info:
        backend = PauseBackend
    else:
        backend = AsicBackend
    make, model = make_and_model(info, asic, _page_text(results))
    return FAMILY.identity(
        make,
        model,
        _FIRMWARE[make],
        backend.name,
        firmware_version=firmware_version(info.get("version")),
        mac=normalize_mac(info.get("macAddr")),  # some builds send none, or zeros
        hostname=known_text(info.get("hostname")),
        control_board=known_text(info.get("boardVersion")),
    )


FAMILY = Family(
    name="Bitaxe (AxeOS / ESP-Miner)",
    recognised_by=Fingerprint((WEB_ROOT,), _matches),
    identify=_identify,
    backends=(PauseBackend, AsicBackend, LegacyBackend),
    max_reply_bytes=128 * 1024,
)

__all__ = ["FAMILY"]
