"""One cgminer RPC exchange on a raw non-blocking socket, driven by the loop's callbacks.

``rpc.py`` holds the client (commands, multicommands, parsing, error messages); this
module the socket work of one request and its reply: connect, send, read up to the
NUL, the end or a provably whole reply, within the exchange's deadline and bounds.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from typing import TYPE_CHECKING, Any

from ..exceptions import MinerConnectionError, MinerResponseError
from .json_scan import MAX_DEPTH, JsonScanner

if TYPE_CHECKING:
    from .rpc import RpcClient

READ_SIZE = 256 * 1024  # per chunk, as asyncio's socket transport reads
type Addresses = list[tuple[int, Any]]  # (address family, socket address) to try in turn


def literal(host: str, port: int) -> Addresses | None:
    """The one address of an IP literal, or ``None`` for a name to look up."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except OSError:
            continue
        return [(family, (host, port))]
    return None


def expire_all(exchanges: list[Exchange]) -> None:
    for exchange in exchanges:
        exchange.expire()


class Exchange:
    """One request and its reply on a raw non-blocking socket, driven by loop callbacks.

    No transport, protocol, stream or task per request (an RPC read opens a connection
    per command): a writable callback finishes the connect and sends, a readable
    callback takes each chunk the socket gives (each its own loop turn, so a fast
    stream cannot hold the event loop), and one timer is the exchange's deadline (or the
    caller's, for exchanges started together with the same deadline). The
    reply is read up to its NUL, its end, or the point where it is provably whole.
    Each chunk is scanned once (``JsonScanner`` keeps its state), so a reply shaped to
    defeat the completeness check costs one pass, not one per chunk; nesting beyond
    ``MAX_DEPTH`` or a reply past the size bound ends the read at once. ``reply`` holds
    the bytes or the error: an ``OSError`` (refused, reset), ``TimeoutError`` at the
    deadline, or the driver's own ``MinerResponseError``/``MinerConnectionError``.
    """

    __slots__ = (
        "_address",
        "_buf",
        "_client",
        "_deadline",
        "_fd",
        "_loop",
        "_payload",
        "_reading",
        "_scanner",
        "_sock",
        "_timer",
        "_which",
        "_writing",
        "connected",
        "reply",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        client: RpcClient,
        which: int,
        payload: bytes,
        deadline: float,
        *,
        timed: bool = True,
    ) -> None:
        assert client._addresses is not None
        family, address = client._addresses[which]
        self.reply: asyncio.Future[bytes] = loop.create_future()
        self.connected = False
        self._loop = loop
        self._client = client
        self._which = which
        self._address = address
        self._payload = payload
        self._deadline = deadline
        self._buf = bytearray()
        self._scanner = JsonScanner()
        self._reading = self._writing = False
        self._sock: socket.socket | None = None
        self._fd = -1
        self._timer: asyncio.TimerHandle | None = (
            loop.call_at(deadline, self.expire) if timed else None  # else the caller's timer
        )
        try:
            self._sock = sock = socket.socket(family, socket.SOCK_STREAM)
            self._fd = sock.fileno()
            sock.setblocking(False)
            sock.connect(address)
        except BlockingIOError, InterruptedError:  # under way: writable once done
            self._writing = True
            loop.add_writer(self._fd, self._connect_done)
        except OSError as err:  # no socket left (EMFILE), or the kernel refused at once
            self._fail(err)
        except (OverflowError, ValueError) as err:  # a port past 65535 (the CLI's, say)
            self._fail(OSError(errno.EINVAL, str(err)))
        else:  # pragma: no cover - a TCP connect is not instant on Linux, even on loopback
            self._connect_done()

    def following(self) -> Exchange | None:
        """The same request to the host name's next address, or ``None`` after the last."""
        addresses = self._client._addresses
        assert addresses is not None
        if self._which + 1 >= len(addresses):
            return None
        return Exchange(self._loop, self._client, self._which + 1, self._payload, self._deadline)

    def close(self) -> None:
        """Stop every callback and close the socket (also when the awaiting task was cancelled)."""
        self._stop()
        if self._sock is not None:
            self._sock.close()
        if self.reply.done() and not self.reply.cancelled():
            self.reply.exception()  # a failure nobody will await (cancelled half-way): seen

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._writing:
            self._writing = False
            self._loop.remove_writer(self._fd)
        if self._reading:
            self._reading = False
            self._loop.remove_reader(self._fd)

    def _connect_done(self) -> None:
        assert self._sock is not None  # the callbacks run only once it exists
        err = self._sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            self._fail(OSError(err, f"Connect call failed {self._address}"))
            return
        self.connected = True
        self._reading = True
        self._loop.add_reader(self._fd, self._read)
        self._send()

    def _send(self) -> None:
        try:
            assert self._sock is not None
            sent = self._sock.send(self._payload)
        except BlockingIOError, InterruptedError:  # pragma: no cover - writable said otherwise
            sent = 0
        except OSError as err:  # pragma: no cover - reset before the request went out
            self._fail(err)
            return
        self._payload = self._payload[sent:]
        if self._payload:  # the rest once the socket takes more (replaces the connect's)
            self._writing = True
            self._loop.add_writer(self._fd, self._send)
        elif self._writing:
            self._writing = False
            self._loop.remove_writer(self._fd)

    def _read(self) -> None:
        try:
            assert self._sock is not None
            data = self._sock.recv(READ_SIZE)
        except BlockingIOError, InterruptedError:  # pragma: no cover - a spurious wake-up
            return
        except OSError as err:  # reset, refused mid-way
            self._fail(err)
            return
        if not data:
            self._ended()
            return
        nul = data.find(b"\x00")
        buf = self._buf
        buf += data if nul < 0 else data[:nul]
        limit = self._client.max_reply_bytes
        if len(buf) > limit:
            self._fail(MinerResponseError(f"{self._where()}: reply larger than {limit} bytes"))
            return
        self._scanner.feed(buf)
        if self._scanner.too_deep:
            self._fail(
                MinerResponseError(f"{self._where()}: reply nested deeper than {MAX_DEPTH} levels")
            )
        elif nul >= 0 or complete(buf, self._scanner):
            self._ended()  # some firmware keeps the socket open after a full reply

    def expire(self) -> None:
        """The deadline passed: ``TimeoutError`` unless the reply is in."""
        self._timer = None
        self._fail(TimeoutError())

    def _where(self) -> str:
        return f"{self._client.host}:{self._client.port}"

    def _ended(self) -> None:
        if not self._buf:
            self._fail(MinerConnectionError(f"{self._where()}: connection closed without reply"))
            return
        self._stop()
        if not self.reply.done():  # cancelled: the awaiting task is on its way out
            self.reply.set_result(bytes(self._buf))

    def _fail(self, error: Exception) -> None:
        self._stop()
        if not self.reply.done():
            self.reply.set_exception(error)


def complete(buf: bytearray, scanner: JsonScanner) -> bool:
    """Whether ``buf`` holds a whole reply, for firmware that keeps the socket open.

    A reply counts as whole once its brackets balance outside strings and it ends in
    a closer; a reply only the repairs can fix (``}{``, a trailing comma, ``inf``)
    balances all the same. The scanner has seen every byte already: this is O(1).
    """
    return scanner.balanced and bytes(buf[-8:]).rstrip().endswith((b"}", b"]"))
