"""The pool actions (on each miner's Problem binary sensor), Pool connected, active pool.

``asic_miner.set_pools`` and ``switch_pool`` run against simulated miners through the
real Home Assistant service layer: one miner and two, by entity and by device; a bad
URL and a firmware without the control are translated validation errors; a failed
read-back restores the pools and says so; diagnostics never show a pool password.
"""

from __future__ import annotations

from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID, STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.asic_miner.binary_sensor import _pool_connected
from custom_components.asic_miner.const import DOMAIN
from custom_components.asic_miner.driver import MinerResponseError
from custom_components.asic_miner.driver.models import MinerIdentity, MinerSnapshot, Pool
from custom_components.asic_miner.pool_actions import pools_from_fields
from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import SIMULATED, async_poll, entry_data_for
from tests.simhelpers import SimRunner

NEW_POOLS = {
    "url": "stratum+tcp://new.example.net:3333",
    "user": "owner.rig",
    "password": "hunter2-secret",
    "url_2": "stratum+tcp://backup.example.net:3333",
    "user_2": "owner.rig",
    "password_2": "second-secret",
}


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.BINARY_SENSOR, Platform.SENSOR]


def _entity(hass: HomeAssistant, entry: MockConfigEntry, key: str = "problem") -> str:
    """The miner's Problem binary sensor: the pool actions' target."""
    registry = er.async_get(hass)
    (entity,) = [
        e
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if e.unique_id.endswith(key) and e.domain == "binary_sensor"
    ]
    return entity.entity_id


def _pairs(sim: SimMiner) -> list[tuple[str, str, str]]:
    return [(p.url, p.user, p.password) for p in sim.state.pools]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("simulated_miner", ["luxos-s19xp"], indirect=True)
async def test_set_pools_on_one_miner(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    hass_client: ClientSessionGenerator,
) -> None:
    entity_id = _entity(hass, init_integration)
    assert hass.states.get(_entity(hass, init_integration, "pool_connected")).state == STATE_ON
    await hass.services.async_call(
        DOMAIN, "set_pools", {ATTR_ENTITY_ID: entity_id, **NEW_POOLS}, blocking=True
    )
    assert _pairs(simulated_miner) == [
        ("stratum+tcp://new.example.net:3333", "owner.rig", "hunter2-secret"),
        ("stratum+tcp://backup.example.net:3333", "owner.rig", "second-secret"),
    ]
    await hass.async_block_till_done()
    state = next(s for s in hass.states.async_all("sensor") if s.entity_id.endswith("active_pool"))
    assert state.state == "new.example.net:3333"
    assert state.attributes["url"] == "stratum+tcp://new.example.net:3333"
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert "secret" not in str(result)


@pytest.mark.parametrize("simulated_miner", ["luxos-s19xp"], indirect=True)
async def test_switch_pool(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    entity_id = _entity(hass, init_integration)
    await hass.services.async_call(
        DOMAIN, "switch_pool", {ATTR_ENTITY_ID: entity_id, "pool": 2}, blocking=True
    )
    assert simulated_miner.state.current_pool() == 1
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "switch_pool", {ATTR_ENTITY_ID: entity_id, "pool": 3}, blocking=True
        )
    assert err.value.translation_key == "invalid_value"


@pytest.mark.parametrize("simulated_miner", ["luxos-s19xp"], indirect=True)
async def test_set_pools_on_many_miners_by_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    sim_runner: SimRunner,
) -> None:
    family, model = SIMULATED["bitaxe-gamma"]
    other = await sim_runner.start(family, model, host="127.0.15.9", hostname="second")
    second = MockConfigEntry(domain=DOMAIN, title="second", data=await entry_data_for(other))
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    devices = dr.async_get(hass)
    targets = [
        device.id
        for entry in (init_integration, second)
        for device in dr.async_entries_for_config_entry(devices, entry.entry_id)
    ]
    await hass.services.async_call(
        DOMAIN, "set_pools", {ATTR_DEVICE_ID: targets, **NEW_POOLS}, blocking=True
    )
    for sim in (simulated_miner, other):
        assert [(p.url, p.user) for p in sim.state.pools][:2] == [
            ("stratum+tcp://new.example.net:3333", "owner.rig"),
            ("stratum+tcp://backup.example.net:3333", "owner.rig"),
        ]
    assert other.state.reboots == 1  # AxeOS restarts to take new pools


@pytest.mark.parametrize("simulated_miner", ["luxos-s19xp"], indirect=True)
async def test_bad_url_is_a_validation_error(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    before = _pairs(simulated_miner)
    entity_id = _entity(hass, init_integration)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_pools",
            {ATTR_ENTITY_ID: entity_id, "url": "http://pool.example.net", "user": "u"},
            blocking=True,
        )
    assert err.value.translation_key == "invalid_value"
    assert _pairs(simulated_miner) == before


@pytest.mark.parametrize("simulated_miner", ["luxos-s19xp"], indirect=True)
async def test_failed_read_back_restores_and_says_so(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = [(url, user) for url, user, _ in _pairs(simulated_miner)]
    backend: Any = init_integration.runtime_data.miner.backend
    read = backend.read_pool_configs
    calls = 0

    async def failing(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise MinerResponseError("connection lost")
        return await read()

    monkeypatch.setattr(backend, "read_pool_configs", failing)
    entity_id = _entity(hass, init_integration)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "set_pools", {ATTR_ENTITY_ID: entity_id, **NEW_POOLS}, blocking=True
        )
    assert err.value.translation_key == "control_failed"
    assert "restored" in str(err.value.translation_placeholders)
    assert [(p.url, p.user) for p in simulated_miner.state.pools] == before
    assert "secret" not in caplog.text


@pytest.mark.parametrize("simulated_miner", ["antminer-s9"], indirect=True)
async def test_firmware_without_pool_writes(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    entity_id = _entity(hass, init_integration)
    for service, data in (("set_pools", NEW_POOLS), ("switch_pool", {"pool": 1})):
        with pytest.raises(ServiceValidationError):
            await hass.services.async_call(
                DOMAIN, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
            )


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("simulated_miner", ["luxos-s19xp"], indirect=True)
async def test_pool_connected_follows_the_pools(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    entity_id = _entity(hass, init_integration, "pool_connected")
    for pool in simulated_miner.state.pools:
        pool.alive = False
    await async_poll(hass, freezer)
    assert hass.states.get(entity_id).state == STATE_OFF
    simulated_miner.state.pools[1].alive = True
    await async_poll(hass, freezer)
    assert hass.states.get(entity_id).state == STATE_ON


def test_pool_connected_unknown_where_the_firmware_says_nothing() -> None:
    identity = MinerIdentity("Bitaxe", "Gamma", "bitaxe", "AxeOS", "v2_14")
    url = "stratum+tcp://p.example.net:3333"
    assert _pool_connected(MinerSnapshot(identity=identity)) is None
    assert _pool_connected(MinerSnapshot(identity=identity, pools=(Pool(0, url),))) is None
    assert _pool_connected(MinerSnapshot(identity=identity, pools=(Pool(0, url, active=True),)))


def test_fields_become_pools_in_order() -> None:
    pools = pools_from_fields({"url": "a", "user": "u", "url_3": "c", "user_3": "w"})
    assert [(p.url, p.user, p.password) for p in pools] == [("a", "u", ""), ("c", "w", "")]
    with pytest.raises(ValueError, match="no URL"):
        pools_from_fields({"url": "a", "user": "u", "user_2": "w"})


@pytest.mark.parametrize("simulated_miner", ["avalon-a1566"], indirect=True)
async def test_avalon_rack_saves_pools_and_reboots(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    """Canaan's ``setpool`` saves the pools; the reboot after it puts them to work, and
    the miner going quiet for it is expected, not a failure."""
    await hass.services.async_call(
        DOMAIN,
        "set_pools",
        {ATTR_ENTITY_ID: _entity(hass, init_integration), **NEW_POOLS},
        blocking=True,
    )
    assert simulated_miner.state.reboots == 1
    assert _pairs(simulated_miner) == [
        ("stratum+tcp://new.example.net:3333", "owner.rig", "hunter2-secret"),
        ("stratum+tcp://backup.example.net:3333", "owner.rig", "second-secret"),
    ]
    assert init_integration.runtime_data._restart_until > 0
