"""The VNish backends: 1.2.x and 1.3.x, which differ in two names.

Releases: 1.2.x serves per-chip data at ``chains``; 1.3.x renamed it ``boards``. The
locate LED is ``find-miner`` (reply ``{on}``) on both; 1.3.4 deprecates it for
``locate-miner`` (reply ``{is_enabled}``), which is used once ``find-miner`` answers
404. Both toggle the LED, so the state is read first and the toggle sent only when it
differs. 1.3's ``mining/throttle`` (20-100 % of full power, applied live, no restart) is
the throttle control, read back from ``summary.miner.miner_status.throttled``.

Power is set only through autotune presets named by their wattage: the power limit
picks the highest *tuned* preset at or below the target. The work mode is the preset
itself, and only tuned presets are offered: the firmware silently ignores a switch to
an untuned one (the ``settings`` reply never signals failure), so every write is
verified by reading ``settings`` back. The six GETs of a poll run concurrently; the
four public ones are sent without a token. The per-chip list (hundreds of chip records,
read only for chip counts) and the autotune presets change only when someone changes the
miner: they are read every few polls (``SLOW_SOURCES``), not every poll.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from ...context import MinerContext
from ...contract import Backend, Field, Location, Replies, Source, Web
from ...exceptions import MinerError, MinerResponseError, MinerValueError
from ...logs import MAX_LOG_BYTES, MinerLog, log_from_reply
from ...models import ALL_CONTROLS, Control, FanMode, MinerIdentity, PoolConfig
from ...pools import keep_passwords
from ...slow import HARDWARE_EVERY
from ...values import to_bool
from .._refusal import NamedRefusals
from .._session import LoginChecked
from . import cooling
from .client import API, VnishApi, VnishHttpError
from .parse import (
    BOARDS,
    CHAINS,
    PRESETS,
    PROTECTED,
    SETTINGS,
    STATUS,
    SUMMARY,
    Preset,
    data_map,
    parse_presets,
    settings_preset,
    tuned_presets,
)


def throttle(replies: Replies) -> Any:
    """``summary.miner.miner_status.throttled``: the percent of full power (1.3.x).

    ``null`` or absent where the release has no throttle: unknown.
    """
    summary = replies[SUMMARY]
    status = summary["miner"]["miner_status"] if isinstance(summary, dict) else None
    if not isinstance(status, dict):
        raise TypeError("summary.miner.miner_status is not an object")
    return status.get("throttled")


# The locate-LED toggle every release has; 1.3.4 deprecates it for locate-miner.
_FIND_MINER = (f"{API}/find-miner", "on")


# Polls one read of a slow source serves: the per-chip list is the largest reply of a
# poll and only its chip counts are used; the presets change with a firmware's tuning.
# (The settings stay every poll: they are the poll's authenticated read, so a changed
# password or a lock-out shows at once.)
CHIPS_EVERY = HARDWARE_EVERY
PRESETS_EVERY = HARDWARE_EVERY


def slow_sources(chips: Web) -> dict[Source, int]:
    return {chips: CHIPS_EVERY, PRESETS: PRESETS_EVERY}


class _VnishBackend(NamedRefusals, LoginChecked[VnishApi], Backend):
    """Shared by both releases; subclasses name the per-chip list and the LED action."""

    # (path, reply key) of the LED toggles, in the order to try them
    LOCATE: ClassVar[tuple[tuple[str, str], ...]]
    SINCE: ClassVar[tuple[int, int]]
    BOUNDS_FROM_FIRMWARE = True
    # Every basic control, the fan mode and manual speed (``cooling.py``) and the pools.
    CONTROLS = ALL_CONTROLS | {Control.FAN_MODE, Control.FAN_SPEED, Control.POOLS}
    # New pools take a restart of mining, which the write asks for when the firmware says.
    RESTARTS_AFTER = frozenset({Control.REBOOT, Control.POOLS})
    _pools_need_restart = False

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = VnishApi(ctx)
        self._locate = self.LOCATE

    @classmethod
    def accepts(cls, version: tuple[int, ...] | None) -> bool:
        return version is not None and version >= cls.SINCE

    # -- reading ---------------------------------------------------------------------

    async def fetch_web(self, path: str) -> Any:
        return await self.api.get(path, public=path not in PROTECTED)

    async def read_log(self) -> MinerLog:
        """``logs/miner``: the cgminer log as text (asic-rs reads ``logs/<type>``)."""
        path = f"{API}/logs/miner"
        reply = await self.api.auth.request(self.ctx.web(), "GET", path, tail=MAX_LOG_BYTES)
        return log_from_reply(path, reply)

    async def _fetch_presets(self) -> list[Preset]:
        presets: list[Preset] = parse_presets(await self.api.get(PRESETS.path))
        return presets

    # -- controls --------------------------------------------------------------------

    async def set_mining(self, on: bool) -> None:
        await self.api.post(f"{API}/mining/{'start' if on else 'stop'}")

    async def _light_state(self) -> bool | None:
        status = await self.api.get(STATUS.path, public=True)
        return to_bool(status.get("find_miner")) if isinstance(status, dict) else None

    async def _toggle_light(self) -> bool | None:
        while True:
            path, key = self._locate[0]
            try:
                reply = await self.api.post(path)
            except VnishHttpError as err:
                if err.status != 404 or len(self._locate) == 1:
                    raise
                self._locate = self._locate[1:]  # this release dropped it: use the next
                continue
            if isinstance(reply, dict) and key in reply:
                return to_bool(reply[key])
            return await self._light_state()

    async def set_fault_light(self, on: bool) -> None:
        # The action toggles: send it only when the LED is not already as asked.
        current = await self._light_state()
        if current is on:
            return
        for _ in range(1 if current is not None else 2):
            if await self._toggle_light() is on:
                return
        raise MinerResponseError(f"locate LED did not turn {'on' if on else 'off'}")

    async def _apply_preset(self, name: str) -> None:
        await self.api.post(SETTINGS.path, {"miner": {"overclock": {"preset": name}}})
        # The reply is {restart_required, reboot_required} whatever happened: read back.
        settings = await self.api.get(SETTINGS.path)
        try:
            applied = settings_preset(Replies({SETTINGS: settings}))
        except (KeyError, TypeError, MinerError) as err:
            raise MinerResponseError("settings has no overclock preset") from err
        if applied != name:
            raise MinerResponseError(f"the miner kept preset {applied!r} instead of {name!r}")

    async def set_power_limit(self, watts: int) -> None:
        tuned = [p for p in tuned_presets(await self._fetch_presets()) if p.watts is not None]
        fitting = [p for p in tuned if p.watts is not None and p.watts <= watts]
        if not fitting:
            lowest = f"; the lowest is {tuned[0].watts} W" if tuned else ""
            raise MinerValueError(f"no tuned preset at or below {watts} W{lowest}")
        await self._apply_preset(fitting[-1].name)

    async def set_work_mode(self, mode: str) -> None:
        names = [p.name for p in tuned_presets(await self._fetch_presets())]
        if mode not in names:
            raise MinerValueError(
                f"unknown or untuned preset {mode!r}; choose from {', '.join(names) or 'none'}"
            )
        await self._apply_preset(mode)

    async def read_pool_configs(self) -> list[PoolConfig]:
        """The user's pools with their passwords, as ``settings`` keeps them."""
        settings = await self.api.get(SETTINGS.path)
        items = settings["miner"]["pools"] if isinstance(settings, dict) else None
        if not isinstance(items, list):
            raise MinerResponseError("settings has no pool list")
        return [
            PoolConfig(str(item["url"]), str(item.get("user", "")), str(item.get("pass", "")))
            for item in items
            if isinstance(item, dict) and item.get("url")
        ]

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        """The pools in ``settings``; a pool without a password keeps the one it has."""
        now = await self.read_pool_configs()
        sent = [
            {"url": p.url, "user": p.user, "pass": p.password} for p in keep_passwords(pools, now)
        ]
        reply = await self.api.post(SETTINGS.path, {"miner": {"pools": sent}})
        self._pools_need_restart = isinstance(reply, dict) and bool(reply.get("restart_required"))

    async def apply_pools(self) -> None:
        """Restart mining where the firmware said the new pools need it."""
        if self._pools_need_restart:
            await self.restart_backend()

    async def reboot(self) -> None:
        await self.api.post(f"{API}/system/reboot")

    async def set_fan_mode(self, mode: FanMode) -> None:
        await cooling.set_fan_mode(self.api, mode)

    async def set_fan_speed(self, percent: int) -> None:
        await cooling.set_fan_speed(self.api, percent)

    async def restart_backend(self) -> None:
        await self.api.post(f"{API}/mining/restart")


class V1_3Backend(_VnishBackend):
    """VNish 1.3.x: ``boards``; ``locate-miner`` once the deprecated ``find-miner`` is gone."""

    name = "v1_3"
    SINCE = (1, 3)
    LOCATE = (_FIND_MINER, (f"{API}/locate-miner", "is_enabled"))
    DATA_MAP = data_map(BOARDS) | {
        Field.COOLING: Location((SETTINGS,), cooling.extract_cooling),
        Field.THROTTLE: Location((SUMMARY,), throttle),
    }
    SLOW_SOURCES = slow_sources(BOARDS)
    CONTROLS = _VnishBackend.CONTROLS | {Control.THROTTLE}

    async def set_throttle(self, percent: int) -> None:
        """``mining/throttle {percent}``, then the summary must show the new percentage."""
        await self.api.post(f"{API}/mining/throttle", {"percent": percent})
        try:
            applied = throttle(Replies({SUMMARY: await self.fetch_web(SUMMARY.path)}))
        except (KeyError, TypeError) as err:
            raise MinerResponseError("summary has no throttle percentage") from err
        if applied != percent:
            raise MinerResponseError(
                f"the miner kept throttle {applied!r} % instead of {percent} %"
            )


class V1_2Backend(_VnishBackend):
    """VNish 1.2.x (and anything older that answers the same API): ``chains``, ``find-miner``."""

    name = "v1_2"
    SINCE = (0, 0)
    LOCATE = (_FIND_MINER,)
    DATA_MAP = data_map(CHAINS) | {Field.COOLING: Location((SETTINGS,), cooling.extract_cooling)}
    SLOW_SOURCES = slow_sources(CHAINS)


BACKENDS: tuple[type[_VnishBackend], ...] = (V1_3Backend, V1_2Backend)


def backend_for(version: tuple[int, int] | None) -> type[_VnishBackend]:
    """Newest backend that accepts the release; an unreadable one gets 1.2 (both serve it)."""
    for backend in BACKENDS:
        if backend.accepts(version):
            return backend
    return V1_2Backend
