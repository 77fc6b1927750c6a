"""Braiins OS / BOS+: bosminer RPC on 4028 and, by release, a REST or GraphQL web API.

The firmware generation is a per-miner ``release`` (default per model, overridable
with ``create(..., release="25.05.1")``):

* 25.07: REST under ``/api/v1`` (token login, ``Authorization: <token>`` with no
  ``Bearer``, actions by ``PUT``), default password ``root``; GraphQL still answers.
* 25.05.1: GraphQL only (cookie login, default password empty), ``bos.macAddress``
  in the schema.
* 21.09: GraphQL without ``macAddress`` (the MAC comes from LuCI, which wants the
  ``BTC Tools v0.1`` user agent), and RPC still reports "BOSminer" rather than "BOSer".

On the GraphQL releases ``bosminer.stop`` stops the bosminer process, so the RPC port
stops answering until ``bosminer.start``; the REST release pauses mining while bosminer
keeps running. Simplification: on those releases "not mining" always means
"bosminer stopped", also after an RPC ``pause``. The GraphQL endpoint is a small interpreter over a resolver tree: it
answers any selection of the fields it has and refuses unknown ones the way a real
schema does, so a query the driver sends to the wrong release fails here too.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ..miner import SimMiner, SimPorts
from ..servers.base import Server
from ..servers.http import HttpServer
from ..servers.tcp import RpcServer
from ..state import MinerState, ModelSpec
from . import register

LUCI_USER_AGENT = "BTC Tools v0.1"
ROOT_HTML = (
    "<!DOCTYPE html><html><head><title>Braiins OS</title></head>"
    '<body><div id="root">Braiins OS web interface</div></body></html>'
)


@dataclass(frozen=True, slots=True)
class Release:
    """What differs between firmware releases, as far as a client can tell."""

    full: str  # bos.info.version.full / bos_version.current
    rest: bool  # REST API under /api/v1 (25.07 and later)
    graphql_mac: bool  # bos.macAddress in the GraphQL schema (24.09+)
    rpc_key: str  # VERSION item key: "BOSminer" (old) or "BOSer"
    rpc_name: str
    default_password: str
    graphql_serials: bool = False  # bos.serialNumber, hwDetails.hbSerialNumber (25.03+)
    bosminer_uptime: bool = False  # bosminer.uptime (24.09+; not in the 21.09 schema)
    # Board sensor names in GraphQL: board, chip, inlet, outlet (None: no such sensor).
    temperature_names: tuple[str, str, str | None, str | None] = ("Board", "Chip", None, None)
    rest_api: tuple[int, int, int] = (1, 0, 0)  # GET /api/v1/version/
    rest_serials: bool = False  # miner/details serial_number filled, pool group uid (25.11+)
    best_share_str: bool = False  # best_share_str beside best_share (26.04)


_MAX_NAMES = ("MAX_BOARD", "MAX_CHIP", "INLET", "OUTLET")
RELEASES = {
    "26.04": Release(
        "2026-04-14-0-912d084c-26.04-plus",
        rest=True,
        graphql_mac=True,
        rpc_key="BOSer",
        rpc_name="boser-buildroot 0.1.0-912d084c",
        default_password="root",
        graphql_serials=True,
        bosminer_uptime=True,
        temperature_names=_MAX_NAMES,
        rest_api=(1, 3, 0),
        rest_serials=True,
        best_share_str=True,
    ),
    "25.11": Release(
        "2025-11-21-0-eb658dcd-25.11-plus",
        rest=True,
        graphql_mac=True,
        rpc_key="BOSer",
        rpc_name="boser-buildroot 0.1.0-eb658dcd",
        default_password="root",
        graphql_serials=True,
        bosminer_uptime=True,
        temperature_names=_MAX_NAMES,
        rest_api=(1, 1, 0),
        rest_serials=True,
    ),
    "25.07": Release(
        "2025-08-06-0-3881c51d-25.07-plus",
        rest=True,
        graphql_mac=True,
        rpc_key="BOSer",
        rpc_name="boser-buildroot 0.1.0-3881c51d",
        default_password="root",
        graphql_serials=True,
        bosminer_uptime=True,
        temperature_names=_MAX_NAMES,
    ),
    "25.05.1": Release(
        "2025-06-25-0-45f356ea-25.05.1-plus",
        rest=False,
        graphql_mac=True,
        rpc_key="BOSer",
        rpc_name="boser-buildroot 0.1.0-45f356ea",
        default_password="",
        graphql_serials=True,
        bosminer_uptime=True,
        temperature_names=_MAX_NAMES,
    ),
    "25.03": Release(
        "2025-04-07-0-424f9a7f-25.03-plus",
        rest=False,
        graphql_mac=True,
        rpc_key="BOSer",
        rpc_name="boser-buildroot 0.1.0-424f9a7f",
        default_password="",
        graphql_serials=True,
        bosminer_uptime=True,
        temperature_names=("Max Board", "Max Chip", "Inlet", "Outlet"),
    ),
    "24.09": Release(
        "2024-10-17-0-75912fc7-24.09-plus",
        rest=False,
        graphql_mac=True,
        rpc_key="BOSer",
        rpc_name="boser-buildroot 0.1.0-75912fc7",
        default_password="",
        bosminer_uptime=True,
    ),
    # BOS+ 22.08 still serves the 21.09 GraphQL schema, but RPC already says BOSer.
    "22.08": Release(
        "2022-09-13-0-11012d53-22.08-plus",
        rest=False,
        graphql_mac=False,
        rpc_key="BOSer",
        rpc_name="boser-openwrt 0.1.0-11012d53",
        default_password="",
    ),
    "21.09": Release(
        "2021-10-14-0-9b2a0d61-21.09-plus",
        rest=False,
        graphql_mac=False,
        rpc_key="BOSminer",
        rpc_name="bosminer-plus-tuner 0.2.0-9b2a0d61",
        default_password="",
    ),
}
BOSMINER_START_DELAY = 40  # s between the system booting and bosminer running
MODEL_RELEASES = {"S19": "25.07", "S19j Pro": "25.05.1", "S9": "21.09"}


def _status(msg: str, code: int, description: str, letter: str = "S") -> list[dict[str, Any]]:
    return [
        {
            "STATUS": letter,
            "When": int(time.time()),
            "Code": code,
            "Msg": msg,
            "Description": description,
        }
    ]


# -- a GraphQL subset: selections, arguments, variables, inline fragments --------------


class GraphqlError(Exception):
    """A query the schema refuses; answered as ``{"errors": [...]}``."""


class FieldError(Exception):
    """A field that fails at run time: it becomes ``null`` plus an error entry."""


_TOKEN = re.compile(
    r'\s+|#[^\n]*|(?P<tok>\.\.\.|[{}():,\[\]!=$@]|"(?:\\.|[^"\\])*"|-?\d+(?:\.\d+)?|[A-Za-z_]\w*)'
)


@dataclass(slots=True)
class _Field:
    name: str
    args: dict[str, Any]
    selections: list[Any] | None


@dataclass(slots=True)
class _Fragment:
    type_name: str
    selections: list[Any]


class _Parser:
    def __init__(self, text: str, variables: dict[str, Any]) -> None:
        self.tokens = [m.group("tok") for m in _TOKEN.finditer(text) if m.group("tok")]
        self.pos = 0
        self.variables = variables

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise GraphqlError(f"Syntax Error: expected {expected or 'a token'}, found {token}")
        self.pos += 1
        return token

    def document(self) -> tuple[str, list[Any]]:
        operation = "query"
        if self.peek() in ("query", "mutation"):
            operation = self.take()
            if self.peek() not in ("{", "("):
                self.take()  # operation name
            if self.peek() == "(":
                depth = 0
                while True:  # variable definitions: types are not checked
                    token = self.take()
                    depth += token == "("
                    depth -= token == ")"
                    if depth == 0:
                        break
        return operation, self.selection_set()

    def selection_set(self) -> list[Any]:
        self.take("{")
        selections: list[Any] = []
        while self.peek() != "}":
            if self.peek() == ",":
                self.take()
                continue
            if self.peek() == "...":
                self.take()
                self.take("on")
                type_name = self.take()
                selections.append(_Fragment(type_name, self.selection_set()))
                continue
            name = self.take()
            args: dict[str, Any] = {}
            if self.peek() == "(":
                self.take()
                while self.peek() != ")":
                    if self.peek() == ",":
                        self.take()
                        continue
                    key = self.take()
                    self.take(":")
                    args[key] = self.value()
                self.take(")")
            sub = self.selection_set() if self.peek() == "{" else None
            selections.append(_Field(name, args, sub))
        self.take("}")
        return selections

    def value(self) -> Any:
        token = self.take()
        if token == "$":
            name = self.take()
            if name not in self.variables:
                raise GraphqlError(f'Variable "${name}" is not defined')
            return self.variables[name]
        if token == "{":
            obj: dict[str, Any] = {}
            while self.peek() != "}":
                if self.peek() == ",":
                    self.take()
                    continue
                key = self.take()
                self.take(":")
                obj[key] = self.value()
            self.take("}")
            return obj
        if token == "[":
            items: list[Any] = []
            while self.peek() != "]":
                if self.peek() == ",":
                    self.take()
                    continue
                items.append(self.value())
            self.take("]")
            return items
        if token.startswith('"'):
            return json.loads(token)
        if re.fullmatch(r"-?\d+", token):
            return int(token)
        if re.fullmatch(r"-?\d+\.\d+", token):
            return float(token)
        return {"true": True, "false": False, "null": None}.get(token, token)


def _resolve(node: Any, selections: list[Any], errors: list[str], path: str) -> Any:
    if node is None:
        return None
    if isinstance(node, list):
        return [_resolve(item, selections, errors, path) for item in node]
    if not isinstance(node, dict):
        raise GraphqlError(f"Field {path!r} must not have a selection")
    out: dict[str, Any] = {}
    for selection in selections:
        if isinstance(selection, _Fragment):
            if node.get("__typename", selection.type_name) == selection.type_name:
                out.update(_resolve(node, selection.selections, errors, path))
            continue
        if selection.name not in node:
            type_name = node.get("__typename", path or "Query")
            raise GraphqlError(f'Cannot query field "{selection.name}" on type "{type_name}"')
        value = node[selection.name]
        try:
            if callable(value):
                value = value(selection.args)
        except FieldError as err:
            errors.append(str(err))
            out[selection.name] = None
            continue
        if selection.selections is None:
            if isinstance(value, dict | list) and value and not _scalar_list(value):
                raise GraphqlError(f'Field "{selection.name}" needs a selection')
            out[selection.name] = value
        else:
            out[selection.name] = _resolve(value, selection.selections, errors, selection.name)
    return out


def _scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, dict) for v in value)


def _void() -> dict[str, Any]:
    return {"__typename": "VoidResult", "void": None}


# -- the simulated firmware ------------------------------------------------------------


@register
class BraiinsSim(SimMiner):
    family = "braiins"
    firmware_version = RELEASES["25.07"].full
    models = {
        "S19": ModelSpec(
            "Bitmain", "S19", 95.0, 3250, 1400, 3600, boards=3, chips_per_board=76, fans=4
        ),
        "S19j Pro": ModelSpec(
            "Bitmain", "S19j Pro", 104.0, 3068, 1400, 3600, boards=3, chips_per_board=126, fans=4
        ),
        "S9": ModelSpec(
            "Bitmain", "S9", 13.5, 1323, 600, 1500, boards=3, chips_per_board=63, fans=2
        ),
        "S19 XP": ModelSpec(
            "Bitmain", "S19 XP", 141.0, 3010, 1400, 3600, boards=3, chips_per_board=110, fans=4
        ),
        "S21 Pro": ModelSpec(
            "Bitmain", "S21 Pro", 234.0, 3510, 1600, 4000, boards=3, chips_per_board=65, fans=4
        ),
        "S21+": ModelSpec(
            "Bitmain", "S21+", 216.0, 3564, 1600, 4000, boards=3, chips_per_board=55, fans=4
        ),
    }

    release: Release

    def __init__(self, host: str, state: MinerState, ports: SimPorts | None = None) -> None:
        super().__init__(host, state, ports)
        self.release = RELEASES[MODEL_RELEASES.get(state.spec.model, "25.07")]
        self.sessions: dict[str, int] = {}  # token or cookie -> reboot count when issued

    @classmethod
    def create(
        cls, host: str, model: str, ports: SimPorts | None = None, **overrides: Any
    ) -> SimMiner:
        """Like the base, plus ``release=`` to run another firmware generation."""
        release = RELEASES[str(overrides.pop("release", MODEL_RELEASES.get(model, "25.07")))]
        password_given = "password" in overrides
        sim = super().create(host, model, ports, **overrides)
        assert isinstance(sim, BraiinsSim)
        sim.release = release
        sim.state.firmware_version = release.full
        if not password_given:
            sim.state.password = release.default_password
        return sim

    def build_servers(self) -> list[Server]:
        return [
            RpcServer(self.host, self.ports.rpc, self.state, self.handle_rpc),
            HttpServer(self.host, self.ports.web, self.state, self.routes),
        ]

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "release": self.release.full}

    # -- shared helpers --------------------------------------------------------------

    @property
    def bosminer_running(self) -> bool:
        """The REST release pauses in-process; older ones stop bosminer altogether."""
        return self.release.rest or self.state.mining

    @property
    def chain_ids(self) -> list[int]:
        first = 6 if self.state.spec.model == "S9" else 1
        return [first + i for i in range(self.state.spec.boards)]

    def _new_session(self) -> str:
        token = secrets.token_hex(16)
        self.sessions[token] = self.state.reboots
        return token

    def _session_ok(self, token: str | None) -> bool:
        return token is not None and self.sessions.get(token) == self.state.reboots

    def revoke_sessions(self) -> None:
        """Forget every login, as a firmware restart does."""
        self.sessions.clear()

    def _credentials_ok(self, username: Any, password: Any) -> bool:
        return username == self.state.username and password == self.state.password

    def _set_power_target(self, watt: Any) -> str | None:
        """Apply a power target; return why it was refused, or ``None``."""
        spec = self.state.spec
        if not isinstance(watt, int) or isinstance(watt, bool):
            return "power target must be an integer number of watts"
        if not spec.min_power <= watt <= spec.max_power:
            return f"power target {watt} W is outside {spec.min_power}-{spec.max_power} W"
        self.state.power_limit = watt
        return None

    # -- RPC -------------------------------------------------------------------------

    @property
    def _description(self) -> str:
        return f"{self.release.rpc_key} {self.release.rpc_name}"

    async def handle_rpc(self, request: str) -> bytes | None:
        if not self.bosminer_running:
            return None  # bosminer is stopped: nothing answers on 4028
        try:
            command = str(json.loads(request).get("command", ""))
        except ValueError, AttributeError:
            return self._encode(self._error("Invalid JSON", 23))
        if "+" in command:
            reply: dict[str, Any] = {
                name: [self._reply(name)] for name in command.split("+") if name
            }
            reply["id"] = 1
            return self._encode(reply)
        return self._encode(self._reply(command))

    def _encode(self, payload: dict[str, Any]) -> bytes:
        return json.dumps(payload, separators=(",", ":")).encode()

    def _error(self, msg: str, code: int) -> dict[str, Any]:
        return {"STATUS": _status(msg, code, self._description, "E"), "id": 1}

    def _reply(self, command: str) -> dict[str, Any]:
        builder: Callable[[], dict[str, Any]] | None = {
            "version": self._version,
            "summary": self._summary,
            "devs": self._devs,
            "devdetails": self._devdetails,
            "temps": self._temps,
            "fans": self._fans,
            "tunerstatus": self._tunerstatus,
            "pools": self._pools,
            "pause": lambda: self._pause(True),
            "resume": lambda: self._pause(False),
        }.get(command)
        if builder is None:
            return self._error(f"Invalid command: {command}", 14)
        return builder()

    def _wrap(self, msg: str, code: int, key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        return {"STATUS": _status(msg, code, self._description), key: items, "id": 1}

    def _version(self) -> dict[str, Any]:
        item = {self.release.rpc_key: self.release.rpc_name, "API": "3.7"}
        return self._wrap(f"{self.release.rpc_key} versions", 22, "VERSION", [item])

    def _summary(self) -> dict[str, Any]:
        s = self.state
        mhs = s.hashrate * 1e6
        accepted, rejected = s.shares(0)
        item = {
            "Elapsed": s.uptime,
            "MHS av": mhs,
            "MHS 5s": mhs,
            "MHS 1m": mhs,
            "MHS 5m": mhs,
            "MHS 15m": mhs,
            "Accepted": accepted,
            "Rejected": rejected,
            "Hardware Errors": 0,
            "Found Blocks": 0,
        }
        return self._wrap("Summary", 11, "SUMMARY", [item])

    def _devs(self) -> dict[str, Any]:
        s = self.state
        nominal = s.spec.nominal_hashrate * 1e6 / s.spec.boards
        devs = []
        for i, (chain, rate) in enumerate(zip(self.chain_ids, s.board_hashrates(), strict=True)):
            mhs = rate * 1e6
            devs.append(
                {
                    "ASC": i,
                    "ID": chain,
                    "Name": "BC5",
                    "Enabled": "Y",
                    "Status": "Alive",
                    "MHS av": mhs,
                    "MHS 5s": mhs,
                    "MHS 1m": mhs,
                    "MHS 5m": mhs,
                    "MHS 15m": mhs,
                    "Nominal MHS": nominal,
                    "Hardware Errors": 0,
                }
            )
        return self._wrap(f"{len(devs)} ASC(s)", 9, "DEVS", devs)

    def _model_name(self) -> str:
        model = self.state.spec.model
        return f"Bitmain Antminer {model}" if not self.release.rest else f"Antminer {model}"

    def _frequency_hz(self, board: int) -> int:
        base = 650 if self.state.spec.model == "S9" else 525
        return (base + 5 * board) * 1_000_000

    def _devdetails(self) -> dict[str, Any]:
        spec = self.state.spec
        items = [
            {
                "DEVDETAILS": i,
                "ID": chain,
                "Name": f"Hash Chain {chain}",
                "Driver": "",
                "Kernel": "",
                "Model": self._model_name(),
                "Device Path": "",
                "Chips": spec.chips_per_board,
                "Cores": spec.chips_per_board * 114,
                "Frequency": self._frequency_hz(i),
                "Voltage": 8.4 if spec.model == "S9" else 13.2,
            }
            for i, chain in enumerate(self.chain_ids)
        ]
        return self._wrap("Device Details", 69, "DEVDETAILS", items)

    def _temps(self) -> dict[str, Any]:
        s = self.state
        items = [
            {
                "TEMP": i,
                "ID": chain,
                "Board": s.board_temperature(i),
                "Chip": s.chip_temperature(i),
            }
            for i, chain in enumerate(self.chain_ids)
        ]
        return self._wrap(f"{len(items)} Temp(s)", 201, "TEMPS", items)

    def _fan_slots(self) -> list[int]:
        """RPM per fan slot: bosminer lists four, unused ones at 0 (S9 has two fans)."""
        rpms = self.state.fan_rpms()
        return rpms + [0] * max(0, 4 - len(rpms))

    def _fans(self) -> dict[str, Any]:
        items = [
            {"FAN": i, "ID": i, "RPM": rpm, "Speed": 100 if rpm else 0}
            for i, rpm in enumerate(self._fan_slots())
        ]
        return self._wrap(f"{len(items)} Fan(s)", 202, "FANS", items)

    def _chain_status(self, position: int) -> str:
        errors = self.state.errors
        if position < len(errors):
            code, msg = errors[position]
            return f"{msg} {{code: {code}}}"
        return "Stable"

    def _tunerstatus(self) -> dict[str, Any]:
        s = self.state
        boards = s.spec.boards
        chains = [
            {
                "HashchainIndex": chain,
                "Iteration": 0,
                "LoadedProfileCreatedOn": int(s.boot_time),
                "ApproximatePowerConsumptionWatt": round(s.power / boards),
                "PowerLimitWatt": round(s.effective_power_limit / boards),
                "StageElapsed": s.uptime,
                "TunerRunning": s.hashing,
                "TuningElapsed": s.uptime,
                "Status": self._chain_status(i),
            }
            for i, chain in enumerate(self.chain_ids)
        ]
        item = {
            "ApproximateChainPowerConsumption": round(s.power * 0.95),
            "ApproximateMinerPowerConsumption": round(s.power),
            "DynamicPowerScaling": "Disabled",
            "PowerLimit": s.effective_power_limit,
            "TunerChainStatus": chains,
        }
        return self._wrap("Tuner Status", 203, "TUNERSTATUS", [item])

    def _pools(self) -> dict[str, Any]:
        pools = []
        for i, pool in enumerate(self.state.pools):
            accepted, rejected = self.state.shares(i)
            pools.append(
                {
                    "POOL": i,
                    "URL": pool.url,
                    "Status": "Alive" if pool.alive else "Dead",
                    "Priority": i,
                    "Quota": 1,
                    "Stratum Active": i == 0 and self.state.hashing,
                    "User": pool.user,
                    "Accepted": accepted,
                    "Rejected": rejected,
                    "Get Failures": 0,
                    "Remote Failures": 0,
                }
            )
        return self._wrap(f"{len(pools)} Pool(s)", 7, "POOLS", pools)

    def _pause(self, pause: bool) -> dict[str, Any]:
        self.state.mining = not pause
        key = "PAUSE" if pause else "RESUME"
        return self._wrap(key.title(), 0, key, [{key: True}])

    # -- web -------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._root)
        app.router.add_post("/graphql", self._graphql)
        if not self.release.rest:  # LuCI still runs beside GraphQL on these releases
            app.router.add_post("/cgi-bin/luci", self._luci_login)
            app.router.add_get("/cgi-bin/luci/admin/network/iface_status/lan", self._luci_lan)
        if self.release.rest:
            self._rest_routes(app)

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text=ROOT_HTML, content_type="text/html")

    # -- REST (25.07+) ---------------------------------------------------------------

    def _rest_routes(self, app: web.Application) -> None:
        api = "/api/v1"
        app.router.add_post(f"{api}/auth/login", self._rest_login)
        app.router.add_get(f"{api}/version/", self._rest_version)
        gets = {
            "/miner/details": self._rest_details,
            "/miner/stats": self._rest_stats,
            "/miner/hw/hashboards": self._rest_hashboards,
            "/miner/errors": self._rest_errors,
            "/cooling/state": self._rest_cooling,
            "/network/": self._rest_network,
            "/pools/": self._rest_pools,
            "/configuration/miner": self._rest_configuration,
            "/performance/tuner-state": self._rest_tuner_state,
            "/actions/locate": lambda: self.state.fault_light,
        }
        for path, body in gets.items():
            app.router.add_get(api + path, self._rest_get(body))
        app.router.add_put(f"{api}/actions/locate", self._rest_locate)
        app.router.add_put(f"{api}/performance/power-target", self._rest_power_target)
        for action in ("pause", "resume", "start", "stop", "restart", "reboot"):
            app.router.add_put(f"{api}/actions/{action}", self._rest_action(action))

    def _rest_authorized(self, request: web.Request) -> bool:
        # The token goes in the header as it is; "Bearer <token>" is refused.
        return self._session_ok(request.headers.get("Authorization"))

    @staticmethod
    def _unauthorized() -> web.Response:
        return web.json_response({"message": "Unauthorized"}, status=401)

    async def _rest_login(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"message": "invalid JSON"}, status=400)
        if not isinstance(body, dict) or not self._credentials_ok(
            body.get("username"), body.get("password")
        ):
            return web.json_response({"message": "Invalid username or password"}, status=401)
        return web.json_response({"token": self._new_session(), "timeout_s": 3600})

    async def _rest_version(self, request: web.Request) -> web.Response:
        major, minor, patch = self.release.rest_api
        return web.json_response({"major": major, "minor": minor, "patch": patch})

    def _rest_get(self, body: Callable[[], Any]) -> Callable[[web.Request], Any]:
        async def handler(request: web.Request) -> web.Response:
            if not self._rest_authorized(request):
                return self._unauthorized()
            return web.json_response(body())

        return handler

    def _rest_details(self) -> dict[str, Any]:
        s = self.state
        return {
            "bos_mode": 4,
            "bos_version": {
                "bos_plus": True,
                "current": self.release.full,
                "major": "2022-09-13-0-11012d53-22.08-plus",
            },
            # bosminer starts a little after the system: its uptime is not the system's.
            "bosminer_uptime_s": max(0, s.uptime - BOSMINER_START_DELAY),
            "control_board_soc_family": 3,
            "hostname": s.hostname,
            "kernel_version": "4.9.113",
            "mac_address": s.mac.lower(),
            "miner_identity": {
                "brand": 1,
                "miner_model": f"Antminer {s.spec.model}",
                "model": 0,
                "name": f"Antminer {s.spec.model}",
            },
            "platform": 4,
            "psu_info": {
                "fw_version": 6920 if self.release.rest_serials else None,
                "max_voltage": {"volt": 15.2},
                "min_voltage": {"volt": 11.96},
                "model_name": "APW171215a/c",
                "serial_number": f"PSU{s.serial[3:]}" if self.release.rest_serials else None,
                "version": 117,
            },
            "serial_number": s.serial if self.release.rest_serials else None,
            "status": 2 if s.hashing else 3,
            "sticker_hashrate": {"gigahash_per_second": s.spec.nominal_hashrate * 1000},
            "system_uptime": s.uptime,
            "system_uptime_s": s.uptime,
            "uid": s.serial.lower()[:16],
        }

    def _rest_rates(self, ths: float) -> dict[str, Any]:
        ghs = ths * 1000
        windows = ("15m", "15s", "1h", "1m", "24h", "30m", "30s", "5m", "5s")
        rates = {f"last_{w}": {"gigahash_per_second": ghs} for w in windows}
        rates["since_restart"] = {"gigahash_per_second": ghs}
        return rates

    def _rest_best_share(self, best: int) -> dict[str, Any]:
        out: dict[str, Any] = {"best_share": best}
        if self.release.best_share_str:
            out["best_share_str"] = str(best)
        return out

    def _rest_share_stats(self, accepted: int, rejected: int) -> dict[str, Any]:
        now = int(self.state.now())
        return {
            "accepted_shares": accepted,
            **self._rest_best_share(accepted * 1000),
            "generated_work": accepted * 1_700_000,
            "last_difficulty": 262144,
            "last_share_time": {"nanos": 0, "seconds": now} if accepted else None,
            "rejected_shares": rejected,
            "stale_shares": 0,
        }

    def _rest_stats(self) -> dict[str, Any]:
        s = self.state
        accepted, rejected = s.shares(0)
        return {
            "miner_stats": {
                **self._rest_best_share(accepted * 1000),
                "error_hashrate": {"megahash_per_second": 0.0},
                "found_blocks": 0,
                "nominal_hashrate": {"gigahash_per_second": s.spec.nominal_hashrate * 1000},
                "real_hashrate": self._rest_rates(s.hashrate),
            },
            "pool_stats": self._rest_share_stats(accepted, rejected),
            "power_stats": {
                "approximated_consumption": {"watt": round(s.power)},
                "efficiency": {
                    "joule_per_terahash": round(s.power / s.hashrate, 2) if s.hashrate else 0.0
                },
            },
        }

    def _rest_hashboards(self) -> dict[str, Any]:
        s = self.state
        boards = []
        for i, rate in enumerate(s.board_hashrates()):
            boards.append(
                {
                    "board_name": "BHB56801",
                    "board_temp": {"degree_c": s.board_temperature(i)},
                    "chip_type": "BM1366",
                    "chips_count": s.spec.chips_per_board,
                    "current_frequency": {"hertz": float(self._frequency_hz(i))},
                    "current_voltage": {"volt": 13.2},
                    "enabled": True,
                    "highest_chip_temp": {
                        "id": i + 1,
                        "location": 1,
                        "temperature": {"degree_c": s.chip_temperature(i)},
                    },
                    "highest_outlet_temp": {"degree_c": s.board_temperature(i)},
                    "id": str(self.chain_ids[i]),
                    "lowest_inlet_temp": {"degree_c": s.environment_temperature + 12},
                    "model": "BHB56801",
                    "serial_number": self._board_serial(i),
                    "stats": {
                        **self._rest_best_share(1000),
                        "error_hashrate": {"megahash_per_second": 0.0},
                        "found_blocks": 0,
                        "nominal_hashrate": {
                            "gigahash_per_second": s.spec.nominal_hashrate * 1000 / s.spec.boards
                        },
                        "real_hashrate": self._rest_rates(rate),
                    },
                }
            )
        return {"hashboards": boards}

    def _rest_errors(self) -> dict[str, Any]:
        return {
            "errors": [
                {
                    "components": [],
                    "error_codes": [{"code": str(code), "hint": "", "reason": msg}],
                    "message": msg,
                    "timestamp": "2026-01-01T00:00:00.000000Z",
                }
                for code, msg in self.state.errors
            ]
        }

    def _rest_tuner_state(self) -> dict[str, Any]:
        s = self.state
        return {
            "mode_state": {
                "powertargetmodestate": {
                    "current_target": {"watt": s.effective_power_limit},
                    "profile": {
                        "created": {"nanos": 0, "seconds": int(s.boot_time)},
                        "estimated_power_consumption": {"watt": round(s.power)},
                        "measured_hashrate": {
                            "gigahash_per_second": s.spec.nominal_hashrate * 1000
                        },
                        "target": {"watt": s.effective_power_limit},
                    },
                }
            },
            "overall_tuner_state": 2,
        }

    def _rest_cooling(self) -> dict[str, Any]:
        return {
            "fans": [
                {"position": i, "rpm": rpm, "target_speed_ratio": 1.0}
                for i, rpm in enumerate(self.state.fan_rpms())
            ],
            "highest_temperature": {
                "id": None,
                "location": 1,
                "temperature": {
                    "degree_c": max(
                        self.state.chip_temperature(i) for i in range(self.state.spec.boards)
                    )
                },
            },
        }

    def _rest_network(self) -> dict[str, Any]:
        return {
            "default_gateway": "192.0.2.1",
            "dns_servers": ["192.0.2.53"],
            "hostname": self.state.hostname,
            "mac_address": self.state.mac.lower(),
            "name": "eth0",
            "networks": [{"address": self.host, "netmask": "255.255.255.0"}],
            "protocol": 1,
        }

    def _rest_pools(self) -> list[dict[str, Any]]:
        pools = []
        for i, pool in enumerate(self.state.pools):
            accepted, rejected = self.state.shares(i)
            pools.append(
                {
                    "active": i == 0 and self.state.hashing,
                    "alive": pool.alive,
                    "enabled": True,
                    "stats": self._rest_share_stats(accepted, rejected),
                    "uid": f"pool{i}",
                    "url": pool.url,
                    "user": pool.user,
                }
            )
        group: dict[str, Any] = {
            "name": "default",
            "pools": pools,
            "strategy": {"quota": {"value": 1}},
        }
        if self.release.rest_serials:
            group["uid"] = "group0"
        return [group]

    def _rest_configuration(self) -> dict[str, Any]:
        return {
            "pool_groups": [],
            "tuner": {
                "enabled": True,
                "tuner_mode": 1,
                "hashrate_target": None,
                "power_target": {"watt": self.state.effective_power_limit},
            },
        }

    async def _rest_locate(self, request: web.Request) -> web.Response:
        if not self._rest_authorized(request):
            return self._unauthorized()
        try:
            enable = await request.json()
        except ValueError:
            enable = None
        if not isinstance(enable, bool):
            return web.json_response({"message": "expected a boolean"}, status=400)
        self.state.fault_light = enable
        return web.json_response(enable)

    async def _rest_power_target(self, request: web.Request) -> web.Response:
        if not self._rest_authorized(request):
            return self._unauthorized()
        try:
            body = await request.json()
        except ValueError:
            body = None
        watt = body.get("watt") if isinstance(body, dict) else None
        refusal = self._set_power_target(watt)
        if refusal is not None:
            return web.json_response({"message": refusal}, status=400)
        return web.json_response({"watt": watt})

    def _rest_action(self, action: str) -> Callable[[web.Request], Any]:
        async def handler(request: web.Request) -> web.Response:
            if not self._rest_authorized(request):
                return self._unauthorized()
            s = self.state
            if action == "reboot":
                s.reboot()
                return web.Response(status=204)
            if action == "restart":
                s.restart_backend()
                return web.json_response(True)
            # 25.07 keeps bosminer running while paused; stop/start are the same here.
            was = s.mining
            s.mining = action in ("resume", "start")
            return web.json_response(was == s.mining)

        return handler

    # -- GraphQL ---------------------------------------------------------------------

    async def _graphql(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            query = str(body["query"])
            variables = body.get("variables") or {}
            operation, selections = _Parser(query, variables).document()
        except (ValueError, KeyError, TypeError) as err:
            return web.json_response({"errors": [{"message": f"bad request: {err}"}]}, status=400)
        except GraphqlError as err:
            return web.json_response({"errors": [{"message": str(err)}], "data": None})
        cookie = request.cookies.get("session_id")
        logging_in = operation == "mutation" and [
            s.name for s in selections if isinstance(s, _Field)
        ] == ["auth"]
        if not logging_in and not self._session_ok(cookie):
            # Real units name their model and release to anyone (asic-rs identifies
            # them so); everything else needs the session.
            public = self._public(operation, selections)
            if public is None:
                return web.json_response(
                    {"errors": [{"message": "Forbidden"}], "data": None}, status=403
                )
            return web.json_response({"data": public})
        issued: list[str] = []
        root = self._mutation_root(issued) if operation == "mutation" else self._query_root()
        errors: list[str] = []
        try:
            data = _resolve(root, selections, errors, "")
        except GraphqlError as err:
            return web.json_response({"errors": [{"message": str(err)}], "data": None})
        payload: dict[str, Any] = {"data": data}
        if errors:
            payload["errors"] = [{"message": e} for e in errors]
        response = web.json_response(payload)
        for token in issued:
            response.set_cookie("session_id", token, httponly=True, path="/")
        return response

    def _bosminer_info(self, _args: dict[str, Any]) -> dict[str, Any]:
        if not self.bosminer_running:
            raise FieldError("BOSminer is not running")
        s = self.state
        boards = []
        board_name, chip_name, inlet_name, outlet_name = self.release.temperature_names
        for i, rate in enumerate(s.board_hashrates()):
            details: dict[str, Any] = {
                "chips": s.spec.chips_per_board,
                "frequencyMhz": self._frequency_hz(i) / 1e6,
                "voltageV": 8.4 if s.spec.model == "S9" else 13.2,
            }
            if self.release.graphql_serials:
                details["hbSerialNumber"] = self._board_serial(i)
            temps = [
                {"name": board_name, "degreesC": s.board_temperature(i)},
                {"name": chip_name, "degreesC": s.chip_temperature(i)},
            ]
            if inlet_name is not None and outlet_name is not None:
                temps.append({"name": inlet_name, "degreesC": s.environment_temperature + 12})
                temps.append({"name": outlet_name, "degreesC": s.board_temperature(i)})
            boards.append(
                {
                    "name": str(self.chain_ids[i]),
                    "nominalMhs": s.spec.nominal_hashrate * 1e6 / s.spec.boards,
                    "realHashrate": {"mhs5S": rate * 1e6, "mhs1M": rate * 1e6},
                    "hwDetails": details,
                    "temperatures": temps,
                }
            )
        pools = []
        for i, pool in enumerate(s.pools):
            accepted, rejected = s.shares(i)
            pools.append(
                {
                    "url": pool.url,
                    "user": pool.user,
                    "status": "ALIVE" if pool.alive else "DEAD",
                    "active": i == 0 and s.hashing,
                    "shares": {"acceptedSolutions": accepted, "rejectedSolutions": rejected},
                }
            )
        return {
            "modelName": self._model_name(),
            "poolGroups": [{"name": "default", "pools": pools}],
            "fans": [
                {"name": str(i), "rpm": rpm, "speed": 100 if rpm else 0}
                for i, rpm in enumerate(self._fan_slots())
            ],
            "summary": {
                "power": {
                    "limitW": s.effective_power_limit,
                    "approxConsumptionW": round(s.power),
                }
            },
            "workSolver": {
                "nominalMhs": s.spec.nominal_hashrate * 1e6,
                "realHashrate": {"mhs5S": s.hashrate * 1e6, "mhs1M": s.hashrate * 1e6},
                "childSolvers": boards,
            },
        }

    def _query_root(self) -> dict[str, Any]:
        s = self.state
        bos: dict[str, Any] = {
            "__typename": "BosQuery",
            "hostname": s.hostname,
            "faultLight": s.fault_light,
            "info": {"version": {"full": self.release.full, "isPlus": True}},
            "uptime": {"durationS": s.uptime},
        }
        if self.release.graphql_mac:
            bos["macAddress"] = s.mac.lower()
        if self.release.graphql_serials:
            bos["serialNumber"] = s.serial
        bosminer: dict[str, Any] = {
            "__typename": "BosminerQuery",
            "info": self._bosminer_info,
            "config": {
                "__typename": "BosminerConfig",
                "autotuning": {
                    "enabled": True,
                    "mode": "POWER_TARGET",
                    "powerTarget": s.effective_power_limit,
                    "hashrateTarget": None,
                },
                "groups": [{"id": "0", "strategy": {"__typename": "QuotaStrategy", "quota": 1}}],
            },
        }
        if self.release.bosminer_uptime:  # not in the 21.09 schema
            bosminer["uptime"] = {"durationS": s.uptime} if self.bosminer_running else None
        appeals = [
            {"id": str(n), "kind": "ERROR", "message": msg, "timestamp": int(s.boot_time)}
            for n, (_code, msg) in enumerate(s.errors)
        ]
        return {
            "__typename": "Query",
            "bos": bos,
            "bosminer": bosminer,
            "events": {"__typename": "EventQuery", "appeals": appeals},
        }

    def _public(self, operation: str, selections: list[Any]) -> dict[str, Any] | None:
        """The answer to a query that needs no session, or ``None`` when it needs one."""
        if operation != "query":
            return None
        try:
            result: dict[str, Any] = _resolve(self._public_root(), selections, [], "")
        except GraphqlError:
            return None
        return result

    def _public_root(self) -> dict[str, Any]:
        """What a unit answers without a session: its model and its release."""

        def info(_args: dict[str, Any]) -> dict[str, Any]:
            return {"__typename": "BosminerInfo", "modelName": self._model_name()}

        return {
            "__typename": "Query",
            "bos": {
                "__typename": "BosQuery",
                "info": {"version": {"full": self.release.full}},
            },
            "bosminer": {"__typename": "BosminerQuery", "info": info},
        }

    def _board_serial(self, board: int) -> str:
        return f"{self.state.serial[:12]}HB{board + 1}"

    def _mutation_root(self, issued: list[str]) -> dict[str, Any]:
        s = self.state

        def login(args: dict[str, Any]) -> dict[str, Any]:
            if not self._credentials_ok(args.get("username"), args.get("password")):
                return {"__typename": "AuthError", "message": "Invalid username or password"}
            issued.append(self._new_session())
            return _void()

        def set_mining(on: bool) -> Callable[[dict[str, Any]], dict[str, Any]]:
            def apply(_args: dict[str, Any]) -> dict[str, Any]:
                s.mining = on
                return _void()

            return apply

        def restart(_args: dict[str, Any]) -> dict[str, Any]:
            if not self.bosminer_running:
                return {"__typename": "BosminerError", "message": "BOSminer is not running"}
            s.restart_backend()
            return _void()

        def reboot(_args: dict[str, Any]) -> dict[str, Any]:
            s.reboot()
            return _void()

        def fault_light(args: dict[str, Any]) -> dict[str, Any]:
            s.fault_light = bool(args.get("enable"))
            return {"enabled": s.fault_light}

        def autotuning(args: dict[str, Any]) -> dict[str, Any]:
            target = (args.get("input") or {}).get("powerTarget")
            refusal = self._set_power_target(target)
            if refusal is not None:
                return {"__typename": "AutotuningError", "message": refusal}
            return {
                "__typename": "AutotuningOut",
                "autotuning": {"enabled": True, "powerTarget": s.power_limit},
            }

        return {
            "__typename": "Mutation",
            "auth": {"__typename": "Auth", "login": login},
            "bos": {
                "__typename": "BosMutation",
                "reboot": reboot,
                "setFaultLight": fault_light,
            },
            "bosminer": {
                "__typename": "BosminerMutation",
                "start": set_mining(True),
                "stop": set_mining(False),
                "restart": restart,
                "config": {"__typename": "BosminerConfigurator", "updateAutotuning": autotuning},
            },
        }

    # -- LuCI (releases whose GraphQL has no MAC) ------------------------------------

    async def _luci_login(self, request: web.Request) -> web.Response:
        if request.headers.get("User-Agent") != LUCI_USER_AGENT:
            return web.Response(text=ROOT_HTML, content_type="text/html")
        form = await request.post()
        if not self._credentials_ok(form.get("luci_username"), form.get("luci_password")):
            return web.Response(status=403, text=ROOT_HTML, content_type="text/html")
        response = web.Response(status=302, headers={"Location": "/cgi-bin/luci/"})
        response.set_cookie("sysauth", self._new_session(), httponly=True, path="/cgi-bin/luci")
        return response

    async def _luci_lan(self, request: web.Request) -> web.Response:
        if request.headers.get("User-Agent") != LUCI_USER_AGENT:
            return web.Response(text=ROOT_HTML, content_type="text/html")
        if not self._session_ok(request.cookies.get("sysauth")):
            return web.Response(status=403, text=ROOT_HTML, content_type="text/html")
        return web.json_response([{"macaddr": self.state.mac}])  # as captured (asic-rs)
