"""What the integration's entity descriptions share: naming by key, how figures are shown.

A miner's entity is named by the translation of its key (``strings.json``:
``entity.<platform>.<key>.name``), so a description says its key once; one that is
named otherwise (a device class's name, a farm's own wording) says so.

A miner's hashrate, power and efficiency and the farm's totals of them are shown in the
same units and precision: ``Shown`` says it once for both. Settings few owners change are
placed alike: ``ONE_CLICK_AWAY``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfEnergy, UnitOfPower
from homeassistant.helpers.entity import EntityDescription


@dataclass(frozen=True, kw_only=True)
class NamedByKey(EntityDescription):
    """Mixin (listed before the platform's description): ``translation_key`` is ``key``."""

    def __post_init__(self) -> None:
        if self.translation_key is None:
            object.__setattr__(self, "translation_key", self.key)


ENERGY = SensorEntityDescription(
    key="energy",
    translation_key="energy",
    device_class=SensorDeviceClass.ENERGY,
    native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
    state_class=SensorStateClass.TOTAL_INCREASING,
    suggested_display_precision=2,
)
"""Energy for the Energy dashboard: a miner's, its estimate's and the farm's (``replace``)."""


class Shown(TypedDict, total=False):
    """How a figure is shown, passed to a sensor description as ``**`` keywords."""

    device_class: SensorDeviceClass
    native_unit_of_measurement: str
    suggested_display_precision: int


# SHA-256's units: each miner's algorithm (and size) picks the unit a miner's figure is
# shown in (driver/units.py), once, so statistics keep one unit; the farm adds up
# SHA-256 miners only.
HASHRATE_SHOWN: Shown = {"native_unit_of_measurement": "TH/s", "suggested_display_precision": 2}
EFFICIENCY_SHOWN: Shown = {"native_unit_of_measurement": "J/TH", "suggested_display_precision": 1}
POWER_SHOWN: Shown = {
    "device_class": SensorDeviceClass.POWER,
    "native_unit_of_measurement": UnitOfPower.WATT,
    "suggested_display_precision": 0,
}


class Placed(TypedDict):
    """Where an entity stands on the device page, passed as ``**`` keywords."""

    entity_category: EntityCategory
    entity_registry_enabled_default: bool


ONE_CLICK_AWAY: Placed = {
    "entity_category": EntityCategory.CONFIG,
    "entity_registry_enabled_default": False,
}
"""A setting few owners change (the fault light, the fans, restarting the backend): in the
device's configuration and disabled at first, so a miner keeps at most 12 entities
enabled (issue 12); enabling it is one click."""
