"""The farm device over simulated miners: totals, a miner going away, pause all, power cap."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.components.device_automation.exceptions import DeviceNotFound
from homeassistant.config_entries import ConfigEntry, ConfigEntryDisabler
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_device_automations,
    mock_restore_cache_with_extra_data,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.asic_miner.const import DOMAIN, FARM_UNIQUE_ID
from custom_components.asic_miner.device_trigger import async_get_triggers
from custom_components.asic_miner.diagnostics import async_get_config_entry_diagnostics
from custom_components.asic_miner.driver import Miner, PowerLimitRange
from custom_components.asic_miner.farm import (
    async_ensure_farm,
    farm_power_bounds,
    spread_power_budget,
)
from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import SIM_CLOCK, SIMULATED, async_poll, entry_data_for
from tests.simhelpers import SimRunner

FLEET = ["braiins-s19", "braiins-s19jpro", "antminer-s19pro"]


class Farm:
    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self.sims: dict[str, SimMiner] = {}

    @property
    def entry(self) -> ConfigEntry:
        [entry] = [
            e
            for e in self.hass.config_entries.async_entries(DOMAIN)
            if e.unique_id == FARM_UNIQUE_ID
        ]
        return entry

    def reported_power(self) -> float:
        """What the miners that answer report, from their own coordinators."""
        return sum(
            e.runtime_data.data.power or 0
            for e in self.hass.config_entries.async_entries(DOMAIN)
            if e.unique_id != FARM_UNIQUE_ID and e.runtime_data.last_update_success
        )

    def state(self, entity_id: str) -> str:
        state = self.hass.states.get(entity_id)
        assert state is not None, entity_id
        return state.state

    def attr(self, entity_id: str, name: str) -> object:
        state = self.hass.states.get(entity_id)
        assert state is not None, entity_id
        return state.attributes[name]


@pytest.fixture
async def farm(hass: HomeAssistant, sim_runner: SimRunner, freezer: FrozenDateTimeFactory) -> Farm:
    return await _start_farm(hass, sim_runner, freezer)


async def _start_farm(
    hass: HomeAssistant, sim_runner: SimRunner, freezer: FrozenDateTimeFactory
) -> Farm:
    freezer.move_to(datetime.fromtimestamp(SIM_CLOCK, UTC))
    farm = Farm(hass)
    for index, sim_id in enumerate(FLEET):
        family, model = SIMULATED[sim_id]
        sim = await sim_runner.start(
            family, model, hostname=f"sim-{sim_id}", mac=f"02:AA:BB:CC:02:{index:02X}",
            clock=SIM_CLOCK, boot_time=SIM_CLOCK - 3600,
        )  # fmt: skip
        entry = MockConfigEntry(
            domain=DOMAIN, unique_id=f"farm{index}", data=await entry_data_for(sim), title=sim_id
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        farm.sims[sim_id] = sim
    return farm


async def test_farm_entry_created_once(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    farm: Farm,
) -> None:
    """The second miner brings the farm device; the third does not bring another."""
    assert farm.entry.title == "ASIC farm"
    entries = er.async_entries_for_config_entry(entity_registry, farm.entry.entry_id)
    assert entries
    # snapshot_platform wants one platform; the farm has three.
    for entity in sorted(entries, key=lambda e: e.entity_id):
        assert entity == snapshot(name=f"{entity.entity_id}-entry")
        assert hass.states.get(entity.entity_id) == snapshot(name=f"{entity.entity_id}-state")


async def test_single_miner_has_no_farm(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    assert [e.unique_id for e in hass.config_entries.async_entries(DOMAIN)] == [
        init_integration.unique_id
    ]


async def _poll_for_energy(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Poll long enough for each miner's Energy state to take a step (about five
    minutes of its nominal power: the sensor keeps rows few, see sensor.py)."""
    for _ in range(26):
        await async_poll(hass, freezer)


async def test_totals_survive_a_miner_going_offline(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, farm: Farm
) -> None:
    sims = farm.sims
    await _poll_for_energy(hass, freezer)
    hashrate = sum(s.state.hashrate for s in sims.values())
    power = farm.reported_power()  # stock Antminer firmware reports none
    assert float(farm.state("sensor.asic_farm_hashrate")) == pytest.approx(hashrate, abs=0.01)
    assert float(farm.state("sensor.asic_farm_power")) == pytest.approx(power)
    # Efficiency counts the miners that report both power and hashrate (the Braiins two).
    braiins = [sims["braiins-s19"].state, sims["braiins-s19jpro"].state]
    assert float(farm.state("sensor.asic_farm_efficiency")) == pytest.approx(
        sum(s.power for s in braiins) / sum(s.hashrate for s in braiins), abs=0.01
    )
    assert farm.attr("sensor.asic_farm_efficiency", "missing") == ["sim-antminer-s19pro"]
    assert farm.state("sensor.asic_farm_miners_online") == "3"
    assert farm.state("sensor.asic_farm_miners_mining") == "3"
    assert farm.attr("sensor.asic_farm_hashrate", "missing") == []
    energy_before = float(farm.state("sensor.asic_farm_energy"))
    assert energy_before > 0

    gone = sims["braiins-s19"]
    await gone.stop()
    await _poll_for_energy(hass, freezer)
    rest = [s for s in sims.values() if s is not gone]
    assert float(farm.state("sensor.asic_farm_hashrate")) == pytest.approx(
        sum(s.state.hashrate for s in rest), abs=0.01
    )
    assert float(farm.state("sensor.asic_farm_power")) == pytest.approx(farm.reported_power())
    assert farm.attr("sensor.asic_farm_hashrate", "missing") == ["sim-braiins-s19"]
    assert farm.attr("sensor.asic_farm_power", "missing") == [
        "sim-braiins-s19",
        "sim-antminer-s19pro",
    ]
    assert farm.state("sensor.asic_farm_miners_online") == "2"
    assert farm.attr("sensor.asic_farm_miners_online", "miners") == 3
    energy_offline = float(farm.state("sensor.asic_farm_energy"))
    assert energy_offline > energy_before  # the others still add; nothing taken back

    await gone.start()
    await _poll_for_energy(hass, freezer)
    assert farm.state("sensor.asic_farm_miners_online") == "3"
    assert float(farm.state("sensor.asic_farm_energy")) > energy_offline

    # All gone: totals unknown, never zero; energy keeps its value.
    for sim in sims.values():
        await sim.stop()
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert farm.state("sensor.asic_farm_hashrate") == STATE_UNKNOWN
    assert farm.state("sensor.asic_farm_power") == STATE_UNKNOWN
    assert farm.state("sensor.asic_farm_miners_online") == "0"
    assert float(farm.state("sensor.asic_farm_energy")) >= energy_offline


async def test_pause_and_resume_all(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, farm: Farm
) -> None:
    switch = "switch.asic_farm_mining"
    assert farm.state(switch) == "on"
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: switch}, blocking=True)
    assert not any(s.state.mining for s in farm.sims.values())
    await async_poll(hass, freezer)
    assert farm.state(switch) == "off"
    assert farm.state("sensor.asic_farm_miners_mining") == "0"
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: switch}, blocking=True)
    assert all(s.state.mining for s in farm.sims.values())


async def test_power_cap_spreads_over_miners_with_a_limit(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, farm: Farm
) -> None:
    number = "number.asic_farm_power_cap"
    braiins = [farm.sims["braiins-s19"], farm.sims["braiins-s19jpro"]]
    low, high = float(farm.attr(number, "min")), float(farm.attr(number, "max"))  # type: ignore[arg-type]
    assert low == sum(s.state.spec.min_power for s in braiins)
    assert high == sum(s.state.spec.max_power for s in braiins)
    budget = low + (high - low) / 2
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": budget}, blocking=True
    )
    limits = [s.state.power_limit for s in braiins]
    assert all(limit is not None for limit in limits)
    assert sum(limit for limit in limits if limit is not None) <= budget
    for sim in braiins:  # each at the middle of its own range
        spec = sim.state.spec
        assert sim.state.power_limit == pytest.approx((spec.min_power + spec.max_power) / 2, abs=10)
    assert farm.sims["antminer-s19pro"].state.power_limit is None  # has no limit to set
    await async_poll(hass, freezer)
    assert float(farm.state(number)) == sum(limit for limit in limits if limit is not None)


async def test_farm_control_reports_refusing_miners(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, farm: Farm
) -> None:
    await farm.sims["braiins-s19"].stop()
    # The farm still thinks it is online until the next poll: its write fails.
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "switch", "turn_off", {ATTR_ENTITY_ID: "switch.asic_farm_mining"}, blocking=True
        )
    assert err.value.translation_key == "farm_control_failed"
    assert err.value.translation_placeholders == {"miners": "sim-braiins-s19"}
    assert not farm.sims["braiins-s19jpro"].state.mining


async def test_farm_entry_unloads_and_has_no_reconfigure(hass: HomeAssistant, farm: Farm) -> None:
    entry = farm.entry
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": "reconfigure", "entry_id": entry.entry_id}
    )
    assert result["reason"] == "farm_not_configurable"
    assert await hass.config_entries.async_unload(entry.entry_id)


def test_spread_power_budget() -> None:
    ranges = {
        "a": PowerLimitRange(1000, 3000, step=100),
        "b": PowerLimitRange(2000, 4000),
        "presets": PowerLimitRange(1500, 3500, levels=(1500, 2500, 3500)),
    }
    assert farm_power_bounds(ranges.values()) == (4500, 10500)
    assert spread_power_budget(7500, ranges) == {"a": 2000, "b": 3000, "presets": 2500}
    # Rounded down to each miner's step or preset: the sum stays within the budget.
    shares = spread_power_budget(7000, ranges)
    assert shares == {"a": 1800, "b": 2833, "presets": 1500}
    assert sum(shares.values()) <= 7000
    assert spread_power_budget(100, ranges) == {"a": 1000, "b": 2000, "presets": 1500}
    assert spread_power_budget(99999, ranges) == {"a": 3000, "b": 4000, "presets": 3500}
    assert spread_power_budget(5000, {"same": PowerLimitRange(3000, 3000)}) == {"same": 3000}


async def test_energy_counts_gains_only(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, farm: Farm
) -> None:
    """A miner's counter that went down started again from zero: its reading is the gain."""
    await async_poll(hass, freezer)
    coordinator = farm.entry.runtime_data
    await coordinator.async_refresh()
    miner_energy = "sensor.sim_braiins_s19_energy"
    unit = {"unit_of_measurement": "kWh"}
    hass.states.async_set(miner_energy, "2.0", unit)
    await coordinator.async_refresh()
    before = float(farm.state("sensor.asic_farm_energy"))
    hass.states.async_set(miner_energy, "0.5", unit)  # went down: counted from zero
    await coordinator.async_refresh()
    assert float(farm.state("sensor.asic_farm_energy")) == pytest.approx(before + 0.5, abs=1e-3)
    hass.states.async_set(miner_energy, "1500", {"unit_of_measurement": "Wh"})
    await coordinator.async_refresh()
    assert float(farm.state("sensor.asic_farm_energy")) == pytest.approx(before + 1.5, abs=1e-3)
    hass.states.async_set(miner_energy, "unavailable", unit)
    await coordinator.async_refresh()
    assert float(farm.state("sensor.asic_farm_energy")) == pytest.approx(before + 1.5, abs=1e-3)
    hass.states.async_set(miner_energy, "3", {"unit_of_measurement": "bogus"})
    await coordinator.async_refresh()
    assert float(farm.state("sensor.asic_farm_energy")) == pytest.approx(before + 1.5, abs=1e-3)


async def test_energy_restored_across_restarts(
    hass: HomeAssistant, sim_runner: SimRunner, freezer: FrozenDateTimeFactory
) -> None:
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("sensor.asic_farm_energy", "12.5"),
                {"total": 12.5, "seen": {"farm0": 0.0, "bogus": "x"}},
            )
        ],
    )
    farm = await _start_farm(hass, sim_runner, freezer)
    assert farm.entry is not None
    assert float(farm.state("sensor.asic_farm_energy")) >= 12.5


async def test_farm_diagnostics_and_no_triggers(hass: HomeAssistant, farm: Farm) -> None:
    diagnostics = await async_get_config_entry_diagnostics(hass, farm.entry)
    assert diagnostics == {"farm": True, "miners": 3, "online": 3, "mining": 3}
    [device] = dr.async_entries_for_config_entry(dr.async_get(hass), farm.entry.entry_id)
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, device.id)
    assert [t for t in triggers if t["domain"] == DOMAIN] == []
    with pytest.raises(DeviceNotFound):
        await async_get_triggers(hass, "no-such-device")


async def test_power_cap_writes_only_miners_not_at_their_share(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, farm: Farm
) -> None:
    number = "number.asic_farm_power_cap"
    braiins = [farm.sims["braiins-s19"], farm.sims["braiins-s19jpro"]]
    high = float(farm.attr(number, "max"))  # type: ignore[arg-type]
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": high}, blocking=True
    )
    assert [s.state.power_limit for s in braiins] == [s.state.spec.max_power for s in braiins]
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    braiins[0].state.power_limit = 2000  # changed on the miner: only it is written again
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    calls: list[int] = []
    original = Miner.set_power_limit

    async def spy(self: Miner, watts: int) -> None:
        calls.append(watts)
        await original(self, watts)

    with patch.object(Miner, "set_power_limit", spy):
        await hass.services.async_call(
            "number", "set_value", {ATTR_ENTITY_ID: number, "value": high}, blocking=True
        )
    assert calls == [braiins[0].state.spec.max_power]
    assert [s.state.power_limit for s in braiins] == [s.state.spec.max_power for s in braiins]


async def test_a_disabled_farm_is_not_created_again(hass: HomeAssistant, farm: Farm) -> None:
    entry = farm.entry
    await hass.config_entries.async_set_disabled_by(entry.entry_id, ConfigEntryDisabler.USER)
    await hass.async_block_till_done()
    async_ensure_farm(hass)
    await hass.async_block_till_done()
    farms = [e for e in hass.config_entries.async_entries(DOMAIN) if e.unique_id == FARM_UNIQUE_ID]
    assert len(farms) == 1
