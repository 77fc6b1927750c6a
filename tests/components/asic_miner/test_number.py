"""The power-limit number: bounds from the model, changes the miner's real power."""

from __future__ import annotations

import logging
from dataclasses import replace
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.number import DOMAIN as NUMBER_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.asic_miner.const import CONF_IDENTITY, DOMAIN
from custom_components.asic_miner.driver.hardware import HARDWARE, make_power_range
from custom_components.asic_miner.driver.models import PowerLimitRange
from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import async_poll, entry_data_for
from tests.simhelpers import SimRunner

POWER_LIMIT_MINERS = ["braiins-s19", "braiins-s19jpro", "whatsminer-m30splus", "whatsminer-m60s"]


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.NUMBER]


@pytest.mark.parametrize("simulated_miner", POWER_LIMIT_MINERS, indirect=True)
async def test_numbers(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    entity_registry_enabled_by_default: None,
    init_integration: MockConfigEntry,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.parametrize("simulated_miner", POWER_LIMIT_MINERS, indirect=True)
async def test_set_power_limit(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    request: pytest.FixtureRequest,
    freezer: FrozenDateTimeFactory,
) -> None:
    entity_id = f"number.sim_{request.node.callspec.id.replace('-', '_')}_power_limit"
    state = hass.states.get(entity_id)
    assert state is not None
    target = int(state.attributes["min"]) + 500
    pools_before = [(p.url, p.user) for p in simulated_miner.state.pools]
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: target},
        blocking=True,
    )
    assert simulated_miner.state.power_limit == target
    if simulated_miner.state.rebooting:
        # Whatsminer API v2 firmware reboots to apply a power limit: unavailable, then back.
        assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
        assert simulated_miner.state.clock is not None
        simulated_miner.state.clock += 10
        await async_poll(hass, freezer)
    assert float(hass.states.get(entity_id).state) == target
    assert [(p.url, p.user) for p in simulated_miner.state.pools] == pools_before


@pytest.mark.parametrize("simulated_miner", ["braiins-s19"], indirect=True)
async def test_power_limit_out_of_range(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            NUMBER_DOMAIN,
            SERVICE_SET_VALUE,
            {ATTR_ENTITY_ID: "number.sim_braiins_s19_power_limit", ATTR_VALUE: 1},
            blocking=True,
        )


# -- bounds for every model the hardware table knows (issue 9) ------------------------

# A simulated miner per family whose power limit follows the hardware table, and the
# makes whose models that family runs on.
TABLE_FAMILIES = {
    "whatsminer": ("M30S+", ("MicroBT",)),
    "braiins": ("S19", ("Bitmain",)),
}
TABLE_CASES = [
    pytest.param((family, make, model), id=f"{family}-{model}")
    for family, (_sim_model, makes) in TABLE_FAMILIES.items()
    for make, model in HARDWARE
    if make in makes
]


async def _setup_as(
    hass: HomeAssistant, sim_runner: SimRunner, family: str, make: str, model: str
) -> MockConfigEntry:
    """A running simulated miner of ``family``, added as if it reported ``make model``."""
    sim = await sim_runner.start(family, TABLE_FAMILIES.get(family, ("M30S+", ()))[0])
    data = await entry_data_for(sim)
    identity = dict(data[CONF_IDENTITY])  # type: ignore[call-overload]
    identity.update(make=make, model=model)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=model,
        unique_id=f"{family}-{model}",
        data={**data, CONF_IDENTITY: identity},
    )
    entry.add_to_hass(hass)
    with patch("custom_components.asic_miner.PLATFORMS", [Platform.NUMBER]):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    return entry


def _numbers(entity_registry: er.EntityRegistry, entry: MockConfigEntry) -> list[str]:
    return [
        e.entity_id
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if e.domain == NUMBER_DOMAIN and e.entity_id.endswith("_power_limit")
    ]


@pytest.mark.parametrize("case", TABLE_CASES)
async def test_every_table_model_has_sane_bounds(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    sim_runner: SimRunner,
    case: tuple[str, str, str],
) -> None:
    family, make, model = case
    entry = await _setup_as(hass, sim_runner, family, make, model)
    [entity_id] = _numbers(entity_registry, entry)
    state = hass.states.get(entity_id)
    assert state is not None
    hardware = HARDWARE[(make, model)]
    low, high = state.attributes["min"], state.attributes["max"]
    assert (low, high) == (hardware.min_power, hardware.max_power)
    assert 0 < low < hardware.nominal_power < high <= 2 * hardware.nominal_power
    assert state.attributes["mode"] == "slider"
    assert entity_registry.async_get(entity_id).entity_category is None  # the main control
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    "case",
    [
        # A model the table does not know: the range of every model of its maker.
        ("whatsminer", "MicroBT", "M99S++", make_power_range("MicroBT")),
        # Braiins OS knows its own fallback for Antminers it has no row for.
        ("braiins", "Bitmain", "S99 Hydro", PowerLimitRange(100, 6000)),
        # A maker the table has no row for: no bounds to offer, so no number.
        ("whatsminer", "NoSuchMaker", "X1", None),
    ],
    ids=["maker-range", "firmware-fallback", "none"],
)
async def test_unknown_model_gets_family_bounds_or_none(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    issue_registry: ir.IssueRegistry,
    sim_runner: SimRunner,
    case: tuple[str, str, str, PowerLimitRange | None],
) -> None:
    family, make, model, bounds = case
    entry = await _setup_as(hass, sim_runner, family, make, model)
    numbers = _numbers(entity_registry, entry)
    issue = issue_registry.async_get_issue(DOMAIN, f"power_limit_bounds_unknown_{entry.entry_id}")
    if bounds is None:
        assert numbers == []
        assert issue is not None
        assert issue.translation_placeholders["model"] == model
    else:
        [entity_id] = numbers
        state = hass.states.get(entity_id)
        assert state is not None
        assert (state.attributes["min"], state.attributes["max"]) == (
            bounds.minimum,
            bounds.maximum,
        )
        assert issue is None
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("simulated_miner", ["whatsminer-m30splus"], indirect=True)
async def test_unknown_value_shows_a_box_not_the_minimum(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    entity_id = "number.sim_whatsminer_m30splus_power_limit"
    assert hass.states.get(entity_id).attributes["mode"] == "slider"
    coordinator = init_integration.runtime_data
    coordinator.async_set_updated_data(replace(coordinator.data, power_limit=None))
    state = hass.states.get(entity_id)
    assert state.state == STATE_UNKNOWN
    assert state.attributes["mode"] == "box"


@pytest.mark.parametrize("simulated_miner", ["whatsminer-m30splus"], indirect=True)
async def test_firmware_reboot_after_power_limit_is_info(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Whatsminer API v2 reboots to apply a power limit: expected, so no ERROR in the log."""
    caplog.set_level(logging.INFO)
    entity_id = "number.sim_whatsminer_m30splus_power_limit"
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: 3000},
        blocking=True,
    )
    assert simulated_miner.state.rebooting
    await async_poll(hass, freezer)
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    assert "is restarting, as its firmware does after that control" in caplog.text
