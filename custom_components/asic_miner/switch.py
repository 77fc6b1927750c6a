"""Switches: mining on/off and the fault light, where the firmware offers them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription

from .descriptions import ONE_CLICK_AWAY
from .driver import Control, Miner
from .entity import each_description, setup_when_reported
from .farm_entities import async_setup_farm_switches
from .helpers import asic_miner_exception_handler
from .on_off import OnOffDescription, OnOffEntity

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class AsicMinerSwitchEntityDescription(OnOffDescription, SwitchEntityDescription):
    control: Control
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
        # Wanted when looking for the miner in a rack, rarely otherwise.
        **ONE_CLICK_AWAY,
        control=Control.FAULT_LIGHT,
        is_on_fn=lambda s: s.fault_light,
        set_fn=lambda miner, on: miner.set_fault_light(on),
    ),
)


class AsicMinerSwitch(OnOffEntity, SwitchEntity):
    entity_description: AsicMinerSwitchEntityDescription
    _requires_write = True

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
