"""Braiins OS 25.07+ fan settings: read from ``configuration/miner``, written through
``cooling/mode``.

The firmware's OpenAPI (25.07, ``GetMinerConfigurationResponse.temperature``) gives the
configured cooling as ``{"mode": {"auto": {...}}}`` (``target_temperature.degree_c``, the
°C the fan curve holds), ``{"manual": {"fan_speed_ratio": 0.0-1.0}}`` or
``{"immersion": {...}}`` (also ``hydro``, which is not one of our modes). ``PUT
cooling/mode`` takes one of those objects: a new mode resets the old mode's fields, new
values for the current mode update it; pools and the tuner are another resource. The
public 25.07 and 25.11 captures (asic-rs ``configuration_miner.json``) carry no
``temperature`` at all, so a release that sends none gets no fan control: the read-back
needs it. The target's bounds are the constraints' ``cooling_constraints.
target_temperature`` (``min``/``max``), where the firmware sends them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...bounds import MIN_AIR_FAN_PERCENT
from ...contract import Field, Location, Replies, Web, first_of
from ...exceptions import MinerControlRefusedError, MinerError
from ...models import Control, Cooling, FanMode
from ...values import to_float
from .client_rest import RestApi
from .parse_rest import API, CONSTRAINTS

CONFIG = Web(f"{API}/configuration/miner")
MODE_PATH = f"{API}/cooling/mode"
_NAMES = {FanMode.AUTO: "auto", FanMode.MANUAL: "manual", FanMode.IMMERSION: "immersion"}
_MODES = {name: mode for mode, name in _NAMES.items()}
FAN_CONTROLS = frozenset({Control.FAN_MODE, Control.FAN_SPEED, Control.TEMPERATURE_TARGET})


def _configured(configuration: Any) -> tuple[str, dict[str, Any]] | None:
    """The configured mode's name and its fields; ``None`` where the reply has none."""
    temperature = configuration.get("temperature") if isinstance(configuration, dict) else None
    mode = temperature.get("mode") if isinstance(temperature, dict) else None
    if not isinstance(mode, dict) or len(mode) != 1:
        return None
    ((name, fields),) = mode.items()
    return str(name), fields if isinstance(fields, dict) else {}


def _degrees(value: Any) -> float | None:
    return to_float(value.get("degree_c")) if isinstance(value, dict) else None


def cooling(configuration: Any, constraints: Any = None) -> Cooling | None:
    """The fan settings of a ``configuration/miner`` reply, bounded by the constraints."""
    configured = _configured(configuration)
    if configured is None:
        return None
    name, fields = configured
    mode = _MODES.get(name)
    ratio = to_float(fields.get("fan_speed_ratio"))
    bounds = (constraints or {}).get("cooling_constraints") or {}
    target = bounds.get("target_temperature") or {}
    low, high = _degrees(target.get("min")), _degrees(target.get("max"))
    return Cooling(
        mode=mode,
        modes=tuple(_NAMES),
        speed=round(ratio * 100) if mode is FanMode.MANUAL and ratio is not None else None,
        speed_range=(MIN_AIR_FAN_PERCENT, 100),
        target_temperature=_degrees(fields.get("target_temperature"))
        if mode is FanMode.AUTO
        else None,
        target_range=(low, high) if low is not None and high is not None else None,
    )


def controls(replies: Replies) -> frozenset[Control]:
    """Every control, less the fan ones where the configuration shows no cooling mode
    (or could not be read this poll: nothing to read a write back from)."""
    try:
        configured = _configured(replies[CONFIG])
    except MinerError:
        configured = None
    every = frozenset(Control)
    return every if configured else every - FAN_CONTROLS


# Added to the REST backend's data map.
COOLING_MAP = {
    Field.COOLING: first_of(
        Location((CONFIG, CONSTRAINTS), lambda r: cooling(r[CONFIG], r[CONSTRAINTS])),
        Location((CONFIG,), lambda r: cooling(r[CONFIG])),
    ),
    Field.CONTROLS: Location((CONFIG,), controls),
}


async def _write(
    api: RestApi, mode: FanMode, fields: dict[str, Any], kept_ok: Callable[[Cooling], bool]
) -> None:
    """``PUT cooling/mode`` with one mode, then read the configuration back.

    Compared as parsed (whole percent, 0.5 °C): the firmware may keep a ratio as a
    32-bit float, 0.55 coming back as 0.550000011920929.
    """
    await api.put(MODE_PATH, {_NAMES[mode]: fields})
    kept = cooling(await api.get(CONFIG.path))
    if kept is None or kept.mode is not mode or not kept_ok(kept):
        raise MinerControlRefusedError("fan settings", f"the miner kept {kept}")


async def set_fan_mode(api: RestApi, mode: FanMode) -> None:
    """Another mode, alone: the firmware gives it its default values."""
    await _write(api, mode, {}, lambda _: True)


async def set_fan_speed(api: RestApi, percent: int) -> None:
    """A manual speed (a ratio on the wire), which switches to manual: it runs only there."""
    ratio = {"fan_speed_ratio": percent / 100}
    await _write(api, FanMode.MANUAL, ratio, lambda kept: kept.speed == percent)


async def set_temperature_target(api: RestApi, celsius: float) -> None:
    """The auto curve's target, which switches to auto: only that curve holds one."""

    def kept_ok(kept: Cooling) -> bool:
        return kept.target_temperature is not None and abs(kept.target_temperature - celsius) < 0.5

    target = {"target_temperature": {"degree_c": float(celsius)}}
    await _write(api, FanMode.AUTO, target, kept_ok)
