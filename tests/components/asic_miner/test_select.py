"""The work-mode select offers exactly the modes the miner reports."""

from __future__ import annotations

import pytest
from homeassistant.components.select import ATTR_OPTION, ATTR_OPTIONS, SERVICE_SELECT_OPTION
from homeassistant.components.select import DOMAIN as SELECT_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from simulator.miner import SimMiner

WORK_MODE = "select.sim_antminer_s19pro_work_mode"


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.SELECT]


async def test_select(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_select_work_mode(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    assert hass.states.get(WORK_MODE).attributes[ATTR_OPTIONS] == ["normal", "low", "high"]
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: WORK_MODE, ATTR_OPTION: "low"},
        blocking=True,
    )
    assert simulated_miner.state.work_mode == "low"
    assert hass.states.get(WORK_MODE).state == "low"


async def test_select_unknown_option(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            SELECT_DOMAIN,
            SERVICE_SELECT_OPTION,
            {ATTR_ENTITY_ID: WORK_MODE, ATTR_OPTION: "turbo"},
            blocking=True,
        )


PRESET_MINERS = [
    "avalon-nano3s",
    "avalon-a1566",
    "bitaxe-gamma",
    "luxos-s19xp",
    "vnish-s19",
    "whatsminer-m30splus",
    "whatsminer-m60s",
]


def _work_mode_entity(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    registry = er.async_get(hass)
    [entity_id] = [
        e.entity_id
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if e.translation_key == "work_mode"
    ]
    return entity_id


@pytest.mark.parametrize("simulated_miner", PRESET_MINERS, indirect=True)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # the fan mode select too
async def test_select_offers_what_the_miner_reports(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    """Options are exactly the miner's modes or presets; each one round-trips."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)
    entity_id = _work_mode_entity(hass, init_integration)
    reported = list(init_integration.runtime_data.data.work_modes)
    assert hass.states.get(entity_id).attributes[ATTR_OPTIONS] == reported
    for option in reversed(reported):
        await hass.services.async_call(
            SELECT_DOMAIN,
            SERVICE_SELECT_OPTION,
            {ATTR_ENTITY_ID: entity_id, ATTR_OPTION: option},
            blocking=True,
        )
        assert init_integration.runtime_data.data.work_mode == option
        assert hass.states.get(entity_id).state == option
