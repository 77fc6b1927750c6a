"""One request through the lean client: its bytes, its deadline, its digest answer.

``HttpClient.request`` calls ``lean_request`` for a miner polled through its own pool.
The request is built as aiohttp built it from the same arguments (``json=`` as
``json.dumps`` with ``application/json``, a mapping as a form, ``Content-Length: 0`` on
an empty POST), so the firmware sees the same request; errors map to the driver's types
as the aiohttp path maps them (a reply that is not HTTP is a connection error, a body
past the bound a response error).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import urlencode

from ..exceptions import MinerConnectionError, MinerResponseError, MinerTimeoutError
from .digest import DigestState
from .http11 import KeptConnections
from .http11_reply import MalformedReplyError, ReplyReader

_WITH_BODY = frozenset(("POST", "PUT", "PATCH"))
# Sent once more when a kept connection closed unanswered (aiohttp's set); a POST never.
_IDEMPOTENT = frozenset(("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"))


class LeanRequest(NamedTuple):
    """Where a request goes and what it asks for; ``url`` only names it in errors."""

    host: str
    port: int
    method: str
    path: str
    url: str


async def lean_request(
    kept: KeptConnections,
    to: LeanRequest,
    *,
    json_body: Any,
    data: Any,
    headers: Mapping[str, str] | None,
    digest: DigestState | None,
    limit: int,
    tail: int | None,
    timeout: float,
) -> ReplyReader:
    """The reply to one request, answering a digest challenge once (``DigestState.take``).

    One deadline covers both sends, as the aiohttp path's covers its digest middleware.
    """
    body, content_type = encode_body(json_body, data)
    head = request_head(to, body=body, content_type=content_type, headers=headers)
    try:
        async with asyncio.timeout(timeout):
            return await _exchange(kept, to, head, body, digest=digest, limit=limit, tail=tail)
    except TimeoutError as err:
        raise MinerTimeoutError(f"{to.method} {to.url}: no reply in {timeout} s") from err
    except (MalformedReplyError, OSError) as err:
        raise MinerConnectionError(f"{to.method} {to.url}: {err}") from err
    except MinerResponseError as err:
        raise MinerResponseError(f"{to.url}: {err}") from err


async def _exchange(
    kept: KeptConnections,
    to: LeanRequest,
    head: bytes,
    body: bytes | None,
    *,
    digest: DigestState | None,
    limit: int,
    tail: int | None,
) -> ReplyReader:
    for attempt in (1, 2):
        sent_nonce = None
        lines = head
        if digest is not None and digest.challenge is not None:
            sent_nonce = digest.challenge.nonce
            answer = digest.authorization(to.method, to.path, body or b"")
            lines = head + f"Authorization: {answer}\r\n".encode()
        request = lines + b"\r\n" if body is None else lines + b"\r\n" + body
        reader = ReplyReader(head_request=to.method == "HEAD", limit=limit, tail=tail)
        reader = await kept.send(to.host, to.port, request, reader, replay=to.method in _IDEMPOTENT)
        if reader.status != 401 or digest is None or attempt == 2:
            return reader
        challenge = next(
            (v for k, v in reader.headers.items() if k.lower() == "www-authenticate"), ""
        )
        if not digest.take(challenge, sent_nonce):
            return reader
    raise AssertionError("unreachable")  # pragma: no cover


def encode_body(json_body: Any, data: Any) -> tuple[bytes | None, str | None]:
    """The request body and its type, as aiohttp makes them from ``json=`` and ``data=``."""
    if json_body is not None:
        return json.dumps(json_body).encode(), "application/json"
    if data is None:
        return None, None
    if isinstance(data, Mapping):
        return urlencode(data).encode(), "application/x-www-form-urlencoded"
    if isinstance(data, str):
        return data.encode(), "text/plain; charset=utf-8"
    return bytes(data), "application/octet-stream"


def host_header(host: str, port: int) -> str:
    """``Host:`` for the miner: an IPv6 literal in brackets, the port unless it is 80."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return host if port == 80 else f"{host}:{port}"


def request_head(
    to: LeanRequest,
    *,
    body: bytes | None,
    content_type: str | None,
    headers: Mapping[str, str] | None,
) -> bytes:
    """The request line and headers, without the blank line that ends them.

    A line break in a header value or a blank in the path (a token from a hostile
    reply, say) would split the request: it is refused before anything is sent.
    """
    lines = [
        f"{to.method} {to.path} HTTP/1.1\r\nHost: {host_header(to.host, to.port)}\r\n"
        "Accept: */*\r\n"
    ]
    if headers:
        for name, value in headers.items():
            lines.append(f"{name}: {value}\r\n")
            if name.lower() == "content-type":
                content_type = None
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}\r\n")
    if body is not None:
        lines.append(f"Content-Length: {len(body)}\r\n")
    elif to.method in _WITH_BODY:
        lines.append("Content-Length: 0\r\n")
    text = "".join(lines)
    breaks = len(lines) + 2  # the first piece holds three lines
    if text.count("\n") != breaks or text.count("\r") != breaks or " " in to.path:
        raise MinerResponseError(f"{to.method} {to.path[:80]!r}: a line break in the request")
    try:
        # A cookie the miner set with bytes that are not UTF-8 goes back as those bytes.
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate (a token's JSON escape): not sendable
        raise MinerResponseError(
            f"{to.method} {to.path[:80]!r}: a header that cannot be sent"
        ) from None
