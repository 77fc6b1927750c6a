"""The notification blueprint in a real Home Assistant, against a simulated miner.

A board fails, a pool dies, the miner vanishes: each sends one notification, and the
same event again within the cool-down sends none.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from simulator.miner import SimMiner
from simulator.state import MinerState
from tests.components.asic_miner.conftest import async_poll

BLUEPRINT = Path(__file__).parents[3] / "blueprints" / "automation" / "asic_miner" / "notify.yaml"


@pytest.fixture(autouse=True)
def config_dir(hass: HomeAssistant, tmp_path: Path) -> None:
    """A configuration folder holding the blueprint, as after importing it."""
    target = tmp_path / "blueprints" / "automation" / "asic_miner"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(BLUEPRINT, target / "notify.yaml")
    hass.config.config_dir = str(tmp_path)


async def _use_notify_blueprint(
    hass: HomeAssistant, inputs: dict[str, object]
) -> list[ServiceCall]:
    calls = async_mock_service(hass, "notify", "phone")
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: {
                "alias": "notify",
                "id": "notify_test",
                "use_blueprint": {"path": "asic_miner/notify.yaml", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get("automation.notify")
    assert state is not None
    assert state.state == "on"
    return calls


def _messages(calls: list[ServiceCall]) -> list[str]:
    out = [str(c.data["message"]) for c in calls]
    calls.clear()
    return out


async def test_notifies_once_per_event_within_cool_down(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulated_miner: SimMiner,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    [device] = dr.async_entries_for_config_entry(dr.async_get(hass), init_integration.entry_id)
    calls = await _use_notify_blueprint(
        hass,
        {
            "miners": [device.id],
            "notify_action": "notify.phone",
            "cooldown": {"hours": 0, "minutes": 30, "seconds": 0},
        },
    )
    name = device.name_by_user or device.name
    state = simulated_miner.state
    dead_board = patch.object(MinerState, "board_hashrates", lambda self: [0.0, 30.0, 30.0])

    # A board fails: one notification, however many polls it stays dead.
    with dead_board:
        await async_poll(hass, freezer)
        await async_poll(hass, freezer)
    assert _messages(calls) == [f"{name} lost a hashboard (board 1)"]
    assert calls == []
    # It comes back and fails again within the cool-down: no second notification.
    await async_poll(hass, freezer)
    with dead_board:
        await async_poll(hass, freezer)
    assert _messages(calls) == []

    # A pool dies: another event, notified (never with the worker's name).
    state.pools[0].alive = False
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert _messages(calls) == [f"{name} lost a pool (pool.example.com:3333)"]
    state.pools[0].alive = True

    # The miner vanishes, then answers again.
    await simulated_miner.stop()
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert _messages(calls) == [f"{name} went offline"]
    await simulated_miner.start()
    await async_poll(hass, freezer)
    assert _messages(calls) == [f"{name} is back online"]

    # After the cool-down the same board failure is news again.
    freezer.tick(timedelta(minutes=31))
    await async_poll(hass, freezer)
    with dead_board:
        await async_poll(hass, freezer)
    assert _messages(calls) == [f"{name} lost a hashboard (board 1)"]

    # A new error carries its code and message.
    state.errors.append(("R:1", "Fan lost"))
    await async_poll(hass, freezer)
    assert _messages(calls) == [f"{name} reported a new error: Fan lost (R:1)"]
    assert all(c.data["title"] == name for c in calls)
    for record in caplog.records:
        assert "Error executing" not in record.getMessage()
        assert "Traceback" not in record.getMessage()


async def test_only_chosen_events_and_miners(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulated_miner: SimMiner,
    init_integration: MockConfigEntry,
) -> None:
    calls = await _use_notify_blueprint(
        hass, {"events": ["pool_lost"], "notify_action": "notify.phone"}
    )
    await simulated_miner.stop()
    await async_poll(hass, freezer)
    await simulated_miner.start()
    await async_poll(hass, freezer)
    assert calls == []  # offline and back are not chosen
    simulated_miner.state.pools[0].alive = False
    await async_poll(hass, freezer)
    assert len(calls) == 1  # every miner when none is chosen
