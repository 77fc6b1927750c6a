"""HTTP to a miner's web server, on a caller-provided aiohttp session.

Home Assistant passes its shared session; the CLI and the tests pass their own. Digest
authentication is a per-request middleware, so one shared session can talk to many
miners with different passwords. Miners use self-signed certificates, so TLS is never
verified, and redirects are never followed: on identification the redirect itself is
the fingerprint.

A miner polled through its own ``ConnectionPool`` sends its plain-HTTP requests through
the lean client in ``http11`` (kept-alive connections, digest in ``digest``); HTTPS and
callers without a pool (identification, scans, the CLI) use the aiohttp session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from ..exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
)
from .digest import DigestState
from .http11 import POOL_LIMIT, KeptConnections
from .http11_request import LeanRequest, lean_request
from .json_scan import INLINE_PARSE_BYTES, loads_bounded

DEFAULT_TIMEOUT = 5.0
MAX_BODY_BYTES = 512 * 1024
# Every request runs under its own ``asyncio.timeout`` (``HttpClient.timeout``, seconds),
# far inside the session's (aiohttp: 300 s total, 30 s to connect): its timers, set
# and cancelled on every request, would never fire first.
_OWN_DEADLINE = aiohttp.ClientTimeout(total=None, sock_connect=None)


@dataclass(frozen=True, slots=True)
class HttpReply:
    status: int
    headers: Mapping[str, str]
    body: bytes
    # True when a tail read dropped the body's beginning (``HttpClient.request(tail=...)``).
    cut: bool = False

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; a redirect, a bad or too deep body is ``MinerResponseError``.

        A 3xx body is the web server's "moved" page, never the data asked for (no
        family follows a redirect for data; identification reads the redirect itself).
        """
        if 300 <= self.status < 400:
            where = self.headers.get("Location") or self.headers.get("location") or "elsewhere"
            raise MinerResponseError(f"HTTP {self.status}: redirected to {where[:80]!r}")
        return loads_bounded(self.body, "HTTP reply")


# ``POOL_LIMIT`` (``http11``): connections one miner's own pool opens at once, a poll's
# requests, no more (its web server is small; requests beyond wait their turn inside the
# poll's deadline).


class ConnectionPool:
    """One miner's own HTTP connections, kept idle longer than a shared session keeps them.

    aiohttp drops an idle connection after 15 s, Home Assistant's poll interval, so a
    poll through the shared session found its connection closed on a third of polls
    and reconnected. A miner's own pool keeps them ``keep_alive`` seconds; a web server
    that ends them sooner costs a new connection, as before (an idempotent request sent
    on a kept connection the server had closed, and so not answered at all, goes out
    once more; a POST does not, as with aiohttp).
    Created on first use, inside the event loop; ``close`` releases the sockets, after
    which requests go through the caller's session again rather than open a pool
    nobody closes.

    Plain HTTP goes through the lean client's ``KeptConnections`` (``kept``): aiohttp's
    general machinery cost several times a miner's small request. Its session
    (``session``) is made only for HTTPS, which stays on aiohttp.
    """

    def __init__(self, keep_alive: float, limit: int = POOL_LIMIT) -> None:
        self.keep_alive = keep_alive
        self.limit = limit
        self.closed = False
        self._session: aiohttp.ClientSession | None = None
        self._kept: KeptConnections | None = None

    def kept(self) -> KeptConnections | None:
        """The lean client's connections, ``None`` once closed."""
        if self.closed:
            return None
        if self._kept is None:
            self._kept = KeptConnections(self.keep_alive, self.limit)
        return self._kept

    def session(self) -> aiohttp.ClientSession | None:
        """The pool's session, ``None`` once closed."""
        if self.closed:
            return None
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self.limit, limit_per_host=self.limit, keepalive_timeout=self.keep_alive
            )
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    async def close(self) -> None:
        self.closed = True
        kept, self._kept = self._kept, None
        if kept is not None:
            kept.close()
        session, self._session = self._session, None
        if session is not None:
            await session.close()


@dataclass(slots=True)
class HttpClient:
    """One miner's web server (one scheme and port)."""

    host: str
    port: int
    session: aiohttp.ClientSession
    scheme: str = "http"
    timeout: float = DEFAULT_TIMEOUT
    max_body_bytes: int = MAX_BODY_BYTES
    digest: tuple[str, str] | None = field(default=None, repr=False)
    requests: int = 0
    # The miner's own pool (``ConnectionPool``), else (or once it is closed) ``session``.
    pool: ConnectionPool | None = field(default=None, repr=False)
    _middleware: aiohttp.DigestAuthMiddleware | None = field(default=None, repr=False)
    _digest: DigestState | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        default = 80 if self.scheme == "http" else 443
        port = "" if self.port == default else f":{self.port}"
        host = self.host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # an IPv6 literal
        return f"{self.scheme}://{host}{port}"

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        auth_required: bool = True,
        tail: int | None = None,
    ) -> HttpReply:
        """Send one request; 401/403 become ``MinerAuthenticationError``.

        With ``tail`` the body may be any length: only its last ``tail`` bytes are
        kept (a log), and the reply says whether its beginning was cut.
        """
        kept = self.pool.kept() if self.pool is not None and self.scheme == "http" else None
        self.requests += 1
        if kept is not None:
            if self._digest is None and self.digest is not None:
                self._digest = DigestState(*self.digest)
            reader = await lean_request(
                kept,
                LeanRequest(self.host, self.port, method, path, self.base_url + path),
                json_body=json_body,
                data=data,
                headers=headers,
                digest=self._digest,
                limit=self.max_body_bytes,
                tail=tail,
                timeout=self.timeout,
            )
            reply = HttpReply(reader.status, reader.headers, bytes(reader.body), reader.cut)
        else:
            reply = await self._through_session(
                method, path, json_body=json_body, data=data, headers=headers, tail=tail
            )
        if auth_required and reply.status in (401, 403):
            url = self.base_url + path
            raise MinerAuthenticationError(f"{method} {url}: credentials refused ({reply.status})")
        return reply

    async def _through_session(
        self,
        method: str,
        path: str,
        *,
        json_body: Any,
        data: Any,
        headers: Mapping[str, str] | None,
        tail: int | None,
    ) -> HttpReply:
        """The request on aiohttp: HTTPS, and callers without a pool of their own."""
        middlewares: tuple[aiohttp.DigestAuthMiddleware, ...] = ()
        if self.digest is not None:
            if self._middleware is None:
                self._middleware = aiohttp.DigestAuthMiddleware(*self.digest)
            middlewares = (self._middleware,)
        url = self.base_url + path
        try:
            async with asyncio.timeout(self.timeout):
                async with self._session().request(
                    method,
                    url,
                    json=json_body,
                    data=data,
                    headers=headers,
                    allow_redirects=False,
                    ssl=False,
                    middlewares=middlewares,
                    timeout=_OWN_DEADLINE,
                ) as resp:
                    if tail is None:
                        return HttpReply(
                            resp.status, dict(resp.headers), await self._read_body(resp, url)
                        )
                    body, cut = await _read_tail(resp, tail)
                    return HttpReply(resp.status, dict(resp.headers), body, cut)
        except TimeoutError as err:
            raise MinerTimeoutError(f"{method} {url}: no reply in {self.timeout} s") from err
        except (aiohttp.ClientError, OSError) as err:
            raise MinerConnectionError(f"{method} {url}: {err}") from err

    def _session(self) -> aiohttp.ClientSession:
        own = self.pool.session() if self.pool is not None else None
        return self.session if own is None else own

    async def _read_body(self, resp: aiohttp.ClientResponse, url: str) -> bytes:
        """The whole body, or ``MinerResponseError`` once it passes the size bound.

        The loop yields after every chunk, so a fast stream never holds it.
        """
        limit = self.max_body_bytes
        if resp.content_length is not None and resp.content_length > limit:
            raise MinerResponseError(f"{url}: body larger than {limit} bytes")
        body = bytearray()
        async for chunk in resp.content.iter_chunked(65536):
            body += chunk
            if len(body) > limit:
                raise MinerResponseError(f"{url}: body larger than {limit} bytes")
            if not resp.content.is_eof():  # no turn of the loop after the last chunk
                await asyncio.sleep(0)
        return bytes(body)

    async def get_json(self, path: str, **kwargs: Any) -> Any:
        reply = await self.request("GET", path, **kwargs)
        return await json_of(_ok(reply, path))

    async def post_json(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        reply = await self.request("POST", path, json_body=body, **kwargs)
        return await json_of(_ok(reply, path))


async def _read_tail(resp: aiohttp.ClientResponse, keep: int) -> tuple[bytes, bool]:
    """The body's last ``keep`` bytes, and whether anything before them was dropped.

    Memory stays bounded whatever the length; the request's deadline bounds the time.
    """
    body = bytearray()
    cut = False
    async for chunk in resp.content.iter_chunked(65536):
        body += chunk
        if len(body) > keep:
            del body[: len(body) - keep]
            cut = True
        await asyncio.sleep(0)
    return bytes(body), cut


async def json_of(reply: HttpReply) -> Any:
    """``reply.json()``, off the event loop when the body is large."""
    if len(reply.body) > INLINE_PARSE_BYTES:
        return await asyncio.to_thread(reply.json)
    return reply.json()


def _ok(reply: HttpReply, path: str) -> HttpReply:
    """The reply, unless it is an error or a redirect (3xx is never the data)."""
    if reply.status >= 300:
        raise MinerResponseError(f"{path}: HTTP {reply.status} {reply.text[:80]!r}")
    return reply


@dataclass(slots=True)
class TokenAuth:
    """A token (or session cookie) got by logging in, renewed once when it is refused.

    ``login`` returns the headers to send; it raises ``MinerAuthenticationError`` when
    the credentials themselves are wrong, which stops the retry. Concurrent requests
    share one login: the first logs in while the others wait, and a refused token is
    only dropped if no one has replaced it meanwhile (firmware such as VNish locks the
    account after a few logins in a row).
    """

    login: Callable[[], Awaitable[dict[str, str]]] = field(repr=False)
    # The token or session cookie itself: never in a repr or a log line.
    _headers: dict[str, str] | None = field(default=None, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    _attempts: int = 0
    _failure: MinerError | None = None

    def invalidate(self, stale: dict[str, str] | None = None) -> None:
        if stale is None or self._headers is stale:
            self._headers = None

    async def headers(self) -> dict[str, str]:
        seen = self._attempts
        async with self._lock:
            if self._headers is None:
                if self._attempts != seen and self._failure is not None:
                    # A login that failed while this request waited fails it too: a
                    # silent miner must not cost one login deadline per request.
                    raise self._failure
                self._attempts += 1
                try:
                    self._headers = await self.login()
                except MinerError as err:
                    self._failure = err
                    raise
                self._failure = None
            return self._headers

    async def request(self, client: HttpClient, method: str, path: str, **kwargs: Any) -> HttpReply:
        extra = kwargs.pop("headers", None) or {}
        for attempt in (1, 2):
            token = await self.headers()
            try:
                return await client.request(method, path, headers={**extra, **token}, **kwargs)
            except MinerAuthenticationError:
                self.invalidate(token)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def json(self, client: HttpClient, method: str, path: str, **kwargs: Any) -> Any:
        return await json_of(_ok(await self.request(client, method, path, **kwargs), path))
