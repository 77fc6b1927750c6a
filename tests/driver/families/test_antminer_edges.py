"""Stock Antminer edge cases: odd replies, refused writes, and what the owner sees.

Parsing is checked on hand-written replies through ``extract`` (the step that turns a
failing extractor into ``None``); the web CGI's refusals come from a small aiohttp
server that plays only the routes a test needs, without digest auth.
"""

from __future__ import annotations

import json
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
    MinerControlRefusedError,
    MinerResponseError,
)
from custom_components.asic_miner.driver.families._cgminer import POOLS, STATS, SUMMARY
from custom_components.asic_miner.driver.families.antminer import FAMILY
from custom_components.asic_miner.driver.families.antminer.backends import (
    LegacyBackend,
    ModernBackend,
)
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Board, MinerIdentity, Pool, Ports
from custom_components.asic_miner.driver.transports.http import HttpReply
from tests.driver.conftest import ALLOWED_HOSTS, DRIVER_PORTS, SimFactory

type Route = Callable[[web.Request], Awaitable[web.StreamResponse]]
type Serve = Callable[[dict[tuple[str, str], Route]], Awaitable[MinerContext]]

IDENTITY = MinerIdentity("Bitmain", "S19 Pro", "antminer", "Stock", "modern")
VERSION_ITEM = {"BMMiner": "1.0.0", "Type": "Antminer S19 Pro"}


@pytest.fixture
async def serve(session: aiohttp.ClientSession) -> AsyncIterator[Serve]:
    runners: list[web.AppRunner] = []

    async def start(routes: dict[tuple[str, str], Route]) -> MinerContext:
        app = web.Application()
        for (method, path), handler in routes.items():
            app.router.add_route(method, path, handler)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        runners.append(runner)
        for host in random.sample(ALLOWED_HOSTS, 40):
            try:
                await web.TCPSite(runner, host, 0).start()
            except OSError:  # pragma: no cover - another run holds the address
                continue
            return MinerContext(host, session, Ports(web=int(runner.addresses[0][1])), timeout=2.0)
        raise AssertionError("no free loopback address")  # pragma: no cover

    yield start
    for runner in runners:
        await runner.cleanup()


def _json(body: Any, status: int = 200, calls: list[Any] | None = None) -> Route:
    async def handler(request: web.Request) -> web.Response:
        if calls is not None:
            calls.append(await request.read())
        return web.json_response(body, status=status)

    return handler


def _values(session: aiohttp.ClientSession, replies: dict[Any, Any]) -> dict[Field, Any]:
    backend = LegacyBackend(MinerContext("127.0.10.1", session), IDENTITY)
    return extract(backend, replies)


# -- parsing --------------------------------------------------------------------------


async def test_miner_still_starting_has_no_chain_data(session: aiohttp.ClientSession) -> None:
    """Right after boot STATS holds only the version item: boards, fans and uptime are
    unknown, not an empty miner with zero uptime."""
    values = _values(
        session,
        {
            SUMMARY: {"SUMMARY": [{"GHS 5s": "0.00"}]},
            STATS: {"STATS": [VERSION_ITEM]},
            POOLS: {"POOLS": []},
        },
    )
    assert values[Field.HASHRATE] == 0
    for field in (Field.BOARDS, Field.FANS, Field.UPTIME, Field.EXPECTED_HASHRATE):
        assert values[field] is None


async def test_sections_as_bare_objects(session: aiohttp.ClientSession) -> None:
    """Some cgminer builds send a section as one object instead of a list of one."""
    stats = {
        "Elapsed": 600,
        "rate_unit": "GH",
        "total_rateideal": 110000.0,
        "chain_acn1": 114,
        "chain_rate1": "36000.50",
        "temp2_1": 70,
        "temp1": 58,
        "fan1": 0,
        "fan2": 0,
    }
    values = _values(
        session,
        {
            SUMMARY: {"SUMMARY": {"GHS 5s": "36000.50"}},
            STATS: {"STATS": stats},
            POOLS: {"POOLS": {"POOL": 0, "URL": "stratum+tcp://pool:3333", "Status": "Alive"}},
        },
    )
    assert values[Field.HASHRATE] == pytest.approx(36.0005)
    assert values[Field.EXPECTED_HASHRATE] == pytest.approx(110.0)
    assert values[Field.UPTIME] == 600
    assert values[Field.BOARDS] == [
        Board(
            index=0,
            hashrate=pytest.approx(36.0005),
            chip_temperature=70,
            board_temperature=58,
            chips=114,
            active=True,
        )
    ]
    # Fan slots that read 0 RPM (immersion / hydro setups) are no fans at all.
    assert values[Field.FANS] == []
    assert [p.url for p in values[Field.POOLS]] == ["stratum+tcp://pool:3333"]


async def test_empty_pool_slots_are_not_pools(session: aiohttp.ClientSession) -> None:
    """bmminer lists three pool slots; unused ones have no URL and are not shown."""
    pools = [
        {"POOL": 0, "URL": "stratum+tcp://main:3333", "Status": "Alive", "User": "w1"},
        {"POOL": 1, "URL": "", "Status": "Dead", "User": ""},
        {"POOL": 2, "URL": "stratum+tcp://backup:3333", "Status": "Dead", "User": "w1"},
    ]
    values = _values(session, {POOLS: {"POOLS": pools}})
    assert values[Field.POOLS] == [
        Pool(index=0, url="stratum+tcp://main:3333", user="w1", alive=True, status="Alive"),
        Pool(index=2, url="stratum+tcp://backup:3333", user="w1", alive=False, status="Dead"),
    ]


# -- modern web controls ----------------------------------------------------------------


async def test_unreadable_configuration_is_never_written_back(serve: Serve) -> None:
    """set_miner_conf.cgi resets what it is not sent: a garbled read must stop the write,
    or the miner would lose its pools."""
    posted: list[Any] = []
    ctx = await serve(
        {
            ("GET", "/cgi-bin/get_miner_conf.cgi"): _json(["not", "an", "object"]),
            ("POST", "/cgi-bin/set_miner_conf.cgi"): _json({"stats": "success"}, calls=posted),
        }
    )
    with pytest.raises(MinerResponseError, match="not an object"):
        await ModernBackend(ctx, IDENTITY).set_mining(False)
    assert posted == []


async def test_configuration_refused(serve: Serve) -> None:
    posted: list[Any] = []
    ctx = await serve(
        {
            ("GET", "/cgi-bin/get_miner_conf.cgi"): _json({"bitmain-work-mode": "0", "pools": []}),
            ("POST", "/cgi-bin/set_miner_conf.cgi"): _json(
                {"stats": "error", "code": "M001"}, calls=posted
            ),
        }
    )
    with pytest.raises(MinerControlRefusedError, match=r"work mode: the miner refused: .*M001"):
        await ModernBackend(ctx, IDENTITY).set_work_mode("low")
    assert len(posted) == 1


async def test_fault_light_refused(serve: Serve) -> None:
    ctx = await serve({("POST", "/cgi-bin/blink.cgi"): _json({"code": "B001"})})
    with pytest.raises(MinerControlRefusedError, match=r"fault light: the miner refused: .*B001"):
        await ModernBackend(ctx, IDENTITY).set_fault_light(True)


async def test_reboot_answered_404_is_refused(serve: Serve) -> None:
    """A firmware without reboot.cgi answers 404: that is no reboot."""
    ctx = await serve({})  # lighttpd's 404 for a CGI the firmware lacks
    for backend in (ModernBackend(ctx, IDENTITY), LegacyBackend(ctx, IDENTITY)):
        with pytest.raises(MinerControlRefusedError, match="reboot: the miner refused: HTTP 404"):
            await backend.reboot()


async def test_reboot_answered_by_a_redirect_is_refused(serve: Serve) -> None:
    """A 3xx (a login page, a proxy) is not the CGI's answer: no reboot is claimed."""

    async def moved(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": "/login.html"})

    ctx = await serve({("POST", "/cgi-bin/reboot.cgi"): moved})
    with pytest.raises(MinerControlRefusedError, match="reboot: the miner refused: HTTP 302"):
        await ModernBackend(ctx, IDENTITY).reboot()


async def test_reboot_accepted(serve: Serve) -> None:
    calls: list[Any] = []
    ctx = await serve({("POST", "/cgi-bin/reboot.cgi"): _json({}, calls=calls)})
    await ModernBackend(ctx, IDENTITY).reboot()
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("control", "what"),
    [
        (lambda b: b.set_mining(False), "pause mining"),
        (lambda b: b.set_mining(True), "resume mining"),
        (lambda b: b.set_work_mode("high"), "work mode"),
        (lambda b: b.set_fault_light(True), "fault light"),
    ],
    ids=["pause", "resume", "work-mode", "fault-light"],
)
async def test_every_cgi_status_is_checked(
    serve: Serve, control: Callable[[ModernBackend], Awaitable[None]], what: str
) -> None:
    """A CGI answering HTTP 500 (or a 404 page) refused the control, whatever the body."""
    ctx = await serve(
        {
            ("GET", "/cgi-bin/get_miner_conf.cgi"): _json({"bitmain-work-mode": "0", "pools": []}),
            ("POST", "/cgi-bin/set_miner_conf.cgi"): _json({"stats": "success"}, status=500),
            ("POST", "/cgi-bin/blink.cgi"): _json({"code": "B000"}, status=500),
        }
    )
    with pytest.raises(MinerControlRefusedError, match=f"{what}: the miner refused: HTTP 500"):
        await control(ModernBackend(ctx, IDENTITY))


async def test_password_changed_on_the_miner(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """check_credentials notices a password changed on the miner after setup."""
    sim = await simulate("antminer", "S19 Pro")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    await miner.check_credentials()
    sim.state.password = "changed"
    with pytest.raises(MinerAuthenticationError):
        await miner.check_credentials()


# -- legacy web -------------------------------------------------------------------------


async def test_legacy_blink_error_page(serve: Serve) -> None:
    """An S9-era blink.cgi answering an error page is an error, not a light state."""
    ctx = await serve({("POST", "/cgi-bin/blink.cgi"): _json({"oops": 1}, status=500)})
    backend = LegacyBackend(ctx, IDENTITY)
    with pytest.raises(MinerResponseError, match="HTTP 500"):
        await backend.set_fault_light(True)


# -- identification -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minertype", "version_type", "model", "supported"),
    [
        ("", "Antminer S19j Pro", "S19j Pro", True),
        (None, None, "Antminer", False),
    ],
    ids=["from-rpc-version", "unnamed"],
)
async def test_model_name_fallbacks(
    serve: Serve,
    minertype: str | None,
    version_type: str | None,
    model: str,
    supported: bool,
) -> None:
    """The web page not naming the model falls back to RPC ``version``, then to a
    generic, unsupported "Antminer"."""
    info = {"macaddr": "02:11:22:33:44:55", "serinum": "SN1"}
    if minertype is not None:
        info["minertype"] = minertype
    ctx = await serve(
        {
            ("GET", "/cgi-bin/get_system_info.cgi"): _json(info),
            ("GET", "/cgi-bin/get_blink_status.cgi"): _json({"blink": False}),
        }
    )
    item = {"API": "3.1", "CompileTime": "Mon Jul 31 2023"}
    if version_type is not None:
        item["Type"] = version_type
    results = {"rpc_version": f'{{"STATUS":[{{"STATUS":"S"}}],"VERSION":[{json.dumps(item)}]}}'}
    identity = await FAMILY.identify(ctx, results)
    assert (identity.model, identity.supported, identity.backend) == (model, supported, "modern")
    assert identity.firmware_version == "Mon Jul 31 2023"  # no filesystem version: compile time


def test_fingerprint_by_digest_realm() -> None:
    """The lighttpd digest realm names the Antminer; a challenge without one does not."""

    def challenge(header: str) -> dict[str, Any]:
        return {"web_root": HttpReply(401, {"WWW-Authenticate": header}, b"")}

    assert FAMILY.matches(challenge('Digest realm="antMiner Configuration", nonce="1"'))
    assert not FAMILY.matches(challenge('Digest realm="router", nonce="1"'))
    assert not FAMILY.matches(challenge("Basic"))


async def test_legacy_blink_that_does_not_change(serve: Serve) -> None:
    ctx = await serve({("POST", "/cgi-bin/blink.cgi"): _json({"isBlinking": False})})
    backend = LegacyBackend(ctx, IDENTITY)
    await backend.set_fault_light(False)
    with pytest.raises(
        MinerControlRefusedError, match="fault light: the miner refused: it stayed off"
    ):
        await backend.set_fault_light(True)
