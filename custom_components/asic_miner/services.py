"""Actions: registered once for the integration (not per miner), as the quality scale asks."""

from __future__ import annotations

from typing import Any

import probatio
from homeassistant.components.binary_sensor import DOMAIN as BINARY_SENSOR_DOMAIN
from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.components.climate import DOMAIN as CLIMATE_DOMAIN
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import service

from .const import (
    ATTR_MAX_POWER,
    ATTR_POOL,
    DOMAIN,
    SERVICE_SET_HEATING_CAP,
    SERVICE_SET_POOLS,
    SERVICE_SWITCH_POOL,
)
from .pool_actions import MAX_POOLS


# Up to three pools: url, user, password, then url_2, user_2, password_2, ... The driver
# checks the URLs (scheme, host, port) and says what is wrong in a translated error.
def _pool_fields() -> dict[str | probatio.Marker, Any]:
    fields: dict[str | probatio.Marker, Any] = {}
    for number in range(1, MAX_POOLS + 1):
        suffix = "" if number == 1 else f"_{number}"
        key = probatio.Required if number == 1 else probatio.Optional
        fields[key(f"url{suffix}")] = cv.string
        fields[key(f"user{suffix}")] = cv.string
        fields[probatio.Optional(f"password{suffix}")] = cv.string
    return fields


_SWITCH_FIELDS: dict[str | probatio.Marker, Any] = {
    probatio.Required(ATTR_POOL): probatio.All(probatio.Coerce(int), probatio.Range(1, MAX_POOLS))
}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """``set_heating_cap``: the most watts a miner's thermostat may use; none lifts it.

    ``set_pools`` / ``switch_pool``: a miner's pools (``pool_actions.py``).
    """
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_SET_HEATING_CAP,
        entity_domain=CLIMATE_DOMAIN,
        schema={
            probatio.Optional(ATTR_MAX_POWER): probatio.All(
                probatio.Coerce(float), probatio.Range(0, 100_000)
            )
        },
        func="async_set_heating_cap",
    )
    # The pool actions act on each targeted miner's Problem binary sensor: the one entity
    # every miner has enabled, once, so a device or area target reaches each miner once.
    pool_actions: tuple[tuple[str, dict[str | probatio.Marker, Any], str], ...] = (
        (SERVICE_SET_POOLS, _pool_fields(), "async_set_pools"),
        (SERVICE_SWITCH_POOL, _SWITCH_FIELDS, "async_switch_pool"),
    )
    for name, schema, func in pool_actions:
        service.async_register_platform_entity_service(
            hass,
            DOMAIN,
            name,
            entity_domain=BINARY_SENSOR_DOMAIN,
            entity_device_classes=[BinarySensorDeviceClass.PROBLEM],
            schema=schema,
            func=func,
        )
