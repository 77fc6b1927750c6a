"""The one MaraFW backend: reads over ``/kaonsu/v1/`` (digest) and pools over RPC.

Sleep and resume are the work-mode selector (``Sleep``); the power limit is work mode
``Auto`` tuning to ``PowerTarget``. Resume puts back the mode the miner had when this
handle put it to sleep; otherwise ``Auto`` where a power target is configured (pyasic
always resumes to ``Auto``), else ``Stock`` (asic-rs's default). The firmware's own
history of modes (``log?type=miner_config_history``) has no public capture.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...context import MinerContext
from ...contract import Backend, Field, Location, read_from
from ...models import Control, MinerIdentity, PoolConfig
from ...slow import SETTINGS_EVERY
from ...transports.http import HttpClient
from .._cgminer import POOLS, pools
from . import parse as p
from .client import (
    DEFAULT_CREDENTIALS,
    change_config,
    config_pools,
    locate,
    maintenance,
    read_config,
    set_pools,
)


class MaraBackend(Backend):
    """MaraFW rel 3.x (KS5 Pro captures; the same API on its Antminer S19/S21 builds)."""

    name = "kaonsu"
    RPC_MULTICOMMAND = False  # bmminer underneath; one RPC command a poll anyway
    DATA_MAP = {
        **read_from(
            p.WEB_BRIEF,
            p,
            Field.HASHRATE,
            Field.EXPECTED_HASHRATE,
            Field.POWER,
            Field.UPTIME,
            Field.MINING,
            Field.ERRORS,
        ),
        Field.BOARDS: Location((p.WEB_HASHBOARDS, p.WEB_BRIEF), p.boards),
        Field.FANS: Location((p.WEB_FANS,), p.fan_list),
        Field.POWER_LIMIT: Location((p.WEB_CONFIG,), p.power_limit),
        Field.FAULT_LIGHT: Location((p.WEB_LOCATE,), p.fault_light),
        Field.POOLS: Location((POOLS,), lambda replies: pools(replies[POOLS])),
    }
    CONTROLS = frozenset(
        {
            Control.MINING,
            Control.FAULT_LIGHT,
            Control.POWER_LIMIT,
            Control.REBOOT,
            Control.RESTART_BACKEND,
            Control.POOLS,
        }
    )
    # The power target and the locate light change only when someone sets them; the
    # mining state comes from ``brief``, read every poll.
    SLOW_SOURCES = {p.WEB_CONFIG: SETTINGS_EVERY, p.WEB_LOCATE: SETTINGS_EVERY}

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.web: HttpClient = ctx.web(digest=ctx.login(DEFAULT_CREDENTIALS))
        self._awake_mode: str | None = None

    async def fetch_web(self, path: str) -> Any:
        return await self.web.get_json(path)

    async def check_credentials(self) -> None:
        await self.web.get_json(p.WEB_OVERVIEW.path)

    async def set_mining(self, on: bool) -> None:
        def select(conf: dict[str, Any]) -> None:
            mode = conf["mode"]
            if on and mode.get("work-mode-selector") != p.SLEEP:
                return  # awake already: its mode (Fixed, Auto, ...) stays as it is
            awake = self._awake_mode or ("Auto" if p.power_target(mode) else "Stock")
            mode["work-mode-selector"] = awake if on else p.SLEEP

        before = await change_config(self.web, "mining", select)
        mode = before["mode"].get("work-mode-selector")
        if not on and isinstance(mode, str) and mode != p.SLEEP:
            self._awake_mode = mode

    async def set_power_limit(self, watts: int) -> None:
        def target(conf: dict[str, Any]) -> None:
            mode = conf["mode"]
            concorde = mode.get("concorde")
            concorde = dict(concorde) if isinstance(concorde, dict) else {}
            mode["concorde"] = concorde | {"mode-select": p.POWER_TARGET, "power-target": watts}
            mode["work-mode-selector"] = "Auto"

        await change_config(self.web, "power limit", target)

    async def set_fault_light(self, on: bool) -> None:
        await locate(self.web, on)

    async def reboot(self) -> None:
        await maintenance(self.web, "reboot", "reboot")

    async def restart_backend(self) -> None:
        await maintenance(self.web, "restart", "reload")

    async def read_pool_configs(self) -> list[PoolConfig]:
        return config_pools(await read_config(self.web))

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        await change_config(self.web, "pools", lambda conf: set_pools(conf, pools))
