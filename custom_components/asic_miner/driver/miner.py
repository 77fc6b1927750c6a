"""The handle a caller holds for one miner: read snapshots, run controls.

Built either by identifying the address (first contact, scans) or straight from a
stored identity (Home Assistant after the first setup), so a poll never re-identifies.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Sequence
from dataclasses import replace
from typing import Any

import aiohttp

from .bounds import MIN_AIR_FAN_PERCENT, THROTTLE_RANGE, power_limit_bounds
from .collect import collect
from .context import DEFAULT_TIMEOUT, MinerContext
from .contract import Backend, Family, Field
from .exceptions import (
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
    MinerUnsupportedError,
    MinerValueError,
)
from .identify import DEFAULT_IDENTIFY_TIMEOUT, identify_host
from .logs import MinerLog
from .models import (
    Control,
    Cooling,
    Credentials,
    FanMode,
    MinerIdentity,
    MinerSnapshot,
    PoolConfig,
    Ports,
    PowerLimitRange,
)
from .pools import checked_pools, replace_pools, switch_to
from .registry import family as family_by_key

CONTROL_DEADLINE_FACTOR = 4.0
"""A control may take this many request timeouts (login, command, read-back)."""


def _check_within(what: str, value: float, bounds: tuple[float, float], unit: str) -> None:
    """Refuse a control value outside the bounds the firmware (or its table) takes."""
    low, high = bounds
    if not low <= value <= high:
        raise MinerValueError(f"{what} {value:g} {unit} is outside {low:g}-{high:g} {unit}")


class Miner:
    def __init__(self, ctx: MinerContext, family: Family, identity: MinerIdentity) -> None:
        self.ctx = ctx
        self.family = family
        self.identity = identity
        ctx.max_reply_bytes = family.max_reply_bytes
        self.backend: Backend = family.backend(identity.backend)(ctx, identity)
        # The last poll's snapshot: what the miner can do is what it last reported.
        self.snapshot: MinerSnapshot | None = None
        self.read_at: float | None = None  # monotonic time ``snapshot`` was read

    @property
    def host(self) -> str:
        return self.ctx.host

    @classmethod
    async def connect(
        cls,
        host: str,
        session: aiohttp.ClientSession,
        *,
        ports: Ports | None = None,
        credentials: Credentials | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        identify_timeout: float = DEFAULT_IDENTIFY_TIMEOUT,
    ) -> Miner:
        """Identify the miner at ``host`` and return a handle for it.

        Raises what ``identify_host`` raises (``MinerConnectionError`` when nothing
        answers, ``MinerNotIdentifiedError`` for no known firmware) or the error that
        stopped the winning family's identification (a refused login, a timeout).
        """
        ctx = MinerContext(
            host, session, ports or Ports(), credentials or Credentials(), timeout=timeout
        )
        found = await identify_host(ctx, timeout=identify_timeout)
        return cls(ctx, found.family, found.unwrap())

    @classmethod
    def from_identity(
        cls,
        host: str,
        session: aiohttp.ClientSession,
        identity: MinerIdentity,
        *,
        ports: Ports | None = None,
        credentials: Credentials | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        keep_alive: float | None = None,
    ) -> Miner:
        """A handle for a miner identified before; raises ``KeyError`` for an unknown family.

        ``keep_alive`` (seconds) gives the miner its own HTTP pool that keeps idle
        connections that long (``MinerContext.keep_alive``); the caller then ``close``s it.
        """
        ctx = MinerContext(
            host,
            session,
            ports or Ports(),
            credentials or Credentials(),
            timeout=timeout,
            keep_alive=keep_alive,
        )
        return cls(ctx, family_by_key(identity.family), identity)

    async def close(self) -> None:
        """Release what the handle holds open (its own HTTP pool, where it has one)."""
        await self.ctx.close()

    # -- reading ---------------------------------------------------------------------

    async def read(self) -> MinerSnapshot:
        """One full snapshot; raises ``MinerConnectionError`` when nothing answered.

        Only the driver's own errors leave: anything else a family raised on a reply
        it did not expect becomes a ``MinerResponseError`` naming the miner, so the
        caller shows it unavailable instead of logging a traceback every poll.
        """
        try:
            snapshot = await collect(self.backend)
        except MinerError:
            raise
        except Exception as err:
            raise MinerResponseError(
                f"{self.host}: unexpected reply from {self.identity.firmware}: {err!r}"
            ) from err
        if snapshot.identity is not self.identity:
            self.identity = snapshot.identity
        self.snapshot = snapshot
        self.read_at = time.monotonic()
        return snapshot

    async def check_credentials(self) -> None:
        """Prove the stored login opens the privileged API (a no-op without one).

        Under a control's deadline and with only the driver's errors leaving, as a
        control: Home Assistant runs it in the background and again inside a poll.
        """
        await self._run(self.backend.check_credentials())

    async def read_log(self) -> MinerLog:
        """The miner's own recent log (``logs.py``), for a diagnostics download.

        ``MinerUnsupportedError`` where the firmware offers none over its API; under a
        control's deadline, with only the driver's errors leaving, as a control.
        """
        return await self._run(self.backend.read_log())

    # -- controls --------------------------------------------------------------------

    @property
    def controls(self) -> frozenset[Control]:
        """What the last poll reported the miner can do; before one, what its backend can."""
        if self.snapshot is not None:
            return self.snapshot.controls
        return self.backend.controls

    def supports(self, control: Control) -> bool:
        return control in self.controls

    def restarts_after(self, control: Control) -> bool:
        """Whether the firmware restarts the miner by itself after ``control``."""
        return control in self.backend.RESTARTS_AFTER

    @property
    def reports_power(self) -> bool:
        """Whether the firmware reports its power draw at all (stock Antminer does not)."""
        return Field.POWER in self.backend.DATA_MAP

    def power_limit_range(self) -> PowerLimitRange | None:
        """Bounds for the power limit as the last poll reported them (``bounds.py``).

        Before the first poll: the tables' bounds, or ``None`` for firmware that only
        runs at its own profiles or presets, which are not known yet.
        """
        if self.snapshot is not None:
            return self.snapshot.power_limit_range
        return power_limit_bounds(self.backend, self.controls, None)

    def _require(self, control: Control) -> None:
        if not self.supports(control):
            raise MinerUnsupportedError(
                f"{self.identity.model} on {self.identity.firmware} does not support "
                f"{control.value.replace('_', ' ')}"
            )

    async def _run[T](self, control: Coroutine[Any, Any, T]) -> T:
        """A control under one overall deadline; only the driver's errors leave it.

        Every retry inside (a login, an unlock, a token renewal) is bounded by the
        family; this bounds the whole, so a service call always returns. Afterwards the
        slow sources' kept replies are forgotten (``slow.py``).
        """
        seconds = self.ctx.timeout * CONTROL_DEADLINE_FACTOR
        try:
            async with asyncio.timeout(seconds):
                return await control
        except TimeoutError as err:
            raise MinerTimeoutError(f"{self.host}: control took longer than {seconds:g} s") from err
        except MinerError:
            raise
        except Exception as err:
            raise MinerResponseError(f"{self.host}: unexpected reply: {err!r}") from err
        finally:
            # Whatever the control changed (or half changed) is read on the next poll.
            self.backend.slow.clear()

    async def set_mining(self, on: bool) -> None:
        self._require(Control.MINING)
        await self._run(self.backend.set_mining(on))

    async def set_fault_light(self, on: bool) -> None:
        self._require(Control.FAULT_LIGHT)
        await self._run(self.backend.set_fault_light(on))

    async def set_power_limit(self, watts: int) -> None:
        self._require(Control.POWER_LIMIT)
        bounds = self.power_limit_range()
        if bounds is not None:
            _check_within("power limit", watts, (bounds.minimum, bounds.maximum), "W")
        await self._run(self.backend.set_power_limit(watts))

    async def set_work_mode(self, mode: str) -> None:
        self._require(Control.WORK_MODE)
        await self._run(self.backend.set_work_mode(mode))

    async def set_fan_mode(self, mode: str) -> None:
        """Switch the fan mode to one the firmware offers (``FanMode``)."""
        self._require(Control.FAN_MODE)
        cooling = self._cooling()
        if mode not in (cooling.modes or tuple(FanMode)):
            offered = ", ".join(cooling.modes) or "nothing"
            raise MinerValueError(f"fan mode {mode!r} is not offered; choose from {offered}")
        await self._run(self.backend.set_fan_mode(FanMode(mode)))

    async def set_fan_speed(self, percent: int) -> None:
        """The manual fan speed, never below the floor that protects the hardware."""
        self._require(Control.FAN_SPEED)
        bounds = self._cooling().speed_range or (MIN_AIR_FAN_PERCENT, 100)
        _check_within("fan speed", percent, bounds, "%")
        await self._run(self.backend.set_fan_speed(percent))

    async def set_temperature_target(self, celsius: float) -> None:
        """The temperature the firmware's fan curve holds, inside the firmware's bounds."""
        self._require(Control.TEMPERATURE_TARGET)
        bounds = self._cooling().target_range
        if bounds is not None:
            _check_within("temperature target", celsius, bounds, "°C")
        await self._run(self.backend.set_temperature_target(celsius))

    def _cooling(self) -> Cooling:
        """The fan settings of the last poll (empty before one)."""
        snapshot = self.snapshot
        return snapshot.cooling if snapshot is not None and snapshot.cooling else Cooling()

    async def set_hashrate_target(self, ths: float) -> None:
        """Tune by hashrate (TH/s) instead of watts, within the firmware's bounds."""
        self._require(Control.HASHRATE_TARGET)
        bounds = self.snapshot.hashrate_target_range if self.snapshot is not None else None
        if bounds is not None:
            _check_within("hashrate target", ths, bounds, "TH/s")
        await self._run(self.backend.set_hashrate_target(ths))

    async def set_throttle(self, percent: int) -> None:
        """Run at a percentage of full power, applied live (no restart, no reboot)."""
        self._require(Control.THROTTLE)
        _check_within("throttle", percent, THROTTLE_RANGE, "%")
        await self._run(self.backend.set_throttle(percent))

    async def reboot(self) -> None:
        self._require(Control.REBOOT)
        await self._run(self.backend.reboot())

    async def restart_backend(self) -> None:
        self._require(Control.RESTART_BACKEND)
        await self._run(self.backend.restart_backend())

    async def set_pools(self, pools: Sequence[PoolConfig]) -> None:
        """Replace the configured pools (1 to 3, first is tried first).

        Every URL and user is checked before anything is sent; the write is read back
        and, on any failure, the pools there before are written again (``pools.py``).
        """
        self._require(Control.POOLS)
        wanted = checked_pools(pools, self.backend.MAX_POOLS, self.backend.POOL_SCHEMES)
        await self._run(replace_pools(self.backend, wanted))

    async def switch_pool(self, index: int) -> None:
        """Make configured pool ``index`` (``Pool.index``) the one mined on."""
        self._require(Control.SWITCH_POOL)
        await self._run(switch_to(self.backend, index))

    def with_host(self, host: str) -> Miner:
        """The same miner at a new address (DHCP moved it)."""
        return Miner(replace(self.ctx, host=host), self.family, self.identity)
