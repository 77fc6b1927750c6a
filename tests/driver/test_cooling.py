"""Fan settings: the parsers over AxeOS and VNish replies, the physical bounds, and the
checks ``Miner`` makes before a fan write reaches the miner (round trips against the
simulator are the contract test's)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver.bounds import MIN_AIR_FAN_PERCENT, bounded
from custom_components.asic_miner.driver.contract import Field
from custom_components.asic_miner.driver.exceptions import (
    MinerResponseError,
    MinerUnsupportedError,
    MinerValueError,
)
from custom_components.asic_miner.driver.families.bitaxe import cooling as axeos
from custom_components.asic_miner.driver.families.vnish import cooling as vnish
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Control, Cooling, FanMode
from tests.driver.conftest import DRIVER_PORTS, SimFactory


def test_axeos_settings() -> None:
    assert axeos.cooling({"fanspeed": 40}) is None  # no autofanspeed: no fan settings
    assert axeos.cooling({"autofanspeed": 2}) is None  # NerdQAxe's PID mode: not ours
    auto = axeos.cooling({"autofanspeed": 1, "fanspeed": 63})
    assert auto == Cooling(
        mode=FanMode.AUTO,
        modes=(FanMode.AUTO, FanMode.MANUAL),
        speed=None,  # the running duty is not the manual setting
        speed_range=(MIN_AIR_FAN_PERCENT, 100),
    )
    manual = axeos.cooling({"autofanspeed": 0, "fanspeed": 55, "temptarget": 60})
    assert manual is not None
    assert (manual.mode, manual.speed, manual.target_temperature) == (FanMode.MANUAL, 55, 60)
    assert manual.target_range == axeos.TARGET_RANGE
    newer = axeos.cooling({"autofanspeed": 1, "manualFanSpeed": 70, "minFanSpeed": 45})
    assert newer is not None
    assert (newer.speed, newer.speed_range) == (70, (45, 100))
    assert axeos.cooling_controls({}) == axeos.cooling_controls({"autofanspeed": "x"})
    assert Control.TEMPERATURE_TARGET not in axeos.cooling_controls({"autofanspeed": 1})


def test_vnish_settings() -> None:
    def settings(cooling: Any) -> dict[str, Any]:
        return {"miner": {"cooling": cooling}}

    with pytest.raises(TypeError):
        vnish.cooling({"miner": {}})
    auto = vnish.cooling(settings({"mode": {"name": "auto", "param": 70}}))
    assert (auto.mode, auto.target_temperature, auto.speed) == (FanMode.AUTO, 70, None)
    assert auto.modes == (FanMode.AUTO, FanMode.MANUAL, FanMode.IMMERSION)
    manual = vnish.cooling(
        settings({"mode": {"name": "manual", "param": 50}, "fan_min_duty": 40, "fan_max_duty": 90})
    )
    assert (manual.mode, manual.speed, manual.speed_range) == (FanMode.MANUAL, 50, (40, 90))
    assert vnish.cooling(settings({"mode": {"name": "immers"}})).mode == FanMode.IMMERSION
    assert vnish.cooling(settings({"mode": "auto"})).mode is None
    assert vnish.cooling(settings({"fan_max_duty": 20})).speed_range is None  # below the floor


def test_bounds_clear_impossible_settings() -> None:
    wild = Cooling(
        mode=FanMode.MANUAL,
        speed=140,
        speed_range=(60, 20),
        target_temperature=400.0,
        target_range=(30.0, 60.0),
    )
    checked = bounded({Field.COOLING: wild}, "host")[Field.COOLING]
    assert checked == Cooling(mode=FanMode.MANUAL, target_range=(30.0, 60.0))
    assert bounded({Field.COOLING: "auto"}, "host")[Field.COOLING] is None


async def test_fan_writes_are_checked_before_they_are_sent(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await simulate("bitaxe", "Gamma")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    with pytest.raises(MinerValueError):
        await miner.set_fan_mode("immersion")  # before a poll: the backend refuses it
    await miner.read()
    with pytest.raises(MinerValueError):
        await miner.set_fan_mode("immersion")  # not an AxeOS mode
    with pytest.raises(MinerValueError):
        await miner.set_fan_speed(101)
    with pytest.raises(MinerValueError):
        await miner.set_temperature_target(20.0)
    assert sim.state.fan_mode == "auto"  # nothing reached the miner
    assert not [p for p in sim.patches if "autofanspeed" in p or "temptarget" in p]


async def test_refused_fan_write_is_an_error(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """A release that ignores ``temptarget`` (before 2.10) fails the read-back."""
    sim = await simulate("bitaxe", "Gamma", release="2.8.0")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    with pytest.raises(MinerValueError):  # 2.8.0 answers 400 to a key it does not take
        await axeos.set_temperature_target(miner.ctx.web(), sim.host, 50)
    await miner.read()
    with pytest.raises(MinerUnsupportedError):
        await miner.set_temperature_target(50)
    sim.state.fan_speed = 0  # the firmware drops the write: the read-back says so
    original = sim._apply_fan
    sim._apply_fan = lambda body: True  # type: ignore[method-assign]
    try:
        with pytest.raises(MinerResponseError):
            await miner.set_fan_speed(60)
    finally:
        sim._apply_fan = original  # type: ignore[method-assign]
