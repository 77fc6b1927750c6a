"""Fan controls in Home Assistant: the fan mode select, the manual speed and target numbers.

Driven against a simulated Bitaxe (AxeOS has all three); each write reaches the
simulated miner, reads back into the entities, and leaves the pools as they were.
"""

from __future__ import annotations

import pytest
from homeassistant.components.number import ATTR_MAX, ATTR_MIN, ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.number import DOMAIN as NUMBER_DOMAIN
from homeassistant.components.select import ATTR_OPTION, ATTR_OPTIONS, SERVICE_SELECT_OPTION
from homeassistant.components.select import DOMAIN as SELECT_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.asic_miner.driver.bounds import MIN_AIR_FAN_PERCENT
from simulator.miner import SimMiner

pytestmark = pytest.mark.parametrize("simulated_miner", ["bitaxe-gamma"], indirect=True)

FAN_MODE = "select.sim_bitaxe_gamma_fan_mode"
FAN_SPEED = "number.sim_bitaxe_gamma_manual_fan_speed"
TARGET = "number.sim_bitaxe_gamma_fan_temperature_target"
DUTY = "sensor.sim_bitaxe_gamma_fan_1_duty_cycle"


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.NUMBER, Platform.SELECT, Platform.SENSOR]


def _pools(sim: SimMiner) -> list[tuple[str, str, str]]:
    return [(p.url, p.user, p.password) for p in sim.state.pools]


async def _select(hass: HomeAssistant, option: str) -> None:
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: FAN_MODE, ATTR_OPTION: option},
        blocking=True,
    )


async def _set(hass: HomeAssistant, entity_id: str, value: float) -> None:
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
        blocking=True,
    )


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_fan_mode_round_trip(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    pools = _pools(simulated_miner)
    state = hass.states.get(FAN_MODE)
    assert state.state == "auto"
    assert state.attributes[ATTR_OPTIONS] == ["auto", "manual"]
    await _select(hass, "manual")
    assert simulated_miner.state.fan_mode == "manual"
    assert hass.states.get(FAN_MODE).state == "manual"
    await _select(hass, "auto")
    assert hass.states.get(FAN_MODE).state == "auto"
    with pytest.raises(ServiceValidationError):
        await _select(hass, "immersion")  # not an AxeOS mode
    assert _pools(simulated_miner) == pools


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_fan_speed_round_trip(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    pools = _pools(simulated_miner)
    state = hass.states.get(FAN_SPEED)
    assert (state.attributes[ATTR_MIN], state.attributes[ATTR_MAX]) == (MIN_AIR_FAN_PERCENT, 100)
    await _set(hass, FAN_SPEED, 55)
    assert simulated_miner.state.fan_speed == 55
    assert hass.states.get(FAN_SPEED).state == "55"
    assert hass.states.get(FAN_MODE).state == "manual"  # a manual speed runs in manual
    with pytest.raises(ServiceValidationError):
        await _set(hass, FAN_SPEED, MIN_AIR_FAN_PERCENT - 10)  # below the floor
    assert simulated_miner.state.fan_speed == 55
    assert _pools(simulated_miner) == pools


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_temperature_target_round_trip(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    pools = _pools(simulated_miner)
    assert float(hass.states.get(TARGET).state) == simulated_miner.state.temperature_target
    await _set(hass, TARGET, 50)
    assert simulated_miner.state.temperature_target == 50
    assert float(hass.states.get(TARGET).state) == 50
    with pytest.raises(ServiceValidationError):
        await _set(hass, TARGET, 90)
    assert _pools(simulated_miner) == pools


async def test_fan_entities_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """All disabled at first: the select and numbers (config), the duty (diagnostic)."""
    for entity_id, category in (
        (DUTY, "diagnostic"),
        (FAN_MODE, "config"),
        (FAN_SPEED, "config"),
        (TARGET, "config"),
    ):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        assert entry.entity_category == category
