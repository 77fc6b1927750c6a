"""Climate: a thermostat per miner, for owners who heat a room with it.

It heats through the quietest, smoothest path the firmware has (``heating.ladder_for``):
the power limit, else the work modes, else mining on/off. The room temperature comes
from any temperature sensor picked in the options, else the miner's own environment or
inlet temperature. The decisions live in ``heating.py``; this module feeds them the
readings every minute and carries out the one move they return through the same
control path (and error handling) as the number, select and switch.

"Off" pauses mining where the miner has a mining switch, else it drops to the lowest
setting. Until the user picks Heat or Off the thermostat is not in control and leaves
the miner alone (state unknown): adding the integration never pauses a running miner.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Final

from homeassistant.components.climate import (
    ClimateEntity,
    ClimateEntityDescription,
    ClimateEntityFeature,
    HVACAction,
    HVACMode,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    ATTR_TEMPERATURE,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    UnitOfTemperature,
)
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import (
    async_track_state_change_event,
    async_track_time_interval,
)
from homeassistant.helpers.restore_state import RestoreEntity
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import TemperatureConverter

from .const import (
    ATTR_MAX_POWER,
    CONF_TEMPERATURE_SENSOR,
    LOGGER,
)
from .coordinator import AsicMinerDataUpdateCoordinator
from .driver import Control, MinerSnapshot
from .entity import (
    AsicMinerEntity,
    Build,
    Reported,
    setup_when_reported,
)
from .heating import (
    PRESET_BOOST,
    PRESET_COMFORT,
    PRESET_ECO,
    PRESET_NONE,
    Action,
    Do,
    HeatingController,
    Ladder,
    PowerPath,
    Reading,
    Settings,
    ladder_for,
    position_of,
    with_defaults,
)
from .helpers import asic_miner_exception_handler

PARALLEL_UPDATES = 1

# How often the thermostat looks; how often it may move is an option (step interval).
CONTROL_TICK: Final = timedelta(seconds=60)
DEFAULT_TARGET: Final = 20.0

HEATING = ClimateEntityDescription(key="heating", translation_key="heating")


def own_temperature(snapshot: MinerSnapshot) -> float | None:
    """The miner's own room-side reading: environment, else the mean board inlet."""
    if snapshot.environment_temperature is not None:
        return snapshot.environment_temperature
    inlets = [b.inlet_temperature for b in snapshot.boards if b.inlet_temperature is not None]
    return round(sum(inlets) / len(inlets), 1) if inlets else None


class AsicMinerClimate(AsicMinerEntity, ClimateEntity, RestoreEntity):
    """Heat or off, a target temperature, presets that cap the power, a blueprint cap."""

    _requires_write = True
    _attr_hvac_modes = [HVACMode.OFF, HVACMode.HEAT]
    _attr_preset_modes = [PRESET_NONE, PRESET_ECO, PRESET_COMFORT, PRESET_BOOST]
    _attr_supported_features = (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.PRESET_MODE
        | ClimateEntityFeature.TURN_ON
        | ClimateEntityFeature.TURN_OFF
    )
    # Everything inside is °C (the miner's unit); Home Assistant converts for display
    # and converts a target set in °F before it reaches us.
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_target_temperature_step = 0.5
    _attr_min_temp = 5.0
    _attr_max_temp = 35.0

    def __init__(self, coordinator: AsicMinerDataUpdateCoordinator) -> None:
        super().__init__(coordinator, HEATING)
        self._attr_hvac_mode = None  # not in control until the user picks a mode
        self._attr_target_temperature = DEFAULT_TARGET
        self._attr_preset_mode = PRESET_NONE
        self._cap: float | None = None
        self._written: float | None = None  # last setting sent (ePIC reports none back)
        self._controller: HeatingController | None = None
        self._failing = False
        self._unsub_sensor: Any = None
        # What ``ladder_for`` reads of the snapshot, with the ladder it gave.
        self._ladder_of: tuple[tuple[Any, ...], Ladder | None] | None = None

    # -- readings ----------------------------------------------------------------------

    @property
    def _options(self) -> dict[str, Any]:
        return with_defaults(self.coordinator.config_entry.options)

    @property
    def current_temperature(self) -> float | None:
        sensor = self._options.get(CONF_TEMPERATURE_SENSOR)
        if not sensor:
            return own_temperature(self.coordinator.data)
        state = self.hass.states.get(sensor)
        if state is None or state.state in (STATE_UNKNOWN, STATE_UNAVAILABLE):
            return None
        try:
            value = float(state.state)
        except ValueError:
            return None
        unit = state.attributes.get(ATTR_UNIT_OF_MEASUREMENT, UnitOfTemperature.CELSIUS)
        if unit in TemperatureConverter.VALID_UNITS and unit != UnitOfTemperature.CELSIUS:
            value = TemperatureConverter.convert(value, unit, UnitOfTemperature.CELSIUS)
        return value

    @property
    def _ladder(self) -> Ladder | None:
        """The path for the miner's last snapshot, worked out again only when what it
        depends on changed (the controls, power-limit bounds and work modes: seldom)."""
        snapshot = self.coordinator.data
        key = (snapshot.controls, snapshot.power_limit_range, snapshot.work_modes)
        cached = self._ladder_of
        if cached is None or cached[0] != key:
            restarts = self.coordinator.miner.restarts_after(Control.POWER_LIMIT)
            cached = self._ladder_of = (key, ladder_for(snapshot, restarts))
        return cached[1]

    @property
    def hvac_action(self) -> HVACAction | None:
        if self.hvac_mode is None:
            return None
        if self.hvac_mode is HVACMode.OFF:
            return HVACAction.OFF
        mining = self.coordinator.data.mining
        if mining is None:
            return None
        return HVACAction.HEATING if mining else HVACAction.IDLE

    def _shown(self) -> tuple[Any, ...]:
        """What a poll can change here, without building the whole climate state: the
        modes, ranges and step are constants of the class."""
        if not self.available:
            return (False,)
        return (
            True,
            self.hvac_mode,
            self.hvac_action,
            self.current_temperature,
            self.target_temperature,
            self.preset_mode,
            self.extra_state_attributes,
        )

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Its power (what the miner draws), the blueprint's cap, and the path it drives."""
        ladder = self._ladder
        return {
            "power": self.coordinator.data.power,
            ATTR_MAX_POWER: self._cap,
            "power_path": ladder.path.value if ladder else None,
        }

    # -- lifecycle ---------------------------------------------------------------------

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None:
            if last.state in (HVACMode.OFF, HVACMode.HEAT):
                self._attr_hvac_mode = HVACMode(last.state)
            if isinstance(target := last.attributes.get(ATTR_TEMPERATURE), int | float):
                self._attr_target_temperature = float(target)
            if last.attributes.get("preset_mode") in self._attr_preset_modes:
                self._attr_preset_mode = last.attributes["preset_mode"]
            if isinstance(cap := last.attributes.get(ATTR_MAX_POWER), int | float):
                self._cap = float(cap)
        self._subscribe_sensor()
        entry: ConfigEntry[Any] = self.coordinator.config_entry
        self.async_on_remove(entry.add_update_listener(self._async_options_updated))
        self.async_on_remove(async_track_time_interval(self.hass, self._async_tick, CONTROL_TICK))

    async def async_will_remove_from_hass(self) -> None:
        if self._unsub_sensor is not None:
            self._unsub_sensor()
            self._unsub_sensor = None
        await super().async_will_remove_from_hass()

    def _subscribe_sensor(self) -> None:
        if self._unsub_sensor is not None:
            self._unsub_sensor()
            self._unsub_sensor = None
        if sensor := self._options.get(CONF_TEMPERATURE_SENSOR):
            self._unsub_sensor = async_track_state_change_event(
                self.hass, [sensor], self._async_sensor_changed
            )

    @callback
    def _async_sensor_changed(self, event: Event[EventStateChangedData]) -> None:
        self.async_write_ha_state()

    async def _async_options_updated(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        self._subscribe_sensor()
        self.async_write_ha_state()

    # -- control -----------------------------------------------------------------------

    def _settings(self) -> Settings:
        return Settings.from_options(
            self._options,
            target=self.target_temperature or DEFAULT_TARGET,
            preset=self.preset_mode or PRESET_NONE,
            cap=self._cap,
        )

    def _decide(self) -> tuple[Ladder, Action] | None:
        """Feed the controller the current readings; the move it asks for."""
        if self.hvac_mode is None or not self.available:
            return None
        ladder = self._ladder
        if ladder is None:
            return None
        now = dt_util.utcnow().timestamp()
        if self._controller is None:
            self._controller = HeatingController(ladder, last_switch=now)
        controller = self._controller
        controller.ladder = ladder
        snapshot = self.coordinator.data
        position = position_of(ladder, snapshot, self._written)
        reading = Reading(self.current_temperature, snapshot.mining, position, snapshot.power)
        controller.observe(now, reading)
        action = controller.decide(
            now, self._settings(), reading, heat=self.hvac_mode is HVACMode.HEAT
        )
        return ladder, action

    async def _async_tick(self, _now: datetime | None = None) -> None:
        """The timer's control step: a failed write is logged (once), retried next step."""
        try:
            wrote = await self._async_control()
        except HomeAssistantError as err:
            if not self._failing:
                LOGGER.warning("%s: heating control failed: %s", self.coordinator.miner.host, err)
            self._failing = True
        else:
            if wrote and self._failing:
                LOGGER.info("%s: heating control works again", self.coordinator.miner.host)
                self._failing = False

    async def _async_control(self) -> bool:
        """Make the controller's move, if any; whether a write was sent."""
        decided = self._decide()
        if decided is None or decided[1].do is Do.HOLD:
            return False
        await self._async_apply(*decided)
        return True

    @asic_miner_exception_handler
    async def _async_apply(self, ladder: Ladder, action: Action) -> None:
        """One write through the miner's own controls (the number's, select's, switch's)."""
        miner = self.coordinator.miner
        if action.do is Do.PAUSE:
            await miner.set_mining(False)
        elif action.do is Do.RESUME:
            await miner.set_mining(True)
        elif action.value is not None and ladder.path is PowerPath.POWER_LIMIT:
            await miner.set_power_limit(round(action.value))
            self._written = action.value
            if miner.restarts_after(Control.POWER_LIMIT):
                self.coordinator.expect_restart()
        elif action.value is not None and ladder.path is PowerPath.WORK_MODE:
            await miner.set_work_mode(ladder.modes[int(action.value)])
            self._written = action.value

    # -- user and blueprint actions ----------------------------------------------------

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Off pauses (or lowers) at once: an explicit off does not wait for a hold."""
        self._attr_hvac_mode = hvac_mode
        self.async_write_ha_state()
        await self._async_control()

    async def async_set_temperature(self, **kwargs: Any) -> None:
        if (target := kwargs.get(ATTR_TEMPERATURE)) is not None:
            self._attr_target_temperature = float(target)
        self.async_write_ha_state()
        await self._async_control()

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        self._attr_preset_mode = preset_mode
        self.async_write_ha_state()
        await self._async_control()

    async def async_set_heating_cap(self, max_power: float | None = None) -> None:
        """The most watts the thermostat may use (a price or solar automation sets it).

        ``None`` lifts the cap. Below the miner's lowest setting it means no heat: the
        miner drops to its lowest setting and pauses once its minimum on time is over.
        """
        self._cap = max_power
        self.async_write_ha_state()
        await self._async_control()


def _climate_builder(coordinator: AsicMinerDataUpdateCoordinator) -> Build:
    def build(snapshot: MinerSnapshot) -> Iterable[Reported]:
        restarts = coordinator.miner.restarts_after(Control.POWER_LIMIT)
        if ladder_for(snapshot, restarts) is not None:
            yield HEATING.key, partial(AsicMinerClimate, coordinator)

    return build


async_setup_entry = setup_when_reported(_climate_builder)
