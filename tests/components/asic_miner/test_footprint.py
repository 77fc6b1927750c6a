"""A light footprint per miner: few entities enabled, fewer with long-term statistics.

With 200 miners each enabled entity is a state to keep and each changed state a
database row; the targets come from issue 12 (at most 12 enabled, at most 5 with a
state_class). The blueprints and the Energy dashboard must keep what they use.
"""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.sensor import SensorStateClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.asic_miner.driver import Control
from custom_components.asic_miner.estimated_power import has_estimate
from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import ALL_SIMULATED, async_poll

MAX_ENABLED = 12
MAX_STATE_CLASS = 5
# What the blueprints look for on a miner's device (entity ID suffix) when it has the control.
BLUEPRINT_ENTITIES = {
    Control.MINING: ("switch", "_mining"),
    Control.POWER_LIMIT: ("number", "_power_limit"),
    Control.WORK_MODE: ("select", "_work_mode"),
}


@pytest.mark.parametrize("simulated_miner", ALL_SIMULATED, indirect=True)
async def test_footprint_per_miner(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    entries = er.async_entries_for_config_entry(er.async_get(hass), init_integration.entry_id)
    enabled = [e for e in entries if e.disabled_by is None]
    with_statistics = [e for e in entries if (e.capabilities or {}).get("state_class")]
    assert len(enabled) <= MAX_ENABLED, sorted(e.entity_id for e in enabled)
    assert len(with_statistics) <= MAX_STATE_CLASS, [e.entity_id for e in with_statistics]

    # The Energy dashboard's sensor, with its statistics, wherever power is reported
    # (estimated where the firmware reports no watts and the model is known).
    runtime = init_integration.runtime_data
    energy = [e.entity_id for e in enabled if e.entity_id.endswith("_energy")]
    powered = runtime.data.power is not None or has_estimate(runtime.data, runtime.miner)
    assert len(energy) == powered
    for entity_id in energy:
        entry = er.async_get(hass).async_get(entity_id)
        assert entry.capabilities == {"state_class": SensorStateClass.TOTAL_INCREASING}

    # The blueprints' controls, enabled wherever the miner has them.
    for control, (domain, suffix) in BLUEPRINT_ENTITIES.items():
        found = [e for e in enabled if e.domain == domain and e.entity_id.endswith(suffix)]
        if runtime.miner.supports(control) and (
            control is not Control.WORK_MODE or runtime.data.work_modes
        ):
            assert found, f"{domain}.*{suffix} missing"

    # Nothing enabled keeps writing: an unchanged miner keeps its states (and attributes)
    # once every value was read (Whatsminer API v2 reads the light every third poll).
    for _ in range(3):
        await async_poll(hass, freezer)
    before = {s.entity_id: s for s in hass.states.async_all() if s.domain != "button"}
    for _ in range(3):
        await async_poll(hass, freezer)
    changed = [
        entity_id
        for entity_id, state in before.items()
        if hass.states.get(entity_id).last_updated != state.last_updated
    ]
    assert changed in ([], energy), [(hass.states.get(e), before[e]) for e in changed]
