"""Braiins OS releases before 25.07: the GraphQL API at ``POST /graphql``.

Login is the ``auth.login`` mutation; it answers ``VoidResult`` and sets a session
cookie, or ``AuthError`` for a wrong password (HTTP 200 either way, so the union
type, not the status, says which). The cookie goes back on every later request. The
default password of these releases is empty.

Telemetry comes from GraphQL (the queries real units are asked, one per concern so a
field one schema lacks fails alone), with bosminer's RPC filling in wherever a query
fails; many units answer only a few RPC commands. The 21.09 schema has no
``bosminer.uptime``, so nothing asks for it: the system uptime is ``bos.uptime``.

Pause and resume are ``bosminer.stop`` / ``bosminer.start``: they stop the bosminer
process itself, and with it the RPC server on 4028, so a paused miner of this
generation answers only here; its ``bosminer`` half of a query then fails while the
``bos`` half answers, which is how the mining state reads as paused.

The MAC address is in the schema only from 24.09 (``bos.macAddress``), serials from
25.03; otherwise the MAC comes through LuCI, which needs its own form login and answers
only to the ``BTC Tools v0.1`` user agent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ...context import MinerContext
from ...contract import Call, Field, Location, Replies, first_of
from ...exceptions import (
    MinerAuthenticationError,
    MinerControlRefusedError,
    MinerError,
    MinerResponseError,
    MinerUnsupportedError,
    MinerValueError,
)
from ...models import Board, Credentials, Fan, MinerErrorEntry, MinerIdentity, Pool
from ...transports.http import HttpReply, TokenAuth
from ...values import clean_str, mhs_to_ths, normalize_mac, positive, to_bool, to_float, to_int
from ._rpc import RPC_MAP, BraiinsBackend

_LOGGER = logging.getLogger(__name__)

PATH = "/graphql"
DEFAULT_CREDENTIALS = Credentials("root", "")
LUCI_PATH = "/cgi-bin/luci"
LUCI_MAC_PATH = "/cgi-bin/luci/admin/network/iface_status/lan"
LUCI_USER_AGENT = "BTC Tools v0.1"

LOGIN = """mutation ($username: String!, $password: String!) {
  auth { login(username: $username, password: $password) {
    __typename ... on AuthError { message } } }
}"""
# Telemetry queries: one per concern, so a field one schema lacks fails alone (GraphQL
# refuses a whole document over one unknown field). Selections as real units are asked.
SYSTEM_QUERY = (
    "{ bos { hostname faultLight info { version { full } } uptime { durationS } }"
    " bosminer { info { workSolver { realHashrate { mhs5S } nominalMhs }"
    " fans { name speed rpm } summary { power { limitW approxConsumptionW } } } } }"
)
_BOARDS_QUERY = (
    "{ bosminer { info { workSolver { childSolvers { name realHashrate { mhs5S } nominalMhs"
    " hwDetails { chips frequencyMhz voltageV%s } temperatures { name degreesC } } } } } }"
)
POOLS_QUERY = (
    "{ bosminer { config { ... on BosminerConfig { groups { id strategy"
    " { ... on QuotaStrategy { quota } } } } } info { poolGroups { name pools"
    " { url user status active shares { acceptedSolutions rejectedSolutions } } } } } }"
)
EVENTS_QUERY = "{ events { appeals { id kind message timestamp } } }"
MODEL_QUERY = "{ bosminer { info { modelName } } }"
# Identity fields added in later schemas: the MAC in 24.09, serials in 25.03.
MAC_QUERY = "{ bos { macAddress } }"
MAC_SERIAL_QUERY = "{ bos { macAddress serialNumber } }"
MAC_SINCE = (24, 9)
SERIALS_SINCE = (25, 3)

SYSTEM = Call("graphql", SYSTEM_QUERY)
BOARDS = Call("graphql", _BOARDS_QUERY % "")
BOARDS_WITH_SERIAL = Call("graphql", _BOARDS_QUERY % " hbSerialNumber")
POOLS = Call("graphql", POOLS_QUERY)
EVENTS = Call("graphql", EVENTS_QUERY)

_MINING = """mutation { bosminer { %s {
  __typename ... on BosminerError { message } } } }"""
_RESTART = "mutation { bosminer { restart { __typename ... on BosminerError { message } } } }"
_REBOOT = "mutation { bos { reboot { __typename ... on BosError { message } } } }"
_FAULT_LIGHT = """mutation ($enable: Boolean!) {
  bos { setFaultLight(enable: $enable) { enabled } }
}"""
_POWER_TARGET = """mutation ($watt: Int!) {
  bosminer { config { updateAutotuning(input: {powerTarget: $watt}, apply: true) {
    __typename
    ... on AutotuningOut { autotuning { powerTarget } }
    ... on AutotuningError { message }
    ... on AttributeError { message }
  } } }
}"""

_AUTH_WORDS = ("unauthori", "unauthenticated", "forbidden", "not logged", "login required")


def _cookie(headers: Mapping[str, str]) -> str | None:
    """``name=value`` of the session cookie a login set (header case varies)."""
    for key, value in headers.items():
        if key.lower() == "set-cookie":
            pair = value.split(";", 1)[0].strip()
            if "=" in pair and pair.split("=", 1)[1]:
                return pair
    return None


def _path(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            raise MinerResponseError(f"GraphQL reply lacks {'.'.join(keys)}")
        data = data.get(key)
    return data


def _check_union(result: Any, ok: str, what: str) -> None:
    """Raise for an error member of a result union (``BosminerError`` etc.)."""
    if not isinstance(result, dict):
        raise MinerControlRefusedError(what, "no result in the reply")
    typename = result.get("__typename")
    if typename is not None and typename != ok:
        raise MinerControlRefusedError(what, str(result.get("message") or typename))


class GraphqlApi:
    """Cookie session on the GraphQL API; shared by identification and the backend."""

    def __init__(self, ctx: MinerContext) -> None:
        self.ctx = ctx
        self.auth = TokenAuth(self._login)

    async def _login(self) -> dict[str, str]:
        user, password = self.ctx.login(DEFAULT_CREDENTIALS)
        reply = await self.ctx.web().request(
            "POST",
            PATH,
            json_body={"query": LOGIN, "variables": {"username": user, "password": password}},
        )
        if reply.status == 404:
            raise MinerUnsupportedError(
                f"{self.ctx.host}: Braiins OS without a GraphQL or REST API (before 21.09)"
            )
        data = self._data(reply)
        result = _path(data, "auth", "login")
        if isinstance(result, dict) and result.get("__typename") == "AuthError":
            raise MinerAuthenticationError(f"{self.ctx.host}: login refused")
        cookie = _cookie(reply.headers)
        if cookie is None:
            raise MinerResponseError(f"{self.ctx.host}: login set no session cookie")
        return {"Cookie": cookie}

    def _data(self, reply: HttpReply, *, partial: bool = False) -> dict[str, Any]:
        """The reply's ``data``; errors raise unless ``partial`` and some data came back.

        A stopped bosminer makes its half of a query fail while the ``bos`` half still
        answers, so status reads accept partial data.
        """
        if reply.status >= 400:
            raise MinerResponseError(f"{PATH}: HTTP {reply.status}")
        body = reply.json()
        if not isinstance(body, dict):
            raise MinerResponseError(f"{PATH}: reply is not an object")
        errors = body.get("errors")
        if errors:
            text = "; ".join(
                str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors
            )
            if any(word in text.lower() for word in _AUTH_WORDS):
                raise MinerAuthenticationError(f"{self.ctx.host}: {text[:120]}")
            if not (partial and isinstance(body.get("data"), dict)):
                raise MinerResponseError(f"{PATH}: {text[:200]}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise MinerResponseError(f"{PATH}: reply has no data")
        return data

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, partial: bool = False
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"query": query}
        if variables:
            body["variables"] = variables
        for attempt in (1, 2):
            reply = await self.auth.request(self.ctx.web(), "POST", PATH, json_body=body)
            try:
                return self._data(reply, partial=partial)
            except MinerAuthenticationError:
                # A session the firmware forgot (it restarted): log in again, once.
                self.auth.invalidate()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


async def luci_mac(ctx: MinerContext) -> str | None:
    """The LAN MAC from LuCI, for releases whose GraphQL schema lacks it."""
    user, password = ctx.login(DEFAULT_CREDENTIALS)
    web = ctx.web()
    agent = {"User-Agent": LUCI_USER_AGENT}
    reply = await web.request(
        "POST",
        LUCI_PATH,
        data={"luci_username": user, "luci_password": password},
        headers=agent,
    )
    cookie = _cookie(reply.headers)
    if cookie is None:
        return None
    page = await web.get_json(LUCI_MAC_PATH, headers={**agent, "Cookie": cookie})
    if isinstance(page, list) and page and isinstance(page[0], dict):
        return normalize_mac(page[0].get("macaddr"))
    return None


async def read_identity(api: GraphqlApi) -> dict[str, Any]:
    """The identity fields this generation has, as plain values."""
    # Partial: a stopped bosminer cannot name the model, the rest still identifies.
    system = await api.execute(SYSTEM_QUERY, partial=True)
    bos = system.get("bos") or {}
    full = clean_str(_path(bos, "info", "version", "full"))
    out: dict[str, Any] = {
        "full_version": full,
        "model": None,
        "hostname": clean_str(bos.get("hostname")) if isinstance(bos, dict) else None,
        "mac": None,
        "serial": None,
    }
    try:
        out["model"] = clean_str(
            _path(await api.execute(MODEL_QUERY), "bosminer", "info", "modelName")
        )
    except MinerAuthenticationError:
        raise
    except MinerError as err:
        _LOGGER.debug("%s: no model name over GraphQL: %s", api.ctx.host, err)
    version = _version_numbers(full)
    if version is not None and version >= MAC_SINCE:
        query = MAC_SERIAL_QUERY if version >= SERIALS_SINCE else MAC_QUERY
        try:
            extra = _path(await api.execute(query), "bos") or {}
        except MinerAuthenticationError:
            raise
        except MinerError:
            extra = {}
        if isinstance(extra, dict):
            out["mac"] = normalize_mac(extra.get("macAddress"))
            out["serial"] = clean_str(extra.get("serialNumber"))
    if out["mac"] is None:
        try:
            out["mac"] = await luci_mac(api.ctx)
        except MinerError as err:
            _LOGGER.debug("%s: no MAC from LuCI: %s", api.ctx.host, err)
    return out


def _version_numbers(full: str | None) -> tuple[int, ...] | None:
    """``...-25.05.1-plus`` → ``(25, 5, 1)``; ``None`` when the string has no release."""
    for part in reversed((full or "").split("-")):
        numbers = part.split(".")
        if len(numbers) > 1 and all(n.isdigit() for n in numbers):
            return tuple(int(n) for n in numbers)
    return None


# -- extractors ----------------------------------------------------------------------


def _info(replies: Replies, source: Call) -> dict[str, Any]:
    info = _path(replies[source], "bosminer", "info")
    if not isinstance(info, dict):
        raise KeyError("bosminer is not running")
    return info


def _hashrate(replies: Replies) -> float | None:
    return mhs_to_ths(_path(_info(replies, SYSTEM), "workSolver", "realHashrate", "mhs5S"))


def _expected_hashrate(replies: Replies) -> float | None:
    return mhs_to_ths(_path(_info(replies, SYSTEM), "workSolver", "nominalMhs"))


def _power(replies: Replies) -> float | None:
    return to_float(_path(_info(replies, SYSTEM), "summary", "power", "approxConsumptionW"))


def _power_limit(replies: Replies) -> float | None:
    return positive(to_float(_path(_info(replies, SYSTEM), "summary", "power", "limitW")))


def _fans(replies: Replies) -> list[Fan]:
    """Fans with a speed: bosminer lists four slots even on a two-fan S9."""
    items = _info(replies, SYSTEM)["fans"]
    if not isinstance(items, list):
        raise KeyError("no fan list")  # unknown, not "no fans": RPC may say
    fans = []
    for position, item in enumerate(items):
        rpm = to_int(item.get("rpm")) if isinstance(item, dict) else None
        if not rpm:
            continue
        index = to_int(item.get("name"))
        fans.append(
            Fan(
                index=position if index is None else index,
                rpm=rpm,
                percent=to_int(item.get("speed")),
            )
        )
    return fans


# Temperature sensor names: "Board"/"Chip" up to 24.09, "Max Board"/"Max Chip"/"Inlet"/
# "Outlet" in 25.03, "MAX_BOARD"/"MAX_CHIP"/"INLET"/"OUTLET" from 25.05.
_TEMPERATURE_FIELDS = {
    "BOARD": "board_temperature",
    "MAX_BOARD": "board_temperature",
    "CHIP": "chip_temperature",
    "MAX_CHIP": "chip_temperature",
    "INLET": "inlet_temperature",
    "OUTLET": "outlet_temperature",
}


def boards_from(replies: Replies, source: Call) -> list[Board]:
    solvers = _path(_info(replies, source), "workSolver", "childSolvers")
    if not isinstance(solvers, list) or not solvers:
        raise KeyError("no chain data")
    chains = sorted(
        (s for s in solvers if isinstance(s, dict)), key=lambda s: to_int(s.get("name")) or 0
    )
    boards = []
    for position, chain in enumerate(chains):
        details = chain.get("hwDetails") or {}
        temps: dict[str, float | None] = {}
        for item in chain.get("temperatures") or []:
            if not isinstance(item, dict):
                continue
            name = str(item.get("name", "")).upper().replace(" ", "_")
            if name in _TEMPERATURE_FIELDS:
                temps[_TEMPERATURE_FIELDS[name]] = positive(to_float(item.get("degreesC")))
        rate = mhs_to_ths(_path(chain, "realHashrate", "mhs5S"))
        boards.append(
            Board(
                index=position,
                hashrate=rate,
                expected_hashrate=mhs_to_ths(chain.get("nominalMhs")),
                chips=to_int(details.get("chips")),
                frequency=positive(to_float(details.get("frequencyMhz"))),
                voltage=positive(to_float(details.get("voltageV"))),
                serial=clean_str(details.get("hbSerialNumber")),
                active=None if rate is None else rate > 0,
                board_temperature=temps.get("board_temperature"),
                chip_temperature=temps.get("chip_temperature"),
                inlet_temperature=temps.get("inlet_temperature"),
                outlet_temperature=temps.get("outlet_temperature"),
            )
        )
    return boards


def _pools(replies: Replies) -> list[Pool]:
    groups = _path(_info(replies, POOLS), "poolGroups")
    if not isinstance(groups, list):
        raise KeyError("no pool groups")  # unknown, not "no pools": RPC may say
    pools: list[Pool] = []
    for group in groups:
        for item in (group.get("pools") or []) if isinstance(group, dict) else []:
            url = clean_str(item.get("url")) if isinstance(item, dict) else None
            if not url:
                continue
            shares = item.get("shares") or {}
            pools.append(
                Pool(
                    index=len(pools),
                    url=url,
                    user=clean_str(item.get("user")),
                    alive=None if item.get("status") is None else item["status"] == "ALIVE",
                    active=to_bool(item.get("active")),
                    accepted=to_int(shares.get("acceptedSolutions")),
                    rejected=to_int(shares.get("rejectedSolutions")),
                )
            )
    return pools


# Appeal kinds that are a problem; INFO and SUCCESS are news, not faults.
_PROBLEM_KINDS = frozenset({"ERROR", "WARNING"})


def _errors(replies: Replies) -> list[MinerErrorEntry]:
    appeals = _path(replies[EVENTS], "events", "appeals")
    if not isinstance(appeals, list):
        raise KeyError("no appeals")
    return [
        MinerErrorEntry(message=str(item.get("message")))
        for item in appeals
        if isinstance(item, dict) and str(item.get("kind", "")).upper() in _PROBLEM_KINDS
    ]


def _uptime(replies: Replies) -> int | None:
    return to_int(_path(replies[SYSTEM], "bos", "uptime", "durationS"))


def _mining(replies: Replies) -> bool | None:
    """Running bosminer answers its half; ``bosminer.stop`` (the pause) silences it."""
    data = replies[SYSTEM]
    bosminer = data.get("bosminer")
    if isinstance(bosminer, dict) and isinstance(bosminer.get("info"), dict):
        return True
    if isinstance(data.get("bos"), dict):
        return False  # bosminer stopped while the system answers: paused on purpose
    return None


def _fault_light(replies: Replies) -> bool | None:
    return to_bool(_path(replies[SYSTEM], "bos", "faultLight"))


def _data_map(boards: Call) -> dict[Field, Location]:
    rpc = RPC_MAP
    return {
        Field.HASHRATE: first_of(Location((SYSTEM,), _hashrate), rpc[Field.HASHRATE]),
        Field.EXPECTED_HASHRATE: first_of(
            Location((SYSTEM,), _expected_hashrate), rpc[Field.EXPECTED_HASHRATE]
        ),
        Field.POWER: first_of(Location((SYSTEM,), _power), rpc[Field.POWER]),
        Field.POWER_LIMIT: first_of(Location((SYSTEM,), _power_limit), rpc[Field.POWER_LIMIT]),
        Field.FANS: first_of(Location((SYSTEM,), _fans), rpc[Field.FANS]),
        Field.BOARDS: first_of(
            Location((boards,), lambda r: boards_from(r, boards)), rpc[Field.BOARDS]
        ),
        Field.POOLS: first_of(Location((POOLS,), _pools), rpc[Field.POOLS]),
        Field.ERRORS: first_of(Location((EVENTS,), _errors), rpc[Field.ERRORS]),
        Field.UPTIME: Location((SYSTEM,), _uptime),
        Field.MINING: Location((SYSTEM,), _mining),
        Field.FAULT_LIGHT: Location((SYSTEM,), _fault_light),
    }


class GraphqlBackend(BraiinsBackend):
    """BOS before 25.07: RPC for telemetry, GraphQL for state and controls."""

    name = "graphql"
    DATA_MAP = _data_map(BOARDS)
    DATA_MAP_WITH_SERIALS = _data_map(BOARDS_WITH_SERIAL)

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = GraphqlApi(ctx)
        version = _version_numbers(identity.firmware_version)
        if version is not None and version >= SERIALS_SINCE:
            # Instance attribute: hashboard serials exist in the schema from 25.03.
            self.DATA_MAP = self.DATA_MAP_WITH_SERIALS  # type: ignore[misc]

    async def fetch_call(self, call: Call) -> Any:
        if call.name != "graphql" or call.argument is None:
            raise NotImplementedError(call.name)
        return await self.api.execute(call.argument, partial=True)

    async def check_credentials(self) -> None:
        self.api.auth.invalidate()
        await self.api.auth.headers()

    async def set_mining(self, on: bool) -> None:
        what = "resume mining" if on else "pause mining"
        async with self.control(what):
            data = await self.api.execute(_MINING % ("start" if on else "stop"))
            _check_union(_path(data, "bosminer", "start" if on else "stop"), "VoidResult", what)

    async def set_fault_light(self, on: bool) -> None:
        async with self.control("fault light"):
            data = await self.api.execute(_FAULT_LIGHT, {"enable": on})
            if to_bool(_path(data, "bos", "setFaultLight", "enabled")) is not on:
                raise MinerControlRefusedError("fault light", f"it stayed {'off' if on else 'on'}")

    async def set_power_limit(self, watts: int) -> None:
        async with self.control("power limit"):
            data = await self.api.execute(_POWER_TARGET, {"watt": int(watts)})
            result = _path(data, "bosminer", "config", "updateAutotuning")
            if isinstance(result, dict) and result.get("__typename") in (
                "AutotuningError",
                "AttributeError",
            ):
                raise MinerValueError(f"{watts} W: {result.get('message')}")
            _check_union(result, "AutotuningOut", "power limit")

    async def reboot(self) -> None:
        async with self.control("reboot"):
            data = await self.api.execute(_REBOOT)
            _check_union(_path(data, "bos", "reboot"), "VoidResult", "reboot")

    async def restart_backend(self) -> None:
        async with self.control("restart"):
            data = await self.api.execute(_RESTART)
            _check_union(_path(data, "bosminer", "restart"), "VoidResult", "restart")
