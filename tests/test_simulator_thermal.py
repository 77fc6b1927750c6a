"""The simulator's fans and heat (simulator/thermal.py) and its room (simulator/room.py).

Nothing here opens a socket: the simulated miners' physics are called directly.
"""

from __future__ import annotations

import pytest

from simulator import thermal
from simulator.families.bitaxe import BitaxeSim
from simulator.room import Room, miner_watts


def _gamma(**state: object) -> BitaxeSim:
    sim = BitaxeSim.create("127.0.0.1", "Gamma", **state)
    assert isinstance(sim, BitaxeSim)
    return sim


def test_auto_fan_follows_the_room_and_the_target() -> None:
    sim = _gamma()
    usual = sim.fan_percent()
    sim.state.environment_temperature = 28.0
    warmer = sim.fan_percent()
    assert warmer > usual
    sim.state.temperature_target = 55.0
    assert sim.fan_percent() > warmer
    assert sim.fan_percent() <= 100


def test_chips_follow_power_and_fan() -> None:
    sim = _gamma()
    auto = max(sim.chip_temps())
    sim.state.fan_mode = thermal.MANUAL
    sim.state.fan_speed = 30  # slower than the curve: hotter
    quiet = max(sim.chip_temps())
    assert quiet > auto
    sim.state.fan_speed = 100  # faster: cooler
    assert max(sim.chip_temps()) < auto
    assert sim.fan_percent() == 100
    sim.state.work_mode = "400"  # less power, less heat at the same fan
    assert max(sim.chip_temps()) < max(_gamma(fan_mode="manual", fan_speed=100).chip_temps())


def test_running_percent_per_mode() -> None:
    assert thermal.running_percent(thermal.AUTO, 40, 65) == 65
    assert thermal.running_percent(thermal.MANUAL, 40, 65) == 40
    assert thermal.running_percent(thermal.IMMERSION, 40, 65) == 0
    assert thermal.auto_percent(90, 40.0, 40.0, ceiling=100) == 100


def test_room_settles_where_losses_meet_the_heat() -> None:
    sim = _gamma()
    watts = miner_watts(sim)
    room = Room(temperature=15.0, ua=watts / 10.0, outside=5.0)
    for _ in range(200):
        room.heat(300, sim)
    assert room.temperature == pytest.approx(15.0, abs=0.05)
    assert sim.state.environment_temperature == pytest.approx(room.temperature, abs=0.05)
