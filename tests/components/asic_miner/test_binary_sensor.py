"""Binary sensors: mining and problem."""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.asic_miner.binary_sensor import _mining, _problem
from custom_components.asic_miner.driver.models import (
    Board,
    MinerErrorEntry,
    MinerIdentity,
    MinerSnapshot,
)
from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import ALL_SIMULATED, async_poll

PROBLEM = "binary_sensor.sim_antminer_s19pro_problem"
MINING = "binary_sensor.sim_antminer_s19pro_mining"
# Every simulated firmware that can pause on purpose (sleep, stop, curtail, soft-off);
# the S9's old web UI, Hiveon, MSKMiner, Hammer, SealMiner, Innosilicon, Goldshell (read only)
# and the Elphapex have no sleep, so nothing they report can say "paused".
UNPAUSABLE = (
    "antminer-s9",
    "hiveon-s19jpro",
    "mskminer-s1988",
    "hammer-d10",
    "sealminer-a2",
    "elphapex-dghome1",
    "innosilicon-t3hplus",
    "goldshell-minidoge",
    "iceriver-al3",  # no pause either, and no error list: its problem state stays unknown
)
PAUSABLE = [m for m in ALL_SIMULATED if m not in UNPAUSABLE]


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.BINARY_SENSOR]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_binary_sensors(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_problem_reports_errors_and_paused_mining(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    assert hass.states.get(PROBLEM).state == STATE_OFF
    simulated_miner.state.errors.append(("R:1", "Fan lost"))
    simulated_miner.state.mining = False
    await async_poll(hass, freezer)
    state = hass.states.get(PROBLEM)
    assert state.state == STATE_ON
    assert "Fan lost" in state.attributes["problems"]
    assert hass.states.get(MINING).state == STATE_OFF


async def test_problem_when_no_pool_is_reachable(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    for pool in simulated_miner.state.pools:
        pool.alive = False
    await async_poll(hass, freezer)
    state = hass.states.get(PROBLEM)
    assert state.state == STATE_ON
    assert state.attributes["problems"] == ["no pool reachable"]


@pytest.mark.parametrize("simulated_miner", PAUSABLE, indirect=True)
async def test_paused_miner_is_not_a_problem(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Mining switched off, asleep, curtailed or soft-off: idle boards are no fault."""
    registry = er.async_get(hass)
    ids = {
        e.unique_id.rsplit("_", 1)[-1]: e.entity_id
        for e in er.async_entries_for_config_entry(registry, init_integration.entry_id)
    }
    simulated_miner.state.mining = False
    await async_poll(hass, freezer)
    assert hass.states.get(ids["mining"]).state == STATE_OFF
    problem = hass.states.get(ids["problem"])
    assert problem.state == STATE_OFF, problem.attributes["problems"]
    assert problem.attributes["problems"] == []


@pytest.mark.parametrize(
    ("mining", "hashrate", "expected"),
    [(None, None, None), (None, 0.0, False), (None, 12.5, True), (False, 12.5, False)],
)
def test_mining_sensor_without_a_state_field(
    mining: bool | None, hashrate: float | None, expected: bool | None
) -> None:
    """No state field and no hashrate: unknown, never "not running"."""
    identity = MinerIdentity("Bitmain", "S19", "antminer", "Stock", "modern")
    snapshot = MinerSnapshot(identity=identity, mining=mining, hashrate=hashrate)
    assert _mining(snapshot) is expected


@pytest.mark.parametrize(
    ("errors", "board_active", "expected"),
    [
        (None, True, None),  # errors unknown, nothing else wrong: unknown
        (None, False, True),  # errors unknown, a board not hashing: a problem
        ((), True, False),
        ((MinerErrorEntry("Fan lost", "R:1"),), True, True),
    ],
)
def test_problem_is_unknown_while_errors_are(
    errors: tuple[MinerErrorEntry, ...] | None, board_active: bool, expected: bool | None
) -> None:
    """Errors that could not be read may hide a fault: not "no problem"."""
    identity = MinerIdentity("Bitmain", "S19", "antminer", "Stock", "modern")
    snapshot = MinerSnapshot(
        identity=identity,
        mining=True,
        errors=errors,
        boards=(Board(index=0, active=board_active),),
    )
    assert _problem(snapshot) is expected
