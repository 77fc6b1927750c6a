"""Hostile peers: whatever answers on a miner's ports, the driver fails typed and on time.

Each peer is a real socket server on loopback: an endless stream, ``[`` x 100,000, a
2 GB Content-Length, a trickle, a stream of zero-length Whatsminer v3 frames, a
redirect. Each case asserts a driver error type, an answer within the deadline, no
event-loop callback over 50 ms (asyncio's debug slow-callback report) and a bounded
resident set.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver.exceptions import (
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
)
from custom_components.asic_miner.driver.families.whatsminer.client_v2 import WhatsminerV2Client
from custom_components.asic_miner.driver.families.whatsminer.client_v3 import WhatsminerV3Client
from custom_components.asic_miner.driver.transports.http import HttpClient
from custom_components.asic_miner.driver.transports.json_scan import INLINE_PARSE_BYTES
from custom_components.asic_miner.driver.transports.rpc import RpcClient
from tests.simhelpers import ALLOWED_HOSTS

TIMEOUT = 1.0
SLOW_CALLBACK = 0.05
MAX_RSS_GROWTH = 64 * 1024 * 1024

type Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def _rss() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


@contextlib.asynccontextmanager
async def _peer(handler: Handler) -> AsyncIterator[tuple[str, int]]:
    tasks: set[asyncio.Task[Any]] = set()

    async def guarded(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await reader.read(4096)  # the request
            await handler(reader, writer)
        except ConnectionError, OSError:
            pass  # the driver hung up: what it should do
        finally:
            writer.close()

    for _ in range(20):
        host = random.choice(ALLOWED_HOSTS)
        try:
            server = await asyncio.start_server(guarded, host, 0)
            break
        except OSError:
            continue
    else:  # pragma: no cover
        pytest.fail("no free loopback address")
    port = server.sockets[0].getsockname()[1]
    try:
        yield host, port
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        server.close()
        server.close_clients()
        await server.wait_closed()


async def _endless(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b'{"STATUS":[{"STATUS":"S"}],"STATS":[')
    while True:
        writer.write(b'{"chain":1,"temp":[55,56]},' * 2000)
        await writer.drain()


async def _brackets(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"[" * 100_000)
    await writer.drain()
    await asyncio.sleep(TIMEOUT * 3)


async def _trickle(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    for byte in b'{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"MHS 5s":1}]}' * 100:
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(0.02)


async def _huge_length(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2147483648\r\n\r\n"
    )
    while True:
        writer.write(b'{"a":' * 10_000)
        await writer.drain()


async def _endless_body(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
    while True:
        writer.write(b'"aaaaaaaa",' * 10_000)
        await writer.drain()


async def _http_trickle(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    while True:
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(0.02)


async def _redirect(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    body = b'{"hashrate": 100}'
    writer.write(
        b"HTTP/1.1 302 Found\r\nLocation: http://203.0.113.9/login\r\n"
        b"Content-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    await writer.drain()


async def _empty_frames(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        writer.write(b"\x00\x00\x00\x00" * 16_384)
        await writer.drain()


async def _deep_frame(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    body = b"[" * 100_000
    writer.write(len(body).to_bytes(4, "little") + body)
    await writer.drain()
    await asyncio.sleep(TIMEOUT * 3)


async def _rpc(host: str, port: int, session: aiohttp.ClientSession) -> Any:
    return await RpcClient(host, port, timeout=TIMEOUT).command("stats")


async def _v2(host: str, port: int, session: aiohttp.ClientSession) -> Any:
    client = WhatsminerV2Client(lambda: RpcClient(host, port, timeout=TIMEOUT))
    return await client.read("summary")


async def _http(host: str, port: int, session: aiohttp.ClientSession) -> Any:
    return await HttpClient(host, port, session, timeout=TIMEOUT).get_json("/api/stats")


async def _v3(host: str, port: int, session: aiohttp.ClientSession) -> Any:
    return await WhatsminerV3Client(host, port, timeout=TIMEOUT).get("get.device.info")


CASES = {
    "rpc endless stream": (_endless, _rpc, MinerResponseError),
    "rpc [ x 100,000": (_brackets, _rpc, MinerResponseError),
    "rpc trickle": (_trickle, _rpc, MinerTimeoutError),
    "whatsminer v2 endless stream": (_endless, _v2, MinerResponseError),
    "whatsminer v2 [ x 100,000": (_brackets, _v2, MinerResponseError),
    "http 2 GB Content-Length": (_huge_length, _http, MinerResponseError),
    "http endless body": (_endless_body, _http, MinerResponseError),
    "http trickle": (_http_trickle, _http, MinerTimeoutError),
    "http redirect": (_redirect, _http, MinerResponseError),
    "v3 zero-length frames": (_empty_frames, _v3, MinerResponseError),
    "v3 [ x 100,000": (_deep_frame, _v3, MinerResponseError),
}


class _SlowCallbacks(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reports: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Executing"):
            self.reports.append(message)


@contextlib.contextmanager
def _watch_slow_callbacks() -> Iterator[_SlowCallbacks]:
    """asyncio debug mode, reporting every callback over ``SLOW_CALLBACK``."""
    loop = asyncio.get_running_loop()
    slow = _SlowCallbacks()
    asyncio_logger = logging.getLogger("asyncio")
    asyncio_logger.addHandler(slow)
    debug, threshold = loop.get_debug(), loop.slow_callback_duration
    loop.set_debug(True)
    loop.slow_callback_duration = SLOW_CALLBACK
    try:
        yield slow
    finally:
        loop.set_debug(debug)
        loop.slow_callback_duration = threshold
        asyncio_logger.removeHandler(slow)


async def test_slow_callbacks_are_seen() -> None:
    """The watch works: a callback that blocks 80 ms is reported."""
    with _watch_slow_callbacks() as slow:
        time.sleep(0.08)  # noqa: ASYNC251 - blocks the loop on purpose
        await asyncio.sleep(0)
    assert slow.reports


@pytest.mark.parametrize("case", list(CASES))
async def test_hostile_peer(case: str, session: aiohttp.ClientSession) -> None:
    handler, call, error = CASES[case]
    rss = _rss()
    with _watch_slow_callbacks() as slow:
        async with _peer(handler) as (host, port):
            started = time.monotonic()
            with pytest.raises(MinerError) as caught:
                await call(host, port, session)
            elapsed = time.monotonic() - started
    assert isinstance(caught.value, error), repr(caught.value)
    assert elapsed < TIMEOUT + 0.5, elapsed
    assert slow.reports == []
    assert _rss() - rss < MAX_RSS_GROWTH


# -- large but honest replies: parsed off the event loop, still whole ---------------------

_LARGE = {"STATUS": [{"STATUS": "S"}], "STATS": [{f"chain{i}": [i, 1.5] for i in range(6000)}]}


async def _large_rpc(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(json.dumps(_LARGE).encode() + b"\x00")
    await writer.drain()


async def _large_http(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    body = json.dumps(_LARGE).encode()
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    await writer.drain()


async def _large_frame(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    body = json.dumps({"code": 0, "msg": _LARGE}).encode()
    writer.write(len(body).to_bytes(4, "little") + body)
    await writer.drain()


async def test_large_replies_parse_off_the_loop(session: aiohttp.ClientSession) -> None:
    assert len(json.dumps(_LARGE)) > INLINE_PARSE_BYTES
    with _watch_slow_callbacks() as slow:
        async with _peer(_large_rpc) as (host, port):
            assert await _rpc(host, port, session) == _LARGE
        async with _peer(_large_http) as (host, port):
            assert await _http(host, port, session) == _LARGE
        async with _peer(_large_frame) as (host, port):
            assert await _v3(host, port, session) == _LARGE
    assert slow.reports == []
