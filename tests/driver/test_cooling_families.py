"""Fan settings on Braiins OS REST, LuxOS and Avalon: the parsers over replies in the
firmware's shapes, what a release without the settings is offered, and writes the
firmware drops being caught by the read-back (round trips are the contract test's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver.bounds import MIN_AIR_FAN_PERCENT
from custom_components.asic_miner.driver.contract import Replies
from custom_components.asic_miner.driver.exceptions import MinerError, MinerResponseError
from custom_components.asic_miner.driver.families.avalon import cooling as avalon
from custom_components.asic_miner.driver.families.avalon.parse import ESTATS
from custom_components.asic_miner.driver.families.braiins import cooling_rest as braiins
from custom_components.asic_miner.driver.families.luxos import cooling as luxos
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Control, Cooling, FanMode
from simulator.families.braiins import cooling_rest as sim_braiins_cooling
from tests.driver.conftest import DRIVER_PORTS, SimFactory

FIXTURES = Path(__file__).parent / "fixtures"
FANS = frozenset({Control.FAN_MODE, Control.FAN_SPEED, Control.TEMPERATURE_TARGET})


def _fixture(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text())


def _config(mode: dict[str, Any]) -> dict[str, Any]:
    return {"pool_groups": [], "tuner": None, "temperature": {"mode": mode}}


def test_braiins_rest_settings() -> None:
    # The public 25.07 capture's shape: no temperature at all, so no fan control.
    capture = _fixture("braiins/25.07/rest_configuration_miner.json")
    assert braiins.cooling(capture) is None
    assert not braiins.controls(Replies({braiins.CONFIG: capture})) & FANS
    assert not braiins.controls(Replies({braiins.CONFIG: MinerResponseError("x")})) & FANS
    assert braiins.controls(Replies({braiins.CONFIG: _config({"immersion": {}})})) >= FANS

    limits = {"cooling_constraints": {"target_temperature": {"min": {"degree_c": 20.0}}}}
    auto = braiins.cooling(
        _config({"auto": {"target_temperature": {"degree_c": 65.0}, "min_fan_speed": 20}}), limits
    )
    assert auto == Cooling(
        mode=FanMode.AUTO,
        modes=(FanMode.AUTO, FanMode.MANUAL, FanMode.IMMERSION),
        speed_range=(MIN_AIR_FAN_PERCENT, 100),
        target_temperature=65.0,
    )  # no max in the constraints: no target range
    bounds = {"min": {"degree_c": 40.0}, "max": {"degree_c": 90.0}}
    manual = braiins.cooling(
        _config({"manual": {"fan_speed_ratio": 0.55}}),
        {"cooling_constraints": {"target_temperature": bounds}},
    )
    assert manual is not None
    assert (manual.mode, manual.speed, manual.target_temperature) == (FanMode.MANUAL, 55, None)
    assert manual.target_range == (40.0, 90.0)
    float32 = braiins.cooling(_config({"manual": {"fan_speed_ratio": 0.550000011920929}}))
    assert float32 is not None
    assert float32.speed == 55  # a ratio kept as a 32-bit float still reads 55 %
    hydro = braiins.cooling(_config({"hydro": {}}))
    assert hydro is not None
    assert hydro.mode is None  # not one of ours: unknown
    assert braiins.cooling(_config({"auto": {}, "manual": {}})) is None


def _tempctrl(mode: Any) -> dict[str, Any]:
    return {"TEMPCTRL": [{"Mode": mode, "Target": 70, "Hot": 85, "Dangerous": 95}]}


def test_luxos_settings() -> None:
    fans = _fixture("luxos/2025.4.8/rpc_fans.json")  # every fan at Speed 41
    manual = luxos.cooling(fans, _tempctrl("Manual"))
    assert (manual.mode, manual.speed, manual.target_temperature) == (FanMode.MANUAL, 41, 70)
    assert manual.modes == (FanMode.AUTO, FanMode.MANUAL)
    auto = luxos.cooling(fans, _tempctrl("Auto"))
    assert (auto.mode, auto.speed) == (FanMode.AUTO, None)  # the curve's duty is no setting
    assert luxos.cooling(fans, _tempctrl(None)).mode is None
    uneven = {"FANS": [{"Speed": 40}, {"Speed": 60}]}
    assert luxos.cooling(uneven, _tempctrl("Manual")).speed is None

    def offered(reply: Any) -> frozenset[Control]:
        return luxos.extract_controls(Replies({luxos.TEMPCTRL: reply}))

    assert offered(_tempctrl("Manual")) >= luxos.FAN_CONTROLS
    assert not offered(_tempctrl("")) & luxos.FAN_CONTROLS
    assert not offered(MinerResponseError("Invalid command")) & luxos.FAN_CONTROLS


def test_avalon_settings() -> None:
    def estats(mm: str) -> Replies:
        return Replies({ESTATS: {"STATS": [{"MM ID0": mm, "Elapsed": 5}]}})

    assert avalon.cooling(estats("Fan1[5344] FanR[72%]")) == Cooling(
        speed=72, speed_range=(MIN_AIR_FAN_PERCENT, 100)
    )
    assert avalon.cooling(estats("Fan1[5344]")) is None


@pytest.mark.parametrize(
    ("family", "model", "drop"),
    [
        ("luxos", "S21", "_fanset"),
        ("avalon", "Q", "_ascset"),
    ],
)
async def test_dropped_rpc_fan_write_is_an_error(
    simulate: SimFactory, session: aiohttp.ClientSession, family: str, model: str, drop: str
) -> None:
    """The firmware answers OK but keeps its speed: the read-back says so."""
    sim = await simulate(family, model)
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    await miner.read()
    original = getattr(sim, drop)

    def ignore(*args: Any) -> Any:
        reply = original(*args)
        sim.state.fan_mode, sim.state.fan_speed = "auto", 70  # put back behind our back
        return reply

    setattr(sim, drop, ignore)
    with pytest.raises(MinerResponseError):
        await miner.set_fan_speed(55)


async def test_dropped_braiins_fan_write_is_an_error(
    simulate: SimFactory, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = await simulate("braiins", "S19")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    assert (await miner.read()).cooling is not None

    def stale(state: Any) -> dict[str, Any]:
        return {"auto": {"target_temperature": {"degree_c": 60.0}}}

    monkeypatch.setattr(sim_braiins_cooling, "configured_mode", stale)
    with pytest.raises(MinerError):
        await miner.set_fan_speed(55)
    with pytest.raises(MinerError):
        await miner.set_temperature_target(50)  # 50 asked, 60 kept


async def test_luxos_read_back_without_settings_is_an_error(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await simulate("luxos", "S21")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    await miner.read()
    sim._tempctrl = lambda: sim._wrap("Temperature control", 331, "TEMPCTRL", [])  # type: ignore[method-assign]
    with pytest.raises(MinerResponseError):
        await miner.set_fan_speed(55)
    snap = await miner.read()  # no mode to read back: no fan control, no settings
    assert snap.cooling is None
    assert not miner.supports(Control.FAN_SPEED)
