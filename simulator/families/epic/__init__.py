"""ePIC PowerPlay ("UMC OS"): an HTTP JSON API on TCP 4028 and a web dashboard.

PowerPlay replaces the stock firmware of Antminers, Whatsminers and ePIC's own
BlockMiners. Its API is plain HTTP on the port cgminer would use: ``GET /summary``,
``/capabilities``, ``/network``; every control is a ``POST`` whose JSON body carries
``{"param": <value>, "password": "<pw>"}`` (default ``letmein``), answered with
``{"result": true|false, "error": ...}``. Port 80 serves the "Miner Web Dashboard".

Quirks reproduced:

* a cgminer request sent to 4028 gets an HTTP error page back (it is an HTTP server);
* a GET answers ``{"result": false, "error": ...}`` while its data is not ready, for
  instance right after a soft reboot (``not_ready`` counts how many GETs do so);
* a wrong password is ``{"result": false, "error": "BadPassword"}`` with HTTP 200;
* the power tuning algorithm has a different name by release ("Power" in the API
  1.22/1.30 descriptions, "PowerTune" in 1.38), and some models offer none: the
  firmware lists its algorithms in ``/capabilities``;
* the model string's case is not the one the hardware tables use ("S19J Pro").
"""

from __future__ import annotations

from aiohttp import web

from ...models import models_of
from ...servers.base import Server
from ...servers.http import HttpServer
from .. import register
from .api import EpicApi
from .base import DASHBOARD_HTML, HARDWARE, EpicBase, Hardware


@register
class EpicSim(EpicApi):
    """Modules: ``api`` (routes, actions) over ``reads`` over ``base`` (hardware, tuning)."""

    family = "epic"
    models = models_of("epic")

    def build_servers(self) -> list[Server]:
        return [
            HttpServer(self.host, self.ports.rpc, self.state, self.api_routes),
            HttpServer(self.host, self.ports.web, self.state, self.dashboard_routes),
        ]

    # -- web dashboard (port 80) ----------------------------------------------------------

    def dashboard_routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._dashboard)

    async def _dashboard(self, request: web.Request) -> web.Response:
        return web.Response(text=DASHBOARD_HTML, content_type="text/html")


__all__ = ["HARDWARE", "EpicBase", "EpicSim", "Hardware"]
