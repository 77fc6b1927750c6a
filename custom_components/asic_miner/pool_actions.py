"""The miner's side of the pool actions, ``asic_miner.set_pools`` and ``switch_pool``.

``services.py`` registers both on the miner's Problem binary sensor (the one entity
of that device class each miner has, always enabled), so an action aimed at devices,
areas or entities reaches every miner once. The driver checks the URLs, writes, reads back
and restores on failure; here the fields become ``PoolConfig``s and a failure a
translated error (``helpers.py``). Passwords go to the driver and nowhere else.
"""

from __future__ import annotations

from typing import Any

from .const import ATTR_POOL
from .driver import Control, MinerValueError, PoolConfig
from .entity import AsicMinerEntity
from .helpers import asic_miner_exception_handler

MAX_POOLS = 3


def pools_from_fields(fields: dict[str, Any]) -> list[PoolConfig]:
    """``url``/``user``/``password``, then ``url_2``... as ``PoolConfig``s, in order.

    A pool slot without a URL ends the list; a user without a URL is a mistake.
    """
    pools: list[PoolConfig] = []
    for number in range(1, MAX_POOLS + 1):
        suffix = "" if number == 1 else f"_{number}"
        url = fields.get(f"url{suffix}")
        user = fields.get(f"user{suffix}")
        if not url:
            if user:
                raise MinerValueError(f"pool {number} has a user but no URL")
            continue
        pools.append(PoolConfig(url, user or "", fields.get(f"password{suffix}") or ""))
    return pools


class PoolActions(AsicMinerEntity):
    """The entity methods the pool actions call (``services.py``)."""

    @asic_miner_exception_handler
    async def async_set_pools(self, /, **fields: Any) -> None:
        miner = self.coordinator.miner
        await miner.set_pools(pools_from_fields(fields))
        if miner.restarts_after(Control.POOLS):
            self.coordinator.expect_restart()

    @asic_miner_exception_handler
    async def async_switch_pool(self, /, **fields: Any) -> None:
        """Pool N as the miner lists them (1 first), whatever its own numbering."""
        number: int = fields[ATTR_POOL]
        pools = self.coordinator.data.pools
        if not 1 <= number <= len(pools):
            raise MinerValueError(f"there is no pool {number}: the miner lists {len(pools)}")
        await self.coordinator.miner.switch_pool(pools[number - 1].index)
