"""Setting up many miners at once: no work repeated per miner that once would do.

Issue 12: with 200 miners added from one scan, each entity's second write right after
adding, each sensor's registry update, and a farm gather per joining miner added up.
"""

from __future__ import annotations

import asyncio
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.asic_miner.const import DOMAIN, SCAN_INTERVAL
from custom_components.asic_miner.coordinator import (
    POLL_PHASE,
    AsicMinerDataUpdateCoordinator,
    poll_slot,
)
from custom_components.asic_miner.farm import FarmCoordinator, async_ensure_farm
from tests.components.asic_miner.conftest import async_poll
from tests.components.asic_miner.test_farm import Farm, farm  # noqa: F401 (the fixture)
from tests.components.asic_miner.test_state_writes import _count_writes, _readings


async def test_first_poll_after_setup_writes_only_what_changed(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The state written when an entity was added counts: an unchanged first poll
    writes nothing again (the energy total integrates power, so it moves)."""
    readings = _readings(hass, init_integration)
    writes, counting = _count_writes(hass)
    with counting:
        await async_poll(hass, freezer)
    assert [e for e in readings if writes[e] and not e.endswith("_energy")] == []


async def test_sensors_are_not_updated_in_the_registry_after_adding(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Their display precision was stored when their registry entries were created."""
    updates: list[str] = []

    @callback
    def listener(event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        if event.data["action"] == "update":
            updates.append(event.data["entity_id"])

    hass.bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, listener)
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.asic_miner.PLATFORMS", [Platform.SENSOR]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert updates == []
    entries = er.async_entries_for_config_entry(er.async_get(hass), mock_config_entry.entry_id)
    assert any(e.options.get("sensor", {}).get("suggested_display_precision") for e in entries)


async def test_miners_joining_the_farm_gather_it_once_per_cooldown(
    hass: HomeAssistant,
    farm: Farm,  # noqa: F811
) -> None:
    """Each miner's setup asks the farm to count it; a burst of them gathers once."""
    await hass.async_block_till_done()
    original = FarmCoordinator.gather
    calls = 0

    def counted(self: FarmCoordinator) -> Any:
        nonlocal calls
        calls += 1
        return original(self)

    with patch.object(FarmCoordinator, "gather", counted):
        for _ in range(20):
            async_ensure_farm(hass)
        await hass.async_block_till_done()
    assert calls <= 1


async def test_miners_poll_in_step(
    hass: HomeAssistant,
    farm: Farm,  # noqa: F811
    freezer: FrozenDateTimeFactory,
) -> None:
    """Every miner's next poll falls on the same point of its second (POLL_PHASE),
    where Home Assistant alone would stagger them at random: a farm's polls then share
    the event loop's wake-ups. Fails if a Home Assistant release stops honouring it,
    whether it schedules the first poll (a listener added) or the next (a poll done)."""
    miners = [
        e.runtime_data
        for e in hass.config_entries.async_entries(DOMAIN)
        if isinstance(e.runtime_data, AsicMinerDataUpdateCoordinator)
    ]
    assert len(miners) >= 2
    names = {f"{m.name} refresh interval" for m in miners}

    def refresh_timers() -> list[asyncio.TimerHandle]:
        return [
            timer
            for timer in hass.loop._scheduled  # type: ignore[attr-defined]
            if not timer.cancelled() and any(getattr(a, "name", None) in names for a in timer._args)
        ]

    first = refresh_timers()
    assert len(first) == len(miners)
    assert {round(t.when() % 1, 6) for t in first} == {POLL_PHASE}
    await async_poll(hass, freezer)
    after_poll = refresh_timers()
    assert len(after_poll) == len(miners)
    assert not set(first) & set(after_poll)  # every miner polled and scheduled anew
    assert {round(t.when() % 1, 6) for t in after_poll} == {POLL_PHASE}


async def test_miners_keep_their_own_second_after_a_farm_wide_refresh(
    hass: HomeAssistant,
    farm: Farm,  # noqa: F811
    freezer: FrozenDateTimeFactory,
) -> None:
    """Refreshed all at once (a farm-wide pause, a restart), the miners move to their
    own second of the interval within two polls, each poll at most one interval after
    the last, then poll every interval exactly: a farm never bunches into one second."""
    miners = [
        e.runtime_data
        for e in hass.config_entries.async_entries(DOMAIN)
        if isinstance(e.runtime_data, AsicMinerDataUpdateCoordinator)
    ]
    slots = {m: poll_slot(m.config_entry.unique_id or "") for m in miners}
    assert len(set(slots.values())) > 1

    def next_poll(miner: AsicMinerDataUpdateCoordinator) -> float:
        name = f"{miner.name} refresh interval"
        [timer] = [
            t
            for t in hass.loop._scheduled  # type: ignore[attr-defined]
            if not t.cancelled() and any(getattr(a, "name", None) == name for a in t._args)
        ]
        return float(timer.when())

    await asyncio.gather(*(m.async_refresh() for m in miners))
    for _ in range(31):  # second by second: each poll when it is due
        now = hass.loop.time()
        assert all(next_poll(m) - now <= SCAN_INTERVAL.total_seconds() + POLL_PHASE for m in miners)
        freezer.tick(1)
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert {m: int(next_poll(m)) % 15 for m in miners} == slots
    assert all(m.update_interval == SCAN_INTERVAL for m in miners)
