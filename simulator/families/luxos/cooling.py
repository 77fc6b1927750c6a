"""LuxOS fan settings: ``tempctrl`` (read) and ``fanset`` (privileged).

``tempctrl`` answers ``TEMPCTRL[0]`` with ``Mode``, ``Target``, ``Hot`` and ``Dangerous``
as pyasic reads it (no public capture; the word for the automatic mode is ours);
``fanset`` takes ``speed=<%>``, ``-1`` for automatic, and ``min_fans=<n>`` (pyasic,
asic-rs). The fans' ``Speed`` in ``fans`` is the duty they run at.
"""

from __future__ import annotations

from typing import Any

from ... import thermal
from ...state import MinerState

HOT_C, DANGEROUS_C = 90, 100  # the simulator's thresholds above the target


def tempctrl_item(state: MinerState) -> dict[str, Any]:
    return {
        "Dangerous": DANGEROUS_C,
        "Hot": HOT_C,
        "Mode": "Manual" if state.fan_mode == thermal.MANUAL else "Auto",
        "Target": round(state.temperature_target),
    }


def fanset(state: MinerState, params: list[str]) -> str | None:
    """Apply ``fanset``'s ``key=value`` parameters; why refused, or ``None``."""
    settings = dict(param.partition("=")[::2] for param in params)
    if not settings or set(settings) - {"speed", "min_fans", "power_off_speed"}:
        return "Invalid fanset parameters"
    speed = settings.get("speed")
    if speed is not None:
        try:
            value = int(speed)
        except ValueError:
            return f"Invalid speed: {speed}"
        if value == -1:
            state.fan_mode = thermal.AUTO
        elif 0 <= value <= 100:
            state.fan_mode, state.fan_speed = thermal.MANUAL, value
        else:
            return f"Invalid speed: {speed}"
    return None
