"""Repair issues for things only the user can fix on the miner itself."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import CONF_IDENTITY, DOMAIN
from .driver import Miner

LEARN_MORE: Final = "https://github.com/asic-miner/asic_miner#troubleshooting"


class WriteProblem(StrEnum):
    """Why a miner that reads fine refuses its controls; each is a repair issue."""

    API_DISABLED = "write_api_disabled"  # Whatsminer: API switched off in WhatsMinerTool
    LOGIN_REFUSED = "write_login_refused"  # the admin / control login is wrong
    REFUSED = "write_refused"  # the firmware refused the harmless test command


def _issue_id(problem: WriteProblem, entry: ConfigEntry) -> str:
    return f"{problem.value}_{entry.entry_id}"


@callback
def async_set_write_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    miner: Miner,
    problem: WriteProblem | None,
    detail: str = "",
) -> None:
    """Show the one issue that says what to do about ``problem``; clear the others."""
    for kind in WriteProblem:
        if kind is not problem:
            ir.async_delete_issue(hass, DOMAIN, _issue_id(kind, entry))
    if problem is None:
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        _issue_id(problem, entry),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=problem.value,
        translation_placeholders={
            "name": entry.title,
            "host": miner.host,
            "family": miner.family.name,
            "error": detail or "-",
        },
        learn_more_url=LEARN_MORE,
    )


@callback
def async_create_write_api_issue(hass: HomeAssistant, entry: ConfigEntry, miner: Miner) -> None:
    """Whatsminer firmware refuses every control until its write API is switched on."""
    async_set_write_issue(hass, entry, miner, WriteProblem.API_DISABLED)


@callback
def async_delete_write_api_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """A control worked: whatever the write path refused before, it accepts now."""
    for kind in WriteProblem:
        ir.async_delete_issue(hass, DOMAIN, _issue_id(kind, entry))


def _async_warn(
    hass: HomeAssistant,
    entry: ConfigEntry,
    key: str,
    show: bool,
    placeholders: dict[str, str],
    *,
    learn_more_url: str | None = None,
) -> None:
    """Show (or withdraw) one warning about one miner: its entry names the issue."""
    issue_id = f"{key}_{entry.entry_id}"
    if not show:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=key,
        translation_placeholders={"name": entry.title, **placeholders},
        learn_more_url=learn_more_url,
    )


@callback
def async_set_power_limit_issue(hass: HomeAssistant, entry: ConfigEntry, unknown: bool) -> None:
    """A power limit is supported but its bounds are unknown: no number, and say why."""
    identity = entry.data[CONF_IDENTITY]
    placeholders = {"model": str(identity.get("model")), "make": str(identity.get("make"))}
    _async_warn(
        hass,
        entry,
        "power_limit_bounds_unknown",
        unknown,
        placeholders,
        learn_more_url=LEARN_MORE,
    )


@callback
def async_check_partial_support(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Tell the user when the model is unknown to us, so missing entities make sense."""
    identity = entry.data[CONF_IDENTITY]
    placeholders = {"model": str(identity.get("model")), "firmware": str(identity.get("firmware"))}
    _async_warn(
        hass, entry, "partially_supported", not identity.get("supported", True), placeholders
    )
