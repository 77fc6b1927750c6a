"""Constants shared by the Home Assistant side of the integration."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "asic_miner"
