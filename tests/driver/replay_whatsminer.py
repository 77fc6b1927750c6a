"""Replay transport for the Whatsminer API v3: length-prefixed JSON frames on 4433.

Firmware from late 2024 answers on TCP 4433 with frames of a 4-byte little-endian
length and that many bytes of JSON, both ways (protocol reference, §6.3). Entries:
``{"v3": "get.device.info", "file": ...}``, with ``"param"`` where the request carries
one (``get.miner.status`` with ``summary``, ``edevs``, ``pools``); an entry without
``param`` matches only a request without one. An unknown request is answered with
``transports.v3.unknown`` (the firmware's own ``code`` -1 "invalid command" envelope,
written in the manifest) or, without it, the socket closes. Reply files hold the JSON
only; the frame header is added here, as the firmware adds it.

The cgminer-style reads on 4028 (API v1/v2, and ``get_version`` that v3 firmware still
answers there) are plain ``{"command": ...}`` requests, which ``CgminerRpc`` serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
from typing import Any

from tests.driver.replay import MAX_REQUEST, _StreamTransport

_HEADER = struct.Struct("<I")


def frame(payload: bytes) -> bytes:
    """One v3 frame around ``payload``."""
    return _HEADER.pack(len(payload)) + payload


class WhatsminerV3(_StreamTransport):
    """Frames in turn on one connection, each answered, until the driver closes it.

    The API keeps a connection open between frames (the vendor documents heartbeats),
    so the driver sends a poll's frames on one connection. The captures hold the
    status sections one by one, so the combined ``summary+edevs+pools`` request is
    answered as an unknown one here and the driver reads the sections apart: an
    honest replay, as no combined reply was captured.
    """

    key = "v3"
    port_field = "whatsminer_v3"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.log.connected(self.key)
        try:
            while (reply := await self.exchange(reader)) is not None:
                writer.write(reply)
                await writer.drain()
        except OSError, asyncio.IncompleteReadError, TimeoutError, ValueError:
            pass
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def exchange(self, reader: asyncio.StreamReader) -> bytes | None:
        (length,) = _HEADER.unpack(await asyncio.wait_for(reader.readexactly(4), 5))
        if length > MAX_REQUEST:
            return None
        request = json.loads(await asyncio.wait_for(reader.readexactly(length), 5))
        cmd = str(request.get("cmd", "")) if isinstance(request, dict) else ""
        param = request.get("param") if isinstance(request, dict) else None
        self.log.requests.append((self.key, cmd if param is None else f"{cmd}|{param}"))
        entry = self._find(cmd, param)
        if entry is None:
            self.log.unanswered.append((self.key, cmd))
            unknown = self.options.get("unknown")
            if unknown is None:
                return None
            return frame(json.dumps(unknown, separators=(",", ":")).encode())
        return frame(self.fixture.body(entry).rstrip(b"\x00\n"))

    def _find(self, cmd: str, param: Any) -> dict[str, Any] | None:
        for entry in self.entries:
            if entry[self.key] != cmd:
                continue
            if entry.get("param") != param:
                continue
            return entry
        return None
