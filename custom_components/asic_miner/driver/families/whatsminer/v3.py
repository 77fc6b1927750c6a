"""Whatsminer firmware from late 2024 on: API v3 on TCP 4433.

Reads need no login; writes are token-signed with account ``super`` (password
``super`` by default). What the replies mean is in ``parse_v3.py``.

A poll is one connection carrying two frames in turn: ``get.miner.status`` with
``summary+edevs+pools`` (its sections in one answer) and ``get.device.info``; every
``SETTINGS_EVERY`` polls a third, ``get.miner.setting`` (the work mode). A release that refuses the combined param, or answers it
without every section, is asked for the sections one by one from then on (five
frames); one that hangs up after each frame gets a connection per frame
(``WhatsminerV3Client.get_many``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...context import MinerContext
from ...contract import Call, Field, Location
from ...gathering import SharedPoll
from ...models import Credentials, MinerIdentity, PoolConfig
from ...slow import SETTINGS_EVERY
from . import parse_v3 as parse
from .base import WhatsminerBackend, summary_fields
from .client_v3 import (
    DEFAULT_ACCOUNT,
    DEFAULT_PASSWORD,
    MinerCommandRefusedError,
    WhatsminerV3Client,
)
from .parse import LED_AUTO, LED_ON, led_is_on

DEFAULT_CREDENTIALS = Credentials(DEFAULT_ACCOUNT, DEFAULT_PASSWORD)


def client_for(ctx: MinerContext) -> WhatsminerV3Client:
    account, password = ctx.login(DEFAULT_CREDENTIALS)
    return WhatsminerV3Client(
        ctx.host,
        ctx.ports.whatsminer_v3,
        account=account,
        password=password,
        timeout=ctx.timeout,
    )


class ApiV3Backend(WhatsminerBackend):
    """btminer API v3: framed JSON on 4433, token-signed writes."""

    name = "api_v3"
    RPC_MULTICOMMAND = False
    DATA_MAP = {
        **summary_fields(parse, parse.SUMMARY),
        Field.FANS: Location((parse.SUMMARY, parse.DEVICE), parse.fans),
        Field.BOARDS: Location((parse.EDEVS, parse.SUMMARY, parse.DEVICE), parse.boards),
        Field.POOLS: Location((parse.POOLS,), parse.pools),
        Field.ERRORS: Location((parse.DEVICE,), parse.errors),
        Field.MINING: Location((parse.DEVICE,), parse.mining),
        Field.FAULT_LIGHT: Location((parse.DEVICE,), parse.fault_light),
        Field.WORK_MODE: Location((parse.SETTING,), parse.work_mode),
    }
    # The work mode changes only when someone sets it: two frames a poll, three when due.
    SLOW_SOURCES = {parse.SETTING: SETTINGS_EVERY}

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = client_for(ctx)
        self._poll = SharedPoll(self._read_all)
        # Cleared once the firmware refuses ``summary+edevs+pools``: sections apart then.
        self.status_combined = True

    def client(self) -> WhatsminerV3Client:
        """The client, following the context's timeout (callers may change it)."""
        self.api.timeout = self.ctx.timeout
        return self.api

    async def fetch_call(self, call: Call) -> Any:
        """One read's reply, from the one connection the whole poll shares."""
        if call not in parse.READS:
            raise NotImplementedError(call.name)
        return await self._poll.piece(call)

    async def _read_all(self) -> dict[Call, Any]:
        client = self.client()
        out: dict[Call, Any] = {}
        # The setting only when due (``SLOW_SOURCES``), as ``collect`` asks for it.
        due = self.slow.due(set(parse.OTHERS))
        others = [c for c in parse.OTHERS if c in due]
        wanted = [*parse.STATUS, *others]
        if self.status_combined:
            requests: list[tuple[str, Any]] = [(parse.SUMMARY.name, parse.STATUS_ALL)]
            requests += [(c.name, c.argument) for c in others]
            combined, *answers = await client.get_many(requests)
            out.update(zip(others, answers, strict=True))
            refused = isinstance(combined, MinerCommandRefusedError) or (
                not isinstance(combined, Exception) and not parse.has_sections(combined)
            )
            if not refused:
                # Every section, or this poll's trouble (silence, a garbled frame).
                out.update(dict.fromkeys(parse.STATUS, combined))
                return out
            self.status_combined = False
            wanted = list(parse.STATUS)
        answers = await client.get_many([(c.name, c.argument) for c in wanted])
        out.update(zip(wanted, answers, strict=True))
        return out

    async def light_now(self) -> bool | None:
        msg = await self.client().get("get.device.info", "system")
        system = msg.get("system") if isinstance(msg, dict) else None
        return led_is_on(system.get("ledstatus")) if isinstance(system, dict) else None

    async def set_mining(self, on: bool) -> None:
        await self.client().set("set.miner.service", "start" if on else "stop")

    async def set_fault_light(self, on: bool) -> None:
        await self.client().set("set.system.led", [dict(LED_ON)] if on else LED_AUTO)

    async def set_power_limit(self, watts: int) -> None:
        await self.client().set("set.miner.power_limit", int(watts))

    async def apply_work_mode(self, mode: str) -> None:
        await self.client().set("set.miner.power_mode", mode)

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        """``set.miner.pools``: the list, its parameter sealed with the login's digest."""
        sent = [{"pool": p.url, "worker": p.user, "passwd": p.password or "x"} for p in pools]
        await self.client().set("set.miner.pools", sent)

    async def reboot(self) -> None:
        await self.client().set("set.system.reboot")

    async def restart_backend(self) -> None:
        await self.client().set("set.miner.service", "restart")
