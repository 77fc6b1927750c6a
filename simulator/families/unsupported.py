"""Miners of makes the driver does not support, so scans can be seen to report them.

Only what identification sees is simulated: a Proto Rig whose web page says
"Proto OS" (asic-rs's web fingerprint, protocols.md section 3.2).
"""

from __future__ import annotations

from typing import ClassVar

from aiohttp import web

from ..miner import SimMiner
from ..models import models_of
from ..servers.base import Server
from ..servers.http import HttpServer
from ..state import ModelSpec
from . import register


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
