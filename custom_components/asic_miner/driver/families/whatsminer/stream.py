"""One request on one connection, for both Whatsminer API clients.

A reboot or a backend restart may cut the miner's reply off: that counts as the
answer only when the request had gone out, never when the connection was refused.
Knowing which is this helper's whole job, so both API generations decide alike.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable


class DroppedAfterSendError(Exception):
    """The connection failed after the request went out; the cause is the socket's error."""


async def exchange_once(
    host: str,
    port: int,
    timeout: float,
    payload: bytes,
    read: Callable[[asyncio.StreamReader], Awaitable[bytes]],
) -> bytes:
    """Connect, send ``payload`` and return what ``read`` reads, under one deadline.

    Raises ``TimeoutError`` past the deadline, ``OSError`` when the request did not go
    out, and ``DroppedAfterSendError`` (from the socket's error) when the connection
    broke after it did; ``read``'s own errors pass through.
    """
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(payload)
            await writer.drain()
            try:
                return await read(reader)
            except (OSError, asyncio.IncompleteReadError) as err:
                raise DroppedAfterSendError(str(err)) from err
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
