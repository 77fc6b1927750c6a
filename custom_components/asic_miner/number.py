"""Number: the power limit in watts, where the firmware takes one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import AsicMinerConfigEntry, AsicMinerDataUpdateCoordinator
from .driver.models import Control, MinerSnapshot
from .entity import AsicMinerEntity, async_add_when_reported
from .helpers import asic_miner_exception_handler

PARALLEL_UPDATES = 1

POWER_LIMIT = NumberEntityDescription(
    key="power_limit",
    translation_key="power_limit",
    device_class=NumberDeviceClass.POWER,
    native_unit_of_measurement=UnitOfPower.WATT,
    entity_category=EntityCategory.CONFIG,
    mode=NumberMode.SLIDER,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AsicMinerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data

    def build(snapshot: MinerSnapshot) -> Iterable[Entity]:
        if coordinator.miner.supports(Control.POWER_LIMIT):
            yield AsicMinerPowerLimitNumber(coordinator)

    async_add_when_reported(entry, async_add_entities, build)


class AsicMinerPowerLimitNumber(AsicMinerEntity, NumberEntity):
    """Bounds and step come from the model and firmware, so every value is one it accepts."""

    def __init__(self, coordinator: AsicMinerDataUpdateCoordinator) -> None:
        super().__init__(coordinator, POWER_LIMIT)
        bounds = coordinator.miner.power_limit_range()
        if bounds is not None:
            self._attr_native_min_value = bounds.minimum
            self._attr_native_max_value = bounds.maximum
            self._attr_native_step = bounds.step

    @property
    def native_value(self) -> float | None:
        return self.coordinator.data.power_limit

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The watts of each preset or profile, on firmware that runs only at those.

        Between two presets the miner falls back to the lower one, so an automation
        that aims anywhere else would keep re-sending a value it never reaches.
        """
        bounds = (
            self.coordinator.data.power_limit_range or self.coordinator.miner.power_limit_range()
        )
        if bounds is None or not bounds.levels:
            return None
        return {"levels": list(bounds.levels)}

    @asic_miner_exception_handler
    async def async_set_native_value(self, value: float) -> None:
        await self.coordinator.miner.set_power_limit(round(value))
