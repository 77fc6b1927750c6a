"""IceRiver's web API on port 80: a cookie login, then ``POST /user/userpanel?post=N``.

Login is ``POST /user/loginpost?post=6&user=…&pwd=…`` (protocols.md §7.6; pyasic's and
the BlockOps asic-rs fork's IceRiver clients); the session cookie it sets goes back on
every later request. ``post=4`` reads everything, ``post=5&locate=1|0`` sets the fault
light. ``POST /user/machineconfig`` reads (``post=1``) and writes (``post=2``, form
fields ``pool<N>address`` / ``pool<N>miner`` / ``pool<N>pwd``, ``fanratio``,
``fanmode``) the saved configuration, as bitcap-ipr's IceRiver client does; every
write answers ``{"error": 0, "message": ""}``, a non-zero ``error`` being a refusal. No public capture shows how the firmware answers a wrong password or an expired
session: a login that sets no cookie, an error word in its JSON, HTTP 401/403, or a
panel read answered with a redirect (the login page) are all taken as a refusal.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from ...exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
)
from ...models import Credentials
from ...transports.json_scan import loads_bounded
from .._session import LoginSession, session_cookie

DEFAULT_CREDENTIALS = Credentials("admin", "12345678")
LOGIN_PATH = "/user/loginpost"
PANEL_PATH = "/user/userpanel"
CONFIG_PATH = "/user/machineconfig"
READ = 4  # the ``post`` code that reads the whole panel
LOCATE = 5  # the ``post`` code that sets the fault light
CONFIG_READ = 1  # ``machineconfig``: the saved pools (with passwords), fan ratio, mode
CONFIG_WRITE = 2  # ``machineconfig``: pools, fan ratio and mode, all at once


class IceRiverWeb(LoginSession):
    """The cookie session on the web port, shared by identification and the backend."""

    async def _login(self) -> dict[str, str]:
        user, password = self.ctx.login(DEFAULT_CREDENTIALS)
        query = urlencode({"post": "6", "user": user, "pwd": password})
        try:
            reply = await self.ctx.web().request("POST", f"{LOGIN_PATH}?{query}")
        except MinerAuthenticationError:
            raise MinerAuthenticationError(f"{self.ctx.host}: IceRiver refused the login") from None
        except (MinerTimeoutError, MinerConnectionError, MinerResponseError) as err:
            # The request's own message names the URL, password and all: never repeat it.
            raise type(err)(f"{self.ctx.host}: POST {LOGIN_PATH} failed") from None
        cookie = session_cookie(reply.headers)
        if reply.status >= 300 or cookie is None or _refused(reply.body):
            raise MinerAuthenticationError(f"{self.ctx.host}: IceRiver refused the login")
        return {"Cookie": cookie}

    async def panel(self, post: int, **params: str) -> dict[str, Any]:
        """``POST /user/userpanel?post=<post>&…``: the reply's JSON object."""
        return await self.call(PANEL_PATH, post, query=params)

    async def call(
        self,
        page: str,
        post: int,
        *,
        query: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """``POST <page>?post=<post>&…`` (``form`` as the body): the reply's JSON object.

        A redirect (the session is not, or no longer, accepted) logs in once more.
        """
        path = f"{page}?{urlencode({'post': str(post), **(query or {})})}"
        body = None if form is None else {"post": str(post), **form}
        for _attempt in (1, 2):
            headers = await self.auth.headers()
            reply = await self.auth.request(self.ctx.web(), "POST", path, data=body)
            if not 300 <= reply.status < 400:
                break
            self.auth.invalidate(headers)
        else:
            raise MinerAuthenticationError(f"{self.ctx.host}: IceRiver session refused")
        if reply.status >= 400:
            raise MinerResponseError(f"{page} post={post}: HTTP {reply.status}")
        result = reply.json()
        if not isinstance(result, dict):
            raise MinerResponseError(f"{page} post={post}: not a JSON object")
        return result


def refusal(reply: dict[str, Any]) -> str | None:
    """The firmware's message when a write's ``error`` is not 0, else ``None``."""
    if reply.get("error") in (None, 0):
        return None
    return str(reply.get("message") or f"error {reply.get('error')}")[:120]


def _refused(body: bytes) -> bool:
    """A login reply whose JSON carries a non-zero ``error`` (the session was not opened)."""
    try:
        reply = loads_bounded(body, "login reply") if body.strip() else None
    except MinerError:
        return False
    return isinstance(reply, dict) and reply.get("error") not in (None, 0, "0", False)
