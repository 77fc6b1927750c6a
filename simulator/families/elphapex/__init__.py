"""Elphapex (DG1, DG1+, DG Home) stock firmware: lighttpd CGI behind digest auth.

Reply shapes follow asic-rs's DG-Home1 1.0.5 captures and pyasic's DG1+ 1.0.2 replies
(protocols.md §4.6, §11): object-form ``STATUS``, hashrates in MH/s with ``rate_unit``,
chains per slot (the DG Home fills one of four), chip temperatures in thousandths of
a degree as strings, fans as strings, pools with lower-case keys. No RPC answers.
Controls: blink (B000 / B100), reboot, ``fc-work-mode`` and ``pools`` through
``set_miner_conf``.
"""

from __future__ import annotations

from ...models import models_of
from ...servers.base import Server
from ...servers.http import HttpServer
from .. import register
from .web import ElphapexWeb

REALM = "Daoge Miner"


@register
class ElphapexSim(ElphapexWeb):
    family = "elphapex"
    firmware_version = "DG-Home1_V1.0.5"
    models = models_of("elphapex")

    def build_servers(self) -> list[Server]:
        return [HttpServer(self.host, self.ports.web, self.state, self.routes)]


__all__ = ["REALM", "ElphapexSim"]
