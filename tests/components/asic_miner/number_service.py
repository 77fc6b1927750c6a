"""Setting a number entity through Home Assistant's service, as a user or automation would."""

from __future__ import annotations

from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.number import DOMAIN as NUMBER_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant


async def set_number(hass: HomeAssistant, entity_id: str, value: float) -> None:
    """``number.set_value``, blocking until the entity's write returned."""
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
        blocking=True,
    )
