"""Select: work mode or preset, where the firmware uses those instead of watts; fan mode.

Options are the firmware's own keys; the fixed ones (``low``, ``normal``, ``high``,
``eco``, ...) have translations under ``entity.select.work_mode.state``. Presets named
by the firmware (VNish's ``3250`` W presets, LuxOS profiles) show as they are. The fan
mode offers the modes the firmware has (auto, manual, immersion), translated.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory

from .coordinator import AsicMinerDataUpdateCoordinator
from .descriptions import ONE_CLICK_AWAY
from .driver import Control, MinerSnapshot
from .entity import (
    AsicMinerEntity,
    Build,
    Reported,
    setup_when_reported,
)
from .helpers import asic_miner_exception_handler

PARALLEL_UPDATES = 1

WORK_MODE = SelectEntityDescription(
    key="work_mode",
    translation_key="work_mode",
    entity_category=EntityCategory.CONFIG,
)


class AsicMinerWorkModeSelect(AsicMinerEntity, SelectEntity):
    """Offers exactly the modes or presets the miner reports."""

    _requires_write = True

    @property
    def options(self) -> list[str]:
        return list(self.coordinator.data.work_modes)

    @property
    def current_option(self) -> str | None:
        mode = self.coordinator.data.work_mode
        return mode if mode in self.coordinator.data.work_modes else None

    @asic_miner_exception_handler
    async def async_select_option(self, option: str) -> None:
        await self.coordinator.miner.set_work_mode(option)


# Like the fan numbers: most owners never touch their fans (README, "Fans and noise").
FAN_MODE = SelectEntityDescription(key="fan_mode", translation_key="fan_mode", **ONE_CLICK_AWAY)


class AsicMinerFanModeSelect(AsicMinerEntity, SelectEntity):
    """The firmware's fan modes; a manual speed is the fan speed number's."""

    _requires_write = True

    @property
    def options(self) -> list[str]:
        cooling = self.coordinator.data.cooling
        return [str(m) for m in cooling.modes] if cooling else []

    @property
    def current_option(self) -> str | None:
        cooling = self.coordinator.data.cooling
        return str(cooling.mode) if cooling and cooling.mode in cooling.modes else None

    @asic_miner_exception_handler
    async def async_select_option(self, option: str) -> None:
        await self.coordinator.miner.set_fan_mode(option)


def _select_builder(coordinator: AsicMinerDataUpdateCoordinator) -> Build:
    def build(snapshot: MinerSnapshot) -> Iterable[Reported]:
        if coordinator.miner.supports(Control.WORK_MODE) and snapshot.work_modes:
            yield WORK_MODE.key, partial(AsicMinerWorkModeSelect, coordinator, WORK_MODE)
        if coordinator.miner.supports(Control.FAN_MODE) and snapshot.cooling:
            yield FAN_MODE.key, partial(AsicMinerFanModeSelect, coordinator, FAN_MODE)

    return build


async_setup_entry = setup_when_reported(_select_builder)
