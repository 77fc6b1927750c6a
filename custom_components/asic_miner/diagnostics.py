"""Diagnostics download: what the miner reported, with anything identifying redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .coordinator import AsicMinerConfigEntry

TO_REDACT = {
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_HOST,
    "mac",
    "serial",
    "hostname",
    "unique_id",
    "user",
    "url",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: AsicMinerConfigEntry
) -> dict[str, Any]:
    coordinator = entry.runtime_data
    snapshot = coordinator.data
    return {
        "entry": async_redact_data(
            {"data": dict(entry.data), "unique_id": entry.unique_id, "title": entry.title},
            TO_REDACT,
        ),
        "controls": sorted(c.value for c in coordinator.miner.controls),
        "last_update_success": coordinator.last_update_success,
        "snapshot": None if snapshot is None else async_redact_data(snapshot.as_dict(), TO_REDACT),
    }
