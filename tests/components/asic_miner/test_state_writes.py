"""Readings and controls are written to the state machine only when what they show changed.

With 200 miners every poll would otherwise compute every entity's attributes only for
Home Assistant to drop the identical state. Counted at the state machine's door.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, StateMachine
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import async_poll


def _count_writes(hass: HomeAssistant) -> tuple[Counter[str], Any]:
    writes: Counter[str] = Counter()
    original = StateMachine.async_set_internal

    def counted(self: StateMachine, entity_id: str, *args: Any, **kwargs: Any) -> None:
        writes[entity_id] += 1
        original(self, entity_id, *args, **kwargs)

    return writes, patch.object(StateMachine, "async_set_internal", counted)


def _readings(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """Every enabled entity of the miner: readings, controls, the thermostat."""
    entries = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    return [e.entity_id for e in entries if e.disabled_by is None]


async def test_unchanged_readings_are_not_written(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    readings = _readings(hass, init_integration)
    assert readings
    for _ in range(2):
        await async_poll(hass, freezer)
    writes, counting = _count_writes(hass)
    with counting:
        for _ in range(3):
            await async_poll(hass, freezer)
    # Only the energy total moves on an unchanged miner (it integrates power over time).
    assert sorted(e for e in readings if writes[e]) in (
        [],
        [e for e in readings if e.endswith("_energy")],
    )

    # A changed reading is written on the next poll.
    hashrate = next(e for e in readings if e.endswith("_hashrate"))
    simulated_miner.state.power_limit = simulated_miner.state.spec.nominal_power // 2
    writes.clear()
    with counting:
        await async_poll(hass, freezer)
    assert writes[hashrate] == 1

    # A control follows the miner as well.
    switch = next(e for e in readings if e.startswith("switch.") and e.endswith("_mining"))
    writes.clear()
    with counting:
        simulated_miner.state.mining = False
        await async_poll(hass, freezer)
    assert writes[switch] == 1
    simulated_miner.state.mining = True
    await async_poll(hass, freezer)

    # A state written by someone else (here by hand) is put right on the next poll,
    # even though the reading did not change.
    before = hass.states.get(hashrate)
    assert before is not None
    hass.states.async_set(hashrate, "0", before.attributes)
    await async_poll(hass, freezer)
    after = hass.states.get(hashrate)
    assert after is not None
    assert after.state == before.state

    # A miner that stops answering: every entity is written unavailable once.
    await simulated_miner.stop()
    writes.clear()
    with counting:
        for _ in range(3):
            await async_poll(hass, freezer)
    for entity_id in readings:
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == "unavailable"
        assert writes[entity_id] == 1, entity_id
