"""Buttons: reboot and restart the mining backend."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory

from .descriptions import ONE_CLICK_AWAY
from .driver import Control, Miner
from .entity import (
    AsicMinerEntity,
    each_description,
    setup_when_reported,
)
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
        # Restart (reboot) is the one a person reaches for.
        **ONE_CLICK_AWAY,
        control=Control.RESTART_BACKEND,
        press_fn=lambda miner: miner.restart_backend(),
    ),
)


class AsicMinerButton(AsicMinerEntity, ButtonEntity):
    entity_description: AsicMinerButtonEntityDescription
    _requires_write = True

    @asic_miner_exception_handler
    async def async_press(self) -> None:
        miner = self.coordinator.miner
        await self.entity_description.press_fn(miner)
        if miner.restarts_after(self.entity_description.control):
            self.coordinator.expect_restart()


async_setup_entry = setup_when_reported(
    each_description(AsicMinerButton, BUTTONS, control=lambda d: d.control)
)
