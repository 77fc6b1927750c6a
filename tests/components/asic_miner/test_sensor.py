"""Sensor entities against simulated miners."""

from __future__ import annotations

from dataclasses import replace

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import ALL_SIMULATED, async_poll


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.SENSOR]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("simulated_miner", ALL_SIMULATED, indirect=True)
async def test_sensors(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    """Every sensor the miner reports, with its state."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_board_and_fan_that_vanish_go_unavailable(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A board or fan the miner stops reporting turns unavailable, not zero."""
    board = "sensor.sim_antminer_s19pro_board_3_hashrate"
    fan = "sensor.sim_antminer_s19pro_fan_4_speed"
    assert hass.states.get(board).state != STATE_UNAVAILABLE
    state = simulated_miner.state
    state.spec = replace(state.spec, boards=2, fans=3)
    await async_poll(hass, freezer)
    assert hass.states.get(board).state == STATE_UNAVAILABLE
    assert hass.states.get(fan).state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.sim_antminer_s19pro_board_1_hashrate").state != STATE_UNAVAILABLE


@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # Last boot is disabled
async def test_uptime_does_not_wobble(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Boot time computed from uptime stays put across polls; a reboot moves it."""
    entity = "sensor.sim_antminer_s19pro_last_boot"
    before = hass.states.get(entity).state
    assert simulated_miner.state.clock is not None
    simulated_miner.state.clock += 16  # the miner's uptime moves on with the poll, +1 s
    await async_poll(hass, freezer)
    assert hass.states.get(entity).state == before
    simulated_miner.state.boot_time = simulated_miner.state.clock  # rebooted just now
    await async_poll(hass, freezer)
    assert hass.states.get(entity).state != before
