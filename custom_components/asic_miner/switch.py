"""Switches: mining on/off and the fault light, where the firmware offers them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory

from .descriptions import NamedByKey
from .driver import Control, Miner, MinerSnapshot
from .entity import (
    AsicMinerEntity,
    each_description,
    setup_when_reported,
)
from .farm_entities import async_setup_farm_switches
from .helpers import asic_miner_exception_handler

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class AsicMinerSwitchEntityDescription(NamedByKey, SwitchEntityDescription):
    control: Control
    is_on_fn: Callable[[MinerSnapshot], bool | None]
    set_fn: Callable[[Miner, bool], Awaitable[None]]


SWITCHES: tuple[AsicMinerSwitchEntityDescription, ...] = (
    AsicMinerSwitchEntityDescription(
        key="mining",
        control=Control.MINING,
        is_on_fn=lambda s: s.mining,
        set_fn=lambda miner, on: miner.set_mining(on),
    ),
    AsicMinerSwitchEntityDescription(
        key="fault_light",
        entity_category=EntityCategory.CONFIG,
        # Wanted when looking for the miner in a rack, rarely otherwise: one click away,
        # so the thermostat fits the 12 enabled entities per miner (issue 12).
        entity_registry_enabled_default=False,
        control=Control.FAULT_LIGHT,
        is_on_fn=lambda s: s.fault_light,
        set_fn=lambda miner, on: miner.set_fault_light(on),
    ),
)


class AsicMinerSwitch(AsicMinerEntity, SwitchEntity):
    entity_description: AsicMinerSwitchEntityDescription
    _requires_write = True

    @property
    def is_on(self) -> bool | None:
        return self.entity_description.is_on_fn(self.coordinator.data)

    @asic_miner_exception_handler
    async def async_turn_on(self, /, **kwargs: Any) -> None:
        await self.entity_description.set_fn(self.coordinator.miner, True)

    @asic_miner_exception_handler
    async def async_turn_off(self, /, **kwargs: Any) -> None:
        await self.entity_description.set_fn(self.coordinator.miner, False)


async_setup_entry = setup_when_reported(
    each_description(AsicMinerSwitch, SWITCHES, control=lambda d: d.control),
    farm=async_setup_farm_switches,
)
