"""Replay captured miner replies over real loopback sockets.

A fixture folder (``tests/driver/fixtures/<family>/<release>/``) holds reply files and a
``manifest.json`` that maps requests to them (format: ``fixtures/README.md``). The
replay server serves the folder the way the real firmware would: reply files go out
byte for byte (trailing NULs, missing commas and all), an unknown request gets the
firmware's own refusal, and every transport is one small class so a new one (a framed
protocol, TLS) is one more class in ``TRANSPORTS``.

This is not the simulator: it has no state and invents nothing. It answers exactly what
the capture shows, so the driver is checked against real firmware, not against our own
reading of the protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import ssl
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from aiohttp import web

from custom_components.asic_miner.driver.models import Ports

FIXTURES = Path(__file__).parent / "fixtures"
MAX_REQUEST = 1024 * 1024


def fixture_folders() -> list[Path]:
    """Every ``<family>/<release>`` folder with a manifest, sorted for stable test IDs."""
    return sorted(p.parent for p in FIXTURES.glob("*/*/manifest.json"))


@dataclass(slots=True)
class Fixture:
    """A fixture folder loaded: the manifest and the folder to read reply files from."""

    folder: Path
    manifest: dict[str, Any]

    @classmethod
    def load(cls, folder: Path) -> Fixture:
        return cls(folder, json.loads((folder / "manifest.json").read_text()))

    @property
    def name(self) -> str:
        return f"{self.folder.parent.name}/{self.folder.name}"

    def body(self, entry: dict[str, Any]) -> bytes:
        """The bytes an entry answers with: its ``file`` verbatim, or its inline ``body``."""
        if "file" in entry:
            return (self.folder / str(entry["file"])).read_bytes()
        body = entry.get("body", "")
        return body.encode() if isinstance(body, str) else json.dumps(body).encode()

    def entries(self, key: str) -> list[dict[str, Any]]:
        return [e for e in self.manifest["replies"] if key in e]

    def options(self, key: str) -> dict[str, Any]:
        options: dict[str, Any] = self.manifest.get("transports", {}).get(key, {})
        return options


@dataclass(slots=True)
class RequestLog:
    """What the driver asked, per transport: proves connections per poll."""

    connections: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    unanswered: list[tuple[str, str]] = field(default_factory=list)

    def reset(self) -> None:
        self.connections.clear()
        self.requests.clear()
        self.unanswered.clear()

    def connected(self, transport: str) -> None:
        self.connections[transport] = self.connections.get(transport, 0) + 1


class Transport:
    """One listening socket serving one kind of entry (``key`` in a reply entry)."""

    key: ClassVar[str]
    port_field: ClassVar[str]  # the ``Ports`` field this transport moves

    def __init__(self, fixture: Fixture, host: str, log: RequestLog) -> None:
        self.fixture = fixture
        self.host = host
        self.log = log
        self.entries = fixture.entries(self.key)
        self.options = fixture.options(self.key)
        self.port = 0

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError


class _StreamTransport(Transport):
    """A raw TCP transport: subclasses turn one request into reply bytes (or ``None``)."""

    def __init__(self, fixture: Fixture, host: str, log: RequestLog) -> None:
        super().__init__(fixture, host, log)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.log.connected(self.key)
        try:
            reply = await self.exchange(reader)
            if reply is not None:
                writer.write(reply)
                await writer.drain()
        except OSError, asyncio.IncompleteReadError, TimeoutError, ValueError:
            pass
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def exchange(self, reader: asyncio.StreamReader) -> bytes | None:
        raise NotImplementedError


class CgminerRpc(_StreamTransport):
    """cgminer-style JSON RPC on 4028: one request, one reply, then the socket closes.

    Entries: ``{"rpc": "summary", "file": ...}`` (optional ``"parameter"``). Options under
    ``transports.rpc``: ``multicommand`` (``true``: ``a+b`` answers
    ``{"a": [reply_a], "b": [reply_b], "id": 1}`` as cgminer and bosminer do; ``false``:
    the ``invalid`` reply, as firmware that refuses it does), ``invalid`` (the file the
    firmware answers an unknown command with; without it the socket just closes),
    ``multicommand_terminator`` (appended to a built multicommand reply, default none).
    An entry whose ``rpc`` is itself ``a+b`` serves a captured multicommand verbatim.
    """

    key = "rpc"
    port_field = "rpc"

    async def exchange(self, reader: asyncio.StreamReader) -> bytes | None:
        raw = await asyncio.wait_for(self._read_request(reader), 5)
        command, parameter = _parse_rpc_request(raw)
        self.log.requests.append(
            (self.key, command if parameter is None else f"{command}|{parameter}")
        )
        direct = self._find(command, parameter)
        if direct is not None:
            return self.fixture.body(direct)
        if "+" in command and self.options.get("multicommand", False):
            return self._multicommand(command.split("+"))
        self.log.unanswered.append((self.key, command))
        return self._invalid()

    @staticmethod
    async def _read_request(reader: asyncio.StreamReader) -> bytes:
        buf = b""
        while len(buf) < MAX_REQUEST:
            chunk = await reader.read(65536)
            if not chunk:
                break
            buf += chunk
            text = buf.rstrip(b"\x00").strip()
            if text.startswith(b"{"):
                with contextlib.suppress(ValueError):
                    json.loads(text)
                    break
            elif text:
                break  # plain-text "command|parameter" requests are one write
        return buf

    def _find(self, command: str, parameter: str | None) -> dict[str, Any] | None:
        for entry in self.entries:
            if entry["rpc"] != command:
                continue
            if "parameter" in entry and entry["parameter"] != parameter:
                continue
            return entry
        return None

    def _multicommand(self, commands: list[str]) -> bytes | None:
        combined: dict[str, Any] = {}
        for command in commands:
            entry = self._find(command, None)
            if entry is None:
                self.log.unanswered.append((self.key, command))
                piece = self._invalid()
                if piece is None:
                    return None
            else:
                piece = self.fixture.body(entry)
            combined[command] = [json.loads(piece.rstrip(b"\x00").decode())]
        combined["id"] = 1
        terminator = str(self.options.get("multicommand_terminator", ""))
        return json.dumps(combined, separators=(",", ":")).encode() + terminator.encode()

    def _invalid(self) -> bytes | None:
        name = self.options.get("invalid")
        return None if name is None else (self.fixture.folder / name).read_bytes()


def _parse_rpc_request(raw: bytes) -> tuple[str, str | None]:
    text = raw.rstrip(b"\x00").decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        try:
            request = json.loads(text)
        except ValueError:
            return text, None
        if isinstance(request, dict):
            parameter = request.get("parameter")
            return str(request.get("command", "")), None if parameter is None else str(parameter)
        return text, None
    command, _, parameter = text.partition("|")
    return command, parameter or None


class Http(Transport):
    """HTTP on the web port: entries ``{"http": "GET /path", "status": 200, "file": ...}``.

    An entry matches on method and path (the query string is ignored unless the entry
    has ``"query"``) and, when it has ``body_contains`` (a string or a list), on every
    substring appearing in the raw request body; the first match wins. ``headers``
    go out as given (a 401 challenge, a ``Set-Cookie``); ``content_type`` defaults by the
    file's extension. An unknown request gets ``transports.http.unknown``: ``{"status":
    404, "file" or "body": ...}`` (the default is an empty 404), or ``{"close": true}``
    to drop the connection as some firmware does.
    """

    key = "http"
    port_field = "web"

    def __init__(self, fixture: Fixture, host: str, log: RequestLog) -> None:
        super().__init__(fixture, host, log)
        self._runner: web.AppRunner | None = None

    def ssl_context(self) -> ssl.SSLContext | None:
        return None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_REQUEST)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0, ssl_context=self.ssl_context())
        await site.start()
        server = site._server  # aiohttp has no public way to read the bound port
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.log.connected(self.key)
        body = (await request.read()).decode("utf-8", errors="replace")
        summary = f"{request.method} {request.path}"
        self.log.requests.append((self.key, summary))
        entry = self._find(request, body)
        if entry is None:
            self.log.unanswered.append((self.key, summary))
            entry = {"status": 404, "body": "", **self.options.get("unknown", {})}
            if entry.get("close"):
                assert request.transport is not None
                request.transport.close()
                raise ConnectionResetError("replay: connection dropped")
        headers = dict(entry.get("headers", {}))
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = entry.get("content_type") or _content_type(entry)
        return web.Response(
            body=self.fixture.body(entry), status=int(entry.get("status", 200)), headers=headers
        )

    def _find(self, request: web.Request, body: str) -> dict[str, Any] | None:
        for entry in self.entries:
            method, _, path = str(entry[self.key]).partition(" ")
            if method.upper() != request.method or path != request.path:
                continue
            if "query" in entry and entry["query"] != request.query_string:
                continue
            wanted = entry.get("body_contains", [])
            if isinstance(wanted, str):
                wanted = [wanted]
            if all(w in body for w in wanted):
                return entry
        return None


def _content_type(entry: dict[str, Any]) -> str:
    name = str(entry.get("file", ""))
    if name.endswith(".json") or isinstance(entry.get("body"), dict | list):
        return "application/json"
    if name.endswith(".html"):
        return "text/html"
    return "text/plain"


class Https(Http):
    """The same as ``Http`` behind TLS with a throw-away self-signed certificate."""

    key = "https"
    port_field = "https"

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as tmp:
            cert, key = _self_signed(Path(tmp))
            context.load_cert_chain(cert, key)
        return context


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "replay")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


# Transports by entry key; a new protocol is one class here.
TRANSPORTS: dict[str, type[Transport]] = {t.key: t for t in (CgminerRpc, Http, Https)}


def _register_family_transports() -> None:
    """Transports kept in their own modules (they import this one, so import them last)."""
    from tests.driver.replay_epic import HttpOnRpcPort
    from tests.driver.replay_whatsminer import WhatsminerV3

    for transport in (WhatsminerV3, HttpOnRpcPort):
        TRANSPORTS[transport.key] = transport


_register_family_transports()


class ReplayServer:
    """Serves one fixture folder on ``host``; ``ports`` is what the driver should dial.

    A transport the manifest does not use gets a port that refuses connections (a bound
    socket that never listens), as a real miner's closed port does.
    """

    def __init__(self, fixture: Fixture, host: str) -> None:
        self.fixture = fixture
        self.host = host
        self.log = RequestLog()
        self.transports: list[Transport] = []
        self._closed: list[Any] = []
        self.ports = Ports()

    def _used(self) -> list[str]:
        keys = {k for e in self.fixture.manifest["replies"] for k in e if k in TRANSPORTS}
        keys |= set(self.fixture.manifest.get("transports", {})) & set(TRANSPORTS)
        return sorted(keys)

    async def start(self) -> None:
        import socket

        ports: dict[str, int] = {}
        try:
            for key in self._used():
                transport = TRANSPORTS[key](self.fixture, self.host, self.log)
                await transport.start()
                self.transports.append(transport)
                ports[transport.port_field] = transport.port
            for name in Ports.__dataclass_fields__:
                if name not in ports:
                    closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    closed.bind((self.host, 0))
                    self._closed.append(closed)
                    ports[name] = closed.getsockname()[1]
        except BaseException:
            await self.stop()
            raise
        self.ports = Ports(**ports)

    async def stop(self) -> None:
        for transport in self.transports:
            await transport.stop()
        for sock in self._closed:
            sock.close()
        self.transports, self._closed = [], []

    async def __aenter__(self) -> ReplayServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
