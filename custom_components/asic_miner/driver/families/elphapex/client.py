"""The Elphapex CGI writes: digest login root / root, the Antminer CGI's ways of saying no.

``set_miner_conf.cgi`` takes the configuration ``get_miner_conf.cgi`` returns, with
``fc-`` keys instead of Bitmain's; like Bitmain's it resets what it is not sent, so a
write re-sends every field it read with one changed.
"""

from __future__ import annotations

from typing import Any

from ...exceptions import MinerControlRefusedError, MinerResponseError
from ...transports.http import HttpClient
from ..antminer.client import DEFAULT_CREDENTIALS, cgi
from .parse import WEB_CONF

__all__ = ["DEFAULT_CREDENTIALS", "blink", "write_work_mode"]


async def write_work_mode(web: HttpClient, mode: int) -> None:
    """Read the configuration and send it back whole with ``fc-work-mode`` changed."""
    conf = await web.get_json(WEB_CONF.path)
    if not isinstance(conf, dict):
        raise MinerResponseError("miner configuration is not an object")
    body: dict[str, Any] = {**conf, "fc-work-mode": mode}
    reply = (await cgi(web, "work mode", "/cgi-bin/set_miner_conf.cgi", json_body=body)).json()
    if not isinstance(reply, dict) or reply.get("stats") != "success":
        raise MinerControlRefusedError("work mode", repr(reply)[:120])


async def blink(web: HttpClient, on: bool) -> None:
    """``blink.cgi`` answers B000 for on, B100 for off (asic-rs's DG-Home1 capture)."""
    sent = {"blink": "true" if on else "false"}
    reply = (await cgi(web, "fault light", "/cgi-bin/blink.cgi", json_body=sent)).json()
    code = reply.get("code") if isinstance(reply, dict) else None
    if code != ("B000" if on else "B100"):
        raise MinerControlRefusedError("fault light", repr(reply)[:120])
