"""The simulator answers each captured request with the real reply's shape.

For every fixture folder with a ``simulator`` block, the simulated model is started,
the driver connects to it as it would to a real unit (so the requests carry the login
the firmware wants), and every reply entry is asked again of the simulator; the two
replies must have the same key sets and JSON types, recursively (``shape.py`` lists the
allowed differences). An entry with ``"sim": false`` (a login reply, a 404) is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver.families.whatsminer.client_v3 import WhatsminerV3Client
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.transports.http import HttpReply
from custom_components.asic_miner.driver.transports.rpc_parse import parse_rpc_reply
from tests.driver.replay import Fixture, fixture_folders
from tests.driver.shape import shape_differences
from tests.simhelpers import DRIVER_PORTS, SimFactory

type Requester = Callable[[Miner, str, str, Any], Awaitable[HttpReply]]


async def _plain(miner: Miner, method: str, path: str, body: Any) -> HttpReply:
    return await miner.ctx.web().request(method, path, json_body=body, auth_required=False)


async def _backend_web(miner: Miner, method: str, path: str, body: Any) -> HttpReply:
    """Through the backend's own logged-in client (digest, token or cookie)."""
    backend: Any = miner.backend
    api = getattr(backend, "api", None)
    if api is not None and hasattr(api, "auth"):
        reply: HttpReply = await api.auth.request(miner.ctx.web(), method, path, json_body=body)
        return reply
    if api is not None and hasattr(api, "token"):  # VNish: a bearer token from /unlock
        bearer = await api.token()
        return await miner.ctx.web().request(
            method, path, json_body=body, headers={"Authorization": f"Bearer {bearer}"}
        )
    web = getattr(backend, "web", None) or miner.ctx.web()
    reply = await web.request(method, path, json_body=body)
    return reply


async def _luci(miner: Miner, method: str, path: str, body: Any) -> HttpReply:
    """Braiins' LuCI: its own form login, and only for the user agent it expects."""
    from custom_components.asic_miner.driver.families.braiins import client_graphql as graphql

    web = miner.ctx.web()
    agent = {"User-Agent": graphql.LUCI_USER_AGENT}
    user, password = miner.ctx.login(graphql.DEFAULT_CREDENTIALS)
    login = await web.request(
        "POST",
        graphql.LUCI_PATH,
        data={"luci_username": user, "luci_password": password},
        headers=agent,
    )
    cookie = login.headers.get("Set-Cookie", "").split(";", 1)[0]
    return await web.request(method, path, headers={**agent, "Cookie": cookie})


# How an HTTP entry is asked of the simulator: "plain" (no login, as the driver's
# identification probes ask), "login" (the backend's session) or a family's own login
# ("luci"); entries say which with "sim_auth" (default "login").
REQUESTERS: dict[str, Requester] = {"plain": _plain, "login": _backend_web, "luci": _luci}


def _folders_with_simulator() -> list[Path]:
    return [f for f in fixture_folders() if "simulator" in Fixture.load(f).manifest]


def _parse(raw: bytes) -> Any:
    return parse_rpc_reply(raw)


async def _simulated_v3(miner: Miner, entry: dict[str, Any]) -> Any:
    """Whatsminer API v3: the same frame sent to the simulator's port 4433."""
    client = WhatsminerV3Client(miner.host, DRIVER_PORTS.whatsminer_v3, timeout=3)
    request: dict[str, Any] = {"cmd": entry["v3"]}
    if "param" in entry:
        request["param"] = entry["param"]
    return await client.exchange(request)


async def _simulated(miner: Miner, entry: dict[str, Any]) -> Any:
    if "v3" in entry:
        return await _simulated_v3(miner, entry)
    if "rpc" in entry:
        request: dict[str, Any] = {"command": entry["rpc"]}
        if "parameter" in entry:
            request["parameter"] = entry["parameter"]
        raw = await miner.ctx.rpc().send_raw(json.dumps(request).encode())
        return _parse(raw)
    if "http_rpc" in entry:  # ePIC: HTTP on the RPC port, reads need no login
        method, _, path = str(entry["http_rpc"]).partition(" ")
        web = miner.ctx.web(port=DRIVER_PORTS.rpc)
        reply = await web.request(method, path, json_body=entry.get("request"), auth_required=False)
        return reply.json()
    method, _, path = str(entry["http"]).partition(" ")
    if "query" in entry:  # IceRiver: one path, the request named by its query
        path = f"{path}?{entry['query']}"
    requester = REQUESTERS[entry.get("sim_auth", "login")]
    reply = await requester(miner, method, path, entry.get("request"))
    return reply.json()


@pytest.mark.parametrize(
    "folder", _folders_with_simulator(), ids=lambda p: f"{Path(p).parent.name}/{Path(p).name}"
)
async def test_simulator_matches_real_shape(
    folder: Path, simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    fixture = Fixture.load(folder)
    spec = fixture.manifest["simulator"]
    sim = await simulate(spec["family"], spec["model"], **spec.get("state", {}))
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS, timeout=3)
    problems: list[str] = []
    for entry in fixture.manifest["replies"]:
        if entry.get("sim", True) is False or "file" not in entry:
            continue
        name = (
            entry.get("rpc")
            or entry.get("http")
            or entry.get("https")
            or entry.get("v3")
            or entry.get("http_rpc")
        )
        if "param" in entry:
            name = f"{name} {entry['param']}"
        real = _parse(fixture.body(entry)) if "rpc" in entry else json.loads(fixture.body(entry))
        simulated = await _simulated(miner, entry)
        ignore = frozenset(entry.get("shape_ignore", []))
        problems += [f"{name}: {p}" for p in shape_differences(real, simulated, ignore=ignore)]
    assert not problems, f"{fixture.name}:\n" + "\n".join(problems)
