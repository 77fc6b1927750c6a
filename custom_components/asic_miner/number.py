"""Number: the power limit in watts, where the firmware takes one.

It is the miner's main control (the price and solar blueprints drive it), so it has no
entity category and shows on the auto-generated dashboard. Its bounds come from the
firmware, else the hardware table, else the maker-wide range (``Miner.power_limit_range``);
a miner whose bounds are unknown gets no number and a repair issue instead of a
made-up 0-100 W.

The fan numbers (the manual fan speed in %, the temperature the fan curve holds) are
configuration: their bounds are the firmware's, the fan speed's floor the one that
protects air-cooled hardware (``Cooling.speed_range``). They start disabled, as the fan
mode select does: a miner keeps at most 12 entities enabled, and an owner who drives
the fans enables them once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfPower, UnitOfTemperature

from .coordinator import AsicMinerDataUpdateCoordinator
from .descriptions import NamedByKey
from .driver import THROTTLE_RANGE, Control, Cooling, Miner, MinerSnapshot, PowerLimitRange
from .entity import (
    AsicMinerEntity,
    Build,
    Reported,
    setup_when_reported,
)
from .farm_entities import async_setup_farm_numbers
from .helpers import asic_miner_exception_handler
from .repairs import async_set_power_limit_issue

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class AsicMinerNumberEntityDescription(NamedByKey, NumberEntityDescription):
    """A miner's number, named by its key."""


POWER_LIMIT = AsicMinerNumberEntityDescription(
    key="power_limit",
    device_class=NumberDeviceClass.POWER,
    native_unit_of_measurement=UnitOfPower.WATT,
    mode=NumberMode.SLIDER,
)


class AsicMinerPowerLimitNumber(AsicMinerEntity, NumberEntity):
    """Bounds and step come from the model and firmware, so every value is one it accepts.

    They follow the current snapshot (a profile or preset list can change); the bounds
    the entity was built with stand in while a poll did not report any.
    """

    _requires_write = True

    def __init__(
        self, coordinator: AsicMinerDataUpdateCoordinator, bounds: PowerLimitRange
    ) -> None:
        super().__init__(coordinator, POWER_LIMIT)
        self._built_bounds = bounds

    @property
    def _bounds(self) -> PowerLimitRange:
        return self.coordinator.data.power_limit_range or self._built_bounds

    @property
    def native_min_value(self) -> float:
        return self._bounds.minimum

    @property
    def native_max_value(self) -> float:
        return self._bounds.maximum

    @property
    def native_step(self) -> float:
        return self._bounds.step

    @property
    def native_value(self) -> float | None:
        return self.coordinator.data.power_limit

    @property
    def mode(self) -> NumberMode:
        """A box while the limit is unknown: a slider would sit at its minimum, a lie."""
        return NumberMode.SLIDER if self.native_value is not None else NumberMode.BOX

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The watts of each preset or profile, on firmware that runs only at those.

        Between two presets the miner falls back to the lower one, so an automation
        that aims anywhere else would keep re-sending a value it never reaches.
        """
        levels = self._bounds.levels
        return {"levels": list(levels)} if levels else None

    @asic_miner_exception_handler
    async def async_set_native_value(self, value: float) -> None:
        miner = self.coordinator.miner
        await miner.set_power_limit(round(value))
        if miner.restarts_after(Control.POWER_LIMIT):
            self.coordinator.expect_restart()


@dataclass(frozen=True, kw_only=True)
class AsicMinerCoolingNumberEntityDescription(AsicMinerNumberEntityDescription):
    """A fan setting: its control, its value and bounds in ``Cooling``, how to set it.

    Set in whole units (%, °C), a configuration one click away (as ``ONE_CLICK_AWAY``
    places one): the firmware's own defaults serve most owners.
    """

    control: Control
    value_fn: Callable[[Cooling], float | None]
    range_fn: Callable[[Cooling], tuple[float, float] | None]
    set_fn: Callable[[Miner, float], Awaitable[None]]
    native_step: float | None = 1
    entity_category: EntityCategory | None = EntityCategory.CONFIG
    entity_registry_enabled_default: bool = False


COOLING_NUMBERS: tuple[AsicMinerCoolingNumberEntityDescription, ...] = (
    AsicMinerCoolingNumberEntityDescription(
        key="fan_speed",
        control=Control.FAN_SPEED,
        native_unit_of_measurement=PERCENTAGE,
        mode=NumberMode.SLIDER,
        value_fn=lambda c: c.speed,
        range_fn=lambda c: c.speed_range,
        set_fn=lambda miner, value: miner.set_fan_speed(round(value)),
    ),
    AsicMinerCoolingNumberEntityDescription(
        key="temperature_target",
        control=Control.TEMPERATURE_TARGET,
        device_class=NumberDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        mode=NumberMode.BOX,
        value_fn=lambda c: c.target_temperature,
        range_fn=lambda c: c.target_range,
        set_fn=lambda miner, value: miner.set_temperature_target(value),
    ),
)


class _SnapshotBoundsNumber(AsicMinerEntity, NumberEntity):
    """A number whose (low, high) bounds follow the snapshot; those it was built with
    stand in while a poll did not report any."""

    _requires_write = True

    def __init__(
        self,
        coordinator: AsicMinerDataUpdateCoordinator,
        description: NumberEntityDescription,
        bounds: tuple[float, float],
    ) -> None:
        super().__init__(coordinator, description)
        self._built_bounds = bounds

    def _reported_bounds(self) -> tuple[float, float] | None:
        """The bounds the current snapshot reports, if any."""
        raise NotImplementedError

    @property
    def _bounds(self) -> tuple[float, float]:
        return self._reported_bounds() or self._built_bounds

    @property
    def native_min_value(self) -> float:
        return self._bounds[0]

    @property
    def native_max_value(self) -> float:
        return self._bounds[1]


class AsicMinerCoolingNumber(_SnapshotBoundsNumber):
    """A fan setting; the bounds follow the snapshot, those it was built with stand in."""

    entity_description: AsicMinerCoolingNumberEntityDescription

    @property
    def _cooling(self) -> Cooling:
        return self.coordinator.data.cooling or Cooling()

    def _reported_bounds(self) -> tuple[float, float] | None:
        return self.entity_description.range_fn(self._cooling)

    @property
    def native_value(self) -> float | None:
        return self.entity_description.value_fn(self._cooling)

    @asic_miner_exception_handler
    async def async_set_native_value(self, value: float) -> None:
        await self.entity_description.set_fn(self.coordinator.miner, value)


def _cooling_numbers(
    coordinator: AsicMinerDataUpdateCoordinator, snapshot: MinerSnapshot
) -> Iterable[Reported]:
    cooling = snapshot.cooling
    if cooling is None:
        return
    for description in COOLING_NUMBERS:
        bounds = description.range_fn(cooling)
        if coordinator.miner.supports(description.control) and bounds is not None:
            yield (
                description.key,
                partial(AsicMinerCoolingNumber, coordinator, description, bounds),
            )


# Braiins OS tunes by watts or by TH/s: the hashrate target switches its tuner to
# hashrate mode (the hashrate target reads unknown in power mode), the power limit
# switches it back. Both apply live. Disabled by default: the power limit is the control the
# blueprints and the thermostat drive.
HASHRATE_TARGET = AsicMinerNumberEntityDescription(
    key="hashrate_target",
    native_unit_of_measurement="TH/s",
    native_step=0.1,
    mode=NumberMode.BOX,
    entity_registry_enabled_default=False,
)


class AsicMinerHashrateTargetNumber(_SnapshotBoundsNumber):
    """The tuner's hashrate target, within the bounds the firmware reports."""

    def __init__(
        self, coordinator: AsicMinerDataUpdateCoordinator, bounds: tuple[float, float]
    ) -> None:
        super().__init__(coordinator, HASHRATE_TARGET, bounds)

    def _reported_bounds(self) -> tuple[float, float] | None:
        return self.coordinator.data.hashrate_target_range

    @property
    def native_value(self) -> float | None:
        """Unknown while the tuner aims at watts."""
        return self.coordinator.data.hashrate_target

    @asic_miner_exception_handler
    async def async_set_native_value(self, value: float) -> None:
        await self.coordinator.miner.set_hashrate_target(round(value, 1))


# VNish 1.3 runs at a percentage of full power (``mining/throttle``), applied live with
# no restart: the quick path to less heat or a cheaper hour. Disabled by default like the
# hashrate target: the power limit (its presets) stays what the blueprints and the
# thermostat drive.
THROTTLE = AsicMinerNumberEntityDescription(
    key="throttle",
    native_unit_of_measurement=PERCENTAGE,
    native_min_value=THROTTLE_RANGE[0],
    native_max_value=THROTTLE_RANGE[1],
    native_step=1,
    mode=NumberMode.SLIDER,
    entity_registry_enabled_default=False,
)


class AsicMinerThrottleNumber(AsicMinerEntity, NumberEntity):
    """The percentage of full power the firmware runs at, in the bounds it accepts."""

    _requires_write = True

    def __init__(self, coordinator: AsicMinerDataUpdateCoordinator) -> None:
        super().__init__(coordinator, THROTTLE)

    @property
    def native_value(self) -> float | None:
        return self.coordinator.data.throttle

    @asic_miner_exception_handler
    async def async_set_native_value(self, value: float) -> None:
        await self.coordinator.miner.set_throttle(round(value))


def _number_builder(coordinator: AsicMinerDataUpdateCoordinator) -> Build:
    def build(snapshot: MinerSnapshot) -> Iterable[Reported]:
        yield from _cooling_numbers(coordinator, snapshot)
        hashrate_bounds = snapshot.hashrate_target_range
        if Control.HASHRATE_TARGET in snapshot.controls and hashrate_bounds is not None:
            yield (
                HASHRATE_TARGET.key,
                partial(AsicMinerHashrateTargetNumber, coordinator, hashrate_bounds),
            )
        if Control.THROTTLE in snapshot.controls:
            yield THROTTLE.key, partial(AsicMinerThrottleNumber, coordinator)
        if Control.POWER_LIMIT not in snapshot.controls:
            return
        bounds = snapshot.power_limit_range
        async_set_power_limit_issue(
            coordinator.hass, coordinator.config_entry, unknown=bounds is None
        )
        if bounds is not None:
            yield POWER_LIMIT.key, partial(AsicMinerPowerLimitNumber, coordinator, bounds)

    return build


async_setup_entry = setup_when_reported(_number_builder, farm=async_setup_farm_numbers)
