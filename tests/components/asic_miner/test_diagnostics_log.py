"""The miner's own log in the diagnostics download (issue 14 point 6): read on the
download only, bounded by the driver, redacted like everything else; a firmware
without one says so, a failing read is a line, never a failed download.
"""

from __future__ import annotations

import json
from unittest.mock import AsyncMock, patch

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.asic_miner.driver import MinerResponseError
from custom_components.asic_miner.driver.logs import NOT_OFFERED, MinerLog
from simulator.miner import SimMiner

OFFERING = ["braiins-s19", "braiins-s19jpro", "vnish-s19", "epic-s21", "antminer-s19pro"]
NOT_OFFERING = ["luxos-s21", "whatsminer-m60s", "bitaxe-gamma", "avalon-a1566"]


@pytest.mark.parametrize("simulated_miner", OFFERING, indirect=True)
async def test_log_in_diagnostics(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    simulated_miner: SimMiner,
    snapshot: SnapshotAssertion,
) -> None:
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    log = result["log"]
    assert log == snapshot
    text = json.dumps(log)
    for pool in simulated_miner.state.pools:
        assert pool.url not in text
        assert pool.user not in text
    assert init_integration.data["host"] not in text
    assert log["lines"][-1].endswith("W")  # the hashing line, readable


@pytest.mark.parametrize("simulated_miner", NOT_OFFERING, indirect=True)
async def test_log_not_offered(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert result["log"] == {"error": NOT_OFFERED}


async def test_log_not_read_in_polls(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    miner = init_integration.runtime_data.miner
    with patch.object(type(miner), "read_log", AsyncMock(side_effect=AssertionError)) as read:
        await init_integration.runtime_data.async_refresh()
        read.assert_not_called()


@pytest.mark.parametrize("simulated_miner", ["epic-s21"], indirect=True)
async def test_log_secrets_redacted(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    host = init_integration.data["host"]
    lines = (
        f"api login from {host} user=admin password=hunter2-secret",
        'config {"pool_password": "pool-secret-9", "token": "tok-secret-1"}',
        "Authorization: Bearer eyJsecret.token",
        "pool stratum+tcp://wallet-secret.rig1:x@pool.example:3333 alive",
        "board serial SIMSERIAL0015 mac 02:AA:BB:CC:00:0F ok",
    )
    log = MinerLog("/log", lines, truncated=False)
    miner = init_integration.runtime_data.miner
    with patch.object(type(miner.backend), "read_log", AsyncMock(return_value=log)):
        result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    text = json.dumps(result["log"])
    for secret in (
        host,
        "hunter2-secret",
        "pool-secret-9",
        "tok-secret-1",
        "eyJsecret",
        "wallet-secret",
        "SIMSERIAL0015",
        "02:AA:BB:CC:00:0F",
    ):
        assert secret not in text, secret
    assert result["log"]["lines"][0].startswith("api login from")


@pytest.mark.parametrize("simulated_miner", ["epic-s21"], indirect=True)
async def test_log_read_failure_is_a_line(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    miner = init_integration.runtime_data.miner
    error = MinerResponseError("/log: not a text log")
    with patch.object(type(miner.backend), "read_log", AsyncMock(side_effect=error)):
        result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert result["log"] == {"error": "log not read: /log: not a text log"}
    assert result["snapshot"] is not None
