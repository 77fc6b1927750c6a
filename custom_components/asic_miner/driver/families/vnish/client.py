"""The VNish ``/api/v1`` session: one unlock token, shared by concurrent requests.

Login is ``POST unlock {"pw"}`` (there is no user name) for a token sent as
``Authorization: Bearer <token>``, as the firmware's OpenAPI document declares; the
shared ``TokenAuth`` keeps it, and renews it once when the firmware refuses it. A
wrong password is 403; too many wrong ones lock the API for a while (429 with
``unlock_timeout``), which would lock the owner out of the web UI too, so a refused
password is not tried again for ``REFUSAL_BACKOFF`` seconds except by
``check_credentials``. Public endpoints are asked without a token, and take one only
when a screen lock closed them.
"""

from __future__ import annotations

import time
from typing import Any

from ...context import MinerContext
from ...exceptions import MinerAuthenticationError, MinerResponseError
from ...models import Credentials
from ...transports.http import HttpReply
from ...values import to_int
from .._session import LoginSession, reply_token

# VNish asks for a password only; the user name is never sent.
DEFAULT_CREDENTIALS = Credentials("admin", "admin")
# Seconds a refused password is not sent again by polls and controls.
REFUSAL_BACKOFF = 600.0

API = "/api/v1"
UNLOCK_PATH = f"{API}/unlock"
_REFUSED = (401, 403)


class VnishHttpError(MinerResponseError):
    """The API answered with an HTTP error status (other than an auth refusal)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class VnishLockedOutError(MinerAuthenticationError):
    """Too many wrong passwords: the firmware refuses every unlock for a while."""

    def __init__(self, message: str, retry_after: int | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _error_text(reply: HttpReply) -> str:
    try:
        body = reply.json()
    except MinerResponseError:
        return reply.text[:120]
    if isinstance(body, dict) and body.get("err"):
        return str(body["err"])[:200]
    return str(body)[:200]


def _unlock_timeout(reply: HttpReply) -> int | None:
    try:
        body = reply.json()
    except MinerResponseError:
        return None
    return to_int(body.get("unlock_timeout")) if isinstance(body, dict) else None


class VnishApi(LoginSession):
    """The ``/api/v1`` token session, on the shared ``TokenAuth``."""

    def __init__(self, ctx: MinerContext) -> None:
        super().__init__(ctx)
        # (password, error, until when) of the last refused unlock
        self._refused: tuple[str, MinerAuthenticationError, float] | None = None

    def forget(self) -> None:
        """Drop the token (and any remembered refusal): the next request unlocks."""
        super().forget()
        self._refused = None

    async def _login(self) -> dict[str, str]:
        """``POST /unlock`` with the password; a refused one is not tried again for a while."""
        _, password = self.ctx.login(DEFAULT_CREDENTIALS)
        refused = self._refused
        if refused is not None and refused[0] == password and time.monotonic() < refused[2]:
            raise refused[1]
        reply = await self.ctx.web().request(
            "POST", UNLOCK_PATH, json_body={"pw": password}, auth_required=False
        )
        if reply.status in (*_REFUSED, 429):
            error, wait = self._refusal(reply)
            self._refused = (password, error, time.monotonic() + wait)
            raise error
        if reply.status >= 400:
            raise MinerResponseError(f"{UNLOCK_PATH}: HTTP {reply.status} {_error_text(reply)}")
        token = reply_token(reply, UNLOCK_PATH)
        self._refused = None
        return {"Authorization": f"Bearer {token}"}

    def _refusal(self, reply: HttpReply) -> tuple[MinerAuthenticationError, float]:
        """The error a refused unlock raises, and how long not to try that password."""
        host = self.ctx.host
        if reply.status != 429:
            return MinerAuthenticationError(f"{host}: VNish refused the password"), REFUSAL_BACKOFF
        retry_after = _unlock_timeout(reply)
        error = VnishLockedOutError(
            f"{host}: too many wrong passwords; VNish refuses logins"
            + (f" for {retry_after} s" if retry_after is not None else " for a while"),
            retry_after,
        )
        return error, max(REFUSAL_BACKOFF, float(retry_after or 0))

    async def request(
        self, method: str, path: str, *, body: Any = None, public: bool = False
    ) -> HttpReply:
        """One request; a refused token is renewed once, then the refusal stands.

        ``public`` requests go without a token, and take one only if the firmware
        asks for it (a screen lock can close the public endpoints).
        """
        reply = None
        if public:
            reply = await self.ctx.web().request(method, path, json_body=body, auth_required=False)
        if reply is None or reply.status in _REFUSED:
            reply = await self.auth.request(self.ctx.web(), method, path, json_body=body)
            if reply.status in _REFUSED:
                # TokenAuth renews a token its client refuses by raising; a client that
                # returns the refusal instead ends here, after one unlock, not in a loop.
                raise MinerAuthenticationError(
                    f"{self.ctx.host}: {path} refused a fresh token ({reply.status})"
                )
        if reply.status >= 400:
            raise VnishHttpError(f"{path}: HTTP {reply.status} {_error_text(reply)}", reply.status)
        return reply

    async def get(self, path: str, *, public: bool = False) -> Any:
        return (await self.request("GET", path, public=public)).json()

    async def post(self, path: str, body: Any = None) -> Any:
        reply = await self.request("POST", path, body=body)
        return reply.json() if reply.body.strip() else None
