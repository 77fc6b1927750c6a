"""VNish / AnthillOS: third-party firmware on Antminers, driven through its REST API.

Recognised by "AnthillOS" (or "VNish") on the web root, or by ``VNISH`` in an RPC
reply. VNish keeps bmminer's RPC on 4028 in the stock Antminer layout, model string
``Antminer S19 (Vnish 1.2.6)`` included, so the stock Antminer fingerprint matches
too: the registry lists this family first, and identification waits for it.

Everything is read from ``/api/v1`` (one transport, one login): ``info`` (model,
release, hashrate unit, system uptime, MAC), ``summary`` (hashrate, power, chains,
fans, pools), ``status`` (miner state, locate LED), the per-chip board list for chip
counts, and, behind the token, ``settings`` (the active preset) and
``autotune/presets``. The six GETs of a poll run concurrently; the four public ones
are sent without a token.

Login is ``POST unlock {"pw"}`` (there is no user name) for a token sent as
``Authorization: Bearer <token>``, as the firmware's OpenAPI document declares. A
wrong password is 403; too many wrong ones lock the API for a while (429 with
``unlock_timeout``), which would lock the owner out of the web UI too, so a refused
password is not tried again for ``REFUSAL_BACKOFF`` seconds except by
``check_credentials``.

Power is set only through autotune presets named by their wattage: the power limit
picks the highest *tuned* preset at or below the target. The work mode is the preset
itself, and only tuned presets are offered: the firmware silently ignores a switch to
an untuned one (the ``settings`` reply never signals failure), so every write is
verified by reading ``settings`` back.

Releases: 1.2.x serves per-chip data at ``chains``; 1.3.x renamed it ``boards``. The
locate LED is ``find-miner`` (reply ``{on}``) on both; 1.3.4 deprecates it for
``locate-miner`` (reply ``{is_enabled}``), which is used once ``find-miner`` answers
404. Both toggle the LED, so the state is read first and the toggle sent only when it
differs. 1.3's ``mining/throttle`` is not offered: there is no control for a percentage.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..context import MinerContext
from ..contract import Backend, Family, Field, Location, ProbeResults, Replies, Web
from ..exceptions import (
    MinerAuthenticationError,
    MinerError,
    MinerResponseError,
    MinerValueError,
)
from ..hardware import lookup
from ..models import (
    Board,
    Control,
    Credentials,
    Fan,
    MinerErrorEntry,
    MinerIdentity,
    Pool,
    PowerLimitRange,
)
from ..transports.http import HttpReply
from ..values import clean_str, normalize_mac, positive, rate_to_ths, to_bool, to_float, to_int
from ._cgminer import probe_item
from ._probes import RPC_VERSION, WEB_ROOT, rpc_text, web_reply
from ._refusal import NamedRefusals

FAMILY_KEY = "vnish"
FIRMWARE = "VNish"
MAKE = "Bitmain"
UNKNOWN_MODEL = "Unknown"
# VNish asks for a password only; the user name is never sent.
DEFAULT_CREDENTIALS = Credentials("admin", "admin")
# Seconds a refused password is not sent again by polls and controls.
REFUSAL_BACKOFF = 600.0

API = "/api/v1"
UNLOCK_PATH = f"{API}/unlock"
# Requests one call may make with a token: the kept one, one another request just
# fetched, one fresh unlock. Bounded whatever the firmware answers.
MAX_TOKEN_TRIES = 3
INFO = Web(f"{API}/info")
SUMMARY = Web(f"{API}/summary")
STATUS = Web(f"{API}/status")
CHAINS = Web(f"{API}/chains")  # per-chip data, 1.2.x
BOARDS = Web(f"{API}/boards")  # the same, renamed in 1.3.x
SETTINGS = Web(f"{API}/settings")
PRESETS = Web(f"{API}/autotune/presets")
_PROTECTED = frozenset({SETTINGS.path, PRESETS.path})
# The locate-LED toggle every release has; 1.3.4 deprecates it for locate-miner.
_FIND_MINER = (f"{API}/find-miner", "on")

# miner_state values; the rest of the enum (initializing, starting, auto-tuning,
# restarting) are on the way to mining.
# Stopped on purpose; "failure" is no pause (mining unknown, the failure is an error).
_NOT_MINING = frozenset({"stopped", "shutting-down"})
_MINING = frozenset({"mining", "initializing", "starting", "auto-tuning", "restarting"})
# pool status -> (alive, active)
_POOL_STATES: dict[str, tuple[bool | None, bool | None]] = {
    "active": (True, True),
    "working": (True, False),
    "rejecting": (True, None),
    "offline": (False, False),
    "disabled": (False, False),
}
_PLATFORMS = {
    "aml": "Amlogic",
    "bb": "BeagleBone",
    "cv": "CVITEK",
    "stm": "STM32",
    "xil": "Xilinx",
}


class VnishHttpError(MinerResponseError):
    """The API answered with an HTTP error status (other than an auth refusal)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class VnishLockedOutError(MinerAuthenticationError):
    """Too many wrong passwords: the firmware refuses every unlock for a while."""

    def __init__(self, message: str, retry_after: int | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# -- pure parsing --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Preset:
    """One autotune preset as ``autotune/presets`` lists it."""

    name: str  # the id ``settings`` takes, a wattage such as "3250"
    pretty: str | None  # "3250 watt ~ 95 TH", "3425 watt ~ 11500 MH", "Disabled"
    tuned: bool
    watts: int | None


# Bounded repetition and a digit lookbehind: each start position costs O(1), so a
# long string of digits cannot make the search quadratic.
_WATTS = re.compile(r"(?<![\d.])(\d{1,6}(?:\.\d{1,3})?)\s{0,4}(?:w|watts?)\b", re.IGNORECASE)
# Longer than any real uptime, model or version text: not worth parsing.
_MAX_TEXT = 128


def _preset_watts(name: str, pretty: str | None) -> int | None:
    """The preset's power: the name when it is a plain wattage, else the pretty text.

    Only the part before "~" of the pretty text is power; what follows is a hashrate
    with its own unit ("11500 MH", "95 TH LC") and never a wattage.
    """
    if name.isdigit() and len(name) <= 6:
        return int(name)
    if pretty:
        match = _WATTS.search(pretty.split("~", 1)[0][:_MAX_TEXT])
        if match:
            return round(float(match.group(1)))
    return None


def parse_presets(reply: Any) -> list[Preset]:
    """The preset list (a bare array, or one under ``presets``); bad entries skipped."""
    items = reply.get("presets") if isinstance(reply, dict) else reply
    if not isinstance(items, list):
        raise MinerResponseError("autotune/presets is not a list")
    presets = []
    for item in items:
        if not isinstance(item, dict):
            continue
        name = clean_str(item.get("name"))
        if name is None:
            continue
        pretty = clean_str(item.get("pretty"))
        presets.append(
            Preset(
                name=name,
                pretty=pretty,
                tuned=str(item.get("status", "")).strip().lower() == "tuned",
                watts=_preset_watts(name, pretty),
            )
        )
    return presets


def tuned_presets(presets: list[Preset]) -> list[Preset]:
    """Presets a write can switch to, lowest power first (unknown power last)."""
    tuned = [p for p in presets if p.tuned]
    return sorted(tuned, key=lambda p: (p.watts is None, p.watts or 0, p.name))


_UPTIME_DAYS = re.compile(r"(?<!\d)(\d{1,6})\s{0,4}days?")
_UPTIME_CLOCK = re.compile(r"(?<!\d)(\d{1,6}):(\d{1,2})(?::(\d{1,2}))?")
_UPTIME_MIN = re.compile(r"(?<!\d)(\d{1,6})\s{0,4}min")
_UPTIME_SECONDS = re.compile(r"\d{1,12}(?:\.\d{1,6})?")


def parse_uptime(value: Any) -> int | None:
    """Seconds from ``info.system.uptime``: "5 min", "3:07", "10 days, 18:00", "12 days".

    A plain number is taken as seconds. Anything else is unknown, not zero.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if value >= 0 else None
    text = clean_str(value)
    if text is None or len(text) > _MAX_TEXT:
        return None
    if _UPTIME_SECONDS.fullmatch(text):
        return int(float(text))
    total = 0
    found = False
    if match := _UPTIME_DAYS.search(text):
        total += int(match.group(1)) * 86400
        found = True
    if match := _UPTIME_CLOCK.search(text):
        hours, minutes, seconds = match.groups()
        total += int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0)
        found = True
    elif match := _UPTIME_MIN.search(text):
        total += int(match.group(1)) * 60
        found = True
    return total if found else None


def normalize_model(raw: Any) -> str | None:
    """``Antminer S19 (Vnish 1.2.6)`` / ``Antminer S19j Pro AML`` → ``S19`` / ``S19j Pro``."""
    text = clean_str(raw)
    if text is None or len(text) > _MAX_TEXT:
        return None  # no model name is that long; the bound keeps the patterns linear
    text = re.sub(r"\s{0,8}\((?:vnish|anthill)[^)]{0,64}\)", "", text, flags=re.IGNORECASE)
    text = text.replace("(88)", " NoPIC")
    text = re.sub(r"^(?:bitmain\s+)?antminer\s+", "", text.strip(), flags=re.IGNORECASE)
    text = re.sub(r"\s{1,8}(?:\(?aml\)?)$", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def parse_version(text: Any) -> tuple[int, int] | None:
    """``1.2.6-rc4`` → ``(1, 2)``."""
    value = clean_str(text)
    match = re.match(r"v?(\d{1,6})\.(\d{1,6})", value or "", flags=re.IGNORECASE)
    return (int(match.group(1)), int(match.group(2))) if match else None


# -- extractors ----------------------------------------------------------------------


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} is not an object")
    return value


def _miner(replies: Replies) -> dict[str, Any]:
    return _dict(_dict(replies[SUMMARY], "summary")["miner"], "summary.miner")


def _unit(replies: Replies) -> str:
    """The unit of every hashrate in ``summary`` (``info.hr_measure``: GH/s or MH/s)."""
    unit = clean_str(_dict(replies[INFO], "info").get("hr_measure"))
    if unit is None:
        raise KeyError("hr_measure")
    return unit


def _rate(value: Any, unit: str) -> float | None:
    return rate_to_ths(value, unit)


def _hashrate(replies: Replies) -> float | None:
    return _rate(_miner(replies)["hr_realtime"], _unit(replies))


def _expected_hashrate(replies: Replies) -> float | None:
    return positive(_rate(_miner(replies)["hr_stock"], _unit(replies)))


def _power(replies: Replies) -> float | None:
    # Not power_usage: 1.2.6+ documents it as a deprecated alias of power_efficiency.
    value = to_float(_miner(replies)["power_consumption"])
    return None if value is None or value < 0 else value


def _settings_preset(replies: Replies) -> str | None:
    miner = _dict(_dict(replies[SETTINGS], "settings")["miner"], "settings.miner")
    overclock = _dict(miner["overclock"], "settings.miner.overclock")
    return clean_str(overclock.get("preset"))


def _power_limit(replies: Replies) -> float | None:
    name = _settings_preset(replies)
    if name is None or name.lower() == "disabled":
        return None  # stock clocks: no limit
    presets = replies.get(PRESETS)
    if presets is not None:
        for preset in parse_presets(presets):
            if preset.name == name:
                return preset.watts
    return _preset_watts(name, None)


def _work_mode(replies: Replies) -> str | None:
    return _settings_preset(replies)


def _power_limit_range(replies: Replies) -> PowerLimitRange | None:
    """The only wattages VNish runs at: its tuned presets'."""
    presets = tuned_presets(parse_presets(replies[PRESETS]))
    return PowerLimitRange.from_levels(p.watts for p in presets)


def _work_modes(replies: Replies) -> list[str]:
    return [p.name for p in tuned_presets(parse_presets(replies[PRESETS]))]


def _temp_max(value: Any) -> float | None:
    if isinstance(value, dict):
        return positive(to_float(value.get("max")))
    return positive(to_float(value))


def _chip_counts(replies: Replies, source: Web) -> dict[int, int]:
    """Chips per board id from the per-chip list; empty when it did not answer."""
    reply = replies.get(source)
    if isinstance(reply, dict):
        reply = reply.get("chains", reply.get("boards"))
    counts: dict[int, int] = {}
    for item in reply if isinstance(reply, list) else []:
        if isinstance(item, dict) and isinstance(item.get("chips"), list):
            board_id = to_int(item.get("id"))
            if board_id is not None:
                counts[board_id] = len(item["chips"])
    return counts


def _chains(replies: Replies) -> list[dict[str, Any]]:
    chains = _miner(replies)["chains"]
    if not isinstance(chains, list):
        raise TypeError("summary.miner.chains is not a list")
    items = [c for c in chains if isinstance(c, dict)]
    return sorted(items, key=lambda c: to_int(c.get("id")) or 0)


def _chain_state(chain: dict[str, Any]) -> tuple[str | None, str | None]:
    status = chain.get("status")
    if not isinstance(status, dict):
        return None, None
    state = clean_str(status.get("state"))
    text = clean_str(status.get("description") or status.get("failure_message"))
    return (state.lower() if state else None), text


def _boards_from(source: Web) -> Callable[[Replies], list[Board]]:
    def extract(replies: Replies) -> list[Board]:
        unit = _unit(replies)
        chips = _chip_counts(replies, source)
        boards = []
        for position, chain in enumerate(_chains(replies)):
            state, _ = _chain_state(chain)
            board_id = to_int(chain.get("id"))
            boards.append(
                Board(
                    index=position,
                    hashrate=_rate(chain.get("hashrate_rt"), unit),
                    expected_hashrate=positive(_rate(chain.get("hashrate_ideal"), unit)),
                    board_temperature=_temp_max(chain.get("pcb_temp")),
                    chip_temperature=_temp_max(chain.get("chip_temp")),
                    inlet_temperature=positive(to_float(chain.get("inlet_water_temp"))),
                    outlet_temperature=positive(to_float(chain.get("outlet_water_temp"))),
                    chips=chips.get(board_id) if board_id is not None else None,
                    frequency=positive(to_float(chain.get("frequency"))),
                    active=None if state is None else state == "mining",
                )
            )
        return boards

    return extract


def _fans(replies: Replies) -> list[Fan]:
    cooling = _dict(_miner(replies)["cooling"], "summary.miner.cooling")
    fans = cooling["fans"]
    if not isinstance(fans, list):
        raise TypeError("cooling.fans is not a list")
    items = sorted((f for f in fans if isinstance(f, dict)), key=lambda f: to_int(f.get("id")) or 0)
    return [Fan(index=position, rpm=to_int(fan.get("rpm"))) for position, fan in enumerate(items)]


def _pools(replies: Replies) -> list[Pool]:
    pools: list[Pool] = []
    items = _miner(replies)["pools"]
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        # The firmware lists its own dev-fee (and refund) pool beside the user's.
        kind = clean_str(item.get("pool_type"))
        if kind is not None and kind != "UserPool":
            continue
        url = clean_str(item.get("url"))
        if not url:
            continue
        alive, active = _POOL_STATES.get(str(item.get("status", "")).lower(), (None, None))
        pools.append(
            Pool(
                index=len(pools),
                url=url,
                user=clean_str(item.get("user")),
                alive=alive,
                active=active,
                accepted=to_int(item.get("accepted")),
                rejected=to_int(item.get("rejected")),
            )
        )
    return pools


def _errors(replies: Replies) -> list[MinerErrorEntry]:
    miner = _miner(replies)
    errors: list[MinerErrorEntry] = []
    status = miner.get("miner_status")
    if isinstance(status, dict) and str(status.get("miner_state", "")).lower() == "failure":
        code = status.get("failure_code")
        errors.append(
            MinerErrorEntry(
                message=clean_str(status.get("description")) or "Miner failure",
                code=None if code is None else str(code),
            )
        )
    for position, chain in enumerate(_chains(replies)):
        state, text = _chain_state(chain)
        if state == "failure":
            errors.append(MinerErrorEntry(message=f"Board {position}: {text or 'failure'}"))
    return errors


def _uptime(replies: Replies) -> int | None:
    system = _dict(_dict(replies[INFO], "info")["system"], "info.system")
    return parse_uptime(system.get("uptime"))


def _status(replies: Replies) -> dict[str, Any]:
    return _dict(replies[STATUS], "status")


def _mining(replies: Replies) -> bool | None:
    state = str(_status(replies)["miner_state"]).lower()
    if state in _NOT_MINING:
        return False
    return True if state in _MINING else None


def _fault_light(replies: Replies) -> bool | None:
    return to_bool(_status(replies)["find_miner"])


def _data_map(chips: Web) -> dict[Field, Location]:
    return {
        Field.HASHRATE: Location((INFO, SUMMARY), _hashrate),
        Field.EXPECTED_HASHRATE: Location((INFO, SUMMARY), _expected_hashrate),
        Field.POWER: Location((SUMMARY,), _power),
        Field.POWER_LIMIT: Location((SETTINGS, PRESETS), _power_limit),
        Field.BOARDS: Location((INFO, SUMMARY, chips), _boards_from(chips)),
        Field.FANS: Location((SUMMARY,), _fans),
        Field.POOLS: Location((SUMMARY,), _pools),
        Field.ERRORS: Location((SUMMARY,), _errors),
        Field.UPTIME: Location((INFO,), _uptime),
        Field.MINING: Location((STATUS,), _mining),
        Field.FAULT_LIGHT: Location((STATUS,), _fault_light),
        Field.WORK_MODE: Location((SETTINGS,), _work_mode),
        Field.WORK_MODES: Location((PRESETS,), _work_modes),
        Field.POWER_LIMIT_RANGE: Location((PRESETS,), _power_limit_range),
    }


# -- the REST session ----------------------------------------------------------------


def _error_text(reply: HttpReply) -> str:
    try:
        body = reply.json()
    except MinerResponseError:
        return reply.text[:120]
    if isinstance(body, dict) and body.get("err"):
        return str(body["err"])[:200]
    return str(body)[:200]


class VnishApi:
    """The ``/api/v1`` token session: one unlock shared by concurrent requests."""

    def __init__(self, ctx: MinerContext) -> None:
        self.ctx = ctx
        self._token: str | None = None
        self._lock = asyncio.Lock()
        # (password, error, when) of the last refused unlock
        self._refused: tuple[str, MinerAuthenticationError, float] | None = None

    def forget(self) -> None:
        """Drop the token (and any remembered refusal): the next request unlocks."""
        self._token = None
        self._refused = None

    async def _unlock(self) -> str:
        _, password = self.ctx.login(DEFAULT_CREDENTIALS)
        refused = self._refused
        if refused is not None and refused[0] == password and time.monotonic() < refused[2]:
            raise refused[1]
        host = self.ctx.host
        reply = await self.ctx.web().request(
            "POST", UNLOCK_PATH, json_body={"pw": password}, auth_required=False
        )
        if reply.status in (401, 403, 429):
            error: MinerAuthenticationError
            wait = REFUSAL_BACKOFF
            if reply.status == 429:
                retry_after = _unlock_timeout(reply)
                error = VnishLockedOutError(
                    f"{host}: too many wrong passwords; VNish refuses logins"
                    + (f" for {retry_after} s" if retry_after is not None else " for a while"),
                    retry_after,
                )
                wait = max(wait, float(retry_after or 0))
            else:
                error = MinerAuthenticationError(f"{host}: VNish refused the password")
            self._refused = (password, error, time.monotonic() + wait)
            raise error
        if reply.status >= 400:
            raise MinerResponseError(f"{UNLOCK_PATH}: HTTP {reply.status} {_error_text(reply)}")
        body = reply.json()
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise MinerResponseError(f"{UNLOCK_PATH}: no token in the reply")
        self._refused = None
        return token

    async def token(self, stale: str | None = None) -> str:
        """The current token; a new one when there is none or ``stale`` was refused."""
        async with self._lock:
            if self._token is None or self._token == stale:
                self._token = None
                self._token = await self._unlock()
            return self._token

    async def request(
        self, method: str, path: str, *, body: Any = None, public: bool = False
    ) -> HttpReply:
        """One request; a refused token is renewed once, then the refusal stands.

        ``public`` requests go without a token, and take one only if the firmware
        asks for it (a screen lock can close the public endpoints).
        """
        token = None if public else await self.token()
        renewed = False
        for _ in range(MAX_TOKEN_TRIES):
            headers = {"Authorization": f"Bearer {token}"} if token else None
            reply = await self.ctx.web().request(
                method, path, json_body=body, headers=headers, auth_required=False
            )
            if reply.status not in (401, 403):
                break
            if renewed:
                raise MinerAuthenticationError(
                    f"{self.ctx.host}: {path} refused a fresh token ({reply.status})"
                )
            before = self._token
            refused = token
            token = await self.token(stale=token)
            # A token another request had just fetched is tried first; only a token
            # this request saw refused leads to a fresh unlock, and only once. An
            # unlock that hands back the very token just refused counts as that one
            # fresh unlock: the firmware will not issue a better one.
            renewed = token != before or token == refused
        else:  # pragma: no cover - only concurrent renewals get here
            raise MinerAuthenticationError(
                f"{self.ctx.host}: {path} kept refusing the token ({reply.status})"
            )
        if reply.status >= 400:
            raise VnishHttpError(f"{path}: HTTP {reply.status} {_error_text(reply)}", reply.status)
        return reply

    async def get(self, path: str, *, public: bool = False) -> Any:
        return (await self.request("GET", path, public=public)).json()

    async def post(self, path: str, body: Any = None) -> Any:
        reply = await self.request("POST", path, body=body)
        return reply.json() if reply.body.strip() else None


def _unlock_timeout(reply: HttpReply) -> int | None:
    try:
        body = reply.json()
    except MinerResponseError:
        return None
    return to_int(body.get("unlock_timeout")) if isinstance(body, dict) else None


# -- backends ------------------------------------------------------------------------


class _VnishBackend(NamedRefusals, Backend):
    """Shared by both releases; subclasses name the per-chip list and the LED action."""

    CHIPS: ClassVar[Web]
    # (path, reply key) of the LED toggles, in the order to try them
    LOCATE: ClassVar[tuple[tuple[str, str], ...]]
    SINCE: ClassVar[tuple[int, int]]
    BOUNDS_FROM_FIRMWARE = True
    CONTROLS = frozenset(
        {
            Control.MINING,
            Control.FAULT_LIGHT,
            Control.POWER_LIMIT,
            Control.WORK_MODE,
            Control.REBOOT,
            Control.RESTART_BACKEND,
        }
    )

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = VnishApi(ctx)
        self._locate = self.LOCATE

    @classmethod
    def accepts(cls, version: tuple[int, ...] | None) -> bool:
        return version is not None and version >= cls.SINCE

    # -- reading ---------------------------------------------------------------------

    async def fetch_web(self, path: str) -> Any:
        return await self.api.get(path, public=path not in _PROTECTED)

    async def check_credentials(self) -> None:
        self.api.forget()
        await self.api.token()

    async def _fetch_presets(self) -> list[Preset]:
        presets: list[Preset] = parse_presets(await self.api.get(PRESETS.path))
        return presets

    # -- controls --------------------------------------------------------------------

    async def set_mining(self, on: bool) -> None:
        await self.api.post(f"{API}/mining/{'start' if on else 'stop'}")

    async def _light_state(self) -> bool | None:
        status = await self.api.get(STATUS.path, public=True)
        return to_bool(status.get("find_miner")) if isinstance(status, dict) else None

    async def _toggle_light(self) -> bool | None:
        while True:
            path, key = self._locate[0]
            try:
                reply = await self.api.post(path)
            except VnishHttpError as err:
                if err.status != 404 or len(self._locate) == 1:
                    raise
                self._locate = self._locate[1:]  # this release dropped it: use the next
                continue
            if isinstance(reply, dict) and key in reply:
                return to_bool(reply[key])
            return await self._light_state()

    async def set_fault_light(self, on: bool) -> None:
        # The action toggles: send it only when the LED is not already as asked.
        current = await self._light_state()
        if current is on:
            return
        for _ in range(1 if current is not None else 2):
            if await self._toggle_light() is on:
                return
        raise MinerResponseError(f"locate LED did not turn {'on' if on else 'off'}")

    async def _apply_preset(self, name: str) -> None:
        await self.api.post(SETTINGS.path, {"miner": {"overclock": {"preset": name}}})
        # The reply is {restart_required, reboot_required} whatever happened: read back.
        settings = await self.api.get(SETTINGS.path)
        try:
            applied = _settings_preset(Replies({SETTINGS: settings}))
        except (KeyError, TypeError, MinerError) as err:
            raise MinerResponseError("settings has no overclock preset") from err
        if applied != name:
            raise MinerResponseError(f"the miner kept preset {applied!r} instead of {name!r}")

    async def set_power_limit(self, watts: int) -> None:
        tuned = [p for p in tuned_presets(await self._fetch_presets()) if p.watts is not None]
        fitting = [p for p in tuned if p.watts is not None and p.watts <= watts]
        if not fitting:
            lowest = f"; the lowest is {tuned[0].watts} W" if tuned else ""
            raise MinerValueError(f"no tuned preset at or below {watts} W{lowest}")
        await self._apply_preset(fitting[-1].name)

    async def set_work_mode(self, mode: str) -> None:
        names = [p.name for p in tuned_presets(await self._fetch_presets())]
        if mode not in names:
            raise MinerValueError(
                f"unknown or untuned preset {mode!r}; choose from {', '.join(names) or 'none'}"
            )
        await self._apply_preset(mode)

    async def reboot(self) -> None:
        await self.api.post(f"{API}/system/reboot")

    async def restart_backend(self) -> None:
        await self.api.post(f"{API}/mining/restart")


class V1_3Backend(_VnishBackend):
    """VNish 1.3.x: ``boards``; ``locate-miner`` once the deprecated ``find-miner`` is gone."""

    name = "v1_3"
    SINCE = (1, 3)
    CHIPS = BOARDS
    LOCATE = (_FIND_MINER, (f"{API}/locate-miner", "is_enabled"))
    DATA_MAP = _data_map(BOARDS)


class V1_2Backend(_VnishBackend):
    """VNish 1.2.x (and anything older that answers the same API): ``chains``, ``find-miner``."""

    name = "v1_2"
    SINCE = (0, 0)
    CHIPS = CHAINS
    LOCATE = (_FIND_MINER,)
    DATA_MAP = _data_map(CHAINS)


BACKENDS: tuple[type[_VnishBackend], ...] = (V1_3Backend, V1_2Backend)


def backend_for(version: tuple[int, int] | None) -> type[_VnishBackend]:
    """Newest backend that accepts the release; an unreadable one gets 1.2 (both serve it)."""
    for backend in BACKENDS:
        if backend.accepts(version):
            return backend
    return V1_2Backend


# -- identification ------------------------------------------------------------------


def _matches(results: ProbeResults) -> bool:
    if "VNISH" in rpc_text(results):
        return True
    reply = web_reply(results)
    if reply is None:
        return False
    body = reply.text.upper()
    return "ANTHILLOS" in body or "VNISH" in body


def _section(value: Mapping[str, Any], key: str) -> dict[str, Any]:
    section = value.get(key)
    return section if isinstance(section, dict) else {}


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    # Public: no unlock unless a screen lock closed it (then the password must be right).
    info = await VnishApi(ctx).get(INFO.path, public=True)
    if not isinstance(info, dict):
        raise MinerResponseError(f"{ctx.host}: {INFO.path} is not an object")
    rpc = probe_item(results, RPC_VERSION.key, "VERSION")
    rpc_type = clean_str(rpc.get("Type"))
    version = clean_str(info.get("fw_version"))
    if version is None and rpc_type:
        match = re.search(r"vnish\s{1,8}([\w.\-]{1,32})", rpc_type[:_MAX_TEXT], flags=re.IGNORECASE)
        version = match.group(1) if match else None
    model = normalize_model(info.get("miner")) or normalize_model(rpc_type) or UNKNOWN_MODEL
    system = _section(info, "system")
    network = _section(system, "network_status")
    platform = clean_str(info.get("platform"))
    return MinerIdentity(
        make=MAKE,
        model=model,
        family=FAMILY_KEY,
        firmware=FIRMWARE,
        backend=backend_for(parse_version(version)).name,
        firmware_version=version,
        api_version=clean_str(rpc.get("API")),
        mac=normalize_mac(network.get("mac")),
        serial=clean_str(info.get("serial")),
        hostname=clean_str(network.get("hostname")),
        control_board=_PLATFORMS.get(platform.lower(), platform) if platform else None,
        supported=lookup(MAKE, model) is not None,
    )


FAMILY = Family(
    key=FAMILY_KEY,
    name="VNish",
    stock=False,
    probes=(RPC_VERSION, WEB_ROOT),
    matches=_matches,
    identify=_identify,
    backends=BACKENDS,
    default_credentials=DEFAULT_CREDENTIALS,
)

__all__ = [
    "FAMILY",
    "Preset",
    "VnishHttpError",
    "VnishLockedOutError",
    "backend_for",
    "normalize_model",
    "parse_presets",
    "parse_uptime",
    "parse_version",
]
