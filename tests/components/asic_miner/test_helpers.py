"""How a failing control reaches the user: translated errors, reauth, repairs."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.asic_miner.const import DOMAIN
from custom_components.asic_miner.driver.exceptions import (
    MinerResponseError,
    MinerUnsupportedError,
)
from simulator.miner import SimMiner

# The fault-light switch is disabled by default; these tests drive it.
pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.SWITCH]


async def _toggle_light(hass: HomeAssistant, entity_id: str, on: bool = True) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
        {ATTR_ENTITY_ID: entity_id},
        blocking=True,
    )


@pytest.mark.parametrize("simulated_miner", ["whatsminer-m30splus"], indirect=True)
async def test_write_api_disabled_raises_repair(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    issue_registry: ir.IssueRegistry,
) -> None:
    light = "switch.sim_whatsminer_m30splus_fault_light"
    issue_id = f"write_api_disabled_{init_integration.entry_id}"
    simulated_miner.write_api_enabled = False  # type: ignore[attr-defined]
    with pytest.raises(HomeAssistantError) as err:
        await _toggle_light(hass, light)
    assert err.value.translation_key == "write_api_disabled"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert simulated_miner.state.fault_light is False
    # As when setup finds it: the controls are unavailable until the write path works.
    assert hass.states.get(light).state == STATE_UNAVAILABLE
    coordinator = init_integration.runtime_data
    assert coordinator.write_problem is not None

    simulated_miner.write_api_enabled = True  # type: ignore[attr-defined]
    # The coordinator's next check of the write path (every 10 minutes) notices.
    await coordinator.async_check_write_access()
    await hass.async_block_till_done()
    assert hass.states.get(light).state != STATE_UNAVAILABLE
    await _toggle_light(hass, light)
    assert simulated_miner.state.fault_light is True
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_refused_login_that_reads_need_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    simulated_miner.state.password = "changed"
    with pytest.raises(HomeAssistantError) as err:
        await _toggle_light(hass, "switch.sim_antminer_s19pro_fault_light")
    assert err.value.translation_key == "invalid_auth"
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]


@pytest.mark.parametrize(
    ("error", "raised", "key"),
    [
        (MinerUnsupportedError("no"), ServiceValidationError, "invalid_value"),
        (MinerResponseError("refused"), HomeAssistantError, "control_failed"),
    ],
)
async def test_driver_errors_are_translated(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    error: Exception,
    raised: type[Exception],
    key: str,
) -> None:
    miner = init_integration.runtime_data.miner
    with (
        patch.object(type(miner), "set_fault_light", side_effect=error),
        pytest.raises(raised) as err,
    ):
        await _toggle_light(hass, "switch.sim_antminer_s19pro_fault_light")
    assert err.value.translation_key == key


@pytest.mark.parametrize("simulated_miner", ["whatsminer-m30splus"], indirect=True)
async def test_refused_control_login_on_a_readable_miner_raises_repair(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Reads need no login here: a refused admin login is a repair, never a reauth."""
    light = "switch.sim_whatsminer_m30splus_fault_light"
    simulated_miner.state.password = "changed"
    with pytest.raises(HomeAssistantError) as err:
        await _toggle_light(hass, light)
    assert err.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    assert hass.config_entries.flow.async_progress() == []
    issue_id = f"write_login_refused_{init_integration.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert hass.states.get(light).state == STATE_UNAVAILABLE
    coordinator = init_integration.runtime_data
    assert coordinator.last_update_success  # still read
    assert coordinator.data.hashrate is not None
