"""Repair issues for things only the user can fix on the miner itself."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import CONF_IDENTITY, DOMAIN


@callback
def async_create_write_api_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Whatsminer firmware refuses every control until its write API is switched on."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"write_api_disabled_{entry.entry_id}",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="write_api_disabled",
        translation_placeholders={"name": entry.title},
        learn_more_url="https://github.com/asic-miner/asic_miner#troubleshooting",
    )


@callback
def async_delete_write_api_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    ir.async_delete_issue(hass, DOMAIN, f"write_api_disabled_{entry.entry_id}")


@callback
def async_check_partial_support(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Tell the user when the model is unknown to us, so missing entities make sense."""
    identity = entry.data[CONF_IDENTITY]
    issue_id = f"partially_supported_{entry.entry_id}"
    if identity.get("supported", True):
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="partially_supported",
        translation_placeholders={
            "name": entry.title,
            "model": str(identity.get("model")),
            "firmware": str(identity.get("firmware")),
        },
    )
