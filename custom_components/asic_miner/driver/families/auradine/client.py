"""The FluxOS API on TCP 8080: a token login, cgminer-style replies over HTTP.

Login is ``POST /token {"command": "token", "user", "password"}`` for
``Token[0].Token``, sent back as a ``Token`` header; reads are ``GET /<command>``,
writes ``POST /<command>`` with the command repeated in the JSON body (asic-rs's
FluxOS 2023-12.27 client, protocols.md §7.2). Every reply carries a cgminer
``STATUS``; an error status is the firmware refusing, whatever the HTTP status.
FluxOS serves its web UI on 80 and this API on 8080: with the web port left at 80
the API is asked on 8080; a web port moved by the owner (port forwarding) is where
the API is asked, as there is nothing else to ask there.
"""

from __future__ import annotations

from typing import Any

from ...exceptions import MinerAuthenticationError, MinerControlRefusedError, MinerResponseError
from ...models import DEFAULT_WEB_PORT, Credentials
from ...transports.http import HttpClient
from .._cgminer import first, refusal
from .._session import LoginSession

API_PORT = 8080
DEFAULT_CREDENTIALS = Credentials("admin", "admin")


def api_port(web_port: int) -> int:
    """8080 beside the default web port; a moved web port is the API's."""
    return API_PORT if web_port == DEFAULT_WEB_PORT else web_port


class FluxApi(LoginSession):
    """The token session on port 8080, shared by identification and the backend."""

    def _web(self) -> HttpClient:
        return self.ctx.web(port=api_port(self.ctx.ports.web))

    async def _login(self) -> dict[str, str]:
        user, password = self.ctx.login(DEFAULT_CREDENTIALS)
        body = {"command": "token", "user": user, "password": password}
        # HTTP 401/403 raise MinerAuthenticationError here, which stops the retry.
        reply = await self._web().post_json("/token", body)
        said = refusal(reply)
        if said is not None:
            raise MinerAuthenticationError(f"{self.ctx.host}: FluxOS refused the login: {said}")
        token = first(reply, "Token").get("Token")
        if not isinstance(token, str) or not token:
            raise MinerResponseError("/token: no token in the reply")
        return {"Token": token}

    async def get(self, command: str) -> Any:
        """``GET /<command>``; an error STATUS raises ``MinerResponseError``."""
        reply = await self.auth.json(self._web(), "GET", f"/{command}")
        said = refusal(reply)
        if said is not None:
            raise MinerResponseError(f"{command}: {said}")
        return reply

    async def post(self, command: str, what: str, body: dict[str, Any] | None = None) -> Any:
        """``POST /<command>``; an error STATUS is the firmware refusing ``what``."""
        sent = {"command": command, **(body or {})}
        reply = await self.auth.json(self._web(), "POST", f"/{command}", json_body=sent)
        said = refusal(reply)
        if said is not None:
            raise MinerControlRefusedError(what, said)
        return reply
