"""Lenient conversions for the numbers, strings and MACs miners send.

Firmware sends numbers as numbers, as strings, as strings with thousands separators,
as empty strings and as sentinels; these helpers turn all of it into a value or
``None`` and never into an invented zero.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from .limits import MAX_ITEMS

_MAC_SEPARATORS = re.compile(r"[\s:.\-]")
_MAC_DIGITS = re.compile(r"[0-9A-F]{12}")
# Possessive: anchored with ``match`` and unable to backtrack whatever the text.
_NUMBER = re.compile(r"[-+]?+(?:\d++\.?+\d*+|\.\d++)(?:[eE][-+]?+\d++)?+")
# Longer than any reading a miner sends: not a number worth parsing.
_MAX_NUMBER_TEXT = 64
# Hashrate units to TH/s; "GHS" and "GH/s" alike, a bare "G" too.
_RATE_FACTORS = {"H": 1e-12, "KH": 1e-9, "MH": 1e-6, "GH": 1e-3, "TH": 1.0, "PH": 1e3, "EH": 1e6}


_HOST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*\.?")


def is_host_name(text: str) -> bool:
    """A DNS host name, not a mistyped address: ``999.1.1.1`` and ``10.0.0`` are not.

    A name whose last label is all digits (or dashes) is an address someone got
    wrong, so a form or the CLI says so instead of resolving it.
    """
    top = text.rstrip(".").rsplit(".", 1)[-1]
    return bool(_HOST_NAME.fullmatch(text)) and not set(top) <= set("0123456789-")


def to_float(value: Any) -> float | None:
    """A finite float, or ``None`` for anything else.

    Never raises: a 309-digit integer (``OverflowError``), ``1e999``, an object whose
    ``str`` fails and a string longer than any reading are all unknown. Runs some 60
    times a poll: a float, an int and a string that is just a number take a short way
    that answers what the general one does.
    """
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is str and "_" not in value and len(value) <= _MAX_NUMBER_TEXT:
        try:
            # What ``float`` reads whole (no ``_``, which it skips) is what the pattern
            # matches whole, or inf/nan that are unknown either way.
            result = float(value)
        except ValueError:
            return _text_to_float(value)
        return result if math.isfinite(result) else None
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            result = float(value)
        elif isinstance(value, str | bytes):
            return _text_to_float(value)
        else:
            return None
    except OverflowError, ValueError:
        return None
    return result if math.isfinite(result) else None


def _text_to_float(value: str | bytes) -> float | None:
    """The number a text starts with (thousands separators dropped), else ``None``."""
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    text = text.strip().replace(",", "")
    if not text or len(text) > _MAX_NUMBER_TEXT:
        return None
    match = _NUMBER.match(text)
    if match is None:
        return None
    try:
        result = float(match.group(0))
    except OverflowError, ValueError:
        return None
    return result if math.isfinite(result) else None


def to_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        # Exact for ints a float cannot hold (counters); absurd ones are unknown.
        return value if abs(value) < 1 << 63 else None
    result = to_float(value)
    return None if result is None else round(result)


def item_count(value: Any) -> int:
    """A count of boards or fans a reply states, for a loop over them: never negative,
    never past ``MAX_ITEMS`` (a hostile ``Board Count`` of 10**9 must not make a parser
    loop, or allocate, a billion times)."""
    return min(max(to_int(value) or 0, 0), MAX_ITEMS)


def within(value: Any, low: float, high: float) -> float | None:
    """``value`` as a number when it lies in ``[low, high]``, else ``None``.

    Firmware reports "no reading" as -1, -273 or 65535; a value outside what the
    hardware can physically do is unknown, never shown as a reading.
    """
    kind = type(value)
    if kind is float or kind is int:  # the short way for what firmware sends
        inside = low <= value <= high and (kind is int or math.isfinite(value))
        return value if inside else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if low <= value <= high else None


def to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"true", "on", "yes", "1", "enabled"}:
            return True
        if text in {"false", "off", "no", "0", "disabled"}:
            return False
    return None


def positive(value: float | None) -> float | None:
    """Zero or a negative reading means "no sensor" or "unknown" on most firmware."""
    return value if value is not None and value > 0 else None


def temps_from(value: Any) -> list[float]:
    """Temperatures from a list, a number or a dash-joined string; zeros dropped."""
    if isinstance(value, str):
        items: Iterable[Any] = [p for p in re.split(r"[-\s]+", value.strip()) if p]
    elif isinstance(value, list | tuple):
        items = value
    else:
        items = [value]
    return [t for t in (positive(to_float(v)) for v in items) if t is not None]


def max_temp(value: Any) -> float | None:
    temps = temps_from(value)
    return max(temps) if temps else None


def normalize_mac(value: Any) -> str | None:
    """``AA:BB:CC:DD:EE:FF`` from any separator style; ``None`` for missing or all-zero.

    Separators (``:``, ``-``, ``.``, spaces) are dropped first, so a MAC that someone
    already mangled into ``AA::BB:...`` still comes out right; anything that is not
    then exactly 12 hex digits (a serial number, "N/A") is not a MAC.
    """
    if not isinstance(value, str):
        return None
    digits = _MAC_SEPARATORS.sub("", value).upper()
    if not _MAC_DIGITS.fullmatch(digits) or digits == "0" * 12:
        return None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def clean_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().strip("'\"").strip()
    return text or None


# Hashrate conversions to TH/s, the driver's one unit.
def mhs_to_ths(value: Any) -> float | None:
    result = to_float(value)
    return None if result is None else result / 1_000_000


def ghs_to_ths(value: Any) -> float | None:
    result = to_float(value)
    return None if result is None else result / 1_000


def ths(value: Any) -> float | None:
    return to_float(value)


def rate_to_ths(value: Any, unit: str | None) -> float | None:
    """A hashrate in a named unit ("GH", "MH/s", "THS", "G"; none means GH) to TH/s.

    An unknown unit gives ``None``: a wrong factor would be off by a thousand.
    """
    result = to_float(value)
    if result is None:
        return None
    key = (unit or "GH").strip().upper().removesuffix("/S")
    if key not in _RATE_FACTORS and key.endswith("S"):
        key = key[:-1]  # "GHS", "MHS"
    if key and key not in _RATE_FACTORS and key[-1] != "H":
        key += "H"  # "G", "T"
    factor = _RATE_FACTORS.get(key)
    return None if factor is None else result * factor
