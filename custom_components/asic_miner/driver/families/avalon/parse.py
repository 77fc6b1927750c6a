"""Canaan's replies read: the ``estats`` bracket format, the extractors, model names.

``estats`` packs the hardware figures into one string of ``Key[value]`` pairs, in
two layouts (both parsed by :func:`parse_mm`):

* ``"MM ID0"``: ``Ver[1566-185-…] SYSTEMSTATU[Work: In Work, Hash Board: 3 ] Temp[25]
  … MGHS[61000.1 62000.2 …] PVT_T0[ 63  70 …] …`` (A-series, Nano 3 / 3S);
* ``"MM ID0:Summary"``: ``'STATS':{Ver[Q-…] … }`` with the per-chip arrays apart in
  ``"HBinfo"``: ``'HB0':{PVT_T0[…] MW0[…]}`` (Avalon Q and newer home units).

Values may hold spaces, colons, commas and dashes (``ATAOPTS0[--avalon10-freq
300:318:339:360 --hash-asic 160]``), units (``FanR[49%]``, ``MEMFREE[269880 B]``),
``nan``/``inf`` and the sentinel ``-273`` for a missing temperature sensor.

Figures: ``GHSmm`` expected hashrate (GH/s); ``MGHS`` per-board hashrate (GH/s);
``WALLPOWER``, else ``PS[6]`` (wall power), else ``PS[4]`` (power to the hash boards,
the only figure A10-era units give); ``PS[0]`` is the power supply's error bitmask
(table in Canaan's A10 API manual); ``MPO`` the power limit the firmware works to
(read only: no ``ascset`` option sets watts); ``Temp`` (rack) or ``ITemp`` (home
units) the intake air; ``MTmax`` per-board hottest chip; ``FanN`` RPM and ``FanR`` the
common duty; ``Led`` the locate light; ``SYSTEMSTATU`` "In Work" / "In Idle".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...contract import Replies, Rpc
from ...exceptions import MinerResponseError
from ...limits import MAX_ITEMS
from ...models import Board, Fan, MinerErrorEntry, Pool
from ...values import clean_str, ghs_to_ths, mhs_to_ths, positive, to_bool, to_float, to_int
from .._cgminer import DEVS, POOLS, pools, section, stats_item

ESTATS = Rpc("estats")

# Canaan's A10 API manual, appendix 1: bits of PS[0].
PSU_ERRORS = {
    1: "input voltage low",
    2: "over temperature (sensor 1)",
    4: "over temperature (sensor 2)",
    8: "over temperature (sensor 3)",
    16: "input over current",
    32: "output voltage low",
    64: "output over current",
    128: "current sense error",
    256: "over current on output A",
    512: "over current on output B",
    1024: "over current on output C",
    2048: "fan failed",
}
_NO_SENSOR = -100.0  # readings at or below this are "no sensor" (-273 on real units)

# -- the bracket format ------------------------------------------------------------


def _key(text: str) -> str:
    """The key before a ``[`` or ``{``: whitespace, separators and quotes dropped."""
    return text.strip().strip(",").strip().rstrip(":").strip().strip("'\"").strip()


_SIGNIFICANT = re.compile(r"[\[{}]")
_BRACKETS = re.compile(r"[\[\]]")


# Deepest ``{…}`` grouping parsed (real units nest two levels); deeper is an error.
_MAX_NESTING = 8


def _parse_block(text: str, start: int, nested: int) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    pos = start
    while (match := _SIGNIFICANT.search(text, pos)) is not None:
        char = match.group()
        if char == "}":
            if nested:
                return out, match.end()
            pos = match.end()  # a stray closer
            continue
        key = _key(text[pos : match.start()])
        if char == "{":
            if nested >= _MAX_NESTING:
                raise MinerResponseError(f"MM text nested deeper than {_MAX_NESTING} levels")
            section, pos = _parse_block(text, match.end(), nested + 1)
            if key:
                out.setdefault(key, section)
            continue
        depth, end = 1, len(text)
        for bracket in _BRACKETS.finditer(text, match.end()):
            depth += 1 if bracket.group() == "[" else -1
            if depth == 0:
                end = bracket.start()
                break
        if key:
            out.setdefault(key, text[match.end() : end])
        pos = end + 1
    return out, len(text)


def parse_mm(text: str) -> dict[str, Any]:
    """``Key[value] Key2[v1 v2]`` to ``{"Key": "value", "Key2": "v1 v2"}``.

    Values stay text: what a value means depends on its key (``SYSTEMSTATU`` is prose,
    ``PS`` a list, ``Ver`` a name with dashes). A value runs to its matching ``]``, so
    spaces, colons and commas inside it are kept; keys may hold spaces (``Nonce
    Mask``). ``'NAME':{…}`` groups become nested dicts: the ``MM ID0:Summary`` and
    ``HBinfo`` layouts. A value cut off by the end of the text runs to the end.
    """
    return _parse_block(text, 0, 0)[0]


def numbers(value: Any) -> list[float | None]:
    """``"58  59 nan 61"`` to ``[58.0, 59.0, None, 61.0]``; a non-number is ``None``."""
    if value is None:
        return []
    return [to_float(part) for part in str(value).split()]


def _number(mm: Mapping[str, Any], key: str) -> float | None:
    value = mm.get(key)
    return None if value is None or isinstance(value, dict) else to_float(value)


def _temperature(value: float | None) -> float | None:
    return None if value is None or value <= _NO_SENSOR else value


# -- extractors ----------------------------------------------------------------------


def estats_item(reply: Any) -> dict[str, Any]:
    """The ``estats`` object holding the ``MM ID`` figures."""
    return stats_item(reply, ("MM ID",))


def mm_values(stats_item: Mapping[str, Any]) -> dict[str, Any]:
    """The first module's figures as one flat mapping, whichever layout the unit uses."""
    for key, raw in stats_item.items():
        if not str(key).startswith("MM ID") or not isinstance(raw, str):
            continue
        parsed_mm = parse_mm(raw)
        summary = parsed_mm.get("STATS")
        values: dict[str, Any] = dict(summary) if isinstance(summary, dict) else parsed_mm
        hbinfo = stats_item.get("HBinfo")
        if isinstance(hbinfo, str):
            for section in parse_mm(hbinfo).values():
                if isinstance(section, dict):
                    for name, value in section.items():
                        values.setdefault(name, value)
        return values
    raise KeyError("no MM ID section in estats")


def _estats_figures(reply: Any) -> dict[str, Any]:
    return mm_values(estats_item(reply))


def figures(replies: Replies) -> dict[str, Any]:
    """The MM figures, parsed once per poll (a dozen fields read them)."""
    return replies.parsed(ESTATS, _estats_figures)


def hashrate(replies: Replies) -> float | None:
    devs = replies.get(DEVS)
    if devs is not None:
        for dev in section(devs, "DEVS"):
            if "MHS 1m" in dev:
                return mhs_to_ths(dev["MHS 1m"])
    return ghs_to_ths(figures(replies)["GHSspd"])  # Nano 3S firmware with a thin devs


def expected_hashrate(replies: Replies) -> float | None:
    return positive(ghs_to_ths(figures(replies)["GHSmm"]))


def power(replies: Replies) -> float | None:
    mm = figures(replies)
    wall = _number(mm, "WALLPOWER")
    if wall is not None:
        return wall
    supply = numbers(mm["PS"])
    for index in (6, 4):  # wall power, else power to the hash boards
        if len(supply) > index and supply[index] is not None:
            return supply[index]
    return None


def power_limit(replies: Replies) -> float | None:
    return positive(_number(figures(replies), "MPO"))


def environment_temperature(replies: Replies) -> float | None:
    mm = figures(replies)
    for key in ("Temp", "ITemp"):
        value = _temperature(_number(mm, key))
        if value is not None:
            return value
    return None


def boards(replies: Replies) -> list[Board]:
    mm = figures(replies)
    rates = numbers(mm.get("MGHS"))
    slots = {int(m.group(1)) for k in mm if (m := re.fullmatch(r"PVT_T(\d+)", k))}
    # A slot index is the reply's word: never loop past MAX_ITEMS for one (PVT_T999999999).
    count = min(max(len(rates), max(slots) + 1 if slots else 0), MAX_ITEMS)
    if not count:
        raise KeyError("no hash board figures")
    hottest = numbers(mm.get("MTmax"))
    single = count == 1
    # MGHS is each board's average since cgminer started (it sums to GHSavg in every
    # capture), GHSspd the unit's rate now: a single board's rate now is GHSspd, and a
    # unit whose rate now is 0 (soft off, idle) hashes on none of its boards.
    now = _number(mm, "GHSspd")
    found = []
    for index in range(count):
        rate = ghs_to_ths(rates[index]) if index < len(rates) else None
        if now is not None and (single or now == 0):
            rate = ghs_to_ths(now)
        chips = [t for t in numbers(mm.get(f"PVT_T{index}")) if t is not None]
        chip = hottest[index] if index < len(hottest) else None
        if chip is None and single:
            chip = _number(mm, "TMax")
        if chip is None and chips:
            chip = max(chips)
        working = [t for t in chips if t > 0]
        found.append(
            Board(
                index=index,
                hashrate=rate,
                chip_temperature=positive(chip),
                # The Q measures the air through its one board; A-series units do not.
                inlet_temperature=_temperature(_number(mm, "HBITemp")) if single else None,
                outlet_temperature=(
                    _temperature(_number(mm, "HBOTemp") or _number(mm, "OTemp")) if single else None
                ),
                # All sensors at 0: the board is off (idle), not a board without chips.
                chips=len(working) if working else None,
                active=None if rate is None else rate > 0,
            )
        )
    return found


def fan_list(replies: Replies) -> list[Fan]:
    mm = figures(replies)
    percent = to_int(mm.get("FanR"))
    slots = sorted(int(m.group(1)) for k in mm if (m := re.fullmatch(r"Fan(\d+)", k)))
    return [Fan(index=slot - 1, rpm=to_int(mm[f"Fan{slot}"]), percent=percent) for slot in slots]


def uptime(replies: Replies) -> int | None:
    item = estats_item(replies[ESTATS])
    if "Elapsed" in item:
        return to_int(item["Elapsed"])
    return to_int(mm_values(item)["Elapsed"])


def mining(replies: Replies) -> bool | None:
    status = str(figures(replies)["SYSTEMSTATU"])
    match = re.search(r"Work:\s*([^,\]]+)", status)
    state = match.group(1).strip().lower() if match else ""
    if state == "in work":
        return True
    if state == "in idle":
        return False
    return None  # booting, upgrading, or a state this driver does not know


def fault_light(replies: Replies) -> bool | None:
    return to_bool(to_int(figures(replies)["Led"]))


def errors(replies: Replies) -> list[MinerErrorEntry]:
    """The power supply's error bits in ``PS[0]``; unknown (``None``) without them."""
    supply = numbers(figures(replies)["PS"])
    if not supply or supply[0] is None:
        raise KeyError("PS[0] missing: the errors are unknown")
    code = int(supply[0])
    return [
        MinerErrorEntry(message=f"Power supply: {text}", code=f"PS{bit}")
        for bit, text in PSU_ERRORS.items()
        if code & bit
    ]


def pool_list(replies: Replies) -> list[Pool]:
    return pools(replies[POOLS], renumber=True)


def normalize_model(raw: Any) -> str | None:
    """Canaan's ``MODEL``/``PROD`` to the name the hardware table uses.

    ``Nano3s`` → ``Nano 3S``, ``Mini3`` → ``Mini 3``, ``Q`` → ``Q``, ``1566-185`` and
    ``AvalonMiner 1566`` → ``A1566``, ``1166Pro`` → ``A1166 Pro``. The number after a
    four-digit model is a hashrate bin and is dropped. The A15 series names itself by
    series and bin alone (``PROD`` "AvalonMiner 15-194", ``MODEL`` "15-194" in the
    one public capture, pyasic's 15-194 test data); that unit is the A1566 hardware
    (three boards of 160 chips, ``EEPROM[160 160 160]``) and pyasic files it as the
    A1566 too, so ``15-…`` → ``A1566``. Other two-digit series keep their bin:
    ``A16-…``.
    """
    text = clean_str(raw)
    if text is None:
        return None
    text = re.sub(r"^avalon\s*(miner)?\s*", "", text, flags=re.IGNORECASE).strip()
    key = text.replace(" ", "").upper()
    if not key:
        return None
    home = re.fullmatch(r"(NANO|MINI)(\d+)(S?)", key)
    if home:
        return f"{home.group(1).title()} {home.group(2)}{home.group(3)}"
    if key == "Q":
        return "Q"
    rack = re.fullmatch(r"A?(\d+)([A-Z]*)(?:-(\w+))?", key)
    if rack:
        number, suffix, rest = rack.groups()
        if number == "15" and not suffix and rest:
            return "A1566"
        if len(number) <= 2 and rest:
            return f"A{number}-{rest}"
        if suffix == "PRO":
            return f"A{number} Pro"
        return f"A{number}{suffix}"
    return text
