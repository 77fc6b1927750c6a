"""Goldshell's web API on port 80: a JWT login, then ``/mcb/<endpoint>`` with a Bearer token.

Login is ``GET /user/login?username=…&password=…&cipher=false``, answered with
``{"JWT Token": "…"}`` (protocols.md §7.5, pyasic's Goldshell web client); the token
goes back as ``Authorization: Bearer <token>``. Only ``status`` is read (model,
firmware, control board), as the public captures show it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from ...exceptions import MinerAuthenticationError, MinerResponseError
from ...models import Credentials
from .._session import LoginSession

DEFAULT_CREDENTIALS = Credentials("admin", "123456789")


class GoldshellWeb(LoginSession):
    """The token session on the web port, shared by identification and the backend."""

    async def _login(self) -> dict[str, str]:
        user, password = self.ctx.login(DEFAULT_CREDENTIALS)
        query = urlencode({"username": user, "password": password, "cipher": "false"})
        # HTTP 401/403 raise MinerAuthenticationError here, which stops the retry.
        reply = await self.ctx.web().get_json(f"/user/login?{query}")
        if not isinstance(reply, dict):
            raise MinerResponseError("/user/login: not a JSON object")
        token = reply.get("JWT Token")
        if not isinstance(token, str) or not token:
            raise MinerAuthenticationError(f"{self.ctx.host}: Goldshell refused the login")
        return {"Authorization": f"Bearer {token}"}

    async def get(self, endpoint: str) -> Any:
        """``GET /mcb/<endpoint>``: a JSON object, else ``MinerResponseError``."""
        reply = await self.auth.json(self.ctx.web(), "GET", f"/mcb/{endpoint}")
        if not isinstance(reply, dict):
            raise MinerResponseError(f"/mcb/{endpoint}: not a JSON object")
        return reply
