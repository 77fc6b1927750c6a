"""Goldshell specifics: which RPC names it, the JWT login, the model name, sparse replies.

The contract test (tests/driver/test_contract.py) covers identify, read, wrong
credentials and faults; the fixture folder the captured shapes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from custom_components.asic_miner.driver.contract import Field
from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerResponseError,
)
from custom_components.asic_miner.driver.families._cgminer import DEVS, SUMMARY
from custom_components.asic_miner.driver.families._probes import RPC_VERSION
from custom_components.asic_miner.driver.families.goldshell import parse as p
from custom_components.asic_miner.driver.families.goldshell.backends import GoldshellBackend
from custom_components.asic_miner.driver.families.goldshell.client import GoldshellWeb
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Algorithm, MinerIdentity
from custom_components.asic_miner.driver.registry import FAMILIES
from custom_components.asic_miner.driver.unsupported import describe_unsupported
from tests.driver.conftest import DRIVER_PORTS, SimFactory
from tests.driver.families.values import backend_values, serve_on_loopback

FIXTURES = Path(__file__).parent.parent / "fixtures" / "goldshell" / "2.2.0"
IDENTITY = MinerIdentity("Goldshell", "KD5", "goldshell", "Stock", "goldshell")


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.mark.parametrize("software", ["BFGMiner", "KDAMiner", "INTCHAINS_QOMO"])
def test_each_mark_names_goldshell(software: str) -> None:
    results = {RPC_VERSION.key: json.dumps({"VERSION": [{software: "1.0", "API": "3.1"}]})}
    assert next(fam.key for fam in FAMILIES if fam.matches(results)) == "goldshell"
    assert describe_unsupported(results) is None  # supported now, never "not supported"


@pytest.mark.parametrize(
    ("model", "algorithm"), [("Mini DOGE", Algorithm.SCRYPT), ("KD5", Algorithm.BLAKE2S)]
)
async def test_model_named_by_the_web_status(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str, algorithm: Algorithm
) -> None:
    """``Goldshell-Mini-DOGE`` in ``/mcb/status`` is the hardware table's ``Mini DOGE``."""
    sim = await simulate("goldshell", model)
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    assert (miner.identity.model, miner.identity.algorithm) == (model, algorithm)
    assert miner.identity.supported
    sim._token = "expired"  # type: ignore[attr-defined]  # the firmware forgot the session
    await miner.check_credentials()  # logs in again


def test_a_dead_board_and_missing_fan_slots(session: aiohttp.ClientSession) -> None:
    devs = _load("rpc_devs.json")
    devs["DEVS"][1].update({"Status": "Dead", "MHS 20s": 0, "tstemp-2": 0})
    del devs["DEVS"][1]["ID"]
    for slot in ("fan2", "fan3"):
        del devs["DEVS"][0][slot]
    replies = {DEVS: devs, p.DEVDETAILS: _load("rpc_devdetails.json")}
    values = backend_values(GoldshellBackend, IDENTITY, session, replies)
    dead = values[Field.BOARDS][1]
    assert (dead.index, dead.active, dead.hashrate, dead.board_temperature) == (1, False, 0, None)
    assert dead.chips is None  # no ID to match its devdetails by
    assert [fan.rpm for fan in values[Field.FANS]] == [4100, 4100]


def test_summary_rate_is_mhs(session: aiohttp.ClientSession) -> None:
    values = backend_values(
        GoldshellBackend, IDENTITY, session, {SUMMARY: _load("rpc_summary.json")}
    )
    assert values[Field.HASHRATE] == pytest.approx(17.861769547)
    assert values[Field.UPTIME] == 741660


async def _web_serving(
    session: aiohttp.ClientSession, login: Any, status: Any
) -> tuple[GoldshellWeb, web.AppRunner]:
    app = web.Application()

    async def _login(request: web.Request) -> web.Response:
        return web.json_response(login)

    async def _status(request: web.Request) -> web.Response:
        return web.json_response(status)

    app.router.add_get("/user/login", _login)
    app.router.add_get("/mcb/status", _status)
    ctx, runner = await serve_on_loopback(app, session)
    return GoldshellWeb(ctx), runner


@pytest.mark.parametrize(
    ("login", "status", "error"),
    [
        ({"JWT Token": ""}, {}, MinerAuthenticationError),  # no token: the login failed
        (["not", "an", "object"], {}, MinerResponseError),
        ({"JWT Token": "abc"}, ["not", "an", "object"], MinerResponseError),
    ],
)
async def test_login_and_status_replies_that_are_not_what_they_should_be(
    session: aiohttp.ClientSession, login: Any, status: Any, error: type[Exception]
) -> None:
    api, runner = await _web_serving(session, login, status)
    try:
        with pytest.raises(error):
            await api.get("status")
    finally:
        await runner.cleanup()
