"""ePIC PowerPlay ("UMC OS") on Antminer, Whatsminer and ePIC BlockMiner hardware.

PowerPlay speaks **HTTP JSON on TCP 4028**, the port cgminer firmware uses for its
socket API, so the shared cgminer probes get an HTTP error page there. ePIC's own
probe first asks 4028 the cgminer way: a JSON reply is some cgminer, ruled out at
once; an HTTP status line means an HTTP server, which then gets ``GET /summary``.
The web dashboard on port 80 ("Miner Web Dashboard") is a second fingerprint.

Reads: ``GET /summary`` (every poll) and ``GET /capabilities`` (model, chips per
board, board serials, the tuning algorithms; read once and kept). Hashrates are MH/s;
each board reports ``[MH/s, percent of ideal]``, so its ideal is MH ÷ (percent/100).
A GET may answer ``{"result": false, "error": ...}`` while its data is not ready
(booting, just soft-rebooted): that is retried once and never taken for "offline".

Controls are ``POST`` requests with ``{"param": <value>, "password": "<pw>"}``
(default ``letmein``); the reply is ``{"result": true|false, "error": ...}`` and a
wrong password is ``result: false`` with ``BadPassword``. The power limit is a
perpetual-tune target of the firmware's power algorithm, whose name changed between
releases ("Power" in the API 1.22/1.30 descriptions, "PowerTune" in 1.38, the name
asic-rs sends); ``/capabilities`` lists the algorithms the running release offers,
so the name is taken from there, and a model that lists none has no power limit.
Pools are never touched.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, replace
from typing import Any

from ..context import MinerContext
from ..contract import (
    Backend,
    Call,
    Family,
    Field,
    Location,
    Probe,
    ProbeResults,
    Replies,
    gather_dict,
)
from ..exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
    MinerUnsupportedError,
    MinerValueError,
)
from ..hardware import HARDWARE, lookup
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
from ..transports.http import HttpClient, HttpReply
from ..values import clean_str, mhs_to_ths, normalize_mac, positive, to_bool, to_float, to_int
from ._probes import WEB_ROOT, web_reply
from ._refusal import NamedRefusals

FAMILY_KEY = "epic"
FIRMWARE = "ePIC PowerPlay"
DEFAULT_CREDENTIALS = Credentials(None, "letmein")
# How long to wait before asking again for data the firmware said was not ready.
NOT_READY_PAUSE = 0.3
UNKNOWN_MODEL = "Unknown"

SUMMARY_PATH = "/summary"
CAPABILITIES_PATH = "/capabilities"
NETWORK_PATH = "/network"

# Operating states (``Status."Operating State"``) that mean "not mining on purpose";
# reboots and firmware updates say nothing about what the user wants.
_IDLE_STATES = {"idling", "stopping"}
_TRANSITION_STATES = {"rebooting", "softrebooting", "updatingfirmware"}


# -- talking to the API -----------------------------------------------------------------


def api_client(ctx: MinerContext) -> HttpClient:
    """The PowerPlay API: HTTP on the miner's RPC port."""
    return ctx.web(port=ctx.ports.rpc)


def _refusal(body: dict[str, Any]) -> str:
    error = body.get("error")
    return str(error) if error not in (None, "") else "no reason given"


async def get_json(client: HttpClient, path: str) -> Any:
    """GET ``path``; a "not ready" answer is asked again once, then is an error."""
    for attempt in (1, 2):
        body = await client.get_json(path)
        if not (isinstance(body, dict) and body.get("result") is False):
            return body
        if attempt == 1:
            await asyncio.sleep(NOT_READY_PAUSE)
    raise MinerResponseError(f"{client.host} {path}: data not ready ({_refusal(body)})")


def _is_password_error(error: str) -> bool:
    return "password" in error.lower()


@dataclass(frozen=True, slots=True)
class _Poll:
    """One poll's replies: the summary, and the capabilities kept since the first poll."""

    summary: dict[str, Any]
    capabilities: dict[str, Any] | None


POLL = Call("poll")


# -- extractors --------------------------------------------------------------------------


def _summary(replies: Replies) -> dict[str, Any]:
    poll: _Poll = replies[POLL]
    return poll.summary


def _capabilities(replies: Replies) -> dict[str, Any]:
    poll: _Poll = replies[POLL]
    return poll.capabilities or {}


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


def _power_algorithm_stats(summary: dict[str, Any]) -> dict[str, Any] | None:
    """The running perpetual-tune algorithm's stats when it targets watts."""
    tune = _section(summary, "PerpetualTune")
    if to_bool(tune.get("Running")) is not True:
        return None
    algorithms = tune.get("Algorithm")
    if not isinstance(algorithms, dict):
        return None
    for name, stats in algorithms.items():
        if not isinstance(stats, dict):
            continue
        unit = str(stats.get("Unit") or "").strip().upper()
        if unit == "W" or (not unit and "power" in name.lower()):
            return stats
    return None


def _power_limit(replies: Replies) -> float | None:
    stats = _power_algorithm_stats(_summary(replies))
    return None if stats is None else positive(to_float(stats.get("Target")))


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


def power_algorithm(capabilities: dict[str, Any]) -> tuple[str, PowerLimitRange | None] | None:
    """The release's power-target algorithm and its bounds, from ``/capabilities``."""
    options = capabilities.get("PerpetualTune")
    if not isinstance(options, list):
        return None
    for option in options:
        if not isinstance(option, dict):
            continue
        name = clean_str(option.get("algorithm"))
        if name is None or "power" not in name.lower():
            continue
        low, high = to_int(option.get("min")), to_int(option.get("max"))
        bounds = PowerLimitRange(low, high) if low is not None and high and high > low else None
        return name, bounds
    return None


_CONTROLS = frozenset(
    {
        Control.MINING,
        Control.FAULT_LIGHT,
        Control.POWER_LIMIT,
        Control.REBOOT,
        Control.RESTART_BACKEND,
    }
)


def _controls(replies: Replies) -> frozenset[Control] | None:
    """Known once the capabilities are read: some models list no power algorithm."""
    poll: _Poll = replies[POLL]
    if poll.capabilities is None:
        return None
    if power_algorithm(poll.capabilities) is None:
        return _CONTROLS - {Control.POWER_LIMIT}
    return _CONTROLS


def _power_limit_range(replies: Replies) -> PowerLimitRange | None:
    poll: _Poll = replies[POLL]
    found = None if poll.capabilities is None else power_algorithm(poll.capabilities)
    return None if found is None else found[1]


# -- backend -----------------------------------------------------------------------------


class PowerPlayBackend(NamedRefusals, Backend):
    """The PowerPlay HTTP API on 4028.

    Every call used here is in the firmware's API descriptions 1.22.5 and 1.30.0.
    """

    name = "powerplay"
    DATA_MAP = {
        Field.HASHRATE: Location((POLL,), _hashrate),
        Field.EXPECTED_HASHRATE: Location((POLL,), _expected_hashrate),
        Field.POWER: Location((POLL,), _power),
        Field.POWER_LIMIT: Location((POLL,), _power_limit),
        Field.BOARDS: Location((POLL,), _boards),
        Field.FANS: Location((POLL,), _fans),
        Field.POOLS: Location((POLL,), _pools),
        Field.ERRORS: Location((POLL,), _errors),
        Field.UPTIME: Location((POLL,), _uptime),
        Field.MINING: Location((POLL,), _mining),
        Field.FAULT_LIGHT: Location((POLL,), _fault_light),
        Field.CONTROLS: Location((POLL,), _controls),
        Field.POWER_LIMIT_RANGE: Location((POLL,), _power_limit_range),
    }
    CONTROLS = _CONTROLS

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = api_client(ctx)
        self._capabilities: dict[str, Any] | None = None

    # -- reading ---------------------------------------------------------------------

    async def fetch_call(self, call: Call) -> Any:
        if call != POLL:
            raise NotImplementedError(call.name)
        summary = await get_json(self.api, SUMMARY_PATH)
        if not isinstance(summary, dict):
            raise MinerResponseError(f"{self.ctx.host} {SUMMARY_PATH}: not an object")
        capabilities = self._capabilities
        if capabilities is None:
            # Asked after the summary, so a dead miner fails the poll on the summary
            # alone; once read, the capabilities never change and are kept.
            try:
                capabilities = await self.capabilities()
            except MinerError:
                capabilities = None
        return _Poll(summary, capabilities)

    async def capabilities(self) -> dict[str, Any]:
        if self._capabilities is None:
            body = await get_json(self.api, CAPABILITIES_PATH)
            if not isinstance(body, dict):
                raise MinerResponseError(f"{self.ctx.host} {CAPABILITIES_PATH}: not an object")
            self._capabilities = body
        return self._capabilities

    # -- controls --------------------------------------------------------------------

    async def post(self, path: str, param: Any) -> None:
        """One control; ``result: false`` raises with the firmware's reason."""
        _, password = self.ctx.login(DEFAULT_CREDENTIALS)
        reply: HttpReply = await self.api.request(
            "POST", path, json_body={"param": param, "password": password}
        )
        if reply.status >= 400:
            raise MinerResponseError(f"{self.ctx.host} {path}: HTTP {reply.status}")
        body = reply.json()
        if not isinstance(body, dict) or not isinstance(body.get("result"), bool):
            raise MinerResponseError(f"{self.ctx.host} {path}: unexpected reply {body!r:.80}")
        if body["result"]:
            return
        error = _refusal(body)
        if _is_password_error(error):
            raise MinerAuthenticationError(f"{self.ctx.host} {path}: password refused")
        raise MinerResponseError(f"{self.ctx.host} {path}: refused ({error})")

    async def check_credentials(self) -> None:
        """``authenticate`` checks the password and changes nothing."""
        await self.post("/authenticate", None)

    async def set_mining(self, on: bool) -> None:
        await self.post("/miner", "Autostart" if on else "Stop")

    async def set_fault_light(self, on: bool) -> None:
        await self.post("/identify", bool(on))

    async def set_power_limit(self, watts: int) -> None:
        found = power_algorithm(await self.capabilities())
        if found is None:
            raise MinerUnsupportedError(
                f"{self.identity.model} on {FIRMWARE}: this release offers no power tuning"
            )
        algorithm, bounds = found
        if bounds is not None and not bounds.minimum <= watts <= bounds.maximum:
            raise MinerValueError(
                f"power limit {watts} W is outside {bounds.minimum}-{bounds.maximum} W"
            )
        # The target first, then make sure perpetual tuning runs: it may have been off.
        await self.post("/perpetualtune/algo", {"algo": algorithm, "target": int(watts)})
        await self.post("/perpetualtune", True)

    async def reboot(self) -> None:
        await self.post("/reboot", 0)  # delay in seconds

    async def restart_backend(self) -> None:
        await self.post("/softreboot", None)


# -- identification -----------------------------------------------------------------------


async def _api_probe(ctx: MinerContext) -> Any:
    """``/summary`` when 4028 is an HTTP server; ``None`` when it is a cgminer API."""
    try:
        raw = await ctx.rpc().send_raw(b'{"command":"version"}')
    except MinerTimeoutError:
        raise  # silent: the HTTP request would only wait as long again
    except MinerConnectionError:
        raw = b""  # hung up without a word: could be an HTTP server, ask it properly
    if raw and not raw.lstrip().upper().startswith(b"HTTP/"):
        return None  # cgminer answered: not PowerPlay, decided without another request
    client = api_client(ctx)
    reply = await client.request("GET", SUMMARY_PATH, auth_required=False)
    return reply.json() if reply.status == 200 else None


API_PROBE = Probe("epic_api", _api_probe)


def _api_matches(summary: Any) -> bool:
    if not isinstance(summary, dict):
        return False
    software = str(summary.get("Software", "")).upper()
    if "POWERPLAY" in software or "UMC" in str(summary.get("OS Type", "")).upper():
        return True
    # Not ready yet: the PowerPlay error shape, served over HTTP on the cgminer port.
    return summary.get("result") is False and "error" in summary


def _matches(results: ProbeResults) -> bool:
    if _api_matches(results.get(API_PROBE.key)):
        return True
    reply = web_reply(results)
    return reply is not None and reply.status == 200 and "MINER WEB DASHBOARD" in reply.text.upper()


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


def _mac(network: Any) -> str | None:
    """The first interface's MAC: ``{"dhcp": {"mac_address": ...}}`` or by interface."""
    if not isinstance(network, dict):
        return None
    for value in network.values():
        if isinstance(value, dict):
            mac = normalize_mac(value.get("mac_address"))
            if mac is not None:
                return mac
    return None


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    client = api_client(ctx)
    probed = results.get(API_PROBE.key)
    tasks: dict[str, Any] = {
        "capabilities": get_json(client, CAPABILITIES_PATH),
        "network": get_json(client, NETWORK_PATH),
    }
    if not (isinstance(probed, dict) and "Software" in probed):
        tasks["summary"] = get_json(client, SUMMARY_PATH)
    got = await gather_dict(tasks)
    capabilities = got["capabilities"]
    if isinstance(capabilities, Exception):
        raise capabilities  # the model comes from here alone
    if not isinstance(capabilities, dict):
        raise MinerResponseError(f"{ctx.host} {CAPABILITIES_PATH}: not an object")
    summary = got.get("summary", probed)
    summary = summary if isinstance(summary, dict) else {}
    network = got["network"]
    make, model = parse_model(capabilities.get("Model"), capabilities.get("Model Subtype"))
    board = capabilities.get("Control Board Version")
    return MinerIdentity(
        make=make,
        model=model,
        family=FAMILY_KEY,
        firmware=FIRMWARE,
        backend=PowerPlayBackend.name,
        firmware_version=parse_software(summary.get("Software")),
        mac=None if isinstance(network, Exception) else _mac(network),
        serial=clean_str(capabilities.get("Miner Serial Number")),
        hostname=clean_str(summary.get("Hostname")),
        control_board=clean_str(board.get("cpuHardware")) if isinstance(board, dict) else None,
        supported=lookup(make, model) is not None,
    )


FAMILY = Family(
    key=FAMILY_KEY,
    name="ePIC PowerPlay",
    stock=False,
    probes=(API_PROBE, WEB_ROOT),
    matches=_matches,
    identify=_identify,
    backends=(PowerPlayBackend,),
    default_credentials=DEFAULT_CREDENTIALS,
)

__all__ = ["FAMILY", "error_entries", "parse_model", "parse_software"]
