"""Whatsminer API v1/v2 on TCP 4028: plain reads and the encrypted privileged envelope.

Reads are cgminer-style JSON. The cgminer commands (``summary``, ``devs``, ``pools``)
combine as ``a+b+c`` on one connection, as pyasic reads real units; ``get_*`` and
``status`` answer in btminer's own flat envelope and go one per connection. Writes go through MicroBT's privileged scheme:
``get_token`` gives a salt, a fresh ``newsalt`` and a time; md5-crypt of the admin
password proves the password, md5-crypt of that proof plus the time signs the token,
and SHA-256 of the proof is the AES key both directions are encrypted with.

The token is kept for half an hour (``get_token`` is rate limited on the firmware);
when the miner refuses a kept token it is fetched once more before the password is
blamed. A refusal the firmware sends *unencrypted* comes before it decrypted anything:
"can't access write cmd" means the write API is off, which no password can fix.

Replies are accepted only when they are complete: the cgminer parser repairs a reply
cut short, which suits a status dump but would turn a dropped connection into a
half-empty poll without an error.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerResponseError,
    MinerTimeoutError,
    MinerWriteDisabledError,
)
from ...limits import DEFAULT_MAX_REPLY_BYTES
from ...transports.json_scan import MAX_DEPTH, JsonScanner
from ...transports.rpc import MulticommandRefusedError, RpcClient, parse_whole
from ...transports.rpc_parse import OK_STATUS, parse_rpc_reply_async, status_of
from .crypto import aes_decrypt, aes_encrypt, v2_aes_key, v2_host_passwd_md5, v2_host_sign
from .stream import DroppedAfterSendError, exchange_once

TOKEN_LIFETIME = 30 * 60.0
DEFAULT_PASSWORD = "admin"
CODE_OK = 131
WRITE_DISABLED_HINT = (
    "the Whatsminer write API is switched off; enable it in WhatsMinerTool "
    "(Remote Ctrl > Miner API Switch) and change the default admin password there"
)
_WRITE_DISABLED = re.compile(r"can.?t access write|write cmd", re.IGNORECASE)
# Codes btminer sends when it cannot use the token: 135 the signature does not check,
# 23 the decrypted text is not JSON, 137 the data is not base64. With a good password
# only an expired token causes them.
_TOKEN_CODES = frozenset({23, 135, 137})
_CHUNK = 65536


def status_code(reply: Any) -> int | None:
    """The numeric ``Code`` of the flat or list-shaped STATUS, if any."""
    if not isinstance(reply, dict):
        return None
    status = reply.get("STATUS")
    holder = status[0] if isinstance(status, list) and status else reply
    code = holder.get("Code") if isinstance(holder, dict) else None
    try:
        return int(code) if code is not None else None
    except TypeError, ValueError:
        return None


@dataclass(frozen=True, slots=True)
class WhatsminerToken:
    """One ``get_token`` turned into what a privileged command needs."""

    host_sign: str = field(repr=False)
    key: bytes = field(repr=False)
    issued: float


class _TokenRefused(Exception):
    """The miner could not use the token (internal: decides between renew and auth)."""


@dataclass(slots=True)
class WhatsminerV2Client:
    """The API of one miner; ``rpc`` builds a fresh client so timeouts follow the context."""

    rpc: Callable[[], RpcClient]
    password: str = field(default=DEFAULT_PASSWORD, repr=False)
    token_lifetime: float = TOKEN_LIFETIME
    clock: Callable[[], float] = time.monotonic
    max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES
    _token: WhatsminerToken | None = field(default=None, repr=False)

    # -- reads -------------------------------------------------------------------------

    async def read(self, command: str) -> dict[str, Any]:
        """Run one plain read command; raise on an error STATUS or an incomplete reply."""
        client = self.rpc()
        raw = await client.send_raw(json.dumps({"command": command}).encode())
        reply = await self._parse(raw, client, command)
        letter, msg = status_of(reply)
        if letter not in OK_STATUS:
            if _WRITE_DISABLED.search(msg):
                raise MinerWriteDisabledError(f"{client.host}: {command}: {WRITE_DISABLED_HINT}")
            raise MinerResponseError(f"{client.host}:{client.port} {command}: {msg or letter}")
        return reply

    async def read_many(self, commands: tuple[str, ...]) -> dict[str, Any]:
        """Run cgminer read commands as one ``a+b+c``; each command's own reply.

        A piece whose own STATUS is an error comes back as that error. Raises
        ``MulticommandRefusedError`` when the firmware refuses the combination (a
        STATUS error, or a reply without every piece), so the caller can fall back; a
        reply cut short or garbled on the way is a plain ``MinerResponseError``.
        """
        client = self.rpc()
        joined = "+".join(commands)
        raw = await client.send_raw(json.dumps({"command": joined}).encode())
        reply = await self._parse(raw, client, joined)
        if not all(isinstance(reply.get(name), list) and reply[name] for name in commands):
            letter, msg = status_of(reply)
            raise MulticommandRefusedError(
                f"{client.host}:{client.port} {joined}: refused ({msg or letter})"
            )
        out: dict[str, Any] = {}
        for name in commands:
            piece = reply[name][0]
            where = f"{client.host}:{client.port} {name}"
            if not isinstance(piece, dict):
                out[name] = MinerResponseError(f"{where}: not an object")
                continue
            letter, msg = status_of(piece)
            out[name] = (
                piece if letter in OK_STATUS else MinerResponseError(f"{where}: {msg or letter}")
            )
        return out

    async def _parse(self, raw: bytes, client: RpcClient, command: str) -> dict[str, Any]:
        where = f"{client.host}:{client.port} {command}"
        reply = await parse_whole(raw, where)
        if not isinstance(reply, dict):
            raise MinerResponseError(f"{where}: reply is not an object")
        return reply

    # -- token -------------------------------------------------------------------------

    def forget_token(self) -> None:
        self._token = None

    async def token(self, *, fresh: bool = False) -> WhatsminerToken:
        """The kept token while it is young, else a new one from ``get_token``."""
        now = self.clock()
        if not fresh and self._token is not None and now - self._token.issued < self.token_lifetime:
            return self._token
        reply = await self.read("get_token")
        msg = reply.get("Msg")
        if not isinstance(msg, dict) or not all(k in msg for k in ("time", "salt", "newsalt")):
            raise MinerResponseError("get_token: reply lacks time, salt or newsalt")
        proof = v2_host_passwd_md5(self.password, str(msg["salt"]))
        self._token = WhatsminerToken(
            host_sign=v2_host_sign(proof, str(msg["time"]), str(msg["newsalt"])),
            key=v2_aes_key(proof),
            issued=now,
        )
        return self._token

    # -- privileged commands -----------------------------------------------------------

    async def write(
        self, cmd: str, params: dict[str, Any] | None = None, *, may_drop: bool = False
    ) -> dict[str, Any] | None:
        """Run a privileged command; return the decrypted reply.

        ``may_drop`` is for commands after which the miner goes away (reboot): a
        connection closed after the request was sent then counts as success and the
        result is ``None``.
        """
        for attempt in (1, 2):
            kept = self._token
            token = await self.token(fresh=attempt == 2)
            try:
                return await self._send(token, cmd, params or {}, may_drop=may_drop)
            except _TokenRefused as err:
                self.forget_token()
                if attempt == 1 and token is kept:
                    continue  # a kept token may have expired on the miner: renew once
                client = self.rpc()
                raise MinerAuthenticationError(
                    f"{client.host}: {cmd}: the miner refused the admin password ({err})"
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(
        self, token: WhatsminerToken, cmd: str, params: dict[str, Any], *, may_drop: bool
    ) -> dict[str, Any] | None:
        body = json.dumps({"cmd": cmd, **params, "token": token.host_sign}, separators=(",", ":"))
        envelope = {"enc": 1, "data": aes_encrypt(token.key, body.encode())}
        client = self.rpc()
        raw = await self._exchange(client, json.dumps(envelope).encode(), may_drop=may_drop)
        if raw is None:
            return None
        reply = await self._parse(raw, client, cmd)
        sealed = reply.get("enc")
        if isinstance(sealed, str):
            try:
                reply = await parse_rpc_reply_async(aes_decrypt(token.key, sealed))
            except (ValueError, MinerResponseError) as err:
                raise MinerResponseError(
                    f"{client.host}: {cmd}: reply could not be decrypted"
                ) from err
            if not isinstance(reply, dict):
                raise MinerResponseError(f"{client.host}: {cmd}: reply is not an object")
        letter, msg = status_of(reply)
        if _WRITE_DISABLED.search(msg):
            raise MinerWriteDisabledError(f"{client.host}: {cmd}: {WRITE_DISABLED_HINT}")
        if letter in OK_STATUS:
            return reply
        if status_code(reply) in _TOKEN_CODES or "token" in msg.lower():
            raise _TokenRefused(msg or f"code {status_code(reply)}")
        raise MinerResponseError(f"{client.host}: {cmd}: {msg or letter}")

    async def _exchange(self, client: RpcClient, payload: bytes, *, may_drop: bool) -> bytes | None:
        """One connection, one deadline; knows whether the request went out before a drop.

        Only that distinction makes "the miner dropped us while rebooting" safe to call
        success: a refused connection never reached the miner.
        """
        client.stats.connections += 1
        try:
            raw = await exchange_once(client.host, client.port, client.timeout, payload, self._read)
        except TimeoutError as err:
            raise MinerTimeoutError(
                f"{client.host}:{client.port}: no reply in {client.timeout} s"
            ) from err
        except DroppedAfterSendError as err:
            if may_drop:
                return None
            raise MinerConnectionError(f"{client.host}:{client.port}: {err}") from err
        except OSError as err:
            raise MinerConnectionError(
                f"{client.host}:{client.port}: {err.strerror or err}"
            ) from err
        if not raw:
            if may_drop:
                return None
            raise MinerConnectionError(f"{client.host}:{client.port}: closed without reply")
        return raw

    async def _read(self, reader: asyncio.StreamReader) -> bytes:
        """Up to the NUL, the end, or a provably whole reply; each byte scanned once."""
        buf = bytearray()
        scanner = JsonScanner()
        while True:
            chunk = await reader.read(_CHUNK)
            if not chunk:
                return bytes(buf)
            nul = chunk.find(b"\x00")
            if nul >= 0:
                return bytes(buf + chunk[:nul])
            buf += chunk
            if len(buf) > self.max_reply_bytes:
                raise MinerResponseError(f"reply larger than {self.max_reply_bytes} bytes")
            scanner.feed(buf)
            if scanner.too_deep:
                raise MinerResponseError(f"reply nested deeper than {MAX_DEPTH} levels")
            if scanner.balanced and not scanner.stray:
                return bytes(buf)  # btminer may keep the socket open after the reply
            await asyncio.sleep(0)
