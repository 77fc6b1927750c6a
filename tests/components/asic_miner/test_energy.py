"""Energy for the Energy dashboard: power integrated over time, kept across restarts."""

from __future__ import annotations

import math

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, State
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)

from custom_components.asic_miner.const import SCAN_INTERVAL
from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import async_poll

ENERGY = "sensor.sim_braiins_s19_energy"
POLLS = 10  # 2.5 minutes: more than one step of the energy state
S19 = pytest.mark.parametrize("simulated_miner", ["braiins-s19"], indirect=True)


@S19
async def test_energy_integrates_power(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Exact underneath; the state moves in 0.1 kWh steps on a 3 kW miner, rounded down."""
    assert float(hass.states.get(ENERGY).state) == 0.0
    power = simulated_miner.state.power
    states = set()
    for _ in range(POLLS):
        await async_poll(hass, freezer)
        states.add(hass.states.get(ENERGY).state)
    expected = power * POLLS * SCAN_INTERVAL.total_seconds() / 3_600_000
    assert expected > 0.1
    assert float(hass.states.get(ENERGY).state) == math.floor(expected * 10) / 10
    assert len(states) <= 2  # not a new state (a database row) on every poll


@S19
async def test_energy_skips_gaps(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    """While the miner is away nothing is added; it restarts from the next reading."""
    await simulated_miner.stop()
    await async_poll(hass, freezer)
    assert hass.states.get(ENERGY).state == STATE_UNAVAILABLE
    await simulated_miner.start()
    await async_poll(hass, freezer)
    assert float(hass.states.get(ENERGY).state) == 0.0


async def _set_up_restored(hass: HomeAssistant, entry: MockConfigEntry, total: float) -> None:
    """Set the miner up as after a restart that stored ``total`` kWh."""
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(ENERGY, str(math.floor(total * 10) / 10)),
                {"native_value": total, "native_unit_of_measurement": "kWh"},
            )
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@S19
async def test_energy_restored(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    await _set_up_restored(hass, mock_config_entry, 12.5)
    assert float(hass.states.get(ENERGY).state) == 12.5
    for _ in range(POLLS):
        await async_poll(hass, freezer)
    assert float(hass.states.get(ENERGY).state) > 12.5


@S19
async def test_energy_restores_the_exact_total(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A restart loses no part of a step: the stored total is the unrounded one."""
    await _set_up_restored(hass, mock_config_entry, 12.599)
    assert float(hass.states.get(ENERGY).state) == 12.5
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)  # +0.027 kWh at 3250 W
    assert float(hass.states.get(ENERGY).state) == 12.6


@pytest.mark.parametrize("simulated_miner", ["braiins-s19jpro"], indirect=True)
async def test_energy_pauses_without_power_reading(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Paused on an older Braiins OS, power is unknown: nothing is integrated meanwhile."""
    entity = "sensor.sim_braiins_s19jpro_energy"
    simulated_miner.state.mining = False
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert float(hass.states.get(entity).state) == 0.0
    simulated_miner.state.mining = True
    for _ in range(POLLS):
        await async_poll(hass, freezer)
    assert float(hass.states.get(entity).state) > 0.0
