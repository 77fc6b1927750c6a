"""IceRiver's web API on port 80: a cookie login, then ``POST /user/userpanel?post=N``.

Login is ``POST /user/loginpost?post=6&user=…&pwd=…`` (protocols.md §7.6; pyasic's and
the BlockOps asic-rs fork's IceRiver clients); the session cookie it sets goes back on
every later request. ``post=4`` reads everything, ``post=5&locate=1|0`` sets the fault
light. No public capture shows how the firmware answers a wrong password or an expired
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
READ = 4  # the ``post`` code that reads the whole panel
LOCATE = 5  # the ``post`` code that sets the fault light


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
        """``POST /user/userpanel?post=<post>&…``: the reply's JSON object.

        A redirect (the session is not, or no longer, accepted) logs in once more.
        """
        path = f"{PANEL_PATH}?{urlencode({'post': str(post), **params})}"
        for _attempt in (1, 2):
            headers = await self.auth.headers()
            reply = await self.auth.request(self.ctx.web(), "POST", path)
            if not 300 <= reply.status < 400:
                break
            self.auth.invalidate(headers)
        else:
            raise MinerAuthenticationError(f"{self.ctx.host}: IceRiver session refused")
        if reply.status >= 400:
            raise MinerResponseError(f"{PANEL_PATH} post={post}: HTTP {reply.status}")
        body = reply.json()
        if not isinstance(body, dict):
            raise MinerResponseError(f"{PANEL_PATH} post={post}: not a JSON object")
        return body


def _refused(body: bytes) -> bool:
    """A login reply whose JSON carries a non-zero ``error`` (the session was not opened)."""
    try:
        reply = loads_bounded(body, "login reply") if body.strip() else None
    except MinerError:
        return False
    return isinstance(reply, dict) and reply.get("error") not in (None, 0, "0", False)
