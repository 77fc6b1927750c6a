"""Adding a miner does per miner what once a miner does (issue 12: 200 added in 3 s)."""

from __future__ import annotations

import time
from typing import Any, cast
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.asic_miner.const import SCAN_INTERVAL
from custom_components.asic_miner.driver import MinerSnapshot
from custom_components.asic_miner.first_read import async_keep_read, async_take_read


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


async def test_a_kept_read_is_taken_once_and_only_while_fresh(hass: HomeAssistant) -> None:
    """Older than a poll interval it is dropped, with every other kept as long."""
    snapshot = cast("MinerSnapshot", object())
    assert async_take_read(hass, "a") is None
    async_keep_read(hass, "a", snapshot)
    async_keep_read(hass, "b", snapshot)
    assert async_take_read(hass, "a") is snapshot
    assert async_take_read(hass, "a") is None
    assert async_take_read(hass, None) is None  # an entry without a unique ID
    later = time.monotonic() + SCAN_INTERVAL.total_seconds() + 1
    with patch("custom_components.asic_miner.first_read.time.monotonic", return_value=later):
        assert async_take_read(hass, "c") is None  # drops "b" on the way
    async_keep_read(hass, "c", snapshot)
    with patch("custom_components.asic_miner.first_read.time.monotonic", return_value=later):
        assert async_take_read(hass, "c") is None  # "c" itself too old by then
    assert async_take_read(hass, "b") is None
