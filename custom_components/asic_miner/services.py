"""Actions: registered once for the integration (not per miner), as the quality scale asks."""

from __future__ import annotations

import probatio
from homeassistant.components.climate import DOMAIN as CLIMATE_DOMAIN
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import service

from .const import ATTR_MAX_POWER, DOMAIN, SERVICE_SET_HEATING_CAP


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """``set_heating_cap``: the most watts a miner's thermostat may use; none lifts it."""
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
