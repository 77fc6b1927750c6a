"""The Innosilicon web API: a JWT login, then ``POST /api/<command>``.

Login is ``POST /api/auth`` with the form fields ``username`` and ``password``
(admin / admin out of the box) for ``{"jwt": ...}``, sent back as ``Authorization:
Bearer <jwt>`` (pyasic's Innosilicon web client, protocols.md §7.4). A reply with
``"success": false`` is the firmware refusing the command.
"""

from __future__ import annotations

from typing import Any

from ...exceptions import MinerResponseError
from ...models import Credentials
from .._session import LoginSession

DEFAULT_CREDENTIALS = Credentials("admin", "admin")


class InnoApi(LoginSession):
    """The JWT session on the web port, shared by identification and the backend."""

    async def _login(self) -> dict[str, str]:
        user, password = self.ctx.login(DEFAULT_CREDENTIALS)
        form = {"username": user, "password": password}
        # HTTP 401/403 raise MinerAuthenticationError here, which stops the retry.
        reply = await self.ctx.web().request("POST", "/api/auth", data=form)
        body = reply.json()
        token = body.get("jwt") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise MinerResponseError("/api/auth: no jwt in the reply")
        return {"Authorization": f"Bearer {token}"}

    async def post(self, command: str) -> dict[str, Any]:
        """``POST /api/<command>``; a refusal or a reply that is no object raises."""
        reply = await self.auth.json(self.ctx.web(), "POST", f"/api/{command}")
        if not isinstance(reply, dict) or reply.get("success") is False:
            raise MinerResponseError(f"/api/{command}: refused or not an object")
        return reply
