"""The power-limit number lists the preset watts on firmware that runs only at presets."""

from __future__ import annotations

import pytest
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.number import DOMAIN as NUMBER_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator.miner import SimMiner


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.NUMBER]


@pytest.mark.parametrize(
    ("simulated_miner", "levels"),
    [
        # LuxOS lists every profile with its watts, the user-made "eco" included.
        ("luxos-s19xp", [1950, 2480, 2720, 3010, 3290]),
        # VNish offers only its tuned presets (2200 W and 3600 W are untuned).
        ("vnish-s19", [2500, 2800, 3000, 3250, 3400]),
    ],
    indirect=["simulated_miner"],
)
async def test_levels_of_preset_miners(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    request: pytest.FixtureRequest,
    levels: list[int],
) -> None:
    entity_id = f"number.sim_{request.node.callspec.id.split('-levels')[0]}_power_limit"
    entity_id = entity_id.replace("-", "_")
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["levels"] == levels
    assert (state.attributes["min"], state.attributes["max"]) == (levels[0], levels[-1])

    # Between two levels the miner runs at the lower one: the state says so, and that
    # level is one the attribute lists.
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: (levels[1] + levels[2]) / 2},
        blocking=True,
    )
    after = hass.states.get(entity_id)
    assert after is not None
    assert float(after.state) == levels[1]
    assert simulated_miner.state.power_limit == levels[1]


@pytest.mark.parametrize("simulated_miner", ["braiins-s19", "whatsminer-m60s"], indirect=True)
async def test_no_levels_where_any_step_is_reachable(
    hass: HomeAssistant, init_integration: MockConfigEntry, request: pytest.FixtureRequest
) -> None:
    entity_id = f"number.sim_{request.node.callspec.id.replace('-', '_')}_power_limit"
    state = hass.states.get(entity_id)
    assert state is not None
    assert "levels" not in state.attributes
