"""Buttons: reboot and restart the mining backend."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import partial

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import AsicMinerConfigEntry
from .driver import Control, Miner, MinerSnapshot
from .entity import AsicMinerEntity, Reported, async_add_when_reported
from .helpers import asic_miner_exception_handler

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class AsicMinerButtonEntityDescription(ButtonEntityDescription):
    control: Control
    press_fn: Callable[[Miner], Awaitable[None]]


BUTTONS: tuple[AsicMinerButtonEntityDescription, ...] = (
    AsicMinerButtonEntityDescription(
        key="reboot",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        control=Control.REBOOT,
        press_fn=lambda miner: miner.reboot(),
    ),
    AsicMinerButtonEntityDescription(
        key="restart_backend",
        translation_key="restart_backend",
        entity_category=EntityCategory.CONFIG,
        # Restart (reboot) is the one a person reaches for; this one is a click away.
        entity_registry_enabled_default=False,
        control=Control.RESTART_BACKEND,
        press_fn=lambda miner: miner.restart_backend(),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AsicMinerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data

    def build(snapshot: MinerSnapshot) -> Iterable[Reported]:
        return [
            (d.key, partial(AsicMinerButton, coordinator, d))
            for d in BUTTONS
            if coordinator.miner.supports(d.control)
        ]

    async_add_when_reported(entry, async_add_entities, build)


class AsicMinerButton(AsicMinerEntity, ButtonEntity):
    entity_description: AsicMinerButtonEntityDescription
    _requires_write = True

    @asic_miner_exception_handler
    async def async_press(self) -> None:
        miner = self.coordinator.miner
        await self.entity_description.press_fn(miner)
        if miner.restarts_after(self.entity_description.control):
            self.coordinator.expect_restart()
