"""Braiins OS / BOS+: bosminer RPC on 4028 and, by release, a REST or GraphQL web API.

The firmware generation is a per-miner ``release`` (default per model, overridable
with ``create(..., release="25.05.1")``):

* 25.07: REST under ``/api/v1`` (token login, ``Authorization: <token>`` with no
  ``Bearer``, actions by ``PUT``), default password ``root``; GraphQL still answers.
* 25.05.1: GraphQL only (cookie login, default password empty), ``bos.macAddress``
  in the schema.
* 21.09: GraphQL without ``macAddress`` (the MAC comes from LuCI, which wants the
  ``BTC Tools v0.1`` user agent), and RPC still reports "BOSminer" rather than "BOSer".

On the GraphQL releases ``bosminer.stop`` stops the bosminer process, so the RPC port
stops answering until ``bosminer.start``; the REST release pauses mining while bosminer
keeps running. Simplification: on those releases "not mining" always means
"bosminer stopped", also after an RPC ``pause``.

Modules, as the driver's ``families/braiins``: ``rpc`` (4028), ``rest`` (25.07+),
``graphql`` (with LuCI) over ``gql_parser``; ``releases`` and ``base`` hold what they
share.
"""

from __future__ import annotations

from aiohttp import web

from ...models import models_of
from ...servers.base import Server
from .. import register
from .base import LUCI_USER_AGENT, ROOT_HTML, BraiinsBase
from .graphql import BraiinsGraphql
from .releases import BOSMINER_START_DELAY, RELEASES, Release
from .rest import BraiinsRest
from .rpc import BraiinsRpc


@register
class BraiinsSim(BraiinsRpc, BraiinsRest, BraiinsGraphql):
    family = "braiins"
    firmware_version = RELEASES["25.07"].full
    models = models_of("braiins")

    def build_servers(self) -> list[Server]:
        return self.rpc_and_web(self.handle_rpc, self.routes)

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._root)
        app.router.add_post("/graphql", self._graphql)
        if not self.release.rest:  # LuCI still runs beside GraphQL on these releases
            app.router.add_post("/cgi-bin/luci", self._luci_login)
            app.router.add_get("/cgi-bin/luci/admin/network/iface_status/lan", self._luci_lan)
        if self.release.rest:
            self._rest_routes(app)

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text=ROOT_HTML, content_type="text/html")


__all__ = [
    "BOSMINER_START_DELAY",
    "LUCI_USER_AGENT",
    "RELEASES",
    "ROOT_HTML",
    "BraiinsBase",
    "BraiinsSim",
    "Release",
]
