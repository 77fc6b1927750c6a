"""Pure functions over AxeOS replies: the extractors behind the data map, and naming.

Everything is in ``GET /api/system/info``: ``hashRate`` and ``expectedHashrate`` in
GH/s, ``power`` in W, ``temp`` (chip), ``vrTemp``, ``frequency`` (MHz), ``coreVoltage``
(mV), ``fanrpm``/``fanspeed`` (%), ``uptimeSeconds``, the primary and fallback stratum
settings and the session's share counters; ``GET /api/system/asic`` (AxeOS 2.7 and the
NerdQAxe firmware) adds the chip's frequency presets and, from 2.9, the device model.
"""

from __future__ import annotations

import re
from typing import Any

from ...contract import Field, Location, Replies, Web
from ...models import Board, Fan, MinerErrorEntry, Pool
from ...values import clean_str, ghs_to_ths, mhs_to_ths, positive, to_bool, to_float, to_int

INFO = Web("/api/system/info")
ASIC = Web("/api/system/asic")

MAKE_BITAXE = "Bitaxe"
MAKE_NERDAXE = "NerdAxe"
MAKE_LUCKYMINER = "LuckyMiner"
# Model by chip where the firmware names no device (AxeOS before 2.9).
_MODEL_BY_ASIC = {"BM1397": "Max", "BM1366": "Ultra", "BM1368": "Supra", "BM1370": "Gamma"}
# Model by the first digit of the three-digit board revision (ESP-Miner's device table).
_MODEL_BY_BOARD_SERIES = {
    "1": "Max",
    "2": "Ultra",
    "3": "Hex",
    "4": "Supra",
    "6": "Gamma",
    "7": "Supra Hex",
    "8": "Gamma Turbo",
}
_MODEL_BY_BOARD = {"2.2": "Max", "0.11": "Ultra", "650": "Gamma Duo"}
# ESP-Miner writes "Unknown" where a value is missing.
_MISSING = {"unknown", "n/a", "none", "null"}
# -- small parsers -------------------------------------------------------------------


def known_text(value: Any) -> str | None:
    text = clean_str(value)
    return None if text is None or text.lower() in _MISSING else text


def as_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} is not an object")
    return value


def format_frequency(mhz: float) -> str:
    """A work-mode name: ``525`` → ``"525 MHz"``, ``537.5`` → ``"537.5 MHz"``."""
    return f"{mhz:g} MHz"


def frequency_options(asic: Any) -> list[float]:
    """The chip frequencies the miner offers, in its own order, without duplicates."""
    raw = as_object(asic, "/api/system/asic")["frequencyOptions"]
    if not isinstance(raw, list):
        raise TypeError("frequencyOptions is not a list")
    options: list[float] = []
    for item in raw:
        value = positive(to_float(item))
        if value is not None and value not in options:
            options.append(value)
    return options


def pool_url(host: Any, port: Any, tls: Any) -> str | None:
    """AxeOS keeps the pool's host and port apart; join them into one stratum URL."""
    text = known_text(host)
    if text is None:
        return None
    if "://" in text:
        return text
    scheme = "stratum+ssl" if to_bool(tls) else "stratum+tcp"
    number = to_int(port)
    return f"{scheme}://{text}:{number}" if number else f"{scheme}://{text}"


def firmware_version(value: Any) -> str | None:
    text = known_text(value)
    if text is not None and re.match(r"[vV]\d", text):
        text = text[1:]
    return text


# -- extractors ----------------------------------------------------------------------


def _info(replies: Replies) -> dict[str, Any]:
    return as_object(replies[INFO], "/api/system/info")


def _asic(replies: Replies) -> dict[str, Any] | None:
    asic = replies.get(ASIC)
    return asic if isinstance(asic, dict) else None


def _asic_count(info: dict[str, Any], asic: dict[str, Any] | None) -> int | None:
    for source in (asic or {}, info):
        count = to_int(source.get("asicCount"))
        if count:
            return count
    return None


def _hashrate(replies: Replies) -> float | None:
    return ghs_to_ths(_info(replies)["hashRate"])


def _expected_hashrate(replies: Replies) -> float | None:
    info = _info(replies)
    if "expectedHashrate" in info:
        return positive(ghs_to_ths(info["expectedHashrate"]))
    # Before AxeOS 2.9 (and on the NerdQAxe firmware): frequency * small cores * chips.
    frequency = positive(to_float(info.get("frequency")))
    cores = positive(to_float(info.get("smallCoreCount")))
    chips = _asic_count(info, _asic(replies))
    if frequency is None or cores is None or chips is None:
        return None
    return mhs_to_ths(frequency * cores * chips)


def _power(replies: Replies) -> float | None:
    return positive(to_float(_info(replies)["power"]))


def _chip_temperature(info: dict[str, Any]) -> float | None:
    """Hottest chip: ``temp`` (average or maximum), ``temp2``, ``asicTemps`` per chip.

    A chip that is powered down (paused, overheat mode) reads -1: no reading.
    """
    values: list[Any] = [info.get("temp"), info.get("temp2")]
    per_chip = info.get("asicTemps")
    if isinstance(per_chip, list):
        values.extend(per_chip)
    temps = [t for t in (positive(to_float(v)) for v in values) if t is not None]
    return max(temps) if temps else None


def _core_voltage(info: dict[str, Any]) -> float | None:
    """The measured core voltage (0 while the chip is powered down), else the setting."""
    if "coreVoltageActual" in info:
        millivolts = to_float(info["coreVoltageActual"])
    else:
        millivolts = positive(to_float(info.get("coreVoltage")))
    return None if millivolts is None or millivolts < 0 else round(millivolts / 1000, 3)


def _boards(replies: Replies) -> list[Board]:
    """One board: the chips, the voltage regulator (its temperature is the board's)."""
    info = _info(replies)
    hashrate = _hashrate(replies)
    frequency = positive(to_float(info.get("actualFrequency")))
    if frequency is None:
        frequency = positive(to_float(info.get("frequency")))
    return [
        Board(
            index=0,
            hashrate=hashrate,
            expected_hashrate=_expected_hashrate(replies),
            chip_temperature=_chip_temperature(info),
            board_temperature=positive(to_float(info.get("vrTemp"))),
            expected_chips=_asic_count(info, _asic(replies)),
            frequency=frequency,
            voltage=_core_voltage(info),
            active=None if hashrate is None else hashrate > 0,
        )
    ]


def _fans(replies: Replies) -> list[Fan]:
    info = _info(replies)
    fans: list[Fan] = []
    rpm = to_int(info.get("fanrpm"))
    percent = to_int(info.get("fanspeed"))
    if rpm is not None or percent is not None:
        fans.append(Fan(index=0, rpm=rpm, percent=percent))
    # A second fan: ESP-Miner always sends fan2rpm (0 without one) and drives both fans
    # with one duty cycle; the NerdQAxe firmware sends fanrpm2/fanspeed2 and fanCount.
    rpm2 = to_int(info.get("fan2rpm", info.get("fanrpm2")))
    count = to_int(info.get("fanCount"))
    if (count is not None and count >= 2) or (count is None and rpm2):
        fans.append(
            Fan(index=1, rpm=rpm2, percent=to_int(info.get("fanspeed2", info.get("fanspeed"))))
        )
    return fans


def _pools(replies: Replies) -> list[Pool]:
    info = _info(replies)
    on_fallback = to_bool(info.get("isUsingFallbackStratum"))
    stratum = info.get("stratum")
    if on_fallback is None and isinstance(stratum, dict):
        on_fallback = to_bool(stratum.get("usingFallback"))  # NerdQAxe firmware
    accepted = to_int(info.get("sharesAccepted"))
    rejected = to_int(info.get("sharesRejected"))
    pools: list[Pool] = []
    for index, prefix, active in (
        (0, "stratum", None if on_fallback is None else not on_fallback),
        (1, "fallbackStratum", on_fallback),
    ):
        url = pool_url(
            info.get(f"{prefix}URL"), info.get(f"{prefix}Port"), info.get(f"{prefix}TLS")
        )
        if url is None:
            continue
        # The share counters are the session's: they belong to the pool in use.
        counting = active if active is not None else index == 0
        pools.append(
            Pool(
                index=index,
                url=url,
                user=known_text(info.get(f"{prefix}User")),
                active=active,
                accepted=accepted if counting else None,
                rejected=rejected if counting else None,
            )
        )
    return pools


def _uptime(replies: Replies) -> int | None:
    return to_int(_info(replies)["uptimeSeconds"])


def _mining(replies: Replies) -> bool | None:
    info = _info(replies)
    for key in ("miningPaused", "shutdown"):  # AxeOS >= 2.14; NerdQAxe firmware
        if key in info:
            stopped = to_bool(info[key])
            return None if stopped is None else not stopped
    return None


def _errors(replies: Replies) -> list[MinerErrorEntry]:
    info = _info(replies)
    entries = []
    for key in ("power_fault", "hardware_fault"):  # present only while the fault lasts
        message = known_text(info.get(key))
        if message:
            entries.append(MinerErrorEntry(message=message, code=key))
    if to_int(info.get("overheat_mode")) == 1:
        entries.append(
            MinerErrorEntry(
                message="Overheat protection: the chip is stopped to cool down",
                code="overheat_mode",
            )
        )
    return entries


def _work_mode(replies: Replies) -> str | None:
    frequency = positive(to_float(_info(replies)["frequency"]))
    return None if frequency is None else format_frequency(frequency)


def _work_modes(replies: Replies) -> list[str]:
    return [format_frequency(value) for value in frequency_options(replies[ASIC])]


INFO_MAP = {
    Field.HASHRATE: Location((INFO,), _hashrate),
    Field.EXPECTED_HASHRATE: Location((INFO,), _expected_hashrate),
    Field.POWER: Location((INFO,), _power),
    Field.BOARDS: Location((INFO,), _boards),
    Field.FANS: Location((INFO,), _fans),
    Field.POOLS: Location((INFO,), _pools),
    Field.UPTIME: Location((INFO,), _uptime),
    Field.MINING: Location((INFO,), _mining),
    Field.ERRORS: Location((INFO,), _errors),
}
# AxeOS 2.7 on: the chip's presets are the work modes, and count its chips.
ASIC_MAP = {
    **INFO_MAP,
    Field.EXPECTED_HASHRATE: Location((INFO, ASIC), _expected_hashrate),
    Field.BOARDS: Location((INFO, ASIC), _boards),
    Field.WORK_MODE: Location((INFO,), _work_mode),
    Field.WORK_MODES: Location((ASIC,), _work_modes),
}


# -- naming ----------------------------------------------------------------------------


def _split_camel(name: str) -> str:
    """ESP-Miner's family names: ``GammaTurbo`` → ``Gamma Turbo``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


def _model_by_board(board: str | None) -> str | None:
    if board is None:
        return None
    if board in _MODEL_BY_BOARD:
        return _MODEL_BY_BOARD[board]
    if re.fullmatch(r"\d{3}", board):
        return _MODEL_BY_BOARD_SERIES.get(board[0])
    return None


def make_and_model(info: dict[str, Any], asic: dict[str, Any] | None, page: str) -> tuple[str, str]:
    device = known_text((asic or {}).get("deviceModel")) or known_text(info.get("deviceModel"))
    lucky = known_text(info.get("minerModel"))
    if lucky is not None or re.search(r"LUCKY\s*MINER", page):
        return MAKE_LUCKYMINER, lucky or device or "Unknown"
    if (device or "").upper().startswith("NERD") or re.search(r"\bNERD", page):
        return MAKE_NERDAXE, device or "Unknown"
    chip = (known_text(info.get("ASICModel")) or "").upper()
    model = (
        (_split_camel(device) if device else None)
        or _model_by_board(known_text(info.get("boardVersion")))
        or _MODEL_BY_ASIC.get(chip)
        or "Unknown"
    )
    return MAKE_BITAXE, model
