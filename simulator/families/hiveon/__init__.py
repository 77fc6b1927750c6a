"""Hiveon OS on an Antminer: stock bmminer's RPC and CGI with Hiveon's differences.

What differs from stock (asic-rs capture ``hiveon_s19x88_stats_captured.json``): the
model carries a ` Hiveon` tag, bmminer is the ``4.11.1 rwglr`` fork whose ``stats``
lists sixteen chain slots and the power it measures (``stats.py``), and the web UI is
the S9-era one (form ``blink.cgi`` with ``action``, no work modes, protocols.md §4.4).
"""

from __future__ import annotations

from ...models import models_of
from .. import register
from ..antminer import ForkSim
from .stats import stats_reply, version_reply


@register
class HiveonSim(ForkSim):
    family = "hiveon"
    models = models_of("hiveon")

    def _type(self) -> str:
        return f"Antminer {self.state.spec.model} Hiveon"

    def _version(self) -> bytes:
        return self._encode(version_reply(self.compile_time, self._type()))

    def _stats(self) -> bytes:
        return self._encode(stats_reply(self.state, self.compile_time, self._type()))
