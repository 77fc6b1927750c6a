"""The stock web CGI: digest-protected, with its own ways of saying no.

lighttpd answers 404 for a CGI the firmware lacks and 500 when it fails, and neither
is a success; a redirect (to a login page, say) is not the CGI's answer either.
``set_miner_conf.cgi`` resets every field it is not sent, so every write re-sends the
whole configuration it read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...exceptions import MinerControlRefusedError, MinerResponseError
from ...models import Credentials, PoolConfig
from ...pools import keep_passwords
from ...transports.http import HttpClient, HttpReply
from .parse import WEB_CONF

DEFAULT_CREDENTIALS = Credentials("root", "root")


async def cgi(web: HttpClient, what: str, path: str, **kwargs: Any) -> HttpReply:
    """POST to a CGI; an HTTP status of 3xx and above is ``MinerControlRefusedError``."""
    reply = await web.request("POST", path, **kwargs)
    if reply.status >= 300:
        raise MinerControlRefusedError(what, f"HTTP {reply.status} {reply.text[:80]!r}")
    return reply


def conf_with(
    conf: dict[str, Any], mode: int, pools: Sequence[PoolConfig] | None = None
) -> dict[str, Any]:
    """The configuration to send back: every field as read, the work mode (and, when
    given, the pools) changed; a pool without a password keeps the one read for it."""
    read = [
        {"url": p.get("url", ""), "user": p.get("user", ""), "pass": p.get("pass", "")}
        for p in conf.get("pools", [])
        if isinstance(p, dict)
    ]
    if pools is not None:
        now = [PoolConfig(p["url"], p["user"], p["pass"]) for p in read]
        read = [
            {"url": p.url, "user": p.user, "pass": p.password} for p in keep_passwords(pools, now)
        ]
    body: dict[str, Any] = {
        "bitmain-fan-ctrl": conf.get("bitmain-fan-ctrl", False),
        "bitmain-fan-pwm": conf.get("bitmain-fan-pwm", "100"),
        "freq-level": conf.get("freq-level", conf.get("bitmain-freq-level", "100")),
        "miner-mode": mode,
        "bitmain-work-mode": str(mode),
        "pools": read,
    }
    while len(body["pools"]) < 3:
        body["pools"].append({"url": "", "user": "", "pass": ""})
    return body


async def read_conf(web: HttpClient) -> dict[str, Any]:
    conf = await web.get_json(WEB_CONF.path)
    if not isinstance(conf, dict):
        raise MinerResponseError("miner configuration is not an object")
    return conf


async def write_conf(web: HttpClient, body: dict[str, Any], what: str) -> None:
    reply = (await cgi(web, what, "/cgi-bin/set_miner_conf.cgi", json_body=body)).json()
    if not isinstance(reply, dict) or reply.get("stats") != "success":
        raise MinerControlRefusedError(what, repr(reply)[:120])


async def write_mode(web: HttpClient, mode: int, what: str) -> None:
    """Read the configuration and send it back whole with ``mode``."""
    await write_conf(web, conf_with(await read_conf(web), mode), what)
