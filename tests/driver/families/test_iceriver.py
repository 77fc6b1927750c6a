"""IceRiver specifics: the page that names it, the model code, tolerant panel values, the
cookie login's refusals and an expired session.

The contract test (tests/driver/test_contract.py) covers identify, read, the fault
light, wrong credentials and faults; the fixture folder the captured shape.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from custom_components.asic_miner.driver.contract import Field
from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerControlRefusedError,
    MinerResponseError,
)
from custom_components.asic_miner.driver.families._probes import WEB_ROOT
from custom_components.asic_miner.driver.families.iceriver import parse as p
from custom_components.asic_miner.driver.families.iceriver.backends import IceRiverBackend
from custom_components.asic_miner.driver.families.iceriver.client import READ, IceRiverWeb
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import (
    Algorithm,
    Control,
    MinerIdentity,
    PoolConfig,
)
from custom_components.asic_miner.driver.registry import FAMILIES
from custom_components.asic_miner.driver.transports.http import HttpReply
from custom_components.asic_miner.driver.units import miner_units
from custom_components.asic_miner.driver.unsupported import describe_unsupported
from simulator.miner import SimMiner
from tests.driver.conftest import DRIVER_PORTS, SimFactory
from tests.driver.families.values import backend_values, serve_on_loopback

PANEL = Path(__file__).parent.parent / "fixtures" / "iceriver" / "al3_10306" / "web_userpanel.json"
IDENTITY = MinerIdentity("IceRiver", "AL3", "iceriver", "Stock", "userpanel")


def _panel() -> dict[str, Any]:
    reply: dict[str, Any] = json.loads(PANEL.read_text())
    return reply


@pytest.mark.parametrize(
    "page", ["<html><TITLE>用户界面</TITLE></html>", "<html><title>IceRiver KS3</title></html>"]
)
def test_the_page_names_iceriver(page: str) -> None:
    results = {WEB_ROOT.key: HttpReply(200, {}, page.encode())}
    assert next(fam.key for fam in FAMILIES if fam.matches(results)) == "iceriver"
    assert describe_unsupported(results) is None  # supported now, never "not supported"


@pytest.mark.parametrize(
    ("panel", "model"),
    [
        ({"model": "none", "softver1": "ICM168_04_02_1810_10306_miner"}, "AL3"),
        ({"softver1": "release_KS5Lminer"}, "KS5L"),
        ({"softver1": "release_ks3m_miner"}, "KS3M"),
        ({"model": "KS0 Pro", "softver1": "x_KS0PROminer"}, "KS0 Pro"),
        ({"softver1": "miner"}, None),
        ({}, None),
    ],
)
def test_model_from_softver1(panel: dict[str, Any], model: str | None) -> None:
    assert p.model_name(panel) == model


@pytest.mark.parametrize(
    ("value", "unit", "ths"),
    [
        ("14762G", "G", 14.762),
        ("15.0T", "G", 15.0),  # the value's own letter wins
        ("5100", "G", 5.1),  # a bare number is in the panel's unit
        (5100.0, "G", 5.1),
        ("850 GH/s", None, 0.85),
        ("unavailable", "G", None),
        ("12X", "G", None),
        (True, "G", None),
    ],
)
def test_rates_with_and_without_a_unit_letter(value: Any, unit: Any, ths: float | None) -> None:
    assert p.rate(value, unit) == (None if ths is None else pytest.approx(ths))


@pytest.mark.parametrize("size", [20_000, 260_000])
def test_a_hostile_rate_is_unknown_in_linear_time(size: int) -> None:
    """A digit, a long run of blanks and a letter once took seconds (regex backtracking)."""
    started = time.process_time()
    assert p.rate("1" + " " * size + "x", None) is None
    assert p.rate(" " * size + "15.0T", None) is None  # past the length a rate can have
    assert time.process_time() - started < 0.05


def test_string_numbers_and_unavailable_fans(session: aiohttp.ClientSession) -> None:
    """The fork's pyasic-derived panel: numbers as text, a fan slot saying "unavailable"."""
    panel = _panel()
    data = panel["data"]
    data |= {"unit": "T", "rtpow": "15.0T", "fans": [6000, "5900", 0, "unavailable"]}
    data["boards"][1] |= {"no": "2", "intmp": "61", "outtmp": "81", "chipnum": "156"}
    values = backend_values(IceRiverBackend, IDENTITY, session, {p.PANEL: panel})
    assert values[Field.HASHRATE] == 15.0
    assert [fan.rpm for fan in values[Field.FANS]] == [6000, 5900, 0]
    board = values[Field.BOARDS][1]
    assert (board.index, board.board_temperature, board.chip_temperature, board.chips) == (
        1,
        61.0,
        81.0,
        156,
    )
    assert board.hashrate == pytest.approx(4.8961)  # "4896.10G": its own letter


@pytest.mark.parametrize("runtime", ["1:02:03", "1:25:00:00", "1:02:61:00", "a:b:c:d", "-1:0:0:0"])
def test_an_uptime_of_another_shape_is_unknown(
    session: aiohttp.ClientSession, runtime: str
) -> None:
    panel = _panel()
    panel["data"]["runtime"] = runtime
    values = backend_values(IceRiverBackend, IDENTITY, session, {p.PANEL: panel})
    assert values[Field.UPTIME] is None


def test_a_paused_miner_has_no_board_fault(session: aiohttp.ClientSession) -> None:
    panel = _panel()
    panel["data"]["powstate"] = False
    for board in panel["data"]["boards"]:
        board |= {"state": False, "rtpow": "0G"}
    values = backend_values(IceRiverBackend, IDENTITY, session, {p.PANEL: panel})
    assert values[Field.MINING] is False
    assert [b.active for b in values[Field.BOARDS]] == [None, None, None]


def test_no_data_object_is_a_response_error() -> None:
    with pytest.raises(MinerResponseError):
        p.data({"error": 1, "message": "not logged in"})


@pytest.mark.parametrize(
    ("model", "algorithm", "unit"),
    [("AL3", Algorithm.BLAKE3, "TH/s"), ("KS5L", Algorithm.KHEAVYHASH, "TH/s")],
)
async def test_identified_with_its_algorithm(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    model: str,
    algorithm: Algorithm,
    unit: str,
) -> None:
    sim = await simulate("iceriver", model)
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    assert (miner.identity.model, miner.identity.algorithm) == (model, algorithm)
    assert miner.identity.supported
    snapshot = await miner.read()
    assert miner_units(snapshot).hashrate.name == unit
    assert miner.controls == frozenset({Control.FAULT_LIGHT, Control.POOLS})
    sim._session = "expired"  # type: ignore[attr-defined]  # the firmware forgot the session
    assert (await miner.read()).hashrate == pytest.approx(sim.state.hashrate, rel=1e-3)


type Answer = Callable[[], web.Response]


async def _serving(
    session: aiohttp.ClientSession, login: Answer, panel: Answer
) -> tuple[IceRiverWeb, web.AppRunner]:
    """A web server answering each request with a fresh reply from ``login`` / ``panel``."""
    app = web.Application()

    async def _login(request: web.Request) -> web.Response:
        return login()

    async def _panel(request: web.Request) -> web.Response:
        return panel()

    app.router.add_post("/user/loginpost", _login)
    app.router.add_post("/user/userpanel", _panel)
    ctx, runner = await serve_on_loopback(app, session)
    return IceRiverWeb(ctx), runner


def _cookie(response: web.Response) -> web.Response:
    response.set_cookie("session", "s1")
    return response


@pytest.mark.parametrize(
    ("login", "panel", "error"),
    [
        # A wrong password: an error word, no cookie, or HTTP 403.
        (lambda: web.json_response({"error": 1, "message": "x"}), None, MinerAuthenticationError),
        (lambda: web.json_response({"error": 0, "message": ""}), None, MinerAuthenticationError),
        (lambda: web.Response(status=403), None, MinerAuthenticationError),
        # A session the panel keeps sending back to the login page.
        (
            lambda: _cookie(web.json_response({"error": 0})),
            lambda: web.Response(status=302, headers={"Location": "/login.html"}),
            MinerAuthenticationError,
        ),
        (lambda: _cookie(web.json_response({"error": 0})), lambda: web.Response(status=500), MinerResponseError),
        (lambda: _cookie(web.json_response({"error": 0})), lambda: web.json_response([1]), MinerResponseError),
    ],
)  # fmt: skip
async def test_login_and_panel_replies_that_are_not_what_they_should_be(
    session: aiohttp.ClientSession, login: Any, panel: Any, error: type[Exception]
) -> None:
    api, runner = await _serving(session, login, panel or (lambda: web.json_response({})))
    try:
        with pytest.raises(error) as caught:
            await api.panel(READ)
        assert "12345678" not in str(caught.value)  # the password in the URL never shows
    finally:
        await runner.cleanup()


async def _al3(simulate: SimFactory, session: aiohttp.ClientSession) -> tuple[SimMiner, Any]:
    """A simulated AL3 and the backend the driver connected to it with."""
    sim = await simulate("iceriver", "AL3")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    return sim, miner.backend


async def test_a_refused_light_write_says_so(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    _sim, backend = await _al3(simulate, session)

    async def refused(post: int, **params: str) -> dict[str, Any]:
        return {"error": 2, "message": "busy"} if post != READ else _panel()

    backend.api.panel = refused
    with pytest.raises(MinerControlRefusedError, match="busy"):
        await backend.set_fault_light(True)
    backend.api.panel = lambda post, **params: _async(_panel())  # locate stays false
    with pytest.raises(MinerControlRefusedError, match="locate=False"):
        await backend.set_fault_light(True)


async def _async(value: Any) -> Any:
    return value


@pytest.mark.parametrize("config", [{"mode": 7, "ratio": 70}, {"ratio": 70}, {}])
def test_no_pool_form_without_the_fan_settings_to_send_back(config: dict[str, Any]) -> None:
    """A mode bitcap-ipr does not name, or no ratio: unsent, the firmware might reset them."""
    with pytest.raises(MinerResponseError):
        p.config_form(
            config | {"pools": []}, [PoolConfig("stratum+tcp://a.example:3333", "w", "x")]
        )


@pytest.mark.parametrize(
    ("config", "fan"),
    [
        ({"ratio": 70, "mode": 1}, {"fanratio": "70", "fanmode": "normal"}),
        ({"ratio": "40", "mode": 0}, {"fanratio": "40", "fanmode": "sleep"}),
    ],
)
def test_the_pool_form_sends_the_fan_settings_back(
    config: dict[str, Any], fan: dict[str, str]
) -> None:
    pools = [PoolConfig("stratum+tcp://a.example:3333", "w.1", "x")]
    form = p.config_form(config | {"pools": []}, pools)
    assert {k: v for k, v in form.items() if k.startswith("fan")} == fan
    assert (form["pool1address"], form["pool1miner"], form["pool1pwd"]) == (
        "stratum+tcp://a.example:3333",
        "w.1",
        "x",
    )
    assert form["pool2address"] == form["pool3address"] == ""  # unused slots cleared


def test_saved_pools_without_a_list_are_a_response_error() -> None:
    with pytest.raises(MinerResponseError):
        p.pool_configs({"pools": None})


async def test_a_refused_pool_write_says_so_and_changes_nothing(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim, backend = await _al3(simulate, session)
    call = backend.api.call

    async def refusing(page: str, post: int, **kwargs: Any) -> dict[str, Any]:
        if post == 2:
            return {"error": 3, "message": "pool address error"}
        reply: dict[str, Any] = await call(page, post, **kwargs)
        return reply

    backend.api.call = refusing
    before = [(pool.url, pool.user) for pool in sim.state.pools]
    with pytest.raises(MinerControlRefusedError, match="pool address error"):
        await backend.write_pools([PoolConfig("stratum+tcp://b.example:3333", "w", "x")])
    assert [(pool.url, pool.user) for pool in sim.state.pools] == before


async def test_a_login_page_with_a_cookie_is_a_login(session: aiohttp.ClientSession) -> None:
    """A login answered with HTML (not the JSON envelope) but a cookie opens the session."""
    api, runner = await _serving(
        session,
        lambda: _cookie(web.Response(text="<html>ok</html>", content_type="text/html")),
        lambda: web.json_response({"data": {"powstate": True}}),
    )
    try:
        assert await api.panel(READ) == {"data": {"powstate": True}}
    finally:
        await runner.cleanup()


async def test_a_login_that_cannot_connect_never_shows_the_password(
    session: aiohttp.ClientSession,
) -> None:
    api, runner = await _serving(session, web.Response, web.Response)
    await runner.cleanup()  # nothing listens any more
    with pytest.raises(MinerConnectionError) as caught:
        await api.panel(READ)
    assert "12345678" not in str(caught.value)
    assert "/user/loginpost" in str(caught.value)
