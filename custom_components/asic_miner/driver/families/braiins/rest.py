"""Braiins OS 25.07 and later: the REST API under ``/api/v1`` for state and controls.

Telemetry comes from this API (``parse_rest.py``), with bosminer's RPC filling in a
field whose resource failed. The session and identification are in ``client_rest.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...context import MinerContext
from ...contract import Field, read_from
from ...exceptions import MinerControlRefusedError, MinerResponseError, MinerUnsupportedError
from ...logs import MAX_LOG_BYTES, NOT_OFFERED, MinerLog, log_from_reply
from ...models import Control, FanMode, MinerIdentity, PoolConfig
from ...slow import HARDWARE_EVERY, SETTINGS_EVERY
from ...values import to_bool, to_int
from .._session import LoginChecked
from . import cooling_rest
from . import parse_rest as parse
from .base import BraiinsBackend, with_rpc_fallback
from .client_rest import SINCE, RestApi
from .parse_rest import API


class RestBackend(LoginChecked[RestApi], BraiinsBackend):
    """BOS >= 25.07: RPC for telemetry, REST for state and controls."""

    name = "rest"
    DATA_MAP = (
        with_rpc_fallback(
            {
                **read_from(parse.STATS, parse, Field.HASHRATE, Field.POWER),
                **read_from(
                    parse.DETAILS, parse, Field.EXPECTED_HASHRATE, Field.UPTIME, Field.MINING
                ),
                **read_from(parse.TUNER, parse, Field.POWER_LIMIT, Field.HASHRATE_TARGET),
                **read_from(parse.HASHBOARDS, parse, Field.BOARDS),
                **read_from(parse.COOLING, parse, Field.FANS),
                **read_from(parse.POOLS, parse, Field.POOLS),
                **read_from(parse.ERRORS, parse, Field.ERRORS),
                **read_from(parse.LOCATE, parse, Field.FAULT_LIGHT),
                **read_from(parse.CONSTRAINTS, parse, Field.HASHRATE_TARGET_RANGE),
            }
        )
        | cooling_rest.COOLING_MAP
    )
    # The tuner aims at watts or at TH/s; both apply live (the tuner re-tunes), as do
    # pool groups (``pools/batch``).
    # The fan mode, manual speed and auto target too, where ``configuration/miner`` shows
    # the cooling mode to read them back from (``cooling_rest.py``).
    CONTROLS = (
        BraiinsBackend.CONTROLS
        | {Control.HASHRATE_TARGET, Control.POOLS}
        | cooling_rest.FAN_CONTROLS
    )
    # The tuner's bounds change only with the hardware or a firmware update: one read
    # serves 20 polls (5 minutes), and any control reads them again. The tuner's
    # target, the locate LED and the configuration (the fan settings) change only when
    # someone sets them: ours re-reads at once, one made on the miner's own page shows
    # within SETTINGS_EVERY polls. What runs (stats, boards, fans, pools, errors, mining
    # state) is read every poll.
    SLOW_SOURCES = {
        parse.CONSTRAINTS: HARDWARE_EVERY,
        parse.TUNER: SETTINGS_EVERY,
        parse.LOCATE: SETTINGS_EVERY,
        cooling_rest.CONFIG: SETTINGS_EVERY,
    }

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = RestApi(ctx)

    @classmethod
    def accepts(cls, version: tuple[int, ...] | None) -> bool:
        return version is None or version >= SINCE

    async def fetch_web(self, path: str) -> Any:
        return await self.api.get(path)

    async def read_log(self) -> MinerLog:
        """``miner/log/bosminer`` as text (26.04's OpenAPI); a release without it says 404."""
        log = f"{API}/miner/log/bosminer"
        reply = await self.api.auth.request(self.ctx.web(), "GET", log, tail=MAX_LOG_BYTES)
        if reply.status == 404:
            raise MinerUnsupportedError(f"{NOT_OFFERED} release")
        return log_from_reply(log, reply)

    async def set_mining(self, on: bool) -> None:
        async with self.control("resume mining" if on else "pause mining"):
            await self.api.put(f"{API}/actions/{'resume' if on else 'pause'}")

    async def set_fault_light(self, on: bool) -> None:
        async with self.control("fault light"):
            reply = await self.api.put(parse.LOCATE.path, on)
            if reply.body and to_bool(reply.json()) is not on:
                raise MinerControlRefusedError(
                    "fault light", f"the locate LED stayed {'off' if on else 'on'}"
                )

    async def set_power_limit(self, watts: int) -> None:
        # Only the power target: this endpoint leaves pools and other settings alone.
        async with self.control("power limit"):
            if await self._tuning_by_hashrate():
                # power-target only sets the value of the mode in force: switch back.
                await self._set_mode("powertarget", {"power_target": {"watt": int(watts)}})
                return
            reply = await self.api.put(f"{API}/performance/power-target", {"watt": int(watts)})
            echoed = reply.json() if reply.body else None
            if isinstance(echoed, dict) and to_int(echoed.get("watt")) not in (None, int(watts)):
                raise MinerControlRefusedError(
                    "power limit", f"it set {echoed.get('watt')} W, not {watts} W"
                )

    async def set_hashrate_target(self, ths: float) -> None:
        """Switch the tuner to hashrate-target mode at ``ths`` TH/s (one request)."""
        async with self.control("hashrate target"):
            target = {"hashrate_target": {"terahash_per_second": round(float(ths), 2)}}
            await self._set_mode("hashratetarget", target)

    async def _tuning_by_hashrate(self) -> bool:
        """Whether the tuner aims at TH/s now; a release without tuner-state does not."""
        try:
            return parse.tuning_by_hashrate(await self.api.get(parse.TUNER.path))
        except MinerResponseError:
            return False

    async def _set_mode(self, kind: str, target: dict[str, Any]) -> None:
        """``PUT performance/mode``: the tuner's mode and its target together."""
        await self.api.put(f"{API}/performance/mode", {"tunermode": {"target": {kind: target}}})

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        """``PUT pools/batch`` (25.07's OpenAPI): one group holding ``pools`` in order,
        replacing every group; bosminer takes it without a restart.

        The group keeps the name the first one has; the firmware sends no password back,
        so a pool restored without one gets ``x``.
        """
        async with self.control("pools"):
            groups = await self.api.get(parse.POOLS.path)
            first = groups[0] if isinstance(groups, list) and groups else None
            name = first.get("name") if isinstance(first, dict) else None
            group = {
                "name": name if isinstance(name, str) and name else "Pools",
                "pools": [
                    {"url": p.url, "user": p.user, "password": p.password or "x", "enabled": True}
                    for p in pools
                ],
                "load_balance_strategy": {"quota": {"value": 1}},
            }
            await self.api.put(f"{API}/pools/batch", [group])

    async def set_fan_mode(self, mode: FanMode) -> None:
        async with self.control("fan mode"):
            await cooling_rest.set_fan_mode(self.api, mode)

    async def set_fan_speed(self, percent: int) -> None:
        async with self.control("fan speed"):
            await cooling_rest.set_fan_speed(self.api, percent)

    async def set_temperature_target(self, celsius: float) -> None:
        async with self.control("temperature target"):
            await cooling_rest.set_temperature_target(self.api, celsius)

    async def reboot(self) -> None:
        async with self.control("reboot"):
            await self.api.put(f"{API}/actions/reboot")

    async def restart_backend(self) -> None:
        async with self.control("restart"):
            await self.api.put(f"{API}/actions/restart")
