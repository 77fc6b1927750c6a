"""Setting up, polling, going away and coming back, unloading."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_CLOSE, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.asic_miner.const import CONF_IDENTITY, DOMAIN, SCAN_INTERVAL
from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import async_poll

HASHRATE = "sensor.sim_antminer_s19pro_hashrate"


async def test_setup_without_entries(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, DOMAIN, {})


async def test_setup_and_unload(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    assert init_integration.state is ConfigEntryState.LOADED
    assert hass.states.get(HASHRATE) is not None
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED


async def test_device_info(
    hass: HomeAssistant, init_integration: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    [device] = dr.async_entries_for_config_entry(device_registry, init_integration.entry_id)
    assert (DOMAIN, str(init_integration.unique_id)) in device.identifiers
    assert device.manufacturer == "Bitmain"
    assert device.model == "S19 Pro"
    assert device.serial_number == "SIMSERIAL0000"
    assert (dr.CONNECTION_NETWORK_MAC, "02:aa:bb:cc:00:00") in device.connections
    assert device.configuration_url == f"http://{init_integration.data['host']}"


async def test_miner_goes_away_and_comes_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Entities turn unavailable (never zero, never stale) and recover; logged once each way."""
    assert hass.states.get(HASHRATE).state != STATE_UNAVAILABLE
    await simulated_miner.stop()
    for _ in range(3):
        await async_poll(hass, freezer)
        assert hass.states.get(HASHRATE).state == STATE_UNAVAILABLE
    assert caplog.text.count("Error fetching") == 1
    await simulated_miner.start()
    await async_poll(hass, freezer)
    assert float(hass.states.get(HASHRATE).state) == pytest.approx(simulated_miner.state.hashrate)
    assert caplog.text.count("Fetching asic_miner") >= 1


async def test_offline_at_start_sets_up_from_stored_identity(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    await simulated_miner.stop()
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(HASHRATE) is None  # nothing reported yet, nothing guessed
    await simulated_miner.start()
    await async_poll(hass, freezer)
    assert float(hass.states.get(HASHRATE).state) == pytest.approx(simulated_miner.state.hashrate)


async def test_wrong_password_starts_reauth(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    simulated_miner.state.password = "changed"
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]


async def test_password_changed_while_running_starts_reauth(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    simulated_miner.state.password = "changed"
    await async_poll(hass, freezer)
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]


async def test_unknown_family_is_a_setup_error(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    data = dict(mock_config_entry.data)
    data[CONF_IDENTITY] = {**data[CONF_IDENTITY], "family": "gone"}
    entry = MockConfigEntry(domain=DOMAIN, unique_id="x", data=data)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR


async def test_partially_supported_model_raises_repair(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    data = dict(mock_config_entry.data)
    data[CONF_IDENTITY] = {**data[CONF_IDENTITY], "supported": False}
    entry = MockConfigEntry(domain=DOMAIN, unique_id="y", data=data, title="Odd miner")
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, f"partially_supported_{entry.entry_id}")


async def test_polling_interval_is_fixed() -> None:
    assert timedelta(seconds=10) <= SCAN_INTERVAL <= timedelta(seconds=60)


@pytest.mark.parametrize("how", ["unload", "shutdown"])
async def test_miner_http_pool_kept_between_polls_and_closed(
    hass: HomeAssistant, init_integration: MockConfigEntry, how: str
) -> None:
    """The miner's own HTTP connections outlive a poll interval and end with the entry
    or with Home Assistant."""
    miner = init_integration.runtime_data.miner
    pool = miner.ctx.pool
    assert pool is not None
    assert miner.ctx.keep_alive is not None
    assert miner.ctx.keep_alive > SCAN_INTERVAL.total_seconds()
    assert not pool.closed
    if how == "unload":
        assert await hass.config_entries.async_unload(init_integration.entry_id)
    else:
        hass.bus.async_fire(EVENT_HOMEASSISTANT_CLOSE)
    await hass.async_block_till_done()
    assert pool.closed
