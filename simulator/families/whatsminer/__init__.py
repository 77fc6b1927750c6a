"""Whatsminer (MicroBT) stock firmware: btminer API v1/v2 on 4028, API v3 on 4433.

- ``M20S``: firmware from 2021, API ``whatsminer v1.4.0`` on 4028: no
  ``get_miner_info`` and no ``get_error_code``; the error codes are in ``summary``
  (``Error Code Count``, ``Error Code 0``…), ``status`` says ``btmineroff``.
- ``M30S+``: firmware from 2023, API 2.0.5 on 4028 only; plain reads, privileged
  commands in the encrypted envelope (admin password ``admin``).
- ``M60S``: firmware from December 2024, API 3.0.2 on 4433 (account ``super``,
  password ``super``). Port 4028 still answers the read-only remains (``get_version``,
  ``devdetails``), which pyasic and asic-rs use to tell v3 firmware by its date;
  ``rpc_4028=False`` holds the port closed instead.

cgminer-style reads (``summary``, ``devs``, ``pools``…) combine as ``a+b+c`` on one
connection, as pyasic reads real units; ``get_*`` and ``status`` do not combine.

Both redirect HTTP to HTTPS with a 307 and a LuCI page. Quirks reproduced: the flat
STATUS envelope of ``get_*``, a trailing comma in ``get_miner_info`` and ``devs``, the
firmware version in single quotes in ``summary``, ``Power: -1`` (``power_unknown``),
``factory-hash`` of -0.001 per board (``factory_hash_unknown``) and "can't access
write cmd" when the write API is off (``write_api_enabled=False``). The cryptography
is checked for real, with this package's own implementation (``crypto``).

Modules, as the driver's ``families/whatsminer``: ``api_v2`` (with the cgminer-style
reads in ``api_v2_reads``), ``api_v3``, ``crypto``; ``base`` holds what they share.
"""

from __future__ import annotations

from aiohttp import web

from ...models import models_of
from ...servers.base import Server
from ...servers.http import HttpServer
from ...servers.tcp import FramedServer, RpcServer
from .. import register
from .api_v2 import WhatsminerV2
from .api_v3 import WhatsminerV3
from .base import PROFILES, WhatsminerBase, _HeldPort


@register
class WhatsminerSim(WhatsminerV2, WhatsminerV3):
    family = "whatsminer"
    firmware_version = models_of("whatsminer")["M30S+"].firmware
    models = models_of("whatsminer")

    def build_servers(self) -> list[Server]:
        servers: list[Server] = [HttpServer(self.host, self.ports.web, self.state, self.routes)]
        if self.rpc_4028:
            servers.append(RpcServer(self.host, self.ports.rpc, self.state, self.handle_rpc))
        else:
            servers.append(_HeldPort(self.host, self.ports.rpc))
        if self.profile.v3:
            servers.append(
                FramedServer(self.host, self.ports.whatsminer_v3, self.state, self.handle_v3)
            )
        return servers

    # -- web -----------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self._redirect)

    async def _redirect(self, request: web.Request) -> web.Response:
        body = (
            "<html><head><title>WhatsMiner</title>"
            '<meta http-equiv="refresh" content="0; URL=/cgi-bin/luci" /></head>'
            '<body><a href="/cgi-bin/luci">LuCI - Lua Configuration Interface</a></body></html>'
        )
        return web.Response(
            status=307,
            headers={"Location": f"https://{self.host}/"},
            text=body,
            content_type="text/html",
        )


__all__ = ["PROFILES", "WhatsminerBase", "WhatsminerSim"]
