"""Miners of makes the driver does not support, so scans can be seen to report them.

Only what identification sees is simulated: an Auradine (FluxOS, gcminer) answering
cgminer-style RPC on 4028 with ``GCMiner`` in its version reply, and an Elphapex
(DG1/DG Home, "Daoge" web UI) whose web server asks for HTTP digest auth in the realm
``Daoge Miner``. Reply shapes follow protocols.md sections 4.6 and 7.2 (the Auradine
AT1500 and Elphapex captures listed in section 11).
"""

from __future__ import annotations

import json
import time
from typing import Any, ClassVar

from aiohttp import web

from ..miner import SimMiner
from ..servers.base import Server
from ..servers.http import DigestGuard, HttpServer
from ..servers.tcp import RpcServer
from ..state import ModelSpec
from . import register


@register
class AuradineSim(SimMiner):
    family = "auradine"
    firmware_version = "2023-12.27"
    default_username = "admin"
    default_password = "admin"
    models: ClassVar[dict[str, ModelSpec]] = {
        "AT1500": ModelSpec("Auradine", "AT1500", 180.0, 3400, 1500, 3700, boards=3, fans=4),
    }

    def build_servers(self) -> list[Server]:
        return [RpcServer(self.host, self.ports.rpc, self.state, self.handle)]

    async def handle(self, request: str) -> bytes | None:
        try:
            command = str(json.loads(request).get("command", ""))
        except ValueError, AttributeError:
            return None
        now = int(time.time())
        reply: dict[str, Any]
        if command == "version":
            reply = {
                "STATUS": [
                    {
                        "STATUS": "S",
                        "When": now,
                        "Code": 22,
                        "Msg": "GCMiner versions",
                        "Description": "GCMiner 0.5",
                    }
                ],
                "VERSION": [{"GCMiner": "0.5", "API": "1.0"}],
                "id": 1,
            }
        elif command == "devdetails":
            reply = {
                "STATUS": [
                    {
                        "STATUS": "S",
                        "When": now,
                        "Code": 69,
                        "Msg": "Device Details",
                        "Description": "GCMiner 0.5",
                    }
                ],
                "DEVDETAILS": [
                    {
                        "DEVDETAILS": 0,
                        "Name": "GCM",
                        "ID": 0,
                        "Driver": "gcminer",
                        "Model": self.state.spec.model,
                        "Device Path": "",
                    }
                ],
                "id": 1,
            }
        else:
            reply = {
                "STATUS": [
                    {
                        "STATUS": "E",
                        "When": now,
                        "Code": 14,
                        "Msg": "Invalid command",
                        "Description": "GCMiner 0.5",
                    }
                ],
                "id": 1,
            }
        return json.dumps(reply).encode() + b"\x00"


@register
class ElphapexSim(SimMiner):
    family = "elphapex"
    firmware_version = "DG-Home1_V1.0.5"
    models: ClassVar[dict[str, ModelSpec]] = {
        "DG Home 1": ModelSpec("Elphapex", "DG Home 1", 2.1, 630, 300, 700, boards=1, fans=2),
    }

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
