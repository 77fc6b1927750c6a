"""Braiins OS 25.07 and later: the REST API under ``/api/v1``.

Login is ``POST /api/v1/auth/login`` with a JSON username and password; the token it
returns goes in the ``Authorization`` header as it is (no ``Bearer``) and is renewed
by logging in again when the firmware answers 401. Actions are ``PUT`` requests, as in
the firmware's published OpenAPI document. Telemetry stays on RPC (``_rpc.py``); this
API adds what RPC cannot say: whether mining is paused and whether the locate LED
blinks.
"""

from __future__ import annotations

from typing import Any

from ...context import MinerContext
from ...exceptions import MinerResponseError, MinerUnsupportedError, MinerValueError
from ...models import Credentials, MinerIdentity
from ...transports.http import HttpReply, TokenAuth
from ...values import clean_str, normalize_mac, to_bool, to_int
from .._base import Field, Location, Replies, Web
from ._rpc import RPC_MAP, BraiinsBackend

API = "/api/v1"
LOGIN_PATH = f"{API}/auth/login"
DEFAULT_CREDENTIALS = Credentials("root", "root")
# The first release that serves the REST API; older ones speak GraphQL.
SINCE = (25, 7)

DETAILS = Web(f"{API}/miner/details")
LOCATE = Web(f"{API}/actions/locate")

# miner/details "status" (bos.v1 MinerStatus): 1 not started, 2 normal, 3 paused,
# 4 suspended, 5 restricted (licence limits, still hashing).
_MINING_BY_STATUS = {1: False, 2: True, 3: False, 4: False, 5: True}


class NoRestApi(MinerUnsupportedError):
    """The firmware predates the REST API (the login route is missing)."""


class RestApi:
    """Token session on the REST API; shared by identification and the backend."""

    def __init__(self, ctx: MinerContext) -> None:
        self.ctx = ctx
        self.auth = TokenAuth(self._login)

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
        body = reply.json()
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise MinerResponseError(f"{LOGIN_PATH}: no token in the reply")
        return {"Authorization": token}

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


def _mining(replies: Replies) -> bool | None:
    status = to_int(replies[DETAILS]["status"])
    return None if status is None else _MINING_BY_STATUS.get(status)


def _fault_light(replies: Replies) -> bool | None:
    return to_bool(replies[LOCATE])


class RestBackend(BraiinsBackend):
    """BOS >= 25.07: RPC for telemetry, REST for state and controls."""

    name = "rest"
    DATA_MAP = {
        **RPC_MAP,
        Field.MINING: Location((DETAILS,), _mining),
        Field.FAULT_LIGHT: Location((LOCATE,), _fault_light),
    }

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = RestApi(ctx)

    @classmethod
    def accepts(cls, version: tuple[int, ...] | None) -> bool:
        return version is None or version >= SINCE

    async def fetch_web(self, path: str) -> Any:
        return await self.api.get(path)

    async def check_credentials(self) -> None:
        self.api.auth.invalidate()
        await self.api.auth.headers()

    async def set_mining(self, on: bool) -> None:
        await self.api.put(f"{API}/actions/{'resume' if on else 'pause'}")

    async def set_fault_light(self, on: bool) -> None:
        reply = await self.api.put(LOCATE.path, on)
        if reply.body and to_bool(reply.json()) is not on:
            raise MinerResponseError(f"locate LED stayed {'off' if on else 'on'}")

    async def set_power_limit(self, watts: int) -> None:
        # Only the power target: this endpoint leaves pools and other settings alone.
        reply = await self.api.put(f"{API}/performance/power-target", {"watt": int(watts)})
        echoed = reply.json() if reply.body else None
        if isinstance(echoed, dict) and to_int(echoed.get("watt")) not in (None, int(watts)):
            raise MinerResponseError(f"power target set to {echoed.get('watt')} W, not {watts} W")

    async def reboot(self) -> None:
        await self.api.put(f"{API}/actions/reboot")

    async def restart_backend(self) -> None:
        await self.api.put(f"{API}/actions/restart")


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
