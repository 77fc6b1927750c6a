"""The PowerPlay API: HTTP JSON on the miner's RPC port (4028), a password per control.

A GET may answer ``{"result": false, "error": ...}`` while its data is not ready
(booting, just soft-rebooted): that is asked again once and never taken for
"offline". Controls are ``POST`` requests with ``{"param": <value>, "password":
"<pw>"}``; the reply is ``{"result": true|false, "error": ...}`` and a wrong password is
``result: false`` with ``BadPassword``. There is no session to keep.

A poll's two sources are read as one: the summary first, so a dead miner fails the
poll on the summary alone (both sources carry its error), then the capabilities,
which never change and are kept once read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from ...context import MinerContext
from ...exceptions import MinerAuthenticationError, MinerError, MinerResponseError
from ...gathering import SharedPoll
from ...models import Credentials
from ...transports.http import HttpClient, HttpReply
from .parse import CAPABILITIES, SUMMARY

DEFAULT_CREDENTIALS = Credentials(None, "letmein")
# How long to wait before asking again for data the firmware said was not ready.
NOT_READY_PAUSE = 0.3


def api_client(ctx: MinerContext) -> HttpClient:
    """The PowerPlay API: HTTP on the miner's RPC port."""
    return ctx.web(port=ctx.ports.rpc)


def _refusal(body: dict[str, Any]) -> str:
    error = body.get("error")
    return str(error) if error not in (None, "") else "no reason given"


async def get_json(client: HttpClient, path: str) -> Any:
    """GET ``path``; a "not ready" answer is asked again once, then is an error."""
    for attempt in (1, 2):
        body = await client.get_json(path)
        if not (isinstance(body, dict) and body.get("result") is False):
            return body
        if attempt == 1:
            await asyncio.sleep(NOT_READY_PAUSE)
    raise MinerResponseError(f"{client.host} {path}: data not ready ({_refusal(body)})")


async def get_object(client: HttpClient, path: str) -> dict[str, Any]:
    body = await get_json(client, path)
    if not isinstance(body, dict):
        raise MinerResponseError(f"{client.host} {path}: not an object")
    return body


class PowerPlayApi:
    """One miner's PowerPlay API: the poll's reads, the kept capabilities, the controls."""

    def __init__(self, ctx: MinerContext) -> None:
        self.ctx = ctx
        self.http = api_client(ctx)
        self._capabilities: dict[str, Any] | None = None
        self._poll: SharedPoll[str] = SharedPoll(self._read_poll)

    async def read(self, path: str) -> Any:
        """This poll's reply to ``GET path``, one of the data map's two sources."""
        return await self._poll.piece(path)

    async def _read_poll(self) -> Mapping[str, Any]:
        summary = await get_object(self.http, SUMMARY.path)
        try:
            capabilities: Any = await self.capabilities()
        except MinerError as err:
            capabilities = err  # unknown this poll, asked again on the next
        return {SUMMARY.path: summary, CAPABILITIES.path: capabilities}

    async def capabilities(self) -> dict[str, Any]:
        if self._capabilities is None:
            self._capabilities = await get_object(self.http, CAPABILITIES.path)
        return self._capabilities

    async def post(self, path: str, param: Any) -> None:
        """One control; ``result: false`` raises with the firmware's reason."""
        host = self.ctx.host
        _, password = self.ctx.login(DEFAULT_CREDENTIALS)
        reply: HttpReply = await self.http.request(
            "POST", path, json_body={"param": param, "password": password}
        )
        if reply.status >= 400:
            raise MinerResponseError(f"{host} {path}: HTTP {reply.status}")
        body = reply.json()
        if not isinstance(body, dict) or not isinstance(body.get("result"), bool):
            raise MinerResponseError(f"{host} {path}: unexpected reply {body!r:.80}")
        if body["result"]:
            return
        error = _refusal(body)
        if "password" in error.lower():
            raise MinerAuthenticationError(f"{host} {path}: password refused")
        raise MinerResponseError(f"{host} {path}: refused ({error})")
