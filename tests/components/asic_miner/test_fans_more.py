"""Fan controls in Home Assistant on Braiins OS REST, LuxOS and Avalon.

Each family's entities reach the simulated miner and read back; Avalon, whose firmware
does not say its fan mode, gets the manual speed number and no fan mode select.
"""

from __future__ import annotations

import pytest
from homeassistant.components.number import ATTR_MIN
from homeassistant.components.number import DOMAIN as NUMBER_DOMAIN
from homeassistant.components.select import ATTR_OPTION, ATTR_OPTIONS, SERVICE_SELECT_OPTION
from homeassistant.components.select import DOMAIN as SELECT_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.asic_miner.driver.bounds import MIN_AIR_FAN_PERCENT
from simulator.miner import SimMiner
from tests.components.asic_miner.number_service import set_number


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.NUMBER, Platform.SELECT]


def _pools(sim: SimMiner) -> list[tuple[str, str, str]]:
    return [(p.url, p.user, p.password) for p in sim.state.pools]


@pytest.mark.parametrize(
    ("simulated_miner", "prefix", "modes"),
    [
        ("braiins-s19", "sim_braiins_s19", ["auto", "manual", "immersion"]),
        ("luxos-s21", "sim_luxos_s21", ["auto", "manual"]),
    ],
    indirect=["simulated_miner"],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_fan_mode_and_speed_round_trip(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    prefix: str,
    modes: list[str],
) -> None:
    pools = _pools(simulated_miner)
    fan_mode = f"select.{prefix}_fan_mode"
    state = hass.states.get(fan_mode)
    assert state is not None, hass.states.async_entity_ids(SELECT_DOMAIN)
    assert (state.state, state.attributes[ATTR_OPTIONS]) == ("auto", modes)
    speed = f"number.{prefix}_manual_fan_speed"
    assert hass.states.get(speed).attributes[ATTR_MIN] == MIN_AIR_FAN_PERCENT
    await set_number(hass, speed, 55)
    assert (simulated_miner.state.fan_mode, simulated_miner.state.fan_speed) == ("manual", 55)
    assert hass.states.get(fan_mode).state == "manual"
    assert float(hass.states.get(speed).state) == 55
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: fan_mode, ATTR_OPTION: "auto"},
        blocking=True,
    )
    assert simulated_miner.state.fan_mode == "auto"
    assert hass.states.get(fan_mode).state == "auto"
    assert _pools(simulated_miner) == pools


@pytest.mark.parametrize("simulated_miner", ["braiins-s19"], indirect=True)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_braiins_temperature_target(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    target = "number.sim_braiins_s19_fan_temperature_target"
    assert float(hass.states.get(target).state) == simulated_miner.state.temperature_target
    await set_number(hass, target, 70)
    assert simulated_miner.state.temperature_target == 70
    assert float(hass.states.get(target).state) == 70


@pytest.mark.parametrize("simulated_miner", ["avalon-a1566"], indirect=True)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_avalon_manual_speed_only(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    assert not [e for e in hass.states.async_entity_ids(SELECT_DOMAIN) if "fan_mode" in e]
    speeds = [e for e in hass.states.async_entity_ids(NUMBER_DOMAIN) if "manual_fan_speed" in e]
    assert len(speeds) == 1
    pools = _pools(simulated_miner)
    await set_number(hass, speeds[0], 60)
    assert (simulated_miner.state.fan_mode, simulated_miner.state.fan_speed) == ("manual", 60)
    assert float(hass.states.get(speeds[0]).state) == 60
    assert _pools(simulated_miner) == pools
