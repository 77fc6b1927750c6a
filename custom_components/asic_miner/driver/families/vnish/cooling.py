"""VNish fan settings: ``miner.cooling`` in ``settings``, written back the same way.

VNish's OpenAPI documents (1.2.6, 1.2.7, 1.3.4, ``CoolingSettingsRaw``) give the
settings' cooling as ``mode`` (``{"name": "auto", "param": <target °C>}``, ``{"name":
"manual", "param": <fan %>}`` or ``{"name": "immers"}``) with optional ``fan_min_duty``
and ``fan_max_duty`` (0-100 %), the bounds of a manual speed. A ``POST settings`` with
only ``miner.cooling.mode`` changes the mode alone (the presets are written the same
way, and keep the pools); its reply never says whether it was taken, so each write
reads ``settings`` back. The temperature target (the auto mode's ``param``) is not
offered: its bounds live only in ``/model`` (``CoolingConsts``), not read per poll.
"""

from __future__ import annotations

from typing import Any

from ...bounds import MIN_AIR_FAN_PERCENT
from ...contract import Replies
from ...exceptions import MinerResponseError
from ...models import Cooling, FanMode
from ...values import to_int
from .client import VnishApi
from .parse import SETTINGS

# The settings' mode names; the summary spells immersion out in 1.3, the settings never.
_NAMES = {FanMode.AUTO: "auto", FanMode.MANUAL: "manual", FanMode.IMMERSION: "immers"}
_MODES = {name: mode for mode, name in _NAMES.items()} | {"immersion": FanMode.IMMERSION}
# The auto target a switch back to auto asks for when the settings hold none (they keep
# only the current mode's parameter): 75 °C, VNish's default target.
AUTO_TARGET_C = 75


def _cooling_settings(settings: Any) -> dict[str, Any]:
    miner = settings["miner"] if isinstance(settings, dict) else None
    cooling = miner.get("cooling") if isinstance(miner, dict) else None
    if not isinstance(cooling, dict):
        raise TypeError("settings.miner.cooling is not an object")
    return cooling


def _mode(cooling: dict[str, Any]) -> tuple[FanMode | None, int | None]:
    mode = cooling.get("mode")
    if not isinstance(mode, dict):
        return None, None
    return _MODES.get(str(mode.get("name"))), to_int(mode.get("param"))


def cooling(settings: Any) -> Cooling:
    """The fan settings of a ``settings`` reply; the manual floor never below ours."""
    raw = _cooling_settings(settings)
    mode, param = _mode(raw)
    low = max(MIN_AIR_FAN_PERCENT, to_int(raw.get("fan_min_duty")) or 0)
    high = to_int(raw.get("fan_max_duty")) or 100
    return Cooling(
        mode=mode,
        modes=tuple(_NAMES),
        speed=param if mode is FanMode.MANUAL else None,
        speed_range=(low, high) if low <= high <= 100 else None,
        target_temperature=param if mode is FanMode.AUTO else None,
    )


def extract_cooling(replies: Replies) -> Cooling:
    return cooling(replies[SETTINGS])


async def _write_mode(api: VnishApi, mode: dict[str, Any]) -> None:
    await api.post(SETTINGS.path, {"miner": {"cooling": {"mode": mode}}})
    kept = _cooling_settings(await api.get(SETTINGS.path)).get("mode")
    if kept != mode:
        raise MinerResponseError(f"the miner kept the fan mode {kept!r} instead of {mode!r}")


async def set_fan_mode(api: VnishApi, mode: FanMode) -> None:
    """A mode with the parameter it needs: auto keeps its target, manual its last speed."""
    current = cooling(await api.get(SETTINGS.path))
    body: dict[str, Any] = {"name": _NAMES[mode]}
    if mode is FanMode.AUTO:
        body["param"] = current.target_temperature or AUTO_TARGET_C
    elif mode is FanMode.MANUAL:
        body["param"] = current.speed or (current.speed_range or (100, 100))[1]
    await _write_mode(api, body)


async def set_fan_speed(api: VnishApi, percent: int) -> None:
    """A manual speed, which switches to manual: it runs only there."""
    await _write_mode(api, {"name": _NAMES[FanMode.MANUAL], "param": percent})
