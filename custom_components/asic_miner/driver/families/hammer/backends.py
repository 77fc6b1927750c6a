"""The Hammer backend: RPC reads, reboot through the CGI.

Reads: ``summary`` (hashrate), ``stats`` (boards, fans, uptime), ``pools``. The only
write the public facts show working is ``reboot.cgi`` (protocols.md §4.5); the blink
status reply (``{"code": "B000"}``) does not say whether the light is on, and neither
library implements sleep, so the fault light and mining on/off are not offered.
"""

from __future__ import annotations

from ...contract import Field, Location
from ...models import Control
from .._cgminer import STATS, SUMMARY
from ..antminer.backends import STOCK_ROWS, DigestCgiBackend
from . import parse as p


class HammerBackend(DigestCgiBackend):
    """Hammer D10, firmware of 2023."""

    name = "blackminer"
    DATA_MAP = {
        Field.HASHRATE: Location((SUMMARY,), p.hashrate),
        Field.BOARDS: Location((STATS,), p.boards),
        **STOCK_ROWS,
    }
    CONTROLS = frozenset({Control.REBOOT})
