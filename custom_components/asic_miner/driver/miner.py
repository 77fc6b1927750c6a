"""The handle a caller holds for one miner: read snapshots, run controls.

Built either by identifying the address (first contact, scans) or straight from a
stored identity (Home Assistant after the first setup), so a poll never re-identifies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any

import aiohttp

from .collect import collect
from .context import DEFAULT_TIMEOUT, MinerContext
from .contract import Backend, Family
from .exceptions import (
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
    MinerUnsupportedError,
    MinerValueError,
)
from .hardware import make_power_range, model_power_range
from .identify import DEFAULT_IDENTIFY_TIMEOUT, identify_host
from .limits import max_reply_bytes
from .models import Control, Credentials, MinerIdentity, MinerSnapshot, Ports, PowerLimitRange
from .registry import family as family_by_key

CONTROL_DEADLINE_FACTOR = 4.0
"""A control may take this many request timeouts (login, command, read-back)."""


class Miner:
    def __init__(self, ctx: MinerContext, family: Family, identity: MinerIdentity) -> None:
        self.ctx = ctx
        self.family = family
        self.identity = identity
        ctx.max_reply_bytes = max_reply_bytes(family.key)
        self.backend: Backend = family.backend(identity.backend)(ctx, identity)

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
    ) -> Miner:
        """A handle for a miner identified before; raises ``KeyError`` for an unknown family."""
        ctx = MinerContext(
            host, session, ports or Ports(), credentials or Credentials(), timeout=timeout
        )
        return cls(ctx, family_by_key(identity.family), identity)

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
        return snapshot

    async def check_credentials(self) -> None:
        """Prove the stored login opens the privileged API (a no-op without one).

        Under a control's deadline and with only the driver's errors leaving, as a
        control: Home Assistant runs it in the background and again inside a poll.
        """
        await self._run(self.backend.check_credentials())

    # -- controls --------------------------------------------------------------------

    @property
    def controls(self) -> frozenset[Control]:
        return frozenset(c for c in Control if self.backend.supports(c))

    def supports(self, control: Control) -> bool:
        return self.backend.supports(control)

    def restarts_after(self, control: Control) -> bool:
        """Whether the firmware restarts the miner by itself after ``control``."""
        return control in self.backend.RESTARTS_AFTER

    def power_limit_range(self) -> PowerLimitRange | None:
        """Bounds for the power limit: the firmware's, else the model's, else the maker's.

        Firmware that only takes its own profiles or presets (LuxOS, VNish) gets only
        those bounds, ``None`` until they were read.

        ``None`` when the miner takes no power limit, or when none of the three is
        known (a maker the hardware table has no row for): then no bounds are offered
        rather than made up.
        """
        if not self.supports(Control.POWER_LIMIT):
            return None
        if self.backend.BOUNDS_FROM_FIRMWARE:
            return self.backend.power_limit_range()  # only values the firmware lists
        identity = self.identity
        return (
            self.backend.power_limit_range()
            or model_power_range(identity.make, identity.model)
            or make_power_range(identity.make)
        )

    def _require(self, control: Control) -> None:
        if not self.supports(control):
            raise MinerUnsupportedError(
                f"{self.identity.model} on {self.identity.firmware} does not support "
                f"{control.value.replace('_', ' ')}"
            )

    async def _run(self, control: Coroutine[Any, Any, None]) -> None:
        """A control under one overall deadline; only the driver's errors leave it.

        Every retry inside (a login, an unlock, a token renewal) is bounded by the
        family; this bounds the whole, so a service call always returns.
        """
        seconds = self.ctx.timeout * CONTROL_DEADLINE_FACTOR
        try:
            async with asyncio.timeout(seconds):
                await control
        except TimeoutError as err:
            raise MinerTimeoutError(f"{self.host}: control took longer than {seconds:g} s") from err
        except MinerError:
            raise
        except Exception as err:
            raise MinerResponseError(f"{self.host}: unexpected reply: {err!r}") from err

    async def set_mining(self, on: bool) -> None:
        self._require(Control.MINING)
        await self._run(self.backend.set_mining(on))

    async def set_fault_light(self, on: bool) -> None:
        self._require(Control.FAULT_LIGHT)
        await self._run(self.backend.set_fault_light(on))

    async def set_power_limit(self, watts: int) -> None:
        self._require(Control.POWER_LIMIT)
        bounds = self.power_limit_range()
        if bounds is not None and not bounds.minimum <= watts <= bounds.maximum:
            raise MinerValueError(
                f"power limit {watts} W is outside {bounds.minimum}-{bounds.maximum} W"
            )
        await self._run(self.backend.set_power_limit(watts))

    async def set_work_mode(self, mode: str) -> None:
        self._require(Control.WORK_MODE)
        await self._run(self.backend.set_work_mode(mode))

    async def reboot(self) -> None:
        self._require(Control.REBOOT)
        await self._run(self.backend.reboot())

    async def restart_backend(self) -> None:
        self._require(Control.RESTART_BACKEND)
        await self._run(self.backend.restart_backend())

    def with_host(self, host: str) -> Miner:
        """The same miner at a new address (DHCP moved it)."""
        return Miner(replace(self.ctx, host=host), self.family, self.identity)
