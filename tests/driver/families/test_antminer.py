"""Stock Antminer against the simulator: identification, snapshot, controls, faults."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerUnsupportedError,
    MinerValueError,
)
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Control, Credentials
from simulator.faults import Fault, FaultKind
from tests.driver.conftest import DRIVER_PORTS, SimFactory


async def _connect(session: aiohttp.ClientSession, host: str, **kwargs: object) -> Miner:
    return await Miner.connect(host, session, ports=DRIVER_PORTS, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("model", "backend"), [("S19 Pro", "modern"), ("S21", "modern"), ("S9", "legacy")]
)
async def test_identify_and_read(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str, backend: str
) -> None:
    sim = await simulate("antminer", model)
    miner = await _connect(session, sim.host)
    ident = miner.identity
    assert (ident.make, ident.model, ident.family, ident.backend) == (
        "Bitmain",
        model,
        "antminer",
        backend,
    )
    assert ident.mac == sim.state.mac
    assert ident.serial == sim.state.serial
    assert ident.hostname == sim.state.hostname
    assert ident.supported

    snap = await miner.read()
    state = sim.state
    assert snap.hashrate == pytest.approx(state.hashrate, rel=1e-3)
    assert snap.expected_hashrate == pytest.approx(state.expected_hashrate)
    assert snap.power is None  # stock firmware does not report power
    assert len(snap.boards) == state.spec.boards
    for board, rate in zip(snap.boards, state.board_hashrates(), strict=True):
        assert board.hashrate == pytest.approx(rate, abs=1e-3)
        assert board.chip_temperature == pytest.approx(state.chip_temperature(board.index))
        assert board.chips == state.spec.chips_per_board
        assert board.expected_chips == state.spec.chips_per_board
    assert [f.rpm for f in snap.fans] == state.fan_rpms()
    assert snap.uptime == pytest.approx(state.uptime, abs=2)
    assert [p.url for p in snap.pools] == [p.url for p in state.pools]
    assert snap.pools[0].active
    assert snap.fault_light is False


async def test_controls_round_trip(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await simulate("antminer", "S19 Pro")
    miner = await _connect(session, sim.host)
    pools_before = [(p.url, p.user, p.password) for p in sim.state.pools]

    await miner.set_mining(False)
    snap = await miner.read()
    assert snap.mining is False
    assert snap.hashrate == 0
    assert [(p.url, p.user, p.password) for p in sim.state.pools] == pools_before

    await miner.set_mining(True)
    assert (await miner.read()).mining is True

    await miner.set_work_mode("low")
    snap = await miner.read()
    assert snap.work_mode == "low"
    assert "low" in snap.work_modes
    with pytest.raises(MinerValueError):
        await miner.set_work_mode("turbo")

    await miner.set_fault_light(True)
    assert (await miner.read()).fault_light is True
    await miner.set_fault_light(False)
    assert sim.state.fault_light is False

    with pytest.raises(MinerUnsupportedError):
        await miner.set_power_limit(3000)
    assert not miner.supports(Control.POWER_LIMIT)

    await miner.reboot()
    assert sim.state.reboots == 1
    with pytest.raises(MinerConnectionError):
        await miner.read()


async def test_legacy_fault_light(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await simulate("antminer", "S9")
    miner = await _connect(session, sim.host)
    await miner.set_fault_light(True)
    assert (await miner.read()).fault_light is True
    assert not miner.supports(Control.MINING)


async def test_wrong_password(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await simulate("antminer", "S19 Pro", password="secret")
    with pytest.raises(MinerAuthenticationError):
        await _connect(session, sim.host)
    miner = await _connect(session, sim.host, credentials=Credentials("root", "secret"))
    assert miner.identity.model == "S19 Pro"


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(FaultKind.RESET), MinerConnectionError),
        (Fault(FaultKind.SILENCE), MinerConnectionError),
        (Fault(FaultKind.DELAY, 3), MinerConnectionError),
    ],
)
async def test_faults(
    simulate: SimFactory, session: aiohttp.ClientSession, fault: Fault, error: type[Exception]
) -> None:
    sim = await simulate("antminer", "S19 Pro")
    miner = await _connect(session, sim.host)
    miner.ctx.timeout = 0.5
    miner.backend.web.timeout = 0.5
    sim.state.fault = fault
    with pytest.raises(error):
        await miner.read()
