"""The miner's own log (diagnostics only): every family that offers one over its API,
read from the simulator over real sockets; the size bound and malformed replies
against a raw peer; "not offered" on the families whose API has none.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web

from custom_components.asic_miner.driver import (
    Miner,
    MinerIdentity,
    MinerResponseError,
    MinerUnsupportedError,
    Ports,
)
from custom_components.asic_miner.driver.logs import (
    MAX_LOG_BYTES,
    MAX_LOG_LINES,
    NOT_OFFERED,
    log_from_lines,
    log_from_text,
)

from .conftest import ALLOWED_HOSTS, DRIVER_PORTS, SimFactory

type Writer = Callable[[asyncio.StreamWriter], Awaitable[None]]

OFFERED = [
    ("braiins", "S19", {"release": "25.07"}, "bosminer"),
    ("braiins", "S19j Pro", {"release": "25.05.1"}, "bosminer"),
    ("braiins", "S9", {"release": "21.09"}, "bosminer"),
    ("vnish", "S19", {}, "miner"),
    ("vnish", "S21", {}, "miner"),
    ("epic", "S21", {}, "powerplay"),
    ("antminer", "S19 Pro", {}, "bmminer"),
    ("antminer", "S9", {}, "cgminer"),
]
NOT_OFFERING = [
    ("luxos", "S21"),
    ("whatsminer", "M60S"),
    ("whatsminer", "M30S+"),
    ("bitaxe", "Gamma"),
    ("avalon", "Q"),
]


async def _connect(session: aiohttp.ClientSession, host: str) -> Miner:
    return await Miner.connect(host, session, ports=DRIVER_PORTS)


@pytest.mark.parametrize("case", OFFERED, ids=[f"{o[0]}-{o[1]}" for o in OFFERED])
async def test_log_read_where_offered(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    case: tuple[str, str, dict[str, str], str],
) -> None:
    family, model, state, daemon = case
    sim = await simulate(family, model, **state)
    miner = await _connect(session, sim.host)
    log = await miner.read_log()
    assert 0 < len(log.lines) <= MAX_LOG_LINES
    assert not log.truncated
    # The daemon's own lines, pools named as real logs name them.
    assert any(daemon in line for line in log.lines)
    assert any(sim.state.pools[0].url in line for line in log.lines)
    sim.state.mining = False
    assert "mining stopped" in (await miner.read_log()).lines[-1]


@pytest.mark.parametrize(
    ("family", "model"), NOT_OFFERING, ids=[f"{n[0]}-{n[1]}" for n in NOT_OFFERING]
)
async def test_log_not_offered(
    simulate: SimFactory, session: aiohttp.ClientSession, family: str, model: str
) -> None:
    sim = await simulate(family, model)
    miner = await _connect(session, sim.host)
    with pytest.raises(MinerUnsupportedError, match=NOT_OFFERED):
        await miner.read_log()


@contextlib.asynccontextmanager
async def _peer(write: Writer) -> AsyncIterator[tuple[str, int]]:
    """A raw HTTP peer on a loopback address that answers every request with ``write``."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            await reader.readuntil(b"\r\n\r\n")
            await write(writer)
            await writer.drain()
        writer.close()

    for _ in range(20):
        host = random.choice(ALLOWED_HOSTS)
        with contextlib.suppress(OSError):
            server = await asyncio.start_server(serve, host, 0)
            break
    else:  # pragma: no cover
        pytest.fail("no free loopback address")
    try:
        yield host, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        server.close_clients()
        await server.wait_closed()


def _epic(session: aiohttp.ClientSession, host: str, port: int) -> Miner:
    identity = MinerIdentity("Antminer", "S19 XP", "epic", "ePIC PowerPlay", "powerplay")
    return Miner.from_identity(host, session, identity, ports=Ports(rpc=port), timeout=5)


async def _huge_log(writer: asyncio.StreamWriter) -> None:
    """Five megabytes of log and no length: the body ends when the peer hangs up."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
    line = b"2026-01-01T00:00:00Z INFO powerplay: " + b"x" * 60 + b"\n"
    for _ in range(50):
        writer.write(line * 1000)
        await writer.drain()
    writer.write(b"2026-01-01T00:00:01Z INFO powerplay: the last line\n")


def _reply(status: int, body: bytes) -> Writer:
    async def write(writer: asyncio.StreamWriter) -> None:
        head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        writer.write(head.encode() + body)

    return write


async def test_log_size_is_bounded(session: aiohttp.ClientSession) -> None:
    async with _peer(_huge_log) as (host, port):
        log = await _epic(session, host, port).read_log()
    assert log.truncated
    assert len(log.lines) == MAX_LOG_LINES
    assert sum(len(line) + 1 for line in log.lines) <= MAX_LOG_BYTES
    assert log.lines[-1].endswith("the last line")


@pytest.mark.parametrize(
    "write",
    [_reply(200, b"\x00\x01\x02binary\x00"), _reply(500, b"internal error")],
    ids=["binary", "http-500"],
)
async def test_malformed_log_is_a_driver_error(
    session: aiohttp.ClientSession, write: Writer
) -> None:
    async with _peer(write) as (host, port):
        with pytest.raises(MinerResponseError):
            await _epic(session, host, port).read_log()


@pytest.mark.parametrize("value", [None, "one line", [1, 2], {"lines": []}])
def test_log_lines_must_be_strings(value: object) -> None:
    with pytest.raises(MinerResponseError):
        log_from_lines("bos.log", value)


def test_log_lines_bounded() -> None:
    log = log_from_lines("bos.log", [f"line {n}" for n in range(1000)])
    assert log.truncated
    assert log.lines[-1] == "line 999"
    assert len(log.lines) == MAX_LOG_LINES
    assert log.as_dict()["source"] == "bos.log"


def test_cut_text_drops_the_partial_first_line() -> None:
    log = log_from_text("/log", b"tail of a line\nwhole line\n", cut=True)
    assert log.lines == ("whole line",)
    assert log.truncated


async def test_braiins_rest_release_without_the_log_route(session: aiohttp.ClientSession) -> None:
    """A REST release before the log route (asic-rs reads 25.07's log over GraphQL)."""

    async def login(_: web.Request) -> web.Response:
        return web.json_response({"token": "t0ken"})

    app = web.Application()
    app.router.add_post("/api/v1/auth/login", login)
    runner = web.AppRunner(app)
    await runner.setup()
    host = random.choice(ALLOWED_HOSTS)
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        identity = MinerIdentity("Bitmain", "S19", "braiins", "Braiins OS", "rest")
        miner = Miner.from_identity(host, session, identity, ports=Ports(web=port))
        with pytest.raises(MinerUnsupportedError, match=f"{NOT_OFFERED} release"):
            await miner.read_log()
    finally:
        await runner.cleanup()
