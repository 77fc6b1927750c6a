"""The thermostat's rules on their own: ladders, ceilings, holds (no Home Assistant)."""

from __future__ import annotations

import pytest

from custom_components.asic_miner.driver import Control, MinerIdentity, MinerSnapshot
from custom_components.asic_miner.driver.models import PowerLimitRange
from custom_components.asic_miner.heating import (
    Do,
    HeatingController,
    Ladder,
    PowerPath,
    Reading,
    Settings,
    ladder_for,
    position_of,
    rank_work_modes,
)

IDENTITY = MinerIdentity(make="Test", model="T1", family="test", firmware="Test", backend="v1")
SETTINGS = Settings(
    target=20, deadband=0.5, min_on_s=900, min_off_s=900, step_fraction=0.1, interval_s=300
)


def snapshot(**fields: object) -> MinerSnapshot:
    return MinerSnapshot(identity=IDENTITY, **fields)  # type: ignore[arg-type]


def test_work_modes_ranked_by_number_then_word() -> None:
    assert rank_work_modes(("high", "sleep", "low", "normal", "turbo")) == (
        "low",
        "normal",
        "high",
        "turbo",
    )
    assert rank_work_modes(("600 MHz", "400 MHz", "525 MHz")) == ("400 MHz", "525 MHz", "600 MHz")
    assert rank_work_modes(("Weird", "eco")) == ("eco", "Weird")


def test_ladder_paths() -> None:
    bounds = PowerLimitRange(1000, 3000, step=5)
    power = snapshot(
        controls=frozenset({Control.POWER_LIMIT, Control.MINING, Control.WORK_MODE}),
        power_limit_range=bounds,
        work_modes=("low", "normal", "high"),
    )
    ladder = ladder_for(power, restarts_after_power_limit=False)
    assert ladder is not None
    assert (ladder.path, ladder.minimum, ladder.maximum, ladder.step) == (
        PowerPath.POWER_LIMIT, 1000, 3000, 5,
    )  # fmt: skip
    # A power limit that reboots the miner: its work modes instead.
    modes = ladder_for(power, restarts_after_power_limit=True)
    assert modes is not None
    assert modes.path is PowerPath.WORK_MODE
    assert modes.modes == ("low", "normal", "high")
    # Mining on/off only; nothing at all.
    only_mining = ladder_for(snapshot(controls=frozenset({Control.MINING})), False)
    assert only_mining is not None
    assert only_mining.path is PowerPath.MINING
    assert not only_mining.has_settings
    assert ladder_for(snapshot(controls=frozenset({Control.REBOOT})), False) is None
    # A power limit without known bounds is no path.
    assert ladder_for(snapshot(controls=frozenset({Control.POWER_LIMIT})), False) is None


def test_positions() -> None:
    ladder = Ladder(PowerPath.POWER_LIMIT, True, minimum=1000, maximum=3000, step=10)
    assert position_of(ladder, snapshot(power_limit=2004), None) == 2000
    assert position_of(ladder, snapshot(), 1500) == 1500  # what was written
    assert position_of(ladder, snapshot(power=3512.0), None) == 3000  # its draw, in bounds
    assert position_of(ladder, snapshot(), None) is None
    modes = Ladder(PowerPath.WORK_MODE, True, values=(0.0, 1.0), maximum=1, modes=("low", "high"))
    assert position_of(modes, snapshot(work_mode="high"), None) == 1
    assert position_of(modes, snapshot(work_mode="odd"), 0.0) == 0
    assert position_of(Ladder(PowerPath.MINING, True), snapshot(), None) is None


def test_ceilings() -> None:
    power = Ladder(PowerPath.POWER_LIMIT, True, minimum=1000, maximum=4000, step=100)
    assert power.ceiling(1.0, None) == 4000
    assert power.ceiling(1 / 3, None) == 2000
    assert power.ceiling(1.0, 2550) == 2500  # on the step, never above the cap
    assert power.ceiling(1.0, 999) is None  # below the lowest: no heat
    assert power.ceiling(1.0, 0) is None
    levels = Ladder(
        PowerPath.POWER_LIMIT, True, values=(1950, 2480, 3290), minimum=1950, maximum=3290
    )
    assert levels.ceiling(1 / 3, None) == 1950
    assert levels.ceiling(1.0, 3000) == 2480
    modes = Ladder(
        PowerPath.WORK_MODE, True, values=(0.0, 1.0, 2.0), maximum=2, modes=("a", "b", "c")
    )
    assert modes.ceiling(2 / 3, None) == 1
    assert modes.ceiling(1.0, 2000) == 2  # no mode seen above the cap yet
    assert modes.ceiling(1.0, 2000, {0: 1500.0, 2: 2600.0}) == 1
    assert modes.ceiling(1.0, 1000, {0: 1500.0}) is None
    assert modes.ceiling(1.0, 0) is None
    mining = Ladder(PowerPath.MINING, True)
    assert mining.ceiling(1.0, 100) == 0
    assert mining.ceiling(1.0, 0) is None


def test_moves_are_bounded_and_on_the_firmware_settings() -> None:
    power = Ladder(PowerPath.POWER_LIMIT, True, minimum=1000, maximum=4000, step=100)
    assert power.move(2000, True, 0.1, 4000) == 2300
    assert power.move(3900, True, 0.1, 4000) == 4000
    assert power.move(2000, True, 0.1, 2100) == 2100
    assert power.move(1100, False, 0.1, 4000) == 1000
    levels = Ladder(PowerPath.POWER_LIMIT, True, values=(1.0, 2.0, 3.0), minimum=1, maximum=3)
    assert levels.move(1.0, True, 0.1, 3.0) == 2.0
    assert levels.move(1.0, False, 0.1, 3.0) == 1.0


def _controller(ladder: Ladder) -> HeatingController:
    return HeatingController(ladder, last_switch=0.0)


def test_on_off_only_miner_is_a_hysteresis_with_holds() -> None:
    controller = _controller(Ladder(PowerPath.MINING, True))
    cold, warm = Reading(18.0, True, None), Reading(22.0, True, None)
    assert controller.decide(100, SETTINGS, warm, heat=True).do is Do.HOLD  # min on time
    assert controller.decide(1000, SETTINGS, warm, heat=True).do is Do.PAUSE
    paused_cold = Reading(18.0, False, None)
    assert controller.decide(1500, SETTINGS, paused_cold, heat=True).do is Do.HOLD  # min off
    assert controller.decide(1900, SETTINGS, paused_cold, heat=True).do is Do.RESUME
    assert controller.decide(2000, SETTINGS, cold, heat=True).do is Do.HOLD  # nothing to raise


def test_no_reading_and_unknown_state_hold() -> None:
    ladder = Ladder(PowerPath.POWER_LIMIT, True, minimum=1000, maximum=4000, step=100)
    controller = _controller(ladder)
    assert controller.decide(5000, SETTINGS, Reading(None, True, 2000), heat=True).do is Do.HOLD
    assert controller.decide(5000, SETTINGS, Reading(15.0, None, 2000), heat=True).do is Do.HOLD
    assert controller.trend() == 0.0


def test_cap_to_nothing_lowers_then_pauses_after_min_on() -> None:
    ladder = Ladder(PowerPath.POWER_LIMIT, True, minimum=1000, maximum=4000, step=100)
    controller = _controller(ladder)
    capped = Settings(
        target=20, deadband=0.5, min_on_s=900, min_off_s=900, step_fraction=0.1,
        interval_s=300, cap=0,
    )  # fmt: skip
    action = controller.decide(100, capped, Reading(15.0, True, 3000), heat=True)
    assert (action.do, action.value) == (Do.SET, 1000)
    assert controller.decide(200, capped, Reading(15.0, True, 1000), heat=True).do is Do.HOLD
    assert controller.decide(900, capped, Reading(15.0, True, 1000), heat=True).do is Do.PAUSE
    assert controller.decide(2000, capped, Reading(15.0, False, 1000), heat=True).do is Do.HOLD


def test_off_without_mining_switch_lowers_once() -> None:
    ladder = Ladder(PowerPath.WORK_MODE, False, values=(0.0, 1.0), maximum=1, modes=("a", "b"))
    controller = _controller(ladder)
    action = controller.decide(0, SETTINGS, Reading(15.0, True, 1.0), heat=False)
    assert (action.do, action.value) == (Do.SET, 0.0)
    assert controller.decide(0, SETTINGS, Reading(15.0, True, 0.0), heat=False).do is Do.HOLD
    # Too warm at its lowest, with no way to pause: it stays there.
    warm = Reading(25.0, True, 0.0)
    assert controller.decide(5000, SETTINGS, warm, heat=True).do is Do.HOLD


def test_observe_learns_mode_watts_and_external_switches() -> None:
    ladder = Ladder(PowerPath.WORK_MODE, True, values=(0.0, 1.0), maximum=1, modes=("a", "b"))
    controller = _controller(ladder)
    controller.observe(10, Reading(20.0, True, 1.0, 3000.0))
    controller.observe(10, Reading(20.5, True, 1.0, 3000.0))  # same instant: replaced
    assert list(controller.samples) == [(10, 20.5)]
    assert controller.mode_watts == {1: 3000.0}
    controller.observe(50, Reading(None, False, 1.0, 12.0))  # paused by someone else
    assert controller.last_switch == 50
    controller.observe(1000, Reading(21.0, False, None, None))
    assert controller.samples[0] == (1000, 21.0)  # the old sample left the window


@pytest.mark.parametrize(("preset", "expected"), [("boost", 1600), ("none", 1300)])
def test_boost_moves_twice_as_far(preset: str, expected: float) -> None:
    ladder = Ladder(PowerPath.POWER_LIMIT, True, minimum=1000, maximum=4000, step=100)
    controller = _controller(ladder)
    settings = Settings(
        target=20, deadband=0.5, min_on_s=900, min_off_s=900, step_fraction=0.1,
        interval_s=300, preset=preset,
    )  # fmt: skip
    action = controller.decide(1000, settings, Reading(15.0, True, 1000), heat=True)
    assert (action.do, action.value) == (Do.SET, expected)
