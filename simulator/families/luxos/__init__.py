"""LuxOS (LUXminer) on Antminers: cgminer-style RPC on 4028 plus the LuxOS commands.

Reproduced: NUL-terminated replies, ``a+b+c`` multicommands for read commands, the
``version`` reply posing as stock firmware (``Type`` "Antminer …"; on the S19 XP also
``BMMiner`` and ``Miner`` "uart_trans.1.3"), dash-joined per-sensor temperature
strings and a fourth, empty chain slot full of zeros, chain rates as strings, a
lower-case MAC, profiles with estimated watts (including a user-made "eco"), ATM,
curtailment that outlives a reboot, and sessions: one at a time, shared through
``session``, created by ``logon`` (refused while another is active), ended after a
minute without use, by ``logoff``, a reboot or ``resetminer``. Privileged commands
name the session first in their parameter and are refused with a message about the
session when it is not the active one. The web root is the Luxor page.

Modules: ``rpc`` (reads and dispatch) over ``commands`` (session, privileged
commands) over ``base`` (profiles, session state, the reply envelope).
"""

from __future__ import annotations

from aiohttp import web

from ...models import models_of
from ...servers.base import Server
from .. import register
from .base import PROFILES, ROOT_HTML, VERSION, LuxosBase, SimProfile
from .rpc import LuxosRpc


@register
class LuxosSim(LuxosRpc):
    family = "luxos"
    models = models_of("luxos")

    def build_servers(self) -> list[Server]:
        return self.rpc_and_web(self.handle_rpc, self.routes)

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._root)

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text=ROOT_HTML, content_type="text/html")


__all__ = ["PROFILES", "VERSION", "LuxosBase", "LuxosSim", "SimProfile"]
