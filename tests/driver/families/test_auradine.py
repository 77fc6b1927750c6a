"""Auradine FluxOS specifics: the API port, the token session, modes and the LED.

The contract test (tests/driver/test_contract.py) covers identify, read, controls,
wrong credentials and faults; this module covers what is FluxOS's own.
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
    MinerControlRefusedError,
    MinerResponseError,
    MinerValueError,
)
from custom_components.asic_miner.driver.families.auradine import parse as p
from custom_components.asic_miner.driver.families.auradine.backends import FluxBackend
from custom_components.asic_miner.driver.families.auradine.client import FluxApi, api_port
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Algorithm, MinerIdentity
from tests.driver.conftest import DRIVER_PORTS, SimFactory
from tests.driver.families.values import backend_values, serve_on_loopback

FIXTURES = Path(__file__).parent.parent / "fixtures" / "auradine" / "at1500_fluxos_2023_12"
IDENTITY = MinerIdentity("Auradine", "AT1500", "auradine", "FluxOS", "fluxos")


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def _values(session: aiohttp.ClientSession, replies: dict[Any, Any]) -> dict[Field, Any]:
    return backend_values(FluxBackend, IDENTITY, session, replies)


def test_api_port_beside_the_web_port() -> None:
    assert api_port(80) == 8080  # FluxOS's own
    assert api_port(18080) == 18080  # moved by the owner: the API is what is there


async def test_named_modes_and_a_renewed_token(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await simulate("auradine", "AT1500")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    assert miner.identity.algorithm is Algorithm.SHA256
    await miner.set_work_mode("eco")
    assert (await miner.read()).work_mode == "eco"
    sim._token = "expired"  # type: ignore[attr-defined]  # the firmware forgot the session
    await miner.set_power_limit(3000)
    snap = await miner.read()
    assert (snap.power_limit, snap.work_mode) == (3000, None)  # a target is no named mode
    with pytest.raises(MinerValueError, match="unknown work mode 'custom'"):
        await miner.set_work_mode("custom")


def test_led_fault_code_is_an_error(session: aiohttp.ClientSession) -> None:
    led = _load("web_led.json")
    led["LED"][0].update({"Code": 6, "Msg": "Hash board 2 lost"})
    values = _values(session, {p.LED: led})
    assert [(e.code, e.message) for e in values[Field.ERRORS]] == [("6", "Hash board 2 lost")]
    assert values[Field.FAULT_LIGHT] is False
    led["LED"][0].pop("Code")
    assert _values(session, {p.LED: led})[Field.ERRORS] is None


def test_idle_psu_and_sleep_as_captured(session: aiohttp.ClientSession) -> None:
    """The capture's idle unit: 58.94 W in, asleep; text with units parsed."""
    psu = _load("web_psu.json")
    psu["PSU"][0].update({"PowerIn": "58.94W", "FanSpeed2": "n/a"})
    mode = _load("web_mode.json")
    mode["Mode"][0].update({"Sleep": "on", "Mode": "turbo"})
    values = _values(session, {p.PSU: psu, p.MODE: mode})
    assert values[Field.POWER] == 58.94
    assert values[Field.MINING] is False
    assert values[Field.WORK_MODE] == "turbo"


def test_board_without_temperatures_and_dead(session: aiohttp.ClientSession) -> None:
    devs = _load("rpc_devs.json")
    devs["DEVS"][2].update({"MHS 5s": 0, "Status": "Dead"})
    devs["DEVS"][1].update({"MHS 5s": 0})
    from custom_components.asic_miner.driver.families._cgminer import DEVS

    boards = _values(session, {DEVS: devs})[Field.BOARDS]
    assert [b.active for b in boards] == [True, None, False]
    assert [b.chip_temperature for b in boards] == [None, None, None]


async def _api_serving(
    session: aiohttp.ClientSession, routes: dict[tuple[str, str], Any]
) -> tuple[FluxApi, web.AppRunner]:
    """A FluxOS API that answers only ``routes`` (path -> JSON), on a free loopback port."""
    app = web.Application()
    for (method, path), body in routes.items():

        async def handler(request: web.Request, body: Any = body) -> web.Response:
            return web.json_response(body)

        app.router.add_route(method, path, handler)
    ctx, runner = await serve_on_loopback(app, session)
    return FluxApi(ctx), runner


ERROR = {"STATUS": [{"STATUS": "E", "Msg": "Invalid", "Code": 14, "When": 0}], "id": 1}
TOKEN = {"STATUS": [{"STATUS": "S", "Msg": "Token", "Code": 610, "When": 0}], "id": 1}


@pytest.mark.parametrize(
    ("login", "error"),
    [(ERROR, MinerAuthenticationError), (TOKEN | {"Token": [{"Token": ""}]}, MinerResponseError)],
)
async def test_login_refused_or_without_token(
    session: aiohttp.ClientSession, login: Any, error: type[Exception]
) -> None:
    api, runner = await _api_serving(session, {("POST", "/token"): login})
    try:
        with pytest.raises(error):
            await api.get("mode")
    finally:
        await runner.cleanup()


async def test_error_status_on_a_read_and_a_write(session: aiohttp.ClientSession) -> None:
    ok = TOKEN | {"Token": [{"Token": "t0k3n"}]}
    routes = {("POST", "/token"): ok, ("GET", "/mode"): ERROR, ("POST", "/led"): ERROR}
    api, runner = await _api_serving(session, routes)
    try:
        with pytest.raises(MinerResponseError, match="mode: Invalid"):
            await api.get("mode")
        with pytest.raises(MinerControlRefusedError):
            await api.post("led", "fault light", {"code": 3})
    finally:
        await runner.cleanup()
