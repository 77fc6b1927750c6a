"""The thermostat's decisions, kept apart from Home Assistant so they read as rules.

A miner heats through one "ladder" of settings, lowest heat first: its power limit in
watts (continuous, or only the firmware's preset/profile levels), else its work modes
ranked from quietest to strongest, else nothing but mining on/off. The controller moves
along that ladder at most one bounded step per interval, and only while the room is
(or is about to be) outside the deadband; it pauses and resumes mining only after the
minimum on and off times. Together that keeps it from oscillating: inside the band it
holds, and each move waits for the room to show its effect.

Every value it returns is a setting the firmware reported (a level, a mode) or lies on
the firmware's own range and step, so it never leaves the firmware's bounds.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from .const import (
    CONF_DEADBAND,
    CONF_MIN_OFF_MINUTES,
    CONF_MIN_ON_MINUTES,
    CONF_POWER_STEP,
    CONF_STEP_MINUTES,
    HEATING_DEFAULTS,
)
from .driver import Control, MinerSnapshot, PowerLimitRange


class PowerPath(StrEnum):
    """How the thermostat changes the heat, quietest and smoothest first."""

    POWER_LIMIT = "power_limit"
    WORK_MODE = "work_mode"
    MINING = "mining"


# Share of the power range each preset may use (its ceiling); boost also moves faster.
PRESET_NONE: Final = "none"
PRESET_ECO: Final = "eco"
PRESET_COMFORT: Final = "comfort"
PRESET_BOOST: Final = "boost"
PRESET_CEILINGS: Final[Mapping[str, float]] = {
    PRESET_NONE: 1.0,
    PRESET_ECO: 1 / 3,
    PRESET_COMFORT: 2 / 3,
    PRESET_BOOST: 1.0,
}
BOOST_STEP_FACTOR: Final = 2.0

# The room's trend is measured over this window and projected this far ahead: a room
# already warming towards the band gets no more power (no overshoot from waiting).
TREND_WINDOW_S: Final = 600.0
TREND_MIN_SPAN_S: Final = 120.0
PROJECTION_S: Final = 300.0

# Work modes ranked by name where they carry no number (a number - MHz, W, % - ranks
# by itself). Unknown names sit with "normal".
_MODE_WORDS: Final[Mapping[str, float]] = {
    "sleep": 0,
    "night": 0.5,
    "quiet": 1,
    "eco": 1,
    "efficiency": 1,
    "low": 1,
    "normal": 2,
    "default": 2,
    "standard": 2,
    "mid": 2,
    "balanced": 2,
    "high": 3,
    "performance": 3,
    "turbo": 4,
    "super": 4,
}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def rank_work_modes(modes: tuple[str, ...]) -> tuple[str, ...]:
    """The firmware's work modes from least to most heat (sleep modes left out)."""

    def key(mode: str) -> tuple[int, float]:
        number = _NUMBER.search(mode)
        if number is not None:
            return (1, float(number.group()))
        return (0, _MODE_WORDS.get(mode.lower(), 2))

    return tuple(sorted((m for m in modes if m.lower() != "sleep"), key=key))


@dataclass(frozen=True, slots=True)
class Ladder:
    """One miner's heat settings, lowest first.

    ``values`` holds the discrete settings (power levels in W, or indexes into
    ``modes``); without any the power limit is continuous on ``minimum..maximum`` in
    ``step``. ``can_pause``: the miner has a mining switch, so "no heat" is a pause;
    without one the lowest setting is the least heat it can give.
    """

    path: PowerPath
    can_pause: bool
    values: tuple[float, ...] = ()
    minimum: float = 0.0
    maximum: float = 0.0
    step: float = 1.0
    modes: tuple[str, ...] = ()

    @property
    def floor(self) -> float:
        return self.values[0] if self.values else self.minimum

    @property
    def top(self) -> float:
        return self.values[-1] if self.values else self.maximum

    @property
    def has_settings(self) -> bool:
        return self.path is not PowerPath.MINING

    def nearest(self, value: float) -> float:
        """The setting closest to ``value``, on the firmware's own levels or step."""
        if self.values:
            return min(self.values, key=lambda v: (abs(v - value), v))
        steps = round((value - self.minimum) / self.step)
        return min(max(self.minimum + steps * self.step, self.minimum), self.maximum)

    def ceiling(
        self,
        fraction: float,
        cap: float | None,
        mode_watts: Mapping[int, float] | None = None,
    ) -> float | None:
        """The highest setting a preset and a power cap allow; ``None``: no heat at all.

        The preset's share of the range never drops below the lowest setting; only a
        cap below the lowest watts a miner can run at means "no heat".
        """
        if self.path is PowerPath.MINING:
            return None if cap is not None and cap <= 0 else 0.0
        if cap is not None and cap <= 0:
            return None
        if self.path is PowerPath.WORK_MODE:
            top = float(math.floor(fraction * (len(self.values) - 1) + 1e-9))
            if cap is not None and mode_watts:
                # The lowest mode seen drawing more than the cap, and all above it, are out.
                over = [i for i, watts in mode_watts.items() if watts > cap]
                if over:
                    top = min(top, min(over) - 1.0)
                    if top < 0:
                        return None
            return top
        span_top = self.floor + fraction * (self.top - self.floor)
        if cap is not None:
            if cap < self.floor:
                return None
            span_top = min(span_top, cap)
        if self.values:
            allowed = [v for v in self.values if v <= span_top + 1e-9]
            return allowed[-1] if allowed else self.floor
        steps = math.floor((span_top - self.minimum) / self.step + 1e-9)
        return self.minimum + steps * self.step

    def move(self, position: float, up: bool, step_fraction: float, ceiling: float) -> float:
        """One bounded step from ``position`` towards more (``up``) or less heat."""
        if self.values:
            index = self.values.index(self.nearest(position))
            levels = max(1, round(step_fraction * (len(self.values) - 1)))
            index = min(index + levels, len(self.values) - 1) if up else max(index - levels, 0)
            value = self.values[index]
        else:
            stride: float = max(
                self.step,
                round(step_fraction * (self.maximum - self.minimum) / self.step) * self.step,
            )
            value = self.nearest(position + stride if up else position - stride)
        return min(value, ceiling) if up else value


def ladder_for(snapshot: MinerSnapshot, restarts_after_power_limit: bool) -> Ladder | None:
    """The quietest, smoothest path the firmware offers; ``None`` without any.

    A power limit that makes the firmware restart the miner (Whatsminer API v2) would
    stop heating on every step, so such a miner uses its work modes when it has them.
    """
    controls = snapshot.controls
    can_pause = Control.MINING in controls
    bounds: PowerLimitRange | None = snapshot.power_limit_range
    modes = rank_work_modes(snapshot.work_modes) if Control.WORK_MODE in controls else ()
    if (
        Control.POWER_LIMIT in controls
        and bounds is not None
        and not (restarts_after_power_limit and len(modes) > 1)
    ):
        return Ladder(
            PowerPath.POWER_LIMIT,
            can_pause,
            values=tuple(float(v) for v in bounds.levels),
            minimum=float(bounds.minimum),
            maximum=float(bounds.maximum),
            step=float(max(bounds.step, 1)),
        )
    if len(modes) > 1:
        return Ladder(
            PowerPath.WORK_MODE,
            can_pause,
            values=tuple(float(i) for i in range(len(modes))),
            minimum=0.0,
            maximum=float(len(modes) - 1),
            modes=modes,
        )
    if can_pause:
        return Ladder(PowerPath.MINING, can_pause)
    return None


def position_of(ladder: Ladder, snapshot: MinerSnapshot, written: float | None) -> float | None:
    """Where on its ladder the miner stands now (what it reports, else what was written)."""
    if ladder.path is PowerPath.POWER_LIMIT:
        # ePIC reports no limit: what was written, else where its power draw sits.
        for value in (snapshot.power_limit, written, snapshot.power):
            if value is not None:
                return ladder.nearest(value)
        return None
    if ladder.path is PowerPath.WORK_MODE:
        if snapshot.work_mode in ladder.modes:
            return float(ladder.modes.index(snapshot.work_mode))
        return written
    return None


@dataclass(frozen=True, slots=True)
class Settings:
    """What the user (options, target, preset) and a blueprint (cap) ask for."""

    target: float
    deadband: float
    min_on_s: float
    min_off_s: float
    step_fraction: float
    interval_s: float
    preset: str = PRESET_NONE
    cap: float | None = None

    @classmethod
    def from_options(
        cls, options: Mapping[str, Any], target: float, preset: str, cap: float | None
    ) -> Settings:
        """The thermostat options (``with_defaults``) in the controller's units."""
        return cls(
            target=target,
            deadband=float(options[CONF_DEADBAND]),
            min_on_s=float(options[CONF_MIN_ON_MINUTES]) * 60,
            min_off_s=float(options[CONF_MIN_OFF_MINUTES]) * 60,
            step_fraction=float(options[CONF_POWER_STEP]) / 100,
            interval_s=float(options[CONF_STEP_MINUTES]) * 60,
            preset=preset,
            cap=cap,
        )


def with_defaults(options: Mapping[str, Any]) -> dict[str, Any]:
    """A miner's thermostat options, each one the user never set at its default."""
    return {**HEATING_DEFAULTS, **options}


@dataclass(frozen=True, slots=True)
class Reading:
    """What the room and the miner say now (``None``: not reported)."""

    temperature: float | None
    mining: bool | None
    position: float | None  # where on its ladder the miner stands
    power: float | None = None


class Do(StrEnum):
    HOLD = "hold"
    PAUSE = "pause"
    RESUME = "resume"
    SET = "set"


@dataclass(frozen=True, slots=True)
class Action:
    do: Do
    value: float | None = None


HOLD: Final = Action(Do.HOLD)


@dataclass(slots=True)
class HeatingController:
    """Remembers what timing needs (last switch, last change, the room's recent past).

    ``last_switch`` starts at creation: after a restart nobody knows when the miner
    last paused or resumed, so the hold is counted from then (the safe side).
    """

    ladder: Ladder
    last_switch: float
    last_change: float = -math.inf
    mining_seen: bool | None = None
    samples: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=64))
    mode_watts: dict[int, float] = field(default_factory=dict)

    def observe(self, now: float, reading: Reading) -> None:
        """Record a reading; a pause or resume made outside the thermostat resets the hold."""
        temperature, mining, position, power = (
            reading.temperature,
            reading.mining,
            reading.position,
            reading.power,
        )
        if mining is not None:
            if self.mining_seen is not None and mining != self.mining_seen:
                self.last_switch = now
            self.mining_seen = mining
        if temperature is not None:
            if self.samples and self.samples[-1][0] == now:
                self.samples.pop()
            self.samples.append((now, temperature))
            while self.samples and now - self.samples[0][0] > TREND_WINDOW_S:
                self.samples.popleft()
        if (
            self.ladder.path is PowerPath.WORK_MODE
            and mining
            and position is not None
            and power is not None
        ):
            self.mode_watts[int(position)] = power

    def trend(self) -> float:
        """K per second over the trend window; 0 until the window spans enough time."""
        if len(self.samples) < 2:
            return 0.0
        (t0, v0), (t1, v1) = self.samples[0], self.samples[-1]
        return (v1 - v0) / (t1 - t0) if t1 - t0 >= TREND_MIN_SPAN_S else 0.0

    def decide(self, now: float, settings: Settings, reading: Reading, *, heat: bool) -> Action:
        """The one move (or none) to make now (``heat``: mode Heat, else Off)."""
        ladder = self.ladder
        temperature, mining, position = reading.temperature, reading.mining, reading.position
        if not heat:
            if ladder.can_pause:
                return self._switch(now, Do.PAUSE) if mining is not False else HOLD
            if position is not None and position > ladder.floor:
                return self._set(now, ladder.floor)
            return HOLD
        fraction = PRESET_CEILINGS.get(settings.preset, 1.0)
        ceiling = ladder.ceiling(fraction, settings.cap, self.mode_watts)
        on_for = now - self.last_switch
        if ceiling is None:  # capped to no heat: lowest setting now, pause once allowed
            if (
                mining is not False
                and ladder.has_settings
                and position is not None
                and position > ladder.floor
            ):
                return self._set(now, ladder.floor)
            if ladder.can_pause and mining is True and on_for >= settings.min_on_s:
                return self._switch(now, Do.PAUSE)
            return HOLD
        if mining is not False and position is not None and position > ceiling:
            return self._set(now, ceiling)  # a lower cap or preset applies at once
        if temperature is None:
            return HOLD  # no reading: never heat blind, never stop blind
        low = settings.target - settings.deadband
        high = settings.target + settings.deadband
        projected = temperature + self.trend() * PROJECTION_S
        want_more = temperature < high and projected < low
        want_less = temperature > low and projected > high
        if mining is False:
            if want_more and on_for >= settings.min_off_s:
                return self._switch(now, Do.RESUME)
            return HOLD
        if mining is None:
            return HOLD
        if now - self.last_change < settings.interval_s:
            return HOLD
        step = settings.step_fraction * (
            BOOST_STEP_FACTOR if settings.preset == PRESET_BOOST else 1.0
        )
        if want_more and ladder.has_settings and position is not None and position < ceiling:
            return self._set(now, ladder.move(position, True, step, ceiling))
        if want_less:
            if ladder.has_settings and position is not None and position > ladder.floor:
                return self._set(now, ladder.move(position, False, step, ceiling))
            if ladder.can_pause and on_for >= settings.min_on_s:
                return self._switch(now, Do.PAUSE)
        return HOLD

    def _set(self, now: float, value: float) -> Action:
        self.last_change = now
        return Action(Do.SET, value)

    def _switch(self, now: float, do: Do) -> Action:
        self.last_switch = now
        self.last_change = now
        return Action(do)
