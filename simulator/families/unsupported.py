"""Miners of makes the driver does not support, so scans can be seen to report them.

Only what identification sees is simulated: an Auradine (FluxOS, gcminer) answering
cgminer-style RPC on 4028 with ``GCMiner`` in its version reply, and a Proto Rig
whose web page says "Proto OS". Reply shapes follow protocols.md sections 3.2 and 7.2
(the Auradine AT1500 capture listed in section 11).
"""

from __future__ import annotations

from typing import Any, ClassVar

from aiohttp import web

from .. import cgminer
from ..miner import SimMiner
from ..models import models_of
from ..servers.base import Server
from ..servers.http import HttpServer
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
class ProtoSim(SimMiner):
    """A Proto Rig (asic-rs's "Proto OS" web fingerprint): no family reads it yet."""

    family = "proto"
    firmware_version = "1.8.0"
    models: ClassVar[dict[str, ModelSpec]] = models_of("proto")

    def build_servers(self) -> list[Server]:
        return [HttpServer(self.host, self.ports.web, self.state, self.routes)]

    def routes(self, app: web.Application) -> None:
        async def any_page(request: web.Request) -> web.Response:
            page = "<html><head><title>Proto OS</title></head><body></body></html>"
            return web.Response(text=page, content_type="text/html")

        app.router.add_route("GET", "/{tail:.*}", any_page)
