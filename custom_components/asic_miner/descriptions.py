"""What the integration's entity descriptions share: naming by key, the energy sensor.

A miner's entity is named by the translation of its key (``strings.json``:
``entity.<platform>.<key>.name``), so a description says its key once; one that is
named otherwise (a device class's name, a farm's own wording) says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfEnergy
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
