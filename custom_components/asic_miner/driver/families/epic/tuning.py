"""PowerPlay's perpetual tuning: which algorithm holds watts, which holds a hashrate.

``/capabilities`` lists the algorithms the running release offers with their min and max
target; ``/summary`` ``PerpetualTune`` names the one running and its ``Unit`` ("W" or
"TH/s" in the captures). The power algorithm is named for it ("Power" in the API
descriptions 1.22/1.30, "PowerTune" in 1.38); VoltageOptimizer, ChipTune and BoardTune
hold a hashrate (the 1.5.13 capture lists all three with TH/s bounds).
"""

from __future__ import annotations

from typing import Any

from ...models import PowerLimitRange
from ...values import clean_str, to_bool, to_int


def _is_power(name: str) -> bool:
    """The power algorithm is named for it ("Power", "PowerTune"); the others hold TH/s."""
    return "power" in name.lower()


def running_algorithm(summary: dict[str, Any], *, watts: bool) -> tuple[str, Any] | None:
    """The running perpetual-tune algorithm and its stats when it targets watts (or,
    ``watts=False``, TH/s: ``Unit`` "TH/s" in the captures); ``None`` otherwise."""
    tune = summary.get("PerpetualTune")
    if not isinstance(tune, dict):
        raise KeyError("PerpetualTune")
    if to_bool(tune.get("Running")) is not True:
        return None
    algorithms = tune.get("Algorithm")
    if not isinstance(algorithms, dict):
        return None
    for name, stats in algorithms.items():
        if not isinstance(stats, dict):
            continue
        unit = str(stats.get("Unit") or "").strip().upper()
        power = unit == "W" or (not unit and _is_power(name))
        hashrate = unit == "TH/S" or (not unit and not _is_power(name))
        if (power and watts) or (hashrate and not watts):
            return name, stats
    return None


def _tune_options(capabilities: dict[str, Any]) -> list[tuple[str, int | None, int | None]]:
    """``/capabilities`` ``PerpetualTune``: each algorithm's name, min and max target."""
    options = capabilities.get("PerpetualTune")
    if not isinstance(options, list):
        return []
    return [
        (name, to_int(option.get("min")), to_int(option.get("max")))
        for option in options
        if isinstance(option, dict) and (name := clean_str(option.get("algorithm")))
    ]


def power_algorithm(capabilities: dict[str, Any]) -> tuple[str, PowerLimitRange | None] | None:
    """The release's power-target algorithm and its bounds, from ``/capabilities``."""
    for name, low, high in _tune_options(capabilities):
        if _is_power(name):
            bounds = PowerLimitRange(low, high) if low is not None and high and high > low else None
            return name, bounds
    return None


def hashrate_algorithm(
    capabilities: dict[str, Any], running: str | None = None
) -> tuple[str, tuple[float, float] | None] | None:
    """The algorithm a hashrate target goes to, with its TH/s bounds: the one running
    when it holds a hashrate, else the first listed (VoltageOptimizer in the captures;
    ChipTune and BoardTune hold a hashrate too)."""
    options = [option for option in _tune_options(capabilities) if not _is_power(option[0])]
    chosen = next((o for o in options if o[0] == running), options[0] if options else None)
    if chosen is None:
        return None
    name, low, high = chosen
    bounds = (float(low), float(high)) if low and high and 0 < low <= high else None
    return name, bounds
