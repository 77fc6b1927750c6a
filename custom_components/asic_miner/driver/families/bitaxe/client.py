"""AxeOS's HTTP API: plain requests on port 80, no login, the firmware's own gate.

There is no session to keep: each request is built on the miner's context (so a
changed timeout applies) and checked here, where a 401/403 means the firmware's own
gate and a write's reply is either empty or a short text.
"""

from __future__ import annotations

from typing import Any

from ...exceptions import MinerResponseError, MinerValueError
from ...transports.http import HttpClient, HttpReply
from .parse import ASIC, as_object, frequency_options


def refused(reply: HttpReply, path: str) -> None:
    """A 401/403 is the firmware's own gate, not a login: there are no credentials.

    AxeOS refuses clients outside private networks; the NerdQAxe firmware refuses
    writes without a one-time password once its owner switched OTP on. Neither is
    fixed by a password, so this is a refusal, not ``MinerAuthenticationError``.
    """
    if reply.status in (401, 403):
        raise MinerResponseError(
            f"{path} refused ({reply.status} {reply.text[:60]!r}); the miner answers only "
            "its local network, and takes changes only without one-time-password protection"
        )


async def get_json(web: HttpClient, path: str) -> Any:
    """One GET; anything but a 2xx is an error (a 302 goes to the captive portal)."""
    reply = await web.request("GET", path, auth_required=False)
    refused(reply, path)
    if reply.status >= 300:
        raise MinerResponseError(f"{path}: HTTP {reply.status} {reply.text[:80]!r}")
    return reply.json()


async def send(web: HttpClient, method: str, path: str, body: Any = None) -> HttpReply:
    """A write; the firmware answers an empty 200, or an error with a short text."""
    reply = await web.request(method, path, json_body=body, auth_required=False)
    refused(reply, path)
    if reply.status == 400:
        raise MinerValueError(f"{path}: the miner refused the value ({reply.text[:80]!r})")
    if reply.status >= 300:
        raise MinerResponseError(f"{path}: HTTP {reply.status} {reply.text[:80]!r}")
    content_type = next((v for k, v in reply.headers.items() if k.lower() == "content-type"), "")
    if reply.body and "json" in content_type.lower():
        reply.json()  # a JSON reply that does not parse is garbage, not a success
    return reply


async def optional_asic(web: HttpClient) -> dict[str, Any] | None:
    """``/api/system/asic`` where the release serves it; ``None`` where it does not.

    Older releases answer an unknown path with a 302 to the captive portal (or a page);
    a connection error is not an answer and is raised.
    """
    reply = await web.request("GET", ASIC.path, auth_required=False)
    if reply.status != 200:
        return None
    try:
        body = reply.json()
        frequency_options(body)
    except MinerResponseError, KeyError, TypeError:
        return None
    return as_object(body, ASIC.path)
