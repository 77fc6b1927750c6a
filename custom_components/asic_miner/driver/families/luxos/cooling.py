"""LuxOS fan settings: the mode from ``tempctrl``, the speed from ``fans``, written with
``fanset``.

Sources (no public capture of ``tempctrl``; the ``fans`` shape is asic-rs's LuxOS
2025.4.8 capture):
- ``fans`` answers ``FANS[].Speed``, the duty in %, and ``FANCTRL[0].MinFans``.
- ``tempctrl`` answers ``TEMPCTRL[0]`` with ``Mode`` (``"Manual"`` for a fixed speed;
  pyasic reads any other mode as the automatic curve), ``Target``, ``Hot`` and
  ``Dangerous`` (°C).
- ``fanset`` takes ``speed=<%>`` (``-1`` for automatic) and optionally ``min_fans``,
  after the session ID (pyasic and asic-rs both send it so); it changes nothing else.

Only auto and manual are offered: pyasic's immersion is a manual speed of 0 with
``min_fans=0``, two settings in one write. The temperature target is shown, not set:
how ``tempctrlset`` takes its session is not settled between the two libraries.
"""

from __future__ import annotations

from typing import Any

from ...bounds import MIN_AIR_FAN_PERCENT
from ...contract import Replies, Rpc
from ...exceptions import MinerError, MinerResponseError
from ...models import Control, Cooling, FanMode
from ...values import positive, to_float, to_int
from .._cgminer import FANS, first, section
from .client import LuxSession, request

TEMPCTRL = Rpc("tempctrl")
FAN_MODES = (FanMode.AUTO, FanMode.MANUAL)
FAN_CONTROLS = frozenset({Control.FAN_MODE, Control.FAN_SPEED})
_AUTO_SPEED = -1  # ``fanset speed=-1``: the firmware's own curve


def _mode(tempctrl: Any) -> FanMode | None:
    mode = first(tempctrl, "TEMPCTRL").get("Mode")
    if not isinstance(mode, str) or not mode:
        return None
    return FanMode.MANUAL if mode == "Manual" else FanMode.AUTO


def _running_speed(fans: Any) -> int | None:
    speeds = {to_int(item.get("Speed")) for item in section(fans, "FANS")}
    return speeds.pop() if len(speeds) == 1 else None


def cooling(fans: Any, tempctrl: Any) -> Cooling:
    """The settings: in manual every fan runs at the set speed, which is the setting."""
    mode = _mode(tempctrl)
    return Cooling(
        mode=mode,
        modes=FAN_MODES,
        speed=_running_speed(fans) if mode is FanMode.MANUAL else None,
        speed_range=(MIN_AIR_FAN_PERCENT, 100),
        target_temperature=positive(to_float(first(tempctrl, "TEMPCTRL").get("Target"))),
    )


def extract_cooling(replies: Replies) -> Cooling:
    return cooling(replies[FANS], replies[TEMPCTRL])


def extract_controls(replies: Replies) -> frozenset[Control]:
    """Every control, less the fan ones where ``tempctrl`` shows no mode to read back."""
    try:
        mode = _mode(replies[TEMPCTRL])
    except KeyError, IndexError, TypeError, AttributeError, MinerError:
        mode = None
    every = frozenset(Control)
    return every if mode else every - FAN_CONTROLS


async def _read_back(session: LuxSession) -> Cooling:
    ctx = session.ctx
    fans, tempctrl = await request(ctx, FANS.command), await request(ctx, TEMPCTRL.command)
    try:
        return cooling(fans, tempctrl)
    except KeyError, IndexError, TypeError, AttributeError:
        raise MinerResponseError(f"{ctx.host}: fans or tempctrl without the settings") from None


async def _fanset(session: LuxSession, speed: int, check: FanMode, wanted: int | None) -> None:
    await session.run("fanset", f"speed={speed}")
    kept = await _read_back(session)
    if kept.mode is not check or (wanted is not None and kept.speed != wanted):
        raise MinerResponseError(
            f"{session.ctx.host}: the fans stayed {kept.mode} at {kept.speed} %, "
            f"not {check} at {wanted} %"
        )


async def set_fan_mode(session: LuxSession, mode: FanMode) -> None:
    """Auto, or manual at the speed the fans run at now (no jump on the switch)."""
    if mode is FanMode.AUTO:
        await _fanset(session, _AUTO_SPEED, FanMode.AUTO, None)
        return
    running = _running_speed(await request(session.ctx, FANS.command)) or 100
    speed = min(100, max(MIN_AIR_FAN_PERCENT, running))
    await _fanset(session, speed, FanMode.MANUAL, speed)


async def set_fan_speed(session: LuxSession, percent: int) -> None:
    """A manual speed, which switches to manual: it runs only there."""
    await _fanset(session, percent, FanMode.MANUAL, percent)
