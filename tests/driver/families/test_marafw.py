"""MaraFW specifics: the fingerprint, the model names, units, sleep/resume, refusals.

The contract test (tests/driver/test_contract.py) covers identify, read, controls,
wrong credentials and faults; the fixture test covers the two capture shapes. This
module covers what is MaraFW's own.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import aiohttp
import pytest

from custom_components.asic_miner.driver.contract import Field
from custom_components.asic_miner.driver.exceptions import (
    MinerControlRefusedError,
    MinerResponseError,
)
from custom_components.asic_miner.driver.families import marafw
from custom_components.asic_miner.driver.families._probes import RPC_VERSION, WEB_ROOT
from custom_components.asic_miner.driver.families.marafw import parse as p
from custom_components.asic_miner.driver.families.marafw.backends import MaraBackend
from custom_components.asic_miner.driver.families.marafw.client import change_config, locate
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Algorithm, MinerIdentity
from custom_components.asic_miner.driver.registry import FAMILIES
from custom_components.asic_miner.driver.transports.http import HttpClient, HttpReply
from tests.driver.conftest import DRIVER_PORTS, SimFactory
from tests.driver.families.values import backend_values

FIXTURES = Path(__file__).parent.parent / "fixtures" / "marafw" / "ks5pro_rel3_14_mining"
IDENTITY = MinerIdentity("Bitmain", "KS5 Pro", "marafw", "MaraFW", "kaonsu")


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def _values(session: aiohttp.ClientSession, replies: dict[Any, Any]) -> dict[Field, Any]:
    return backend_values(MaraBackend, IDENTITY, session, replies)


def _challenge(realm: str) -> HttpReply:
    header = f'Digest realm="{realm}", nonce="1", qop="auth"'
    return HttpReply(401, {"WWW-Authenticate": header}, b"401 Unauthorized")


@pytest.mark.parametrize(
    ("results", "family"),
    [
        ({RPC_VERSION.key: '{"VERSION":[{"Miner":"KAONSU 3.14","Type":"Antminer KS5 Pro"}]}'}, "marafw"),
        ({RPC_VERSION.key: '{"VERSION":[{"Type":"Antminer S21 (MaraFW rel 3.14)"}]}'}, "marafw"),
        ({WEB_ROOT.key: _challenge("KaonSu Miner")}, "marafw"),
        ({WEB_ROOT.key: HttpReply(200, {}, b"<title>Mara FW</title>")}, "marafw"),
        ({RPC_VERSION.key: '{"VERSION":[{"BMMiner":"1.0.0","Type":"Antminer S19 Pro"}]}'}, "antminer"),
    ],
)  # fmt: skip
def test_fingerprint_wins_over_stock_bmminer(results: dict[str, Any], family: str) -> None:
    """The RPC looks like stock bmminer: the marker decides, and MaraFW is asked first."""
    first = next(f for f in FAMILIES if f.matches(results))
    assert first.key == family


@pytest.mark.parametrize(
    ("overview", "name"),
    [
        ({"model": "Antminer KS5 Pro"}, "KS5 Pro"),
        ({"model": "", "model_extended": "Antminer KS5 Pro (21.0TH)"}, "KS5 Pro"),
        ({"model": "Antminer S21 XP"}, "S21 XP"),
        ({"model": " ", "model_extended": None}, None),
    ],
)
def test_model_names(overview: dict[str, Any], name: str | None) -> None:
    assert p.model_name(overview) == name


async def test_identifies_kheavyhash_and_resumes_to_the_mode_it_slept_from(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await simulate("marafw", "KS5 Pro")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    assert miner.identity.algorithm == Algorithm.KHEAVYHASH
    assert miner.identity.family == marafw.FAMILY.key
    await miner.set_power_limit(2400)
    await miner.set_mining(False)
    snap = await miner.read()
    assert (snap.mining, snap.power_limit) == (False, 2400)  # the target resume returns to
    assert all(board.active is None for board in snap.boards)  # paused, not failed
    fresh = Miner.from_identity(sim.host, session, miner.identity, ports=DRIVER_PORTS)
    await fresh.set_mining(True)  # a new handle: the configured target says Auto
    assert (sim.state.mining, sim.state.power_limit) == (True, 2400)


def test_units_and_board_units_as_the_reply_names_them(session: aiohttp.ClientSession) -> None:
    """asic-rs's earlier KS5 contract reports TH/s, and per board its own unit."""
    brief = _load("web_brief.json") | {"hashrate_unit": "TH/s", "hashrate_realtime": 20.1}
    boards = _load("web_hashboards.json")
    for board in boards["hashboards"]:
        board |= {"hashrate_average": 6700.0, "hashrate_average_unit": "GH/s"}
    values = _values(session, {p.WEB_BRIEF: brief, p.WEB_HASHBOARDS: boards})
    assert values[Field.HASHRATE] == pytest.approx(20.1)
    assert [b.hashrate for b in values[Field.BOARDS]] == pytest.approx([6.7, 6.7, 6.7])
    values = _values(session, {p.WEB_BRIEF: brief | {"hashrate_unit": "furlongs"}})
    assert values[Field.HASHRATE] is None  # an unknown unit: no figure off by a thousand


@pytest.mark.parametrize(
    ("selector", "concorde", "limit"),
    [
        ("Auto", {"mode-select": "PowerTarget", "power-target": 2100}, 2100),
        ("Sleep", {"mode-select": "PowerTarget", "power-target": 2100}, 2100),
        ("Auto", {"mode-select": "Hashrate", "hash-target": 18}, None),
        ("Stock", {"mode-select": "PowerTarget", "power-target": 2100}, None),
        ("Auto", None, None),
    ],
)
def test_power_limit_only_where_the_tuner_targets_watts(
    session: aiohttp.ClientSession, selector: str, concorde: Any, limit: int | None
) -> None:
    conf = _load("web_miner_config.json")
    conf["mode"] = {"work-mode-selector": selector, "concorde": concorde}
    assert _values(session, {p.WEB_CONFIG: conf})[Field.POWER_LIMIT] == limit


def test_status_neither_mining_nor_asleep_is_unknown(session: aiohttp.ClientSession) -> None:
    brief = _load("web_brief.json") | {"status": "Initializing", "indicator": "Fully functional"}
    boards = _load("web_hashboards.json")
    values = _values(session, {p.WEB_BRIEF: brief, p.WEB_HASHBOARDS: boards})
    assert (values[Field.MINING], values[Field.ERRORS]) == (None, [])
    assert [b.active for b in values[Field.BOARDS]] == [False, None, None]  # slot 0 is empty
    del brief["status"]
    values = _values(session, {p.WEB_BRIEF: brief, p.WEB_HASHBOARDS: boards})
    assert values[Field.MINING] is None
    assert len(values[Field.BOARDS]) == 3  # still read


class _Web:
    """Answers reads with ``conf`` and every write with ``body``."""

    def __init__(self, conf: Any, body: Any) -> None:
        self.conf, self.body = conf, body
        self.sent: list[Any] = []

    async def get_json(self, path: str) -> Any:
        return self.conf

    async def request(self, method: str, path: str, **kwargs: Any) -> HttpReply:
        self.sent.append(kwargs.get("json_body"))
        return HttpReply(200, {}, json.dumps(self.body).encode())


@pytest.mark.parametrize(
    ("conf", "body", "error"),
    [
        ([], {"error": False}, MinerResponseError),
        ({"mode": "Auto"}, {"error": False}, MinerResponseError),
        ({"mode": {}}, {"error": True, "msg": "power target out of range"}, MinerControlRefusedError),
        ({"mode": {}}, "OK", MinerControlRefusedError),
    ],
)  # fmt: skip
async def test_config_write_refused(conf: Any, body: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        await change_config(cast(HttpClient, _Web(conf, body)), "mining", _sleep)


def _sleep(sent: dict[str, Any]) -> None:
    sent["mode"]["work-mode-selector"] = "Sleep"


async def test_config_write_sends_everything_it_read() -> None:
    conf = _load("web_miner_config.json")
    web = _Web(conf, {"error": False, "msg": "success"})

    def sleep(sent: dict[str, Any]) -> None:
        sent["mode"]["work-mode-selector"] = "Sleep"

    await change_config(cast(HttpClient, web), "mining", sleep)
    assert web.sent == [conf | {"mode": conf["mode"] | {"work-mode-selector": "Sleep"}}]
    assert conf["mode"]["work-mode-selector"] == "Auto"  # the read copy is untouched


@pytest.mark.parametrize("selector", ["Fixed", "Auto", "Stock"])
async def test_mining_on_while_awake_writes_nothing(selector: str) -> None:
    """An automation repeating "mining on" must not switch a Fixed miner to Auto."""
    conf = _load("web_miner_config.json")
    conf["mode"]["work-mode-selector"] = selector
    web = _Web(conf, {"error": False, "msg": "success"})
    backend = SimpleNamespace(web=web, _awake_mode=None)
    await MaraBackend.set_mining(cast(MaraBackend, backend), True)
    assert web.sent == []
    await MaraBackend.set_mining(cast(MaraBackend, backend), False)
    assert [sent["mode"]["work-mode-selector"] for sent in web.sent] == ["Sleep"]
    assert backend._awake_mode == selector  # what resume goes back to


@pytest.mark.parametrize(("on", "body"), [(True, {"blinking": False}), (False, {}), (True, [])])
async def test_locate_answer_other_than_asked_is_refused(on: bool, body: Any) -> None:
    with pytest.raises(MinerControlRefusedError):
        await locate(cast(HttpClient, _Web({}, body)), on)
