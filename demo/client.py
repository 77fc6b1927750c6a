"""Talking to the demo's Home Assistant over its REST and WebSocket APIs."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from typing import Any

import aiohttp


class DemoError(Exception):
    """Something the demo cannot go on from; the message is for the person running it."""


class HomeAssistantClient:
    """REST and WebSocket calls as one user, with the token the login gave."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.client_id = f"{self.base_url}/"
        self.redirect_uri = f"{self.base_url}/?auth_callback=1"
        self.token: str | None = None
        self.refresh_token: str | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)

    # -- plain HTTP --------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        data: Any = None,
        *,
        auth: bool = True,
        ok: int | tuple[int, ...] = 200,
    ) -> Any:
        """One REST call; the JSON it answers, or DemoError for any other status."""
        headers = {"Authorization": f"Bearer {self.token}"} if auth and self.token else {}
        async with self.session.request(
            method, f"{self.base_url}{path}", json=data, headers=headers
        ) as resp:
            text = await resp.text()
            try:
                body = json.loads(text) if text else None
            except ValueError:
                body = text
            if resp.status not in (ok if isinstance(ok, tuple) else (ok,)):
                raise DemoError(f"{method} {path} answered {resp.status}: {body}")
            return body

    async def wait_until_up(self, timeout: float, alive: Any) -> None:
        """Wait until Home Assistant answers HTTP; ``alive()`` false means it died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not alive():
                raise DemoError("Home Assistant exited while starting")
            # The login page's first call: 200, or 400 until onboarding is done.
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with (
                    asyncio.timeout(5),
                    self.session.get(f"{self.base_url}/auth/providers") as resp,
                ):
                    if resp.status in (200, 400):
                        return
            await asyncio.sleep(0.5)
        raise DemoError(f"Home Assistant did not answer on {self.base_url} within {timeout:.0f} s")

    # -- logging in --------------------------------------------------------------------

    async def _exchange(self, code: str) -> None:
        async with self.session.post(
            f"{self.base_url}/auth/token",
            data={"grant_type": "authorization_code", "code": code, "client_id": self.client_id},
        ) as resp:
            tokens = await resp.json(content_type=None)
            if resp.status != 200:
                raise DemoError(f"/auth/token answered {resp.status}: {tokens}")
        self.token = tokens["access_token"]
        self.refresh_token = tokens["refresh_token"]

    async def onboard(self, name: str, username: str, password: str, language: str) -> bool:
        """Do whatever onboarding steps are left, as the frontend does; False if none were."""
        try:
            listed = await self.request("GET", "/api/onboarding", auth=False)
        except DemoError:
            return False  # onboarding done: Home Assistant no longer serves it
        steps = {step["step"]: step["done"] for step in listed}
        if all(steps.values()):
            return False
        if not steps.get("user", True):
            created = await self.request(
                "POST",
                "/api/onboarding/users",
                {
                    "name": name,
                    "username": username,
                    "password": password,
                    "client_id": self.client_id,
                    "language": language,
                },
                auth=False,
            )
            await self._exchange(created["auth_code"])
        else:
            await self.login(username, password)
        if not steps.get("core_config", True):
            await self.request("POST", "/api/onboarding/core_config", {})
        if not steps.get("analytics", True):
            await self.request("POST", "/api/onboarding/analytics", {})
        if not steps.get("integration", True):
            await self.request(
                "POST",
                "/api/onboarding/integration",
                {"client_id": self.client_id, "redirect_uri": self.redirect_uri},
            )
        return True

    async def login(self, username: str, password: str) -> None:
        """Log in through the login flow, as the login page does."""
        flow = await self.request(
            "POST",
            "/auth/login_flow",
            {
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.redirect_uri,
            },
            auth=False,
        )
        result = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            {"username": username, "password": password, "client_id": self.client_id},
            auth=False,
        )
        if result.get("type") != "create_entry":
            raise DemoError(
                f"logging in as {username!r} failed: {result.get('errors')}; "
                "start over with --fresh"
            )
        await self._exchange(result["result"])

    # -- WebSocket ---------------------------------------------------------------------

    async def ws(self, message: dict[str, Any]) -> Any:
        """Send one command and return its result."""
        if self._ws is not None and self._ws.closed:
            self._ws = None  # Home Assistant closed an idle connection: open a new one
        if self._ws is None:
            self._ws = await self.session.ws_connect(f"{self.base_url}/api/websocket")
            await self._ws.receive_json()  # auth_required
            await self._ws.send_json({"type": "auth", "access_token": self.token})
            if (reply := await self._ws.receive_json())["type"] != "auth_ok":
                raise DemoError(f"WebSocket login refused: {reply}")
        msg_id = next(self._ids)
        await self._ws.send_json({**message, "id": msg_id})
        while True:
            reply = await self._ws.receive_json()
            if reply.get("id") == msg_id and reply.get("type") == "result":
                break
        if not reply["success"]:
            raise DemoError(f"{message['type']} failed: {reply['error']}")
        return reply["result"]

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
