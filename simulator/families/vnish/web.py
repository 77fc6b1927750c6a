"""The AnthillOS REST API under ``/api/v1``: routes, unlock (token) and the writes."""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ...logs import log_text
from ...state import SimPool
from .base import API, LOCKOUT_SECONDS, MAX_UNLOCK_FAILURES, ROOT_HTML, Handler
from .web_reads import VnishReads


class VnishWeb(VnishReads):
    def routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._root)
        app.router.add_post(f"{API}/unlock", self._unlock)
        public = {
            "/info": self._info,
            "/summary": self._summary,
            "/status": self._status,
            "/boards" if self.v1_3 else "/chains": self._chip_boards,
        }
        for path, body in public.items():
            app.router.add_get(API + path, self._json(body))
        app.router.add_get(f"{API}/auth-check", self._protected(self._auth_check))
        app.router.add_get(f"{API}/autotune/presets", self._protected(self._get_presets))
        app.router.add_get(f"{API}/settings", self._protected(self._get_settings))
        app.router.add_post(f"{API}/settings", self._protected(self._post_settings))
        if self.find_miner:
            app.router.add_post(f"{API}/find-miner", self._locate("on"))
        if self.v1_3:
            app.router.add_post(f"{API}/locate-miner", self._locate("is_enabled"))
            app.router.add_post(f"{API}/mining/throttle", self._protected(self._throttle))
        for action in ("start", "stop", "pause", "resume", "restart"):
            app.router.add_post(f"{API}/mining/{action}", self._protected(self._mining(action)))
        app.router.add_post(f"{API}/system/reboot", self._protected(self._reboot))
        app.router.add_get(f"{API}/logs/{{kind}}", self._protected(self._log))

    async def _log(self, request: web.Request) -> web.Response:
        """``logs/<type>`` as text (asic-rs reads status, miner, autotune, system, ...)."""
        return web.Response(text=log_text(self.state, request.match_info["kind"]))

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text=ROOT_HTML, content_type="text/html")

    def _json(self, body: Callable[[], Any]) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            if self.screen_lock and not self._token_ok(request):
                return web.Response(status=401)
            return web.json_response(body())

        return handler

    def _protected(self, handler: Handler) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            if not self._token_ok(request):
                return web.Response(status=401)
            return await handler(request)

        return wrapped

    # -- web: auth ----------------------------------------------------------------------

    async def _unlock(self, request: web.Request) -> web.Response:
        now = self.state.now()
        if now < self.locked_until:
            wait = math.ceil(self.locked_until - now)
            return web.json_response({"unlock_timeout": wait}, status=429)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"err": "invalid JSON"}, status=500)
        password = body.get("pw") if isinstance(body, dict) else None
        if password != self.state.password:
            self.failed_unlocks += 1
            if self.failed_unlocks >= MAX_UNLOCK_FAILURES:
                self.locked_until = now + LOCKOUT_SECONDS
                self.failed_unlocks = 0
            return web.json_response({"unlock_timeout": None}, status=403)
        self.failed_unlocks = 0
        token = ".".join(secrets.token_urlsafe(12) for _ in range(3))  # JWT-shaped
        self.tokens[token] = (now, self.state.reboots)
        self.unlocks += 1
        return web.json_response({"token": token})

    async def _auth_check(self, request: web.Request) -> web.Response:
        return web.json_response({"unlock_timeout": None})

    async def _post_settings(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"err": "invalid JSON"}, status=500)
        miner = body.get("miner") if isinstance(body, dict) else None
        pools = miner.get("pools") if isinstance(miner, dict) else None
        if isinstance(pools, list) and all(isinstance(p, dict) for p in pools):
            # Saved at once; mining takes them at its next restart, as the reply says.
            self.state.pools = [
                SimPool(str(p.get("url")), str(p.get("user", "")), str(p.get("pass", "")))
                for p in pools
                if p.get("url")
            ]
            self.state.pool_choice = 0
            return web.json_response({"restart_required": True, "reboot_required": False})
        overclock = miner.get("overclock") if isinstance(miner, dict) else None
        preset = overclock.get("preset") if isinstance(overclock, dict) else None
        if preset == "disabled":
            self.state.power_limit = None
        elif isinstance(preset, str) and preset.isdigit() and int(preset) in self.tuned_watts():
            self.state.power_limit = int(preset)
        # An untuned or unknown preset changes nothing, and the reply says the same;
        # so does a fan mode it refuses.
        cooling = miner.get("cooling") if isinstance(miner, dict) else None
        if isinstance(cooling, dict) and "mode" in cooling:
            self.apply_fan_mode(cooling["mode"])
        return web.json_response({"restart_required": False, "reboot_required": False})

    def _locate(self, key: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            self.toggles += 1
            self.state.fault_light = not self.state.fault_light
            return web.json_response({key: self.state.fault_light})

        return handler

    def _mining(self, action: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            if action == "restart":
                self.state.restart_backend()
            else:
                self.state.mining = action in ("start", "resume")
            return web.Response(status=200)

        return handler

    async def _throttle(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        percent = body.get("percent") if isinstance(body, dict) else None
        if not isinstance(percent, int) or isinstance(percent, bool) or not 20 <= percent <= 100:
            return web.json_response({"err": "percent must be 20..100"}, status=500)
        self.state.throttle = percent
        return web.json_response({"restart_required": False, "reboot_required": False})

    async def _reboot(self, request: web.Request) -> web.Response:
        self.state.reboot()
        return web.json_response({"after": 3})
