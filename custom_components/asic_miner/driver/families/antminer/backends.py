"""The stock Antminer backends: the X19/X21 web UI and the S9/X17-era one.

Reads come over RPC (``summary``, ``stats``, ``pools``), one connection per command:
stock bmminer on the X19 refuses ``a+b`` multicommands (pyasic falls back to single
commands for it; protocols.md §2.1.2), and no capture shows an older release taking
them. Errors, the work mode and the fault light come from the digest-protected CGI,
whose connections a polling caller keeps alive between polls (``MinerContext.
keep_alive``). Stock firmware has no power limit, only work modes; sleeping is work
mode 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...context import MinerContext
from ...contract import Backend, Field, Location
from ...exceptions import MinerControlRefusedError, MinerValueError
from ...logs import MAX_LOG_BYTES, MinerLog, log_from_reply
from ...models import Control, MinerIdentity, PoolConfig
from ...slow import SETTINGS_EVERY
from ...transports.http import HttpClient
from ...values import to_bool
from .._cgminer import POOLS, STATS, SUMMARY
from . import parse as p
from .client import DEFAULT_CREDENTIALS, cgi, conf_with, read_conf, write_conf, write_mode

LOG_PATH = "/cgi-bin/log.cgi"
# Fans and uptime from bmminer's ``stats``, the pools from ``pools``: read the stock way
# by the bmminer forks too (Hammer, MSKMiner), which differ only in the other rows.
STOCK_ROWS = {
    Field.FANS: Location((STATS,), p.fan_list),
    Field.UPTIME: Location((STATS,), p.uptime),
    Field.POOLS: Location((POOLS,), p.pool_list),
}
_COMMON_MAP = {
    Field.HASHRATE: Location((SUMMARY,), p.hashrate),
    Field.EXPECTED_HASHRATE: Location((STATS,), p.expected_hashrate),
    Field.BOARDS: Location((STATS,), p.boards),
    **STOCK_ROWS,
}


class DigestCgiBackend(Backend):
    """Bitmain's digest-protected CGI (root / root): login, reads, reboot.

    Clones of the Antminer web UI (Elphapex) build on it with their own data map.
    """

    RPC_MULTICOMMAND = False  # stock bmminer refuses `a+b` multicommands

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.web: HttpClient = ctx.web(digest=ctx.login(DEFAULT_CREDENTIALS))

    async def fetch_web(self, path: str) -> Any:
        return await self.web.get_json(path)

    async def check_credentials(self) -> None:
        await self.web.get_json("/cgi-bin/get_system_info.cgi")

    async def reboot(self) -> None:
        await cgi(self.web, "reboot", "/cgi-bin/reboot.cgi")

    async def read_log(self) -> MinerLog:
        """``log.cgi``: the kernel and miner log as text (asic-rs reads it on both UIs)."""
        reply = await self.web.request("GET", LOG_PATH, tail=MAX_LOG_BYTES)
        return log_from_reply(LOG_PATH, reply)


class ModernBackend(DigestCgiBackend):
    """X19 / X21 web UI: JSON CGI, work modes, blink status."""

    name = "modern"
    DATA_MAP = {
        **_COMMON_MAP,
        Field.MINING: Location((p.WEB_CONF,), p.mining),
        Field.WORK_MODE: Location((p.WEB_CONF,), p.work_mode),
        Field.WORK_MODES: Location((), lambda _: p.WORK_MODES),
        Field.FAULT_LIGHT: Location((p.WEB_BLINK,), p.fault_light),
        Field.ERRORS: Location((p.WEB_SUMMARY,), p.errors),
    }
    CONTROLS = frozenset(
        {Control.MINING, Control.FAULT_LIGHT, Control.WORK_MODE, Control.REBOOT, Control.POOLS}
    )
    # The locate light changes only when someone sets it; the configuration stays every
    # poll, as it says whether the miner sleeps.
    SLOW_SOURCES = {p.WEB_BLINK: SETTINGS_EVERY}
    # set_miner_conf restarts bmminer to take new pools: a minute without hashing.
    RESTARTS_AFTER = frozenset({Control.REBOOT, Control.POOLS})

    async def set_mining(self, on: bool) -> None:
        await write_mode(self.web, 0 if on else 1, "resume mining" if on else "pause mining")

    async def set_work_mode(self, mode: str) -> None:
        if mode not in p.WORK_MODES:
            raise MinerValueError(
                f"unknown work mode {mode!r}; choose from {', '.join(p.WORK_MODES)}"
            )
        await write_mode(self.web, p.MODE_VALUES[mode], "work mode")

    async def read_pool_configs(self) -> list[PoolConfig]:
        """The pools with their passwords, as ``get_miner_conf`` sends them."""
        return [
            PoolConfig(str(item.get("url")), str(item.get("user", "")), str(item.get("pass", "")))
            for item in (await read_conf(self.web)).get("pools", [])
            if isinstance(item, dict) and item.get("url")
        ]

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        """The whole configuration sent back as read, only the pools changed."""
        conf = await read_conf(self.web)
        mode = p.work_mode_value(conf)
        await write_conf(self.web, conf_with(conf, 0 if mode is None else mode, pools), "pools")

    async def set_fault_light(self, on: bool) -> None:
        sent = {"blink": "true" if on else "false"}
        reply = (await cgi(self.web, "fault light", "/cgi-bin/blink.cgi", json_body=sent)).json()
        if isinstance(reply, dict) and reply.get("code") not in (None, "B000", "B100"):
            raise MinerControlRefusedError("fault light", repr(reply)[:120])


class LegacyBackend(DigestCgiBackend):
    """S9 / X17-era web UI: form-encoded CGI, blink by action, no work modes.

    No pool writes: ``set_miner_conf.cgi`` takes its form fields by position and
    rewrites the whole configuration from them, in a field list that differs by model
    and release (frequency, voltage, fans among them); without that list for the
    release at hand a pool change would reset the rest (README "Actions").
    """

    name = "legacy"
    DATA_MAP = {
        **_COMMON_MAP,
        Field.FAULT_LIGHT: Location((p.LEGACY_BLINK,), p.legacy_fault_light),
    }
    CONTROLS = frozenset({Control.FAULT_LIGHT, Control.REBOOT})
    # The locate light changes only when someone sets it (Hiveon's too).
    SLOW_SOURCES = {p.LEGACY_BLINK: SETTINGS_EVERY}

    async def fetch_web(self, path: str) -> Any:
        if path.startswith("blink:"):
            return await self._blink(path.removeprefix("blink:"))
        return await super().fetch_web(path)

    async def _blink(self, action: str) -> Any:
        reply = await cgi(self.web, "fault light", "/cgi-bin/blink.cgi", data={"action": action})
        return reply.json()

    async def set_fault_light(self, on: bool) -> None:
        reply = await self._blink("startBlink" if on else "stopBlink")
        state = to_bool(reply.get("isBlinking")) if isinstance(reply, dict) else None
        if state is not None and state is not on:
            raise MinerControlRefusedError("fault light", f"it stayed {'on' if state else 'off'}")
