"""Estimated power and energy for stock Antminer, which reports no watts (issue 13 point 5)."""

from __future__ import annotations

import math

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.sensor import SensorStateClass
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)

from custom_components.asic_miner.const import SCAN_INTERVAL
from custom_components.asic_miner.driver import MinerIdentity, MinerSnapshot, nominal_efficiency
from custom_components.asic_miner.estimated_power import estimated_power
from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import async_poll

POWER = "sensor.sim_antminer_s19pro_estimated_power"
ENERGY = "sensor.sim_antminer_s19pro_estimated_energy"
S19_PRO = pytest.mark.parametrize("simulated_miner", ["antminer-s19pro"], indirect=True)
POLLS = 10
S19_PRO_J_PER_TH = 3250 / 110.0  # the hardware table's nominal W / nominal TH/s


def _snapshot(model: str = "S19 Pro", **values: object) -> MinerSnapshot:
    identity = MinerIdentity("Bitmain", model, "antminer", "Stock", "modern")
    return MinerSnapshot(identity=identity, **values)  # type: ignore[arg-type]


def test_nominal_efficiency_from_the_table() -> None:
    assert nominal_efficiency("Bitmain", "S19 Pro") == pytest.approx(S19_PRO_J_PER_TH)
    assert nominal_efficiency("Bitmain", "S99 Imaginary") is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"hashrate": 100.0}, round(100.0 * S19_PRO_J_PER_TH)),
        ({"hashrate": None}, None),  # unknown stays unknown
        ({"hashrate": None, "mining": False}, 0),  # paused on purpose
        ({"hashrate": 0.0, "mining": False}, 0),
        ({"hashrate": 100.0, "power": 3100.0}, None),  # real watts: never an estimate
    ],
)
def test_estimated_power_values(values: dict[str, object], expected: int | None) -> None:
    assert estimated_power(_snapshot(**values)) == expected


def test_unknown_model_has_no_estimate() -> None:
    assert estimated_power(_snapshot("S99 Imaginary", hashrate=100.0)) is None


@S19_PRO
async def test_stock_antminer_gets_estimates(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Enabled, named "Estimated", with statistics: usable in the Energy dashboard."""
    registry = er.async_get(hass)
    for entity_id, state_class in (
        (POWER, SensorStateClass.MEASUREMENT),
        (ENERGY, SensorStateClass.TOTAL_INCREASING),
    ):
        entry = registry.async_get(entity_id)
        assert entry is not None
        assert entry.disabled_by is None
        assert entry.capabilities == {"state_class": state_class}
    state = hass.states.get(POWER)
    assert "Estimated" in state.attributes["friendly_name"]
    watts = float(state.state)
    hashrate = float(hass.states.get("sensor.sim_antminer_s19pro_hashrate").state)
    assert watts == round(hashrate * S19_PRO_J_PER_TH)
    assert hass.states.get("sensor.sim_antminer_s19pro_power") is None

    assert float(hass.states.get(ENERGY).state) == 0.0
    for _ in range(POLLS):
        await async_poll(hass, freezer)
    expected = watts * POLLS * SCAN_INTERVAL.total_seconds() / 3_600_000
    assert float(hass.states.get(ENERGY).state) == math.floor(expected * 10) / 10 > 0


@S19_PRO
async def test_estimate_while_paused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    simulated_miner.state.mining = False
    await async_poll(hass, freezer)
    assert float(hass.states.get(POWER).state) == 0.0


@S19_PRO
async def test_estimated_energy_restored(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(ENERGY, "7.5"),
                {"native_value": 7.55, "native_unit_of_measurement": "kWh"},
            )
        ],
    )
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert float(hass.states.get(ENERGY).state) == 7.5
    for _ in range(POLLS):
        await async_poll(hass, freezer)
    assert float(hass.states.get(ENERGY).state) > 7.5


@pytest.mark.parametrize("simulated_miner", ["braiins-s19", "luxos-s21"], indirect=True)
async def test_no_estimate_where_watts_are_reported(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    estimated = [
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), init_integration.entry_id)
        if "estimated" in e.entity_id
    ]
    assert estimated == []
