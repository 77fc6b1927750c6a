"""The power-limit number: bounds from the model, changes the miner's real power."""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.number import DOMAIN as NUMBER_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import async_poll

POWER_LIMIT_MINERS = ["braiins-s19", "braiins-s19jpro", "whatsminer-m30splus", "whatsminer-m60s"]


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.NUMBER]


@pytest.mark.parametrize("simulated_miner", POWER_LIMIT_MINERS, indirect=True)
async def test_numbers(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
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
