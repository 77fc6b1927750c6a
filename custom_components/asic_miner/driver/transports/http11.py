"""A lean HTTP/1.1 client for one miner's plain-HTTP web API, on kept-alive connections.

A polled miner's GETs and POSTs are small and alike; aiohttp's general machinery (URL
objects, multidicts, middlewares, its connector) cost several times the work of the
request itself. Here a request is one ``bytes`` join written to an ``asyncio.Protocol``
whose ``data_received`` feeds an incremental, bounded parser (``http11_reply``), and a
miner's few connections (``KeptConnections``) are reused for ``keep_alive`` seconds.

A kept connection the server closed meanwhile is noticed when it closes (it leaves the
idle list then) or, at worst, when a request on it gets no byte back: that request, not
answered at all, is sent once more on a new connection if it is idempotent (``replay``;
as aiohttp does). A POST is not: the server may have acted on it (a restart, a new
setting) and closed before replying, so it fails as a connection error. The caller's deadline
(``asyncio.timeout``) bounds everything, connecting included; cancelling a request
aborts its connection.
"""

from __future__ import annotations

import asyncio
import errno
import time
from typing import Final

from .http11_reply import ReplyReader

POOL_LIMIT: Final = 4


class UnansweredError(ConnectionError):
    """The connection closed before a single byte of the reply arrived."""


class NotSentError(UnansweredError):
    """The connection was closing already: the request never went out."""


class _Connection(asyncio.Protocol):
    """One TCP connection; at most one request on it at a time."""

    __slots__ = (
        "_reader",
        "_transport",
        "_waiter",
        "closed",
        "got_data",
        "idle_since",
        "key",
        "pool",
    )

    def __init__(self, key: tuple[str, int]) -> None:
        self.key = key
        self._transport: asyncio.Transport | None = None
        self._reader: ReplyReader | None = None
        self._waiter: asyncio.Future[ReplyReader] | None = None
        self.closed = False
        self.got_data = False
        self.idle_since = 0.0
        self.pool: KeptConnections | None = None

    # -- asyncio.Protocol -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        reader = self._reader
        if reader is None:  # bytes nobody asked for: the connection is not reusable
            self.abort()
            return
        self.got_data = True
        try:
            done = reader.feed(data)
        except Exception as err:  # handed to the waiting request
            self._fail(err)
            self.abort()
            return
        if done:
            self._reader = None
            waiter = self._waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(reader)

    def eof_received(self) -> bool:
        return False  # close our side too; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.pool is not None:
            self.pool.forget(self)
        reader = self._reader
        if reader is None:
            return
        self._reader = None
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if reader.eof():
            waiter.set_result(reader)
        elif not self.got_data:
            waiter.set_exception(UnansweredError("closed before replying"))
        else:
            waiter.set_exception(ConnectionError(f"closed mid-reply ({exc or 'end of stream'})"))

    # -- use --------------------------------------------------------------------------

    async def exchange(self, request: bytes, reader: ReplyReader) -> ReplyReader:
        """Send ``request`` and wait for the whole reply."""
        transport = self._transport
        if self.closed or transport is None or transport.is_closing():
            raise NotSentError("connection already closed")
        self._reader = reader
        self.got_data = False
        waiter: asyncio.Future[ReplyReader] = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        transport.write(request)
        try:
            return await waiter
        finally:
            self._waiter = None

    def _fail(self, err: Exception) -> None:
        self._reader = None
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(err)

    def abort(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.abort()


class KeptConnections:
    """One miner's idle HTTP connections, reused for ``keep_alive`` seconds, ``limit`` in use.

    Requests beyond ``limit`` at once wait for a turn (inside their own deadlines). An
    idle connection leaves the list when the server closes it, or when it is found older
    than ``keep_alive`` at the next request; at most ``limit`` wait idle, until ``close``
    (no timer per connection: a polled miner reuses them every poll).
    """

    def __init__(self, keep_alive: float, limit: int = POOL_LIMIT) -> None:
        self.keep_alive = keep_alive
        self.limit = limit
        self.opened = 0  # connections made, for tests and benchmarks
        self._idle: list[_Connection] = []
        self._turns = asyncio.Semaphore(limit)
        self._closed = False

    async def send(
        self, host: str, port: int, request: bytes, reader: ReplyReader, *, replay: bool = True
    ) -> ReplyReader:
        """``request`` on a kept connection (or a new one); the parsed reply.

        ``replay``: the request may go out a second time when a kept connection closed
        without a byte of reply (an idempotent method); else that is the error.
        """
        async with self._turns:
            key = (host, port)
            conn = self._take(key)
            if conn is not None:
                try:
                    return self._done(conn, await conn.exchange(request, reader))
                except UnansweredError as err:
                    conn.abort()
                    if not replay and not isinstance(err, NotSentError):
                        raise
                    # the server had closed it: once more on a new connection
                except BaseException:
                    conn.abort()
                    raise
            conn = await self._open(key)
            try:
                return self._done(conn, await conn.exchange(request, reader))
            except BaseException:
                conn.abort()
                raise

    def _take(self, key: tuple[str, int]) -> _Connection | None:
        idle = self._idle
        if not idle:
            return None
        oldest = time.monotonic() - self.keep_alive
        for index in range(len(idle) - 1, -1, -1):
            conn = idle[index]
            if conn.key == key and not conn.closed:
                del idle[index]
                if conn.idle_since >= oldest:
                    return conn
                conn.abort()
        return None

    async def _open(self, key: tuple[str, int]) -> _Connection:
        loop = asyncio.get_running_loop()
        conn = _Connection(key)
        host = key[0].removeprefix("[").removesuffix("]")  # an IPv6 literal
        try:
            await loop.create_connection(lambda: conn, host, key[1])
        except (OverflowError, ValueError) as err:  # a port past 65535 (the CLI's, say)
            raise OSError(errno.EINVAL, str(err)) from None
        self.opened += 1
        conn.pool = self
        return conn

    def _done(self, conn: _Connection, reader: ReplyReader) -> ReplyReader:
        if not reader.keep_alive or conn.closed or self._closed:
            conn.abort()
            return reader
        conn.idle_since = time.monotonic()
        self._idle.append(conn)
        if len(self._idle) > self.limit:
            self._idle.pop(0).abort()
        return reader

    def forget(self, conn: _Connection) -> None:
        """A connection closed: it leaves the idle list."""
        if conn in self._idle:
            self._idle.remove(conn)

    @property
    def idle(self) -> int:
        return len(self._idle)

    def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.abort()
