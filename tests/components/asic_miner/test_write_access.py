"""A miner that reads fine but refuses its controls: added, read, controls unavailable.

Issue 9: a refused admin login or a disabled write API never blocks adding or reading;
setup checks the controls' path in the background, opens a repair issue that says what
to do, makes the controls unavailable, and clears both once the owner fixed it.
"""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_USERNAME,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.asic_miner import WRITE_CHECK_SPREAD
from custom_components.asic_miner.const import CONF_RPC_PORT, CONF_WEB_PORT, DOMAIN
from custom_components.asic_miner.driver import Miner
from custom_components.asic_miner.driver.exceptions import MinerResponseError
from custom_components.asic_miner.first_read import async_keep_read
from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import async_poll, entry_data_for
from tests.simhelpers import DRIVER_PORTS, SimRunner

# The fault-light switch is disabled by default; these tests drive it.
pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")

LIGHT = "switch.sim_whatsminer_m30splus_fault_light"
HASHRATE = "sensor.sim_whatsminer_m30splus_hashrate"
POWER_LIMIT = "number.sim_whatsminer_m30splus_power_limit"


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.SWITCH, Platform.SENSOR, Platform.NUMBER]


@pytest.fixture
def broken(simulated_miner: SimMiner, request: pytest.FixtureRequest) -> str:
    """Break the miner's write path before setup, as its owner left it."""
    kind: str = request.param
    if kind == "write_login_refused":
        simulated_miner.state.password = "changed-on-the-miner"
    else:
        simulated_miner.write_api_enabled = False  # type: ignore[attr-defined]
    return kind


@pytest.mark.parametrize("simulated_miner", ["whatsminer-m30splus"], indirect=True)
@pytest.mark.parametrize("broken", ["write_login_refused", "write_api_disabled"], indirect=True)
async def test_controls_refused_then_fixed(
    hass: HomeAssistant,
    broken: str,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = init_integration
    issue_registry = ir.async_get(hass)
    issue_id = f"{broken}_{entry.entry_id}"
    # Reads work: the miner is set up and its figures are there.
    assert hass.states.get(HASHRATE).state not in (STATE_UNAVAILABLE, "unknown")
    # The controls are not, and a repair says what to do.
    assert hass.states.get(LIGHT).state == STATE_UNAVAILABLE
    assert hass.states.get(POWER_LIMIT).state == STATE_UNAVAILABLE
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == broken
    assert issue.translation_placeholders["host"] == simulated_miner.host
    assert issue.translation_placeholders["family"] == "Whatsminer (stock firmware)"
    assert not list(entry.async_get_active_flows(hass, {"reauth"}))  # no reauth for this

    # The owner fixes it on the miner; the next check (every 10 minutes) notices.
    simulated_miner.state.password = "admin"
    simulated_miner.write_api_enabled = True  # type: ignore[attr-defined]
    with patch("custom_components.asic_miner.coordinator.WRITE_RECHECK_INTERVAL", timedelta(0)):
        await async_poll(hass, freezer)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get(LIGHT).state != STATE_UNAVAILABLE
    assert hass.states.get(POWER_LIMIT).state != STATE_UNAVAILABLE


@pytest.mark.parametrize("simulated_miner", ["whatsminer-m30splus"], indirect=True)
async def test_offline_miner_is_not_judged(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    issue_registry: ir.IssueRegistry,
) -> None:
    """No answer on the write path says nothing about it: no issue, controls kept."""
    coordinator = init_integration.runtime_data
    await simulated_miner.stop()
    await coordinator.async_check_write_access()
    assert coordinator.write_problem is None
    assert not issue_registry.issues


@pytest.mark.parametrize("simulated_miner", ["whatsminer-m30splus"], indirect=True)
async def test_refused_test_command_names_the_reason(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    coordinator = init_integration.runtime_data
    with patch.object(
        type(coordinator.miner), "check_credentials", side_effect=MinerResponseError("busy: 14")
    ):
        await coordinator.async_check_write_access()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"write_refused_{init_integration.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders["error"] == "busy: 14"
    assert hass.states.get(LIGHT).state == STATE_UNAVAILABLE


async def test_reconfigure_saves_when_only_the_write_api_is_off(
    hass: HomeAssistant, sim_runner: SimRunner
) -> None:
    """A typed password is checked; a switched-off API does not stop saving it."""
    sim = await sim_runner.start("whatsminer", "M30S+")
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=sim.state.mac.replace(":", "").lower(),
        data=await entry_data_for(sim),
    )
    entry.add_to_hass(hass)
    sim.write_api_enabled = False  # type: ignore[attr-defined]
    result = await entry.start_reconfigure_flow(hass)
    with patch("custom_components.asic_miner.async_setup_entry", return_value=True):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                CONF_HOST: sim.host,
                CONF_RPC_PORT: DRIVER_PORTS.rpc,
                CONF_WEB_PORT: DRIVER_PORTS.web,
                CONF_USERNAME: "admin",
                CONF_PASSWORD: "admin",
            },
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PASSWORD] == "admin"


@pytest.mark.parametrize("simulated_miner", ["whatsminer-m30splus"], indirect=True)
async def test_a_scanned_miners_later_check_ends_with_its_entry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A miner set up from a scan's read checks its controls later (``WRITE_CHECK_SPREAD``);
    unloaded before then, no check runs; set up again without a read, at once."""
    entry = init_integration
    snapshot = entry.runtime_data.data
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.unique_id is not None
    async_keep_read(hass, entry.unique_id, snapshot)
    checked: list[str] = []
    original = Miner.check_credentials

    async def counted(self: Miner) -> None:
        checked.append(self.host)
        await original(self)

    later = timedelta(seconds=WRITE_CHECK_SPREAD[1] + 1)
    with (
        patch.object(Miner, "check_credentials", counted),
        patch("custom_components.asic_miner.PLATFORMS", [Platform.SENSOR]),
    ):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        assert checked == []  # from a scan's read: not during the setup
        assert await hass.config_entries.async_unload(entry.entry_id)
        freezer.tick(later)
        async_fire_time_changed(hass, dt_util.utcnow())
        await hass.async_block_till_done(wait_background_tasks=True)
        assert checked == []  # the entry went first: its timer with it
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert checked == [simulated_miner.host]
