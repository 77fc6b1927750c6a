"""Fans and chip temperature: a steady-state thermal model every family can share.

The chips' rise over the air is ``base_rise`` (what the family's own curve shows at
its auto fan speed) scaled by how much more or less air moves than that curve would:
airflow is taken as ``0.6 + percent / 100`` (the case and heat sinks shed some heat
with the fan stopped). So in auto the readings are the family's usual ones, a manual
speed below the curve runs hotter and above it cooler, and more power is more heat.
The auto curve itself follows the temperature: a warmer room or a lower target turns
the fans faster. Readings stay pure functions of the state, as the tests need.
"""

from __future__ import annotations

AUTO = "auto"
MANUAL = "manual"
IMMERSION = "immersion"
REFERENCE_TARGET_C = 60.0  # the target at which the auto curves are the families' own
REFERENCE_ROOM_C = 25.0


def airflow(percent: float) -> float:
    return 0.6 + percent / 100


def auto_percent(
    curve_percent: float, room: float, target: float, floor: int = 0, ceiling: int = 100
) -> int:
    """The auto fan: the family's curve, faster in a warmer room or for a lower target."""
    shift = 3 * (room - REFERENCE_ROOM_C) + 2 * (REFERENCE_TARGET_C - target)
    return max(floor, min(ceiling, round(curve_percent + shift)))


def running_percent(mode: str, manual: int, auto: int) -> int:
    """The duty the fans run at: the manual setting, off in immersion, else the curve."""
    if mode == MANUAL:
        return manual
    if mode == IMMERSION:
        return 0
    return auto


def chip_rise(base_rise: float, auto: int, running: int) -> float:
    """The chips' rise over the air at ``running`` % where the curve would run ``auto`` %."""
    return base_rise * airflow(auto) / airflow(running)
