"""Stock Antminer firmware: bmminer RPC on 4028 and lighttpd CGI behind digest auth.

Modern models (S19, S21) serve the X19 web UI; S9-era models serve the old one
(form-encoded blink, no work modes). Quirks reproduced: NUL-terminated replies,
numbers as strings, an empty fourth chain slot, multicommands refused, and on the S9
the missing comma between STATS items.
"""

from __future__ import annotations

from ...models import models_of
from ...servers.base import Server
from .. import register
from .base import COMPILE_TIMES, LEGACY_MODELS, REALM, AntminerBase
from .rpc import AntminerRpc
from .web import AntminerWeb


@register
class AntminerSim(AntminerRpc, AntminerWeb):
    """Modules: ``rpc`` (4028) and ``web`` (CGI) over ``base``."""

    family = "antminer"
    models = models_of("antminer")

    def build_servers(self) -> list[Server]:
        return self.rpc_and_web(self.handle_rpc, self.routes)


class ForkSim(AntminerSim):
    """Firmware built on stock's (Hiveon, Hammer): the S9-era web routes, its own build date."""

    @property
    def legacy_web(self) -> bool:
        return True

    @property
    def compile_time(self) -> str:
        return self.state.firmware_version


__all__ = ["COMPILE_TIMES", "LEGACY_MODELS", "REALM", "AntminerBase", "AntminerSim", "ForkSim"]
