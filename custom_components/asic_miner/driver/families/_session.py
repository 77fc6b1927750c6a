"""The login session every family with a token or cookie login builds on.

A family's API class says how to log in (``_login``: the headers to send afterwards);
this base keeps the context and the shared ``TokenAuth`` that calls it once, shares it
between concurrent requests and renews it when the firmware refuses it. A backend on
such a session proves the stored password the same way everywhere (``LoginChecked``).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..context import MinerContext
from ..exceptions import MinerResponseError
from ..transports.http import HttpReply, TokenAuth


class LoginSession:
    """A firmware API session on the shared ``TokenAuth``."""

    def __init__(self, ctx: MinerContext) -> None:
        self.ctx = ctx
        self.auth = TokenAuth(self._login)

    async def _login(self) -> dict[str, str]:
        """Log in; the headers later requests carry (token, cookie)."""
        raise NotImplementedError

    def forget(self) -> None:
        """Drop the login: the next request logs in afresh."""
        self.auth.invalidate()

    async def check_login(self) -> None:
        """Log in afresh now, so a wrong password is said at once, not at the next control."""
        self.forget()
        await self.auth.headers()


class LoginChecked[S: LoginSession]:
    """Mixin (listed before ``Backend``) for backends whose ``api`` is a login session.

    ``check_credentials`` logs in afresh: the password the miner was added with still works.
    """

    api: S

    async def check_credentials(self) -> None:
        await self.api.check_login()


def reply_token(reply: HttpReply, path: str) -> str:
    """The ``token`` a JSON login reply carries (Braiins REST, VNish unlock)."""
    body = reply.json()
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise MinerResponseError(f"{path}: no token in the reply")
    return token


def session_cookie(headers: Mapping[str, str]) -> str | None:
    """``name=value`` of the session cookie a login set (header case varies)."""
    for key, value in headers.items():
        if key.lower() == "set-cookie":
            pair = value.split(";", 1)[0].strip()
            if "=" in pair and pair.split("=", 1)[1]:
                return pair
    return None
