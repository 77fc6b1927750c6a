"""The one Elphapex backend: every read and write over the digest-protected CGI.

No RPC is used (the DG Home answers none; pyasic and asic-rs read these miners over
the web only). No power limit and no sleep are known: the work modes are the only
tuning, and the firmware reboots the miner to apply one (as Bitmain's CGI does).
Pools are written through the same ``set_miner_conf`` (``client.py``) and read back,
passwords included, from ``get_miner_conf``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...contract import Field, Location, read_from
from ...exceptions import MinerValueError
from ...models import Control, PoolConfig
from ...slow import SETTINGS_EVERY
from ..antminer.backends import DigestCgiBackend
from . import parse as p
from .client import blink, read_pools, write_pools, write_work_mode


class ElphapexBackend(DigestCgiBackend):
    """DG1, DG1+ and DG Home firmware (1.0.x): Bitmain's CGI login, reads and reboot."""

    name = "cgi"
    DATA_MAP = {
        **read_from(
            p.WEB_SUMMARY, p, Field.HASHRATE, Field.EXPECTED_HASHRATE, Field.UPTIME, Field.ERRORS
        ),
        Field.POWER: Location((p.WEB_POWER,), p.power),
        Field.BOARDS: Location((p.WEB_STATS,), p.boards),
        Field.FANS: Location((p.WEB_STATS,), p.fan_list),
        Field.POOLS: Location((p.WEB_POOLS,), p.pool_list),
        Field.WORK_MODE: Location((p.WEB_CONF,), p.work_mode),
        Field.WORK_MODES: Location((), lambda _: p.WORK_MODES),
        Field.FAULT_LIGHT: Location((p.WEB_BLINK,), p.fault_light),
    }
    CONTROLS = frozenset({Control.FAULT_LIGHT, Control.WORK_MODE, Control.REBOOT, Control.POOLS})
    # Whether a pool change restarts the miner is not known: silence after one is
    # expected rather than reported.
    RESTARTS_AFTER = frozenset({Control.REBOOT, Control.POOLS})
    # The work mode and the locate light change only when someone sets them.
    SLOW_SOURCES = {p.WEB_CONF: SETTINGS_EVERY, p.WEB_BLINK: SETTINGS_EVERY}

    async def set_fault_light(self, on: bool) -> None:
        await blink(self.web, on)

    async def set_work_mode(self, mode: str) -> None:
        if mode not in p.MODE_VALUES:
            raise MinerValueError(
                f"unknown work mode {mode!r}; choose from {', '.join(p.WORK_MODES)}"
            )
        await write_work_mode(self.web, p.MODE_VALUES[mode])

    async def read_pool_configs(self) -> list[PoolConfig]:
        return await read_pools(self.web)

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        await write_pools(self.web, pools)
