"""Naming what answered when no supported family did.

A scan that reaches a make no family reads (a Proto Rig, say) must say so ("found but
not supported: Proto OS at ...") rather than list nothing, and adding one by address
must say what it is. The fingerprints are the public ones other tools identify these makes by
(pyasic's and asic-rs's web and RPC checks, see protocols.md section 3); none of them is
used to talk to the miner, only to name it.
"""

from __future__ import annotations

import re
from typing import Any, Final

from .contract import ProbeResults
from .exceptions import MinerError
from .families._probes import RPC_DEVDETAILS, RPC_VERSION, parsed, realm, rpc_text, web_reply

# (substring of the upper-cased RPC replies, what to call it), first match wins.
_RPC_MARKS: Final = (
    (("HIVEON",), "Hiveon OS"),
    (("BDMINER",), "SealMiner"),
    (("RWGLR",), "MSKMiner"),
)
# (digest realm prefix, lower-case), what to call it.
_REALMS: Final = (("blackminer", "VolcMiner / Hammer (blackMiner web UI)"),)
# (substring of the web page, lower-case), what to call it.
_PAGES: Final = (
    ("lucky miner", "LuckyMiner"),
    ("dragonmint", "Innosilicon"),
    ("proto os", "Proto OS"),
    ("amazeui", "SealMiner"),
)
_MAX_NAME = 40
_PRINTABLE = re.compile(r"[^\w .+\-/()]")


def describe_unsupported(results: ProbeResults) -> str | None:
    """What answered the probes, when it looks like a miner no family supports.

    ``None`` when nothing miner-like answered (no reply, or a web server that is not a
    miner's): such an address is not worth listing.
    """
    text = rpc_text(results)
    for marks, name in _RPC_MARKS:
        if any(mark in text for mark in marks):
            return name
    reply = web_reply(results)
    if reply is not None:
        challenge = realm(reply).lower()
        for prefix, name in _REALMS:
            if challenge.startswith(prefix):
                return name
        page = reply.body[:65536].decode("utf-8", errors="replace").lower()
        for mark, name in _PAGES:
            if mark in page:
                return name
    software = _cgminer_software(results)
    if software is not None:
        return f"{software} (cgminer-style API)"
    return None


def _cgminer_software(results: ProbeResults) -> str | None:
    """The miner software a cgminer-style RPC reply names (``cgminer 4.11``), if any."""
    for key in (RPC_VERSION.key, RPC_DEVDETAILS.key):
        try:
            # The families' parser (bounded, with their repairs), not a second one.
            reply: Any = parsed(results, key)
        except MinerError:
            continue
        if not isinstance(reply, dict) or "STATUS" not in reply:
            continue
        version = reply.get("VERSION")
        first = version[0] if isinstance(version, list) and version else {}
        if not isinstance(first, dict):
            first = {}
        for field in ("Type", "Miner", "CGMiner", "BMMiner", "Model"):
            value = first.get(field)
            if isinstance(value, str | int | float) and str(value).strip():
                name = field if field in ("CGMiner", "BMMiner") else ""
                return _clean(f"{name} {value}".strip())
        return "a miner"
    return None


def _clean(text: str) -> str:
    """Firmware text, shortened and stripped of markup, fit for a form or a table."""
    cleaned = _PRINTABLE.sub("", text).strip()
    return cleaned[:_MAX_NAME] or "a miner"
