"""The lean HTTP/1.1 client (a miner's own pool, plain HTTP) over real loopback sockets.

A raw server answers each request with scripted bytes, so kept-alive reuse, a server
that closed a kept connection, hostile replies and slow ones are all real socket
behaviour; digest and the ordinary requests run against the aiohttp test server of
``test_http`` (the simulator's ``DigestGuard``).
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp
import pytest

from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerResponseError,
    MinerTimeoutError,
)
from custom_components.asic_miner.driver.transports.digest import DigestState, parse_challenge
from custom_components.asic_miner.driver.transports.http import ConnectionPool, HttpClient
from custom_components.asic_miner.driver.transports.http11_request import host_header
from tests.driver.test_http import _hosts, _server

type Script = Callable[[Raw, asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]


class Raw:
    """A loopback server running ``script(reader, writer, connection number)`` per connection."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.connections = 0
        self.requests: list[bytes] = []
        self.handlers: set[asyncio.Task[None]] = set()
        self.host = ""
        self.port = 0

    async def read_request(self, reader: asyncio.StreamReader) -> bytes:
        """One request (head and Content-Length body), b"" at the end of the stream."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return b""
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        request = head + await reader.readexactly(length)
        self.requests.append(request)
        return request

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self.handlers.add(task)
        try:
            await self.script(self, reader, writer, self.connections)
        except ConnectionError, asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()


@asynccontextmanager
async def raw_server(script: Script) -> AsyncIterator[Raw]:
    raw = Raw(script)
    for host in _hosts():
        try:
            server = await asyncio.start_server(raw._serve, host, 0)
        except OSError as err:  # pragma: no cover - another run holds the address
            if err.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
                continue
            raise
        raw.host = host
        raw.port = server.sockets[0].getsockname()[1]
        async with server:
            try:
                yield raw
            finally:
                server.close()
                for task in raw.handlers:  # a script still writing (slowloris) ends here
                    task.cancel()
                await asyncio.gather(*raw.handlers, return_exceptions=True)
        return
    raise AssertionError("no free loopback address")  # pragma: no cover


@asynccontextmanager
async def lean(raw: Raw, **kwargs: object) -> AsyncIterator[tuple[HttpClient, ConnectionPool]]:
    pool = ConnectionPool(60.0)
    client = HttpClient(raw.host, raw.port, None, pool=pool, **kwargs)  # type: ignore[arg-type]
    try:
        yield client, pool
    finally:
        await pool.close()


def ok(body: bytes, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


def replies(*answers: bytes, close_after: bool = False) -> Script:
    """Answer each request on a connection with the next of ``answers``."""

    async def script(
        raw: Raw, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int
    ) -> None:
        for answer in answers:
            if not await raw.read_request(reader):
                return
            writer.write(answer)
            await writer.drain()
        if not close_after:
            await reader.read()  # until the client closes

    return script


# -- kept-alive connections --------------------------------------------------------------


async def test_requests_share_one_kept_connection() -> None:
    script = replies(ok(b'{"a":1}'), ok(b'{"a":2}'), ok(b"[]"))
    async with raw_server(script) as raw, lean(raw) as (client, pool):
        assert await client.get_json("/one") == {"a": 1}
        assert await client.post_json("/two", {"x": [1]}) == {"a": 2}
        reply = await client.request("POST", "/form", data={"user": "root", "pw": "a b"})
        assert reply.body == b"[]"
        kept = pool.kept()
        assert kept is not None
        assert (kept.opened, kept.idle) == (1, 1)
    assert raw.connections == 1
    get, post, form = raw.requests
    assert get.startswith(b"GET /one HTTP/1.1\r\nHost: %s:%d\r\n" % (raw.host.encode(), raw.port))
    assert b"Content-Type: application/json\r\nContent-Length: 10\r\n\r\n" in post
    assert post.endswith(b'{"x": [1]}')
    assert b"application/x-www-form-urlencoded" in form
    assert form.endswith(b"user=root&pw=a+b")


async def test_a_kept_connection_the_server_closed_is_replaced() -> None:
    """The server ends each connection after one reply without saying so: the next
    request, sent on the dead connection and never answered, goes out once more."""

    async def script(
        raw: Raw, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int
    ) -> None:
        await raw.read_request(reader)
        writer.write(ok(b"%d" % n))
        await writer.drain()
        if n == 2:  # the client sends on it before it sees the close
            await raw.read_request(reader)

    async with raw_server(script) as raw, lean(raw) as (client, _pool):
        assert (await client.request("GET", "/")).body == b"1"
        await asyncio.sleep(0)  # the close may or may not have arrived
        assert (await client.request("GET", "/")).body in (b"2", b"3")
        assert (await client.request("GET", "/")).body in (b"3", b"4")
    assert raw.connections in (3, 4)


async def test_a_post_on_a_kept_connection_closed_unanswered_is_not_sent_again() -> None:
    """The server took the POST (a restart, a setting) and closed without a reply: sending
    it once more could act twice, so it is a connection error (a GET goes out again)."""

    async def script(
        raw: Raw, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int
    ) -> None:
        await raw.read_request(reader)
        writer.write(ok(b"1"))
        await writer.drain()
        await raw.read_request(reader)  # the POST, acted on, then the connection ends

    async with raw_server(script) as raw, lean(raw) as (client, _pool):
        assert (await client.request("GET", "/")).body == b"1"
        with pytest.raises(MinerConnectionError, match="closed before replying"):
            await client.request("POST", "/restart")
    assert [r.split(b" ", 1)[0] for r in raw.requests] == [b"GET", b"POST"]
    assert raw.connections == 1


async def test_a_post_never_sent_on_a_closing_connection_goes_out_on_a_new_one() -> None:
    """A kept connection already closing when taken never carried the POST: no double."""
    async with raw_server(replies(ok(b"1"), ok(b"2"))) as raw, lean(raw) as (client, pool):
        assert (await client.request("GET", "/")).body == b"1"
        kept = pool.kept()
        assert kept is not None
        kept._idle[0]._transport.close()  # type: ignore[union-attr]  # its close not yet seen
        assert (await client.request("POST", "/restart")).body == b"1"
    assert [r.split(b" ", 1)[0] for r in raw.requests] == [b"GET", b"POST"]
    assert raw.connections == 2


async def test_a_new_connection_closed_unanswered_is_a_connection_error() -> None:
    async def script(
        raw: Raw, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int
    ) -> None:
        await raw.read_request(reader)

    async with raw_server(script) as raw, lean(raw) as (client, _pool):
        with pytest.raises(MinerConnectionError, match="closed before replying"):
            await client.request("GET", "/")
    assert raw.connections == 1  # a fresh connection is not retried


async def test_close_and_http10_replies_are_not_kept() -> None:
    answers = (
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na",
        b"HTTP/1.0 200 OK\r\n\r\nb",
    )

    async def script(
        raw: Raw, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int
    ) -> None:
        await raw.read_request(reader)
        writer.write(answers[n - 1])

    async with raw_server(script) as raw, lean(raw) as (client, pool):
        assert (await client.request("GET", "/")).body == b"a"
        assert (await client.request("GET", "/")).body == b"b"
        kept = pool.kept()
        assert kept is not None
        assert kept.idle == 0
    assert raw.connections == 2


async def test_a_closed_pool_sends_through_the_callers_session(
    session: aiohttp.ClientSession,
) -> None:
    async with await _server() as server:
        pool = ConnectionPool(60.0)
        client = server.client(session, pool=pool)
        assert await client.post_json("/echo", {"a": 1}) == {"body": {"a": 1}, "x": None}
        await pool.close()
        assert pool.kept() is None
        assert await client.post_json("/echo", {"a": 2}) == {"body": {"a": 2}, "x": None}


async def test_cancelled_requests_abort_their_connection_and_free_their_turn() -> None:
    """Requests past the pool's limit wait; cancelling those under way aborts their
    connections (the server sees them end) and hands their turns on."""
    ended: list[int] = []
    both_sent, both_ended = asyncio.Event(), asyncio.Event()

    async def script(
        raw: Raw, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int
    ) -> None:
        await raw.read_request(reader)
        if n <= 2:  # never answered
            if len(raw.requests) == 2:
                both_sent.set()
            await reader.read()
            ended.append(n)
            if len(ended) == 2:
                both_ended.set()
            return
        writer.write(ok(b"late"))
        await writer.drain()
        await reader.read()

    async with raw_server(script) as raw:
        pool = ConnectionPool(60.0, limit=2)
        client = HttpClient(raw.host, raw.port, None, pool=pool)  # type: ignore[arg-type]
        stuck = [asyncio.ensure_future(client.request("GET", f"/{i}")) for i in range(2)]
        waiting = asyncio.ensure_future(client.request("GET", "/late"))
        await both_sent.wait()
        assert not waiting.done()
        for task in stuck:
            task.cancel()
        assert (await waiting).body == b"late"
        assert all(task.cancelled() for task in stuck)
        await both_ended.wait()
        kept = pool.kept()
        assert kept is not None
        assert (kept.opened, kept.idle) == (3, 1)
        await pool.close()
    assert sorted(ended) == [1, 2]


# -- hostile and slow servers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "error", "match"),
    [
        (b"garbage\r\n\r\n", MinerConnectionError, "status line"),
        (b"HTTP/1.1 200 OK\r\nX: " + b"a" * 40000, MinerConnectionError, "head longer"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"f" * 2000,
            MinerConnectionError,
            "line too long",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
            MinerConnectionError,
            "chunk size",
        ),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 99999\r\n\r\n", MinerResponseError, "larger than"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", MinerConnectionError, "mid-reply"),
    ],
)
async def test_hostile_replies(answer: bytes, error: type[Exception], match: str) -> None:
    async def script(
        raw: Raw, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int
    ) -> None:
        await raw.read_request(reader)
        writer.write(answer)
        await writer.drain()

    async with raw_server(script) as raw, lean(raw, max_body_bytes=1000) as (client, pool):
        with pytest.raises(error, match=match):
            await client.request("GET", "/")
        kept = pool.kept()
        assert kept is not None
        assert kept.idle == 0


@pytest.mark.parametrize("chunked", [False, True])
async def test_slowloris_ends_at_the_deadline(chunked: bool) -> None:
    """A server that trickles bytes forever (head or chunk sizes) ends at the deadline."""

    async def script(
        raw: Raw, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int
    ) -> None:
        await raw.read_request(reader)
        if chunked:
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        while True:
            writer.write(b"1\r\nx\r\n" if chunked else b"X")
            await writer.drain()
            await asyncio.sleep(0.01)

    async with (
        raw_server(script) as raw,
        lean(raw, timeout=0.3, max_body_bytes=100_000) as (client, _pool),
    ):
        started = time.monotonic()
        with pytest.raises(MinerTimeoutError, match=r"GET http://.*/: no reply in 0.3 s"):
            await client.request("GET", "/")
    assert time.monotonic() - started < 0.8


async def test_tail_keeps_the_end_of_a_long_chunked_log() -> None:
    log = b"".join(b"line %05d\n" % i for i in range(5000))
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(log[i : i + 4096]), log[i : i + 4096])
        for i in range(0, len(log), 4096)
    )
    answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"
    async with raw_server(replies(answer)) as raw, lean(raw, max_body_bytes=1000) as (client, _):
        reply = await client.request("GET", "/log", tail=2000)
    assert reply.cut
    assert reply.body == log[-2000:]


async def test_refused_connection() -> None:
    async with raw_server(replies()) as raw:
        host, port = raw.host, raw.port
    pool = ConnectionPool(60.0)
    client = HttpClient(host, port, None, pool=pool, timeout=2.0)  # type: ignore[arg-type]
    with pytest.raises(MinerConnectionError) as info:
        await client.request("GET", "/")
    assert not isinstance(info.value, MinerTimeoutError)
    await pool.close()


async def test_port_out_of_range_is_a_connection_error() -> None:
    pool = ConnectionPool(60.0)
    client = HttpClient("127.0.0.1", 70000, None, pool=pool)  # type: ignore[arg-type]
    with pytest.raises(MinerConnectionError, match="port must be"):
        await client.request("GET", "/")
    await pool.close()


def test_line_breaks_and_hosts_in_the_request() -> None:
    assert host_header("fd00::5", 8080) == "[fd00::5]:8080"
    assert host_header("[fd00::5]", 80) == "[fd00::5]"
    pool = ConnectionPool(60.0)
    client = HttpClient("127.0.0.1", 8080, None, pool=pool)  # type: ignore[arg-type]
    for bad in ({"X-Token": "a\r\nEvil: 1"}, None):
        path = "/ok" if bad else "/a b"
        with pytest.raises(MinerResponseError, match="line break"):
            asyncio.run(client.request("GET", path, headers=bad))


async def test_header_values_from_the_miner_go_back_as_sent() -> None:
    """A cookie of bytes that are not UTF-8 goes back as those bytes; a token holding a
    lone surrogate (a JSON escape) is the driver's error, not a ``UnicodeEncodeError``."""
    async with raw_server(replies(ok(b"{}"))) as raw, lean(raw) as (client, _pool):
        cookie = b"s=\xff\xfe".decode("utf-8", "surrogateescape")
        assert (await client.request("GET", "/", headers={"Cookie": cookie})).status == 200
        with pytest.raises(MinerResponseError, match="cannot be sent"):
            await client.request("GET", "/", headers={"Authorization": "\ud800"})
    assert b"\r\nCookie: s=\xff\xfe\r\n" in raw.requests[0]
    assert len(raw.requests) == 1


# -- digest -------------------------------------------------------------------------------


async def test_digest_nonce_reused_on_kept_connections(session: aiohttp.ClientSession) -> None:
    async with await _server() as server:
        pool = ConnectionPool(60.0)
        client = server.client(session, digest=("root", "secret"), pool=pool)
        assert await client.get_json("/protected") == {"ok": True, "method": "GET"}
        assert await client.post_json("/protected", {"a": 1}) == {"ok": True, "method": "POST"}
        assert await client.get_json("/protected") == {"ok": True, "method": "GET"}
        kept = pool.kept()
        assert kept is not None
        assert kept.opened == 1
        await pool.close()
    # one challenge, then every request answered first time with the counted nonce
    assert len(server.hits) == 4
    assert "Authorization" not in server.hits[0].headers
    assert [h.headers["Authorization"].split("nc=")[1][:8] for h in server.hits[1:]] == [
        "00000001",
        "00000002",
        "00000003",
    ]


async def test_digest_wrong_password_and_no_credentials(session: aiohttp.ClientSession) -> None:
    async with await _server() as server:
        pool = ConnectionPool(60.0)
        client = server.client(session, digest=("root", "wrong"), pool=pool)
        with pytest.raises(MinerAuthenticationError, match=r"credentials refused \(401\)") as info:
            await client.get_json("/protected")
        assert "wrong" not in str(info.value)
        assert len(server.hits) == 2  # the challenge, then one answer
        bare = server.client(session, pool=pool)
        reply = await bare.request("GET", "/protected", auth_required=False)
        assert 'realm="antMiner Configuration"' in reply.headers["WWW-Authenticate"]
        await pool.close()


async def test_digest_challenge_and_answer_share_one_deadline() -> None:
    """The challenge and the answered request together get the client's timeout once."""
    challenge = (
        b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n"
        b'WWW-Authenticate: Digest realm="r", nonce="n1", qop="auth"\r\n\r\n'
    )

    async def script(
        raw: Raw, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int
    ) -> None:
        for answer in (challenge, ok(b"{}")):
            await raw.read_request(reader)
            await asyncio.sleep(0.1)
            writer.write(answer)
            await writer.drain()
        await reader.read()

    async with raw_server(script) as raw, lean(raw, timeout=0.15, digest=("u", "p")) as (c, _):
        with pytest.raises(MinerTimeoutError, match=r"no reply in 0\.15 s"):
            await c.request("GET", "/")


def test_digest_challenge_not_utf8_is_not_answered() -> None:
    """A nonce of bytes that are not UTF-8 (kept as surrogates) is no challenge to hash."""
    header = b'Digest realm="r", nonce="\xff\xfe", qop="auth"'.decode("utf-8", "surrogateescape")
    assert parse_challenge(header) is None
    assert not DigestState("u", "p").take(header, None)
    assert parse_challenge('Digest realm="Büro", nonce="n"') is not None


# RFC 7616 §3.9.1's worked example.
RFC_CHALLENGE = (
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm={algorithm}, '
    'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", '
    'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
)
RFC_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


@pytest.mark.parametrize(
    ("algorithm", "response"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_digest_rfc_7616_example(
    monkeypatch: pytest.MonkeyPatch, algorithm: str, response: str
) -> None:
    monkeypatch.setattr("secrets.token_hex", lambda _n: RFC_CNONCE)
    state = DigestState("Mufasa", "Circle of Life")
    assert state.take(RFC_CHALLENGE.format(algorithm=algorithm), None)
    header = state.authorization("GET", "/dir/index.html", b"")
    assert f'response="{response}"' in header
    assert "qop=auth, nc=00000001" in header
    assert 'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"' in header


def test_digest_challenges() -> None:
    state = DigestState("u", "p")
    assert not state.take('Basic realm="x"', None)
    assert parse_challenge('Digest realm="x", nonce="n", algorithm=SHA-512') is None
    assert parse_challenge('Digest realm="x", nonce="n", qop="auth-conf"') is None
    assert state.take('Digest realm="x", nonce="n1", qop="auth"', None)
    state.authorization("GET", "/", b"")
    # the same nonce refused again: a wrong password, no retry
    assert not state.take('Digest realm="x", nonce="n1", qop="auth"', "n1")
    # stale, or a rotated nonce: retry, and the count starts again
    assert state.take('Digest realm="x", nonce="n1", qop="auth", stale=TRUE', "n1")
    assert state.take('Digest realm="x", nonce="n2", qop="auth"', "n1")
    assert state.count == 0
    # RFC 2069 (no qop), -sess and auth-int forms
    state.take('Digest realm="a \\"b\\"", nonce="n3", algorithm=MD5-sess', None)
    header = state.authorization("GET", "/", b"")
    assert "qop" not in header
    assert 'realm="a \\"b\\""' in header
    state.take('Digest realm="x", nonce="n4", qop="auth-int"', None)
    header = state.authorization("POST", "/", b"{}")
    ha1 = hashlib.md5(b"u:x:p").hexdigest()
    assert "qop=auth-int" in header
    assert ha1 not in header
