"""The HTTP transport against aiohttp servers started on loopback by each test.

Digest uses the simulator's ``DigestGuard`` (the server side lighttpd on Antminers
runs); tokens use a tiny login-protected route; HTTPS uses a self-signed certificate
made in the test.
"""

from __future__ import annotations

import asyncio
import datetime
import errno
import ipaddress
import json
import random
import re
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiohttp
import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerResponseError,
    MinerTimeoutError,
)
from custom_components.asic_miner.driver.transports.http import (
    ConnectionPool,
    HttpClient,
    HttpReply,
    TokenAuth,
)
from simulator.servers.http import DigestGuard
from simulator.state import MinerState, ModelSpec
from tests.driver.conftest import ALLOWED_HOSTS

SPEC = ModelSpec("Bitmain", "S19 Pro", 110.0, 3250, 1400, 3600)


def _hosts() -> list[str]:
    return [h for h in random.sample(ALLOWED_HOSTS, 60) if not h.endswith((".0", ".255"))]


class WebServer:
    """An aiohttp app on a free loopback address; handlers may await ``stopping``."""

    def __init__(self, setup: Callable[[web.Application, WebServer], None]) -> None:
        self.app = web.Application()
        self.stopping = asyncio.Event()
        self.hits: list[web.Request] = []
        setup(self.app, self)
        self.host = ""
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.ssl_context: ssl.SSLContext | None = None

    async def __aenter__(self) -> Self:
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        for host in _hosts():
            site = web.TCPSite(self._runner, host, 0, ssl_context=self.ssl_context)
            try:
                await site.start()
            except OSError as err:  # pragma: no cover - another run holds the address
                if err.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
                    continue
                raise
            self.host = host
            self.port = self._runner.addresses[0][1]
            return self
        raise AssertionError("no free loopback address")  # pragma: no cover

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stopping.set()
        assert self._runner is not None
        await self._runner.cleanup()

    def client(self, session: aiohttp.ClientSession, **kwargs: Any) -> HttpClient:
        scheme = "https" if self.ssl_context is not None else "http"
        return HttpClient(self.host, self.port, session, scheme=scheme, **kwargs)


def _routes(app: web.Application, server: WebServer) -> None:
    state = MinerState(spec=SPEC, username="root", password="secret")
    guard = DigestGuard("antMiner Configuration", state)

    async def protected(request: web.Request) -> web.StreamResponse:
        server.hits.append(request)
        if not guard.check(request):
            return guard.challenge()
        return web.json_response({"ok": True, "method": request.method})

    async def echo(request: web.Request) -> web.StreamResponse:
        server.hits.append(request)
        body = await request.read()
        return web.json_response(
            {"body": json.loads(body) if body else None, "x": request.headers.get("X-Extra")}
        )

    async def status(request: web.Request) -> web.StreamResponse:
        code = int(request.match_info["code"])
        headers = {"Location": "https://example.invalid/"} if code in (301, 307, 308) else None
        return web.Response(status=code, text=f"status {code}", headers=headers)

    async def text(request: web.Request) -> web.StreamResponse:
        return web.Response(text="<html>Miner Web Dashboard</html>", content_type="text/html")

    async def big(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"x" * 5000)

    async def chunked(request: web.Request) -> web.StreamResponse:
        size = int(request.query["size"])
        resp = web.StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        sent = 0
        while sent < size:
            piece = min(16384, size - sent)
            await resp.write(b"7" * piece)
            sent += piece
            await asyncio.sleep(0.001)
        await resp.write_eof()
        return resp

    async def hang(request: web.Request) -> web.StreamResponse:
        await server.stopping.wait()
        return web.Response(text="late")

    app.router.add_route("*", "/protected", protected)
    app.router.add_post("/echo", echo)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/text", text)
    app.router.add_get("/big", big)
    app.router.add_get("/chunked", chunked)
    app.router.add_get("/hang", hang)


async def _server() -> WebServer:
    return WebServer(_routes)


# -- digest -----------------------------------------------------------------------------


async def test_digest_success(session: aiohttp.ClientSession) -> None:
    async with await _server() as server:
        client = server.client(session, digest=("root", "secret"))
        assert await client.get_json("/protected") == {"ok": True, "method": "GET"}
        assert await client.post_json("/protected", {"a": 1}) == {"ok": True, "method": "POST"}
    assert client.requests == 2
    # the challenge was answered: every request that got through carried a digest
    assert server.hits[-1].headers["Authorization"].startswith("Digest ")


async def test_digest_wrong_password(session: aiohttp.ClientSession) -> None:
    async with await _server() as server:
        client = server.client(session, digest=("root", "wrong"))
        with pytest.raises(MinerAuthenticationError, match=r"credentials refused \(401\)") as info:
            await client.get_json("/protected")
    assert "wrong" not in str(info.value)


async def test_no_credentials_is_an_auth_error(session: aiohttp.ClientSession) -> None:
    async with await _server() as server:
        client = server.client(session)
        with pytest.raises(MinerAuthenticationError):
            await client.request("GET", "/protected")
        # identification probes look at the challenge instead of failing on it
        reply = await client.request("GET", "/protected", auth_required=False)
    assert reply.status == 401
    assert 'realm="antMiner Configuration"' in reply.headers["WWW-Authenticate"]


# -- status codes, redirects, bodies -----------------------------------------------------


@pytest.mark.parametrize("code", [401, 403])
async def test_auth_status_codes(session: aiohttp.ClientSession, code: int) -> None:
    async with await _server() as server:
        client = server.client(session)
        with pytest.raises(MinerAuthenticationError, match=re.escape(f"({code})")):
            await client.request("GET", f"/status/{code}")
        assert (await client.request("GET", f"/status/{code}", auth_required=False)).status == code


@pytest.mark.parametrize("code", [301, 307, 308])
async def test_redirect_not_followed(session: aiohttp.ClientSession, code: int) -> None:
    async with await _server() as server:
        reply = await server.client(session).request("GET", f"/status/{code}")
    assert reply.status == code
    assert reply.headers["Location"] == "https://example.invalid/"


@pytest.mark.parametrize("code", [404, 500])
async def test_error_status_on_json_helpers(session: aiohttp.ClientSession, code: int) -> None:
    async with await _server() as server:
        client = server.client(session)
        assert (await client.request("GET", f"/status/{code}")).status == code
        with pytest.raises(MinerResponseError, match=f"HTTP {code}"):
            await client.get_json(f"/status/{code}")


async def test_body_that_is_not_json(session: aiohttp.ClientSession) -> None:
    async with await _server() as server:
        client = server.client(session)
        reply = await client.request("GET", "/text")
        assert reply.text == "<html>Miner Web Dashboard</html>"
        with pytest.raises(MinerResponseError, match="not JSON"):
            await client.get_json("/text")


async def test_post_json_and_headers(session: aiohttp.ClientSession) -> None:
    async with await _server() as server:
        client = server.client(session)
        out = await client.post_json("/echo", {"mode": 1}, headers={"X-Extra": "yes"})
        assert out == {"body": {"mode": 1}, "x": "yes"}
        raw = await client.request("POST", "/echo", data=b"")
    assert raw.json() == {"body": None, "x": None}


@pytest.mark.parametrize("path", ["/big", "/chunked?size=5000"])
async def test_body_size_bound(session: aiohttp.ClientSession, path: str) -> None:
    async with await _server() as server:
        client = server.client(session, max_body_bytes=1000)
        with pytest.raises(MinerResponseError, match="larger than 1000"):
            await client.request("GET", path)


async def test_large_chunked_body_arrives_whole(session: aiohttp.ClientSession) -> None:
    async with await _server() as server:
        reply = await server.client(session).request("GET", "/chunked?size=300000")
    assert reply.body == b"7" * 300000


async def test_timeout(session: aiohttp.ClientSession) -> None:
    async with await _server() as server:
        client = server.client(session, timeout=0.4)
        started = time.monotonic()
        with pytest.raises(MinerTimeoutError, match=r"GET http://.*/hang: no reply in 0.4 s"):
            await client.request("GET", "/hang")
        elapsed = time.monotonic() - started
    assert 0.35 <= elapsed < 1.0


async def test_refused(session: aiohttp.ClientSession) -> None:
    host = _hosts()[0]
    with socket.socket() as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
    client = HttpClient(host, port, session, timeout=2.0)
    with pytest.raises(MinerConnectionError) as info:
        await client.request("GET", "/")
    assert not isinstance(info.value, MinerTimeoutError)


@pytest.mark.parametrize(
    ("host", "port", "scheme", "url"),
    [
        ("10.0.0.5", 80, "http", "http://10.0.0.5"),
        ("10.0.0.5", 443, "https", "https://10.0.0.5"),
        ("10.0.0.5", 8080, "http", "http://10.0.0.5:8080"),
        ("10.0.0.5", 80, "https", "https://10.0.0.5:80"),
        ("miner.lan", 443, "http", "http://miner.lan:443"),
        ("fd00::5", 8080, "http", "http://[fd00::5]:8080"),
        ("[fd00::5]", 80, "http", "http://[fd00::5]"),
    ],
)
def test_base_url(host: str, port: int, scheme: str, url: str) -> None:
    client = HttpClient(host, port, None, scheme=scheme)  # type: ignore[arg-type]
    assert client.base_url == url


def test_reply_helpers() -> None:
    reply = HttpReply(200, {}, b'{"a":[1]}')
    assert reply.json() == {"a": [1]}
    assert HttpReply(200, {}, b"\xff").text == "\ufffd"
    with pytest.raises(MinerResponseError):
        HttpReply(200, {}, b"").json()


# -- HTTPS with a self-signed certificate -------------------------------------------------


def _self_signed(host: str, directory: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "antMiner")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


async def test_https_self_signed(session: aiohttp.ClientSession, tmp_path: Path) -> None:
    server = await _server()
    # the certificate names an address the server may not get; it is not checked anyway
    server.ssl_context = _self_signed("127.0.0.1", tmp_path)
    async with server:
        client = server.client(session, digest=("root", "secret"))
        assert client.base_url.startswith("https://")
        assert await client.get_json("/protected") == {"ok": True, "method": "GET"}


# -- token sessions -------------------------------------------------------------------


def _token_routes(valid: set[str]) -> Callable[[web.Application, WebServer], None]:
    def setup(app: web.Application, server: WebServer) -> None:
        async def api(request: web.Request) -> web.StreamResponse:
            server.hits.append(request)
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in valid:
                return web.Response(status=401, text="token expired")
            return web.json_response({"token": token, "x": request.headers.get("X-Extra")})

        app.router.add_get("/api", api)

    return setup


class Logins:
    def __init__(self, *, refuse: bool = False) -> None:
        self.calls = 0
        self.refuse = refuse

    async def __call__(self) -> dict[str, str]:
        self.calls += 1
        if self.refuse:
            raise MinerAuthenticationError("login refused")
        return {"Authorization": f"Bearer t{self.calls}"}


async def test_token_relogin_once_then_success(session: aiohttp.ClientSession) -> None:
    valid = {"t2"}  # the first token has "expired"
    async with WebServer(_token_routes(valid)) as server:
        client = server.client(session)
        logins = Logins()
        auth = TokenAuth(logins)
        out = await auth.json(client, "GET", "/api", headers={"X-Extra": "1"})
        assert out == {"token": "t2", "x": "1"}
        assert logins.calls == 2
        # the renewed token is kept
        assert (await auth.json(client, "GET", "/api"))["token"] == "t2"
        assert logins.calls == 2
        # it expires again: one more login, one more retry
        valid.add("t3")
        valid.discard("t2")
        assert (await auth.request(client, "GET", "/api")).status == 200
        assert logins.calls == 3
    assert len(server.hits) == 5


async def test_token_gives_up_after_second_401(session: aiohttp.ClientSession) -> None:
    async with WebServer(_token_routes(set())) as server:
        client = server.client(session)
        logins = Logins()
        with pytest.raises(MinerAuthenticationError):
            await TokenAuth(logins).request(client, "GET", "/api")
    assert logins.calls == 2
    assert len(server.hits) == 2


async def test_token_wrong_credentials_stop_at_login(session: aiohttp.ClientSession) -> None:
    async with WebServer(_token_routes(set())) as server:
        logins = Logins(refuse=True)
        with pytest.raises(MinerAuthenticationError, match="login refused"):
            await TokenAuth(logins).request(server.client(session), "GET", "/api")
    assert logins.calls == 1
    assert server.hits == []


async def test_token_json_error_status(session: aiohttp.ClientSession) -> None:
    async with await _server() as server:
        auth = TokenAuth(Logins())
        with pytest.raises(MinerResponseError, match="HTTP 500"):
            await auth.json(server.client(session), "GET", "/status/500")


async def test_token_auth_shares_one_login_between_concurrent_requests() -> None:
    """Ten requests at once with no token log in once, not ten times."""
    logins = 0

    async def login() -> dict[str, str]:
        nonlocal logins
        logins += 1
        await asyncio.sleep(0.01)
        return {"Authorization": f"token-{logins}"}

    auth = TokenAuth(login)
    tokens = await asyncio.gather(*(auth.headers() for _ in range(10)))
    assert logins == 1
    assert all(t == {"Authorization": "token-1"} for t in tokens)
    stale = tokens[0]
    auth.invalidate(stale)
    fresh = await auth.headers()
    auth.invalidate(stale)  # a late refusal of the old token keeps the new one
    assert await auth.headers() is fresh
    assert logins == 2


# -- a miner's own connection pool -------------------------------------------------------


async def _connections(client: HttpClient, server: WebServer) -> int:
    """Connections two requests 0.2 s apart came on, told apart by the client's port."""
    ports = set()
    for _ in range(2):
        await client.post_json("/echo", {"a": 1})
        transport = server.hits[-1].transport
        assert transport is not None
        ports.add(transport.get_extra_info("peername")[1])
        await asyncio.sleep(0.2)  # past the shared session's keep-alive below
    return len(ports)


async def test_own_pool_keeps_idle_connections_past_the_shared_keep_alive() -> None:
    """A poll after the shared session dropped its idle connection reuses the pool's."""
    connector = aiohttp.TCPConnector(keepalive_timeout=0.05)
    async with aiohttp.ClientSession(connector=connector) as shared, await _server() as server:
        assert await _connections(server.client(shared), server) == 2
        pool = ConnectionPool(60.0)
        assert await _connections(server.client(shared, pool=pool), server) == 1
        await pool.close()


async def test_closed_pool_falls_back_to_the_callers_session(
    session: aiohttp.ClientSession,
) -> None:
    """Nothing reopens a pool once closed: requests go through the caller's session."""
    pool = ConnectionPool(60.0)
    async with await _server() as server:
        client = server.client(session, pool=pool)
        assert await client.post_json("/echo", {"a": 1}) == {"body": {"a": 1}, "x": None}
        await pool.close()
        assert pool.session() is None
        assert await client.post_json("/echo", {"a": 2}) == {"body": {"a": 2}, "x": None}
    await pool.close()  # twice is harmless


async def test_context_pool_only_with_keep_alive(session: aiohttp.ClientSession) -> None:
    """One pool per miner, shared by its clients and a moved copy, ended by ``close``."""
    plain = MinerContext("127.0.0.1", session)
    assert plain.web().pool is None
    await plain.close()
    ctx = MinerContext("127.0.0.1", session, keep_alive=30.0)
    pool = ctx.web().pool
    assert pool is not None
    assert pool.keep_alive == 30.0
    assert ctx.web(https=True).pool is pool
    moved = replace(ctx, host="127.0.0.2")
    assert moved.web().pool is pool
    assert pool.session() is not None
    await ctx.close()
    assert pool.closed
    assert pool.session() is None
