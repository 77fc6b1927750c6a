"""The base entity, and the rule for adding entities as the miner reports them."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.sensor import SensorEntity
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant, State, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import AsicMinerConfigEntry, AsicMinerDataUpdateCoordinator
from .driver import Control, MinerIdentity, MinerSnapshot
from .farm import is_farm_entry
from .naming import device_name, real_mac
from .reported_shape import reported_shape


class AsicMinerEntity(CoordinatorEntity[AsicMinerDataUpdateCoordinator]):
    """An entity of one miner device."""

    _attr_has_entity_name = True
    # Controls: unavailable while the miner refuses its write path (see the coordinator).
    _requires_write = False
    # The state object this entity last wrote, and what it showed (see ``_shown``).
    _last_shown: tuple[State | None, tuple[Any, ...]] | None = None

    def __init__(
        self,
        coordinator: AsicMinerDataUpdateCoordinator,
        description: EntityDescription,
        *,
        key_suffix: str = "",
        placeholders: dict[str, str] | None = None,
    ) -> None:
        super().__init__(coordinator)
        self.entity_description = description
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.unique_id}_{description.key}{key_suffix}"
        if placeholders:
            self._attr_translation_placeholders = placeholders
        # The miner's device, registered once for all its entities: Home Assistant
        # merges an entity's device description into the registry for every entity
        # added (36 a miner, 7,000 calls when 200 miners are added at once).
        self.device_entry = _device_entry(coordinator)

    @property
    def available(self) -> bool:
        if self._requires_write and self.coordinator.write_problem is not None:
            return False
        return super().available

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state only when what it shows changed (200 miners poll every 15 s).

        Home Assistant drops an identical state itself, but only after computing every
        attribute; a reading is compared here on its own value first. The write is
        skipped only while the state machine still holds the state this entity last
        wrote (nothing else wrote since, such as a unit changed in the registry).
        """
        shown = self._shown()
        if self._last_shown is not None:
            state, was = self._last_shown
            if shown == was and self.hass.states.get(self.entity_id) is state:
                return
        self.async_write_ha_state()
        self._last_shown = (self.hass.states.get(self.entity_id), shown)

    async def add_to_platform_finish(self) -> None:
        """Remember what the first state showed: the first poll then compares to it
        rather than writing every new entity a second time (with 200 miners added at
        once, 2,000 writes)."""
        await super().add_to_platform_finish()
        self._last_shown = (self.hass.states.get(self.entity_id), self._shown())

    def _shown(self) -> tuple[Any, ...]:
        """What the written state depends on, cheaply for readings.

        A reading shows its value and attributes. A control or the thermostat shows
        its state and its ranges, options and targets as well (power-limit bounds and
        work modes follow the miner); names, units and icons never change with a poll.
        """
        available = self.available
        kind = _KIND.get(type(self))
        if kind is None:  # isinstance over these ABCs is slow; once per class
            kind = _KIND[type(self)] = (
                "sensor"
                if isinstance(self, SensorEntity)
                else "binary_sensor"
                if isinstance(self, BinarySensorEntity)
                else "control"
            )
        if kind == "sensor":
            value: Any = self.native_value  # type: ignore[attr-defined]
        elif kind == "binary_sensor":
            value = self.is_on  # type: ignore[attr-defined]
        elif available:
            value = (
                self.state,
                self.capability_attributes,
                self.state_attributes,
                self.supported_features,
            )
        else:
            value = (self.capability_attributes, self.supported_features)
        return (available, value, self.extra_state_attributes)


# Which of ``_shown``'s cases an entity class takes.
_KIND: dict[type[AsicMinerEntity], str] = {}


# One device per miner, shared by its entities (30 or more each): registered again only
# when the identity or the address it names changed (with the entry's next setup).
_DEVICES: WeakKeyDictionary[AsicMinerDataUpdateCoordinator, tuple[Any, str]] = WeakKeyDictionary()


def _device_entry(coordinator: AsicMinerDataUpdateCoordinator) -> dr.AnyDeviceEntry:
    """The miner's device, registered when its first entity is made.

    What Home Assistant would do for an entity carrying the device description, once a
    miner instead of once an entity; the entry is looked up afresh each time, so an
    entity made later (a board coming back) sees the name the user gave the device.
    """
    entry = coordinator.config_entry
    identity = coordinator.miner.identity
    host = entry.data[CONF_HOST]
    key = (identity, host, entry.unique_id)
    devices = dr.async_get(coordinator.hass)
    cached = _DEVICES.get(coordinator)
    if cached is not None and cached[0] == key and (device := devices.async_get(cached[1])):
        return device
    device = devices.async_get_or_create(
        config_entry_id=entry.entry_id,
        config_subentry_id=None,
        **_device_info(identity, host, str(entry.unique_id)),
    )
    _DEVICES[coordinator] = (key, device.id)
    return device


def _device_info(identity: MinerIdentity, host: str, unique_id: str) -> DeviceInfo:
    # A placeholder MAC shared by many units would merge their devices: only a real one.
    mac = real_mac(identity)
    connections = {(CONNECTION_NETWORK_MAC, mac.lower())} if mac else set()
    return DeviceInfo(
        identifiers={(DOMAIN, unique_id)},
        connections=connections,
        manufacturer=identity.make,
        model=identity.model,
        name=device_name(identity, host),
        sw_version=(
            f"{identity.firmware} {identity.firmware_version}"
            if identity.firmware_version
            else identity.firmware
        ),
        serial_number=identity.serial,
        configuration_url=f"http://{host}",
    )


type EntityFactory = Callable[[], Entity]
# What a platform's ``build`` yields: a cheap key (the unique ID's suffix, such as
# ``board_hashrate_2``) with the factory that makes the entity.
type Reported = tuple[str, EntityFactory]


@callback
def async_add_when_reported(
    entry: AsicMinerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[MinerSnapshot], Iterable[Reported]],
) -> None:
    """Add entities from what the miner reports, now and whenever it reports more.

    A miner that was off at start gets its entities on its first answer; a board or
    fan that appears later (a board coming back after a restart) gets its entities
    then. Entities are never created from a guess of the board or fan count.

    Runs on every poll, so ``build`` yields keys with factories: only a key not seen
    before has its entity constructed, and an unchanged poll constructs nothing (with
    200 miners, rebuilding every entity each poll cost CPU and doubled the garbage
    collector's pauses). ``build`` itself runs only when the snapshot reports other
    things than at its last run (``reported_shape.py``): a steady poll costs each
    platform one comparison.
    """
    coordinator = entry.runtime_data
    known: set[str] = set()

    @callback
    def add_new(data: MinerSnapshot) -> None:
        new: list[Entity] = []
        for key, factory in build(data):
            if key in known:
                continue
            known.add(key)
            new.append(factory())
        if new:
            async_add_entities(new)

    watch = _WATCHES.get(coordinator)
    if watch is None:
        watch = _WATCHES[coordinator] = _ReportedWatch(coordinator)
        entry.async_on_unload(watch.stop)
    watch.add(add_new)


class _ReportedWatch:
    """One coordinator listener per miner for all its platforms' ``build``.

    It works out the snapshot's shape once a poll and runs the platforms' builders
    only when it changed: an unchanged poll costs one comparison, not one listener
    and one ``build`` per platform.
    """

    def __init__(self, coordinator: AsicMinerDataUpdateCoordinator) -> None:
        self._coordinator = coordinator
        self._builders: list[Callable[[MinerSnapshot], None]] = []
        self._shape: Any = None  # the shape the builders last ran for
        self._unsubscribe = coordinator.async_add_listener(self._update)

    def _current(self) -> tuple[MinerSnapshot | None, Any]:
        data: MinerSnapshot | None = self._coordinator.data  # None until it first answers
        if data is None:
            return None, None
        # The builders also ask the miner which controls it has.
        return data, (reported_shape(data), self._coordinator.miner.controls)

    @callback
    def add(self, builder: Callable[[MinerSnapshot], None]) -> None:
        """A platform's builder: run now, then whenever the shape changes."""
        self._builders.append(builder)
        data, self._shape = self._current()
        if data is not None:
            builder(data)

    @callback
    def _update(self) -> None:
        data, shape = self._current()
        if data is None or shape == self._shape:
            return
        self._shape = shape
        for builder in self._builders:
            builder(data)

    @callback
    def stop(self) -> None:
        self._unsubscribe()
        _WATCHES.pop(self._coordinator, None)


_WATCHES: WeakKeyDictionary[AsicMinerDataUpdateCoordinator, _ReportedWatch] = WeakKeyDictionary()


type Build = Callable[[MinerSnapshot], Iterable[Reported]]
type SetupEntry = Callable[
    [HomeAssistant, AsicMinerConfigEntry, AddConfigEntryEntitiesCallback],
    Coroutine[Any, Any, None],
]


def setup_when_reported(
    builder: Callable[[AsicMinerDataUpdateCoordinator], Build], *, farm: SetupEntry | None = None
) -> SetupEntry:
    """A platform's ``async_setup_entry``: its entities as each miner reports them.

    ``builder`` makes, per miner, the ``build`` that ``async_add_when_reported`` runs on
    every poll; ``farm`` sets up the platform's entities of the farm device's entry.
    """

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: AsicMinerConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        if is_farm_entry(entry):
            if farm is not None:  # the farm device's totals and controls (farm_entities.py)
                await farm(hass, entry, async_add_entities)
            return
        async_add_when_reported(entry, async_add_entities, builder(entry.runtime_data))

    return async_setup_entry


def each_description[D: EntityDescription](
    entity: Callable[[AsicMinerDataUpdateCoordinator, D], Entity],
    descriptions: Iterable[D],
    *,
    control: Callable[[D], Control] | None = None,
) -> Callable[[AsicMinerDataUpdateCoordinator], Build]:
    """One entity per description; with ``control``, only where the miner has that control."""

    def builder(coordinator: AsicMinerDataUpdateCoordinator) -> Build:
        def build(snapshot: MinerSnapshot) -> Iterable[Reported]:
            return [
                (d.key, partial(entity, coordinator, d))
                for d in descriptions
                if control is None or coordinator.miner.supports(control(d))
            ]

        return build

    return builder
