"""Whatsminer API v3 on TCP 4433: length-prefixed JSON frames, token-signed writes.

Firmware from late 2024 moved the API here. Every frame is a 4-byte little-endian
length and that many bytes of JSON, both ways; the length is checked against a bound
before anything is allocated, and the whole exchange runs under one deadline, so a
miner that stalls mid-frame costs one timeout, never a hang.

Reads need no login. A write carries ``ts`` (Unix seconds), the account and a token:
the first eight base64 characters of SHA-256(cmd + password + salt + ts). The salt
comes from ``get.device.info`` and is kept; it is fetched again once when the miner
refuses a token, in case it changed with a password change. ``set.miner.pools`` and
``set.user.change_passwd`` send their parameter AES-encrypted with the same digest.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import re
import struct
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from ...deadline import remaining
from ...exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
    MinerWriteDisabledError,
)
from ...transports.json_scan import INLINE_PARSE_BYTES, loads_bounded
from .crypto import v3_digest, v3_encrypt_param, v3_token
from .stream import DroppedAfterSendError, exchange_once

DEFAULT_PORT = 4433
DEFAULT_ACCOUNT = "super"
DEFAULT_PASSWORD = "super"
DEFAULT_TIMEOUT = 5.0
MAX_FRAME_BYTES = 512 * 1024
# Empty frames (heartbeats) skipped before a reply; a stream of them is not a miner.
MAX_HEARTBEATS = 8
_CHUNK = 65536
ENCRYPTED_PARAM_COMMANDS = frozenset({"set.miner.pools", "set.user.change_passwd"})
# Commands after which the miner may drop the connection instead of answering.
DROPPING_COMMANDS = frozenset({"set.system.reboot"})
WRITE_DISABLED_HINT = (
    "the Whatsminer write API is switched off; enable it in WhatsMinerTool "
    "(Remote Ctrl > Miner API Switch) and change the default password there"
)
_AUTH_TEXT = re.compile(r"token|passw|account|auth|sign", re.IGNORECASE)
_WRITE_DISABLED = re.compile(r"can.?t access write|write cmd|api ?switch", re.IGNORECASE)
_HEADER = struct.Struct("<I")


class MinerCommandRefusedError(MinerResponseError):
    """The miner answered a command with a non-zero ``code`` (unknown command or param)."""


class _Unset:
    pass


UNSET: Final = _Unset()


def reply_code(reply: Any) -> int | None:
    if not isinstance(reply, dict):
        return None
    try:
        return int(reply["code"])
    except KeyError, TypeError, ValueError:
        return None


def reply_text(reply: Any) -> str:
    if not isinstance(reply, dict):
        return ""
    msg = reply.get("msg")
    return msg if isinstance(msg, str) else json.dumps(msg)


@dataclass(slots=True)
class WhatsminerV3Client:
    host: str
    port: int = DEFAULT_PORT
    account: str = DEFAULT_ACCOUNT
    password: str = field(default=DEFAULT_PASSWORD, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    max_frame_bytes: int = MAX_FRAME_BYTES
    clock: Callable[[], float] = field(default=lambda: time.time(), repr=False)  # noqa: PLW0108 - resolved per call, so a frozen test clock applies
    connections: int = 0
    # Set once the firmware hangs up after a reply: then one command per connection.
    one_per_connection: bool = False
    _salt: str | None = field(default=None, repr=False)

    # -- framing -------------------------------------------------------------------

    async def exchange(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Send one frame and read one back; ``None`` when a dropping command lost us.

        A connection reset or closed after the request went out counts as the answer
        only for commands in ``DROPPING_COMMANDS``; one refused before it went out
        never does.
        """
        cmd = str(payload.get("cmd"))
        body = json.dumps(payload, separators=(",", ":")).encode()
        self.connections += 1
        read = functools.partial(self._read_frame, cmd=cmd)
        try:
            frame = _HEADER.pack(len(body)) + body
            data = await exchange_once(self.host, self.port, self.timeout, frame, read)
        except TimeoutError as err:
            raise MinerTimeoutError(
                f"{self.host}:{self.port} {cmd}: no reply in {self.timeout} s"
            ) from err
        except DroppedAfterSendError as err:
            if cmd in DROPPING_COMMANDS:
                return None
            cause = err.__cause__
            detail = "connection closed mid-reply" if isinstance(cause, EOFError) else cause
            raise MinerConnectionError(f"{self.host}:{self.port} {cmd}: {detail}") from err
        except OSError as err:
            raise MinerConnectionError(f"{self.host}:{self.port} {cmd}: {err}") from err
        return await self._decode(data, cmd)

    async def _decode(self, data: bytes, cmd: str) -> dict[str, Any]:
        where = f"{self.host}:{self.port} {cmd}"
        if len(data) > INLINE_PARSE_BYTES:  # a large frame is checked and parsed off the loop
            reply = await asyncio.to_thread(loads_bounded, data, where)
        else:
            reply = loads_bounded(data, where)
        if not isinstance(reply, dict):
            raise MinerResponseError(f"{self.host}:{self.port} {cmd}: reply is not an object")
        return reply

    async def get_many(self, requests: Sequence[tuple[str, Any]]) -> list[Any]:
        """Run read commands in turn on one connection; each ``msg``, or its error.

        The API keeps a connection open between frames (the vendor documents
        heartbeats, and clients that hold one connection per miner work on real
        units), so a poll's reads need one connection, not one each. A firmware that
        closes after a reply costs a reconnect for the rest, and from then on every
        command gets its own connection (``one_per_connection``). A miner that does
        not answer at all fails every request with the same error, after one deadline.
        """
        results: list[Any] = []
        pending = list(requests)
        while pending:
            try:
                answered = await self._frames(pending)
            except MinerError as err:
                results.extend([err] * len(pending))
                break
            results.extend(answered)
            pending = pending[len(answered) :]
        return results

    async def _frames(self, requests: Sequence[tuple[str, Any]]) -> list[Any]:
        """As many of ``requests`` as one connection answers (at least the first).

        Each frame waits at most its timeout, cut to what is left of the poll's read
        (``deadline.remaining``): a frame queued behind slow ones never outlives the read,
        and the ones answered are kept.
        """
        first = str(requests[0][0])
        self.connections += 1
        try:
            async with asyncio.timeout(remaining(self.timeout)):
                reader, writer = await asyncio.open_connection(self.host, self.port)
        except TimeoutError as err:
            raise MinerTimeoutError(f"{self.host}:{self.port} {first}: no connection") from err
        except OSError as err:
            raise MinerConnectionError(f"{self.host}:{self.port} {first}: {err}") from err
        answered: list[Any] = []
        try:
            for cmd, param in requests:
                payload = {"cmd": cmd} if param is None else {"cmd": cmd, "param": param}
                body = json.dumps(payload, separators=(",", ":")).encode()
                try:
                    async with asyncio.timeout(remaining(self.timeout)):
                        writer.write(_HEADER.pack(len(body)) + body)
                        await writer.drain()
                        data = await self._read_frame(reader, cmd)
                except TimeoutError as err:
                    late = MinerTimeoutError(f"{self.host}:{self.port} {cmd}: no reply in time")
                    if not answered:
                        raise late from err
                    return answered + [late] * (len(requests) - len(answered))
                except (OSError, asyncio.IncompleteReadError) as err:
                    if answered:
                        self.one_per_connection = True  # it hung up after a reply
                        return answered
                    raise MinerConnectionError(f"{self.host}:{self.port} {cmd}: {err}") from err
                try:
                    answered.append(self._msg(cmd, await self._decode(data, cmd)))
                except MinerResponseError as err:
                    answered.append(err)
                if self.one_per_connection:
                    break
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        return answered

    def _msg(self, cmd: str, reply: dict[str, Any]) -> Any:
        """A read's ``msg``; a non-zero ``code`` is the firmware refusing the command."""
        code = reply_code(reply)
        if code != 0:
            raise MinerCommandRefusedError(
                f"{self.host}:{self.port} {cmd}: {reply_text(reply) or 'refused'} (code {code})"
            )
        return reply.get("msg")

    async def _read_frame(self, reader: asyncio.StreamReader, cmd: str) -> bytes:
        """One frame; a few empty heartbeat frames are skipped, a stream of them is not.

        The body is read in chunks with a yield between them, so a large frame never
        holds the event loop; a frame of one chunk costs no extra loop turn.
        """
        for _ in range(MAX_HEARTBEATS + 1):
            (length,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
            if length == 0:
                await asyncio.sleep(0)
                continue  # heartbeat
            if length > self.max_frame_bytes:
                raise MinerResponseError(
                    f"{self.host}:{self.port} {cmd}: frame of {length} bytes exceeds "
                    f"{self.max_frame_bytes}"
                )
            body = bytearray()
            while True:
                body += await reader.readexactly(min(_CHUNK, length - len(body)))
                if len(body) >= length:
                    return bytes(body)
                await asyncio.sleep(0)
        raise MinerResponseError(
            f"{self.host}:{self.port} {cmd}: more than {MAX_HEARTBEATS} empty frames, no reply"
        )

    # -- reads ---------------------------------------------------------------------

    async def get(self, cmd: str, param: Any = None) -> Any:
        """Run a read command and return its ``msg``; raise on a non-zero ``code``."""
        payload: dict[str, Any] = {"cmd": cmd}
        if param is not None:
            payload["param"] = param
        reply = await self.exchange(payload)
        if reply is None:  # pragma: no cover - reads never drop
            raise MinerConnectionError(f"{self.host}:{self.port} {cmd}: no reply")
        return self._msg(cmd, reply)

    async def salt(self, *, fresh: bool = False) -> str:
        if self._salt is None or fresh:
            msg = await self.get("get.device.info", "salt")
            salt = msg.get("salt") if isinstance(msg, dict) else None
            if not isinstance(salt, str) or not salt:
                raise MinerResponseError(f"{self.host}:{self.port}: miner sent no salt")
            self._salt = salt
        return self._salt

    async def write_api_enabled(self) -> bool | None:
        """The miner's own API switch, or ``None`` when it does not say."""
        try:
            msg = await self.get("get.device.info", "system")
        except MinerResponseError:
            return None
        system = msg.get("system") if isinstance(msg, dict) else None
        switch = system.get("apiswitch") if isinstance(system, dict) else None
        return None if switch is None else str(switch).strip() not in ("0", "false")

    # -- writes --------------------------------------------------------------------

    async def set(self, cmd: str, param: Any = UNSET) -> Any:
        """Run a ``set.*`` command; return its ``msg`` (``None`` if a reboot cut it off)."""
        for attempt in (1, 2):
            kept = self._salt
            salt = await self.salt(fresh=attempt == 2)
            ts = int(self.clock())
            digest = v3_digest(cmd, self.password, salt, ts)
            payload: dict[str, Any] = {"cmd": cmd}
            if not isinstance(param, _Unset):
                payload["param"] = (
                    v3_encrypt_param(digest, param) if cmd in ENCRYPTED_PARAM_COMMANDS else param
                )
            payload.update(ts=ts, token=v3_token(digest), account=self.account)
            reply = await self.exchange(payload)
            if reply is None:
                return None
            if reply_code(reply) == 0:
                return reply.get("msg")
            text = reply_text(reply)
            if _WRITE_DISABLED.search(text):
                raise MinerWriteDisabledError(f"{self.host}: {cmd}: {WRITE_DISABLED_HINT}")
            auth = bool(_AUTH_TEXT.search(text))
            if auth and attempt == 1 and kept is not None:
                continue  # the kept salt may be stale: fetch it once more
            if await self.write_api_enabled() is False:
                raise MinerWriteDisabledError(f"{self.host}: {cmd}: {WRITE_DISABLED_HINT}")
            if auth:
                raise MinerAuthenticationError(
                    f"{self.host}: {cmd}: the miner refused account {self.account!r} ({text})"
                )
            raise MinerResponseError(
                f"{self.host}:{self.port} {cmd}: {text or 'refused'} (code {reply_code(reply)})"
            )
        raise AssertionError("unreachable")  # pragma: no cover
