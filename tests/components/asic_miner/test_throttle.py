"""The throttle number (VNish 1.3 ``mining/throttle``): 20-100 %, live, reads back."""

from __future__ import annotations

import pytest
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator.miner import SimMiner
from tests.components.asic_miner.number_service import set_number

THROTTLE = "number.sim_vnish_s21_throttle"
S21 = pytest.mark.parametrize("simulated_miner", ["vnish-s21"], indirect=True)


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.NUMBER]


@S21
async def test_throttle_is_disabled_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    entry = er.async_get(hass).async_get(THROTTLE)
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION


@S21
async def test_throttle_applies_live_and_reads_back(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
) -> None:
    state = hass.states.get(THROTTLE)
    assert float(state.state) == 100
    assert (state.attributes["min"], state.attributes["max"]) == (20, 100)
    sim = simulated_miner.state
    power_before, hashrate_before = sim.power, sim.hashrate
    restarts, reboots = sim.backend_restarts, sim.reboots
    pools = [(p.url, p.user) for p in sim.pools]

    await set_number(hass, THROTTLE, 40)
    assert float(hass.states.get(THROTTLE).state) == 40
    assert sim.throttle == 40
    assert sim.power == pytest.approx(power_before * 0.4, abs=0.1)
    assert sim.hashrate < hashrate_before
    assert (sim.backend_restarts, sim.reboots) == (restarts, reboots)  # live, no restart

    for outside in (19, 101):
        with pytest.raises(ServiceValidationError):
            await set_number(hass, THROTTLE, outside)
    assert sim.throttle == 40
    assert [(p.url, p.user) for p in sim.pools] == pools


@pytest.mark.parametrize("simulated_miner", ["vnish-s19", "braiins-s19"], indirect=True)
async def test_no_throttle_elsewhere(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    init_integration: MockConfigEntry,
) -> None:
    numbers = er.async_entries_for_config_entry(er.async_get(hass), init_integration.entry_id)
    assert not [e for e in numbers if e.entity_id.endswith("_throttle")]
