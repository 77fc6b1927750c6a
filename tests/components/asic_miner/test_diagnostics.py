"""Diagnostics download, with credentials and identifying data redacted at any depth."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.asic_miner.diagnostics import redact
from custom_components.asic_miner.driver.models import (
    Board,
    MinerErrorEntry,
    MinerIdentity,
    MinerSnapshot,
    Pool,
)


async def test_diagnostics(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert result == snapshot(exclude=props("entry_id", "ports"))
    text = str(result)
    for secret in ("02:AA:BB:CC:00:00", "SIMSERIAL0000", init_integration.data["host"]):
        assert secret not in text


# Every kind of secret a miner or an entry can hold, each a distinct findable string.
POOL_URL = "stratum+tcp://btc.pool-secret.example:3333"
POOL_USER = "bc1qsecretpayoutaddress0000.rig7"
BACKUP_URL = "stratum2+tcp://backup-secret.example/ABCDEFkey"
BACKUP_USER = "worker-secret-account"
BOARD_SERIAL = "BOARDSERIAL-0001"
OTHER_MAC = "0A:1B:2C:3D:4E:5F"
OTHER_IP = "198.51.100.77"
PASSWORD = "hunter2-secret"
USERNAME = "admin-secret"
HOSTNAME = "garage-secret-rig"


@pytest.mark.parametrize("simulated_miner", ["whatsminer-m30splus"], indirect=True)
async def test_no_secret_survives(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """A snapshot with a secret in every field it can have one: none reaches the file."""
    entry = init_integration
    hass.config_entries.async_update_entry(
        entry,
        title=HOSTNAME,
        data={**entry.data, CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD},
    )
    coordinator = entry.runtime_data
    identity = replace(coordinator.data.identity, hostname=HOSTNAME)
    host = entry.data["host"]
    coordinator.data = replace(
        coordinator.data,
        identity=identity,
        pools=(
            Pool(0, POOL_URL, POOL_USER, alive=True, active=True, accepted=5, rejected=0),
            Pool(1, BACKUP_URL, BACKUP_USER, alive=False, active=False),
        ),
        boards=(Board(0, hashrate=30.0, serial=BOARD_SERIAL),),
        errors=(
            MinerErrorEntry(f"pool {POOL_URL} refused {POOL_USER}", code="PoolError"),
            MinerErrorEntry(f"{host}: board {BOARD_SERIAL} lost; peer {OTHER_IP} {OTHER_MAC}"),
            MinerErrorEntry(f"{HOSTNAME} login {USERNAME}/{PASSWORD} refused"),
        ),
    )
    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(result)
    secrets = {
        POOL_URL,
        POOL_USER,
        BACKUP_URL,
        BACKUP_USER,
        BOARD_SERIAL,
        OTHER_MAC,
        OTHER_IP,
        PASSWORD,
        USERNAME,
        HOSTNAME,
        host,
        identity.mac,
        identity.serial,
        str(entry.unique_id),
        "btc.pool-secret.example",
        "bc1qsecretpayoutaddress",
    }
    for secret in secrets:
        assert secret
        assert secret not in text, secret
        assert secret.lower() not in text.lower(), secret
    # What is not sensitive stays readable.
    snapshot = result["snapshot"]
    assert snapshot["pools"][0]["accepted"] == 5
    assert snapshot["identity"]["model"] == "M30S+"
    assert snapshot["errors"][0]["code"] == "PoolError"


def test_redact_walks_every_container() -> None:
    data = {
        "a": ({"url": "x://secret-1"}, [{"deep": {"user": "secret-2"}}]),
        "b": frozenset({"x://secret-1 and 203.0.113.9", "seen at secret-host"}),
        "e": {"url": "stratum+tcp://user-secret@secret-host:3333"},
        "f": {"user": {"nested": ["deep-secret", {"x": "inner-secret"}]}},
        "g": "mentions deep-secret and inner-secret",
        "c": MinerSnapshot(identity=replace(_identity(), mac="02:00:00:00:00:01")),
        "d": None,
        "host": "",
    }
    text = json.dumps(redact(data, ["extra-secret"]))
    for secret in (
        "secret-1",
        "secret-2",
        "203.0.113.9",
        "02:00:00:00:00:01",
        "secret-host",
        "deep-secret",
        "inner-secret",
    ):
        assert secret not in text


def _identity() -> MinerIdentity:
    return MinerIdentity("Bitmain", "S9", "antminer", "Stock", "legacy")
