"""The RPC exchange on a raw non-blocking socket, against real loopback servers.

``test_rpc.py`` pins the framing rules; these rows pin what the socket read itself
must keep: a reply cut at any points arrives whole, a reset mid-reply and a refused
connect are connection errors, a payload larger than the socket takes goes out in
pieces, an IP literal is never looked up, a host name is looked up once per client
and its addresses are tried in turn, and a cancelled or failed exchange leaves no
callback registered with the loop.
"""

from __future__ import annotations

import asyncio
import gc
import random
import socket
import struct
import time
from typing import Any

import pytest

from custom_components.asic_miner.driver.exceptions import (
    MinerConnectionError,
    MinerResponseError,
    MinerTimeoutError,
)
from custom_components.asic_miner.driver.transports.rpc import RpcClient
from tests.driver.test_rpc import SUMMARY, FakeCgminer, _hosts

# A reply in the shape of a cgminer ``stats`` reply, long enough to cut many ways.
STATS = (
    b'{"STATUS":[{"STATUS":"S","When":1,"Code":70,"Msg":"CGMiner stats"}],"STATS":[{"ID":"BC50",'
    + b",".join(b'"temp%d":%d' % (i, 60 + i) for i in range(40))
    + b',"note":"a \\"quoted\\" }{ ] string"}],"id":1}'
)


def _refused_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _cuts(seed: int, data: bytes) -> list[bytes]:
    rng = random.Random(seed)
    points = sorted(rng.sample(range(1, len(data)), rng.randint(1, 12)))
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("end", "keep_open"), [(b"\x00", True), (b"", False), (b"", True)])
async def test_reply_cut_at_random_points(seed: int, end: bytes, keep_open: bool) -> None:
    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        for piece in _cuts(seed, STATS + end):
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.001)
        if keep_open:
            await server.hold()

    async with FakeCgminer(respond) as server:
        started = time.monotonic()
        raw = await server.client(timeout=2.0).send_raw(b'{"command":"stats"}')
        assert time.monotonic() - started < 1.0  # ended by the NUL or the closing bracket
    assert raw == STATS


async def test_reset_mid_reply() -> None:
    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        writer.write(STATS[:50])
        await writer.drain()
        await asyncio.sleep(0.05)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()  # linger 0: the kernel sends a reset

    async with FakeCgminer(respond) as server:
        with pytest.raises(MinerConnectionError, match="reset") as info:
            await server.client(timeout=2.0).send_raw(b"{}")
    assert not isinstance(info.value, MinerTimeoutError)


async def test_cut_short_then_closed_is_what_arrived() -> None:
    """A reply cut short and closed cleanly is handed over as it is: the parser judges it."""

    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        writer.write(STATS[:100])

    async with FakeCgminer(respond) as server:
        assert await server.client(timeout=2.0).send_raw(b"{}") == STATS[:100]


async def test_refused_connection_names_the_address() -> None:
    host = _hosts()[0]
    port = _refused_port(host)
    with pytest.raises(MinerConnectionError, match=r"Connect call failed") as info:
        await RpcClient(host, port, timeout=2.0).send_raw(b"{}")
    assert str(info.value).startswith(f"{host}:{port}: ")
    assert not isinstance(info.value, MinerTimeoutError)


async def test_port_out_of_range_is_a_connection_error() -> None:
    """A port past 65535 (a CLI argument) fails as the driver's error, its socket closed
    and nothing left to fire (was a raw ``OverflowError`` and a stray timer)."""
    loop = asyncio.get_running_loop()
    client = RpcClient(_hosts()[0], 70000, timeout=0.01)
    with pytest.raises(MinerConnectionError, match="port must be"):
        await client.send_raw(b"{}")
    assert [type(r) for r in await client.commands([("a", None)])] == [MinerConnectionError]
    assert not [h for h in loop._scheduled if not h.cancelled()]  # type: ignore[attr-defined]


async def test_slow_server_hits_the_one_deadline() -> None:
    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        for byte in STATS:
            writer.write(bytes([byte]))  # a byte now and then: no chunk resets the clock
            await writer.drain()
            await asyncio.sleep(0.05)
        await server.hold()

    async with FakeCgminer(respond) as server:
        started = time.monotonic()
        with pytest.raises(MinerTimeoutError, match=r"no reply in 0\.3 s"):
            await server.client(timeout=0.3).send_raw(b"{}")
        assert 0.25 <= time.monotonic() - started < 0.8


async def test_large_payload_goes_out_in_pieces() -> None:
    payload = b'{"command":"x","pad":"' + b"p" * (8 << 20) + b'"}'
    got: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.05)  # let the client's socket buffer fill
        got.append(len(await reader.readexactly(len(payload))))
        writer.write(SUMMARY + b"\x00")
        await writer.drain()
        writer.close()

    host = _hosts()[0]
    server = await asyncio.start_server(serve, host, 0)
    try:
        port = server.sockets[0].getsockname()[1]
        assert await RpcClient(host, port, timeout=2.0).send_raw(payload) == SUMMARY
    finally:
        server.close()
        await server.wait_closed()
    assert got == [len(payload)]


async def test_ip_literal_is_never_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()

    async def no_lookup(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("getaddrinfo for an IP literal")

    monkeypatch.setattr(loop, "getaddrinfo", no_lookup)
    async with FakeCgminer(lambda request, writer: _write(writer, SUMMARY)) as server:
        assert await server.client(timeout=2.0).send_raw(b"{}") == SUMMARY


async def test_host_name_looked_up_once_and_addresses_tried_in_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = asyncio.get_running_loop()
    lookups: list[str] = []
    async with FakeCgminer(lambda request, writer: _write(writer, SUMMARY)) as server:
        dead = (server.host, _refused_port(server.host))

        async def lookup(host: str, port: int, **kwargs: Any) -> Any:
            lookups.append(host)
            stream = socket.SOCK_STREAM
            return [
                (socket.AF_INET, stream, 6, "", dead),
                (socket.AF_INET, stream, 6, "", (server.host, server.port)),
            ]

        monkeypatch.setattr(loop, "getaddrinfo", lookup)
        client = RpcClient("miner.example", server.port, timeout=2.0)
        assert await client.send_raw(b"{}") == SUMMARY
        assert await client.send_raw(b"{}") == SUMMARY
    assert lookups == ["miner.example"]
    assert client.stats.connections == server.connections == 2


async def test_every_address_refused_raises_the_first_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    host = _hosts()[0]
    dead = [(host, _refused_port(host)), (host, _refused_port(host))]

    async def lookup(*args: Any, **kwargs: Any) -> Any:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", a) for a in dead]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", lookup)
    with pytest.raises(MinerConnectionError, match=rf"miner.example:1: .*{dead[0][1]}"):
        await RpcClient("miner.example", 1, timeout=2.0).send_raw(b"{}")


async def test_failed_look_up_is_a_connection_error(monkeypatch: pytest.MonkeyPatch) -> None:
    async def lookup(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", lookup)
    with pytest.raises(MinerConnectionError, match="Name or service not known"):
        await RpcClient("miner.example", 1, timeout=2.0).send_raw(b"{}")


async def test_cancelled_exchange_leaves_nothing_registered() -> None:
    loop = asyncio.get_running_loop()
    sent = asyncio.Event()

    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        writer.write(STATS[:30])
        await writer.drain()
        sent.set()
        await server.hold()

    async with FakeCgminer(respond) as server:
        task = asyncio.create_task(server.client(timeout=2.0).send_raw(b"{}"))
        await sent.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    selector = loop._selector  # type: ignore[attr-defined]
    assert len(selector.get_map()) == 1  # the loop's own self-pipe only
    assert not any(
        not t.cancelled() and "expire" in repr(t)
        for t in loop._scheduled  # type: ignore[attr-defined]
    )


async def _write(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(data + b"\x00")
    await writer.drain()


async def test_commands_side_by_side_without_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    both_in = asyncio.Event()

    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        if server.active >= 3:
            both_in.set()
        await asyncio.wait_for(both_in.wait(), 1.0)  # every connection open at once
        command = request["command"]
        if command == "ascset":
            writer.write(b'{"STATUS":[{"STATUS":"E","Msg":"Access denied"}]}\x00')
        elif command == "stats":
            writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        else:
            writer.write(SUMMARY + b"\x00")

    loop = asyncio.get_running_loop()
    created: list[Any] = []
    factory = loop.get_task_factory()

    def counting(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
        created.append(coro)
        if factory is None:
            return asyncio.Task(coro, loop=loop, **kwargs)
        return factory(loop, coro, **kwargs)  # pragma: no cover - HA's loop sets none

    async with FakeCgminer(respond) as server:
        client = server.client(timeout=2.0)
        monkeypatch.setattr(loop, "_task_factory", counting)
        summary, denied, garbled = await client.commands(
            [("summary", None), ("ascset", "0,led,1"), ("stats", None)], new_api=True
        )
        monkeypatch.undo()
    # The driver made none (the test server makes its own; the stdlib may live under a
    # folder named asic_miner, as the tool-built Python does).
    assert not [c for c in created if "custom_components" in c.cr_code.co_filename]
    assert summary["SUMMARY"][0]["Elapsed"] == 10
    assert isinstance(denied, MinerResponseError)
    assert "ascset: Access denied" in str(denied)
    assert isinstance(garbled, MinerResponseError)
    assert "stats: reply is not JSON" in str(garbled)
    assert server.max_active == 3
    assert client.stats.connections == 3
    assert {"command": "ascset", "parameter": "0,led,1", "new_api": True} in server.requests


async def test_commands_to_a_refused_port_and_a_failed_look_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    host = _hosts()[0]
    port = _refused_port(host)
    out = await RpcClient(host, port, timeout=2.0).commands([("summary", None), ("pools", None)])
    assert all(isinstance(e, MinerConnectionError) for e in out)
    assert out[0] is not out[1]

    async def lookup(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", lookup)
    client = RpcClient("miner.example", 1, timeout=2.0)
    out = await client.commands([("summary", None), ("pools", None)])
    assert [type(e) for e in out] == [MinerConnectionError, MinerConnectionError]
    assert "Name or service not known" in str(out[1])
    assert client.stats.connections == 2


async def test_cancelled_commands_close_every_connection(
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = asyncio.get_running_loop()
    reset = asyncio.Event()

    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        if request["command"] == "pools":  # fails while the task awaits ``summary``
            writer.transport.abort()
            reset.set()
        await server.hold()

    async with FakeCgminer(respond) as server:
        client = server.client(timeout=2.0)
        task = asyncio.create_task(client.commands([("summary", None), ("pools", None)]))
        await reset.wait()
        for _ in range(5):  # loop turns for the client to see the reset
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    del task
    gc.collect()
    assert "never retrieved" not in caplog.text
    assert len(loop._selector.get_map()) == 1  # type: ignore[attr-defined]
    assert not any(
        not t.cancelled() and "expire" in repr(t)
        for t in loop._scheduled  # type: ignore[attr-defined]
    )


async def test_commands_share_one_deadline() -> None:
    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        if request["command"] == "summary":
            writer.write(SUMMARY + b"\x00")
            return
        writer.write(b'{"STATUS":[')  # the rest never comes
        await writer.drain()
        await server.hold()

    async with FakeCgminer(respond) as server:
        started = time.monotonic()
        out = await server.client(timeout=0.3).commands(
            [("stats", None), ("summary", None), ("pools", None)]
        )
        assert 0.25 <= time.monotonic() - started < 0.8
    assert isinstance(out[0], MinerTimeoutError)
    assert out[1]["SUMMARY"][0]["Elapsed"] == 10
    assert isinstance(out[2], MinerTimeoutError)
    assert "no reply in 0.3 s" in str(out[2])
