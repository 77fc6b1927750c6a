"""Identification probes shared by several families.

Each runs once per address however many families read it; a failed probe is simply
absent from the results. The RPC replies are kept as raw text: fingerprints are
case-insensitive substrings (firmware is inconsistent about case), and the family
parses the same text for its model name.
"""

from __future__ import annotations

from typing import Any

from ..context import MinerContext
from ..contract import Probe, ProbeResults
from ..transports.http import HttpReply
from ..transports.rpc_parse import parse_rpc_reply


async def _rpc_text(ctx: MinerContext, command: str) -> str:
    raw = await ctx.rpc().send_raw(b'{"command":"' + command.encode() + b'"}')
    return raw.decode("utf-8", errors="replace")


async def _rpc_version(ctx: MinerContext) -> str:
    return await _rpc_text(ctx, "version")


async def _rpc_devdetails(ctx: MinerContext) -> str:
    return await _rpc_text(ctx, "devdetails")


async def _web_root(ctx: MinerContext) -> HttpReply:
    return await ctx.web().request("GET", "/", auth_required=False)


RPC_VERSION = Probe("rpc_version", _rpc_version)
RPC_DEVDETAILS = Probe("rpc_devdetails", _rpc_devdetails)
WEB_ROOT = Probe("web_root", _web_root)


def rpc_text(results: ProbeResults) -> str:
    """Both RPC probe replies, upper-cased, for substring fingerprints."""
    keys = (RPC_VERSION.key, RPC_DEVDETAILS.key)
    return " ".join(str(results.get(k, "")) for k in keys).upper()


def web_reply(results: ProbeResults) -> HttpReply | None:
    reply = results.get(WEB_ROOT.key)
    return reply if isinstance(reply, HttpReply) else None


def realm(reply: HttpReply | None) -> str:
    """The digest realm of a 401 challenge, or an empty string."""
    if reply is None or reply.status != 401:
        return ""
    header = reply.headers.get("WWW-Authenticate", "") or reply.headers.get("www-authenticate", "")
    marker = 'realm="'
    start = header.find(marker)
    if start < 0:
        return ""
    end = header.find('"', start + len(marker))
    return header[start + len(marker) : end]


def parsed(results: ProbeResults, key: str) -> Any:
    """The probe reply parsed as RPC JSON, or ``None`` when the probe failed."""
    text = results.get(key)
    return None if text is None else parse_rpc_reply(str(text).encode())
