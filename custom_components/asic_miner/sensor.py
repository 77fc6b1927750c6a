"""Sensors: the miner's figures, per-board and per-fan readings, energy."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from operator import attrgetter
from typing import Any

from homeassistant.components.sensor import (
    DOMAIN as SENSOR_DOMAIN,
)
from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorExtraStoredData,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    REVOLUTIONS_PER_MINUTE,
    EntityCategory,
    UnitOfTemperature,
)
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .coordinator import AsicMinerDataUpdateCoordinator
from .descriptions import (
    EFFICIENCY_SHOWN,
    ENERGY,
    HASHRATE_SHOWN,
    POWER_SHOWN,
    NamedByKey,
)
from .driver import (
    Board,
    Control,
    Fan,
    Miner,
    MinerSnapshot,
    MinerUnits,
    ShownUnit,
    lookup_hardware,
    miner_units,
)
from .entity import (
    AsicMinerEntity,
    Build,
    Reported,
    setup_when_reported,
)
from .estimated_power import estimated_power, has_estimate
from .farm_entities import async_setup_farm_sensors

PARALLEL_UPDATES = 0

# Gaps longer than this are not integrated into energy: we don't know what happened.
MAX_ENERGY_GAP = timedelta(minutes=5)
UPTIME_JITTER = timedelta(minutes=1)
# The energy state moves in steps of about this much of the miner's nominal power.
ENERGY_STEP_TIME = timedelta(minutes=5)


@dataclass(frozen=True, kw_only=True)
class AsicMinerSensorEntityDescription(NamedByKey, SensorEntityDescription):
    """A miner-wide sensor; it exists once the miner reports its value."""

    value_fn: Callable[[MinerSnapshot], StateType | datetime]
    exists_fn: Callable[[MinerSnapshot], bool] | None = None
    attributes_fn: Callable[[MinerSnapshot], dict[str, Any]] | None = None
    # Whether it is enabled by default, where that depends on the miner; else the
    # description's ``entity_registry_enabled_default``.
    enabled_fn: Callable[[MinerSnapshot, Miner], bool] | None = None
    hashrate: bool = False  # in TH/s; shown in the miner's hashrate unit
    efficiency: bool = False  # in J/TH; shown in the miner's efficiency unit
    digits: int | None = None  # decimals the state keeps (see _state)


@dataclass(frozen=True, kw_only=True)
class AsicMinerPartSensorEntityDescription[P: (Board, Fan)](NamedByKey, SensorEntityDescription):
    """A sensor of each board or fan (``P``) that reports the value.

    Disabled by default: several rows a poll per miner, and the miner-wide figures
    (hashrate, hottest chip) and Problem (a board not hashing) already tell when to look.
    """

    value_fn: Callable[[P], StateType]
    digits: int | None = None
    entity_registry_enabled_default: bool = False


@dataclass(frozen=True, kw_only=True)
class AsicMinerBoardSensorEntityDescription(AsicMinerPartSensorEntityDescription[Board]):
    hashrate: bool = False


@dataclass(frozen=True, kw_only=True)
class AsicMinerFanSensorEntityDescription(AsicMinerPartSensorEntityDescription[Fan]):
    """A fan's reading: a diagnostic, in whole units (RPM, %)."""

    entity_category: EntityCategory | None = EntityCategory.DIAGNOSTIC
    digits: int | None = 0


def _shown_unit(
    description: AsicMinerSensorEntityDescription | AsicMinerBoardSensorEntityDescription,
    units: MinerUnits | None,
) -> ShownUnit | None:
    """The unit this sensor of this miner is shown in, where it is not the native one."""
    if units is None:
        return None
    if description.hashrate:
        return units.hashrate
    if isinstance(description, AsicMinerSensorEntityDescription) and description.efficiency:
        return units.efficiency
    return None


def _fan_kind(fan: Fan) -> str:
    return "psu_fan" if fan.psu else "fan"


def _state[T: (StateType, StateType | datetime)](
    value: T, unit: ShownUnit | None = None, digits: int | None = None
) -> T:
    """The value in the shown unit, rounded to the decimals that carry information.

    Home Assistant writes a state row only when the state changes, so a float carrying
    noise from a unit conversion (95.12345000000001) must not make a new state of the
    same reading. ``digits`` is where the firmware's precision ends, in the native
    unit (temperatures in 0.1 °C, watts in 0.1 W, hashrate in 0.01 GH/s, as cgminer's
    "GHS 5s" has it); a hashrate or efficiency shown in its algorithm's ``unit`` keeps
    that unit's decimals. ``suggested_display_precision`` only changes what is shown.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        if unit is not None:
            return unit.convert(value)
        if digits is not None and isinstance(value, float):
            return round(value, digits)
        return value
    return value


def _boot_time(snapshot: MinerSnapshot) -> datetime | None:
    if snapshot.uptime is None:
        return None
    return dt_util.utcnow().replace(microsecond=0) - timedelta(seconds=snapshot.uptime)


def _errors_attributes(snapshot: MinerSnapshot) -> dict[str, Any]:
    return {
        "errors": [
            {"code": e.code, "message": e.message} if e.code else {"message": e.message}
            for e in snapshot.errors or ()
        ]
    }


def _pool_attr(snapshot: MinerSnapshot, name: str) -> StateType:
    pool = snapshot.active_pool
    return None if pool is None else getattr(pool, name)


def _pool_server(snapshot: MinerSnapshot) -> str | None:
    """``btc.pool.example:3333`` from ``stratum+tcp://btc.pool.example:3333``.

    The scheme and any login say nothing a person looks for, and a full URL as the
    state squeezes the row's name to "A…" on the device page.
    """
    pool = snapshot.active_pool
    if pool is None:
        return None
    url = pool.url.strip()
    _scheme, sep, rest = url.partition("://")
    server = (rest if sep else url).rsplit("@", 1)[-1].split("/", 1)[0]
    return server or url or None


def _reading[D: (AsicMinerSensorEntityDescription, AsicMinerBoardSensorEntityDescription)](
    kind: type[D], attribute: str, **options: Any
) -> D:
    """The ``attribute`` of the miner or (keyed ``board_``) of each board."""
    key = f"board_{attribute}" if kind is AsicMinerBoardSensorEntityDescription else attribute
    return kind(key=key, value_fn=attrgetter(attribute), **options)


def _temperature[D: (AsicMinerSensorEntityDescription, AsicMinerBoardSensorEntityDescription)](
    kind: type[D], attribute: str, **options: Any
) -> D:
    """A temperature in °C to the firmware's 0.1 °C."""
    return _reading(
        kind,
        attribute,
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        digits=1,
        **options,
    )


def _hashrate[D: (AsicMinerSensorEntityDescription, AsicMinerBoardSensorEntityDescription)](
    kind: type[D], attribute: str, **options: Any
) -> D:
    """A hashrate in TH/s to cgminer's 0.01 GH/s, shown in the miner's hashrate unit."""
    return _reading(kind, attribute, hashrate=True, digits=5, **HASHRATE_SHOWN, **options)


def _of_pool(
    key: str, value_fn: Callable[[MinerSnapshot], StateType], **options: Any
) -> AsicMinerSensorEntityDescription:
    """A figure of the active pool: a diagnostic, disabled, of a miner that lists pools."""
    return AsicMinerSensorEntityDescription(
        key=key,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=value_fn,
        exists_fn=lambda s: bool(s.pools),
        **options,
    )


def _pool_attributes(snapshot: MinerSnapshot) -> dict[str, Any]:
    """The active pool's full URL and user: they change only when the pool does."""
    pool = snapshot.active_pool
    return {} if pool is None else {"url": pool.url, "user": pool.user}


# A farm of 200 miners polls every 15 s: each enabled entity is a row in the state
# machine and each changed state a row in the database. Enabled by default and with
# long-term statistics (state_class) is only what an owner watches and graphs over
# months: hashrate, power, efficiency, the hottest chip, energy (README: "What each
# miner gets"). Everything else is there, disabled, one click away.
SENSORS: tuple[AsicMinerSensorEntityDescription, ...] = (
    _hashrate(
        AsicMinerSensorEntityDescription,
        "hashrate",
        state_class=SensorStateClass.MEASUREMENT,
    ),
    _hashrate(
        AsicMinerSensorEntityDescription,
        "expected_hashrate",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
    ),
    AsicMinerSensorEntityDescription(
        key="power",
        **POWER_SHOWN,
        digits=1,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda s: s.power,
    ),
    AsicMinerSensorEntityDescription(
        key="power_limit",
        **POWER_SHOWN,
        digits=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        # The Power limit number shows the same value where the miner takes a limit.
        enabled_fn=lambda s, miner: not miner.supports(Control.POWER_LIMIT),
        value_fn=lambda s: s.power_limit,
    ),
    AsicMinerSensorEntityDescription(
        key="efficiency",
        **EFFICIENCY_SHOWN,
        efficiency=True,
        digits=2,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda s: s.efficiency,
        exists_fn=lambda s: s.power is not None,
    ),
    _temperature(
        AsicMinerSensorEntityDescription,
        "environment_temperature",
        entity_registry_enabled_default=False,
    ),
    _temperature(
        AsicMinerSensorEntityDescription,
        "chip_temperature",
        state_class=SensorStateClass.MEASUREMENT,
    ),
    _temperature(
        AsicMinerSensorEntityDescription,
        "board_temperature",
        # The one temperature shown of a miner that reports no chip temperature.
        enabled_fn=lambda s, miner: s.chip_temperature is None,
    ),
    AsicMinerSensorEntityDescription(
        key="uptime",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_boot_time,
    ),
    AsicMinerSensorEntityDescription(
        key="errors",
        entity_category=EntityCategory.DIAGNOSTIC,
        # Problem (binary sensor) lists the same messages.
        entity_registry_enabled_default=False,
        # Unknown, not 0, when the errors could not be read.
        value_fn=lambda s: None if s.errors is None else len(s.errors),
        attributes_fn=_errors_attributes,
    ),
    _of_pool("active_pool", _pool_server, attributes_fn=_pool_attributes),
    # The share counters count up on nearly every poll: a database row each time.
    *(
        _of_pool(f"{kind}_shares", partial(_pool_attr, name=kind))
        for kind in ("accepted", "rejected")
    ),
)


# Per board and per fan: disabled (``AsicMinerPartSensorEntityDescription`` says why).
BOARD_SENSORS: tuple[AsicMinerBoardSensorEntityDescription, ...] = (
    _hashrate(AsicMinerBoardSensorEntityDescription, "hashrate"),
    *(
        _temperature(AsicMinerBoardSensorEntityDescription, f"{part}_temperature")
        for part in ("chip", "board", "inlet", "outlet")
    ),
    AsicMinerBoardSensorEntityDescription(
        key="board_chips",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda b: b.chips,
    ),
)

FAN_SENSORS: tuple[AsicMinerFanSensorEntityDescription, ...] = (
    AsicMinerFanSensorEntityDescription(
        key="fan_speed",
        native_unit_of_measurement=REVOLUTIONS_PER_MINUTE,
        value_fn=lambda f: f.rpm,
    ),
    # The duty in %, only where the firmware reports one (never derived from RPM).
    AsicMinerFanSensorEntityDescription(
        key="fan_duty",
        native_unit_of_measurement=PERCENTAGE,
        value_fn=lambda f: f.percent,
    ),
)

# Stock Antminer reports no watts: nominal efficiency x hashrate instead, named an
# estimate; in place of Power and Energy, which such a miner never has.
ESTIMATED_POWER = AsicMinerSensorEntityDescription(
    key="estimated_power",
    **POWER_SHOWN,
    state_class=SensorStateClass.MEASUREMENT,
    value_fn=estimated_power,
)

ESTIMATED_ENERGY = replace(ENERGY, key="estimated_energy", translation_key="estimated_energy")


def _apply_unit(entity: SensorEntity, unit: ShownUnit | None) -> None:
    if unit is not None:
        entity._attr_native_unit_of_measurement = unit.name
        entity._attr_suggested_display_precision = unit.precision


class PrecisionAtCreation(SensorEntity):
    """Stores the display precision with a new registry entry, not right after adding.

    Home Assistant otherwise updates each new sensor's registry entry once it is added
    (its suggested display precision): one registry write and one recorded event per
    sensor, 2,000 for 200 miners added at once. Disabled sensors are left as Home
    Assistant makes them (it stores the precision when they are enabled).
    """

    def get_initial_entity_options(self) -> er.EntityOptionsType | None:
        options = super().get_initial_entity_options()
        if not self.entity_registry_enabled_default:
            return options
        precision = self._get_adjusted_display_precision()
        if precision is None:
            return options
        return {**(options or {}), SENSOR_DOMAIN: {"suggested_display_precision": precision}}


class AsicMinerSensor(AsicMinerEntity, PrecisionAtCreation):
    entity_description: AsicMinerSensorEntityDescription

    def __init__(
        self,
        coordinator: AsicMinerDataUpdateCoordinator,
        description: AsicMinerSensorEntityDescription,
        *,
        units: MinerUnits | None = None,
    ) -> None:
        super().__init__(coordinator, description)
        self._unit = _shown_unit(description, units)
        _apply_unit(self, self._unit)
        if description.enabled_fn is not None:
            self._attr_entity_registry_enabled_default = description.enabled_fn(
                coordinator.data, coordinator.miner
            )

    @property
    def native_value(self) -> StateType | datetime:
        value = _state(
            self.entity_description.value_fn(self.coordinator.data),
            self._unit,
            self.entity_description.digits,
        )
        if isinstance(value, datetime):
            # Boot time computed from uptime wobbles by a second per poll; keep it still.
            previous = self._attr_native_value
            if isinstance(previous, datetime) and abs(value - previous) < UPTIME_JITTER:
                return previous
            self._attr_native_value = value
        return value

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.coordinator.data)


class _PartSensor[P: (Board, Fan)](AsicMinerEntity, PrecisionAtCreation):
    """A sensor of one board or fan: unavailable while the miner does not report it."""

    entity_description: AsicMinerPartSensorEntityDescription[P]
    _unit: ShownUnit | None = None

    def _part(self) -> P | None:
        raise NotImplementedError

    @property
    def available(self) -> bool:
        return super().available and self._part() is not None

    @property
    def native_value(self) -> StateType:
        part = self._part()
        if part is None:
            return None
        description = self.entity_description
        return _state(description.value_fn(part), self._unit, description.digits)


class AsicMinerBoardSensor(_PartSensor[Board]):
    entity_description: AsicMinerBoardSensorEntityDescription

    def __init__(
        self,
        coordinator: AsicMinerDataUpdateCoordinator,
        description: AsicMinerBoardSensorEntityDescription,
        index: int,
        *,
        units: MinerUnits | None = None,
    ) -> None:
        super().__init__(
            coordinator,
            description,
            key_suffix=f"_{index}",
            placeholders={"board": str(index + 1)},
        )
        self.index = index
        self._unit = _shown_unit(description, units)
        _apply_unit(self, self._unit)

    def _part(self) -> Board | None:
        for board in self.coordinator.data.boards:
            if board.index == self.index:
                return board
        return None


class AsicMinerFanSensor(_PartSensor[Fan]):
    def __init__(
        self,
        coordinator: AsicMinerDataUpdateCoordinator,
        description: AsicMinerFanSensorEntityDescription,
        fan: Fan,
    ) -> None:
        super().__init__(
            coordinator,
            description,
            key_suffix=f"_{_fan_kind(fan)}_{fan.index}",
            placeholders={"fan": "PSU" if fan.psu else str(fan.index + 1)},
        )
        self.index = fan.index
        self.psu = fan.psu

    def _part(self) -> Fan | None:
        for fan in self.coordinator.data.fans:
            if fan.index == self.index and fan.psu == self.psu:
                return fan
        return None


class AsicMinerEnergySensor(AsicMinerEntity, PrecisionAtCreation, RestoreSensor):
    """Energy used, for the Energy dashboard.

    Uses the firmware's own counter where it keeps one; otherwise integrates power
    over time (trapezoids between polls), restored across restarts. A gap without
    readings adds nothing rather than a guess.

    The total is kept exact, but the state moves in steps of about five minutes of
    the miner's power (0.1 kWh for a 3 kW miner, 0.001 kWh for a 15 W Bitaxe): a state
    that changed on every poll was a database row every 15 s per miner. The Energy
    dashboard's hourly sums stay within one step, and nothing is lost over time.
    """

    _attr_native_value: float | None = None

    def __init__(
        self, coordinator: AsicMinerDataUpdateCoordinator, description: SensorEntityDescription
    ) -> None:
        super().__init__(coordinator, description)
        self._last: tuple[datetime, float] | None = None
        self._total: float | None = None  # kWh, unrounded
        self._digits = _energy_digits(coordinator.data)

    @property
    def extra_restore_state_data(self) -> SensorExtraStoredData:
        """The exact total, so a restart loses no part of a step."""
        return SensorExtraStoredData(self._total, self.native_unit_of_measurement)

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        restored = await self.async_get_last_sensor_data()
        if restored is not None and isinstance(restored.native_value, int | float):
            self._total = float(restored.native_value)
        self._integrate()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._integrate()
        super()._handle_coordinator_update()

    def _integrate(self) -> None:
        self._add_reading()
        if self._total is not None:
            # Rounded down: the state never runs ahead of the total, so it never falls.
            step = 10.0**-self._digits
            self._attr_native_value = round(
                math.floor(self._total / step + 1e-9) * step, self._digits
            )

    def _add_reading(self) -> None:
        if not self.coordinator.last_update_success:
            self._last = None
            return
        snapshot = self.coordinator.data
        if snapshot.energy is not None:
            self._total = snapshot.energy
            return
        reading = self._power(snapshot)
        if reading is None:
            self._last = None
            return
        now = dt_util.utcnow()
        if self._last is not None:
            then, power = self._last
            elapsed = now - then
            if timedelta(0) < elapsed <= MAX_ENERGY_GAP:
                kwh = (power + reading) / 2 * elapsed.total_seconds() / 3_600_000
                self._total = (self._total or 0.0) + kwh
        elif self._total is None:
            self._total = 0.0
        self._last = (now, reading)

    def _power(self, snapshot: MinerSnapshot) -> float | None:
        """The watts integrated: the firmware's own reading."""
        return snapshot.power


class AsicMinerEstimatedEnergySensor(AsicMinerEnergySensor):
    """Energy integrated from the estimated power (``estimated_power.py``)."""

    def _power(self, snapshot: MinerSnapshot) -> float | None:
        return estimated_power(snapshot)


def _energy_digits(snapshot: MinerSnapshot | None) -> int:
    """Decimals of the energy state: the step is about five minutes of nominal power.

    Nominal power from the hardware table, else the power read now; 0.01 kWh when
    neither is known. Decided once, so the state's resolution stays the same.
    """
    watts: float | None = None
    if snapshot is not None:
        identity = snapshot.identity
        hardware = lookup_hardware(identity.make, identity.model)
        watts = hardware.nominal_power if hardware else snapshot.power
    if not watts or watts <= 0:
        return 2
    five_minutes_kwh = watts * ENERGY_STEP_TIME.total_seconds() / 3_600_000
    return min(3, max(1, -math.floor(math.log10(five_minutes_kwh))))


def _sensor_builder(coordinator: AsicMinerDataUpdateCoordinator) -> Build:
    units: MinerUnits | None = None  # decided once per miner, so statistics keep one unit

    def build(snapshot: MinerSnapshot) -> Iterator[Reported]:
        nonlocal units
        if units is None:
            units = miner_units(snapshot)
        for description in SENSORS:
            if description.exists_fn is not None:
                exists = description.exists_fn(snapshot)
            else:
                exists = description.value_fn(snapshot) is not None
            if exists:
                yield (
                    description.key,
                    partial(AsicMinerSensor, coordinator, description, units=units),
                )
        if snapshot.power is not None or snapshot.energy is not None:
            yield ENERGY.key, partial(AsicMinerEnergySensor, coordinator, ENERGY)
        if has_estimate(snapshot, coordinator.miner):
            yield (
                ESTIMATED_POWER.key,
                partial(AsicMinerSensor, coordinator, ESTIMATED_POWER),
            )
            yield (
                ESTIMATED_ENERGY.key,
                partial(AsicMinerEstimatedEnergySensor, coordinator, ESTIMATED_ENERGY),
            )
        for board in snapshot.boards:
            for board_description in BOARD_SENSORS:
                if board_description.value_fn(board) is not None:
                    yield (
                        f"{board_description.key}_{board.index}",
                        partial(
                            AsicMinerBoardSensor,
                            coordinator,
                            board_description,
                            board.index,
                            units=units,
                        ),
                    )
        for fan in snapshot.fans:
            for fan_description in FAN_SENSORS:
                if fan_description.value_fn(fan) is not None:
                    yield (
                        f"{fan_description.key}_{_fan_kind(fan)}_{fan.index}",
                        partial(AsicMinerFanSensor, coordinator, fan_description, fan),
                    )

    return build


async_setup_entry = setup_when_reported(_sensor_builder, farm=async_setup_farm_sensors)
