"""Braiins OS web APIs at their edges: what each refusal and odd reply turns into.

The simulator plays well-behaved releases; the replies it never sends (a GraphQL error
saying "Unauthorized" with HTTP 200, a login without a cookie, a REST login that
answers with the web app, an echo that contradicts the request) come from a small
aiohttp server each test configures with the few routes it needs.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from custom_components.asic_miner.driver.collect import extract
from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import Field
from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerControlRefusedError,
    MinerResponseError,
    MinerUnsupportedError,
    MinerValueError,
)
from custom_components.asic_miner.driver.families.braiins import FAMILY, version_tuple
from custom_components.asic_miner.driver.families.braiins import client_graphql as gql_client
from custom_components.asic_miner.driver.families.braiins import client_rest as rest_client
from custom_components.asic_miner.driver.families.braiins import graphql as gql
from custom_components.asic_miner.driver.families.braiins import parse_graphql as gql_parse
from custom_components.asic_miner.driver.families.braiins import parse_rest as rest_parse
from custom_components.asic_miner.driver.families.braiins.client_graphql import GraphqlApi
from custom_components.asic_miner.driver.families.braiins.client_rest import RestApi
from custom_components.asic_miner.driver.families.braiins.graphql import GraphqlBackend
from custom_components.asic_miner.driver.families.braiins.parse import FANS, POOLS
from custom_components.asic_miner.driver.families.braiins.rest import RestBackend
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import MinerIdentity, Ports
from custom_components.asic_miner.driver.transports.http import HttpReply
from simulator.families.braiins import BraiinsSim
from tests.driver.conftest import ALLOWED_HOSTS, DRIVER_PORTS, SimFactory

type Route = Callable[[web.Request], Awaitable[web.StreamResponse]]
type Serve = Callable[[dict[tuple[str, str], Route]], Awaitable[MinerContext]]

COOKIE = "session_id=c00k1e; Path=/; HttpOnly"
IDENTITY = MinerIdentity("Bitmain", "S19", "braiins", "Braiins OS+", "graphql")


@pytest.fixture
async def serve(session: aiohttp.ClientSession) -> AsyncIterator[Serve]:
    """Start a web server with the given ``(method, path) -> handler`` routes."""
    runners: list[web.AppRunner] = []

    async def start(routes: dict[tuple[str, str], Route]) -> MinerContext:
        app = web.Application()
        for (method, path), handler in routes.items():
            app.router.add_route(method, path, handler)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        runners.append(runner)
        for host in random.sample(ALLOWED_HOSTS, 40):
            site = web.TCPSite(runner, host, 0)
            try:
                await site.start()
            except OSError:  # pragma: no cover - another run holds the address
                continue
            port = int(runner.addresses[0][1])
            return MinerContext(host, session, Ports(web=port), timeout=2.0)
        raise AssertionError("no free loopback address")  # pragma: no cover

    yield start
    for runner in runners:
        await runner.cleanup()


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Route:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response(body, status=status, headers=headers)

    return handler


def _graphql(answer: Callable[[str], Any], logins: list[str] | None = None) -> Route:
    """GraphQL: the login mutation sets a cookie; other queries get ``answer(query)``."""

    async def handler(request: web.Request) -> web.Response:
        query = str((await request.json())["query"])
        if "auth" in query and "login" in query:
            if logins is not None:
                logins.append(query)
            return web.json_response(
                {"data": {"auth": {"login": {"__typename": "VoidResult"}}}},
                headers={"Set-Cookie": COOKIE},
            )
        return web.json_response(answer(query))

    return handler


# -- GraphQL: login and replies ---------------------------------------------------------


async def test_release_without_any_web_api_is_unsupported(serve: Serve) -> None:
    """Before 21.09 neither the REST login nor /graphql exists: a clear "unsupported"."""
    ctx = await serve({("GET", "/"): _json({})})
    with pytest.raises(MinerUnsupportedError, match=r"before 21\.09"):
        await FAMILY.identify(ctx, {})


@pytest.mark.parametrize(
    "headers",
    [{}, {"Set-Cookie": "session_id=; Path=/"}],
    ids=["no-cookie", "empty-cookie"],
)
async def test_login_that_sets_no_session(serve: Serve, headers: dict[str, str]) -> None:
    ok = {"data": {"auth": {"login": {"__typename": "VoidResult"}}}}
    ctx = await serve({("POST", "/graphql"): _json(ok, headers=headers)})
    with pytest.raises(MinerResponseError, match="no session cookie"):
        await GraphqlApi(ctx).auth.headers()


async def test_reply_shapes(session: aiohttp.ClientSession) -> None:
    api = GraphqlApi(MinerContext("127.0.10.1", session))

    def reply(body: bytes, status: int = 200) -> HttpReply:
        return HttpReply(status, {}, body)

    with pytest.raises(MinerResponseError, match="HTTP 500"):
        api._data(reply(b"{}", 500))
    with pytest.raises(MinerResponseError, match="not an object"):
        api._data(reply(b"[]"))
    with pytest.raises(MinerResponseError, match="no data"):
        api._data(reply(b'{"data": null}'))
    # An error that says the session is gone is a login problem, not a bad reply.
    with pytest.raises(MinerAuthenticationError):
        api._data(reply(b'{"errors": [{"message": "Unauthorized"}], "data": null}'))
    failing = b'{"errors": [{"message": "BOSminer is not running"}], "data": {"bos": {"x": 1}}}'
    with pytest.raises(MinerResponseError, match="not running"):
        api._data(reply(failing))
    # A status read keeps what did answer (a stopped bosminer fails only its half).
    assert api._data(reply(failing), partial=True) == {"bos": {"x": 1}}
    with pytest.raises(MinerResponseError, match="plain text"):
        api._data(reply(b'{"errors": ["plain text"], "data": null}'), partial=True)


async def test_forgotten_session_logs_in_once_more(serve: Serve) -> None:
    """A firmware restart forgets the cookie: one new login, then the query goes through."""
    logins: list[str] = []
    answers = iter(
        [
            {"errors": [{"message": "Unauthorized"}], "data": None},
            {"data": {"bos": {"faultLight": True}}},
        ]
    )
    ctx = await serve({("POST", "/graphql"): _graphql(lambda q: next(answers), logins)})
    assert await GraphqlApi(ctx).execute("{ bos { faultLight } }") == {"bos": {"faultLight": True}}
    assert len(logins) == 2


async def test_session_refused_after_fresh_login(serve: Serve) -> None:
    """Refused again right after logging in: an auth error, and no login loop."""
    logins: list[str] = []
    refusal = {"errors": [{"message": "not logged in"}], "data": None}
    ctx = await serve({("POST", "/graphql"): _graphql(lambda q: refusal, logins)})
    with pytest.raises(MinerAuthenticationError):
        await GraphqlApi(ctx).execute("{ bos { faultLight } }")
    assert len(logins) == 2


# -- GraphQL: identity ------------------------------------------------------------------

IDENTITY_DATA = {
    "data": {
        "bos": {"hostname": "bos-s9", "info": {"version": {"full": "2021-10-14-0-9b-21.09-plus"}}},
        "bosminer": {"info": {"modelName": "Antminer S9"}},
    }
}
OLD_SCHEMA = {"errors": [{"message": 'Cannot query field "macAddress" on type "Bos"'}]}


def _old_release(query: str) -> Any:
    return OLD_SCHEMA if "macAddress" in query else IDENTITY_DATA


@pytest.mark.parametrize(
    "luci",
    [
        # LuCI refused the login and showed its page again: no cookie.
        {("POST", "/cgi-bin/luci"): _json({"page": "login"})},
        # Logged in, but the status page is not the list of interfaces.
        {
            ("POST", "/cgi-bin/luci"): _json({}, headers={"Set-Cookie": "sysauth=abc; Path=/"}),
            ("GET", gql_client.LUCI_MAC_PATH): _json({"macaddr": "00:11:22:33:44:55"}),
        },
        # Logged in, then the status page fails.
        {
            ("POST", "/cgi-bin/luci"): _json({}, headers={"Set-Cookie": "sysauth=abc; Path=/"}),
            ("GET", gql_client.LUCI_MAC_PATH): _json({"error": "busy"}, status=500),
        },
    ],
    ids=["no-cookie", "not-a-list", "page-error"],
)
async def test_mac_unknown_when_luci_does_not_give_it(
    serve: Serve, luci: dict[tuple[str, str], Route]
) -> None:
    """An old release whose LuCI does not cooperate is still identified, without a MAC."""
    ctx = await serve({("POST", "/graphql"): _graphql(_old_release), **luci})
    info = await gql_client.read_identity(GraphqlApi(ctx))
    assert info == {
        "full_version": "2021-10-14-0-9b-21.09-plus",
        "model": "Antminer S9",
        "hostname": "bos-s9",
        "mac": None,
        "serial": None,
    }


async def test_login_lost_during_identity_is_an_auth_error(serve: Serve) -> None:
    """The second identity query being refused is not mistaken for an older schema."""

    def answer(query: str) -> Any:
        if "macAddress" in query:
            return {"errors": [{"message": "Forbidden"}], "data": None}
        # A release whose schema has the MAC, so the driver asks for it.
        return {"data": {"bos": {"hostname": "h", "info": {"version": {"full": "x-25.05.1-plus"}}}}}

    ctx = await serve({("POST", "/graphql"): _graphql(answer)})
    with pytest.raises(MinerAuthenticationError):
        await gql_client.read_identity(GraphqlApi(ctx))


# -- GraphQL: controls ------------------------------------------------------------------


def test_result_unions() -> None:
    gql._check_union({"__typename": "VoidResult"}, "VoidResult", "reboot")
    gql._check_union({}, "VoidResult", "reboot")  # no __typename asked for: fine
    with pytest.raises(MinerResponseError, match="reboot: the miner refused: no result"):
        gql._check_union(None, "VoidResult", "reboot")
    with pytest.raises(MinerResponseError, match="restart: the miner refused: BosminerError"):
        gql._check_union({"__typename": "BosminerError"}, "VoidResult", "restart")
    with pytest.raises(MinerResponseError, match=r"lacks bos\.reboot"):
        gql_parse.path({"bos": None}, "bos", "reboot")


async def test_restart_while_bosminer_stopped(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """Restarting a stopped bosminer is refused with the firmware's own reason."""
    sim = await simulate("braiins", "S19j Pro")
    assert isinstance(sim, BraiinsSim)
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    await miner.set_mining(False)
    with pytest.raises(MinerResponseError, match="BOSminer is not running"):
        await miner.restart_backend()
    assert sim.state.backend_restarts == 0


async def test_fault_light_that_does_not_change(serve: Serve) -> None:
    stuck = {"data": {"bos": {"setFaultLight": {"enabled": False}}}}
    ctx = await serve({("POST", "/graphql"): _graphql(lambda q: stuck)})
    backend = GraphqlBackend(ctx, IDENTITY)
    await backend.set_fault_light(False)
    with pytest.raises(MinerResponseError, match="stayed off"):
        await backend.set_fault_light(True)


# -- REST -------------------------------------------------------------------------------

TOKEN = {"token": "t0k3n", "timeout_s": 3600}


@pytest.mark.parametrize(
    ("login", "error"),
    [
        (_json({"message": "internal"}, status=500), "HTTP 500"),
        (_json({"timeout_s": 3600}), "no token"),
        (_json({"token": ""}), "no token"),
    ],
    ids=["server-error", "no-token", "empty-token"],
)
async def test_rest_login_failures_are_not_a_missing_api(
    serve: Serve, login: Route, error: str
) -> None:
    """A REST API that is there but fails must not send the driver to GraphQL."""
    ctx = await serve({("POST", rest_client.LOGIN_PATH): login})
    with pytest.raises(MinerResponseError, match=error):
        await RestApi(ctx).available()


async def test_rest_login_answered_by_the_web_app(serve: Serve) -> None:
    """Some web servers answer any route with their single-page app: no REST API."""

    async def spa(request: web.Request) -> web.Response:
        return web.Response(text="<!DOCTYPE html><div id=root></div>", content_type="text/html")

    ctx = await serve({("POST", rest_client.LOGIN_PATH): spa})
    assert await RestApi(ctx).available() is False


def test_rest_reply_helpers() -> None:
    assert rest_client._is_html(HttpReply(200, {}, b"  <html></html>"))  # no content type sent
    assert not rest_client._is_html(HttpReply(200, {}, b'{"token": "x"}'))
    assert rest_client._is_html(HttpReply(200, {"content-type": "text/html; charset=utf-8"}, b"{}"))
    assert (
        rest_client._message(HttpReply(500, {}, b"Internal Server Error"))
        == "Internal Server Error"
    )
    assert rest_client._message(HttpReply(400, {}, b'["bad", "watt"]')) == "['bad', 'watt']"
    assert rest_client._message(HttpReply(400, {}, b'{"error": "too low"}')) == "too low"


def _rest(routes: dict[tuple[str, str], Route]) -> dict[tuple[str, str], Route]:
    return {("POST", rest_client.LOGIN_PATH): _json(TOKEN), **routes}


async def test_rest_action_server_error(serve: Serve) -> None:
    ctx = await serve(
        _rest({("PUT", f"{rest_parse.API}/actions/reboot"): _json({"message": "busy"}, status=503)})
    )
    with pytest.raises(MinerResponseError, match="HTTP 503 busy"):
        await RestBackend(ctx, IDENTITY).reboot()


async def test_rest_locate_echo_contradicts(serve: Serve) -> None:
    ctx = await serve(_rest({("PUT", rest_parse.LOCATE.path): _json(False)}))
    backend = RestBackend(ctx, IDENTITY)
    await backend.set_fault_light(False)
    with pytest.raises(MinerResponseError, match="stayed off"):
        await backend.set_fault_light(True)


async def test_rest_power_target_echo_contradicts(serve: Serve) -> None:
    """The firmware clamping a target to another value is reported, not hidden."""
    path = f"{rest_parse.API}/performance/power-target"
    ctx = await serve(_rest({("PUT", path): _json({"watt": 2800})}))
    backend = RestBackend(ctx, IDENTITY)
    await backend.set_power_limit(2800)
    with pytest.raises(MinerResponseError, match="2800 W, not 3000 W"):
        await backend.set_power_limit(3000)


async def test_rest_details_not_an_object(serve: Serve) -> None:
    ctx = await serve(_rest({("GET", rest_parse.DETAILS.path): _json(["details"])}))
    with pytest.raises(MinerResponseError, match="not an object"):
        await rest_client.read_identity(RestApi(ctx))


async def test_rest_release_without_a_version(serve: Serve) -> None:
    """A REST API that names no release is still driven by REST, with no version shown."""
    details = {
        "miner_identity": {"miner_model": "Antminer S19"},
        "mac_address": "02:aa:bb:cc:dd:ee",
    }
    ctx = await serve(_rest({("GET", rest_parse.DETAILS.path): _json(details)}))
    identity = await FAMILY.identify(ctx, {})
    assert (identity.model, identity.backend) == ("S19", "rest")
    assert identity.firmware_version is None
    assert identity.firmware == "Braiins OS"
    assert identity.mac == "02:AA:BB:CC:DD:EE"
    assert version_tuple(None) is None


async def test_rpc_pools_as_one_object_and_empty_slots(session: aiohttp.ClientSession) -> None:
    """bosminer sending POOLS as a bare object is read; a pool with no URL is skipped."""
    backend = GraphqlBackend(MinerContext("127.0.10.1", session), IDENTITY)
    one = {"POOLS": {"POOL": 0, "URL": "stratum+tcp://a:3333", "Status": "Alive"}}
    assert [p.url for p in extract(backend, {POOLS: one})[Field.POOLS]] == ["stratum+tcp://a:3333"]
    slots = {"POOLS": [{"POOL": 0, "URL": ""}, {"POOL": 1, "URL": "stratum+tcp://b:3333"}]}
    assert [(p.index, p.url) for p in extract(backend, {POOLS: slots})[Field.POOLS]] == [
        (1, "stratum+tcp://b:3333")
    ]


async def test_web_pools_missing_are_unknown_not_none(session: aiohttp.ClientSession) -> None:
    """A pool list the web API did not give is unknown, and RPC's pools fill in."""
    one = {"POOLS": [{"POOL": 0, "URL": "stratum+tcp://a:3333", "Status": "Alive"}]}
    graphql = GraphqlBackend(MinerContext("127.0.10.1", session), IDENTITY)
    no_groups = {"bosminer": {"info": {"poolGroups": None}}}
    assert (
        extract(graphql, {gql_parse.POOLS: no_groups, POOLS: MinerResponseError("no RPC")})[
            Field.POOLS
        ]
        is None
    )
    pools = extract(graphql, {gql_parse.POOLS: no_groups, POOLS: one})[Field.POOLS]
    assert [p.url for p in pools] == ["stratum+tcp://a:3333"]
    rest_backend = RestBackend(MinerContext("127.0.10.1", session), IDENTITY)
    not_a_list = {"pools": []}
    pools = extract(rest_backend, {rest_parse.POOLS: not_a_list, POOLS: one})[Field.POOLS]
    assert [p.url for p in pools] == ["stratum+tcp://a:3333"]


async def test_web_fans_missing_are_unknown_not_none(session: aiohttp.ClientSession) -> None:
    """A fan list the web API did not give leaves the field to RPC, not empty."""
    rpc_fans = {"FANS": [{"ID": 0, "RPM": 4200, "Speed": 80}]}
    graphql = GraphqlBackend(MinerContext("127.0.10.1", session), IDENTITY)
    no_fans = {"bosminer": {"info": {"fans": None}}}
    fans = extract(graphql, {gql_parse.SYSTEM: no_fans, FANS: rpc_fans})[Field.FANS]
    assert [f.rpm for f in fans] == [4200]
    rest_backend = RestBackend(MinerContext("127.0.10.1", session), IDENTITY)
    fans = extract(rest_backend, {rest_parse.COOLING: {"fans": None}, FANS: rpc_fans})[Field.FANS]
    assert [f.rpm for f in fans] == [4200]


# -- every refused control names itself and what the miner said -------------------------

_CONTROLS: list[tuple[str, Callable[[Any], Awaitable[None]]]] = [
    ("pause mining", lambda b: b.set_mining(False)),
    ("resume mining", lambda b: b.set_mining(True)),
    ("fault light", lambda b: b.set_fault_light(True)),
    ("power limit", lambda b: b.set_power_limit(3000)),
    ("reboot", lambda b: b.reboot()),
    ("restart", lambda b: b.restart_backend()),
]


@pytest.mark.parametrize(("what", "control"), _CONTROLS, ids=[c[0] for c in _CONTROLS])
@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (lambda q: {"errors": [{"message": "Internal error: tuner busy"}]}, "tuner busy"),
        (lambda q: {"data": None}, "reply has no data"),
    ],
    ids=["graphql-error", "no-data"],
)
async def test_graphql_refusals_name_the_control(
    serve: Serve,
    what: str,
    control: Callable[[Any], Awaitable[None]],
    answer: Callable[[str], Any],
    said: str,
) -> None:
    ctx = await serve({("POST", "/graphql"): _graphql(answer)})
    with pytest.raises(MinerControlRefusedError, match=f"{what}: the miner refused: .*{said}"):
        await control(GraphqlBackend(ctx, IDENTITY))


async def test_graphql_http_error_names_the_control(serve: Serve) -> None:
    async def broken(request: web.Request) -> web.Response:
        query = str((await request.json())["query"])
        if "login" in query:
            return web.json_response(
                {"data": {"auth": {"login": {"__typename": "VoidResult"}}}},
                headers={"Set-Cookie": COOKIE},
            )
        return web.Response(status=502, text="Bad Gateway")

    ctx = await serve({("POST", "/graphql"): broken})
    with pytest.raises(MinerControlRefusedError, match=r"reboot: the miner refused: .*HTTP 502"):
        await GraphqlBackend(ctx, IDENTITY).reboot()


@pytest.mark.parametrize(("what", "control"), _CONTROLS, ids=[c[0] for c in _CONTROLS])
async def test_rest_refusals_name_the_control(
    serve: Serve, what: str, control: Callable[[Any], Awaitable[None]]
) -> None:
    refused = _json({"message": "miner is restarting"}, status=503)
    routes = {("PUT", f"{rest_parse.API}/{path}"): refused for path in _REST_PATHS}
    ctx = await serve(_rest(routes))
    with pytest.raises(
        MinerControlRefusedError, match=f"{what}: the miner refused: .*HTTP 503 miner is restarting"
    ):
        await control(RestBackend(ctx, IDENTITY))


_REST_PATHS = (
    "actions/pause",
    "actions/resume",
    "actions/locate",
    "performance/power-target",
    "actions/reboot",
    "actions/restart",
)


async def test_rest_value_refusal_names_the_control(serve: Serve) -> None:
    """A 400 says why the value is wrong: a value error, still naming the control."""
    path = f"{rest_parse.API}/performance/power-target"
    ctx = await serve(_rest({("PUT", path): _json({"message": "too low"}, status=400)}))
    with pytest.raises(MinerValueError, match=r"power limit: the miner refused: .*too low"):
        await RestBackend(ctx, IDENTITY).set_power_limit(500)


# -- GraphQL: a pause is not a crash ----------------------------------------------------

# The ``bos`` half a GraphQL-era miner answers while bosminer does not (its system query).
_BOS_ONLY = {"bos": {"hostname": "h", "faultLight": False, "uptime": {"durationS": 5}}}
# What BOS says about bosminer: stopped (``bosminer.stop``) or unreachable (crashed).
_STOPPED = "BOSminer is not running"
_CRASHED = "BOSminer API connection error: Connection refused (os error 111)"


@pytest.mark.parametrize(
    ("messages", "mining", "errors"),
    [
        ((_STOPPED,), False, []),
        ((_CRASHED,), None, [f"BOSminer is not answering: {_CRASHED}"]),
        ((), None, []),  # a reply that says nothing about bosminer: unknown
    ],
    ids=["stopped", "crashed", "silent"],
)
async def test_graphql_pause_reads_apart_from_a_crash(
    serve: Serve, messages: tuple[str, ...], mining: bool | None, errors: list[str]
) -> None:
    """Only the firmware's own "not running" (the pause) reads as paused; a bosminer
    that crashed is unknown and named among the errors, never "paused on purpose"."""

    def answer(query: str) -> Any:
        if "appeals" in query:
            return {"data": {"events": {"appeals": []}}}
        body: dict[str, Any] = {"data": {**_BOS_ONLY, "bosminer": None}}
        if messages:
            body["errors"] = [{"message": m, "path": ["bosminer", "info"]} for m in messages]
        return body

    ctx = await serve({("POST", "/graphql"): _graphql(answer)})
    backend = GraphqlBackend(ctx, IDENTITY)
    replies: dict[Any, Any] = {
        source: await backend.fetch_call(source) for source in (gql_parse.SYSTEM, gql_parse.EVENTS)
    }
    replies[FANS] = MinerConnectionError("bosminer's RPC is down")
    values = extract(backend, replies)
    assert values[Field.MINING] is mining
    assert [e.message for e in values[Field.ERRORS]] == errors
    assert values[Field.UPTIME] == 5  # the system half still reads
