"""Constants shared by the Home Assistant side of the integration."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

DOMAIN: Final = "asic_miner"
LOGGER = logging.getLogger(__package__)

# Miners average their hashrate over 5 s to 1 min; polling faster shows noise, slower
# makes a power-limit automation feel sluggish.
SCAN_INTERVAL: Final = timedelta(seconds=15)

# Config entry data keys (host, username and password use Home Assistant's own).
CONF_PORTS: Final = "ports"
CONF_IDENTITY: Final = "identity"
CONF_RPC_PORT: Final = "rpc_port"
CONF_WEB_PORT: Final = "web_port"
CONF_SUBNET: Final = "subnet"
CONF_MINERS: Final = "miners"

# Heating (climate) options; every default protects the hardware first.
CONF_TEMPERATURE_SENSOR: Final = "temperature_sensor"
CONF_DEADBAND: Final = "deadband"
CONF_MIN_ON_MINUTES: Final = "min_on_minutes"
CONF_MIN_OFF_MINUTES: Final = "min_off_minutes"
CONF_POWER_STEP: Final = "power_step"
CONF_STEP_MINUTES: Final = "step_minutes"
HEATING_DEFAULTS: Final[dict[str, float]] = {
    CONF_DEADBAND: 0.5,  # °C either side of the target
    # Hashboards and PSUs age with every cold start; 15 min as in the price blueprint.
    CONF_MIN_ON_MINUTES: 15,
    CONF_MIN_OFF_MINUTES: 15,
    CONF_POWER_STEP: 10,  # % of the power range (or one level) per step
    # Firmware re-tunes its chips after a power change; a few minutes lets it settle.
    CONF_STEP_MINUTES: 5,
}
ATTR_MAX_POWER: Final = "max_power"
SERVICE_SET_HEATING_CAP: Final = "set_heating_cap"
SERVICE_SET_POOLS: Final = "set_pools"
SERVICE_SWITCH_POOL: Final = "switch_pool"
ATTR_POOL: Final = "pool"

# Fired on the bus for every miner event (see miner_events.py); device triggers listen.
EVENT_MINER: Final = f"{DOMAIN}_event"
# Event data: when the same event (type and subject) last happened on that miner.
ATTR_PREVIOUS: Final = "previous"

# The farm device's config entry (farm.py): one per installation.
FARM_UNIQUE_ID: Final = "farm"
CONF_FARM: Final = "farm"
