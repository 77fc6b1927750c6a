"""The Elphapex CGI writes: digest login root / root, the Antminer CGI's ways of saying no.

``set_miner_conf.cgi`` takes the configuration ``get_miner_conf.cgi`` returns, with
``fc-`` keys instead of Bitmain's; like Bitmain's it resets what it is not sent, so a
write re-sends every field it read with one changed.

Pools: pyasic sends them as the ``pools`` list ``get_miner_conf`` shows (three entries,
empty ones padding), asic-rs as ``pool<n>url`` / ``pool<n>user`` / ``pool<n>pw`` keys
(n from 0) added to the configuration read. No capture shows which the firmware takes,
so a pool write carries both, the same values; ``get_miner_conf`` read back says whether
it took (``pools.py`` restores the old list when not).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...exceptions import MinerControlRefusedError
from ...models import PoolConfig
from ...pools import keep_passwords
from ...transports.http import HttpClient
from ..antminer.client import DEFAULT_CREDENTIALS, cgi, read_conf, write_conf

__all__ = ["DEFAULT_CREDENTIALS", "blink", "read_pools", "write_pools", "write_work_mode"]
SLOTS = 3


async def write_work_mode(web: HttpClient, mode: int) -> None:
    """Read the configuration and send it back whole with ``fc-work-mode`` changed."""
    await write_conf(web, {**await read_conf(web), "fc-work-mode": mode}, "work mode")


def _read_pools(conf: dict[str, Any]) -> list[PoolConfig]:
    return [
        PoolConfig(str(item["url"]), str(item.get("user", "")), str(item.get("pass", "")))
        for item in conf.get("pools", [])
        if isinstance(item, dict) and item.get("url")
    ]


async def read_pools(web: HttpClient) -> list[PoolConfig]:
    """The configured pools with their passwords, as ``get_miner_conf`` sends them."""
    return _read_pools(await read_conf(web))


async def write_pools(web: HttpClient, pools: Sequence[PoolConfig]) -> None:
    """The configuration sent back as read, the pools replaced in both shapes."""
    conf = await read_conf(web)
    kept = keep_passwords(pools, _read_pools(conf))
    slots = [(p.url, p.user, p.password) for p in kept]
    slots += [("", "", "")] * (SLOTS - len(slots))
    body: dict[str, Any] = {
        **conf,
        "pools": [{"url": u, "user": n, "pass": w} for u, n, w in slots],
    }
    for index, (url, user, password) in enumerate(slots):
        body |= {f"pool{index}url": url, f"pool{index}user": user, f"pool{index}pw": password}
    await write_conf(web, body, "pools")


async def blink(web: HttpClient, on: bool) -> None:
    """``blink.cgi`` answers B000 for on, B100 for off (asic-rs's DG-Home1 capture)."""
    sent = {"blink": "true" if on else "false"}
    reply = (await cgi(web, "fault light", "/cgi-bin/blink.cgi", json_body=sent)).json()
    code = reply.get("code") if isinstance(reply, dict) else None
    if code != ("B000" if on else "B100"):
        raise MinerControlRefusedError("fault light", repr(reply)[:120])
