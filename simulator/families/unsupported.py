"""Miners of makes the driver does not support, so scans can be seen to report them.

Only what identification sees is simulated: an Auradine (FluxOS, gcminer) answering
cgminer-style RPC on 4028 with ``GCMiner`` in its version reply, and an Elphapex
(DG1/DG Home, "Daoge" web UI) whose web server asks for HTTP digest auth in the realm
``Daoge Miner``. Reply shapes follow protocols.md sections 4.6 and 7.2 (the Auradine
AT1500 and Elphapex captures listed in section 11).
"""

from __future__ import annotations

from typing import Any, ClassVar

from aiohttp import web

from .. import cgminer
from ..miner import SimMiner
from ..models import models_of
from ..servers.base import Server
from ..servers.http import DigestGuard, HttpServer
from ..servers.tcp import RpcServer
from ..state import ModelSpec
from . import register

GCMINER = "GCMiner 0.5"


@register
class AuradineSim(SimMiner):
    family = "auradine"
    firmware_version = "2023-12.27"
    default_username = "admin"
    default_password = "admin"
    models: ClassVar[dict[str, ModelSpec]] = models_of("auradine")

    def build_servers(self) -> list[Server]:
        return [RpcServer(self.host, self.ports.rpc, self.state, self.handle)]

    async def handle(self, request: str) -> bytes | None:
        parsed = cgminer.parse_request(request)
        if parsed is None:
            return None
        reply: dict[str, Any]
        if parsed.command == "version":
            item = {"GCMiner": "0.5", "API": "1.0"}
            reply = cgminer.version_reply(item, "GCMiner versions", GCMINER)
        elif parsed.command == "devdetails":
            details = {
                "DEVDETAILS": 0,
                "Name": "GCM",
                "ID": 0,
                "Driver": "gcminer",
                "Model": self.state.spec.model,
                "Device Path": "",
            }
            reply = cgminer.reply("DEVDETAILS", [details], "Device Details", 69, GCMINER)
        else:
            reply = cgminer.error("Invalid command", cgminer.INVALID_COMMAND, GCMINER)
        return cgminer.encode(reply)


@register
class ElphapexSim(SimMiner):
    family = "elphapex"
    firmware_version = "DG-Home1_V1.0.5"
    models: ClassVar[dict[str, ModelSpec]] = models_of("elphapex")

    def build_servers(self) -> list[Server]:
        return [HttpServer(self.host, self.ports.web, self.state, self.routes)]

    def routes(self, app: web.Application) -> None:
        guard = DigestGuard("Daoge Miner", self.state)

        async def any_page(request: web.Request) -> web.Response:
            if not guard.check(request):
                return guard.challenge()
            if request.path.endswith("get_system_info.cgi"):
                return web.json_response(
                    {
                        "minertype": self.state.spec.model,
                        "hostname": self.state.hostname,
                        "macaddr": self.state.mac,
                        "system_filesystem_version": self.state.firmware_version,
                    }
                )
            return web.Response(
                text="<html><title>Daoge Miner</title></html>", content_type="text/html"
            )

        app.router.add_route("GET", "/{tail:.*}", any_page)
