"""AxeOS fan settings: the firmware's auto fan curve, or a fixed manual speed.

``GET /api/system/info`` carries ``autofanspeed`` (1 auto, 0 manual) and ``fanspeed``
(the duty the fan runs at, which is the manual setting while in manual); newer ESP-Miner
releases add ``manualFanSpeed`` (the manual setting in either mode), ``minFanSpeed``
(the floor of the auto curve) and ``temptarget`` (°C the auto curve holds). ``PATCH
/api/system`` takes the same keys one at a time and leaves every other setting (pools
included) as it was, so each write sends one key and reads ``info`` back.
"""

from __future__ import annotations

from typing import Any

from ...bounds import MIN_AIR_FAN_PERCENT
from ...contract import Field, Location, Replies
from ...exceptions import MinerResponseError, MinerValueError
from ...models import Control, Cooling, FanMode
from ...transports.http import HttpClient
from ...values import to_float, to_int
from .client import get_json, send
from .parse import INFO, as_object

SETTINGS_PATH = "/api/system"
FAN_MODES = (FanMode.AUTO, FanMode.MANUAL)
FAN_CONTROLS = frozenset({Control.FAN_MODE, Control.FAN_SPEED})
# AxeOS takes 0-100 %; below our floor a Bitaxe's chip outruns its overheat cut-off.
# The target range is ours too: the chip throttles near 75 °C and several boards cut
# off at 70 °C, so a target above 65 °C would only trip the cut-off.
TARGET_RANGE = (35.0, 65.0)


def cooling(info: dict[str, Any]) -> Cooling | None:
    """The fan settings ``info`` reports; ``None`` on a release without ``autofanspeed``."""
    auto = to_int(info.get("autofanspeed"))
    if auto not in (0, 1):
        return None
    mode = FanMode.AUTO if auto else FanMode.MANUAL
    manual = to_int(info.get("manualFanSpeed"))
    if manual is None and mode is FanMode.MANUAL:
        manual = to_int(info.get("fanspeed"))
    floor = max(MIN_AIR_FAN_PERCENT, to_int(info.get("minFanSpeed")) or 0)
    target = to_float(info.get("temptarget"))
    return Cooling(
        mode=mode,
        modes=FAN_MODES,
        speed=manual,
        speed_range=(min(floor, 100), 100),
        target_temperature=target,
        target_range=TARGET_RANGE if target is not None else None,
    )


def extract_cooling(replies: Replies) -> Cooling | None:
    return cooling(as_object(replies[INFO], INFO.path))


def cooling_controls(info: dict[str, Any]) -> frozenset[Control]:
    """What ``info`` shows this release can do about its fans, on top of the basics.

    The fan controls need ``autofanspeed``; the target needs ``temptarget``. Returned
    with every other control (pools too) so that the backend's own set narrows it.
    """
    others = frozenset(Control) - FAN_CONTROLS - {Control.TEMPERATURE_TARGET}
    settings = cooling(info)
    if settings is None:
        return others
    extra = {Control.TEMPERATURE_TARGET} if settings.target_temperature is not None else set()
    return others | FAN_CONTROLS | extra


def extract_controls(replies: Replies) -> frozenset[Control]:
    return cooling_controls(as_object(replies[INFO], INFO.path))


# Added to every release's data map: the settings and which fan controls it has.
COOLING_MAP = {
    Field.COOLING: Location((INFO,), extract_cooling),
    Field.CONTROLS: Location((INFO,), extract_controls),
}


async def write_and_check(web: HttpClient, host: str, body: dict[str, int]) -> None:
    """PATCH the settings in ``body``, read ``info`` back, and check each one kept."""
    await send(web, "PATCH", SETTINGS_PATH, body)
    info = as_object(await get_json(web, INFO.path), INFO.path)
    for key, value in body.items():
        kept = to_int(info.get(key))
        if kept != value:
            raise MinerResponseError(f"{host}: {key} stayed at {kept}, not {value}")


async def set_fan_mode(web: HttpClient, host: str, mode: FanMode) -> None:
    if mode not in FAN_MODES:
        raise MinerValueError(f"AxeOS has no {mode} fan mode")
    await write_and_check(web, host, {"autofanspeed": 1 if mode is FanMode.AUTO else 0})


async def set_fan_speed(web: HttpClient, host: str, percent: int) -> None:
    """A manual speed, which switches to manual: it runs only there.

    ``manualFanSpeed`` where the release has it, else ``fanspeed`` (which older
    releases show as the running duty, the manual setting only in manual).
    """
    info = as_object(await get_json(web, INFO.path), INFO.path)
    key = "manualFanSpeed" if "manualFanSpeed" in info else "fanspeed"
    await write_and_check(web, host, {"autofanspeed": 0, key: percent})


async def set_temperature_target(web: HttpClient, host: str, celsius: float) -> None:
    await write_and_check(web, host, {"temptarget": round(celsius)})
