"""Whatsminer firmware from late 2024 on: API v3 on TCP 4433.

Everything is already in TH/s, W and °C. ``factory-hash`` is ``-0.001`` per board
when the firmware does not know it, so any value at or below zero means "unknown".
The work mode lives in ``get.miner.setting`` (``power-mode``), not in the status.
Writes are token-signed with account ``super`` (password ``super`` by default).
"""

from __future__ import annotations

from typing import Any

from ...context import MinerContext
from ...contract import Backend, Call, Field, Location, Replies
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
from ...transports.whatsminer_v3 import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, WhatsminerV3Client
from ...values import clean_str, positive, to_bool, to_float, to_int
from .._refusal import NamedRefusals
from ._common import LED_AUTO, LED_ON, WORK_MODES, error_entries, led_is_on, power_limit_range

DEFAULT_CREDENTIALS = Credentials(DEFAULT_ACCOUNT, DEFAULT_PASSWORD)

SUMMARY = Call("get.miner.status", "summary")
EDEVS = Call("get.miner.status", "edevs")
POOLS = Call("get.miner.status", "pools")
DEVICE = Call("get.device.info")
SETTING = Call("get.miner.setting")


def client_for(ctx: MinerContext) -> WhatsminerV3Client:
    account, password = ctx.login(DEFAULT_CREDENTIALS)
    return WhatsminerV3Client(
        ctx.host,
        ctx.ports.whatsminer_v3,
        account=account,
        password=password,
        timeout=ctx.timeout,
    )


# -- extractors -------------------------------------------------------------------


def _optional(replies: Replies, source: Call) -> Any:
    """A reply that only adds detail: its failure must not cost the field."""
    return replies.get(source)


def _summary(replies: Replies) -> dict[str, Any]:
    summary = replies[SUMMARY]["summary"]
    if not isinstance(summary, dict):
        raise TypeError("summary is not an object")
    return summary


def _device(replies: Replies, section: str) -> dict[str, Any]:
    value = replies[DEVICE][section]
    if not isinstance(value, dict):
        raise TypeError(f"get.device.info {section} is not an object")
    return value


def _hashrate(replies: Replies) -> float | None:
    return to_float(_summary(replies)["hash-realtime"])


def _expected_hashrate(replies: Replies) -> float | None:
    return positive(to_float(_summary(replies)["factory-hash"]))


def _power(replies: Replies) -> float | None:
    value = to_float(_summary(replies)["power-realtime"])
    return None if value is None or value < 0 else value


def _power_limit(replies: Replies) -> float | None:
    return positive(to_float(_summary(replies)["power-limit"]))


def _environment_temperature(replies: Replies) -> float | None:
    return to_float(_summary(replies)["environment-temperature"])


def _uptime(replies: Replies) -> int | None:
    return to_int(_summary(replies)["elapsed"])


def _fans(replies: Replies) -> list[Fan]:
    summary = _summary(replies)
    fans = [
        Fan(index=index, rpm=to_int(summary[key]))
        for index, key in enumerate(("fan-speed-in", "fan-speed-out"))
        if key in summary
    ]
    device = _optional(replies, DEVICE)
    power = device.get("power") if isinstance(device, dict) else None
    if isinstance(power, dict) and "fanspeed" in power:
        fans.append(Fan(index=0, rpm=to_int(power["fanspeed"]), psu=True))
    return fans


def _boards(replies: Replies) -> list[Board]:
    edevs = replies[EDEVS]["edevs"]
    summary = _optional(replies, SUMMARY)
    pcb_temps = summary.get("summary", {}).get("board-temperature") if summary else None
    device = _optional(replies, DEVICE)
    miner = device.get("miner") if isinstance(device, dict) else None
    boards = []
    for position, dev in enumerate(item for item in edevs if isinstance(item, dict)):
        index = to_int(dev.get("id"))
        index = position if index is None else index
        rate = to_float(dev.get("hash-realtime", dev.get("hash-average")))
        pcb = None
        if isinstance(pcb_temps, list) and index < len(pcb_temps):
            pcb = positive(to_float(pcb_temps[index]))
        status = clean_str(dev.get("status"))
        boards.append(
            Board(
                index=index,
                hashrate=rate,
                expected_hashrate=positive(to_float(dev.get("factory-hash"))),
                board_temperature=pcb,
                chip_temperature=positive(
                    to_float(dev.get("chip-temp-max", dev.get("chip-temp-avg")))
                ),
                chips=to_int(dev.get("effective-chips")),
                frequency=positive(to_float(dev.get("freq"))),
                serial=clean_str(miner.get(f"pcbsn{index}")) if isinstance(miner, dict) else None,
                active=None if status is None else status.lower() == "alive" and bool(rate),
            )
        )
    return boards


def _pools(replies: Replies) -> list[Pool]:
    items = [p for p in replies[POOLS]["pools"] if isinstance(p, dict)]
    items.sort(key=lambda p: to_int(p.get("pool-priority")) or 0)
    pools: list[Pool] = []
    for item in items:
        url = clean_str(item.get("url"))
        if not url:
            continue
        pools.append(
            Pool(
                index=len(pools),
                url=url,
                user=clean_str(item.get("account")),
                alive=str(item.get("status", "")).lower() == "alive",
                active=to_bool(item.get("stratum-active")),
                accepted=to_int(item.get("accepted")),
                rejected=to_int(item.get("rejected")),
            )
        )
    return pools


def _errors(replies: Replies) -> list[MinerErrorEntry]:
    return error_entries(replies[DEVICE].get("error-code"))


def _mining(replies: Replies) -> bool | None:
    return to_bool(_device(replies, "miner")["working"])


def _fault_light(replies: Replies) -> bool | None:
    return led_is_on(_device(replies, "system")["ledstatus"])


def _work_mode(replies: Replies) -> str | None:
    mode = clean_str(replies[SETTING]["power-mode"])
    return mode.lower() if mode and mode.lower() in WORK_MODES else None


class ApiV3Backend(NamedRefusals, Backend):
    """btminer API v3: framed JSON on 4433, token-signed writes."""

    name = "api_v3"
    RPC_MULTICOMMAND = False
    DATA_MAP = {
        Field.HASHRATE: Location((SUMMARY,), _hashrate),
        Field.EXPECTED_HASHRATE: Location((SUMMARY,), _expected_hashrate),
        Field.POWER: Location((SUMMARY,), _power),
        Field.POWER_LIMIT: Location((SUMMARY,), _power_limit),
        Field.ENVIRONMENT_TEMPERATURE: Location((SUMMARY,), _environment_temperature),
        Field.UPTIME: Location((SUMMARY,), _uptime),
        Field.FANS: Location((SUMMARY, DEVICE), _fans),
        Field.BOARDS: Location((EDEVS, SUMMARY, DEVICE), _boards),
        Field.POOLS: Location((POOLS,), _pools),
        Field.ERRORS: Location((DEVICE,), _errors),
        Field.MINING: Location((DEVICE,), _mining),
        Field.FAULT_LIGHT: Location((DEVICE,), _fault_light),
        Field.WORK_MODE: Location((SETTING,), _work_mode),
        Field.WORK_MODES: Location((), lambda _: WORK_MODES),
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

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = client_for(ctx)

    def client(self) -> WhatsminerV3Client:
        """The client, following the context's timeout (callers may change it)."""
        self.api.timeout = self.ctx.timeout
        return self.api

    async def fetch_call(self, call: Call) -> Any:
        return await self.client().get(call.name, call.argument)

    @classmethod
    def power_range_for(cls, identity: MinerIdentity) -> PowerLimitRange | None:
        return power_limit_range(identity.model)

    async def check_credentials(self) -> None:
        """Prove account and password with a write that changes nothing.

        Reads need no login, so the light is set to the state it is already in.
        """
        msg = await self.client().get("get.device.info", "system")
        system = msg.get("system") if isinstance(msg, dict) else None
        on = led_is_on(system.get("ledstatus")) if isinstance(system, dict) else None
        await self.set_fault_light(bool(on))

    async def set_mining(self, on: bool) -> None:
        await self.client().set("set.miner.service", "start" if on else "stop")

    async def set_fault_light(self, on: bool) -> None:
        await self.client().set("set.system.led", [dict(LED_ON)] if on else LED_AUTO)

    async def set_power_limit(self, watts: int) -> None:
        await self.client().set("set.miner.power_limit", int(watts))

    async def set_work_mode(self, mode: str) -> None:
        if mode not in WORK_MODES:
            raise MinerValueError(
                f"unknown work mode {mode!r}; choose from {', '.join(WORK_MODES)}"
            )
        await self.client().set("set.miner.power_mode", mode)

    async def reboot(self) -> None:
        await self.client().set("set.system.reboot")

    async def restart_backend(self) -> None:
        await self.client().set("set.miner.service", "restart")
