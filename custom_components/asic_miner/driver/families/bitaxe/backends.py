"""The AxeOS backends, chosen by what the miner serves rather than its version string.

* ``v2_0``: no ``/api/system/asic``; restart and pools only.
* ``v2_7``: the chip's frequency presets are the work mode (AxeOS 2.7 to 2.13, and
  the NerdQAxe firmware, which numbers its releases on its own scale).
* ``v2_14``: ``POST /api/system/pause`` and ``/resume``, with ``miningPaused`` in info.

A poll is one GET (``info``); where the release serves ``asic`` (presets, chip count,
model), that is read every ``HARDWARE_EVERY`` polls too.

Pools: every release keeps a pool and its fallback in its settings (``PATCH
/api/system``: ``stratumURL`` host, ``stratumPort``, ``stratumUser``,
``stratumPassword``, the same with ``fallbackStratum``) and takes them at the next
restart, which the write asks for once the settings read back right.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...contract import Backend
from ...exceptions import MinerResponseError, MinerValueError
from ...models import Control, FanMode, PoolConfig
from ...slow import HARDWARE_EVERY
from ...transports.http import HttpClient
from ...values import to_float
from .._refusal import NamedRefusals
from . import cooling
from .client import get_json, send
from .parse import ASIC, ASIC_MAP, INFO, INFO_MAP, as_object, format_frequency, frequency_options

SETTINGS_PATH = "/api/system"
RESTART_PATH = "/api/system/restart"
PAUSE_PATH = "/api/system/pause"
RESUME_PATH = "/api/system/resume"


def _stratum_settings(pool: PoolConfig, prefix: str) -> dict[str, Any]:
    """One pool as AxeOS keeps it: host and port apart; no password: keep the one set."""
    host, _, port = pool.url.partition("://")[2].rpartition(":")
    body: dict[str, Any] = {f"{prefix}URL": host, f"{prefix}Port": int(port)}
    body[f"{prefix}User"] = pool.user
    if pool.password:
        body[f"{prefix}Password"] = pool.password
    return body


class LegacyBackend(NamedRefusals, Backend):
    """AxeOS before 2.7: the info reply only; restart and pools are the controls."""

    name = "v2_0"
    DATA_MAP = {**INFO_MAP, **cooling.COOLING_MAP}
    # The fan controls where ``info`` reports ``autofanspeed`` (``cooling.py``).
    CONTROLS = (
        frozenset({Control.REBOOT, Control.POOLS})
        | cooling.FAN_CONTROLS
        | {Control.TEMPERATURE_TARGET}
    )
    RESTARTS_AFTER = frozenset({Control.REBOOT, Control.POOLS})
    MAX_POOLS = 2  # a pool and its fallback
    POOL_SCHEMES = ("stratum+tcp",)

    def _web(self) -> HttpClient:
        return self.ctx.web()  # built per call, so a changed timeout applies

    async def fetch_web(self, path: str) -> Any:
        return await get_json(self._web(), path)

    async def reboot(self) -> None:
        await send(self._web(), "POST", RESTART_PATH)

    async def set_fan_mode(self, mode: FanMode) -> None:
        await cooling.set_fan_mode(self._web(), self.ctx.host, mode)

    async def set_fan_speed(self, percent: int) -> None:
        await cooling.set_fan_speed(self._web(), self.ctx.host, percent)

    async def set_temperature_target(self, celsius: float) -> None:
        await cooling.set_temperature_target(self._web(), self.ctx.host, celsius)

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        """The first pool as the pool, a second as the fallback (else the fallback stays)."""
        body: dict[str, Any] = {}
        for pool, prefix in zip(pools, ("stratum", "fallbackStratum"), strict=False):
            body |= _stratum_settings(pool, prefix)
        await send(self._web(), "PATCH", SETTINGS_PATH, body)

    async def apply_pools(self) -> None:
        await self.reboot()


class AsicBackend(LegacyBackend):
    """AxeOS 2.7 to 2.13 and the NerdQAxe firmware: frequency presets as the work mode."""

    name = "v2_7"
    DATA_MAP = {**ASIC_MAP, **cooling.COOLING_MAP}
    CONTROLS = LegacyBackend.CONTROLS | {Control.WORK_MODE}
    # ``asic`` holds the chip's frequency presets, the chip count and the device model:
    # what the hardware and firmware fix. The NerdQAxe firmware closes every connection
    # after its reply (its http_server keeps none alive), so each GET is a connection.
    SLOW_SOURCES = {ASIC: HARDWARE_EVERY}

    async def set_work_mode(self, mode: str) -> None:
        asic = await get_json(self._web(), ASIC.path)
        options = {format_frequency(v): v for v in frequency_options(asic)}
        if mode not in options:
            raise MinerValueError(
                f"unknown work mode {mode!r}; choose from {', '.join(options) or 'nothing'}"
            )
        value = options[mode]
        await send(
            self._web(),
            "PATCH",
            SETTINGS_PATH,
            {"frequency": int(value) if value.is_integer() else value},
        )
        info = as_object(await get_json(self._web(), INFO.path), INFO.path)
        kept = to_float(info.get("frequency"))
        if kept is None or abs(kept - value) > 0.01:
            raise MinerResponseError(f"{self.ctx.host}: frequency stayed at {kept} MHz, not {mode}")


class PauseBackend(AsicBackend):
    """AxeOS 2.14 and later: mining can be paused and resumed."""

    name = "v2_14"
    CONTROLS = AsicBackend.CONTROLS | {Control.MINING}

    async def set_mining(self, on: bool) -> None:
        await send(self._web(), "POST", RESUME_PATH if on else PAUSE_PATH)
