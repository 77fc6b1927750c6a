"""Raw TCP servers: cgminer-style JSON RPC and the Whatsminer v3 length-prefixed frames."""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
from collections.abc import Awaitable, Callable

from ..faults import MALFORMED_BYTES, FaultKind, truncate
from ..state import MinerState

# A handler gets the request text and returns the reply bytes, or None to close silently.
type Handler = Callable[[str], Awaitable[bytes | None]]

MAX_REQUEST = 1024 * 1024
INVALID_JSON = (
    b'{"STATUS":[{"STATUS":"E","Code":23,"Msg":"Invalid JSON","Description":"cgminer"}],"id":1}\x00'
)
READ_TIMEOUT = 10.0


class _TcpServer:
    def __init__(self, host: str, port: int, state: MinerState, handler: Handler) -> None:
        self.host = host
        self.port = port
        self.state = state
        self.handler = handler
        self._server: asyncio.Server | None = None
        self._conns: set[asyncio.Task[None]] = set()
        self.connections = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, reuse_address=True
        )

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._conns):
                task.cancel()
            await asyncio.gather(*self._conns, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns.add(task)
        self.connections += 1
        try:
            await self._session(reader, writer)
        except OSError, asyncio.IncompleteReadError, TimeoutError:
            pass
        finally:
            self._conns.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _answer(self, writer: asyncio.StreamWriter, request: str) -> bool:
        """Apply faults, run the handler, write the reply; False means close now."""
        state = self.state
        if state.rebooting:
            writer.transport.abort()
            return False
        fault = state.fault
        if fault is not None:
            if fault.kind is FaultKind.RESET:
                writer.transport.abort()
                return False
            if fault.kind is FaultKind.SILENCE:
                await asyncio.sleep(3600)
            if fault.kind is FaultKind.DELAY:
                await asyncio.sleep(fault.seconds)
        payload = await self.handler(request)
        if payload is None:
            return False
        reply = self.frame(payload)
        if fault is not None and fault.kind is FaultKind.MALFORMED:
            reply = self.frame(MALFORMED_BYTES)
        elif fault is not None and fault.kind is FaultKind.TRUNCATE:
            writer.write(truncate(reply))
            await writer.drain()
            return False
        writer.write(reply)
        await writer.drain()
        return True

    def frame(self, payload: bytes) -> bytes:
        return payload


class RpcServer(_TcpServer):
    """One JSON request per connection; the handler's reply is written as given."""

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        buf = b""
        async with asyncio.timeout(READ_TIMEOUT):
            while len(buf) < MAX_REQUEST:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                buf += chunk
                if not buf.lstrip().startswith(b"{"):
                    # cgminer answers anything that is not JSON at once, it never waits.
                    writer.write(INVALID_JSON)
                    await writer.drain()
                    return
                text = buf.rstrip(b"\x00\n").decode("utf-8", errors="replace")
                with contextlib.suppress(ValueError):
                    json.loads(text)
                    break
        if buf:
            await self._answer(writer, buf.rstrip(b"\x00\n").decode("utf-8", errors="replace"))


class FramedServer(_TcpServer):
    """Whatsminer API v3: 4-byte little-endian length, then JSON, both ways.

    The handler returns the bare JSON; this server adds the length prefix.
    """

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            async with asyncio.timeout(READ_TIMEOUT):
                header = await reader.readexactly(4)
                (length,) = struct.unpack("<I", header)
                if length == 0:
                    continue  # heartbeat
                if length > MAX_REQUEST:
                    return
                body = await reader.readexactly(length)
            if not await self._answer(writer, body.decode("utf-8", errors="replace")):
                return

    def frame(self, payload: bytes) -> bytes:
        return struct.pack("<I", len(payload)) + payload
