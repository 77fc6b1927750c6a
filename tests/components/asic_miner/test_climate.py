"""The thermostat, closing the loop: a simulated miner heats a simulated room.

The room is a heater in a box with losses: its temperature integrates the simulated
miner's real power draw minus what leaks to the outside (first order, solved exactly
per tick), and is fed to Home Assistant as the room sensor the options point at. Time
is Home Assistant's test clock; every tick the coordinator polls and the thermostat
looks, as in a real install, so its minimum times and step interval are the real ones.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.climate import (
    ATTR_HVAC_ACTION,
    ATTR_PRESET_MODE,
    SERVICE_SET_HVAC_MODE,
    SERVICE_SET_PRESET_MODE,
    SERVICE_SET_TEMPERATURE,
    HVACAction,
    HVACMode,
)
from homeassistant.components.climate import DOMAIN as CLIMATE_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_TEMPERATURE,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.asic_miner.const import (
    ATTR_MAX_POWER,
    CONF_DEADBAND,
    CONF_MIN_OFF_MINUTES,
    CONF_MIN_ON_MINUTES,
    CONF_POWER_STEP,
    CONF_STEP_MINUTES,
    CONF_TEMPERATURE_SENSOR,
    DOMAIN,
    SERVICE_SET_HEATING_CAP,
)
from custom_components.asic_miner.driver import MinerConnectionError
from custom_components.asic_miner.driver.miner import Miner
from simulator.miner import SimMiner
from simulator.room import Room, miner_watts
from tests.components.asic_miner.conftest import SIM_CLOCK

ROOM = "sensor.room_temperature"
CELSIUS = {"unit_of_measurement": UnitOfTemperature.CELSIUS, "device_class": "temperature"}
# Two minutes: the thermostat looks every minute but moves at most every five, and the
# room's time constant is half an hour; shorter ticks only make the test slower.
TICK = timedelta(seconds=120)
# Every family with a power path: power limit (continuous, profiles, presets), work
# modes (stock Antminer, Avalon, Bitaxe frequencies; Whatsminer API v2, whose power
# limit restarts the miner), and a Bitaxe without a mining switch.
POWER_PATH_MINERS = [
    "braiins-s19",
    "whatsminer-m60s",
    "epic-s21",
    "luxos-s19xp",
    "vnish-s19",
    "antminer-s19pro",
    "whatsminer-m30splus",
    "avalon-nano3s",
    "bitaxe-gamma",
    "bitaxe-nerdqaxe",
    "auradine-at1500",
    "elphapex-dghome1",
    "marafw-ks5pro",
    "whatsminer-m20s",
]


@dataclass
class Loop:
    """The closed loop on the test clock, with a record of everything that happened."""

    hass: HomeAssistant
    freezer: FrozenDateTimeFactory
    sim: SimMiner
    room: Room
    entity_id: str
    by_power: bool = False  # the thermostat drives the power limit (else work modes)
    seconds: float = 0.0
    temperatures: list[tuple[float, float]] = field(default_factory=list)
    switches: list[tuple[float, bool]] = field(default_factory=list)
    settings: list[tuple[float, Any]] = field(default_factory=list)

    def read_room(self) -> None:
        self.hass.states.async_set(ROOM, str(round(self.room.temperature, 1)), CELSIUS)

    async def run(self, seconds: float) -> None:
        end = self.seconds + seconds
        while self.seconds < end:
            self.room.advance(TICK.total_seconds(), miner_watts(self.sim))
            self.seconds += TICK.total_seconds()
            self.freezer.tick(TICK)
            self.read_room()
            async_fire_time_changed(self.hass, dt_util.utcnow())
            await self.hass.async_block_till_done(wait_background_tasks=True)
            self.record()

    def record(self) -> None:
        state = self.sim.state
        self.temperatures.append((self.seconds, round(self.room.temperature, 1)))
        if not self.switches or self.switches[-1][1] != state.mining:
            self.switches.append((self.seconds, state.mining))
        # Work modes as the firmware names them (the simulator keeps its own names).
        setting = state.power_limit if self.by_power else self.reported_mode()
        if setting is not None and (not self.settings or self.settings[-1][1] != setting):
            self.settings.append((self.seconds, setting))

    def reported_mode(self) -> str | None:
        [entry] = self.hass.config_entries.async_entries(DOMAIN)
        mode: str | None = entry.runtime_data.data.work_mode
        return mode

    def state(self) -> State:
        state = self.hass.states.get(self.entity_id)
        assert state is not None
        return state

    async def call(self, service: str, **data: Any) -> None:
        domain = DOMAIN if service == SERVICE_SET_HEATING_CAP else CLIMATE_DOMAIN
        await self.hass.services.async_call(
            domain, service, {ATTR_ENTITY_ID: self.entity_id, **data}, blocking=True
        )
        await self.hass.async_block_till_done(wait_background_tasks=True)
        self.record()


def _entity_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        CLIMATE_DOMAIN, DOMAIN, f"{entry.unique_id}_heating"
    )
    assert entity_id is not None
    return entity_id


@pytest.fixture(autouse=True)
def quiet_slow_callback_warnings(hass: HomeAssistant) -> None:
    """The test clock jumps minutes per tick; asyncio's debug mode would call each slow."""
    hass.loop.slow_callback_duration = 1e9


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.CLIMATE, Platform.NUMBER, Platform.SELECT, Platform.SWITCH]


@pytest.fixture
def heating_options() -> dict[str, Any]:
    return {CONF_TEMPERATURE_SENSOR: ROOM}


@pytest.fixture
def mock_config_entry(
    mock_config_entry: MockConfigEntry, heating_options: dict[str, Any]
) -> MockConfigEntry:
    """The conftest's entry, with the thermostat's options."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=dict(mock_config_entry.data),
        options=heating_options,
    )


async def _loop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sim: SimMiner,
    *,
    room_at_start: float = 15.0,
    settles_at_start: float = 21.3,
) -> Loop:
    """A room whose losses put the miner's starting power at ``settles_at_start`` °C."""
    room = Room(room_at_start, ua=miner_watts(sim) / (settles_at_start - 5.0))
    [entry] = hass.config_entries.async_entries(DOMAIN)
    loop = Loop(hass, freezer, sim, room, _entity_id(hass, entry))
    loop.by_power = loop.state().attributes["power_path"] == "power_limit"
    loop.read_room()
    await hass.async_block_till_done()
    loop.record()
    return loop


def _assert_in_bounds(loop: Loop, snapshot_bounds: Any, modes: tuple[str, ...]) -> None:
    for _, setting in loop.settings[1:]:  # the first is the miner's own, at start
        if isinstance(setting, int):
            assert snapshot_bounds.minimum <= setting <= snapshot_bounds.maximum, setting
            if snapshot_bounds.levels:
                assert setting in snapshot_bounds.levels, setting
        else:
            assert setting in modes, setting


@pytest.mark.parametrize("simulated_miner", POWER_PATH_MINERS, indirect=True)
async def test_reaches_and_holds_target(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
    request: pytest.FixtureRequest,
) -> None:
    """From a cold room to 21 °C, then held within the deadband, inside the bounds."""
    snapshot = init_integration.runtime_data.data
    loop = await _loop(hass, freezer, simulated_miner)
    await loop.call(SERVICE_SET_TEMPERATURE, **{ATTR_TEMPERATURE: 21})
    await loop.call(SERVICE_SET_HVAC_MODE, hvac_mode=HVACMode.HEAT)
    assert loop.state().state == HVACMode.HEAT

    await loop.run(1.5 * 3600)
    reached = next(t for t, value in loop.temperatures if abs(value - 21) <= 0.5)
    await loop.run(1.5 * 3600)
    late = [value for t, value in loop.temperatures if t > 1.5 * 3600]
    print(
        f"figures: {request.node.callspec.id}: within the band after {reached / 60:.0f} min;"
        f" last 1.5 h {min(late)}-{max(late)} °C; {len(loop.settings) - 1} setting changes"
    )
    assert all(abs(value - 21) <= 0.5 for value in late), (min(late), max(late))
    assert loop.switches == [(0.0, True)] or loop.switches[0][1] is True
    assert all(mining for _, mining in loop.switches), "no pause needed to hold 21 °C"
    _assert_in_bounds(loop, snapshot.power_limit_range, snapshot.work_modes)
    # Never faster than one change per step interval (5 min by default).
    changes = [t for t, _ in loop.settings[1:]]
    assert all(b - a >= 300 for a, b in itertools.pairwise(changes)), changes
    state = loop.state()
    assert state.attributes[ATTR_HVAC_ACTION] == HVACAction.HEATING
    assert state.attributes["current_temperature"] == loop.temperatures[-1][1]


@pytest.mark.parametrize(
    ("simulated_miner", "heating_options"),
    [
        ("braiins-s19", {CONF_TEMPERATURE_SENSOR: ROOM}),
        ("antminer-s19pro", {CONF_TEMPERATURE_SENSOR: ROOM}),
        (
            "vnish-s19",
            {CONF_TEMPERATURE_SENSOR: ROOM, CONF_MIN_ON_MINUTES: 20, CONF_MIN_OFF_MINUTES: 30},
        ),
    ],
    indirect=["simulated_miner"],
)
async def test_min_on_off_times(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
    request: pytest.FixtureRequest,
) -> None:
    """A room the lowest setting overheats: paused and resumed, never within the holds."""
    loop = await _loop(hass, freezer, simulated_miner, room_at_start=20)
    # At its lowest setting the miner still holds this room far above 12 °C.
    loop.room.ua = miner_watts(simulated_miner) / 20
    await loop.call(SERVICE_SET_TEMPERATURE, **{ATTR_TEMPERATURE: 12})
    await loop.call(SERVICE_SET_HVAC_MODE, hvac_mode=HVACMode.HEAT)
    await loop.run(4 * 3600)

    heating_options = init_integration.options
    min_on = heating_options.get(CONF_MIN_ON_MINUTES, 15) * 60
    min_off = heating_options.get(CONF_MIN_OFF_MINUTES, 15) * 60
    pauses = [t for t, mining in loop.switches if not mining]
    assert len(pauses) >= 3, loop.switches
    print(f"figures: {request.node.callspec.id}: switches {loop.switches}")
    # The first run counts from when the thermostat took over (the safe side).
    for (start, mining), (end, _) in itertools.pairwise(loop.switches):
        assert end - start >= (min_on if mining else min_off), loop.switches
    # Paused only from its lowest setting, never while too cold; resumed never while too
    # warm (the room's trend may resume it a little early: the minimum on time follows).
    snapshot = init_integration.runtime_data.data
    bounds = snapshot.power_limit_range
    lowest = (bounds.levels or (bounds.minimum,))[0] if bounds else "low"
    temperatures = dict(loop.temperatures)
    for when, mining in loop.switches[1:]:
        setting = [value for t, value in loop.settings if t <= when][-1]
        if mining:
            assert temperatures[when] < 12 + 0.5, (when, temperatures[when])
        else:
            assert setting == lowest, (when, setting)
            assert temperatures[when] > 12 - 0.5, (when, temperatures[when])


@pytest.mark.parametrize("simulated_miner", ["braiins-s19", "luxos-s19xp"], indirect=True)
async def test_cap_presets_and_off(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
    request: pytest.FixtureRequest,
) -> None:
    """A blueprint's cap and the presets bound the power; off pauses at once."""
    bounds = init_integration.runtime_data.data.power_limit_range
    assert bounds is not None
    loop = await _loop(hass, freezer, simulated_miner, room_at_start=10)
    await loop.call(SERVICE_SET_TEMPERATURE, **{ATTR_TEMPERATURE: 25})
    await loop.call(SERVICE_SET_HVAC_MODE, hvac_mode=HVACMode.HEAT)
    await loop.run(3600)
    assert simulated_miner.state.power_limit == bounds.maximum  # cold room: full power

    # A cap applies at once, to a setting the firmware has.
    cap = bounds.minimum + (bounds.maximum - bounds.minimum) / 2
    await loop.call(SERVICE_SET_HEATING_CAP, **{ATTR_MAX_POWER: cap})
    limit = simulated_miner.state.power_limit
    assert limit is not None
    assert limit <= cap
    assert limit in bounds.levels if bounds.levels else limit == int(cap)
    assert loop.state().attributes[ATTR_MAX_POWER] == cap
    await loop.run(1800)
    assert simulated_miner.state.power_limit == limit  # still cold: stays at the cap

    # Lifted: back up, one bounded step per interval.
    await loop.call(SERVICE_SET_HEATING_CAP)
    assert loop.state().attributes[ATTR_MAX_POWER] is None
    await loop.run(600)
    assert simulated_miner.state.power_limit > limit

    # Eco: the lowest third of the range at most.
    await loop.call(SERVICE_SET_PRESET_MODE, **{ATTR_PRESET_MODE: "eco"})
    eco = simulated_miner.state.power_limit
    assert eco is not None
    assert eco <= bounds.minimum + (bounds.maximum - bounds.minimum) / 3
    await loop.run(1800)
    assert simulated_miner.state.power_limit == eco
    await loop.call(SERVICE_SET_PRESET_MODE, **{ATTR_PRESET_MODE: "boost"})

    # A cap of 0: lowest setting at once; paused only once the minimum on time is over
    # (it resumed more than 15 min ago, so at once here).
    await loop.call(SERVICE_SET_HEATING_CAP, **{ATTR_MAX_POWER: 0})
    assert simulated_miner.state.power_limit == bounds.minimum
    await loop.run(120)
    assert simulated_miner.state.mining is False
    assert loop.state().attributes[ATTR_HVAC_ACTION] == HVACAction.IDLE
    await loop.call(SERVICE_SET_HEATING_CAP)
    await loop.run(15 * 60)  # the minimum off time
    assert simulated_miner.state.mining is True

    # Off: paused at once, whatever the holds; stays paused however cold it gets.
    await loop.call(SERVICE_TURN_OFF)
    assert simulated_miner.state.mining is False
    state = loop.state()
    assert state.state == HVACMode.OFF
    assert state.attributes[ATTR_HVAC_ACTION] == HVACAction.OFF
    await loop.run(1800)
    assert simulated_miner.state.mining is False
    await loop.call(SERVICE_TURN_ON)
    assert loop.state().state == HVACMode.HEAT


@pytest.mark.parametrize("simulated_miner", ["bitaxe-nerdqaxe"], indirect=True)
async def test_off_without_mining_switch_is_lowest_setting(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
    request: pytest.FixtureRequest,
) -> None:
    loop = await _loop(hass, freezer, simulated_miner)
    modes = init_integration.runtime_data.data.work_modes
    await loop.call(SERVICE_SET_HVAC_MODE, hvac_mode=HVACMode.OFF)
    lowest = min(modes, key=lambda mode: float(mode.split()[0]))
    assert f"{simulated_miner.state.work_mode} MHz" == lowest
    assert simulated_miner.state.mining is True
    assert loop.state().attributes[ATTR_HVAC_ACTION] == HVACAction.OFF


@pytest.mark.parametrize("simulated_miner", ["braiins-s19"], indirect=True)
async def test_not_in_control_until_a_mode_is_picked(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
    request: pytest.FixtureRequest,
) -> None:
    """Adding the integration never pauses or throttles a running miner."""
    loop = await _loop(hass, freezer, simulated_miner, room_at_start=30)
    before = simulated_miner.state.power_limit
    await loop.run(3600)
    state = loop.state()
    assert state.state == STATE_UNKNOWN
    assert state.attributes.get(ATTR_HVAC_ACTION) is None
    assert simulated_miner.state.mining is True
    assert simulated_miner.state.power_limit == before


@pytest.mark.parametrize(
    ("simulated_miner", "heating_options"),
    [("whatsminer-m60s", {}), ("braiins-s19", {}), ("luxos-s19xp", {})],
    indirect=["simulated_miner"],
)
async def test_default_temperature_is_the_miners_own(
    hass: HomeAssistant, init_integration: MockConfigEntry, request: pytest.FixtureRequest
) -> None:
    """Environment temperature (Whatsminer), mean board inlet (Braiins), or unknown."""
    snapshot = init_integration.runtime_data.data
    state = hass.states.get(_entity_id(hass, init_integration))
    assert state is not None
    expected = snapshot.environment_temperature
    if expected is None:
        inlets = [b.inlet_temperature for b in snapshot.boards if b.inlet_temperature]
        expected = round(sum(inlets) / len(inlets), 1) if inlets else None
    assert state.attributes["current_temperature"] == expected


@pytest.mark.parametrize("simulated_miner", ["braiins-s19"], indirect=True)
async def test_sensor_units_and_gaps(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
    request: pytest.FixtureRequest,
) -> None:
    """°F converted; an unknown or broken reading holds the miner where it is."""
    loop = await _loop(hass, freezer, simulated_miner)
    hass.states.async_set(ROOM, "50", {"unit_of_measurement": UnitOfTemperature.FAHRENHEIT})
    await hass.async_block_till_done()
    assert loop.state().attributes["current_temperature"] == 10.0
    await loop.call(SERVICE_SET_HVAC_MODE, hvac_mode=HVACMode.HEAT)
    before = simulated_miner.state.power_limit
    for value in (STATE_UNAVAILABLE, "garbage"):
        hass.states.async_set(ROOM, value, CELSIUS)
        for _ in range(10):
            freezer.tick(TICK)
            async_fire_time_changed(hass, dt_util.utcnow())
            await hass.async_block_till_done(wait_background_tasks=True)
        assert loop.state().attributes["current_temperature"] is None
        assert simulated_miner.state.power_limit == before
        assert simulated_miner.state.mining is True


@pytest.mark.parametrize("simulated_miner", ["braiins-s19"], indirect=True)
async def test_restores_mode_target_preset_and_cap(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulated_miner: SimMiner,
    request: pytest.FixtureRequest,
    freezer: FrozenDateTimeFactory,
) -> None:
    mock_restore_cache(
        hass,
        [
            State(
                "climate.sim_braiins_s19_heating",
                HVACMode.HEAT,
                {ATTR_TEMPERATURE: 22.5, ATTR_PRESET_MODE: "comfort", ATTR_MAX_POWER: 2000},
            )
        ],
    )
    freezer.move_to(datetime.fromtimestamp(SIM_CLOCK, UTC))
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    state = hass.states.get("climate.sim_braiins_s19_heating")
    assert state is not None
    assert state.state == HVACMode.HEAT
    assert state.attributes[ATTR_TEMPERATURE] == 22.5
    assert state.attributes[ATTR_PRESET_MODE] == "comfort"
    assert state.attributes[ATTR_MAX_POWER] == 2000


CLIMATE_SNAPSHOT_MINERS = ["braiins-s19", "luxos-s19xp", "antminer-s19pro", "bitaxe-nerdqaxe"]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("simulated_miner", CLIMATE_SNAPSHOT_MINERS, indirect=True)
@pytest.mark.parametrize(("platforms", "heating_options"), [([Platform.CLIMATE], {})])
async def test_climate_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.parametrize("simulated_miner", ["antminer-s9"], indirect=True)
async def test_no_climate_without_a_power_path(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    assert hass.states.async_entity_ids(CLIMATE_DOMAIN) == []


@pytest.mark.parametrize(
    ("simulated_miner", "heating_options"), [("braiins-s19", {})], indirect=["simulated_miner"]
)
async def test_options_flow(
    hass: HomeAssistant, init_integration: MockConfigEntry, request: pytest.FixtureRequest
) -> None:
    """Pick a room sensor and timing; clear the sensor to go back to the miner's own."""
    entity_id = _entity_id(hass, init_integration)
    hass.states.async_set(ROOM, "18.5", CELSIUS)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    options = {
        CONF_TEMPERATURE_SENSOR: ROOM,
        CONF_DEADBAND: 0.3,
        CONF_MIN_ON_MINUTES: 20,
        CONF_MIN_OFF_MINUTES: 10,
        CONF_POWER_STEP: 5,
        CONF_STEP_MINUTES: 3,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], options)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options == options
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["current_temperature"] == 18.5
    hass.states.async_set(ROOM, "19", CELSIUS)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).attributes["current_temperature"] == 19  # type: ignore[union-attr]

    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    cleared = {k: v for k, v in options.items() if k != CONF_TEMPERATURE_SENSOR}
    result = await hass.config_entries.options.async_configure(result["flow_id"], cleared)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    snapshot = init_integration.runtime_data.data
    inlets = [b.inlet_temperature for b in snapshot.boards if b.inlet_temperature is not None]
    own = round(sum(inlets) / len(inlets), 1)
    assert hass.states.get(entity_id).attributes["current_temperature"] == own  # type: ignore[union-attr]


@pytest.mark.parametrize("simulated_miner", ["braiins-s19"], indirect=True)
async def test_failed_write_is_logged_once_and_retried(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = await _loop(hass, freezer, simulated_miner, room_at_start=10)
    await loop.call(SERVICE_SET_TEMPERATURE, **{ATTR_TEMPERATURE: 25})
    with patch.object(
        Miner, "set_power_limit", AsyncMock(side_effect=MinerConnectionError("no answer"))
    ) as refused:
        # Asked by the user: the error goes back to the user.
        with pytest.raises(HomeAssistantError, match="no answer"):
            await loop.call(SERVICE_SET_HVAC_MODE, hvac_mode=HVACMode.HEAT)
        # On its own: logged once, retried every step interval.
        await loop.run(1800)
    assert refused.await_count >= 3  # retried, one step interval apart
    assert caplog.text.count("heating control failed") == 1
    await loop.run(600)
    assert simulated_miner.state.power_limit is not None
    assert simulated_miner.state.power_limit > 3250


@pytest.mark.parametrize("simulated_miner", ["braiins-s19"], indirect=True)
async def test_unknown_mining_state_and_lost_power_path(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulated_miner: SimMiner,
    freezer: FrozenDateTimeFactory,
    request: pytest.FixtureRequest,
) -> None:
    """A poll that cannot say whether it mines, or offers no control: no move, no guess."""
    coordinator = init_integration.runtime_data
    loop = await _loop(hass, freezer, simulated_miner, room_at_start=10)
    await loop.call(SERVICE_SET_HVAC_MODE, hvac_mode=HVACMode.HEAT)
    before = simulated_miner.state.power_limit
    coordinator.async_set_updated_data(replace(coordinator.data, mining=None))
    assert loop.state().attributes.get(ATTR_HVAC_ACTION) is None
    coordinator.async_set_updated_data(replace(coordinator.data, controls=frozenset()))
    await loop.call(SERVICE_SET_TEMPERATURE, **{ATTR_TEMPERATURE: 30})
    assert simulated_miner.state.power_limit == before
    assert loop.state().attributes["power_path"] is None
    assert await hass.config_entries.async_unload(init_integration.entry_id)


@pytest.mark.parametrize("simulated_miner", ["braiins-s19"], indirect=True)
async def test_cap_action_on_an_unloaded_miner_does_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """Home Assistant's entity-action rule: a missing entity is reported, not called."""
    entity_id = _entity_id(hass, init_integration)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.services.async_call(
        DOMAIN,
        SERVICE_SET_HEATING_CAP,
        {ATTR_ENTITY_ID: entity_id, ATTR_MAX_POWER: 1000},
        blocking=True,
    )
    assert "missing or not currently available" in caplog.text
