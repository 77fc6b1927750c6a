"""Miner events against a simulated miner: each fires once per occurrence, with its trigger."""

from __future__ import annotations

from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.const import Platform
from homeassistant.core import Event, HomeAssistant, ServiceCall, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_device_automations,
    async_mock_service,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.asic_miner.const import DOMAIN, EVENT_MINER
from custom_components.asic_miner.miner_events import EVENT_TYPES
from simulator.miner import SimMiner
from simulator.state import MinerState
from tests.components.asic_miner.conftest import SIM_CLOCK, async_poll

ENTITY = "event.sim_antminer_s19pro_events"
# The Events entity is disabled by default (the bus event and triggers do not need it).
pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.EVENT]


@pytest.fixture
def events(hass: HomeAssistant) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    @callback
    def record(event: Event) -> None:
        seen.append(dict(event.data))

    hass.bus.async_listen(EVENT_MINER, record)
    return seen


async def test_event_entity(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


def _types(events: list[dict[str, Any]]) -> list[str]:
    types = [e["type"] for e in events]
    events.clear()
    return types


async def test_each_event_fires_once_per_occurrence(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulated_miner: SimMiner,
    init_integration: MockConfigEntry,
    events: list[dict[str, Any]],
) -> None:
    state = simulated_miner.state
    await async_poll(hass, freezer)
    assert _types(events) == []  # nothing that was so at start is an event

    state.errors.append(("R:1", "Fan lost"))
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert events[0]["code"] == "R:1"
    assert events[0]["previous"] is None
    assert _types(events) == ["new_error"]
    state.errors.clear()

    with patch.object(MinerState, "board_hashrates", lambda self: [0.0, 30.0, 30.0], create=False):
        await async_poll(hass, freezer)
        await async_poll(hass, freezer)
        assert events[0]["board"] == 1
        assert _types(events) == ["board_lost"]
    await async_poll(hass, freezer)
    assert _types(events) == []

    state.pools[0].alive = False
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert events[0]["pool"] == "pool.example.com:3333"  # never the worker name
    assert "sim.worker1" not in str(events)
    assert _types(events) == ["pool_lost"]
    state.pools[0].alive = True

    # Paused on purpose: no "stopped" event, and no "resumed" when it mines again.
    state.mining = False
    await async_poll(hass, freezer)
    state.mining = True
    await async_poll(hass, freezer)
    assert _types(events) == []

    with patch.object(MinerState, "hashing", new_callable=PropertyMock, return_value=False):
        await async_poll(hass, freezer)
        await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert _types(events) == ["stopped_mining", "resumed_mining"]

    await simulated_miner.stop()
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert _types(events) == ["went_offline"]
    assert hass.states.get(ENTITY).attributes["event_type"] == "went_offline"
    await simulated_miner.start()
    await async_poll(hass, freezer)
    assert _types(events) == ["came_back"]

    state.boot_time = SIM_CLOCK - 900  # uptime 15 min, down from an hour
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert _types(events) == ["rebooted"]

    state.errors.append(("R:1", "Fan lost"))
    await async_poll(hass, freezer)
    assert events[0]["previous"] is not None  # the same error seen before: for cool-downs
    assert _types(events) == ["new_error"]

    # Events carry the device's name as the owner renamed it.
    registry = dr.async_get(hass)
    [device] = dr.async_entries_for_config_entry(registry, init_integration.entry_id)
    registry.async_update_device(device.id, name_by_user="Garage S19")
    state.errors.append(("R:2", "PSU fault"))
    await async_poll(hass, freezer)
    assert [(e["type"], e["name"]) for e in events] == [("new_error", "Garage S19")]


async def test_device_triggers(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
    simulated_miner: SimMiner,
    init_integration: MockConfigEntry,
) -> None:
    [device] = dr.async_entries_for_config_entry(device_registry, init_integration.entry_id)
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, device.id)
    assert sorted(t["type"] for t in triggers) == sorted(EVENT_TYPES)
    calls: list[ServiceCall] = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "triggers": {
                        "platform": "device",
                        "domain": DOMAIN,
                        "device_id": device.id,
                        "type": kind,
                    },
                    "actions": {
                        "action": "test.automation",
                        "data": {"kind": kind},
                    },
                }
                for kind in ("went_offline", "came_back")
            ]
        },
    )
    await simulated_miner.stop()
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert [c.data["kind"] for c in calls] == ["went_offline"]
    await simulated_miner.start()
    await async_poll(hass, freezer)
    assert [c.data["kind"] for c in calls] == ["went_offline", "came_back"]
