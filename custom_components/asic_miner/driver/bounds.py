"""Physical bounds every reading passes before it reaches a snapshot.

Firmware writes "no reading" as -1, -273, 65535 or a number a bug made up, and a
hostile device can send anything. One place checks every extracted field against what
the hardware can physically do, whichever family extracted it, so a sentinel is
``None`` (unknown), never a value; a field of the wrong type is ``None`` too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from .contract import Backend, Field
from .hardware import make_power_range, model_power_range
from .limits import MAX_ITEMS
from .models import Board, Control, Cooling, Fan, MinerErrorEntry, Pool, PowerLimitRange
from .values import within

_LOGGER = logging.getLogger(__name__)

MAX_HASHRATE_THS = 10_000.0  # 10 PH/s: far above any single miner
TEMPERATURE_RANGE = (-40.0, 150.0)  # °C
MAX_POWER_W = 30_000.0
MAX_RPM = 50_000
MAX_CHIPS = 10_000
MAX_UPTIME_S = 100 * 365 * 86400
MAX_COUNT = 1 << 62  # share counters
MAX_FREQUENCY_MHZ = 10_000.0
MAX_VOLTAGE_V = 1_000.0
MAX_ENERGY_KWH = 1e9
# The lowest manual fan speed offered to air-cooled hardware where the firmware names no
# floor of its own: below it the chips outrun the firmware's overheat cut-off on a warm
# day. Only immersion (fans off by design) goes to 0.
MIN_AIR_FAN_PERCENT = 30
# The throttle percentages VNish 1.3 accepts in ``mining/throttle`` (its OpenAPI).
THROTTLE_RANGE = (20, 100)


def _hashrate(v: Any) -> Any:
    return within(v, 0.0, MAX_HASHRATE_THS)


def _temperature(v: Any) -> Any:
    return within(v, *TEMPERATURE_RANGE)


def _power(v: Any) -> Any:
    return within(v, 0.0, MAX_POWER_W)


def _count(high: float) -> Callable[[Any], Any]:
    def check(v: Any) -> Any:
        return within(v, 0, high)

    return check


_BOARD: Mapping[str, Callable[[Any], Any]] = {
    "hashrate": _hashrate,
    "expected_hashrate": _hashrate,
    "board_temperature": _temperature,
    "chip_temperature": _temperature,
    "inlet_temperature": _temperature,
    "outlet_temperature": _temperature,
    "chips": _count(MAX_CHIPS),
    "expected_chips": _count(MAX_CHIPS),
    "frequency": _count(MAX_FREQUENCY_MHZ),
    "voltage": _count(MAX_VOLTAGE_V),
}
_FAN: Mapping[str, Callable[[Any], Any]] = {"rpm": _count(MAX_RPM), "percent": _count(100)}
_POOL: Mapping[str, Callable[[Any], Any]] = {
    "accepted": _count(MAX_COUNT),
    "rejected": _count(MAX_COUNT),
}


def _checked_item[T](
    item: Any, cls: type[T], checks: Mapping[str, Callable[[Any], Any]]
) -> T | None:
    if not isinstance(item, cls):
        return None
    changes: dict[str, Any] = {}
    # Only the checked fields (every key names a field of ``cls``: a test pins it).
    for name, check in checks.items():
        value = getattr(item, name)
        if value is not None and check(value) is None:
            changes[name] = None
    return replace(item, **changes) if changes else item  # type: ignore[type-var]


def _items[T](
    value: Any, cls: type[T], checks: Mapping[str, Callable[[Any], Any]] | None = None
) -> list[T] | None:
    if not isinstance(value, list | tuple):
        return None
    out: list[T] = []
    for item in value[:MAX_ITEMS]:
        checked = _checked_item(item, cls, checks or {})
        if checked is not None:
            out.append(checked)
    return out


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _modes(value: Any) -> list[str] | None:
    if not isinstance(value, list | tuple):
        return None
    return [m for m in value[:MAX_ITEMS] if isinstance(m, str)]


def _controls(value: Any) -> frozenset[Control] | None:
    if not isinstance(value, set | frozenset | list | tuple):
        return None
    return frozenset(c for c in value if isinstance(c, Control))


def _power_range(value: Any) -> PowerLimitRange | None:
    if not isinstance(value, PowerLimitRange):
        return None
    low, high = value.minimum, value.maximum
    if _power(low) is None or _power(high) is None or low > high or value.step < 1:
        return None
    return value


def _range(value: Any, low: float, high: float) -> Any:
    """A (floor, ceiling) pair inside ``low``-``high``, else ``None``."""
    if not isinstance(value, tuple) or len(value) != 2:
        return None
    floor, ceiling = (within(v, low, high) for v in value)
    return value if floor is not None and ceiling is not None and floor <= ceiling else None


def _cooling(value: Any) -> Cooling | None:
    """Fan settings with a speed outside 0-100 % or a target outside physics unknown."""
    if not isinstance(value, Cooling):
        return None
    return replace(
        value,
        speed=value.speed if value.speed in range(101) else None,
        speed_range=_range(value.speed_range, 0, 100),
        target_temperature=None
        if value.target_temperature is None
        else _temperature(value.target_temperature),
        target_range=_range(value.target_range, *TEMPERATURE_RANGE),
    )


def _hashrate_range(value: Any) -> tuple[float, float] | None:
    if not isinstance(value, tuple) or len(value) != 2:
        return None
    low, high = _hashrate(value[0]), _hashrate(value[1])
    if low is None or high is None or not 0 < low <= high:
        return None
    return (float(low), float(high))


def _throttle(value: Any) -> int | None:
    """A whole percentage the firmware accepts; anything else is not a throttle reading."""
    low, high = THROTTLE_RANGE
    valid = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    return value if valid else None


_FIELDS: Mapping[Field, Callable[[Any], Any]] = {
    Field.HASHRATE: _hashrate,
    Field.EXPECTED_HASHRATE: _hashrate,
    Field.POWER: _power,
    Field.POWER_LIMIT: _power,
    Field.ENVIRONMENT_TEMPERATURE: _temperature,
    Field.BOARDS: lambda v: _items(v, Board, _BOARD),
    Field.FANS: lambda v: _items(v, Fan, _FAN),
    Field.POOLS: lambda v: _items(v, Pool, _POOL),
    Field.ERRORS: lambda v: _items(v, MinerErrorEntry),
    Field.UPTIME: _count(MAX_UPTIME_S),
    Field.MINING: _boolean,
    Field.FAULT_LIGHT: _boolean,
    Field.WORK_MODE: _text,
    Field.WORK_MODES: _modes,
    Field.ENERGY: _count(MAX_ENERGY_KWH),
    Field.CONTROLS: _controls,
    Field.POWER_LIMIT_RANGE: _power_range,
    Field.COOLING: _cooling,
    Field.HASHRATE_TARGET: _hashrate,
    Field.HASHRATE_TARGET_RANGE: _hashrate_range,
    Field.THROTTLE: _throttle,
}


def bounded(values: Mapping[Field, Any], host: str) -> dict[Field, Any]:
    """The extracted values with everything out of bounds or of the wrong type ``None``."""
    out: dict[Field, Any] = {}
    for field, value in values.items():
        check = _FIELDS.get(field)
        result = value if value is None or check is None else check(value)
        if result is None and value is not None:
            _LOGGER.debug("%s: %s out of bounds: %r", host, field.value, value)
        out[field] = result
    return out


def controls(backend: Backend, reported: frozenset[Control] | None) -> frozenset[Control]:
    """The controls a miner has: the backend's, narrowed by what this poll reported."""
    return backend.controls if reported is None else backend.controls & reported


def power_limit_bounds(
    backend: Backend, available: frozenset[Control], reported: PowerLimitRange | None
) -> PowerLimitRange | None:
    """Bounds for the power limit: the firmware's, else the model's, else the maker's.

    The one place that decides them, for the snapshot and for a control's check alike.
    Firmware that only takes its own profiles or presets (LuxOS, VNish) gets only those
    bounds, ``None`` until they were read. ``None`` as well when the miner takes no power
    limit, or when no table knows its maker: no bounds rather than made-up ones.
    """
    if Control.POWER_LIMIT not in available:
        return None
    if reported is not None or backend.BOUNDS_FROM_FIRMWARE:
        return reported
    identity = backend.identity
    return (
        backend.power_range_for(identity)
        or model_power_range(identity.make, identity.model)
        or make_power_range(identity.make)
    )
