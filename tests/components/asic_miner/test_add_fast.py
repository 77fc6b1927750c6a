"""Adding a miner does per miner what once a miner does (issue 12: 200 added in 3 s)."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry


async def test_the_device_is_registered_once_per_miner(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Not once per entity (Home Assistant merges a device description each time it is
    given one): every entity still belongs to the miner's one device."""
    original = dr.DeviceRegistry.async_get_or_create
    calls = 0

    def counted(self: dr.DeviceRegistry, **kwargs: Any) -> dr.DeviceEntry:
        nonlocal calls
        calls += 1
        return original(self, **kwargs)

    mock_config_entry.add_to_hass(hass)
    with patch.object(dr.DeviceRegistry, "async_get_or_create", counted):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    entities = er.async_entries_for_config_entry(entity_registry, mock_config_entry.entry_id)
    [device] = dr.async_entries_for_config_entry(device_registry, mock_config_entry.entry_id)
    assert len(entities) > 20
    assert calls == 1
    assert {entity.device_id for entity in entities} == {device.id}
