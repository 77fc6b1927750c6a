"""The web server: routes by release, the network gate, PATCH settings, restart,
identify, pause and resume.
"""

from __future__ import annotations

import gzip
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ... import thermal
from ...state import SimPool
from .base import (
    _AXEOS_PAGE,
    _NERD_PAGE,
    _UINT16,
    IDENTIFY_SECONDS,
    _is_number,
    _split_pool,
)
from .replies import BitaxeReplies


class BitaxeWeb(BitaxeReplies):
    def routes(self, app: web.Application) -> None:
        nerd = self.device.nerd
        app.middlewares.append(self._network_gate)
        if nerd:
            app.on_response_prepare.append(self._close_connection)
        app.router.add_get("/", self._root)
        app.router.add_get("/api/system/info", self._info)
        if nerd or self.release.asic_api:
            app.router.add_get("/api/system/asic", self._asic_route)
        app.router.add_route("PATCH", "/api/system", self._patch)
        app.router.add_post("/api/system/restart", self._restart)
        if not nerd and self.release.newer_info:
            app.router.add_post("/api/system/identify", self._identify)
        if not nerd and self.release.pause:
            app.router.add_post("/api/system/pause", self._pause)
            app.router.add_post("/api/system/resume", self._resume)
        app.router.add_get("/{tail:.*}", self._captive_portal)

    @web.middleware
    async def _network_gate(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        """``is_network_allowed``: the API answers clients on private networks only."""
        if self.refuse_clients and request.path.startswith("/api"):
            return web.Response(status=401, text="Unauthorized")
        return await handler(request)

    @staticmethod
    async def _close_connection(request: web.Request, response: web.StreamResponse) -> None:
        # The NerdQAxe firmware closes every connection after its reply, and says so.
        response.headers["Connection"] = "close"
        response.force_close()

    def _otp_refused(self, request: web.Request) -> web.Response | None:
        if self.device.nerd and self.otp and not request.headers.get("X-TOTP"):
            return web.Response(status=401, text="OTP/Session required")
        return None

    async def _root(self, request: web.Request) -> web.Response:
        page = _NERD_PAGE if self.device.nerd else _AXEOS_PAGE
        return web.Response(
            body=gzip.compress(page.encode()),
            headers={"Content-Encoding": "gzip"},
            content_type="text/html",
        )

    async def _captive_portal(self, request: web.Request) -> web.Response:
        return web.Response(
            status=302, headers={"Location": "/"}, text="Redirect to the captive portal"
        )

    async def _info(self, request: web.Request) -> web.Response:
        return web.json_response(self._nerd_info() if self.device.nerd else self._axeos_info())

    async def _asic_route(self, request: web.Request) -> web.Response:
        return web.json_response(self._asic())

    async def _patch(self, request: web.Request) -> web.Response:
        refused = self._otp_refused(request)
        if refused is not None:
            return refused
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400, text="Invalid JSON")
        if not isinstance(body, dict):
            return web.Response(status=400, text="Wrong API input")
        self.patches.append(body)
        if self.device.nerd:
            self._apply_nerd(body)
        elif not self._apply_axeos(body):
            return web.Response(status=400, text="Wrong API input")
        return web.Response(status=200)

    def _apply_axeos(self, body: dict[str, Any]) -> bool:
        """Check every known key first, then write them all (``check_settings_and_update``)."""
        numbers = ("frequency", "coreVoltage", "stratumPort", "fallbackStratumPort", "fanspeed")
        for key in numbers:
            if key in body and not (_is_number(body[key]) and 1 <= body[key] <= _UINT16):
                return False
        texts = ("stratumURL", "stratumUser", "fallbackStratumURL", "fallbackStratumUser")
        for key in (*texts, "hostname"):
            if key in body and not isinstance(body[key], str):
                return False
        if not self._apply_fan(body):
            return False
        self._apply(body, integers_only=False)
        return True

    def _apply_fan(self, body: dict[str, Any]) -> bool:
        """``autofanspeed`` (0/1), ``fanspeed`` (the manual %), ``temptarget`` (°C, 2.10+)."""
        state = self.state
        auto = body.get("autofanspeed")
        if auto is not None and auto not in (0, 1):
            return False
        if "temptarget" in body:
            if not self.release.newer_info or not _is_number(body["temptarget"]):
                return False
            state.temperature_target = float(body["temptarget"])
        if auto is not None:
            state.fan_mode = thermal.AUTO if auto else thermal.MANUAL
        if "fanspeed" in body:
            state.fan_speed = min(100, int(body["fanspeed"]))
        return True

    def _apply_nerd(self, body: dict[str, Any]) -> None:
        """ArduinoJson ``is<uint16_t>()``: a non-integer number is silently skipped."""
        self._apply(body, integers_only=True)

    def _apply(self, body: dict[str, Any], *, integers_only: bool) -> None:
        def accepted(value: Any) -> bool:
            if not _is_number(value) or not 0 < value <= _UINT16:
                return False
            return isinstance(value, int) if integers_only else True

        if "frequency" in body and accepted(body["frequency"]):
            self.state.work_mode = f"{float(body['frequency']):g}"
        if "coreVoltage" in body and accepted(body["coreVoltage"]):
            self.core_voltage = int(body["coreVoltage"])
        if isinstance(body.get("hostname"), str):
            self.state.hostname = body["hostname"]
        for index, prefix in ((0, "stratum"), (1, "fallbackStratum")):
            keys = (f"{prefix}URL", f"{prefix}Port", f"{prefix}User", f"{prefix}Password")
            if not any(k in body for k in keys):
                continue
            while len(self.state.pools) <= index:
                self.state.pools.append(SimPool("", ""))
            pool = self.state.pools[index]
            host, port = _split_pool(pool.url) if pool.url else ("", 3333)
            host = str(body.get(f"{prefix}URL", host))
            port = int(body.get(f"{prefix}Port", port))
            pool.url = f"stratum+tcp://{host}:{port}"
            pool.user = str(body.get(f"{prefix}User", pool.user))
            pool.password = str(body.get(f"{prefix}Password", pool.password))

    async def _restart(self, request: web.Request) -> web.Response:
        refused = self._otp_refused(request)
        if refused is not None:
            return refused
        self.state.reboot()
        if not self.device.nerd:
            self.state.mining = True  # the pause flag lives in RAM
        if self.device.nerd or self.release.asic_api:
            return web.json_response({"message": "System will restart shortly."})
        return web.Response(text="System will restart shortly.")

    async def _identify(self, request: web.Request) -> web.Response:
        now = self.state.now()
        if self.identify_until > now:
            self.identify_until = 0.0
            return web.json_response({"message": 'The device no longer says "Hi!".'})
        self.identify_until = now + IDENTIFY_SECONDS
        return web.json_response({"message": 'The device says "Hi!" for 30 seconds.'})

    async def _pause(self, request: web.Request) -> web.Response:
        self.state.mining = False
        return web.json_response({"message": "Mining paused"})

    async def _resume(self, request: web.Request) -> web.Response:
        self.state.mining = True
        return web.json_response({"message": "Mining resumed"})
