"""MSKMiner on an Antminer: the ``4.11.1 rwglr`` bmminer's RPC on 4028, nothing else.

As pyasic's capture of release 2.6.0.39 shows: ``Type`` is the model and release
(``S19-88 v.2.6.0.39 ``, trailing space included), ``stats`` the sixteen-slot layout
with measured power Hiveon's bmminer shares (``..hiveon.stats``), ``pools`` stock's.
No web server is simulated: the only public web reply (``/api/info_v1``) is a
placeholder, and the driver reads none.
"""

from __future__ import annotations

from ...models import models_of
from ...servers.base import Server
from ...servers.tcp import RpcServer
from .. import register
from ..antminer.rpc import AntminerRpc
from ..hiveon.stats import stats_reply, version_reply

COMPILE_TIME = "12 Mar 2025 09:20:11 GMT"


@register
class MskSim(AntminerRpc):
    family = "mskminer"
    models = models_of("mskminer")

    def build_servers(self) -> list[Server]:
        return [RpcServer(self.host, self.ports.rpc, self.state, self.handle_rpc)]

    def _type(self) -> str:
        return f"{self.state.spec.model} v.{self.state.firmware_version} "

    def _version(self) -> bytes:
        return self._encode(version_reply(COMPILE_TIME, self._type()))

    def _stats(self) -> bytes:
        return self._encode(stats_reply(self.state, COMPILE_TIME, self._type()))
