"""The integration loads in a real Home Assistant."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from custom_components.asic_miner.const import DOMAIN


async def test_setup(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
