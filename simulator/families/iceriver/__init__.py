"""IceRiver: the stock web API on the web port only (no RPC).

The panel's shape follows the live AL3 (``10306``) capture in the BlockOps asic-rs
fork (``data`` with ``softver1``, ``unit``, ``rtpow`` with a unit letter, ``runtime``
``D:HH:MM:SS``, ``boards[]`` with float ``no``/``chipnum``/``intmp``/``outtmp``/
``freq``, ``fans[]``) plus what pyasic reads from the KS models (``mac``
dash-separated, ``host``, ``locate``, ``pools[]`` with ``no``, ``addr``, ``user``,
``accepted``, ``rejected``, ``connect``, ``state``). The root page carries the
firmware's title ``用户界面``. Login is ``POST /user/loginpost?post=6&user=&pwd=``
setting a session cookie; a wrong password sets none and answers ``error`` 1, and a
panel request without the cookie is redirected to the login page. Those two refusals
are the simulator's own: no public capture shows the firmware's. ``machineconfig``
(``post=1`` read, ``post=2`` write of the three pool slots) follows the fields
bitcap-ipr's IceRiver client reads and sends; no capture shows it either.
"""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from aiohttp import web

from ...miner import SimMiner
from ...models import models_of
from ...servers.base import Server
from ...servers.http import HttpServer
from ...state import ModelSpec, SimPool
from .. import register

COOKIE = "session"
PAGE = "<html><head><TITLE>用户界面</TITLE></head><body></body></html>"


@register
class IceRiverSim(SimMiner):
    family = "iceriver"
    default_username = "admin"
    default_password = "12345678"
    models: ClassVar[dict[str, ModelSpec]] = models_of("iceriver")
    _session: str | None = None

    def build_servers(self) -> list[Server]:
        return [HttpServer(self.host, self.ports.web, self.state, self.routes)]

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._root)
        app.router.add_post("/user/loginpost", self._login)
        app.router.add_post("/user/userpanel", self._panel)
        app.router.add_post("/user/machineconfig", self._config)

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    async def _login(self, request: web.Request) -> web.Response:
        s, query = self.state, request.query
        if query.get("user") != s.username or query.get("pwd") != s.password:
            return web.json_response({"error": 1, "message": "user or password error"})
        self._session = secrets.token_hex(16)
        response = web.json_response({"error": 0, "message": ""})
        response.set_cookie(COOKIE, self._session, path="/")
        return response

    def _check_session(self, request: web.Request) -> None:
        """A request without the login's cookie goes to the login page."""
        cookie = request.cookies.get(COOKIE)
        if self._session is None or not secrets.compare_digest(cookie or "", self._session):
            raise web.HTTPFound("/login.html")

    async def _panel(self, request: web.Request) -> web.StreamResponse:
        self._check_session(request)
        post = request.query.get("post")
        if post == "5" and request.query.get("locate") in ("0", "1"):
            self.state.fault_light = request.query["locate"] == "1"
            return web.json_response({"error": 0, "message": ""})
        if post != "4":
            return web.json_response({"error": 1, "message": "unknown request"})
        return web.json_response({"data": self._data(), "error": 0, "message": ""})

    async def _config(self, request: web.Request) -> web.StreamResponse:
        """``post=1`` reads the saved pools (with passwords), ``post=2`` writes them."""
        self._check_session(request)
        s = self.state
        form = await request.post()
        post = form.get("post") or request.query.get("post")
        if post == "2":
            pools = []
            for n in (1, 2, 3):
                url = str(form.get(f"pool{n}address", ""))
                user, password = (
                    str(form.get(f"pool{n}miner", "")),
                    str(form.get(f"pool{n}pwd", "")),
                )
                if url:
                    pools.append(SimPool(url, user, password))
            s.pools, s.pool_choice = pools, 0
            return web.json_response({"error": 0, "message": ""})
        if post != "1":
            return web.json_response({"error": 1, "message": "unknown request"})
        saved = [
            {"no": n + 1, "addr": p.url, "user": p.user, "pass": p.password}
            for n, p in enumerate(s.pools)
        ]
        saved += [{"no": n + 1, "addr": "", "user": "", "pass": ""} for n in range(len(saved), 3)]
        body = {"pools": saved, "ratio": s.fan_speed, "mode": 1, "locate": int(s.fault_light)}
        return web.json_response({"data": body, "error": 0, "message": ""})

    def _data(self) -> dict[str, Any]:
        s = self.state
        unit = "G"
        days, rest = divmod(s.uptime, 86400)
        hours, rest = divmod(rest, 3600)
        boards = [
            {
                "chipnum": float(s.spec.chips_per_board),
                "freq": 875.0,
                "intmp": float(round(s.board_temperature(n))),
                "no": float(n + 1),
                "outtmp": float(round(s.chip_temperature(n))),
                "rtpow": f"{rate * 1000:.2f}{unit}",
                "state": s.hashing,
            }
            for n, rate in enumerate(s.board_hashrates())
        ]
        fans = s.fan_rpms()
        body: dict[str, Any] = {"algo": "none", "avgpow": f"{s.hashrate * 1000:.0f}{unit}"}
        body |= {"boards": boards, "fancount": str(len(fans)), "fans": fans}
        body |= {"firmtype": "Factory", "firmver1": "BOOT_4_1", "firmver2": "image_1.0"}
        body |= {"host": s.hostname, "locate": s.fault_light, "mac": s.mac.replace(":", "-")}
        body |= {"model": "none", "online": True, "pools": self._pools()}
        body |= {"powstate": s.hashing, "rtpow": f"{s.hashrate * 1000:.2f}{unit}"}
        body |= {"runtime": f"{days:02d}:{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"}
        body |= {"softver1": s.firmware_version, "softver2": s.firmware_version[:-5] + "bg"}
        return body | {"unit": unit}

    def _pools(self) -> list[dict[str, Any]]:
        s = self.state
        current = s.current_pool()
        pools = []
        for index, pool in enumerate(s.pools):
            accepted, rejected = s.shares(index)
            item = {"no": index + 1, "addr": pool.url, "user": pool.user}
            item |= {"connect": index == current, "state": 1 if pool.alive else 0}
            pools.append(item | {"accepted": accepted, "rejected": rejected})
        return pools
