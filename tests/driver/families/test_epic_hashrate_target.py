"""ePIC PowerPlay's hashrate target: the TH/s target of a hashrate algorithm
(VoltageOptimizer, ChipTune, BoardTune, as the 1.5.13 capture lists them), over real
sockets; the generic round trip is the contract test's."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver.exceptions import (
    MinerUnsupportedError,
    MinerValueError,
)
from custom_components.asic_miner.driver.families.epic.backends import PowerPlayBackend
from custom_components.asic_miner.driver.families.epic.parse import SUMMARY
from custom_components.asic_miner.driver.families.epic.tuning import (
    hashrate_algorithm,
    running_algorithm,
)
from custom_components.asic_miner.driver.miner import Miner
from simulator.families.epic import EpicSim
from tests.driver.conftest import DRIVER_PORTS, SimFactory


def _option(name: str, low: Any = 60, high: Any = 300) -> dict[str, Any]:
    return {"algorithm": name, "min": low, "max": high}


@pytest.mark.parametrize(
    ("options", "running", "expected"),
    [
        ([_option("VoltageOptimizer"), _option("ChipTune")], None, ("VoltageOptimizer", (60, 300))),
        (
            [_option("VoltageOptimizer"), _option("ChipTune", 50, 250)],
            "ChipTune",
            ("ChipTune", (50, 250)),
        ),
        (
            [_option("PowerTune", 1600, 4000), _option("BoardTune")],
            "PowerTune",
            ("BoardTune", (60, 300)),
        ),
        ([_option("VoltageOptimizer", None, 300)], None, ("VoltageOptimizer", None)),
        ([_option("VoltageOptimizer", 300, 60)], None, ("VoltageOptimizer", None)),
        ([_option("Power", 1600, 4000)], None, None),
        ([], None, None),
    ],
)
def test_hashrate_algorithm(options: list[Any], running: str | None, expected: Any) -> None:
    assert hashrate_algorithm({"PerpetualTune": options}, running) == expected


def test_running_algorithm_by_unit() -> None:
    def summary(name: str, **stats: Any) -> dict[str, Any]:
        return {"PerpetualTune": {"Running": True, "Algorithm": {name: stats}}}

    assert running_algorithm(summary("VoltageOptimizer", Unit="TH/s"), watts=False)
    assert running_algorithm(summary("VoltageOptimizer", Unit="TH/s"), watts=True) is None
    assert running_algorithm(summary("ChipTune"), watts=False)  # no unit: named for it
    assert running_algorithm(summary("Power"), watts=False) is None
    stopped = {"PerpetualTune": {"Running": False, "Algorithm": {"ChipTune": {}}}}
    assert running_algorithm(stopped, watts=False) is None


async def _start(simulate: SimFactory, session: aiohttp.ClientSession) -> tuple[EpicSim, Miner]:
    sim = await simulate("epic", "S21")
    assert isinstance(sim, EpicSim)
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    await miner.read()
    return sim, miner


async def test_target_is_whole_ths_on_the_running_algorithm(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim, miner = await _start(simulate, session)
    await miner.set_hashrate_target(150.4)
    assert sim.posts[-2:] == [
        ("/perpetualtune/algo", {"algo": "VoltageOptimizer", "target": 150}),
        ("/perpetualtune", True),
    ]
    assert (await miner.read()).hashrate_target == 150


async def test_refused_without_a_hashrate_algorithm_or_out_of_bounds(
    simulate: SimFactory, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim, miner = await _start(simulate, session)
    backend = miner.backend
    assert isinstance(backend, PowerPlayBackend)
    posts = len(sim.posts)
    with pytest.raises(MinerValueError):
        await backend.set_hashrate_target(10_000)  # the backend checks the bounds too
    fetch = backend.fetch_web

    async def garbled_summary(path: str) -> Any:
        return "garbage" if path == SUMMARY.path else await fetch(path)

    async def power_only() -> dict[str, Any]:
        return {"PerpetualTune": [_option("PowerTune", 1600, 4000)]}

    monkeypatch.setattr(backend, "fetch_web", garbled_summary)
    monkeypatch.setattr(backend.api, "capabilities", power_only)
    with pytest.raises(MinerUnsupportedError):
        await backend.set_hashrate_target(150)
    assert len(sim.posts) == posts  # nothing was sent
