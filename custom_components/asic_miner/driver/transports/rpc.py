"""cgminer-style JSON RPC over TCP (port 4028 by default).

One request per connection, as the firmware expects. A whole poll can go out as one
``a+b+c`` multicommand on one connection where the firmware allows it; where it does
not, the commands go out concurrently, one connection each.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import MinerConnectionError, MinerResponseError, MinerTimeoutError
from ..limits import DEFAULT_MAX_REPLY_BYTES
from .json_scan import MAX_DEPTH, JsonScanner, is_complete_async
from .rpc_parse import check_status, parse_rpc_reply_async

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0


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

    async def send_raw(self, payload: bytes) -> bytes:
        """Send bytes, return the raw reply; one connection, one deadline for all of it."""
        try:
            async with asyncio.timeout(self.timeout):
                return await self._exchange(payload)
        except TimeoutError as err:
            raise MinerTimeoutError(
                f"{self.host}:{self.port}: no reply in {self.timeout} s"
            ) from err
        except OSError as err:
            raise MinerConnectionError(f"{self.host}:{self.port}: {err.strerror or err}") from err

    async def _exchange(self, payload: bytes) -> bytes:
        self.stats.connections += 1
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[bytes] = loop.create_future()
        transport, _ = await loop.create_connection(
            lambda: _Reply(self, reply), self.host, self.port
        )
        try:
            transport.write(payload)
            return await reply
        finally:
            transport.close()

    async def request(self, payload: dict[str, Any], *, whole: bool = False) -> Any:
        """Send one JSON object, return the parsed reply (STATUS not checked).

        With ``whole`` the reply is parsed only when its brackets provably close
        (``parse_whole``), for firmware whose cut-short reply still ends the connection
        cleanly: a repaired truncation would pass for a shorter, valid-looking reply.
        """
        raw = await self.send_raw(json.dumps(payload, separators=(",", ":")).encode())
        where = f"{self.host}:{self.port} {payload.get('command')}"
        if whole:
            return await parse_whole(raw, where)
        try:
            return await parse_rpc_reply_async(raw, depth_checked=True)
        except MinerResponseError as err:
            raise MinerResponseError(f"{where}: {err}") from err

    async def command(
        self, command: str, parameter: str | None = None, *, whole: bool = False, **extra: Any
    ) -> Any:
        """Run one command and raise ``MinerResponseError`` on an error STATUS."""
        payload: dict[str, Any] = {"command": command, **extra}
        if parameter is not None:
            payload["parameter"] = parameter
        reply = await self.request(payload, whole=whole)
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
        reply = await self.request({"command": "+".join(commands), **extra}, whole=whole)
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


class _Reply(asyncio.Protocol):
    """One reply, read up to its NUL, its end, or the point where it is provably whole.

    A protocol rather than a stream reader: one callback per chunk the socket gives,
    no reader, writer or waiter objects per request (an RPC read opens a connection
    per command). Each chunk is scanned once (``JsonScanner`` keeps its state), so a
    reply shaped to defeat the completeness check costs one pass, not one per chunk;
    nesting beyond ``MAX_DEPTH`` or a reply past the size bound ends the read at once.
    Every chunk is its own callback, so a fast stream cannot hold the event loop.
    """

    def __init__(self, client: RpcClient, reply: asyncio.Future[bytes]) -> None:
        self._where = f"{client.host}:{client.port}"
        self._limit = client.max_reply_bytes
        self._reply = reply
        self._buf = bytearray()
        self._scanner = JsonScanner()

    def data_received(self, data: bytes) -> None:
        if self._reply.done():
            return
        nul = data.find(b"\x00")
        buf = self._buf
        buf += data if nul < 0 else data[:nul]
        if len(buf) > self._limit:
            self._fail(MinerResponseError(f"{self._where}: reply larger than {self._limit} bytes"))
            return
        self._scanner.feed(buf)
        if self._scanner.too_deep:
            self._fail(
                MinerResponseError(f"{self._where}: reply nested deeper than {MAX_DEPTH} levels")
            )
        elif nul >= 0 or _complete(buf, self._scanner):
            self._ended()  # some firmware keeps the socket open after a full reply

    def eof_received(self) -> bool:
        self._ended()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None:
            self._fail(exc)  # an ``OSError``: reset, refused mid-way
        else:
            self._ended()

    def _ended(self) -> None:
        if self._reply.done():
            return
        if self._buf:
            self._reply.set_result(bytes(self._buf))
        else:
            self._fail(MinerConnectionError(f"{self._where}: connection closed without reply"))

    def _fail(self, error: Exception) -> None:
        if not self._reply.done():
            self._reply.set_exception(error)


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
