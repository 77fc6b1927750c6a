"""The hashrate-target number (Braiins OS REST, ePIC): bounds from the firmware, reads back."""

from __future__ import annotations

import pytest
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator.miner import SimMiner
from tests.components.asic_miner.number_service import set_number

TARGET = "number.sim_braiins_s19_hashrate_target"
POWER_LIMIT = "number.sim_braiins_s19_power_limit"
S19 = pytest.mark.parametrize("simulated_miner", ["braiins-s19"], indirect=True)


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.NUMBER]


@S19
async def test_hashrate_target_is_disabled_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    entry = er.async_get(hass).async_get(TARGET)
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert er.async_get(hass).async_get(POWER_LIMIT).disabled_by is None


@S19
async def test_set_hashrate_target_and_back_to_watts(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
) -> None:
    state = hass.states.get(TARGET)
    assert state.state == STATE_UNKNOWN  # the tuner aims at watts
    low, high = state.attributes["min"], state.attributes["max"]
    assert 0 < low < simulated_miner.state.spec.nominal_hashrate < high
    power_before = simulated_miner.state.power
    pools = [(p.url, p.user) for p in simulated_miner.state.pools]

    await set_number(hass, TARGET, 80.0)
    assert float(hass.states.get(TARGET).state) == 80.0
    assert simulated_miner.state.hashrate == pytest.approx(80.0, rel=0.01)
    assert simulated_miner.state.power < power_before

    with pytest.raises(ServiceValidationError):
        await set_number(hass, TARGET, high + 1)
    assert float(hass.states.get(TARGET).state) == 80.0

    await set_number(hass, POWER_LIMIT, 3000)
    assert hass.states.get(TARGET).state == STATE_UNKNOWN
    assert float(hass.states.get(POWER_LIMIT).state) == 3000
    assert [(p.url, p.user) for p in simulated_miner.state.pools] == pools


@pytest.mark.parametrize("simulated_miner", ["braiins-s19jpro", "luxos-s21"], indirect=True)
async def test_no_hashrate_target_elsewhere(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    init_integration: MockConfigEntry,
) -> None:
    numbers = er.async_entries_for_config_entry(er.async_get(hass), init_integration.entry_id)
    assert not [e for e in numbers if e.entity_id.endswith("_hashrate_target")]


@pytest.mark.parametrize("simulated_miner", ["epic-s21"], indirect=True)
async def test_epic_hashrate_target_and_back_to_watts(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
) -> None:
    """PowerPlay's VoltageOptimizer holds TH/s out of the box; the power limit takes over."""
    target, power_limit = "number.sim_epic_s21_hashrate_target", "number.sim_epic_s21_power_limit"
    state = hass.states.get(target)
    assert float(state.state) == simulated_miner.state.spec.nominal_hashrate
    assert hass.states.get(power_limit).state == STATE_UNKNOWN  # the tuner aims at TH/s
    low, high = state.attributes["min"], state.attributes["max"]
    pools = [(p.url, p.user) for p in simulated_miner.state.pools]

    await set_number(hass, target, 150)
    assert float(hass.states.get(target).state) == 150
    assert simulated_miner.state.hashrate == pytest.approx(150, rel=0.01)
    with pytest.raises(ServiceValidationError):
        await set_number(hass, target, low - 1)

    await set_number(hass, power_limit, 3000)
    assert hass.states.get(target).state == STATE_UNKNOWN
    assert float(hass.states.get(power_limit).state) == 3000
    assert high > low
    assert [(p.url, p.user) for p in simulated_miner.state.pools] == pools
