"""Braiins OS 25.07 and later: the REST API under ``/api/v1``.

Login is ``POST /api/v1/auth/login`` with a JSON username and password; the token it
returns goes in the ``Authorization`` header as it is (no ``Bearer``) and is renewed
by logging in again when the firmware answers 401. Actions are ``PUT`` requests, as in
the firmware's published OpenAPI document. Telemetry comes from this API (one GET per
resource, each failing on its own), with bosminer's RPC filling in a field whose
resource failed. The uptime is ``system_uptime_s``, the system's; ``bosminer_uptime_s``
is only the mining process.
"""

from __future__ import annotations

from typing import Any

from ...context import MinerContext
from ...contract import Field, Location, Replies, Web, first_of
from ...exceptions import (
    MinerControlRefusedError,
    MinerResponseError,
    MinerUnsupportedError,
    MinerValueError,
)
from ...models import Board, Credentials, Fan, MinerErrorEntry, MinerIdentity, Pool
from ...transports.http import HttpReply, TokenAuth
from ...values import clean_str, ghs_to_ths, normalize_mac, positive, to_bool, to_float, to_int
from ._rpc import RPC_MAP, BraiinsBackend

API = "/api/v1"
LOGIN_PATH = f"{API}/auth/login"
DEFAULT_CREDENTIALS = Credentials("root", "root")
# The first release that serves the REST API; older ones speak GraphQL.
SINCE = (25, 7)

DETAILS = Web(f"{API}/miner/details")
LOCATE = Web(f"{API}/actions/locate")
STATS = Web(f"{API}/miner/stats")
HASHBOARDS = Web(f"{API}/miner/hw/hashboards")
COOLING = Web(f"{API}/cooling/state")
ERRORS = Web(f"{API}/miner/errors")
TUNER = Web(f"{API}/performance/tuner-state")
POOLS = Web(f"{API}/pools/")

# miner/details "status" (bos.v1 MinerStatus): 1 not started, 2 normal, 3 paused,
# 4 suspended, 5 restricted (licence limits, still hashing).
_MINING_BY_STATUS = {1: False, 2: True, 3: False, 4: False, 5: True}


class NoRestApi(MinerUnsupportedError):
    """The firmware predates the REST API (the login route is missing)."""


class RestApi:
    """Token session on the REST API; shared by identification and the backend."""

    def __init__(self, ctx: MinerContext) -> None:
        self.ctx = ctx
        self.auth = TokenAuth(self._login)

    async def _login(self) -> dict[str, str]:
        user, password = self.ctx.login(DEFAULT_CREDENTIALS)
        # 401/403 raise MinerAuthenticationError here, which stops TokenAuth's retry.
        reply = await self.ctx.web().request(
            "POST", LOGIN_PATH, json_body={"username": user, "password": password}
        )
        if reply.status in (404, 405):
            raise NoRestApi(f"{self.ctx.host}: no REST API ({reply.status})")
        if reply.status >= 400:
            raise MinerResponseError(f"{LOGIN_PATH}: HTTP {reply.status}")
        if _is_html(reply):
            # Some web servers answer unknown routes with their single-page app.
            raise NoRestApi(f"{self.ctx.host}: login answered with a web page")
        body = reply.json()
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise MinerResponseError(f"{LOGIN_PATH}: no token in the reply")
        return {"Authorization": token}

    async def available(self) -> bool:
        """Log in; ``False`` when this release has no REST API at all."""
        try:
            await self.auth.headers()
        except NoRestApi:
            return False
        return True

    async def get(self, path: str) -> Any:
        return await self.auth.json(self.ctx.web(), "GET", path)

    async def put(self, path: str, body: Any = None) -> HttpReply:
        reply = await self.auth.request(self.ctx.web(), "PUT", path, json_body=body)
        if reply.status in (400, 422):
            # The firmware says in the body why it refused a value.
            raise MinerValueError(f"{path}: {_message(reply)}")
        if reply.status >= 400:
            raise MinerResponseError(f"{path}: HTTP {reply.status} {_message(reply)}")
        return reply


def _is_html(reply: HttpReply) -> bool:
    for key, value in reply.headers.items():
        if key.lower() == "content-type":
            return "html" in value.lower()
    return reply.body.lstrip()[:1] == b"<"


def _message(reply: HttpReply) -> str:
    try:
        body = reply.json()
    except MinerResponseError:
        return reply.text[:120]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or body)[:200]
    return str(body)[:200]


def _mining(replies: Replies) -> bool | None:
    status = to_int(replies[DETAILS]["status"])
    return None if status is None else _MINING_BY_STATUS.get(status)


def _fault_light(replies: Replies) -> bool | None:
    return to_bool(replies[LOCATE])


def _ghs(value: Any) -> float | None:
    """``{"gigahash_per_second": x}`` to TH/s."""
    return ghs_to_ths(value["gigahash_per_second"]) if isinstance(value, dict) else None


def _window(rates: Any) -> float | None:
    """The one-minute average, as on RPC: five-second figures jump with share luck."""
    if not isinstance(rates, dict):
        return None
    for window in ("last_1m", "last_5s"):
        if window in rates:
            return _ghs(rates[window])
    return None


def _degrees(value: Any) -> float | None:
    return positive(to_float(value.get("degree_c"))) if isinstance(value, dict) else None


def _hashrate(replies: Replies) -> float | None:
    return _window(replies[STATS]["miner_stats"]["real_hashrate"])


def _expected_hashrate(replies: Replies) -> float | None:
    return _ghs(replies[DETAILS]["sticker_hashrate"])


def _power(replies: Replies) -> float | None:
    return to_float(replies[STATS]["power_stats"]["approximated_consumption"]["watt"])


def _power_limit(replies: Replies) -> float | None:
    state = replies[TUNER]["mode_state"]
    target = state["powertargetmodestate"]["current_target"] if state else None
    return positive(to_float(target["watt"])) if isinstance(target, dict) else None


def _uptime(replies: Replies) -> int | None:
    return to_int(replies[DETAILS]["system_uptime_s"])


def _boards(replies: Replies) -> list[Board]:
    items = replies[HASHBOARDS]["hashboards"]
    boards = []
    chains = sorted(
        (b for b in items if isinstance(b, dict)), key=lambda b: to_int(b.get("id")) or 0
    )
    for position, item in enumerate(chains):
        stats = item.get("stats") or {}
        rate = _window(stats.get("real_hashrate"))
        hottest = item.get("highest_chip_temp") or {}
        hertz = to_float((item.get("current_frequency") or {}).get("hertz"))
        enabled = to_bool(item.get("enabled"))
        boards.append(
            Board(
                index=position,
                hashrate=rate,
                expected_hashrate=_ghs(stats.get("nominal_hashrate")),
                board_temperature=_degrees(item.get("board_temp")),
                chip_temperature=_degrees(hottest.get("temperature")),
                inlet_temperature=_degrees(item.get("lowest_inlet_temp")),
                outlet_temperature=_degrees(item.get("highest_outlet_temp")),
                chips=to_int(item.get("chips_count")),
                frequency=None if hertz is None else round(hertz / 1e6, 2),
                voltage=positive(to_float((item.get("current_voltage") or {}).get("volt"))),
                serial=clean_str(item.get("serial_number")),
                active=None if rate is None or enabled is False else rate > 0,
            )
        )
    return boards


def _fans(replies: Replies) -> list[Fan]:
    items = replies[COOLING]["fans"]
    if not isinstance(items, list):
        raise KeyError("no fan list")  # unknown, not "no fans": RPC may say
    fans = []
    for position, item in enumerate(items):
        rpm = to_int(item.get("rpm")) if isinstance(item, dict) else None
        if not rpm:
            continue
        ratio = to_float(item.get("target_speed_ratio"))
        index = to_int(item.get("position"))
        fans.append(
            Fan(
                index=position if index is None else index,
                rpm=rpm,
                percent=None if ratio is None else round(ratio * 100),
            )
        )
    return fans


def _errors(replies: Replies) -> list[MinerErrorEntry]:
    """The miner's error list, each distinct fault once (it repeats them as they recur)."""
    seen: dict[tuple[str, str | None], MinerErrorEntry] = {}
    for item in replies[ERRORS]["errors"]:
        if not isinstance(item, dict):
            continue
        codes = [c for c in item.get("error_codes") or [] if isinstance(c, dict)]
        code = clean_str(codes[0].get("code")) if codes else None
        message = str(item.get("message"))
        seen.setdefault((message, code), MinerErrorEntry(message=message, code=code))
    return list(seen.values())


def _pools(replies: Replies) -> list[Pool]:
    groups = replies[POOLS]
    if not isinstance(groups, list):
        raise KeyError("pools reply is not a list")  # unknown, not "no pools"
    pools: list[Pool] = []
    for group in groups:
        for item in (group.get("pools") or []) if isinstance(group, dict) else []:
            url = clean_str(item.get("url")) if isinstance(item, dict) else None
            if not url:
                continue
            stats = item.get("stats") or {}
            pools.append(
                Pool(
                    index=len(pools),
                    url=url,
                    user=clean_str(item.get("user")),
                    alive=to_bool(item.get("alive")),
                    active=to_bool(item.get("active")),
                    accepted=to_int(stats.get("accepted_shares")),
                    rejected=to_int(stats.get("rejected_shares")),
                )
            )
    return pools


class RestBackend(BraiinsBackend):
    """BOS >= 25.07: RPC for telemetry, REST for state and controls."""

    name = "rest"
    DATA_MAP = {
        Field.HASHRATE: first_of(Location((STATS,), _hashrate), RPC_MAP[Field.HASHRATE]),
        Field.EXPECTED_HASHRATE: first_of(
            Location((DETAILS,), _expected_hashrate), RPC_MAP[Field.EXPECTED_HASHRATE]
        ),
        Field.POWER: first_of(Location((STATS,), _power), RPC_MAP[Field.POWER]),
        Field.POWER_LIMIT: first_of(Location((TUNER,), _power_limit), RPC_MAP[Field.POWER_LIMIT]),
        Field.BOARDS: first_of(Location((HASHBOARDS,), _boards), RPC_MAP[Field.BOARDS]),
        Field.FANS: first_of(Location((COOLING,), _fans), RPC_MAP[Field.FANS]),
        Field.POOLS: first_of(Location((POOLS,), _pools), RPC_MAP[Field.POOLS]),
        Field.ERRORS: first_of(Location((ERRORS,), _errors), RPC_MAP[Field.ERRORS]),
        Field.UPTIME: Location((DETAILS,), _uptime),
        Field.MINING: Location((DETAILS,), _mining),
        Field.FAULT_LIGHT: Location((LOCATE,), _fault_light),
    }

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = RestApi(ctx)

    @classmethod
    def accepts(cls, version: tuple[int, ...] | None) -> bool:
        return version is None or version >= SINCE

    async def fetch_web(self, path: str) -> Any:
        return await self.api.get(path)

    async def check_credentials(self) -> None:
        self.api.auth.invalidate()
        await self.api.auth.headers()

    async def set_mining(self, on: bool) -> None:
        async with self.control("resume mining" if on else "pause mining"):
            await self.api.put(f"{API}/actions/{'resume' if on else 'pause'}")

    async def set_fault_light(self, on: bool) -> None:
        async with self.control("fault light"):
            reply = await self.api.put(LOCATE.path, on)
            if reply.body and to_bool(reply.json()) is not on:
                raise MinerControlRefusedError(
                    "fault light", f"the locate LED stayed {'off' if on else 'on'}"
                )

    async def set_power_limit(self, watts: int) -> None:
        # Only the power target: this endpoint leaves pools and other settings alone.
        async with self.control("power limit"):
            reply = await self.api.put(f"{API}/performance/power-target", {"watt": int(watts)})
            echoed = reply.json() if reply.body else None
            if isinstance(echoed, dict) and to_int(echoed.get("watt")) not in (None, int(watts)):
                raise MinerControlRefusedError(
                    "power limit", f"it set {echoed.get('watt')} W, not {watts} W"
                )

    async def reboot(self) -> None:
        async with self.control("reboot"):
            await self.api.put(f"{API}/actions/reboot")

    async def restart_backend(self) -> None:
        async with self.control("restart"):
            await self.api.put(f"{API}/actions/restart")


async def read_identity(api: RestApi) -> dict[str, Any]:
    """The identity fields ``miner/details`` carries, as plain values."""
    details = await api.get(DETAILS.path)
    if not isinstance(details, dict):
        raise MinerResponseError("miner/details is not an object")
    version = details.get("bos_version") or {}
    identity = details.get("miner_identity") or {}
    return {
        "full_version": clean_str(version.get("current")) if isinstance(version, dict) else None,
        "model": clean_str(identity.get("miner_model") or identity.get("name"))
        if isinstance(identity, dict)
        else None,
        "mac": normalize_mac(details.get("mac_address")),
        "hostname": clean_str(details.get("hostname")),
        "serial": clean_str(details.get("serial_number")),
    }
