"""Buttons: reboot makes the simulated miner reboot (and go unavailable)."""

from __future__ import annotations

import pytest
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from simulator.miner import SimMiner

REBOOT = "button.sim_antminer_s19pro_restart"


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.BUTTON]


async def test_buttons(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_reboot(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulated_miner: SimMiner
) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: REBOOT}, blocking=True
    )
    assert simulated_miner.state.reboots == 1
    assert hass.states.get(REBOOT).state == "unavailable"  # rebooting: not reachable


@pytest.mark.parametrize(
    ("simulated_miner", "entity_id"),
    [
        ("braiins-s19", "button.sim_braiins_s19_restart_mining_backend"),
        ("whatsminer-m60s", "button.sim_whatsminer_m60s_restart_mining_backend"),
    ],
    indirect=["simulated_miner"],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # disabled by default
async def test_restart_backend(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    entity_id: str,
) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    assert simulated_miner.state.backend_restarts == 1
    assert simulated_miner.state.reboots == 0
