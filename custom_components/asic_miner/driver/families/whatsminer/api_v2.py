"""Whatsminer firmware before late 2024: btminer API v1/v2 on TCP 4028.

Reads are plain commands, one per connection; ``get_*`` and ``status`` answer with
the flat STATUS envelope and a ``Msg`` object, the cgminer-style ones with lists.
Hashrates come in MH/s (``Factory GHS`` in GH/s). ``Power`` is ``-1`` when the PSU does
not report. Every control goes through the encrypted privileged API (admin password,
default ``admin``), which the owner must first switch on in WhatsMinerTool.

The reads are ``Call`` sources rather than ``Rpc`` ones so each reply is checked for
being complete before it is used: the generic cgminer path repairs a cut-off reply
into a shorter valid one, which would make a dropped connection look like a miner
with fewer boards.
"""

from __future__ import annotations

from typing import Any

from ...context import MinerContext
from ...exceptions import MinerValueError
from ...models import (
    Board,
    Control,
    Credentials,
    Fan,
    MinerErrorEntry,
    MinerIdentity,
    Pool,
    PowerLimitRange,
)
from ...transports.whatsminer_v2 import DEFAULT_PASSWORD, WhatsminerV2Client
from ...values import clean_str, ghs_to_ths, mhs_to_ths, positive, to_bool, to_float, to_int
from .._base import Backend, Call, Field, Location, Replies
from ._common import (
    LED_AUTO,
    LED_ON,
    WORK_MODES,
    error_entries,
    led_is_on,
    power_limit_range,
)

DEFAULT_CREDENTIALS = Credentials("admin", DEFAULT_PASSWORD)

SUMMARY = Call("summary")
DEVS = Call("devs")
POOLS = Call("pools")
MINER_INFO = Call("get_miner_info")
STATUS = Call("status")
ERROR_CODE = Call("get_error_code")


# -- extractors -------------------------------------------------------------------


def _items(reply: Any, key: str) -> list[dict[str, Any]]:
    section = reply[key]
    if isinstance(section, dict):
        return [section]
    return [item for item in section if isinstance(item, dict)]


def _summary(replies: Replies) -> dict[str, Any]:
    return _items(replies[SUMMARY], "SUMMARY")[0]


def _msg(replies: Replies, source: Call) -> dict[str, Any]:
    msg = replies[source]["Msg"]
    if not isinstance(msg, dict):
        raise TypeError(f"{source.name}: Msg is not an object")
    return msg


def _hashrate(replies: Replies) -> float | None:
    summary = _summary(replies)
    for key in ("MHS 1m", "HS RT", "MHS 5s", "MHS av"):
        if key in summary:
            return mhs_to_ths(summary[key])
    raise KeyError("no hashrate in summary")


def _expected_hashrate(replies: Replies) -> float | None:
    return positive(ghs_to_ths(_summary(replies)["Factory GHS"]))


def _power(replies: Replies) -> float | None:
    value = to_float(_summary(replies)["Power"])
    return None if value is None or value < 0 else value  # -1: the PSU does not say


def _power_limit(replies: Replies) -> float | None:
    return positive(to_float(_summary(replies)["Power Limit"]))


def _environment_temperature(replies: Replies) -> float | None:
    return to_float(_summary(replies)["Env Temp"])


def _fans(replies: Replies) -> list[Fan]:
    summary = _summary(replies)
    fans = [
        Fan(index=index, rpm=to_int(summary[key]))
        for index, key in enumerate(("Fan Speed In", "Fan Speed Out"))
        if key in summary
    ]
    if "Power Fanspeed" in summary:
        fans.append(Fan(index=0, rpm=to_int(summary["Power Fanspeed"]), psu=True))
    return fans


def _uptime(replies: Replies) -> int | None:
    return to_int(_summary(replies)["Elapsed"])


def _work_mode(replies: Replies) -> str | None:
    mode = clean_str(_summary(replies).get("Power Mode"))
    return mode.lower() if mode and mode.lower() in WORK_MODES else None


def _boards(replies: Replies) -> list[Board]:
    boards = []
    for position, dev in enumerate(_items(replies[DEVS], "DEVS")):
        index = to_int(dev.get("ASC", dev.get("Slot")))
        rate = mhs_to_ths(dev.get("MHS 1m", dev.get("MHS av")))
        chip = to_float(dev.get("Chip Temp Max", dev.get("Chip Temp Avg")))
        status = clean_str(dev.get("Status"))
        boards.append(
            Board(
                index=position if index is None else index,
                hashrate=rate,
                expected_hashrate=positive(ghs_to_ths(dev.get("Factory GHS"))),
                board_temperature=positive(to_float(dev.get("Temperature"))),
                chip_temperature=positive(chip),
                chips=to_int(dev.get("Effective Chips")),
                frequency=positive(to_float(dev.get("Frequency", dev.get("Chip Frequency")))),
                serial=clean_str(dev.get("PCB SN")),
                active=None if status is None else status.lower() == "alive" and bool(rate),
            )
        )
    return boards


def _pools(replies: Replies) -> list[Pool]:
    pools: list[Pool] = []
    for item in _items(replies[POOLS], "POOLS"):
        url = clean_str(item.get("URL"))
        if not url:
            continue
        pools.append(
            Pool(
                index=len(pools),
                url=url,
                user=clean_str(item.get("User")),
                alive=str(item.get("Status", "")).lower() == "alive",
                active=to_bool(item.get("Stratum Active")),
                accepted=to_int(item.get("Accepted")),
                rejected=to_int(item.get("Rejected")),
            )
        )
    return pools


def _errors(replies: Replies) -> list[MinerErrorEntry]:
    return error_entries(_msg(replies, ERROR_CODE).get("error_code"))


def _mining(replies: Replies) -> bool | None:
    msg = _msg(replies, STATUS)
    off = msg.get("mineroff", msg.get("btmineroff"))  # v1 firmware says btmineroff
    flag = to_bool(off)
    return None if flag is None else not flag


def _fault_light(replies: Replies) -> bool | None:
    return led_is_on(_msg(replies, MINER_INFO)["ledstat"])


class ApiV2Backend(Backend):
    """btminer API v1/v2: plain reads, encrypted privileged writes, all on 4028."""

    name = "api_v2"
    RPC_MULTICOMMAND = False  # btminer cannot combine get_* or status with anything
    DATA_MAP = {
        Field.HASHRATE: Location((SUMMARY,), _hashrate),
        Field.EXPECTED_HASHRATE: Location((SUMMARY,), _expected_hashrate),
        Field.POWER: Location((SUMMARY,), _power),
        Field.POWER_LIMIT: Location((SUMMARY,), _power_limit),
        Field.ENVIRONMENT_TEMPERATURE: Location((SUMMARY,), _environment_temperature),
        Field.FANS: Location((SUMMARY,), _fans),
        Field.UPTIME: Location((SUMMARY,), _uptime),
        Field.WORK_MODE: Location((SUMMARY,), _work_mode),
        Field.WORK_MODES: Location((), lambda _: WORK_MODES),
        Field.BOARDS: Location((DEVS,), _boards),
        Field.POOLS: Location((POOLS,), _pools),
        Field.ERRORS: Location((ERROR_CODE,), _errors),
        Field.MINING: Location((STATUS,), _mining),
        Field.FAULT_LIGHT: Location((MINER_INFO,), _fault_light),
    }
    CONTROLS = frozenset(
        {
            Control.MINING,
            Control.FAULT_LIGHT,
            Control.POWER_LIMIT,
            Control.WORK_MODE,
            Control.REBOOT,
            Control.RESTART_BACKEND,
        }
    )
    # btminer reboots the machine to apply a new power limit (API v2 documentation).
    RESTARTS_AFTER = frozenset({Control.REBOOT, Control.POWER_LIMIT})

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        _, password = ctx.login(DEFAULT_CREDENTIALS)
        self.api = WhatsminerV2Client(ctx.rpc, password)

    async def fetch_call(self, call: Call) -> Any:
        return await self.api.read(call.name)

    def power_limit_range(self) -> PowerLimitRange | None:
        return power_limit_range(self.identity.model)

    async def check_credentials(self) -> None:
        """Prove the admin password with a privileged command that changes nothing.

        btminer has no privileged read, so the light is set to the state it is in.
        A switched-off write API raises ``MinerWriteDisabledError`` here too: the
        password cannot be checked until the owner enables it.
        """
        info = await self.api.read("get_miner_info")
        msg = info.get("Msg")
        on = led_is_on(msg.get("ledstat")) if isinstance(msg, dict) else None
        await self.set_fault_light(bool(on))

    async def _write(self, cmd: str, params: dict[str, Any] | None = None) -> None:
        await self.api.write(cmd, params)

    async def set_mining(self, on: bool) -> None:
        if on:
            await self._write("power_on")
        else:
            # respbefore must be the string "true": answer first, then stop hashing.
            await self._write("power_off", {"respbefore": "true"})

    async def set_fault_light(self, on: bool) -> None:
        await self._write("set_led", dict(LED_ON) if on else {"param": LED_AUTO})

    async def set_power_limit(self, watts: int) -> None:
        """Set the PSU power limit; btminer reboots the miner to apply it."""
        # API 2.0.5 wants the number as a string.
        await self._write("adjust_power_limit", {"power_limit": str(int(watts))})

    async def set_work_mode(self, mode: str) -> None:
        if mode not in WORK_MODES:
            raise MinerValueError(
                f"unknown work mode {mode!r}; choose from {', '.join(WORK_MODES)}"
            )
        await self._write(f"set_{mode}_power")

    async def reboot(self) -> None:
        await self.api.write("reboot", may_drop=True)

    async def restart_backend(self) -> None:
        # btminer serves the API itself, so restarting it may cut the reply off.
        await self.api.write("restart_btminer", may_drop=True)
