"""Ticking scanned miners returns at once: the check and the adding run behind progress.

The default-login read of every ticked miner (issue 12: 200 of them held the request
for seconds) happens behind the ``scan_adding`` progress step; what it finds leads on
to the listing (failures), the login step (refusals) or the summary. That read is each
new entry's first data: a miner added is read once, not again at setup.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.asic_miner import WRITE_CHECK_SPREAD
from custom_components.asic_miner.const import CONF_MINERS, SCAN_INTERVAL
from custom_components.asic_miner.driver import Miner, MinerSnapshot
from tests.components.asic_miner.test_config_flow import (
    domain_entries,
    entry_for,
    run_scan,
    sim_ports,
    start_in_subnet,
    start_user_flow,
    uid,
)
from tests.simhelpers import SimRunner

__all__ = ["sim_ports"]  # the fixture: scans look on the simulators' ports


@pytest.mark.usefixtures("sim_ports")
async def test_ticking_returns_progress_before_any_read(
    hass: HomeAssistant, sim_runner: SimRunner
) -> None:
    """The request answers with the progress step; a miner set up meanwhile is not added."""
    subnet, (sim,) = await start_in_subnet(sim_runner, ("antminer", "S19 Pro", {}))
    result = await start_user_flow(hass, "scan")
    flow_id = result["flow_id"]
    result = await run_scan(hass, flow_id, subnet)
    await entry_for(hass, sim)  # set up by hand while the listing was open
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_MINERS: [sim.host]})
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["step_id"] == "scan_adding"
    assert result["description_placeholders"] == {"count": "1"}
    await hass.async_block_till_done()
    result = await hass.config_entries.flow.async_configure(flow_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.usefixtures("sim_ports")
async def test_login_steps_follow_the_check_family_by_family(
    hass: HomeAssistant, sim_runner: SimRunner
) -> None:
    """Two families refuse the default login: one question each, then the adding."""
    subnet, (stock, bos) = await start_in_subnet(
        sim_runner,
        ("antminer", "S19 Pro", {"password": "secret"}),
        ("braiins", "S19", {"password": "other"}),
    )
    result = await start_user_flow(hass, "scan")
    flow_id = result["flow_id"]
    result = await run_scan(hass, flow_id, subnet)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_MINERS: [stock.host, bos.host]}
    )
    assert result["step_id"] == "scan_adding"
    await hass.async_block_till_done()
    result = await hass.config_entries.flow.async_configure(flow_id)
    asked = []
    for _ in range(2):
        assert result["step_id"] == "scan_login"
        family = result["description_placeholders"]["family"]
        asked.append(family)
        password = "other" if family == "Braiins OS" else "secret"
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_USERNAME: "root", CONF_PASSWORD: password}
        )
    assert sorted(asked) == ["Antminer (stock firmware)", "Braiins OS"]
    assert result["step_id"] == "scan_adding"
    await _finish_adding(hass, flow_id)
    assert {uid(stock), uid(bos)} <= set(domain_entries(hass))


@pytest.mark.usefixtures("sim_ports")
async def test_scanned_miners_are_read_once_when_added(
    hass: HomeAssistant, sim_runner: SimRunner
) -> None:
    """The check's read is each entry's first data: no second read at setup."""
    subnet, sims = await start_in_subnet(
        sim_runner, ("antminer", "S19 Pro", {}), ("bitaxe", "Gamma", {}), ("braiins", "S19", {})
    )
    result = await start_user_flow(hass, "scan")
    flow_id = result["flow_id"]
    await run_scan(hass, flow_id, subnet)
    reads: list[str] = []
    with _counting_reads(reads):
        await hass.config_entries.flow.async_configure(
            flow_id, {CONF_MINERS: [sim.host for sim in sims]}
        )
        await _finish_adding(hass, flow_id)
    assert sorted(reads) == sorted(sim.host for sim in sims)
    for sim in sims:
        entry = domain_entries(hass)[uid(sim)]
        assert entry.state is ConfigEntryState.LOADED
        assert entry.runtime_data.data is not None
        assert entry.runtime_data.miner.snapshot is entry.runtime_data.data


def _counting_reads(reads: list[str]) -> Any:
    """``Miner.read`` patched to note each miner read (its address) in ``reads``."""
    original = Miner.read

    async def counted(self: Miner) -> MinerSnapshot:
        reads.append(self.host)
        return await original(self)

    return patch.object(Miner, "read", counted)


async def _finish_adding(hass: HomeAssistant, flow_id: str) -> None:
    """Past the adding's progress step: the summary, confirmed (creates the last entry)."""
    await hass.async_block_till_done()
    result = await hass.config_entries.flow.async_configure(flow_id)
    assert result["step_id"] == "scan_done"
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


@pytest.mark.usefixtures("sim_ports")
async def test_a_read_older_than_a_poll_is_not_an_entrys_first_data(
    hass: HomeAssistant, sim_runner: SimRunner
) -> None:
    """The check's read waits while the user answers a login step: by then it may be
    minutes old, and the entry reads its miner itself (review2: it was kept as new)."""
    subnet, (stock, bos) = await start_in_subnet(
        sim_runner, ("antminer", "S19 Pro", {}), ("braiins", "S19", {"password": "other"})
    )
    result = await start_user_flow(hass, "scan")
    flow_id = result["flow_id"]
    await run_scan(hass, flow_id, subnet)
    original = Miner.read

    async def aged(self: Miner) -> MinerSnapshot:
        snapshot = await original(self)
        assert self.read_at is not None
        self.read_at -= SCAN_INTERVAL.total_seconds() + 1  # the user took their time
        return snapshot

    with patch.object(Miner, "read", aged):
        await hass.config_entries.flow.async_configure(
            flow_id, {CONF_MINERS: [stock.host, bos.host]}
        )
        await hass.async_block_till_done()
        result = await hass.config_entries.flow.async_configure(flow_id)
    assert result["step_id"] == "scan_login"
    reads: list[str] = []
    with _counting_reads(reads):
        await hass.config_entries.flow.async_configure(
            flow_id, {CONF_USERNAME: "root", CONF_PASSWORD: "other"}
        )
        await _finish_adding(hass, flow_id)
    assert reads.count(stock.host) == 1  # its old read not taken: read again at setup
    assert reads.count(bos.host) == 1  # read with the login just given: taken
    for sim in (stock, bos):
        assert domain_entries(hass)[uid(sim)].state is ConfigEntryState.LOADED


@pytest.mark.usefixtures("sim_ports")
async def test_scanned_miners_check_their_controls_after_the_add(
    hass: HomeAssistant, sim_runner: SimRunner
) -> None:
    """A scan's miners check their controls' login once the batch is set up, spread over
    ``WRITE_CHECK_SPREAD``: hundreds of logins do not compete with the setup."""
    subnet, sims = await start_in_subnet(
        sim_runner, ("antminer", "S19 Pro", {}), ("braiins", "S19", {})
    )
    result = await start_user_flow(hass, "scan")
    flow_id = result["flow_id"]
    await run_scan(hass, flow_id, subnet)
    checked: list[str] = []
    original = Miner.check_credentials

    async def counted(self: Miner) -> None:
        checked.append(self.host)
        await original(self)

    with patch.object(Miner, "check_credentials", counted):
        await hass.config_entries.flow.async_configure(
            flow_id, {CONF_MINERS: [sim.host for sim in sims]}
        )
        await _finish_adding(hass, flow_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        assert checked == []  # not during the add
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=WRITE_CHECK_SPREAD[1]))
        await hass.async_block_till_done(wait_background_tasks=True)
    assert sorted(checked) == sorted(sim.host for sim in sims)
    for sim in sims:
        assert domain_entries(hass)[uid(sim)].runtime_data.write_problem is None
