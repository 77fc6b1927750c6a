"""The PowerPlay backend: the data map's two GETs, and the controls as POSTs.

The power limit is a perpetual-tune target of the firmware's power algorithm, named
as ``/capabilities`` lists it for the running release; the hashrate target (TH/s) is the
target of a hashrate algorithm (VoltageOptimizer, ChipTune, BoardTune). Either write
switches the tuner to its algorithm, live. Pools are written whole with ``POST /coin``
(``StratumConfigs`` in ``/summary`` reads them back, passwords too); no other control
touches them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...context import MinerContext
from ...contract import Backend
from ...exceptions import MinerUnsupportedError, MinerValueError
from ...logs import MAX_LOG_BYTES, MinerLog, log_from_reply
from ...models import MinerIdentity, PoolConfig
from .._refusal import NamedRefusals
from .client import PowerPlayApi, get_object
from .parse import CONTROLS, DATA_MAP, SUMMARY, as_object
from .pools import coin_body, pool_configs
from .tuning import hashrate_algorithm, power_algorithm, running_algorithm

FIRMWARE = "ePIC PowerPlay"


class PowerPlayBackend(NamedRefusals, Backend):
    """The PowerPlay HTTP API on 4028.

    Every call used here is in the firmware's API descriptions 1.22.5 and 1.30.0.
    """

    name = "powerplay"
    DATA_MAP = DATA_MAP
    CONTROLS = CONTROLS

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = PowerPlayApi(ctx)

    async def fetch_web(self, path: str) -> Any:
        return await self.api.read(path)

    async def read_log(self) -> MinerLog:
        """``GET /log``: the PowerPlay log as text, open like every GET."""
        reply = await self.api.http.request("GET", "/log", tail=MAX_LOG_BYTES)
        return log_from_reply("/log", reply)

    async def post(self, path: str, param: Any) -> None:
        await self.api.post(path, param)

    async def check_credentials(self) -> None:
        """``authenticate`` checks the password and changes nothing."""
        await self.post("/authenticate", None)

    async def set_mining(self, on: bool) -> None:
        await self.post("/miner", "Autostart" if on else "Stop")

    async def set_fault_light(self, on: bool) -> None:
        await self.post("/identify", bool(on))

    async def set_power_limit(self, watts: int) -> None:
        found = power_algorithm(await self.api.capabilities())
        if found is None:
            raise MinerUnsupportedError(
                f"{self.identity.model} on {FIRMWARE}: this release offers no power tuning"
            )
        algorithm, bounds = found
        if bounds is not None and not bounds.minimum <= watts <= bounds.maximum:
            raise MinerValueError(
                f"power limit {watts} W is outside {bounds.minimum}-{bounds.maximum} W"
            )
        await self._tune(algorithm, int(watts))

    async def _tune(self, algorithm: str, target: int) -> None:
        # The target first, then make sure perpetual tuning runs: it may have been off.
        await self.post("/perpetualtune/algo", {"algo": algorithm, "target": target})
        await self.post("/perpetualtune", True)

    async def _running_hashrate_algorithm(self) -> str | None:
        """The hashrate algorithm the tuner runs now, so a new target keeps it."""
        try:
            summary = as_object(await self.fetch_web(SUMMARY.path), SUMMARY.path)
            running = running_algorithm(summary, watts=False)
        except KeyError, TypeError:
            return None
        return None if running is None else running[0]

    async def set_hashrate_target(self, ths: float) -> None:
        """The TH/s target of the running hashrate algorithm (else the first offered).

        The API descriptions (1.22.5, 1.30.0) type the target as an integer: whole TH/s.
        """
        capabilities = await self.api.capabilities()
        found = hashrate_algorithm(capabilities, await self._running_hashrate_algorithm())
        if found is None:
            raise MinerUnsupportedError(
                f"{self.identity.model} on {FIRMWARE}: this release offers no hashrate tuning"
            )
        algorithm, bounds = found
        target = round(ths)
        if bounds is not None and not bounds[0] <= target <= bounds[1]:
            raise MinerValueError(
                f"hashrate target {target} TH/s is outside {bounds[0]:g}-{bounds[1]:g} TH/s"
            )
        await self._tune(algorithm, target)

    async def reboot(self) -> None:
        await self.post("/reboot", 0)  # delay in seconds

    async def restart_backend(self) -> None:
        await self.post("/softreboot", None)

    async def read_pool_configs(self) -> list[PoolConfig]:
        return pool_configs(await get_object(self.api.http, SUMMARY.path))

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        summary = await get_object(self.api.http, SUMMARY.path)
        await self.api.post("/coin", coin_body(list(pools), self.identity.algorithm, summary))
