"""Whatsminer firmware before late 2024: btminer API v1/v2 on TCP 4028.

Reads. The cgminer commands ``summary+devs+pools`` go as one multicommand on one
connection (pyasic reads real units so; btminer keeps only ``get_*`` and ``status``
apart). Those answer with their own flat envelope and one connection each, so a
steady poll sends exactly one of them beside the multicommand, in turn: ``status``
(the mining switch) every other poll, the others (``get_error_code``, the light in
``get_miner_info``) in between, each kept from its last read until its turn comes
again. A steady poll is therefore 2 connections; mining is at most one poll old,
errors and the light at most three. A control marks what it changed as due next.
The first poll reads ``status`` and ``get_error_code`` (3 connections), the second
the light; until then the light is unknown (``None``).

Why not all three every poll: the multicommand does not make them free. btminer
refuses ``get_*`` and ``status`` inside ``a+b`` (pyasic's btminer client splits them
out for that reason; protocol reference §2.1.2) and takes one request per connection,
so reading them all would cost 4 connections a poll instead of 2. The rotation keeps
the mining switch fresh where it matters: a summary whose hashrate contradicts the
kept switch (someone switched it elsewhere) has ``status`` read on that very poll.

API 1.x (``whatsminer v1.4.0``) has neither ``get_error_code`` nor
``get_miner_info``: its error codes are in ``summary`` (``Error Code Count`` and
``Error Code 0``...), and a command the firmware refuses is not asked again.

Hashrates come in MH/s (``Factory GHS`` in GH/s). ``Power`` is ``-1`` when the PSU
does not report. Every control goes through the encrypted privileged API (admin
password, default ``admin``), which the owner must first switch on in WhatsMinerTool.

The reads are ``Call`` sources rather than ``Rpc`` ones so each reply is checked for
being complete before it is used: the generic cgminer path repairs a cut-off reply
into a shorter valid one, which would make a dropped connection look like a miner
with fewer boards.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from ...context import MinerContext
from ...contract import Call, Field, Location, Replies
from ...exceptions import (
    MinerAuthenticationError,
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
)
from ...gathering import SharedPoll, gather_dict
from ...models import (
    Control,
    Credentials,
    MinerIdentity,
    PoolConfig,
)
from ...transports.rpc import MulticommandRefusedError
from ...values import to_float
from .._cgminer import first
from . import parse_v2 as parse
from .base import WhatsminerBackend, summary_fields
from .client_v2 import DEFAULT_PASSWORD, WhatsminerV2Client
from .parse import LED_AUTO, LED_ON, led_is_on

DEFAULT_CREDENTIALS = Credentials("admin", DEFAULT_PASSWORD)
_LOGGER = logging.getLogger(__name__)


class ApiV2Backend(WhatsminerBackend):
    """btminer API v1/v2: plain reads, encrypted privileged writes, all on 4028."""

    name = "api_v2"
    RPC_MULTICOMMAND = True  # summary+devs+pools; get_* and status stay apart
    DATA_MAP = {
        **summary_fields(parse, parse.SUMMARY),
        Field.FANS: Location((parse.SUMMARY,), parse.fans),
        Field.WORK_MODE: Location((parse.SUMMARY,), parse.work_mode),
        Field.BOARDS: Location((parse.DEVS,), parse.boards),
        Field.POOLS: Location((parse.POOLS,), parse.pools),
        Field.ERRORS: Location((parse.SUMMARY, parse.ERROR_CODE), parse.errors),
        Field.MINING: Location((parse.STATUS,), parse.mining),
        Field.FAULT_LIGHT: Location((parse.MINER_INFO,), parse.fault_light),
    }
    # btminer reboots the machine to apply a new power limit (API v2 documentation).
    RESTARTS_AFTER = frozenset({Control.REBOOT, Control.POWER_LIMIT})

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        # API 1.x: this backend's own, or an entry stored before ``api_v1`` existed.
        self.v1 = self.name == ApiV1Backend.name or is_api_v1(identity)
        _, password = ctx.login(DEFAULT_CREDENTIALS)
        self.api = WhatsminerV2Client(ctx.rpc, password)
        self._poll = SharedPoll(self._read_all)
        self._kept: dict[Call, Any] = {}  # last good reply of each side command
        self._absent: set[Call] = set()  # side commands this firmware does not have
        self._due: list[Call] = []  # side commands to read next, before the rotation
        self._turn = 0

    async def fetch_call(self, call: Call) -> Any:
        """One read's reply, from the one set of requests the whole poll shares.

        ``collect`` asks for every source at once: the first ask starts the poll's
        requests and the others wait for them; the next poll starts afresh.
        """
        if call not in parse.READS:
            raise NotImplementedError(call.name)
        return await self._poll.piece(call)

    def _next_side(self, summary: Any) -> list[Call]:
        """The side commands this poll sends, chosen once this poll's summary is in.

        First ``status`` and ``get_error_code`` (the mining switch and the faults), then
        ``get_miner_info`` (the light) on the next poll, then one in turn: ``status``
        every other poll, the others in between. ``status`` jumps the queue when the
        summary's rate now contradicts the kept switch (hashing while "off", or not
        hashing while "on": someone switched it), and so does a control's command.
        """
        wanted = [c for c in parse.SIDE if c not in self._absent]
        if self.v1 or self._uses_summary_errors():
            wanted = [c for c in wanted if c is not parse.ERROR_CODE]  # errors come in summary
        if self.v1:
            wanted = [c for c in wanted if c is not parse.MINER_INFO]  # 1.x has no such command
        unread = [
            c for c in (parse.STATUS, parse.ERROR_CODE) if c in wanted and c not in self._kept
        ]
        if unread:
            return unread
        if parse.STATUS in wanted and self._switch_contradicted(summary):
            return [parse.STATUS]
        due = [c for c in self._due if c in wanted]
        if due:
            self._due.remove(due[0])
            return due[:1]
        if parse.MINER_INFO in wanted and parse.MINER_INFO not in self._kept:
            return [parse.MINER_INFO]
        others = [c for c in wanted if c is not parse.STATUS]
        if not others:
            return [parse.STATUS] if parse.STATUS in wanted else []
        self._turn += 1
        if self._turn % 2 or parse.STATUS not in wanted:
            return [others[(self._turn // 2) % len(others)]]
        return [parse.STATUS]

    def _switch_contradicted(self, summary: Any) -> bool:
        """Whether the rate now (``HS RT``, else ``MHS 5s``) disagrees with the kept switch."""
        try:
            item = first(summary, "SUMMARY")
            kept = parse.mining(Replies({parse.STATUS: self._kept[parse.STATUS]}))
        except KeyError, IndexError, TypeError, MinerError:
            return False
        rate = to_float(item.get("HS RT", item.get("MHS 5s")))
        if rate is None or kept is None:
            return False
        return (rate > 0) != kept

    def _uses_summary_errors(self) -> bool:
        summary = self._kept.get(parse.SUMMARY)
        if summary is None:
            return False
        try:
            return parse.summary_error_codes(first(summary, "SUMMARY")) is not None
        except KeyError, IndexError, TypeError:
            return False

    async def _read_all(self) -> dict[Call, Any]:
        """The multicommand first, then the side command(s) its summary calls for."""
        combined: dict[Call, Any] | Exception
        try:
            combined = await self._read_cgminer()
        except MinerError as err:
            combined = err
        if isinstance(combined, dict) and all(isinstance(v, Exception) for v in combined.values()):
            combined = combined[parse.SUMMARY]
        side = (
            [] if isinstance(combined, Exception) else self._next_side(combined.get(parse.SUMMARY))
        )
        done = await gather_dict({c: self.api.read(c.name) for c in side})
        out: dict[Call, Any] = {}
        if isinstance(combined, Exception):
            # Nothing answered this poll: kept replies must not make it look alive.
            out.update(dict.fromkeys(parse.READS, combined))
            out.update({c: v for c, v in done.items() if isinstance(c, Call)})
            return out
        out.update(combined)
        if isinstance(out[parse.SUMMARY], dict):
            self._kept[parse.SUMMARY] = out[parse.SUMMARY]
        for call in parse.SIDE:
            if call in done:
                value = done[call]
                if isinstance(value, dict):
                    self._kept[call] = value
                elif isinstance(value, MinerResponseError) and parse.is_unknown(value):
                    self._absent.add(call)
                    self._kept.pop(call, None)
                out[call] = self._kept.get(call, value)
            elif call in self._absent:
                out[call] = MinerResponseError(f"{self.ctx.host}: no {call.name} on this firmware")
            else:
                out[call] = self._kept.get(call, MinerResponseError(f"{call.name} not read"))
        return out

    async def _read_cgminer(self) -> dict[Call, Any]:
        names = tuple(c.name for c in parse.CGMINER)
        if self.multicommand_ok:
            try:
                pieces = await self.api.read_many(names)
            except MinerTimeoutError:
                raise  # a silent miner: don't spend another deadline on single commands
            except MulticommandRefusedError:
                self.multicommand_ok = False  # this release refuses a+b: singles from now
            except MinerResponseError as err:
                # Cut short or garbled on the way: singles for this poll only, the
                # combination again next time (one glitch must not cost 2 more
                # connections on every later poll).
                _LOGGER.debug("%s: multicommand reply unusable: %s", self.ctx.host, err)
            else:
                return {c: pieces[c.name] for c in parse.CGMINER}
        done = await gather_dict({c: self.api.read(c.name) for c in parse.CGMINER})
        return dict(done)

    @classmethod
    def controls_for(cls, identity: MinerIdentity) -> frozenset[Control]:
        """``adjust_power_limit`` came with API 2.0.5; 1.x firmware has no such command."""
        if is_api_v1(identity):
            return cls.CONTROLS - {Control.POWER_LIMIT}
        return cls.CONTROLS

    async def light_now(self) -> bool | None:
        """``None`` on API 1.x, which has no ``get_miner_info``: the password check then
        hands the light back to the firmware (auto), the one write that harms nothing."""
        try:
            reply = await self.api.read("get_miner_info")
        except MinerAuthenticationError:
            raise
        except MinerResponseError:
            if self.v1:
                return None
            raise
        msg = reply.get("Msg")
        return led_is_on(msg.get("ledstat")) if isinstance(msg, dict) else None

    async def _write(self, cmd: str, params: dict[str, Any] | None = None) -> None:
        await self.api.write(cmd, params)

    def _mark_due(self, call: Call) -> None:
        """Read ``call`` on the next poll: a control just changed what it reports."""
        if call not in self._due:
            self._due.insert(0, call)

    async def set_mining(self, on: bool) -> None:
        self._mark_due(parse.STATUS)
        if on:
            await self._write("power_on")
        else:
            # respbefore must be the string "true": answer first, then stop hashing.
            await self._write("power_off", {"respbefore": "true"})

    async def set_fault_light(self, on: bool) -> None:
        self._mark_due(parse.MINER_INFO)
        await self._write("set_led", dict(LED_ON) if on else {"param": LED_AUTO})

    async def set_power_limit(self, watts: int) -> None:
        """Set the PSU power limit; btminer reboots the miner to apply it."""
        # API 2.0.5 wants the number as a string.
        await self._write("adjust_power_limit", {"power_limit": str(int(watts))})

    async def apply_work_mode(self, mode: str) -> None:
        await self._write(f"set_{mode}_power")

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        """``update_pools``: three slots of pool, worker and password (empty: unused)."""
        params: dict[str, Any] = {}
        for number in (1, 2, 3):
            pool = pools[number - 1] if number <= len(pools) else None
            params[f"pool{number}"] = pool.url if pool else ""
            params[f"worker{number}"] = pool.user if pool else ""
            params[f"passwd{number}"] = (pool.password or "x") if pool else ""
        await self._write("update_pools", params)

    async def reboot(self) -> None:
        await self.api.write("reboot", may_drop=True)

    async def restart_backend(self) -> None:
        # btminer serves the API itself, so restarting it may cut the reply off.
        await self.api.write("restart_btminer", may_drop=True)


def is_api_v1(identity: MinerIdentity) -> bool:
    """btminer API 1.x (``whatsminer v1.4.0``, firmware before 2022)."""
    return (identity.api_version or "").startswith("1.")


class ApiV1Backend(ApiV2Backend):
    """btminer API 1.x: the v2 transport and envelopes, fewer commands.

    No ``get_miner_info`` (so no light state, no serial, no hostname), no
    ``get_error_code`` (error codes come in ``summary``), no ``adjust_power_limit``;
    the encrypted writes (power on/off, LED, power modes, reboot, restart) are those
    of v2. Shapes as asic-rs's API 1.4.0 captures (tests/driver/fixtures/whatsminer/
    v1_20210322).
    """

    name = "api_v1"
    DATA_MAP = {f: loc for f, loc in ApiV2Backend.DATA_MAP.items() if f is not Field.FAULT_LIGHT}
    CONTROLS = ApiV2Backend.CONTROLS - {Control.POWER_LIMIT}
    RESTARTS_AFTER = frozenset({Control.REBOOT})

    @classmethod
    def controls_for(cls, identity: MinerIdentity) -> frozenset[Control]:
        return cls.CONTROLS

    async def set_power_limit(self, watts: int) -> None:
        raise self._unsupported(Control.POWER_LIMIT)
