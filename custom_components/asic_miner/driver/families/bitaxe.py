"""Bitaxe on AxeOS (ESP-Miner), and the boards on its forks: NerdAxe / NerdQAxe, LuckyMiner.

One HTTP server on port 80, no login. Everything is in ``GET /api/system/info``:
``hashRate`` and ``expectedHashrate`` in GH/s, ``power`` in W, ``temp`` (chip),
``vrTemp``, ``frequency`` (MHz), ``coreVoltage`` (mV), ``fanrpm``/``fanspeed`` (%),
``uptimeSeconds``, the primary and fallback stratum settings and the session's share
counters. Releases differ in what they add, so the backend is chosen by what the miner
serves, not by its version string (the NerdQAxe firmware numbers its releases on its
own scale):

* ``v2_0``: no ``/api/system/asic`` (an unknown path is a 302 to the captive portal);
  ``asicCount`` and ``smallCoreCount`` are in the info reply and the expected hashrate
  is ``frequency * smallCoreCount * asicCount`` in MH/s. Read-only apart from restart.
* ``v2_7``: ``GET /api/system/asic`` lists the frequency and core-voltage presets of the
  chip (AxeOS 2.7; from 2.9 it also carries ``deviceModel`` and ``asicCount``, which
  leave the info reply, and info gains ``expectedHashrate`` in GH/s). The NerdQAxe
  firmware serves it too, with ``deviceModel`` in both replies.
* ``v2_14``: ``POST /api/system/pause`` and ``/resume``, with ``miningPaused`` in info.

Work mode: the select is the chip frequency, one option per entry of the miner's own
``frequencyOptions``, named like ``"525 MHz"``. Choosing one sends only
``PATCH /api/system {"frequency": 525}`` (an integer where the value is whole: the
NerdQAxe firmware ignores a non-integer number); the core voltage is left as the owner
set it. AxeOS 2.7 and later apply a new frequency live, so no restart follows; the
driver reads the setting back and fails if the miner kept the old one. A frequency the
owner set outside the presets is still reported as the work mode, just not offered.

Not offered, for want of a matching control: fan settings (``autofanspeed``,
``manualFanSpeed``), the core-voltage presets, and ``POST /api/system/identify``, which
shows "Hi!" on the screen for 30 s as a toggle whose state no reply reports (so it is no
fault light). Pools are never written.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from ..context import MinerContext
from ..contract import Backend, Family, Field, Location, ProbeResults, Replies, Web
from ..exceptions import MinerNotIdentifiedError, MinerResponseError, MinerValueError
from ..hardware import lookup
from ..models import Board, Control, Fan, MinerErrorEntry, MinerIdentity, Pool
from ..transports.http import HttpClient, HttpReply
from ..values import (
    clean_str,
    ghs_to_ths,
    mhs_to_ths,
    normalize_mac,
    positive,
    to_bool,
    to_float,
    to_int,
)
from ._probes import WEB_ROOT, web_reply
from ._refusal import NamedRefusals

INFO = Web("/api/system/info")
ASIC = Web("/api/system/asic")
SETTINGS_PATH = "/api/system"
RESTART_PATH = "/api/system/restart"
PAUSE_PATH = "/api/system/pause"
RESUME_PATH = "/api/system/resume"

MAKE_BITAXE = "Bitaxe"
MAKE_NERDAXE = "NerdAxe"
MAKE_LUCKYMINER = "LuckyMiner"
_FIRMWARE = {
    MAKE_BITAXE: "AxeOS",
    MAKE_NERDAXE: "NerdQAxe ESP-Miner",
    MAKE_LUCKYMINER: "AxeOS (LuckyMiner)",
}
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


def _text(value: Any) -> str | None:
    text = clean_str(value)
    return None if text is None or text.lower() in _MISSING else text


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} is not an object")
    return value


def format_frequency(mhz: float) -> str:
    """A work-mode name: ``525`` → ``"525 MHz"``, ``537.5`` → ``"537.5 MHz"``."""
    return f"{mhz:g} MHz"


def frequency_options(asic: Any) -> list[float]:
    """The chip frequencies the miner offers, in its own order, without duplicates."""
    raw = _object(asic, "/api/system/asic")["frequencyOptions"]
    if not isinstance(raw, list):
        raise TypeError("frequencyOptions is not a list")
    options: list[float] = []
    for item in raw:
        value = positive(to_float(item))
        if value is not None and value not in options:
            options.append(value)
    return options


def _pool_url(host: Any, port: Any, tls: Any) -> str | None:
    """AxeOS keeps the pool's host and port apart; join them into one stratum URL."""
    text = _text(host)
    if text is None:
        return None
    if "://" in text:
        return text
    scheme = "stratum+ssl" if to_bool(tls) else "stratum+tcp"
    number = to_int(port)
    return f"{scheme}://{text}:{number}" if number else f"{scheme}://{text}"


def _version(value: Any) -> str | None:
    text = _text(value)
    if text is not None and re.match(r"[vV]\d", text):
        text = text[1:]
    return text


# -- extractors ----------------------------------------------------------------------


def _info(replies: Replies) -> dict[str, Any]:
    return _object(replies[INFO], "/api/system/info")


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
        url = _pool_url(
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
                user=_text(info.get(f"{prefix}User")),
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
        message = _text(info.get(key))
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


_INFO_MAP = {
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


# -- requests ------------------------------------------------------------------------


def _refused(reply: HttpReply, path: str) -> None:
    """A 401/403 is the firmware's own gate, not a login: there are no credentials.

    AxeOS refuses clients outside private networks; the NerdQAxe firmware refuses
    writes without a one-time password once its owner switched OTP on. Neither is
    fixed by a password, so this is a refusal, not ``MinerAuthenticationError``.
    """
    if reply.status in (401, 403):
        raise MinerResponseError(
            f"{path} refused ({reply.status} {reply.text[:60]!r}); the miner answers only "
            "its local network, and takes changes only without one-time-password protection"
        )


async def get_json(web: HttpClient, path: str) -> Any:
    reply = await web.request("GET", path, auth_required=False)
    _refused(reply, path)
    if reply.status >= 300:
        raise MinerResponseError(f"{path}: HTTP {reply.status} {reply.text[:80]!r}")
    return reply.json()


# -- backends ------------------------------------------------------------------------


class LegacyBackend(NamedRefusals, Backend):
    """AxeOS before 2.7: the info reply only; restart is the one control."""

    name = "v2_0"
    DATA_MAP = _INFO_MAP
    CONTROLS = frozenset({Control.REBOOT})

    def _web(self) -> HttpClient:
        return self.ctx.web()  # built per call, so a changed timeout applies

    async def fetch_web(self, path: str) -> Any:
        return await get_json(self._web(), path)

    async def _get(self, path: str) -> Any:
        return await get_json(self._web(), path)

    async def _send(self, method: str, path: str, body: Any = None) -> HttpReply:
        """A write; the firmware answers an empty 200, or an error with a short text."""
        reply = await self._web().request(method, path, json_body=body, auth_required=False)
        _refused(reply, path)
        if reply.status == 400:
            raise MinerValueError(f"{path}: the miner refused the value ({reply.text[:80]!r})")
        if reply.status >= 300:
            raise MinerResponseError(f"{path}: HTTP {reply.status} {reply.text[:80]!r}")
        content_type = next(
            (v for k, v in reply.headers.items() if k.lower() == "content-type"), ""
        )
        if reply.body and "json" in content_type.lower():
            reply.json()  # a JSON reply that does not parse is garbage, not a success
        return reply

    async def reboot(self) -> None:
        await self._send("POST", RESTART_PATH)


class AsicBackend(LegacyBackend):
    """AxeOS 2.7 to 2.13 and the NerdQAxe firmware: frequency presets as the work mode."""

    name = "v2_7"
    DATA_MAP = {
        **_INFO_MAP,
        Field.EXPECTED_HASHRATE: Location((INFO, ASIC), _expected_hashrate),
        Field.BOARDS: Location((INFO, ASIC), _boards),
        Field.WORK_MODE: Location((INFO,), _work_mode),
        Field.WORK_MODES: Location((ASIC,), _work_modes),
    }
    CONTROLS = frozenset({Control.REBOOT, Control.WORK_MODE})

    async def set_work_mode(self, mode: str) -> None:
        options = {format_frequency(v): v for v in frequency_options(await self._get(ASIC.path))}
        if mode not in options:
            raise MinerValueError(
                f"unknown work mode {mode!r}; choose from {', '.join(options) or 'nothing'}"
            )
        value = options[mode]
        await self._send(
            "PATCH", SETTINGS_PATH, {"frequency": int(value) if value.is_integer() else value}
        )
        info = _object(await self._get(INFO.path), "/api/system/info")
        kept = to_float(info.get("frequency"))
        if kept is None or abs(kept - value) > 0.01:
            raise MinerResponseError(f"{self.ctx.host}: frequency stayed at {kept} MHz, not {mode}")


class PauseBackend(AsicBackend):
    """AxeOS 2.14 and later: mining can be paused and resumed."""

    name = "v2_14"
    CONTROLS = frozenset({Control.REBOOT, Control.WORK_MODE, Control.MINING})

    async def set_mining(self, on: bool) -> None:
        await self._send("POST", RESUME_PATH if on else PAUSE_PATH)


# -- identification ------------------------------------------------------------------


def _page_text(results: ProbeResults) -> str:
    reply = web_reply(results)
    return reply.text.upper() if reply is not None and reply.status == 200 else ""


def _matches(results: ProbeResults) -> bool:
    """The web root: "AxeOS", a NerdAxe dashboard ("Nerd* Dashboard"), or "Lucky miner"."""
    text = _page_text(results)
    return (
        "AXEOS" in text
        or re.search(r"\bNERD", text) is not None
        or re.search(r"LUCKY\s*MINER", text) is not None
    )


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


def _make_and_model(
    info: dict[str, Any], asic: dict[str, Any] | None, page: str
) -> tuple[str, str]:
    device = _text((asic or {}).get("deviceModel")) or _text(info.get("deviceModel"))
    lucky = _text(info.get("minerModel"))
    if lucky is not None or re.search(r"LUCKY\s*MINER", page):
        return MAKE_LUCKYMINER, lucky or device or "Unknown"
    if (device or "").upper().startswith("NERD") or re.search(r"\bNERD", page):
        return MAKE_NERDAXE, device or "Unknown"
    chip = (_text(info.get("ASICModel")) or "").upper()
    model = (
        (_split_camel(device) if device else None)
        or _model_by_board(_text(info.get("boardVersion")))
        or _MODEL_BY_ASIC.get(chip)
        or "Unknown"
    )
    return MAKE_BITAXE, model


async def _optional_asic(web: HttpClient) -> dict[str, Any] | None:
    """``/api/system/asic`` where the release serves it; ``None`` where it does not.

    Older releases answer an unknown path with a 302 to the captive portal (or a page);
    a connection error is not an answer and is raised.
    """
    reply = await web.request("GET", ASIC.path, auth_required=False)
    if reply.status != 200:
        return None
    try:
        body = reply.json()
        frequency_options(body)
    except MinerResponseError, KeyError, TypeError:
        return None
    return _object(body, ASIC.path)


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    web = ctx.web()
    info, asic = await asyncio.gather(
        get_json(web, INFO.path), _optional_asic(web), return_exceptions=True
    )
    for answer in (info, asic):
        if isinstance(answer, BaseException):
            raise answer
    if not isinstance(info, dict) or not ({"ASICModel", "hashRate"} & info.keys()):
        raise MinerNotIdentifiedError(f"{ctx.host}: /api/system/info is not an AxeOS reply")
    if asic is None:
        backend: type[Backend] = LegacyBackend
    elif "miningPaused" in info:
        backend = PauseBackend
    else:
        backend = AsicBackend
    make, model = _make_and_model(info, asic, _page_text(results))
    return MinerIdentity(
        make=make,
        model=model,
        family=FAMILY.key,
        firmware=_FIRMWARE[make],
        backend=backend.name,
        firmware_version=_version(info.get("version")),
        mac=normalize_mac(info.get("macAddr")),  # some builds send none, or zeros
        hostname=_text(info.get("hostname")),
        control_board=_text(info.get("boardVersion")),
        supported=lookup(make, model) is not None,
    )


FAMILY = Family(
    key="bitaxe",
    name="Bitaxe (AxeOS / ESP-Miner)",
    stock=True,
    probes=(WEB_ROOT,),
    matches=_matches,
    identify=_identify,
    backends=(PauseBackend, AsicBackend, LegacyBackend),
)
