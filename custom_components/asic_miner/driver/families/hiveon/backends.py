"""The Hiveon backend: stock reads plus measured power, the S9-era blink, reboot.

Hiveon's CGI is the stock one (digest root / root); its fault light is the form
``blink.cgi`` with ``action=startBlink`` / ``stopBlink`` and reboot is ``reboot.cgi``
(protocols.md §4.4). Its sleep switch has no verified write path upstream (pyasic's
sends nothing), so neither mining on/off nor work modes are offered.
"""

from __future__ import annotations

from ...contract import Field, Location
from .._cgminer import STATS
from ..antminer.backends import LegacyBackend
from . import parse as p


class HiveonBackend(LegacyBackend):
    """Hiveon OS on X17/X19 Antminers."""

    name = "hiveon"
    DATA_MAP = {
        **LegacyBackend.DATA_MAP,
        Field.BOARDS: Location((STATS,), p.boards),
        Field.POWER: Location((STATS,), p.power),
    }
