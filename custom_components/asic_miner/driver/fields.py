"""The snapshot fields a backend can fill (``Backend.DATA_MAP``'s keys).

Kept apart from ``contract.py`` (which re-exports ``Field``) so the contract stays
small enough to read in one go.
"""

from __future__ import annotations

from enum import StrEnum


class Field(StrEnum):
    """Snapshot fields a backend can fill; names match ``MinerSnapshot`` attributes."""

    HASHRATE = "hashrate"
    EXPECTED_HASHRATE = "expected_hashrate"
    POWER = "power"
    POWER_LIMIT = "power_limit"
    ENVIRONMENT_TEMPERATURE = "environment_temperature"
    BOARDS = "boards"
    FANS = "fans"
    POOLS = "pools"
    ERRORS = "errors"
    UPTIME = "uptime"
    MINING = "mining"
    FAULT_LIGHT = "fault_light"
    WORK_MODE = "work_mode"
    WORK_MODES = "work_modes"
    ENERGY = "energy"
    # What the model really has, as read this poll (ePIC lists its power algorithms):
    # a subset of the backend's controls; absent or unknown, the backend's own set.
    CONTROLS = "controls"
    # The power-limit bounds the firmware reported (LuxOS profiles, VNish presets, ePIC
    # capabilities); absent or unknown, the tables in ``bounds.power_limit_bounds``.
    POWER_LIMIT_RANGE = "power_limit_range"
    # The fan settings (``models.Cooling``): mode, manual speed, temperature target.
    COOLING = "cooling"
    HASHRATE_TARGET = "hashrate_target"
    HASHRATE_TARGET_RANGE = "hashrate_target_range"
    THROTTLE = "throttle"
