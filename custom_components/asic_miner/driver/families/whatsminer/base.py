"""What the backends of both Whatsminer API generations share.

The same controls on every model, the power range from the hardware table, the
work-mode names, and how a stored login is proven: btminer has no privileged read, so
the light is set to the state it is already in (a write that changes nothing). A
switched-off write API raises ``MinerWriteDisabledError`` there too: the password
cannot be checked until the owner enables it.
"""

from __future__ import annotations

from types import ModuleType

from ...contract import Backend, Call, Field, Location, read_from
from ...exceptions import MinerValueError
from ...models import ALL_CONTROLS, Control, MinerIdentity, PowerLimitRange
from .._refusal import NamedRefusals
from .parse import WORK_MODES, power_limit_range

# Read from the summary alone by both generations, each with its own extractor.
_SUMMARY_FIELDS = (
    Field.HASHRATE,
    Field.EXPECTED_HASHRATE,
    Field.POWER,
    Field.POWER_LIMIT,
    Field.ENVIRONMENT_TEMPERATURE,
    Field.UPTIME,
)


def summary_fields(parse: ModuleType, summary: Call) -> dict[Field, Location]:
    """The data-map rows both generations share: the summary's own figures (each read
    by the generation's extractor named after the field) and the work-mode names."""
    return {
        **read_from(summary, parse, *_SUMMARY_FIELDS),
        Field.WORK_MODES: Location((), lambda _: WORK_MODES),
    }


class WhatsminerBackend(NamedRefusals, Backend):
    """A btminer API generation: subclasses read, write and say where the light is."""

    CONTROLS = ALL_CONTROLS | {Control.POOLS}

    @classmethod
    def power_range_for(cls, identity: MinerIdentity) -> PowerLimitRange | None:
        return power_limit_range(identity.model)

    async def check_credentials(self) -> None:
        """Prove the login with a write that changes nothing (see the module)."""
        await self.set_fault_light(bool(await self.light_now()))

    async def light_now(self) -> bool | None:
        """Whether the light is on now, as the firmware says."""
        raise NotImplementedError  # pragma: no cover - each generation has its own

    async def set_work_mode(self, mode: str) -> None:
        if mode not in WORK_MODES:
            raise MinerValueError(
                f"unknown work mode {mode!r}; choose from {', '.join(WORK_MODES)}"
            )
        await self.apply_work_mode(mode)

    async def apply_work_mode(self, mode: str) -> None:
        """Switch to ``mode``, one of ``WORK_MODES``."""
        raise NotImplementedError  # pragma: no cover - each generation has its own
