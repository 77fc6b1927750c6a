"""Marathon MaraFW ("kaonsu") on an Antminer: bmminer's RPC and ``/kaonsu/v1/``.

The web replies have the shapes of asic-rs's BlockOps captures of a KS5 Pro on
``MaraFW rel 3.14_584`` (``brief``, ``overview``, ``hashboards``, ``fans``: rates in
GH/s under ``hashrate_unit``, one object per board slot, four fans with their maximum
speed). ``miner_config`` (work-mode selector, ``concorde`` power target, pools),
``locate_miner``, ``network_config`` and ``maintenance`` follow pyasic's MaraFW
backend. Everything on the web sits behind digest auth (root / root); the RPC answers
``version`` (with the KAONSU marker asic-rs keys on) and ``pools``.
"""

from __future__ import annotations

from ... import cgminer
from ...models import models_of
from ...servers.base import Server
from .. import register
from ..antminer.base import _pool_extra
from .web import MaraWeb

DESCRIPTION = "bmminer 1.0.0"


@register
class MaraSim(MaraWeb):
    family = "marafw"
    models = models_of("marafw")

    def build_servers(self) -> list[Server]:
        return self.rpc_and_web(self.handle_rpc, self.routes)

    async def handle_rpc(self, request: str) -> bytes:
        builders = {"version": self._version, "pools": self._pools}
        return cgminer.answer(request, builders, DESCRIPTION)

    def _version(self) -> cgminer.Payload:
        item = {
            "BMMiner": "1.0.0",
            "API": "3.1",
            "Miner": f"KAONSU {self.state.firmware_version}",
            "Type": f"Antminer {self.state.spec.model}",
        }
        return cgminer.version_reply(item, "BMMiner versions", DESCRIPTION)

    def _pools(self) -> cgminer.Payload:
        return cgminer.pools_reply(cgminer.pool_records(self.state, _pool_extra), DESCRIPTION)


__all__ = ["MaraSim"]
