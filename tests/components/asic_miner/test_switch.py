"""Switches change the simulated miner's real state and show it at once."""

from __future__ import annotations

import pytest
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from simulator.faults import Fault, FaultKind
from simulator.miner import SimMiner

# The fault-light switch is disabled by default; these tests drive it.
pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")

MINING = "switch.sim_antminer_s19pro_mining"
LIGHT = "switch.sim_antminer_s19pro_fault_light"


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.SWITCH]


@pytest.mark.parametrize("simulated_miner", ["antminer-s19pro", "antminer-s9"], indirect=True)
async def test_switches(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_mining_switch(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: MINING}, blocking=True
    )
    assert simulated_miner.state.mining is False
    assert hass.states.get(MINING).state == STATE_OFF
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: MINING}, blocking=True
    )
    assert simulated_miner.state.mining is True
    assert hass.states.get(MINING).state == STATE_ON


async def test_fault_light_switch(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: LIGHT}, blocking=True
    )
    assert simulated_miner.state.fault_light is True
    assert hass.states.get(LIGHT).state == STATE_ON


async def test_control_failure_is_translated(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    simulated_miner.state.fault = Fault(FaultKind.RESET)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: MINING}, blocking=True
        )
    assert err.value.translation_key == "communication_error"
    assert hass.states.get(MINING).state == "unavailable"
