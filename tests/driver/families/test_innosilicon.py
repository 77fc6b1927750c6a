"""Innosilicon specifics: the fingerprint, the JWT session, replies with parts missing.

The contract test (tests/driver/test_contract.py) covers identify, read, wrong
credentials and faults; the fixture folder the replies of a whole poll. This module
covers what is Innosilicon's own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from custom_components.asic_miner.driver.contract import Field
from custom_components.asic_miner.driver.exceptions import MinerResponseError
from custom_components.asic_miner.driver.families._cgminer import STATS, SUMMARY
from custom_components.asic_miner.driver.families._probes import RPC_VERSION
from custom_components.asic_miner.driver.families.innosilicon import FAMILY, _mac
from custom_components.asic_miner.driver.families.innosilicon import parse as p
from custom_components.asic_miner.driver.families.innosilicon.backends import InnoBackend
from custom_components.asic_miner.driver.families.innosilicon.client import InnoApi
from custom_components.asic_miner.driver.models import MinerIdentity
from custom_components.asic_miner.driver.registry import FAMILIES
from tests.driver.families.values import backend_values, serve_on_loopback

FIXTURES = Path(__file__).parent.parent / "fixtures" / "innosilicon" / "t3h_plus_source"
IDENTITY = MinerIdentity("Innosilicon", "T3H+", "innosilicon", "Stock", "innominer")


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def _values(session: aiohttp.ClientSession, replies: dict[Any, Any]) -> dict[Field, Any]:
    return backend_values(InnoBackend, IDENTITY, session, replies)


def test_innominer_is_recognised_by_this_family_only() -> None:
    results = {RPC_VERSION.key: (FIXTURES / "rpc_version.json").read_text()}
    assert [f.key for f in FAMILIES if f.matches(results)] == ["innosilicon"]
    assert not FAMILY.matches({RPC_VERSION.key: '{"VERSION":[{"CGMiner":"4.11.1"}]}'})


def test_rpc_only_when_the_web_api_is_down(session: aiohttp.ClientSession) -> None:
    """Without ``getAll`` the power and chain rates are unknown; the rest still reads."""
    replies = {SUMMARY: _load("rpc_summary.json"), STATS: _load("rpc_stats.json")}
    values = _values(session, replies)
    assert values[Field.HASHRATE] == pytest.approx(51.23456789)
    assert values[Field.POWER] is None
    boards = values[Field.BOARDS]
    assert [b.chips for b in boards] == [114, 113, 114]
    assert [(b.hashrate, b.active) for b in boards] == [(None, None)] * 3
    assert [f.rpm for f in values[Field.FANS]] == [4380, 4410, 4350, 4400]


def test_odd_get_all_shapes(session: aiohttp.ClientSession) -> None:
    stats = _load("rpc_stats.json")
    for web_reply in ({"success": True}, {"success": True, "all": {"chain": "none"}}):
        boards = _values(session, {STATS: stats, p.GET_ALL: web_reply})[Field.BOARDS]
        assert [b.hashrate for b in boards] == [None] * 3
    idle = {"all": {"power": 0, "chain": [{"ASC": 0, "Hash Rate H": 0}, "junk"]}}
    values = _values(session, {STATS: stats, p.GET_ALL: idle})
    assert values[Field.POWER] is None  # 0 W from a running unit is no reading
    first = values[Field.BOARDS][0]
    assert (first.hashrate, first.active) == (0.0, False)


async def _api_serving(
    session: aiohttp.ClientSession, routes: dict[str, Any]
) -> tuple[InnoApi, web.AppRunner]:
    """An Innosilicon web API that answers only ``routes`` (path -> JSON) to POSTs."""
    app = web.Application()
    for path, body in routes.items():

        async def handler(request: web.Request, body: Any = body) -> web.Response:
            return web.json_response(body)

        app.router.add_post(path, handler)
    ctx, runner = await serve_on_loopback(app, session)
    return InnoApi(ctx), runner


@pytest.mark.parametrize(
    "routes",
    [
        {"/api/auth": {"success": True}},  # no jwt
        {"/api/auth": {"jwt": "t0k3n"}, "/api/type": {"success": False, "code": 500}},
        {"/api/auth": {"jwt": "t0k3n"}, "/api/type": ["not", "an", "object"]},
    ],
)
async def test_login_without_token_or_a_refused_command(
    session: aiohttp.ClientSession, routes: dict[str, Any]
) -> None:
    api, runner = await _api_serving(session, routes)
    try:
        with pytest.raises(MinerResponseError):
            await api.post("type")
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    "get_all", [{"success": False}, {"success": True, "all": "none"}, {"all": {"mac": "N/A"}}]
)
async def test_mac_unknown_when_get_all_will_not_say(
    session: aiohttp.ClientSession, get_all: Any
) -> None:
    routes = {"/api/auth": {"jwt": "t0k3n"}, "/api/getAll": get_all}
    api, runner = await _api_serving(session, routes)
    try:
        assert await _mac(api) is None
    finally:
        await runner.cleanup()
