"""Auradine FluxOS replies read: the RPC and API sources, their extractors.

gcminer's RPC (``summary``, ``devs``, ``pools``) reports MH/s; the API's ``mode``
says the operating mode, sleep state, hashrate target (``Ths``) and power target,
``psu`` the wall power as text with its unit (``"3312.50W"``), ``fan`` the fans,
``temperature`` per hash board, ``led`` the light (code 3 = locate, 2 normal, others a fault). Shapes as in
asic-rs's AT1500 captures (FluxOS 2023-12.27).
"""

from __future__ import annotations

import re
from typing import Any

from ...contract import Call, Replies
from ...models import Board, Fan, MinerErrorEntry, Pool
from ...values import clean_str, mhs_to_ths, ths, to_bool, to_float, to_int
from .._cgminer import DEVS, POOLS, SUMMARY, first, pools, section

MODE = Call("mode")
PSU = Call("psu")
FAN = Call("fan")
LED = Call("led")
TEMPERATURE = Call("temperature")

LED_LOCATE = 3
LED_NORMAL = 2
WORK_MODES = ("eco", "normal", "turbo")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _with_unit(value: Any) -> float | None:
    """``"3312.50W"``, ``"4052.00 RPM"`` -> the number; plain numbers as they are."""
    if isinstance(value, str):
        found = _NUMBER.search(value)
        return None if found is None else float(found.group())
    return to_float(value)


def _mode(replies: Replies) -> dict[str, Any]:
    return first(replies[MODE], "Mode")


def hashrate(replies: Replies) -> float | None:
    return mhs_to_ths(first(replies[SUMMARY], "SUMMARY")["MHS 5s"])


def expected_hashrate(replies: Replies) -> float | None:
    return ths(_mode(replies)["Ths"])


def uptime(replies: Replies) -> int | None:
    return to_int(first(replies[SUMMARY], "SUMMARY")["Elapsed"])


def power(replies: Replies) -> float | None:
    return _with_unit(first(replies[PSU], "PSU")["PowerIn"])


def power_limit(replies: Replies) -> float | None:
    return to_float(_mode(replies)["Power"])


def mining(replies: Replies) -> bool | None:
    asleep = to_bool(_mode(replies)["Sleep"])
    return None if asleep is None else not asleep


def work_mode(replies: Replies) -> str | None:
    """The named mode; ``custom`` (a power or hashrate target) is none of them."""
    mode = clean_str(_mode(replies)["Mode"])
    return mode.lower() if mode and mode.lower() in WORK_MODES else None


def errors(replies: Replies) -> list[MinerErrorEntry]:
    """The LED's fault code: 2 (normal) and 3 (locate) are none, anything else is the
    fault its ``Msg`` names (asic-rs reads the LED the same way)."""
    led = first(replies[LED], "LED")
    code = to_int(led.get("Code"))
    if code is None:
        raise ValueError("LED without a code")
    if code in (LED_NORMAL, LED_LOCATE):
        return []
    return [
        MinerErrorEntry(message=clean_str(led.get("Msg")) or f"LED code {code}", code=str(code))
    ]


def fault_light(replies: Replies) -> bool | None:
    code = to_int(first(replies[LED], "LED")["Code"])
    return None if code is None else code == LED_LOCATE


def _board_temperatures(replies: Replies) -> dict[int, tuple[float | None, float | None]]:
    """Hash board ID -> (hottest board sensor, hottest chip), from ``temperature``."""
    found: dict[int, tuple[float | None, float | None]] = {}
    for item in section(replies[TEMPERATURE], "Temperature"):
        if not str(item.get("Name", "")).startswith("Hash Board"):
            continue
        board = [_with_unit(t.get("Temperature")) for t in item.get("BoardTemp") or []]
        chips = [_with_unit(t.get("Temperature")) for t in item.get("ChipTemp") or []]
        hottest = [
            max((t for t in temps if t is not None), default=None) for temps in (board, chips)
        ]
        found[to_int(item.get("ID")) or 0] = (hottest[0], hottest[1])
    return found


def boards(replies: Replies) -> list[Board]:
    temps = _board_temperatures(replies) if TEMPERATURE in replies else {}
    found: list[Board] = []
    for position, dev in enumerate(section(replies[DEVS], "DEVS")):
        ident = to_int(dev.get("ID"))
        board_temp, chip_temp = temps.get(
            ident if ident is not None else position + 1, (None, None)
        )
        rate = mhs_to_ths(dev.get("MHS 5s"))
        found.append(
            Board(
                index=position,
                hashrate=rate,
                board_temperature=board_temp,
                chip_temperature=chip_temp,
                active=_active(rate, dev.get("Status")),
            )
        )
    return found


def _active(rate: float | None, status: Any) -> bool | None:
    """Hashing: yes; not hashing and gcminer says the board is not alive: no; else unknown
    (a board of a sleeping miner hashes nothing and is no fault)."""
    if rate:
        return True
    text = str(status or "").lower()
    return False if text and text != "alive" else None


def fan_list(replies: Replies) -> list[Fan]:
    found = [
        Fan(index=position, rpm=to_int(item.get("Speed")))
        for position, item in enumerate(section(replies[FAN], "Fan"))
    ]
    if PSU in replies:
        psu = first(replies[PSU], "PSU")
        for key in ("FanSpeed1", "FanSpeed2"):
            rpm = _with_unit(psu.get(key))
            if rpm is not None:
                found.append(Fan(index=int(key[-1]) - 1, rpm=int(rpm), psu=True))
    return found


def pool_list(replies: Replies) -> list[Pool]:
    return pools(replies[POOLS])
