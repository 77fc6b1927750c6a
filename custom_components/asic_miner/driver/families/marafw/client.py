"""The MaraFW writes: digest login root / root on ``/kaonsu/v1/``.

``miner_config`` is read whole and sent back whole with one part changed (pyasic
merges its changes into the configuration it read, and asic-rs's BlockOps backend
does the same); the firmware answers ``{"error": false, "msg": "success"}``.
``locate_miner`` answers the locate state it now has; ``maintenance`` takes a type.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from ...exceptions import MinerControlRefusedError, MinerResponseError
from ...models import PoolConfig
from ...pools import keep_passwords
from ...transports.http import HttpClient
from ..antminer.client import DEFAULT_CREDENTIALS, cgi
from .parse import MAINTENANCE, WEB_CONFIG, WEB_LOCATE

__all__ = ["DEFAULT_CREDENTIALS", "config_pools", "locate", "maintenance", "read_config"]


async def read_config(web: HttpClient) -> dict[str, Any]:
    conf = await web.get_json(WEB_CONFIG.path)
    if not isinstance(conf, dict) or not isinstance(conf.get("mode"), dict):
        raise MinerResponseError("miner_config is not an object with a mode")
    return conf


async def change_config(
    web: HttpClient, what: str, change: Callable[[dict[str, Any]], None]
) -> dict[str, Any]:
    """Read the configuration, apply ``change`` to a copy, send it back whole.

    A change that leaves the configuration as it was sends nothing: a write makes the
    firmware re-tune, which an automation that repeats "mining on" must not cause.
    """
    before = await read_config(web)
    conf = copy.deepcopy(before)
    change(conf)
    if conf == before:
        return before
    reply = (await cgi(web, what, WEB_CONFIG.path, json_body=conf)).json()
    if not isinstance(reply, dict) or reply.get("error") is not False:
        raise MinerControlRefusedError(what, repr(reply)[:120])
    return before


def config_pools(conf: dict[str, Any]) -> list[PoolConfig]:
    """The configured pools with their passwords (``pools[]``: url, user, pass)."""
    return [
        PoolConfig(str(p.get("url") or ""), str(p.get("user") or ""), str(p.get("pass") or ""))
        for p in conf.get("pools", [])
        if isinstance(p, dict) and p.get("url")
    ]


def set_pools(conf: dict[str, Any], pools: Sequence[PoolConfig]) -> None:
    kept = keep_passwords(pools, config_pools(conf))
    conf["pools"] = [{"url": p.url, "user": p.user, "pass": p.password} for p in kept]


async def locate(web: HttpClient, on: bool) -> None:
    reply = (await cgi(web, "fault light", WEB_LOCATE.path, json_body={"blinking": on})).json()
    if not isinstance(reply, dict) or reply.get("blinking") is not on:
        raise MinerControlRefusedError("fault light", repr(reply)[:120])


async def maintenance(web: HttpClient, what: str, kind: str) -> None:
    """``reboot`` (the control board) or ``reload`` (the mining program)."""
    await cgi(web, what, MAINTENANCE, json_body={"type": kind})
