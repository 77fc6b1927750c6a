"""The cgminer-style RPC client against tiny loopback servers started by each test.

Every server here is a few lines that misbehave in one specific way real firmware does:
NUL and then the socket left open, no NUL at all, hanging up without a word, saying
nothing, sending too much. The client must answer each within its one deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import random
import re
import socket
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self

import pytest

from custom_components.asic_miner.driver.exceptions import (
    MinerConnectionError,
    MinerResponseError,
    MinerTimeoutError,
)
from custom_components.asic_miner.driver.transports.rpc import RpcClient, RpcStats
from tests.driver.conftest import ALLOWED_HOSTS

type Respond = Callable[[dict[str, Any], asyncio.StreamWriter], Awaitable[None]]


def _hosts() -> list[str]:
    return [h for h in random.sample(ALLOWED_HOSTS, 60) if not h.endswith((".0", ".255"))]


class FakeCgminer:
    """One JSON request per connection; ``respond`` writes whatever the test wants.

    The connection is closed when ``respond`` returns; a respond that must keep the
    socket open awaits :meth:`hold`, which is released when the server stops.
    """

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.host = ""
        self.port = 0
        self.requests: list[dict[str, Any]] = []
        self.connections = 0
        self.active = 0
        self.max_active = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stop = asyncio.Event()

    async def hold(self) -> None:
        await self._stop.wait()

    async def __aenter__(self) -> Self:
        for host in _hosts():
            try:
                self._server = await asyncio.start_server(self._serve, host, 0)
            except OSError as err:  # pragma: no cover - another run holds the address
                if err.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
                    continue
                raise
            self.host = host
            self.port = self._server.sockets[0].getsockname()[1]
            return self
        raise AssertionError("no free loopback address")  # pragma: no cover

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        assert self._server is not None
        self._server.close()
        self._server.abort_clients()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def client(self, **kwargs: Any) -> RpcClient:
        return RpcClient(self.host, self.port, **kwargs)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            buf = b""
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    return
                buf += chunk
                with contextlib.suppress(ValueError):
                    request = json.loads(buf)
                    break
            self.requests.append(request)
            await self.respond(request, writer)
        except OSError:
            pass
        finally:
            self.active -= 1
            self._tasks.discard(task)
            writer.close()


def reply(data: bytes, *, keep_open: bool = False) -> Callable[[FakeCgminer], Respond]:
    """A server that answers every request with ``data``."""

    def make(server: FakeCgminer) -> Respond:
        async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
            writer.write(data)
            await writer.drain()
            if keep_open:
                await server.hold()

        return respond

    return make


async def _start(factory: Callable[[FakeCgminer], Respond]) -> FakeCgminer:
    server = FakeCgminer(lambda request, writer: asyncio.sleep(0))
    server.respond = factory(server)
    return server


SUMMARY = b'{"STATUS":[{"STATUS":"S","Msg":"Summary"}],"SUMMARY":[{"Elapsed":10,"GHS 5s":"123.5"}],"id":1}'


# -- framing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "keep_open"),
    [
        (SUMMARY + b"\x00", False),  # NUL, then close
        (SUMMARY + b"\x00", True),  # NUL, socket left open
        (SUMMARY, False),  # no NUL, close
        (SUMMARY, True),  # no NUL, socket left open: a complete JSON object ends it
        (SUMMARY + b"\n", True),  # trailing newline, socket left open
    ],
)
async def test_reply_framing(data: bytes, keep_open: bool) -> None:
    async with await _start(reply(data, keep_open=keep_open)) as server:
        client = server.client(timeout=5.0)
        started = time.monotonic()
        result = await client.command("summary")
        assert time.monotonic() - started < 1.0  # never waits for the deadline
    assert result["SUMMARY"][0]["GHS 5s"] == "123.5"
    assert server.requests == [{"command": "summary"}]


@pytest.mark.parametrize(
    "data",
    [
        # needs the repairs: `}{`, a trailing comma, escaped quotes and backslashes
        b'{"STATUS":[{"STATUS":"S"}],"STATS":[{"a":"\\"}{\\""}{"b":"x\\\\"},]}',
        b'{"STATUS":"S","Msg":{"v":inf}}',
    ],
)
async def test_quirky_reply_socket_left_open(data: bytes) -> None:
    async with await _start(reply(data, keep_open=True)) as server:
        started = time.monotonic()
        result = await server.client(timeout=5.0).command("stats")
        assert time.monotonic() - started < 1.0
    assert result["STATUS"] is not None


async def test_reply_in_pieces() -> None:
    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        for piece in (SUMMARY[:20], SUMMARY[20:70], SUMMARY[70:] + b"\x00"):
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.05)
        await server.hold()

    async with FakeCgminer(respond) as server:
        result = await server.client(timeout=2.0).command("summary")
    assert result["SUMMARY"][0]["Elapsed"] == 10


async def test_large_reply_without_nul() -> None:
    items = [{"chain": i, "rate": f"{i * 1.5:.2f}", "note": "x" * 50} for i in range(3000)]
    data = json.dumps({"STATUS": [{"STATUS": "S"}], "STATS": items}).encode()
    assert len(data) > 3 * 65536
    async with await _start(reply(data, keep_open=True)) as server:
        result = await server.client(timeout=5.0).command("stats")
    assert result["STATS"] == items


async def test_closed_without_reply() -> None:
    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        return

    async with FakeCgminer(respond) as server:
        with pytest.raises(MinerConnectionError, match="closed without reply") as info:
            await server.client(timeout=2.0).command("ascset", "0,softon,1:1")
    assert not isinstance(info.value, MinerTimeoutError)


async def test_connection_reset() -> None:
    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        writer.transport.abort()

    async with FakeCgminer(respond) as server:
        with pytest.raises(MinerConnectionError):
            await server.client(timeout=2.0).command("summary")


async def test_refused_port() -> None:
    host = _hosts()[0]
    with socket.socket() as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
    client = RpcClient(host, port, timeout=2.0)
    started = time.monotonic()
    with pytest.raises(MinerConnectionError, match=re.escape(f"{host}:{port}")) as info:
        await client.command("summary")
    assert not isinstance(info.value, MinerTimeoutError)
    assert time.monotonic() - started < 1.0
    assert client.stats.connections == 1


@pytest.mark.parametrize("keep_sending", [False, True])
async def test_silent_server_times_out_within_deadline(keep_sending: bool) -> None:
    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        if keep_sending:  # a trickle that never completes the reply
            writer.write(b'{"STATUS":[{"STATUS":"S"}],"SUMMARY":[')
            await writer.drain()
        await server.hold()

    async with FakeCgminer(respond) as server:
        client = server.client(timeout=0.4)
        started = time.monotonic()
        with pytest.raises(MinerTimeoutError, match=r"no reply in 0\.4 s"):
            await client.command("summary")
        elapsed = time.monotonic() - started
    assert 0.35 <= elapsed < 1.0


@pytest.mark.parametrize(("nul", "keep_open"), [(True, False), (False, True)])
async def test_reply_larger_than_bound(nul: bool, keep_open: bool) -> None:
    data = b'{"STATUS":[{"STATUS":"S"}],"X":"' + b"y" * 5000 + b'"}' + (b"\x00" if nul else b"")
    async with await _start(reply(data, keep_open=keep_open)) as server:
        with pytest.raises(MinerResponseError, match="larger than 1000 bytes"):
            await server.client(timeout=2.0, max_reply_bytes=1000).command("stats")


async def test_endless_stream_is_cut_at_bound() -> None:
    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        writer.write(b'{"STATUS":[{"STATUS":"S"}],"X":[')
        while True:
            writer.write(b"1," * 4096)
            await writer.drain()
            await asyncio.sleep(0)

    async with FakeCgminer(respond) as server:
        started = time.monotonic()
        with pytest.raises(MinerResponseError, match="larger than"):
            await server.client(timeout=5.0, max_reply_bytes=100_000).command("stats")
        assert time.monotonic() - started < 2.0


async def test_unparseable_reply_names_host_and_command() -> None:
    async with await _start(reply(b"HTTP/1.1 400 Bad Request\r\n\r\n")) as server:
        with pytest.raises(
            MinerResponseError, match=rf"{server.host}:{server.port} version: reply is not JSON"
        ):
            await server.client(timeout=2.0).command("version")


# -- commands ---------------------------------------------------------------------------


async def test_command_payload_and_error_status() -> None:
    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        if request["command"] == "ascset":
            writer.write(b'{"STATUS":[{"STATUS":"E","Code":45,"Msg":"Access denied"}],"id":1}\x00')
        else:
            writer.write(b'{"STATUS":{"STATUS":"S","Msg":"pools"},"POOLS":[]}\x00')

    async with FakeCgminer(respond) as server:
        client = server.client(timeout=2.0)
        with pytest.raises(MinerResponseError, match=r"ascset: Access denied"):
            await client.command("ascset", "0,led,1-1", new_api=True)
        assert (await client.command("pools"))["POOLS"] == []
        # request() hands the reply back without judging its STATUS
        raw = await client.request({"command": "ascset"})
        assert raw["STATUS"][0]["STATUS"] == "E"
    assert server.requests[0] == {"command": "ascset", "new_api": True, "parameter": "0,led,1-1"}


async def test_send_raw_returns_bytes_before_nul() -> None:
    async with await _start(reply(b'{"VERSION":[{"Type":"Antminer S19"}]}\x00\x00')) as server:
        raw = await server.client(timeout=2.0).send_raw(b'{"command":"version"}')
    assert raw == b'{"VERSION":[{"Type":"Antminer S19"}]}'


async def test_connection_counter() -> None:
    stats = RpcStats()
    async with await _start(reply(SUMMARY + b"\x00")) as server:
        client = server.client(timeout=2.0, stats=stats)
        await client.command("summary")
        await client.command("summary")
        for command in ("summary", "stats", "pools"):
            await client.command(command)
        other = server.client(timeout=2.0, stats=stats)  # a second client, same counter
        await other.command("summary")
    assert stats.connections == server.connections == 6


# -- multicommand -----------------------------------------------------------------------


def _piece(name: str) -> dict[str, Any]:
    return {"STATUS": [{"STATUS": "S", "Msg": name}], name.upper(): [{"n": name}], "id": 1}


@pytest.mark.parametrize("split", [False, True])
async def test_multicommand(split: bool) -> None:
    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        names = request["command"].split("+")
        if split:
            data = b"".join(json.dumps({n: [_piece(n)]}).encode() for n in names)
        else:
            data = json.dumps({n: [_piece(n)] for n in names}).encode()
        writer.write(data + b"\x00")

    async with FakeCgminer(respond) as server:
        client = server.client(timeout=2.0)
        out = await client.multicommand(("summary", "stats", "pools"))
    assert out == {n: _piece(n) for n in ("summary", "stats", "pools")}
    assert server.requests == [{"command": "summary+stats+pools"}]
    assert client.stats.connections == 1


async def test_multicommand_piece_not_wrapped_in_a_list() -> None:
    data = json.dumps({"summary": _piece("summary"), "stats": [_piece("stats"), {}]}).encode()
    async with await _start(reply(data)) as server:
        out = await server.client(timeout=2.0).multicommand(("summary", "stats"), new_api=True)
    assert out == {"summary": _piece("summary"), "stats": [_piece("stats"), {}]}
    assert server.requests == [{"command": "summary+stats", "new_api": True}]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (
            b'{"STATUS":[{"STATUS":"E","Code":14,"Msg":"Invalid command"}],"id":1}\x00',
            "Invalid command",
        ),
        (b'{"STATUS":"E","Code":14,"Msg":"invalid cmd"}', "invalid cmd"),
        (json.dumps({"summary": [_piece("summary")]}).encode(), "multicommand not answered"),
        (b'"RESTART"', "multicommand not answered"),
    ],
)
async def test_multicommand_refused(data: bytes, match: str) -> None:
    async with await _start(reply(data)) as server:
        with pytest.raises(MinerResponseError, match=match):
            await server.client(timeout=2.0).multicommand(("summary", "stats"))
