"""Sensors: the miner's figures, per-board and per-fan readings, energy."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    REVOLUTIONS_PER_MINUTE,
    EntityCategory,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .coordinator import AsicMinerConfigEntry, AsicMinerDataUpdateCoordinator
from .driver import Board, Fan, MinerSnapshot, lookup_hardware
from .entity import AsicMinerEntity, async_add_when_reported
from .farm import is_farm_entry
from .farm_entities import async_setup_farm_sensors

PARALLEL_UPDATES = 0

UNIT_HASHRATE = "TH/s"
UNIT_SMALL_HASHRATE = "GH/s"
# Below this nominal hashrate (TH/s) a miner is shown in GH/s: a Bitaxe's 1.2 TH/s reads
# as 1200 GH/s, as its own web UI shows it. Decided once per miner, so statistics keep
# one unit.
SMALL_MINER_THS = 2.0
UNIT_EFFICIENCY = "J/TH"
# Gaps longer than this are not integrated into energy: we don't know what happened.
MAX_ENERGY_GAP = timedelta(minutes=5)
UPTIME_JITTER = timedelta(minutes=1)


@dataclass(frozen=True, kw_only=True)
class AsicMinerSensorEntityDescription(SensorEntityDescription):
    """A miner-wide sensor; it exists once the miner reports its value."""

    value_fn: Callable[[MinerSnapshot], StateType | datetime]
    exists_fn: Callable[[MinerSnapshot], bool] | None = None
    attributes_fn: Callable[[MinerSnapshot], dict[str, Any]] | None = None
    hashrate: bool = False  # in TH/s; shown in GH/s for small miners


@dataclass(frozen=True, kw_only=True)
class AsicMinerBoardSensorEntityDescription(SensorEntityDescription):
    """A per-board sensor, created for each board that reports the value."""

    value_fn: Callable[[Board], StateType]
    hashrate: bool = False


@dataclass(frozen=True, kw_only=True)
class AsicMinerFanSensorEntityDescription(SensorEntityDescription):
    value_fn: Callable[[Fan], StateType]


def _is_small_miner(snapshot: MinerSnapshot) -> bool:
    identity = snapshot.identity
    hardware = lookup_hardware(identity.make, identity.model)
    nominal = hardware.nominal_hashrate if hardware else snapshot.expected_hashrate
    if nominal is None:
        nominal = snapshot.hashrate
    return nominal is not None and 0 < nominal < SMALL_MINER_THS


def _scaled[T: (StateType, StateType | datetime)](value: T, factor: float) -> T:
    if factor != 1.0 and isinstance(value, int | float):
        return round(value * factor, 3)
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


SENSORS: tuple[AsicMinerSensorEntityDescription, ...] = (
    AsicMinerSensorEntityDescription(
        key="hashrate",
        translation_key="hashrate",
        native_unit_of_measurement=UNIT_HASHRATE,
        hashrate=True,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda s: s.hashrate,
    ),
    AsicMinerSensorEntityDescription(
        key="expected_hashrate",
        translation_key="expected_hashrate",
        native_unit_of_measurement=UNIT_HASHRATE,
        hashrate=True,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda s: s.expected_hashrate,
    ),
    AsicMinerSensorEntityDescription(
        key="power",
        translation_key="power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda s: s.power,
    ),
    AsicMinerSensorEntityDescription(
        key="power_limit",
        translation_key="power_limit",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda s: s.power_limit,
    ),
    AsicMinerSensorEntityDescription(
        key="efficiency",
        translation_key="efficiency",
        native_unit_of_measurement=UNIT_EFFICIENCY,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda s: s.efficiency,
        exists_fn=lambda s: s.power is not None,
    ),
    AsicMinerSensorEntityDescription(
        key="environment_temperature",
        translation_key="environment_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda s: s.environment_temperature,
    ),
    AsicMinerSensorEntityDescription(
        key="chip_temperature",
        translation_key="chip_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda s: s.chip_temperature,
    ),
    AsicMinerSensorEntityDescription(
        key="board_temperature",
        translation_key="board_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda s: s.board_temperature,
    ),
    AsicMinerSensorEntityDescription(
        key="uptime",
        translation_key="uptime",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_boot_time,
    ),
    AsicMinerSensorEntityDescription(
        key="errors",
        translation_key="errors",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        # Unknown, not 0, when the errors could not be read.
        value_fn=lambda s: None if s.errors is None else len(s.errors),
        attributes_fn=_errors_attributes,
    ),
    AsicMinerSensorEntityDescription(
        key="active_pool",
        translation_key="active_pool",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_pool_server,
        exists_fn=lambda s: bool(s.pools),
    ),
    AsicMinerSensorEntityDescription(
        key="accepted_shares",
        translation_key="accepted_shares",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda s: _pool_attr(s, "accepted"),
        exists_fn=lambda s: bool(s.pools),
    ),
    AsicMinerSensorEntityDescription(
        key="rejected_shares",
        translation_key="rejected_shares",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda s: _pool_attr(s, "rejected"),
        exists_fn=lambda s: bool(s.pools),
    ),
)

BOARD_SENSORS: tuple[AsicMinerBoardSensorEntityDescription, ...] = (
    AsicMinerBoardSensorEntityDescription(
        key="board_hashrate",
        translation_key="board_hashrate",
        native_unit_of_measurement=UNIT_HASHRATE,
        hashrate=True,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        entity_registry_enabled_default=False,
        value_fn=lambda b: b.hashrate,
    ),
    AsicMinerBoardSensorEntityDescription(
        key="board_chip_temperature",
        translation_key="board_chip_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=lambda b: b.chip_temperature,
    ),
    AsicMinerBoardSensorEntityDescription(
        key="board_board_temperature",
        translation_key="board_board_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=lambda b: b.board_temperature,
    ),
    AsicMinerBoardSensorEntityDescription(
        key="board_inlet_temperature",
        translation_key="board_inlet_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda b: b.inlet_temperature,
    ),
    AsicMinerBoardSensorEntityDescription(
        key="board_outlet_temperature",
        translation_key="board_outlet_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda b: b.outlet_temperature,
    ),
    AsicMinerBoardSensorEntityDescription(
        key="board_chips",
        translation_key="board_chips",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda b: b.chips,
    ),
)

FAN_SENSORS: tuple[AsicMinerFanSensorEntityDescription, ...] = (
    AsicMinerFanSensorEntityDescription(
        key="fan_speed",
        translation_key="fan_speed",
        native_unit_of_measurement=REVOLUTIONS_PER_MINUTE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda f: f.rpm,
    ),
)

ENERGY = SensorEntityDescription(
    key="energy",
    translation_key="energy",
    device_class=SensorDeviceClass.ENERGY,
    native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
    state_class=SensorStateClass.TOTAL_INCREASING,
    suggested_display_precision=2,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AsicMinerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    if is_farm_entry(entry):  # the farm device's totals and controls (farm_entities.py)
        await async_setup_farm_sensors(hass, entry, async_add_entities)
        return
    coordinator = entry.runtime_data

    def build(snapshot: MinerSnapshot) -> Iterable[Entity]:
        small = _is_small_miner(snapshot)
        for description in SENSORS:
            if description.exists_fn is not None:
                exists = description.exists_fn(snapshot)
            else:
                exists = description.value_fn(snapshot) is not None
            if exists:
                yield AsicMinerSensor(coordinator, description, small=small)
        if snapshot.power is not None or snapshot.energy is not None:
            yield AsicMinerEnergySensor(coordinator, ENERGY)
        for board in snapshot.boards:
            for board_description in BOARD_SENSORS:
                if board_description.value_fn(board) is not None:
                    yield AsicMinerBoardSensor(
                        coordinator, board_description, board.index, small=small
                    )
        for fan in snapshot.fans:
            for fan_description in FAN_SENSORS:
                if fan_description.value_fn(fan) is not None:
                    yield AsicMinerFanSensor(coordinator, fan_description, fan)

    async_add_when_reported(entry, async_add_entities, build)


class AsicMinerSensor(AsicMinerEntity, SensorEntity):
    entity_description: AsicMinerSensorEntityDescription

    def __init__(
        self,
        coordinator: AsicMinerDataUpdateCoordinator,
        description: AsicMinerSensorEntityDescription,
        *,
        small: bool = False,
    ) -> None:
        super().__init__(coordinator, description)
        self._factor = 1000.0 if small and description.hashrate else 1.0
        if self._factor != 1.0:
            self._attr_native_unit_of_measurement = UNIT_SMALL_HASHRATE

    @property
    def native_value(self) -> StateType | datetime:
        value = _scaled(self.entity_description.value_fn(self.coordinator.data), self._factor)
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


class AsicMinerBoardSensor(AsicMinerEntity, SensorEntity):
    entity_description: AsicMinerBoardSensorEntityDescription

    def __init__(
        self,
        coordinator: AsicMinerDataUpdateCoordinator,
        description: AsicMinerBoardSensorEntityDescription,
        index: int,
        *,
        small: bool = False,
    ) -> None:
        super().__init__(
            coordinator,
            description,
            key_suffix=f"_{index}",
            placeholders={"board": str(index + 1)},
        )
        self.index = index
        self._factor = 1000.0 if small and description.hashrate else 1.0
        if self._factor != 1.0:
            self._attr_native_unit_of_measurement = UNIT_SMALL_HASHRATE

    def _board(self) -> Board | None:
        for board in self.coordinator.data.boards:
            if board.index == self.index:
                return board
        return None

    @property
    def available(self) -> bool:
        return super().available and self._board() is not None

    @property
    def native_value(self) -> StateType:
        board = self._board()
        return (
            None
            if board is None
            else _scaled(self.entity_description.value_fn(board), self._factor)
        )


class AsicMinerFanSensor(AsicMinerEntity, SensorEntity):
    entity_description: AsicMinerFanSensorEntityDescription

    def __init__(
        self,
        coordinator: AsicMinerDataUpdateCoordinator,
        description: AsicMinerFanSensorEntityDescription,
        fan: Fan,
    ) -> None:
        kind = "psu_fan" if fan.psu else "fan"
        super().__init__(
            coordinator,
            description,
            key_suffix=f"_{kind}_{fan.index}",
            placeholders={"fan": "PSU" if fan.psu else str(fan.index + 1)},
        )
        self.index = fan.index
        self.psu = fan.psu

    def _fan(self) -> Fan | None:
        for fan in self.coordinator.data.fans:
            if fan.index == self.index and fan.psu == self.psu:
                return fan
        return None

    @property
    def available(self) -> bool:
        return super().available and self._fan() is not None

    @property
    def native_value(self) -> StateType:
        fan = self._fan()
        return None if fan is None else self.entity_description.value_fn(fan)


class AsicMinerEnergySensor(AsicMinerEntity, RestoreSensor):
    """Energy used, for the Energy dashboard.

    Uses the firmware's own counter where it keeps one; otherwise integrates power
    over time (trapezoids between polls), restored across restarts. A gap without
    readings adds nothing rather than a guess.
    """

    _attr_native_value: float | None = None

    def __init__(
        self, coordinator: AsicMinerDataUpdateCoordinator, description: SensorEntityDescription
    ) -> None:
        super().__init__(coordinator, description)
        self._last: tuple[datetime, float] | None = None

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        restored = await self.async_get_last_sensor_data()
        if restored is not None and isinstance(restored.native_value, int | float):
            self._attr_native_value = float(restored.native_value)
        self._integrate()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._integrate()
        super()._handle_coordinator_update()

    def _integrate(self) -> None:
        if not self.coordinator.last_update_success:
            self._last = None
            return
        snapshot = self.coordinator.data
        if snapshot.energy is not None:
            self._attr_native_value = round(snapshot.energy, 4)
            return
        if snapshot.power is None:
            self._last = None
            return
        now = dt_util.utcnow()
        if self._last is not None:
            then, power = self._last
            elapsed = now - then
            if timedelta(0) < elapsed <= MAX_ENERGY_GAP:
                kwh = (power + snapshot.power) / 2 * elapsed.total_seconds() / 3_600_000
                self._attr_native_value = round((self._attr_native_value or 0.0) + kwh, 4)
        elif self._attr_native_value is None:
            self._attr_native_value = 0.0
        self._last = (now, snapshot.power)
