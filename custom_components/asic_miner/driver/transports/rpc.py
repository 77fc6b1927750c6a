"""cgminer-style JSON RPC over TCP (port 4028 by default).

One request per connection, as the firmware expects. A whole poll can go out as one
``a+b+c`` multicommand on one connection where the firmware allows it; where it does
not, the commands go out concurrently, one connection each.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import MinerConnectionError, MinerError, MinerResponseError, MinerTimeoutError
from ..limits import DEFAULT_MAX_REPLY_BYTES
from .json_scan import MAX_DEPTH, JsonScanner, is_complete_async
from .rpc_parse import check_status, parse_rpc_reply_async

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
_READ_SIZE = 256 * 1024  # per chunk, as asyncio's socket transport reads
type _Addresses = list[tuple[int, Any]]  # (address family, socket address) to try in turn


class MulticommandRefusedError(MinerResponseError):
    """The firmware answered ``a+b+c`` whole and well-formed, but without the pieces.

    Apart from a reply cut short or garbled on the way (one bad poll): only this says
    the release does not take the combination at all.
    """


@dataclass(slots=True)
class RpcStats:
    """Counters a benchmark or a test reads to prove how many round trips a poll cost."""

    connections: int = 0


@dataclass(slots=True)
class RpcClient:
    host: str
    port: int = 4028
    timeout: float = DEFAULT_TIMEOUT
    max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES
    stats: RpcStats = field(default_factory=RpcStats)
    _addresses: _Addresses | None = field(default=None, init=False, repr=False, compare=False)

    async def send_raw(self, payload: bytes) -> bytes:
        """Send bytes, return the raw reply; one connection, one deadline for all of it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        self.stats.connections += 1
        await self._ready(loop, deadline)
        return await self._finish(_Exchange(loop, self, 0, payload, deadline))

    async def request(self, payload: dict[str, Any], *, whole: bool = False) -> Any:
        """Send one JSON object, return the parsed reply (STATUS not checked).

        With ``whole`` the reply is parsed only when its brackets provably close
        (``parse_whole``), for firmware whose cut-short reply still ends the connection
        cleanly: a repaired truncation would pass for a shorter, valid-looking reply.
        """
        raw = await self.send_raw(_encode(payload))
        return await self._parsed(raw, payload.get("command"), whole)

    async def command(
        self, command: str, parameter: str | None = None, *, whole: bool = False, **extra: Any
    ) -> Any:
        """Run one command and raise ``MinerResponseError`` on an error STATUS."""
        reply = await self.request(_command(command, parameter, extra), whole=whole)
        return self._status(command, reply)

    async def commands(
        self, calls: Sequence[tuple[str, str | None]], *, whole: bool = False, **extra: Any
    ) -> list[Any]:
        """Run several commands at once, one connection each; each reply or its error.

        As ``command`` for each, side by side as ``gather`` would run them, but every
        exchange is under way before the first is awaited: no task per command, no
        gather. A failure comes back as the value in its place.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        self.stats.connections += len(calls)
        try:
            await self._ready(loop, deadline)
        except MinerError as err:
            return [type(err)(str(err)) for _ in calls]
        started = [
            _Exchange(
                loop, self, 0, _encode(_command(name, parameter, extra)), deadline, timed=False
            )
            for name, parameter in calls
        ]
        # They share one deadline: one timer for all of them.
        timer = loop.call_at(deadline, _expire_all, started)
        out: list[Any] = []
        try:
            for (name, _), exchange in zip(calls, started, strict=True):
                try:
                    raw = await self._finish(exchange)
                    out.append(self._status(name, await self._parsed(raw, name, whole)))
                except Exception as err:  # a value, as ``gather`` would hand it back
                    out.append(err)
        finally:
            timer.cancel()
            for exchange in started:  # cancelled half-way: stop the rest as well
                exchange.close()
        return out

    async def _ready(self, loop: asyncio.AbstractEventLoop, deadline: float) -> None:
        """The socket addresses to try, worked out once per client.

        An IP literal needs no look-up (no executor, no ``getaddrinfo``); a host name is
        looked up inside the exchange's deadline, its addresses tried in turn.
        """
        if self._addresses is not None:
            return
        addresses = _literal(self.host, self.port)
        try:
            if addresses is None:
                async with asyncio.timeout_at(deadline):
                    infos = await loop.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
                addresses = [(family, address) for family, _, _, _, address in infos]
        except TimeoutError as err:
            raise self._timed_out() from err
        except OSError as err:
            raise self._unreachable(err) from err
        if not addresses:  # pragma: no cover - getaddrinfo raises rather than answer nothing
            raise MinerConnectionError(f"{self.host}:{self.port}: no address")
        self._addresses = addresses

    async def _finish(self, exchange: _Exchange) -> bytes:
        """A started exchange's reply, in the driver's error types.

        Where the connect fails, the host name's next address is tried (as
        ``create_connection`` does) under the same deadline; the first error is raised
        when none connects.
        """
        first: OSError | None = None
        try:
            while True:
                try:
                    return await exchange.reply
                except TimeoutError:
                    raise
                except OSError as err:
                    if exchange.connected:
                        raise
                    first = first or err
                finally:
                    exchange.close()
                following = exchange.following()
                if following is None:
                    raise first
                exchange = following
        except TimeoutError as err:
            raise self._timed_out() from err
        except OSError as err:
            raise self._unreachable(err) from err

    def _timed_out(self) -> MinerTimeoutError:
        return MinerTimeoutError(f"{self.host}:{self.port}: no reply in {self.timeout} s")

    def _unreachable(self, err: OSError) -> MinerConnectionError:
        return MinerConnectionError(f"{self.host}:{self.port}: {err.strerror or err}")

    async def _parsed(self, raw: bytes, command: Any, whole: bool) -> Any:
        where = f"{self.host}:{self.port} {command}"
        if whole:
            return await parse_whole(raw, where)
        try:
            return await parse_rpc_reply_async(raw, depth_checked=True)
        except MinerResponseError as err:
            raise MinerResponseError(f"{where}: {err}") from err

    def _status(self, command: str, reply: Any) -> Any:
        try:
            return check_status(reply)
        except MinerResponseError as err:
            raise MinerResponseError(f"{self.host}:{self.port} {command}: {err}") from err

    async def multicommand(
        self, commands: tuple[str, ...], *, whole: bool = False, **extra: Any
    ) -> dict[str, Any]:
        """Send ``a+b+c`` on one connection; return each command's own reply.

        Raises ``MulticommandRefusedError`` when the firmware rejects the combination,
        so the caller can fall back to single commands and remember that it must; a
        reply cut short or garbled is a plain ``MinerResponseError`` (one bad poll).
        """
        reply = await self.request(_command("+".join(commands), None, extra), whole=whole)
        if not isinstance(reply, dict) or not all(c in reply for c in commands):
            try:
                check_status(reply)  # an explicit refusal carries its own message
            except MinerResponseError as err:
                raise MulticommandRefusedError(str(err)) from err
            raise MulticommandRefusedError(f"{self.host}:{self.port}: multicommand not answered")
        out: dict[str, Any] = {}
        for name in commands:
            piece = reply[name]
            out[name] = piece[0] if isinstance(piece, list) and len(piece) == 1 else piece
        return out


def _expire_all(exchanges: list[_Exchange]) -> None:
    for exchange in exchanges:
        exchange.expire()


def _command(command: str, parameter: str | None, extra: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {"command": command, **extra}
    if parameter is not None:
        payload["parameter"] = parameter
    return payload


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _literal(host: str, port: int) -> _Addresses | None:
    """The one address of an IP literal, or ``None`` for a name to look up."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except OSError:
            continue
        return [(family, (host, port))]
    return None


class _Exchange:
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
        else:  # pragma: no cover - a TCP connect is not instant on Linux, even on loopback
            self._connect_done()

    def following(self) -> _Exchange | None:
        """The same request to the host name's next address, or ``None`` after the last."""
        addresses = self._client._addresses
        assert addresses is not None
        if self._which + 1 >= len(addresses):
            return None
        return _Exchange(self._loop, self._client, self._which + 1, self._payload, self._deadline)

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
            data = self._sock.recv(_READ_SIZE)
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
        elif nul >= 0 or _complete(buf, self._scanner):
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


def _complete(buf: bytearray, scanner: JsonScanner) -> bool:
    """Whether ``buf`` holds a whole reply, for firmware that keeps the socket open.

    A reply counts as whole once its brackets balance outside strings and it ends in
    a closer; a reply only the repairs can fix (``}{``, a trailing comma, ``inf``)
    balances all the same. The scanner has seen every byte already: this is O(1).
    """
    return scanner.balanced and bytes(buf[-8:]).rstrip().endswith((b"}", b"]"))


async def parse_whole(raw: bytes, where: str) -> Any:
    """The reply parsed, when every bracket it opened was closed; ``MinerResponseError`` if not.

    The one completeness check for replies read to the end of the connection (LuxOS,
    Avalon, Whatsminer API v2): a reply cut short, a stray closer or garbage bytes are
    refused before the parser's repairs could turn them into something plausible.
    """
    if not await is_complete_async(raw):
        raise MinerResponseError(f"{where}: incomplete or malformed reply")
    try:
        return await parse_rpc_reply_async(raw)
    except MinerResponseError as err:
        raise MinerResponseError(f"{where}: {err}") from err
