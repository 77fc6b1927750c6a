"""Goldshell: a bfgminer-style RPC on 4028 and the JWT web API on the web port.

RPC shapes follow the reduced live captures of an SC5 Pro (2.2.0) and an ARI31
(2.2.3) in the BlockOps asic-rs fork (protocols.md §7.5, §11.4): ``summary`` with
``MHS 20s`` and ``Elapsed``; ``devs`` one object per board with ``MHS 20s``,
``clock``, ``Status``, ``tstemp-0..2``, ``voltage`` and the fans ``fan0..``;
``devdetails`` with ``chips-nr``. The STATUS envelopes, ``version`` (``BFGMiner``)
and ``pools`` are cgminer's, as no capture shows them. The web API answers
``/user/login`` with a ``JWT Token`` and ``/mcb/status`` to that Bearer token only.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from ... import cgminer
from ...miner import SimMiner
from ...models import models_of
from ...servers.base import Server
from ...servers.http import HttpServer
from ...servers.tcp import RpcServer
from .. import register

DESCRIPTION = "bfgminer 5.4.2"
HARDWARE = "30.50.SA"
CONTROL_BOARD = "MCB_V4_3"


@register
class GoldshellSim(SimMiner):
    family = "goldshell"
    default_username = "admin"
    default_password = "123456789"
    models = models_of("goldshell")
    _token: str | None = None

    def build_servers(self) -> list[Server]:
        return [
            RpcServer(self.host, self.ports.rpc, self.state, self.handle_rpc),
            HttpServer(self.host, self.ports.web, self.state, self.routes),
        ]

    # -- RPC -----------------------------------------------------------------------------

    async def handle_rpc(self, request: str) -> bytes:
        parsed = cgminer.parse_request(request)
        builder = {
            "version": self._version,
            "summary": self._summary,
            "devs": self._devs,
            "devdetails": self._devdetails,
            "pools": self._pools,
        }.get(parsed.command if parsed else "")
        if builder is None:
            reply = cgminer.error("Invalid command", cgminer.INVALID_COMMAND, DESCRIPTION)
        else:
            reply = builder()
        return cgminer.encode(reply)

    def _version(self) -> dict[str, Any]:
        item = {"BFGMiner": "5.4.2", "API": "3.1"}
        return cgminer.version_reply(item, "BFGMiner versions", DESCRIPTION)

    def _summary(self) -> dict[str, Any]:
        s = self.state
        item = {"Elapsed": s.uptime, "MHS 20s": round(s.hashrate * 1_000_000, 3)}
        return cgminer.reply("SUMMARY", [item], "Summary", 11, DESCRIPTION)

    def _devs(self) -> dict[str, Any]:
        s = self.state
        fans = {f"fan{n}": rpm for n, rpm in enumerate(s.fan_rpms())}
        devs = []
        for board, rate in enumerate(s.board_hashrates()):
            chip = round(s.chip_temperature(board))
            item: dict[str, Any] = {"ID": board, "MHS 20s": round(rate * 1_000_000, 3)}
            item |= {"Status": "Alive" if s.hashing else "Dead", "clock": 840.0} | fans
            item |= {"tstemp-0": float(chip), "tstemp-1": float(chip)}
            item |= {"tstemp-2": round(s.board_temperature(board), 2), "voltage": 12090.0}
            devs.append(item)
        return cgminer.reply("DEVS", devs, f"{len(devs)} ASC(s)", 9, DESCRIPTION)

    def _devdetails(self) -> dict[str, Any]:
        spec = self.state.spec
        items = [{"ID": n, "chips-nr": spec.chips_per_board} for n in range(spec.boards)]
        return cgminer.reply("DEVDETAILS", items, "Device Details", 69, DESCRIPTION)

    def _pools(self) -> dict[str, Any]:
        return cgminer.pools_reply(cgminer.pool_records(self.state), DESCRIPTION)

    # -- web -----------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/user/login", self._login)
        app.router.add_get("/mcb/status", self._status)

    async def _login(self, request: web.Request) -> web.Response:
        s, query = self.state, request.query
        if query.get("username") != s.username or query.get("password") != s.password:
            return web.json_response({"error": "invalid user or password"}, status=401)
        self._token = secrets.token_hex(16)
        return web.json_response({"JWT Token": self._token})

    async def _status(self, request: web.Request) -> web.Response:
        if self._token is None or request.headers.get("Authorization") != f"Bearer {self._token}":
            return web.json_response({"error": "unauthorized"}, status=401)
        s = self.state
        model = "Goldshell-" + s.spec.model.replace(" ", "-")
        body = {"firmware": s.firmware_version, "hardware": HARDWARE}
        body |= {"mcbversion": CONTROL_BOARD, "model": model}
        return web.json_response(body)
