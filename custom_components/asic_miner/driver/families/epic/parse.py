"""Pure functions over PowerPlay replies: the extractors behind the data map, and naming.

A poll reads two sources: ``GET /summary`` (every figure) and ``GET /capabilities``
(model, chips per board, board serials, the tuning algorithms; it never changes, so
the client keeps it once read). Hashrates are MH/s; each board reports ``[MH/s,
percent of ideal]``, so its ideal is MH ÷ (percent/100). The power-target algorithm's
name changed between releases ("Power" in the API 1.22/1.30 descriptions, "PowerTune"
in 1.38); ``/capabilities`` lists the algorithms the running release offers, and a
model that lists none has no power limit.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ...contract import Field, Location, Replies, Web
from ...hardware import HARDWARE
from ...models import ALL_CONTROLS, Board, Control, Fan, MinerErrorEntry, Pool, PowerLimitRange
from ...values import clean_str, mhs_to_ths, normalize_mac, positive, to_bool, to_float, to_int
from .tuning import hashrate_algorithm, power_algorithm, running_algorithm

SUMMARY = Web("/summary")
CAPABILITIES = Web("/capabilities")
NETWORK_PATH = "/network"
UNKNOWN_MODEL = "Unknown"

# Operating states (``Status."Operating State"``) that mean "not mining on purpose";
# reboots and firmware updates say nothing about what the user wants.
_IDLE_STATES = {"idling", "stopping"}
_TRANSITION_STATES = {"rebooting", "softrebooting", "updatingfirmware"}


# -- extractors --------------------------------------------------------------------------


def as_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} is not an object")
    return value


def _summary(replies: Replies) -> dict[str, Any]:
    return as_object(replies[SUMMARY], SUMMARY.path)


def _capabilities(replies: Replies) -> dict[str, Any]:
    """The capabilities, or nothing while they could not be read (the summary suffices)."""
    capabilities = replies.get(CAPABILITIES)
    return capabilities if isinstance(capabilities, dict) else {}


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise KeyError(key)
    return value


def _board_items(summary: dict[str, Any]) -> list[dict[str, Any]]:
    items = summary.get("HBs")
    if not isinstance(items, list):
        raise KeyError("HBs")
    return [item for item in items if isinstance(item, dict)]


def _rate(item: dict[str, Any]) -> tuple[float | None, float | None]:
    """A board's (hashrate, ideal hashrate) in TH/s from ``[MH/s, % of ideal, ...]``."""
    values = item.get("Hashrate")
    if not isinstance(values, list) or not values:
        return None, None
    rate = mhs_to_ths(values[0])
    percent = positive(to_float(values[1])) if len(values) > 1 else None
    if rate is None or percent is None:
        return rate, None
    return rate, rate / (percent / 100)


def _hashrate(replies: Replies) -> float | None:
    rates = [_rate(item)[0] for item in _board_items(_summary(replies))]
    known = [r for r in rates if r is not None]
    return round(sum(known), 6) if known else None


def _expected_hashrate(replies: Replies) -> float | None:
    ideals = [_rate(item)[1] for item in _board_items(_summary(replies))]
    if ideals and all(i is not None for i in ideals):
        return round(sum(i for i in ideals if i is not None), 6)
    # Idle boards report 0 %: fall back to the model's default (TH/s).
    return positive(to_float(_capabilities(replies).get("Default Hashrate")))


def _power(replies: Replies) -> float | None:
    return positive(to_float(_section(_summary(replies), "Power Supply Stats")["Input Power"]))


def _target(replies: Replies, *, watts: bool) -> float | None:
    running = running_algorithm(_summary(replies), watts=watts)
    return None if running is None else positive(to_float(running[1].get("Target")))


def _power_limit(replies: Replies) -> float | None:
    return _target(replies, watts=True)


def _hashrate_target(replies: Replies) -> float | None:
    """TH/s the tuner holds; unknown while it aims at watts or is off."""
    return _target(replies, watts=False)


def _boards(replies: Replies) -> list[Board]:
    summary = _summary(replies)
    capabilities = _capabilities(replies)
    status: dict[int, dict[str, Any]] = {}
    for item in summary.get("HBStatus") or []:
        slot = to_int(item.get("Index")) if isinstance(item, dict) else None
        if slot is not None:
            status[slot] = item
    estimator = capabilities.get("Performance Estimator")
    chips = to_int(estimator.get("Chip Count")) if isinstance(estimator, dict) else None
    serials = [clean_str(s) for s in capabilities.get("Board Serial Numbers") or []]
    boards: dict[int, Board] = {}
    for item in _board_items(summary):
        index = to_int(item.get("Index"))
        if index is None:
            continue
        rate, ideal = _rate(item)
        enabled = to_bool(status.get(index, {}).get("Enabled"))
        boards[index] = Board(
            index=index,
            hashrate=rate,
            expected_hashrate=ideal,
            board_temperature=positive(to_float(item.get("Temperature"))),
            frequency=positive(to_float(item.get("Core Clock Avg"))),
            voltage=positive(to_float(item.get("Input Voltage"))),
            expected_chips=chips,
            active=enabled if enabled is not None else bool(rate),
        )
    # Detected boards the firmware disabled (after a failure) are listed without data.
    for index, item in status.items():
        if index not in boards and to_bool(item.get("Detected")) is not False:
            boards[index] = Board(index=index, expected_chips=chips, active=False)
    ordered = [boards[i] for i in sorted(boards)]
    # The serials are not indexed: they belong to the working boards, in slot order.
    working = [b for b in ordered if b.active]
    if serials and len(serials) == len(working):
        by_index = {b.index: s for b, s in zip(working, serials, strict=True)}
        ordered = [replace(b, serial=by_index.get(b.index, b.serial)) for b in ordered]
    return ordered


def _fans(replies: Replies) -> list[Fan]:
    speeds = _section(_summary(replies), "Fans Rpm")
    fans = []
    for key, value in speeds.items():
        match = re.search(r"(\d+)$", key)
        rpm = to_int(value)
        if match is None or rpm is None:
            continue  # null: no fan in that slot
        fans.append(Fan(index=int(match.group(1)) - 1, rpm=rpm))
    return sorted(fans, key=lambda f: f.index)


def _pool_address(url: str) -> str:
    return url.split("://", 1)[-1].rstrip("/").lower()


def _pools(replies: Replies) -> list[Pool]:
    summary = _summary(replies)
    stratum = summary.get("Stratum")
    stratum = stratum if isinstance(stratum, dict) else {}
    session = summary.get("Session")
    session = session if isinstance(session, dict) else {}
    current = clean_str(stratum.get("Current Pool"))
    connected = to_bool(stratum.get("IsPoolConnected"))
    configs = [c for c in summary.get("StratumConfigs") or [] if isinstance(c, dict)]
    entries = [(clean_str(c.get("pool")), clean_str(c.get("login"))) for c in configs]
    if not entries and current:
        entries = [(current, clean_str(stratum.get("Current User")))]
    pools = []
    for index, (url, user) in enumerate(entries):
        if not url:
            continue
        is_current = current is not None and _pool_address(url) == _pool_address(current)
        pools.append(
            Pool(
                index=index,
                url=url,
                user=user,
                alive=connected if is_current else None,
                active=is_current and connected is True,
                accepted=to_int(session.get("Accepted")) if is_current else None,
                rejected=to_int(session.get("Rejected")) if is_current else None,
            )
        )
    return pools


def error_entries(value: Any) -> list[MinerErrorEntry]:
    """``Status."Last Error"``: null, a name (``"NoHashboardsConnected"``) or ``{name: detail}``."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [MinerErrorEntry(message=value)]
    if isinstance(value, dict):
        entries = []
        for name, detail in value.items():
            text = clean_str(detail) if isinstance(detail, str) else None
            message = text or (f"{name}: {detail}" if detail not in (None, "") else str(name))
            entries.append(MinerErrorEntry(message=message, code=str(name)))
        return entries
    return [MinerErrorEntry(message=str(value))]


def _errors(replies: Replies) -> list[MinerErrorEntry]:
    return error_entries(_section(_summary(replies), "Status").get("Last Error"))


def _uptime(replies: Replies) -> int | None:
    return to_int(_section(_summary(replies), "Session")["Uptime"])


def mining_from_state(state: Any) -> bool | None:
    text = clean_str(state)
    if text is None:
        return None
    key = text.lower().replace(" ", "")
    if key in _IDLE_STATES:
        return False
    if key in _TRANSITION_STATES:
        return None
    return True  # Mining, and the steps towards it (Initializing, Loading, ...)


def _mining(replies: Replies) -> bool | None:
    return mining_from_state(_section(_summary(replies), "Status")["Operating State"])


def _fault_light(replies: Replies) -> bool | None:
    return to_bool(_section(_summary(replies), "Misc")["Locate Miner State"])


CONTROLS = (ALL_CONTROLS - {Control.WORK_MODE}) | {Control.HASHRATE_TARGET, Control.POOLS}


def _controls(replies: Replies) -> frozenset[Control] | None:
    """Known once the capabilities are read: some models list no power algorithm."""
    capabilities = replies.get(CAPABILITIES)
    if not isinstance(capabilities, dict):
        return None
    controls = CONTROLS
    if power_algorithm(capabilities) is None:
        controls -= {Control.POWER_LIMIT}
    if hashrate_algorithm(capabilities) is None:
        controls -= {Control.HASHRATE_TARGET}
    return controls


def _hashrate_target_range(replies: Replies) -> tuple[float, float] | None:
    running = running_algorithm(_summary(replies), watts=False)
    found = hashrate_algorithm(_capabilities(replies), running and running[0])
    return None if found is None else found[1]


def _power_limit_range(replies: Replies) -> PowerLimitRange | None:
    found = power_algorithm(_capabilities(replies))
    return None if found is None else found[1]


# Every field names the request it comes from; the capabilities' figures are extras.
DATA_MAP = {
    Field.HASHRATE: Location((SUMMARY,), _hashrate),
    Field.EXPECTED_HASHRATE: Location((SUMMARY, CAPABILITIES), _expected_hashrate),
    Field.POWER: Location((SUMMARY,), _power),
    Field.POWER_LIMIT: Location((SUMMARY,), _power_limit),
    Field.BOARDS: Location((SUMMARY, CAPABILITIES), _boards),
    Field.FANS: Location((SUMMARY,), _fans),
    Field.POOLS: Location((SUMMARY,), _pools),
    Field.ERRORS: Location((SUMMARY,), _errors),
    Field.UPTIME: Location((SUMMARY,), _uptime),
    Field.MINING: Location((SUMMARY,), _mining),
    Field.FAULT_LIGHT: Location((SUMMARY,), _fault_light),
    Field.CONTROLS: Location((CAPABILITIES,), _controls),
    Field.POWER_LIMIT_RANGE: Location((CAPABILITIES,), _power_limit_range),
    Field.HASHRATE_TARGET: Location((SUMMARY,), _hashrate_target),
    Field.HASHRATE_TARGET_RANGE: Location((SUMMARY, CAPABILITIES), _hashrate_target_range),
}


# -- identification ------------------------------------------------------------------------


def parse_software(value: Any) -> str | None:
    """``PowerPlay-BMS v1.5.13`` → ``1.5.13``."""
    text = clean_str(value)
    if text is None:
        return None
    # Plain string code, not a search anchored at the end (which retried every start
    # position: quadratic on a long run of digits): the trailing run of digits and dots.
    tail = text.rstrip()
    start = len(tail)
    while start > 0 and (tail[start - 1].isdigit() or tail[start - 1] == "."):
        start -= 1
    version = tail[start:].lstrip(".")
    return version if _VERSION.fullmatch(version) else None


_VERSION = re.compile(r"\d{1,9}(?:\.\d{1,9}){1,8}")


_MAKES = (
    ("ANTMINER", "Bitmain"),
    ("WHATSMINER", "MicroBT"),
    ("VOLCMINER", "VolcMiner"),
)


def _canonical(make: str, name: str) -> str:
    """The hardware table's spelling of ``name`` (firmware is loose about case)."""
    for known_make, known_model in HARDWARE:
        if known_make == make and known_model.upper() == name.upper():
            return known_model
    return name


def parse_model(model: Any, subtype: Any = None) -> tuple[str, str]:
    """(make, model) from capabilities ``Model``: ``AntMiner S19 XP`` → (Bitmain, S19 XP).

    A Whatsminer's ``Model`` is the family name (``WhatsMiner M30S++``) and its
    ``Model Subtype`` the variant (``VH40``); the identity keeps the family name, as
    the stock Whatsminer driver does. ePIC's own machines (BlockMiner) keep their name.
    """
    text = clean_str(model)
    if text is None or text.upper() == "UNDEFINED":
        return "ePIC", UNKNOWN_MODEL
    for prefix, make in _MAKES:
        if text.upper().startswith(prefix):
            name = text[len(prefix) :].strip()
            if make == "MicroBT":
                name = re.split(r"[_\s]", name, maxsplit=1)[0].upper()
            return make, _canonical(make, name) if name else UNKNOWN_MODEL
    return "ePIC", text


def first_mac(network: Any) -> str | None:
    """The first interface's MAC: ``{"dhcp": {"mac_address": ...}}`` or by interface."""
    if not isinstance(network, dict):
        return None
    for value in network.values():
        if isinstance(value, dict):
            mac = normalize_mac(value.get("mac_address"))
            if mac is not None:
                return mac
    return None
