"""Auradine FluxOS: gcminer RPC on 4028 and the token API on 8080.

Reply shapes follow asic-rs's AT1500 captures (FluxOS 2023-12.27, GCMiner 0.5 /
API 1.0; protocols.md §7.2, §11): ``MHS`` rates in the RPC, the API's sections under
cgminer ``STATUS`` envelopes. The API listens on FluxOS's 8080 beside a web port of 80,
else on the web port (tests and port forwarding), as the driver expects.
"""

from __future__ import annotations

from typing import ClassVar

from ...miner import SimMiner
from ...models import models_of
from ...servers.base import Server
from ...servers.http import HttpServer
from ...servers.tcp import RpcServer
from ...state import ModelSpec
from .. import register
from .api import FluxApiRoutes, api_port
from .rpc import GcminerRpc


@register
class AuradineSim(GcminerRpc, FluxApiRoutes, SimMiner):
    family = "auradine"
    firmware_version = "2023-12.27"
    default_username = "admin"
    default_password = "admin"
    models: ClassVar[dict[str, ModelSpec]] = models_of("auradine")

    def build_servers(self) -> list[Server]:
        return [
            RpcServer(self.host, self.ports.rpc, self.state, self.handle),
            HttpServer(self.host, api_port(self.ports.web), self.state, self.routes),
        ]
