"""Config flow for ASIC Miner (placeholder; the full flow is being written)."""

from __future__ import annotations

from homeassistant.config_entries import ConfigFlow

from .const import DOMAIN


class AsicMinerConfigFlow(ConfigFlow, domain=DOMAIN):
    VERSION = 1
