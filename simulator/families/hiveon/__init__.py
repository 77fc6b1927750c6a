"""Hiveon OS on an Antminer: stock bmminer's RPC and CGI with Hiveon's differences.

What differs from stock (asic-rs capture ``hiveon_s19x88_stats_captured.json``): the
model carries a ` Hiveon` tag, bmminer is the ``4.11.1 rwglr`` fork whose ``stats``
lists sixteen chain slots and the power it measures (``stats.py``), and the web UI is
the S9-era one (form ``blink.cgi`` with ``action``, no work modes, protocols.md §4.4).
"""

from __future__ import annotations

from typing import Any

from ... import cgminer
from ...models import models_of
from .. import register
from ..antminer import AntminerSim
from ..antminer.base import DESCRIPTION
from .stats import BMMINER, MINER, chain_item


@register
class HiveonSim(AntminerSim):
    family = "hiveon"
    models = models_of("hiveon")

    @property
    def legacy_web(self) -> bool:
        return True

    @property
    def compile_time(self) -> str:
        return self.state.firmware_version

    def _type(self) -> str:
        return f"Antminer {self.state.spec.model} Hiveon"

    def _head(self) -> dict[str, Any]:
        return {"BMMiner": BMMINER, "Miner": MINER, "CompileTime": self.compile_time}

    def _version(self) -> bytes:
        item = self._head() | {"API": "3.1", "Type": self._type()}
        return self._encode(cgminer.version_reply(item, "BMMiner versions", DESCRIPTION))

    def _stats(self) -> bytes:
        head = self._head() | {"Type": self._type()}
        stats_status = cgminer.status("BMMiner stats", 70, DESCRIPTION)
        payload = {"STATUS": stats_status, "STATS": [head, chain_item(self.state)], "id": 1}
        return self._encode(payload)
