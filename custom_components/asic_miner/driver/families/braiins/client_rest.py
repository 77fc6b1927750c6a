"""The REST session of Braiins OS 25.07 and later, and identification over it.

Login is ``POST /api/v1/auth/login`` with a JSON username and password; the token it
returns goes in the ``Authorization`` header as it is (no ``Bearer``) and is renewed
by logging in again when the firmware answers 401. Actions are ``PUT`` requests, as in
the firmware's published OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from ...exceptions import MinerResponseError, MinerUnsupportedError, MinerValueError
from ...models import Credentials
from ...transports.http import HttpReply
from ...values import clean_str, normalize_mac
from .._session import LoginSession, reply_token
from .parse_rest import API, DETAILS

LOGIN_PATH = f"{API}/auth/login"
DEFAULT_CREDENTIALS = Credentials("root", "root")
# The first release that serves the REST API; older ones speak GraphQL.
SINCE = (25, 7)


class NoRestApi(MinerUnsupportedError):
    """The firmware predates the REST API (the login route is missing)."""


class RestApi(LoginSession):
    """Token session on the REST API; shared by identification and the backend."""

    async def _login(self) -> dict[str, str]:
        user, password = self.ctx.login(DEFAULT_CREDENTIALS)
        # 401/403 raise MinerAuthenticationError here, which stops TokenAuth's retry.
        reply = await self.ctx.web().request(
            "POST", LOGIN_PATH, json_body={"username": user, "password": password}
        )
        if reply.status in (404, 405):
            raise NoRestApi(f"{self.ctx.host}: no REST API ({reply.status})")
        if reply.status >= 400:
            raise MinerResponseError(f"{LOGIN_PATH}: HTTP {reply.status}")
        if _is_html(reply):
            # Some web servers answer unknown routes with their single-page app.
            raise NoRestApi(f"{self.ctx.host}: login answered with a web page")
        return {"Authorization": reply_token(reply, LOGIN_PATH)}

    async def available(self) -> bool:
        """Log in; ``False`` when this release has no REST API at all."""
        try:
            await self.auth.headers()
        except NoRestApi:
            return False
        return True

    async def get(self, path: str) -> Any:
        return await self.auth.json(self.ctx.web(), "GET", path)

    async def put(self, path: str, body: Any = None) -> HttpReply:
        reply = await self.auth.request(self.ctx.web(), "PUT", path, json_body=body)
        if reply.status in (400, 422):
            # The firmware says in the body why it refused a value.
            raise MinerValueError(f"{path}: {_message(reply)}")
        if reply.status >= 400:
            raise MinerResponseError(f"{path}: HTTP {reply.status} {_message(reply)}")
        return reply


def _is_html(reply: HttpReply) -> bool:
    for key, value in reply.headers.items():
        if key.lower() == "content-type":
            return "html" in value.lower()
    return reply.body.lstrip()[:1] == b"<"


def _message(reply: HttpReply) -> str:
    try:
        body = reply.json()
    except MinerResponseError:
        return reply.text[:120]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or body)[:200]
    return str(body)[:200]


async def read_identity(api: RestApi) -> dict[str, Any]:
    """The identity fields ``miner/details`` carries, as plain values."""
    details = await api.get(DETAILS.path)
    if not isinstance(details, dict):
        raise MinerResponseError("miner/details is not an object")
    version = details.get("bos_version") or {}
    identity = details.get("miner_identity") or {}
    return {
        "full_version": clean_str(version.get("current")) if isinstance(version, dict) else None,
        "model": clean_str(identity.get("miner_model") or identity.get("name"))
        if isinstance(identity, dict)
        else None,
        "mac": normalize_mac(details.get("mac_address")),
        "hostname": clean_str(details.get("hostname")),
        "serial": clean_str(details.get("serial_number")),
    }
