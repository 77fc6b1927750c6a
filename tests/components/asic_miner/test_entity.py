"""The add-when-reported listener: entities are built once, not on every poll."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.asic_miner import entity
from custom_components.asic_miner.sensor import BOARD_SENSORS
from simulator.miner import SimMiner
from simulator.state import ModelSpec
from tests.components.asic_miner.conftest import async_poll

BOARD_KEYS = {d.translation_key for d in BOARD_SENSORS}
BOARD_3_HASHRATE = "sensor.sim_antminer_s19pro_board_3_hashrate"


@pytest.fixture
def constructed() -> Iterator[Counter[str]]:
    """Counts every entity of the integration constructed, by class name."""
    counts: Counter[str] = Counter()
    original = entity.AsicMinerEntity.__init__

    def counting(self: entity.AsicMinerEntity, *args: Any, **kwargs: Any) -> None:
        counts[type(self).__name__] += 1
        original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(entity.AsicMinerEntity, "__init__", counting)
        yield counts


@pytest.fixture
def board_missing(simulated_miner: SimMiner) -> tuple[SimMiner, ModelSpec]:
    """The miner starts with one board fewer; also returns its whole layout."""
    spec = simulated_miner.state.spec
    simulated_miner.state.spec = replace(spec, boards=spec.boards - 1)
    return simulated_miner, spec


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_unchanged_polls_construct_nothing(
    hass: HomeAssistant,
    simulated_miner: SimMiner,
    constructed: Counter[str],
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    at_setup = sum(constructed.values())
    assert at_setup == len(hass.states.async_all())
    for _ in range(3):
        await async_poll(hass, freezer)
    assert sum(constructed.values()) == at_setup


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_board_reported_later_gets_its_entities(
    hass: HomeAssistant,
    constructed: Counter[str],
    board_missing: tuple[SimMiner, ModelSpec],
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two boards at start, the third comes back: only its sensors are constructed."""
    entry = init_integration
    simulated_miner, full_spec = board_missing
    state = simulated_miner.state
    assert hass.states.get(BOARD_3_HASHRATE) is None
    await async_poll(hass, freezer)
    before = constructed.copy()
    state.spec = full_spec
    await async_poll(hass, freezer)
    added = constructed - before
    board_3 = [
        e
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.unique_id.endswith("_2") and e.translation_key in BOARD_KEYS
    ]
    assert len(board_3) >= 3  # hashrate, temperatures, chips
    assert added == Counter({"AsicMinerBoardSensor": len(board_3)})
    assert hass.states.get(BOARD_3_HASHRATE).state != STATE_UNAVAILABLE
    await async_poll(hass, freezer)
    assert constructed - before == added
