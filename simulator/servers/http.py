"""HTTP servers on aiohttp, with digest auth and the miner's faults as middleware."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from ..faults import MALFORMED_BYTES, FaultKind, truncate
from ..state import MinerState

type RouteSetup = Callable[[web.Application], None]


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class DigestGuard:
    """Server side of RFC 7616 digest (MD5, qop=auth), as lighttpd on Antminers does it."""

    def __init__(self, realm: str, state: MinerState) -> None:
        self.realm = realm
        self.state = state
        self.nonce = secrets.token_hex(16)

    def challenge(self) -> web.Response:
        header = f'Digest realm="{self.realm}", nonce="{self.nonce}", qop="auth", algorithm=MD5'
        return web.Response(
            status=401, headers={"WWW-Authenticate": header}, text="401 Unauthorized"
        )

    def protect(self, handler: Handler) -> Handler:
        """``handler`` behind this guard: a request without a valid login gets the challenge."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            if not self.check(request):
                return self.challenge()
            return await handler(request)

        return wrapped

    def check(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Digest "):
            return False
        fields: dict[str, str] = {}
        for part in _split_params(header[len("Digest ") :]):
            key, _, value = part.partition("=")
            fields[key.strip()] = value.strip().strip('"')
        if fields.get("username") != self.state.username or fields.get("realm") != self.realm:
            return False
        ha1 = _md5(f"{self.state.username}:{self.realm}:{self.state.password}")
        ha2 = _md5(f"{request.method}:{fields.get('uri', '')}")
        if fields.get("qop"):
            expected = _md5(
                f"{ha1}:{fields.get('nonce')}:{fields.get('nc')}:{fields.get('cnonce')}:"
                f"{fields.get('qop')}:{ha2}"
            )
        else:
            expected = _md5(f"{ha1}:{fields.get('nonce')}:{ha2}")
        return secrets.compare_digest(expected, fields.get("response", ""))


def _split_params(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if current:
        parts.append("".join(current).strip())
    return parts


type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def fault_middleware(state: MinerState, stopping: asyncio.Event) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        transport = request.transport
        if state.rebooting:
            if transport is not None:
                transport.abort()
            raise asyncio.CancelledError
        fault = state.fault
        if fault is not None:
            if fault.kind is FaultKind.RESET:
                if transport is not None:
                    transport.abort()
                raise asyncio.CancelledError
            if fault.kind is FaultKind.SILENCE:
                await stopping.wait()
                raise asyncio.CancelledError
            if fault.kind is FaultKind.DELAY:
                try:
                    await asyncio.wait_for(stopping.wait(), fault.seconds)
                except TimeoutError:
                    pass
                else:
                    raise asyncio.CancelledError
            if fault.kind is FaultKind.MALFORMED:
                return web.Response(body=MALFORMED_BYTES, content_type="application/json")
        response = await handler(request)
        if (
            fault is not None
            and fault.kind is FaultKind.TRUNCATE
            and isinstance(response, web.Response)
        ):
            body = bytes(response.body or b"")  # type: ignore[arg-type]
            stream = web.StreamResponse(
                status=response.status, headers={"Content-Length": str(len(body))}
            )
            await stream.prepare(request)
            await stream.write(truncate(body))
            if request.transport is not None:
                request.transport.close()
            return stream
        return response

    return middleware


class HttpServer:
    def __init__(self, host: str, port: int, state: MinerState, routes: RouteSetup) -> None:
        self.host = host
        self.port = port
        self.state = state
        self.stopping = asyncio.Event()
        self.app = web.Application(middlewares=[fault_middleware(state, self.stopping)])
        routes(self.app)
        self._runner: web.AppRunner | None = None
        self.requests = 0

    async def start(self) -> None:
        self.stopping.clear()
        self._runner = web.AppRunner(
            self.app, access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()

    async def stop(self) -> None:
        if self._runner is not None:
            self.stopping.set()
            await self._runner.cleanup()
            self._runner = None
