"""The backend both Braiins web generations share: RPC telemetry, named refusals, bounds."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import ClassVar

from ...contract import Backend, Field, Location, first_of
from ...exceptions import (
    MinerAuthenticationError,
    MinerControlRefusedError,
    MinerResponseError,
    MinerValueError,
)
from ...hardware import lookup
from ...models import ALL_CONTROLS, Control, MinerIdentity, PowerLimitRange
from .parse import RPC_MAP


def with_rpc_fallback(web: dict[Field, Location]) -> dict[Field, Location]:
    """A web API's data map, each field falling back to bosminer's RPC where it has one.

    Web first: it answers while bosminer's RPC is down or answers only a few commands;
    the RPC fills a field whose web reply failed or lacked it.
    """
    return {f: first_of(loc, RPC_MAP[f]) if f in RPC_MAP else loc for f, loc in web.items()}


# Power-target bounds for a model missing from the hardware table: wide enough for
# every air-cooled Antminer BOS runs on; the firmware itself refuses what it cannot do.
FALLBACK_POWER_RANGE = PowerLimitRange(100, 6000)


class BraiinsBackend(Backend):
    """Base of both web generations: RPC reads, one connection per poll."""

    RPC_MULTICOMMAND = True
    CONTROLS: ClassVar[frozenset[Control]] = ALL_CONTROLS - {Control.WORK_MODE}

    @contextlib.asynccontextmanager
    async def control(self, what: str) -> AsyncIterator[None]:
        """Name the control in every refusal: HTTP status, GraphQL or REST error alike."""
        try:
            yield
        except MinerAuthenticationError, MinerControlRefusedError:
            raise
        except MinerValueError as err:
            # A value the miner refused: still the user's input to fix, now named.
            raise MinerValueError(f"{what}: the miner refused: {err}") from err
        except MinerResponseError as err:
            raise MinerControlRefusedError(what, str(err)) from err

    @classmethod
    def power_range_for(cls, identity: MinerIdentity) -> PowerLimitRange:
        hardware = lookup(identity.make, identity.model)
        if hardware is None:
            return FALLBACK_POWER_RANGE
        return PowerLimitRange(hardware.min_power, hardware.max_power)
