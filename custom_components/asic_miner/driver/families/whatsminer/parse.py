"""What both Whatsminer API generations share: model names, dates, errors, limits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...hardware import lookup
from ...models import Fan, MinerErrorEntry, PowerLimitRange
from ...values import clean_str, to_int

MAKE = "MicroBT"
FIRMWARE = "Stock"
# The power modes btminer offers, in the order a selector should list them.
WORK_MODES = ("low", "normal", "high")
# Firmware dated from this day on speaks API v3 on port 4433 (asic-rs and pyasic agree).
V3_FIRST_DATE = 20241101
# Light pattern for "on": red, 200 ms period, lit 100 ms from the start of the period.
LED_ON = {"color": "red", "period": 200, "duration": 100, "start": 0}
LED_AUTO = "auto"

_VARIANT = re.compile(r"^(?P<base>M\d+[A-Z]*?\+*)(?P<variant>V[A-Z]?\d+)?$")


@dataclass(frozen=True, slots=True)
class WhatsminerModel:
    """A model string taken apart.

    ``key`` is the normalised form other tools index by (``M30S+_VE40`` ->
    ``M30S+VE40``: underscores dropped, the last character made ``0``, because the
    last digit only counts board revisions). ``base`` is the family name the hardware
    table and the user know (``M30S+``); ``variant`` the chip/board generation (``VE40``).
    """

    key: str
    base: str
    variant: str | None


def parse_model(raw: Any) -> WhatsminerModel | None:
    text = clean_str(raw)
    if text is None:
        return None
    key = text.upper().replace("_", "").replace(" ", "")
    if not key:
        return None
    key = key[:-1] + "0" if key[-1].isdigit() else key
    match = _VARIANT.match(key)
    if match is None:
        return WhatsminerModel(key, key, None)
    return WhatsminerModel(key, match["base"], match["variant"])


def firmware_date(fw_ver: Any) -> int | None:
    """``20230803`` from ``20230803.11.REL`` (also ``Rel``, ``Rel2``, quoted forms)."""
    text = clean_str(fw_ver)
    if text is None:
        return None
    match = re.match(r"(\d{8})", text)
    return int(match.group(1)) if match else None


def speaks_v3(fw_ver: Any) -> bool | None:
    date = firmware_date(fw_ver)
    return None if date is None else date >= V3_FIRST_DATE


def api_version(value: Any) -> str | None:
    """``2.0.5`` from ``whatsminer v2.0.5`` or ``2.0.5``."""
    text = clean_str(value)
    if text is None:
        return None
    return re.sub(r"^whatsminer\s*v?", "", text, flags=re.IGNORECASE) or None


def error_entries(value: Any) -> list[MinerErrorEntry]:
    """Errors from any shape btminer uses.

    A list of ``{"<code>": "<time>"}`` (v2), the same with a ``"reason"`` (v3.0.1+),
    bare codes or texts, one object mapping codes to times, or a single string such as
    "btminer process is down err".
    """
    if value is None or value == "":
        return []
    items: list[Any]
    if isinstance(value, dict):
        items = [{k: v} for k, v in value.items()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        items = [value]
    entries: list[MinerErrorEntry] = []
    for item in items:
        if isinstance(item, dict):
            reason = clean_str(item.get("reason"))
            for code, when in item.items():
                if code == "reason":
                    continue
                when_text = clean_str(when)
                message = reason or f"Whatsminer error {code}"
                if when_text and not reason:
                    message += f" since {when_text}"
                entries.append(MinerErrorEntry(message=message, code=str(code)))
        elif isinstance(item, int) or (isinstance(item, str) and item.strip().isdigit()):
            code = str(item).strip()
            entries.append(MinerErrorEntry(message=f"Whatsminer error {code}", code=code))
        else:
            text = clean_str(item)
            if text:
                entries.append(MinerErrorEntry(message=text))
    return entries


def power_limit_range(model: str) -> PowerLimitRange | None:
    hardware = lookup(MAKE, model)
    if hardware is None:
        return None
    return PowerLimitRange(hardware.min_power, hardware.max_power)


def led_is_on(status: Any) -> bool | None:
    """The light is ours ("on") whenever the firmware does not drive it itself."""
    text = clean_str(status)
    return None if text is None else text.lower() != LED_AUTO


def case_fans(summary: Mapping[str, Any], keys: tuple[str, str]) -> list[Fan]:
    """The intake and exhaust fans the summary reports (each API generation names them)."""
    return [
        Fan(index=index, rpm=to_int(summary[key]))
        for index, key in enumerate(keys)
        if key in summary
    ]
