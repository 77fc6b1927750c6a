"""Innosilicon T3H+: innominer's cgminer RPC on 4028 and the JWT web API.

``version`` names ``innominer``; ``summary`` is cgminer 4.x's in MH/s; ``stats``
lists one object per hash chain (``Chain ID``, ``Num chips``, ``Num active chips``,
``Temp max`` / ``Temp min``, ``Fan duty``) as the open A1 driver's ``api_stats``
writes them, then one object with the fans' ``fan<n>`` RPM (as asic-rs reads them). The web API logs in at ``POST /api/auth`` (form ``username`` /
``password``) for a ``jwt``, then answers ``POST /api/type`` and ``/api/getAll``
(``all.power`` in W) to a ``Bearer`` token (pyasic's client, protocols.md §7.4).
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from ... import cgminer
from ...miner import SimMiner
from ...models import models_of
from ...servers.base import Server
from .. import register

DESCRIPTION = "innominer t3h+-1.2.0"


@register
class InnoSim(SimMiner):
    family = "innosilicon"
    models = models_of("innosilicon")
    default_username = "admin"
    default_password = "admin"
    _token: str | None = None

    def build_servers(self) -> list[Server]:
        return self.rpc_and_web(self.handle_rpc, self.routes)

    # -- RPC -------------------------------------------------------------------------

    async def handle_rpc(self, request: str) -> bytes:
        builders = {
            "version": self._version,
            "summary": self._summary,
            "stats": self._stats,
            "pools": self._pools,
        }
        return cgminer.answer(request, builders, DESCRIPTION)

    def _version(self) -> dict[str, Any]:
        item = {"CGMiner": self.state.firmware_version, "API": "3.1"}
        return cgminer.version_reply(item, "CGMiner versions", DESCRIPTION)

    def _summary(self) -> dict[str, Any]:
        item = cgminer.summary_item(self.state, 6.3)
        return cgminer.reply("SUMMARY", [item], "Summary", 11, DESCRIPTION)

    def _pools(self) -> dict[str, Any]:
        return cgminer.pools_reply(cgminer.pool_records(self.state), DESCRIPTION)

    def _stats(self) -> dict[str, Any]:
        s, spec = self.state, self.state.spec
        chains = []
        for n in range(spec.boards):
            item: dict[str, Any] = {"STATS": n, "ID": f"A1{n}", "Elapsed": s.uptime}
            item |= {"Chain ID": n, "Num chips": spec.chips_per_board, "Num cores": 32}
            item |= {"Num active chips": spec.chips_per_board, "Chain skew": 0}
            item |= {"Temp max": s.chip_temperature(n)}
            item |= {"Temp min": s.board_temperature(n), "Fan duty": 80}
            chains.append(item)
        fans = {"STATS": spec.boards, "ID": "FAN0", "Elapsed": s.uptime}
        chains.append(fans | cgminer.fan_fields(s.fan_rpms()))
        return cgminer.reply("STATS", chains, "CGMiner stats", 70, DESCRIPTION)

    # -- web API ---------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/api/auth", self._login)
        app.router.add_post("/api/type", self._guarded(self._type))
        app.router.add_post("/api/getAll", self._guarded(self._get_all))

    def _guarded(self, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.Response:
            sent = request.headers.get("Authorization")
            if self._token is None or sent != f"Bearer {self._token}":
                return web.json_response({"success": False, "code": 403}, status=401)
            response: web.Response = await handler(request)
            return response

        return wrapped

    async def _login(self, request: web.Request) -> web.Response:
        form = await request.post()
        s = self.state
        if form.get("username") != s.username or form.get("password") != s.password:
            return web.json_response({"success": False, "message": "bad login"}, status=401)
        self._token = secrets.token_hex(16)
        return web.json_response({"success": True, "jwt": self._token})

    async def _type(self, request: web.Request) -> web.Response:
        return web.json_response({"success": True, "type": self.state.spec.model})

    async def _get_all(self, request: web.Request) -> web.Response:
        s = self.state
        hashes = s.hashrate * 1e12
        all_ = {"mac": s.mac.lower(), "power": round(s.power), "fansSpeed": 80}
        chains = [
            {"ASC": n, "Hash Rate H": rate * 1e12, "Temp max": s.chip_temperature(n)}
            | {"Temp min": s.board_temperature(n)}
            for n, rate in enumerate(s.board_hashrates())
        ]
        all_ |= {"total_hash": {"Hash Rate H": hashes}, "chain": chains}
        return web.json_response({"success": True, "all": all_})
