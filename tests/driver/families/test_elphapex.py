"""Elphapex specifics: a Scrypt identity, the idle capture's replies, refused writes.

The contract test (tests/driver/test_contract.py) covers identify, read, controls,
wrong credentials and faults; this module covers what is Elphapex's own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest

from custom_components.asic_miner.driver.contract import Field
from custom_components.asic_miner.driver.exceptions import (
    MinerControlRefusedError,
    MinerResponseError,
    MinerValueError,
)
from custom_components.asic_miner.driver.families.elphapex import parse as p
from custom_components.asic_miner.driver.families.elphapex.backends import ElphapexBackend
from custom_components.asic_miner.driver.families.elphapex.client import blink, write_work_mode
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Algorithm, MinerIdentity
from custom_components.asic_miner.driver.transports.http import HttpClient, HttpReply
from tests.driver.conftest import DRIVER_PORTS, SimFactory
from tests.driver.families.values import backend_values

FIXTURES = Path(__file__).parent.parent / "fixtures" / "elphapex" / "dg_home1_1_0_5"
IDENTITY = MinerIdentity("Elphapex", "DG Home 1", "elphapex", "Stock", "cgi")


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def _values(session: aiohttp.ClientSession, replies: dict[Any, Any]) -> dict[Field, Any]:
    return backend_values(ElphapexBackend, IDENTITY, session, replies)


async def test_identifies_as_scrypt_and_writes_work_modes(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await simulate("elphapex", "DG1+")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    assert (miner.identity.model, miner.identity.algorithm) == ("DG1+", Algorithm.SCRYPT)
    await miner.set_work_mode("high")
    assert sim.state.work_mode == "high"
    assert (await miner.read()).work_mode == "high"
    with pytest.raises(MinerValueError, match="unknown work mode 'sleep'"):
        await miner.set_work_mode("sleep")


@pytest.mark.parametrize(
    ("raw", "name"),
    [("DG-Home1", "DG Home 1"), ("DG1+", "DG1+"), ("dg1plus", "DG1+"), ("DG2", "DG2"), ("", None)],
)
def test_model_names(raw: str, name: str | None) -> None:
    assert p.model_name(raw) == name


def test_idle_unit_as_captured(session: aiohttp.ClientSession) -> None:
    """The asic-rs capture's unit: rates 0, blank checks, every pool unreachable."""
    summary = _load("web_summary.json")
    item = summary["SUMMARY"][0]
    item.update(dict.fromkeys(("rate_5s", "rate_avg", "rate_15m", "rate_30m", "elapsed"), 0))
    for check in item["status"]:
        check["status"] = ""
    pools = _load("web_pools.json")
    for pool in pools["POOLS"]:
        pool["status"] = "Unreachable"
    conf = _load("web_get_miner_conf.json") | {"fc-work-mode": 7}
    values = _values(session, {p.WEB_SUMMARY: summary, p.WEB_POOLS: pools, p.WEB_CONF: conf})
    assert values[Field.HASHRATE] == 0
    assert values[Field.ERRORS] == []  # blank: not checked, not a fault
    assert [pool.active for pool in values[Field.POOLS]] == [False, False, False]
    assert values[Field.WORK_MODE] is None  # a mode no public source names


def test_a_failed_check_is_an_error(session: aiohttp.ClientSession) -> None:
    summary = _load("web_summary.json")
    summary["SUMMARY"][0]["status"][2] = {
        "code": 3,
        "msg": "fan lost",
        "status": "e",
        "type": "fans",
    }
    values = _values(session, {p.WEB_SUMMARY: summary})
    assert [(e.code, e.message) for e in values[Field.ERRORS]] == [("3", "fan lost")]


class _Web:
    """Answers every request with one reply, as a CGI that misbehaves."""

    def __init__(self, body: Any) -> None:
        self.body = body

    async def request(self, method: str, path: str, **kwargs: Any) -> HttpReply:
        return HttpReply(200, {}, json.dumps(self.body).encode())


@pytest.mark.parametrize(
    ("on", "body"), [(True, {"code": "B100"}), (False, {"code": "X"}), (True, [])]
)
async def test_blink_answer_other_than_asked_is_refused(on: bool, body: Any) -> None:
    with pytest.raises(MinerControlRefusedError):
        await blink(cast(HttpClient, _Web(body)), on)


class _Conf(_Web):
    """A CGI whose configuration read answers ``conf`` and whose writes answer ``body``."""

    def __init__(self, conf: Any, body: Any) -> None:
        super().__init__(body)
        self.conf = conf

    async def get_json(self, path: str) -> Any:
        return self.conf


@pytest.mark.parametrize(
    ("conf", "body", "error"),
    [
        ([], {"stats": "success"}, MinerResponseError),
        ({"fc-work-mode": 0}, {"stats": "error", "code": "M001"}, MinerControlRefusedError),
    ],
)
async def test_work_mode_write_refused(conf: Any, body: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        await write_work_mode(cast(HttpClient, _Conf(conf, body)), 2)
