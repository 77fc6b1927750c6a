"""Options: how the thermostat (climate entity) reads the room and paces the miner.

All optional: without a sensor the thermostat reads the miner's own environment or
inlet temperature; the timing defaults protect the hardware (``HEATING_DEFAULTS``).
"""

from __future__ import annotations

from typing import Any

import probatio
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.const import UnitOfTemperature, UnitOfTime
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)

from .const import (
    CONF_DEADBAND,
    CONF_MIN_OFF_MINUTES,
    CONF_MIN_ON_MINUTES,
    CONF_POWER_STEP,
    CONF_STEP_MINUTES,
    CONF_TEMPERATURE_SENSOR,
)
from .heating import with_defaults


def _number(low: float, high: float, step: float, unit: str) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=low, max=high, step=step, unit_of_measurement=unit, mode=NumberSelectorMode.BOX
        )
    )


class AsicMinerOptionsFlow(OptionsFlow):
    """One form; an empty sensor field goes back to the miner's own temperature."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        current = with_defaults(self.config_entry.options)
        schema = probatio.Schema(
            {
                probatio.Optional(CONF_TEMPERATURE_SENSOR): EntitySelector(
                    EntitySelectorConfig(
                        domain="sensor", device_class=SensorDeviceClass.TEMPERATURE
                    )
                ),
                probatio.Required(CONF_DEADBAND): _number(0.1, 5, 0.1, UnitOfTemperature.CELSIUS),
                probatio.Required(CONF_MIN_ON_MINUTES): _number(0, 240, 1, UnitOfTime.MINUTES),
                probatio.Required(CONF_MIN_OFF_MINUTES): _number(0, 240, 1, UnitOfTime.MINUTES),
                probatio.Required(CONF_POWER_STEP): _number(1, 100, 1, "%"),
                probatio.Required(CONF_STEP_MINUTES): _number(1, 60, 1, UnitOfTime.MINUTES),
            }
        )
        return self.async_show_form(
            step_id="init", data_schema=self.add_suggested_values_to_schema(schema, current)
        )
