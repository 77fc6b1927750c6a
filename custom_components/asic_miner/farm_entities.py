"""The farm device's entities: totals, pause/resume all, and a farm power cap."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from homeassistant.components.number import NumberDeviceClass, NumberEntity, NumberEntityDescription
from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import UnitOfEnergy, UnitOfPower
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import ExtraStoredData, RestoredExtraData, RestoreEntity
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util.unit_conversion import EnergyConverter

from .const import DOMAIN, FARM_UNIQUE_ID, LOGGER
from .descriptions import EFFICIENCY_SHOWN, ENERGY, HASHRATE_SHOWN, POWER_SHOWN, Shown
from .driver import Control, Miner, MinerError
from .farm import (
    FarmCoordinator,
    FarmMiner,
    FarmSnapshot,
    FarmTotal,
    farm_device_info,
    farm_power_bounds,
    spread_power_budget,
)


class FarmEntity(CoordinatorEntity[FarmCoordinator]):
    """An entity of the farm device; available while the farm entry is loaded."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: FarmCoordinator, description: EntityDescription) -> None:
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{FARM_UNIQUE_ID}_{description.key}"
        self._attr_device_info = farm_device_info()


# -- sensors -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FarmSensorEntityDescription(SensorEntityDescription):
    """A total over the farm's miners: a measurement, kept in long-term statistics."""

    total_fn: Callable[[FarmSnapshot], FarmTotal]
    state_class: SensorStateClass | None = SensorStateClass.MEASUREMENT


def _sum(key: str, shown: Shown) -> FarmSensorEntityDescription:
    """The sum of the miners' ``key`` figure (``FarmSnapshot.total``), shown as theirs is."""
    return FarmSensorEntityDescription(
        key=key, translation_key=f"farm_{key}", total_fn=lambda s: s.total(key), **shown
    )


def _count(snapshot: FarmSnapshot, counted: tuple[FarmMiner, ...]) -> FarmTotal:
    ids = {m.unique_id for m in counted}
    return FarmTotal(len(counted), tuple(m.name for m in snapshot.miners if m.unique_id not in ids))


FARM_SENSORS: tuple[FarmSensorEntityDescription, ...] = (
    _sum("hashrate", HASHRATE_SHOWN),
    _sum("power", POWER_SHOWN),
    FarmSensorEntityDescription(
        key="efficiency",
        translation_key="farm_efficiency",
        **EFFICIENCY_SHOWN,
        total_fn=lambda s: s.efficiency,
    ),
    FarmSensorEntityDescription(
        key="miners_online",
        translation_key="miners_online",
        total_fn=lambda s: _count(s, s.online),
    ),
    FarmSensorEntityDescription(
        key="miners_mining",
        translation_key="miners_mining",
        total_fn=lambda s: _count(s, s.mining),
    ),
)

FARM_ENERGY = replace(ENERGY, translation_key="farm_energy")


async def async_setup_farm_sensors(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    coordinator: FarmCoordinator = entry.runtime_data
    async_add_entities(
        [
            *(FarmSensor(coordinator, d) for d in FARM_SENSORS),
            FarmEnergySensor(coordinator, FARM_ENERGY),
        ]
    )


class FarmSensor(FarmEntity, SensorEntity):
    """A total over the miners that answer; ``missing`` lists the ones left out."""

    entity_description: FarmSensorEntityDescription

    @property
    def native_value(self) -> StateType:
        return self.entity_description.total_fn(self.coordinator.data).value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        total = self.entity_description.total_fn(self.coordinator.data)
        attributes: dict[str, Any] = {
            "miners": len(self.coordinator.data.miners),
            "missing": list(total.missing),
        }
        if total.other_algorithms:  # hashrate and efficiency are SHA-256 only
            attributes["other_algorithms"] = list(total.other_algorithms)
        return attributes


class FarmEnergySensor(FarmEntity, SensorEntity, RestoreEntity):
    """Energy of the whole farm, for the Energy dashboard; it never goes down.

    It adds up what each miner's own energy sensor gained since the farm last saw it,
    so a miner going offline (or being removed) only stops adding; it never takes its
    energy back out. A miner's counter that went down started again from zero (its
    firmware reset it), so its new reading is what it gained. The total and each
    miner's last reading are restored across restarts.
    """

    def __init__(self, coordinator: FarmCoordinator, description: SensorEntityDescription) -> None:
        super().__init__(coordinator, description)
        self._total: float | None = None
        self._seen: dict[str, float] = {}

    @property
    def native_value(self) -> float | None:
        return None if self._total is None else round(self._total, 4)

    @property
    def extra_restore_state_data(self) -> ExtraStoredData:
        return RestoredExtraData({"total": self._total, "seen": dict(self._seen)})

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        restored = await self.async_get_last_extra_data()
        if restored is not None:
            data = restored.as_dict()
            if isinstance(data.get("total"), int | float):
                self._total = float(data["total"])
            seen = data.get("seen")
            if isinstance(seen, dict):
                self._seen = {
                    str(k): float(v) for k, v in seen.items() if isinstance(v, int | float)
                }
        self._accumulate()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._accumulate()
        super()._handle_coordinator_update()

    def _reading(self, miner: FarmMiner) -> float | None:
        entity_id = er.async_get(self.hass).async_get_entity_id(
            "sensor", DOMAIN, f"{miner.unique_id}_energy"
        )
        state = self.hass.states.get(entity_id) if entity_id else None
        if state is None:
            return None
        try:
            value = float(state.state)
        except ValueError:
            return None  # unavailable or unknown: the miner adds nothing now
        unit = state.attributes.get("unit_of_measurement")
        if unit != UnitOfEnergy.KILO_WATT_HOUR:
            if unit not in EnergyConverter.VALID_UNITS:
                return None
            value = EnergyConverter.convert(value, unit, UnitOfEnergy.KILO_WATT_HOUR)
        return value

    def _accumulate(self) -> None:
        for miner in self.coordinator.data.miners:
            value = self._reading(miner)
            if value is None:
                continue
            before = self._seen.get(miner.unique_id)
            self._seen[miner.unique_id] = value
            if self._total is None:
                self._total = 0.0
            if before is not None:
                self._total += value - before if value >= before else value


# -- switch: pause all / resume all ---------------------------------------------------

MINING = SwitchEntityDescription(key="mining", translation_key="farm_mining")


async def _run_on_miners(
    coordinator: FarmCoordinator,
    jobs: list[tuple[FarmMiner, Callable[[Miner], Awaitable[None]]]],
) -> None:
    """Send one control to many miners at once; name every one that refused."""
    miners = [miner for miner, _job in jobs]

    async def run(miner: FarmMiner, job: Callable[[Miner], Awaitable[None]]) -> None:
        assert miner.coordinator is not None
        await job(miner.coordinator.miner)

    results = await asyncio.gather(*(run(m, job) for m, job in jobs), return_exceptions=True)
    failed: list[str] = []
    for miner, result in zip(miners, results, strict=True):
        if isinstance(result, MinerError):
            LOGGER.warning("Farm control: %s refused: %s", miner.name, result)
            failed.append(miner.name)
        elif isinstance(result, BaseException):
            raise result
    # Show what the miners do now, not after the next poll.
    await asyncio.gather(*(m.coordinator.async_refresh() for m in miners if m.coordinator))
    await coordinator.async_refresh()
    if failed:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="farm_control_failed",
            translation_placeholders={"miners": ", ".join(failed)},
        )


async def async_setup_farm_switches(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    async_add_entities([FarmMiningSwitch(entry.runtime_data, MINING)])


class FarmMiningSwitch(FarmEntity, SwitchEntity):
    """On while any miner mines; off pauses every miner that can pause, on resumes them."""

    def _miners(self, fresh: bool = False) -> list[FarmMiner]:
        data = self.coordinator.gather() if fresh else self.coordinator.data
        return data.memo(
            "can_pause", lambda: [m for m in data.online if m.controllable(Control.MINING)]
        )

    @property
    def available(self) -> bool:
        return super().available and bool(self._miners())

    @property
    def is_on(self) -> bool | None:
        return bool(self.coordinator.data.mining)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        return {"mining": [m.name for m in self.coordinator.data.mining]}

    async def _set(self, on: bool) -> None:
        await _run_on_miners(
            self.coordinator,
            [(m, lambda miner: miner.set_mining(on)) for m in self._miners(fresh=True)],
        )

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._set(False)


# -- number: the farm power cap -------------------------------------------------------

POWER_CAP = NumberEntityDescription(
    key="power_cap",
    translation_key="farm_power_cap",
    device_class=NumberDeviceClass.POWER,
    native_unit_of_measurement=UnitOfPower.WATT,
    native_step=1,
)


async def async_setup_farm_numbers(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    async_add_entities([FarmPowerCapNumber(entry.runtime_data, POWER_CAP)])


class FarmPowerCapNumber(FarmEntity, NumberEntity):
    """A power budget for the whole farm, spread over the miners with a power limit.

    Its value is the sum of those miners' current limits (what the farm is capped at
    now), its bounds the sums of their bounds. Setting it places every such miner at
    the same fraction of its own range (``farm.spread_power_budget``).
    """

    def _miners(self, fresh: bool = False) -> list[FarmMiner]:
        data = self.coordinator.gather() if fresh else self.coordinator.data
        return data.memo(
            "can_cap",
            lambda: [
                m
                for m in data.online
                if m.controllable(Control.POWER_LIMIT)
                and m.snapshot is not None
                and m.snapshot.power_limit_range is not None
            ],
        )

    def _bounds(self) -> tuple[int, int]:
        return farm_power_bounds(
            m.snapshot.power_limit_range
            for m in self._miners()
            if m.snapshot is not None and m.snapshot.power_limit_range is not None
        )

    @property
    def available(self) -> bool:
        return super().available and bool(self._miners())

    @property
    def native_min_value(self) -> float:
        return self._bounds()[0]

    @property
    def native_max_value(self) -> float:
        return max(self._bounds()[1], 1)

    @property
    def native_value(self) -> float | None:
        limits = [m.snapshot.power_limit for m in self._miners() if m.snapshot is not None]
        if not limits or any(limit is None for limit in limits):
            return None
        return sum(limit for limit in limits if limit is not None)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        return {"miners": [m.name for m in self._miners()]}

    async def async_set_native_value(self, value: float) -> None:
        miners = {m.unique_id: m for m in self._miners(fresh=True)}
        ranges = {
            key: m.snapshot.power_limit_range
            for key, m in miners.items()
            if m.snapshot is not None and m.snapshot.power_limit_range is not None
        }
        shares = spread_power_budget(value, ranges)
        jobs: list[tuple[FarmMiner, Callable[[Miner], Awaitable[None]]]] = []
        for key, watts in shares.items():
            miner = miners[key]
            if miner.snapshot is not None and miner.snapshot.power_limit == watts:
                continue  # already there: no write (some firmware restarts on each)

            async def write(
                handle: Miner, watts: int = watts, farm_miner: FarmMiner = miner
            ) -> None:
                await handle.set_power_limit(watts)
                if handle.restarts_after(Control.POWER_LIMIT) and farm_miner.coordinator:
                    farm_miner.coordinator.expect_restart()

            jobs.append((miner, write))
        await _run_on_miners(self.coordinator, jobs)
