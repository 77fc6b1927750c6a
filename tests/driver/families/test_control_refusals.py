"""A control the miner refuses is reported as refused, naming the control: one per family.

Each family reads its own refusal (a cgminer ``STATUS`` "E", a Whatsminer v3 ``code``,
ePIC's ``result: false``, an HTTP error status, an Avalon ``ascset`` "info" reply that
says it failed) and raises ``MinerControlRefusedError`` with the control's name and the
miner's words. Refusals come from the simulator where it can be told to refuse, and
from the replay server (a captured folder plus the refusal) where the write is plain.
"""

from __future__ import annotations

import json
import random
from typing import Any, cast

import aiohttp
import pytest

from custom_components.asic_miner.driver.exceptions import MinerControlRefusedError
from custom_components.asic_miner.driver.miner import Miner
from simulator.families.avalon import AvalonSim
from simulator.families.luxos import LuxosSim
from simulator.families.whatsminer import WhatsminerSim
from tests.driver.conftest import DRIVER_PORTS, SimFactory
from tests.driver.replay import FIXTURES, Fixture, ReplayServer
from tests.simhelpers import ALLOWED_HOSTS


async def _connect(session: aiohttp.ClientSession, host: str) -> Miner:
    return await Miner.connect(host, session, ports=DRIVER_PORTS, timeout=3)


def _refused(err: pytest.ExceptionInfo[MinerControlRefusedError], control: str, said: str) -> None:
    assert err.value.control == control
    assert said in err.value.said
    assert control in str(err.value)


async def test_whatsminer_v2_refusal(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    """btminer answers a privileged command with STATUS "E" and its reason (code 132)."""
    sim = cast(WhatsminerSim, await simulate("whatsminer", "M30S+"))
    miner = await _connect(session, sim.host)
    sim._apply_v2 = lambda name, command: "power off failed: miner busy"  # type: ignore[method-assign]
    with pytest.raises(MinerControlRefusedError) as err:
        await miner.set_mining(False)
    _refused(err, "stop mining", "power off failed: miner busy")


async def test_whatsminer_v3_refusal(session: aiohttp.ClientSession) -> None:
    """API v3 answers a refused write with a non-zero ``code`` and the reason in ``msg``."""
    fixture = Fixture.load(FIXTURES / "whatsminer" / "v3_20251209")
    info = json.loads(fixture.body({"file": "v3_get.device.info.json"}))
    when = info["when"]
    fixture.manifest["replies"][:0] = [
        {"v3": "get.device.info", "param": "salt", "body": {**info, "msg": {"salt": "Qe7pLm2R"}}},
        {
            "v3": "get.device.info",
            "param": "system",
            "body": {**info, "msg": {"system": info["msg"]["system"]}},
        },
        {
            "v3": "set.system.reboot",
            "body": {
                "code": -5,
                "when": when,
                "msg": "reboot rejected: upgrade running",
                "desc": "",
            },
        },
    ]
    async with ReplayServer(fixture, random.choice(ALLOWED_HOSTS)) as server:
        miner = await Miner.connect(server.host, session, ports=server.ports, timeout=3)
        with pytest.raises(MinerControlRefusedError) as err:
            await miner.reboot()
    _refused(err, "reboot", "reboot rejected: upgrade running")


async def test_luxos_refusal(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    """LUXminer answers a refused session command with STATUS "E"."""
    sim = cast(LuxosSim, await simulate("luxos", "S21"))
    miner = await _connect(session, sim.host)
    sim._curtail = lambda params: sim._error("Curtail refused: tuning in progress", 336)  # type: ignore[method-assign]
    with pytest.raises(MinerControlRefusedError) as err:
        await miner.set_mining(False)
    _refused(err, "stop mining", "Curtail refused: tuning in progress")


@pytest.mark.parametrize(
    ("letter", "code", "msg"),
    [("E", 120, "ASC 0 set failed: invalid workmode"), ("I", 118, "ASC 0 set info: failed")],
    ids=["error-status", "info-status-saying-failed"],
)
async def test_avalon_refusal(
    simulate: SimFactory, session: aiohttp.ClientSession, letter: str, code: int, msg: str
) -> None:
    """Canaan's cgminer refuses an ``ascset`` with "E", or with "I" and a failure text."""
    sim = cast(AvalonSim, await simulate("avalon", "A1566"))
    miner = await _connect(session, sim.host)

    def refuse(when: int, parameter: str) -> bytes:
        status = {"STATUS": letter, "When": when, "Code": code, "Msg": msg}
        return sim._encode({"STATUS": [status | {"Description": "cgminer 4.11.1"}], "id": 1})

    sim._ascset = refuse  # type: ignore[method-assign]
    with pytest.raises(MinerControlRefusedError) as err:
        await miner.set_work_mode("normal")
    _refused(err, "work mode normal", msg)


async def _replay_refusal(
    session: aiohttp.ClientSession, folder: str, refusal: dict[str, Any]
) -> tuple[Miner, ReplayServer]:
    fixture = Fixture.load(FIXTURES / folder)
    fixture.manifest["replies"].insert(0, refusal)
    server = ReplayServer(fixture, random.choice(ALLOWED_HOSTS))
    await server.start()
    miner = await Miner.connect(server.host, session, ports=server.ports, timeout=3)
    return miner, server


async def test_epic_refusal(session: aiohttp.ClientSession) -> None:
    """PowerPlay answers a refused POST with 200 and ``result: false`` plus its reason."""
    miner, server = await _replay_refusal(
        session,
        "epic/1.5.13",
        {
            "http_rpc": "POST /identify",
            "body": {"result": False, "error": "Locate is unavailable while tuning"},
        },
    )
    try:
        with pytest.raises(MinerControlRefusedError) as err:
            await miner.set_fault_light(True)
    finally:
        await server.stop()
    _refused(err, "fault light on", "Locate is unavailable while tuning")


async def test_bitaxe_refusal(session: aiohttp.ClientSession) -> None:
    """AxeOS answers a failed write with an HTTP error status and a short text."""
    miner, server = await _replay_refusal(
        session,
        "bitaxe/2.4.5",
        {"http": "POST /api/system/restart", "status": 500, "body": "Restart failed"},
    )
    try:
        with pytest.raises(MinerControlRefusedError) as err:
            await miner.reboot()
    finally:
        await server.stop()
    _refused(err, "reboot", "HTTP 500")


async def test_vnish_refusal(session: aiohttp.ClientSession) -> None:
    """VNish answers a refused action with an HTTP error status and its error text."""
    miner, server = await _replay_refusal(
        session,
        "vnish/1.2.7",
        {
            "http": "POST /api/v1/mining/stop",
            "status": 500,
            "body": {"err": "miner is restarting"},
        },
    )
    try:
        with pytest.raises(MinerControlRefusedError) as err:
            await miner.set_mining(False)
    finally:
        await server.stop()
    _refused(err, "stop mining", "HTTP 500")
