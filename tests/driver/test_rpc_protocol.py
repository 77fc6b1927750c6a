"""The RPC reader as a protocol: the cases its stream-reader form handled the same way.

A lone NUL is no reply; a reply in many small pieces is put together; data after the
reply is ignored; a timed-out read leaves no future with an unread error behind.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from custom_components.asic_miner.driver.exceptions import (
    MinerConnectionError,
    MinerTimeoutError,
)
from tests.driver.test_rpc import SUMMARY, FakeCgminer, _start, reply


async def test_lone_nul_is_no_reply() -> None:
    async with await _start(reply(b"\x00", keep_open=True)) as server:
        with pytest.raises(MinerConnectionError, match="closed without reply"):
            await server.client(timeout=2.0).send_raw(b'{"command":"summary"}')


async def test_reply_byte_by_byte_then_more() -> None:
    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        for byte in SUMMARY:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0)
        writer.write(b'{"more":1}')  # after a whole reply: not read
        await writer.drain()

    async with FakeCgminer(respond) as server:
        assert await server.client(timeout=5.0).send_raw(b"{}") == SUMMARY


async def test_timeout_leaves_no_unread_error(caplog: pytest.LogCaptureFixture) -> None:
    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        writer.write(b'{"a":[')
        await writer.drain()
        await asyncio.sleep(1)

    async with FakeCgminer(respond) as server:
        with pytest.raises(MinerTimeoutError):
            await server.client(timeout=0.2).send_raw(b"{}")
    await asyncio.sleep(0)
    gc.collect()
    assert "never retrieved" not in caplog.text
