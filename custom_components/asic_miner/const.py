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

# Fired on the bus for every miner event (see miner_events.py); device triggers listen.
EVENT_MINER: Final = f"{DOMAIN}_event"
# Event data: when the same event (type and subject) last happened on that miner.
ATTR_PREVIOUS: Final = "previous"

# The farm device's config entry (farm.py): one per installation.
FARM_UNIQUE_ID: Final = "farm"
CONF_FARM: Final = "farm"
