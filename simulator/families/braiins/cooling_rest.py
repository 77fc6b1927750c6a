"""BOS 25.07+ REST fan settings: ``temperature`` in ``configuration/miner`` and ``PUT
cooling/mode``, in the shapes of the firmware's OpenAPI (25.07).

The public captures of ``configuration/miner`` carry no ``temperature``; the OpenAPI
documents it, and the simulator sends it so the fan controls can be read back. A new
mode resets the old mode's fields; values for the current mode update it (the
OpenAPI's ``SetCoolingModeRequestMode``). The target bounds are ours.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ... import thermal
from ...state import MinerState

TARGET_BOUNDS = (40.0, 90.0)  # °C, the simulator's cooling_constraints.target_temperature


def configured_mode(state: MinerState) -> dict[str, Any]:
    """``temperature.mode`` of ``configuration/miner``: one mode and its fields."""
    if state.fan_mode == thermal.MANUAL:
        return {"manual": {"fan_speed_ratio": state.fan_speed / 100, "minimum_required_fans": 1}}
    if state.fan_mode == thermal.IMMERSION:
        return {"immersion": {}}
    target = {"degree_c": state.temperature_target}
    return {"auto": {"target_temperature": target, "min_fan_speed": 0, "max_fan_speed": 100}}


def constraints() -> dict[str, Any]:
    low, high = TARGET_BOUNDS
    return {
        "default_cooling_mode": 1,
        "target_temperature": {
            "min": {"degree_c": low},
            "default": {"degree_c": 60.0},
            "max": {"degree_c": high},
        },
    }


def _apply(state: MinerState, body: Any) -> str | None:
    """Apply a ``cooling/mode`` body; why it was refused, or ``None``."""
    if not isinstance(body, dict) or len(body) != 1:
        return "expected one of auto, manual, immersion, hydro"
    ((name, fields),) = body.items()
    if name not in (thermal.AUTO, thermal.MANUAL, thermal.IMMERSION) or not isinstance(
        fields, dict
    ):
        return f"unknown cooling mode {name!r}"
    if name != state.fan_mode:  # a new mode starts from its defaults
        state.fan_speed, state.temperature_target = 100, 60.0
    ratio = fields.get("fan_speed_ratio")
    if ratio is not None:
        if not isinstance(ratio, int | float) or not 0 <= ratio <= 1:
            return "fan_speed_ratio must be 0.0-1.0"
        state.fan_speed = round(ratio * 100)
    target = fields.get("target_temperature")
    if target is not None:
        degrees = target.get("degree_c") if isinstance(target, dict) else None
        low, high = TARGET_BOUNDS
        if not isinstance(degrees, int | float) or not low <= degrees <= high:
            return f"target_temperature must be {low:g}-{high:g} °C"
        state.temperature_target = float(degrees)
    state.fan_mode = name
    return None


async def put_mode(state: MinerState, body: Any) -> web.Response:
    """The reply echoes the resulting mode, as the OpenAPI's ``SetCoolingModeResponseMode``."""
    refusal = _apply(state, body)
    if refusal is not None:
        return web.json_response({"message": refusal}, status=400)
    return web.json_response(configured_mode(state))
