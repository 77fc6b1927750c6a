"""cgminer-style JSON RPC over TCP (port 4028 by default).

One request per connection, as the firmware expects. A whole poll can go out as one
``a+b+c`` multicommand on one connection where the firmware allows it; where it does
not, the commands go out concurrently, one connection each. The socket work of each
exchange is in ``rpc_exchange.py``.
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
from .json_scan import is_complete_async
from .rpc_exchange import Addresses, Exchange, expire_all, literal
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
    _addresses: Addresses | None = field(default=None, init=False, repr=False, compare=False)

    async def send_raw(self, payload: bytes) -> bytes:
        """Send bytes, return the raw reply; one connection, one deadline for all of it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        self.stats.connections += 1
        await self._ready(loop, deadline)
        return await self._finish(Exchange(loop, self, 0, payload, deadline))

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
            Exchange(
                loop, self, 0, _encode(_command(name, parameter, extra)), deadline, timed=False
            )
            for name, parameter in calls
        ]
        # They share one deadline: one timer for all of them.
        timer = loop.call_at(deadline, expire_all, started)
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
        addresses = literal(self.host, self.port)
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

    async def _finish(self, exchange: Exchange) -> bytes:
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


def _command(command: str, parameter: str | None, extra: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {"command": command, **extra}
    if parameter is not None:
        payload["parameter"] = parameter
    return payload


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


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
