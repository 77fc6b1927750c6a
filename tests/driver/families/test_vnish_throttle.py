"""VNish 1.3's throttle (``mining/throttle {percent}``) over real sockets: the write is
read back from ``summary.miner.miner_status.throttled``, 1.2 has no such control."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver.exceptions import (
    MinerResponseError,
    MinerUnsupportedError,
)
from custom_components.asic_miner.driver.families.vnish.backends import V1_3Backend
from custom_components.asic_miner.driver.families.vnish.parse import SUMMARY
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Control
from tests.driver.conftest import DRIVER_PORTS, SimFactory


async def _miner(simulate: SimFactory, session: aiohttp.ClientSession, model: str) -> Any:
    sim = await simulate("vnish", model)
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    await miner.read()
    return sim, miner


async def test_throttle_round_trip(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim, miner = await _miner(simulate, session, "S21")  # 1.3.4
    full = sim.state.power
    await miner.set_throttle(20)
    snap = await miner.read()
    assert (sim.state.throttle, snap.throttle) == (20, 20)
    assert snap.power == pytest.approx(full * 0.2, abs=1)
    assert sim.state.backend_restarts == 0  # applied live


@pytest.mark.parametrize(
    "summary",
    [
        {"miner": {"miner_status": {"throttled": 100}}},  # the firmware kept its old value
        {"miner": {"miner_status": {}}},  # no percentage: a release without throttle
        {"miner": {}},
        {"miner": {"miner_status": "mining"}},
    ],
    ids=["kept", "absent", "no-status", "not-an-object"],
)
async def test_throttle_not_taken_is_an_error(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
    summary: dict[str, Any],
) -> None:
    _sim, miner = await _miner(simulate, session, "S21")
    backend = miner.backend
    assert isinstance(backend, V1_3Backend)
    fetch = backend.fetch_web

    async def summary_reply(path: str) -> Any:
        return summary if path == SUMMARY.path else await fetch(path)

    monkeypatch.setattr(backend, "fetch_web", summary_reply)
    with pytest.raises(MinerResponseError):
        await miner.set_throttle(50)


async def test_v1_2_has_no_throttle(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim, miner = await _miner(simulate, session, "S19")  # 1.2.6
    assert not miner.supports(Control.THROTTLE)
    assert (await miner.read()).throttle is None
    with pytest.raises(MinerUnsupportedError):
        await miner.set_throttle(50)
    assert sim.state.throttle == 100
