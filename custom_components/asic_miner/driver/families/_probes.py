"""Identification probes shared by several families.

Each runs once per address however many families read it; a failed probe is simply
absent from the results. The RPC replies are kept as raw text: fingerprints are
case-insensitive substrings (firmware is inconsistent about case), and the family
parses the same text for its model name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..context import MinerContext
from ..recognition import Probe, ProbeResults
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


PAGE_BYTES = 65536
"""How much of the web root page the marks are looked for in."""


@dataclass(frozen=True, slots=True)
class Marks:
    """The standard fingerprint: words a firmware says where every family looks.

    ``rpc``: in either RPC probe reply (``version``, and ``devdetails`` where another
    family asked for it, or this one with ``devdetails``: firmware whose ``version``
    may fail); ``version_only``: the ``rpc`` words count in ``version`` alone (an
    Antminer model in another firmware's ``devdetails`` does not make it a stock
    Antminer, pyasic's rule too); ``unless``: words in those replies that rule the
    family out (Hiveon ships MSKMiner's bmminer); ``realm``: in the web root's digest realm; ``page``: in
    the web root page's first ``PAGE_BYTES``. Case is ignored (firmware is inconsistent
    about it); the probes follow from where the family looks.
    """

    rpc: tuple[str, ...] = ()
    realm: tuple[str, ...] = ()
    page: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    devdetails: bool = False
    version_only: bool = False

    @property
    def probes(self) -> tuple[Probe, ...]:
        rpc = (RPC_VERSION, RPC_DEVDETAILS) if self.devdetails else (RPC_VERSION,)
        web = (WEB_ROOT,) if self.realm or self.page else ()
        return (rpc if self.rpc else ()) + web

    def matches(self, results: ProbeResults) -> bool:
        text = rpc_text(results) if self.rpc else ""
        if _said(self.unless, text):
            return False
        if self.version_only:
            text = str(results.get(RPC_VERSION.key, "")).upper()
        if _said(self.rpc, text):
            return True
        reply = web_reply(results)
        if reply is None:
            return False
        if self.realm and _said(self.realm, realm(reply).upper()):
            return True
        if not self.page:
            return False
        return _said(self.page, reply.body[:PAGE_BYTES].decode("utf-8", errors="replace").upper())


def _said(marks: tuple[str, ...], text: str) -> bool:
    return any(mark.upper() in text for mark in marks)
