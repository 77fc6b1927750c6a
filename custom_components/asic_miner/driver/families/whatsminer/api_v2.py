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
from typing import Any

from ...context import MinerContext
from ...contract import Backend, Call, Field, Location, Replies, SharedPoll, gather_dict
from ...exceptions import MinerError, MinerResponseError, MinerTimeoutError, MinerValueError
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
from ...transports.rpc import MulticommandRefusedError
from ...transports.whatsminer_v2 import DEFAULT_PASSWORD, WhatsminerV2Client
from ...values import clean_str, ghs_to_ths, mhs_to_ths, positive, to_bool, to_float, to_int
from .._cgminer import first, pools, section
from .._refusal import NamedRefusals
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
CGMINER = (SUMMARY, DEVS, POOLS)  # one multicommand
SIDE = (STATUS, ERROR_CODE, MINER_INFO)  # one connection each, in turn
READS = CGMINER + SIDE
_LOGGER = logging.getLogger(__name__)
# Codes and texts of a command the firmware does not have (API 1.x: get_miner_info).
_UNKNOWN_COMMAND = ("invalid cmd", "invalid command", "unknown command")


# -- extractors -------------------------------------------------------------------


def _summary(replies: Replies) -> dict[str, Any]:
    return first(replies[SUMMARY], "SUMMARY")


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
    """The system's uptime (``Uptime``); ``Elapsed`` is btminer's, reset by a restart."""
    summary = _summary(replies)
    return to_int(summary["Uptime"] if "Uptime" in summary else summary["Elapsed"])


def _work_mode(replies: Replies) -> str | None:
    mode = clean_str(_summary(replies).get("Power Mode"))
    return mode.lower() if mode and mode.lower() in WORK_MODES else None


def _boards(replies: Replies) -> list[Board]:
    boards = []
    for position, dev in enumerate(section(replies[DEVS], "DEVS")):
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
    return pools(replies[POOLS], renumber=True)


def summary_error_codes(summary: dict[str, Any]) -> list[MinerErrorEntry] | None:
    """API 1.x: ``Error Code Count`` and ``Error Code 0``...; ``None`` where not counted."""
    count = to_int(summary.get("Error Code Count"))
    if count is None:
        return None
    codes = [summary.get(f"Error Code {i}") for i in range(min(count, 64))]
    return error_entries([c for c in codes if c not in (None, "")])


def _errors(replies: Replies) -> list[MinerErrorEntry]:
    summary = replies.get(SUMMARY)
    if summary is not None:
        counted = summary_error_codes(first(summary, "SUMMARY"))
        if counted is not None:
            return counted
    msg = _msg(replies, ERROR_CODE)
    if "error_code" not in msg:
        raise KeyError("get_error_code without error_code")
    return error_entries(msg["error_code"])


def _mining(replies: Replies) -> bool | None:
    msg = _msg(replies, STATUS)
    off = msg.get("mineroff", msg.get("btmineroff"))  # v1 firmware says btmineroff
    flag = to_bool(off)
    return None if flag is None else not flag


def _fault_light(replies: Replies) -> bool | None:
    return led_is_on(_msg(replies, MINER_INFO)["ledstat"])


class ApiV2Backend(NamedRefusals, Backend):
    """btminer API v1/v2: plain reads, encrypted privileged writes, all on 4028."""

    name = "api_v2"
    RPC_MULTICOMMAND = True  # summary+devs+pools; get_* and status stay apart
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
        Field.ERRORS: Location((SUMMARY, ERROR_CODE), _errors),
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
        if call not in READS:
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
        wanted = [c for c in SIDE if c not in self._absent]
        if (self.identity.api_version or "").startswith("1.") or self._uses_summary_errors():
            wanted = [c for c in wanted if c is not ERROR_CODE]  # errors come in summary
        if (self.identity.api_version or "").startswith("1."):
            wanted = [c for c in wanted if c is not MINER_INFO]  # 1.x has no such command
        unread = [c for c in (STATUS, ERROR_CODE) if c in wanted and c not in self._kept]
        if unread:
            return unread
        if STATUS in wanted and self._switch_contradicted(summary):
            return [STATUS]
        due = [c for c in self._due if c in wanted]
        if due:
            self._due.remove(due[0])
            return due[:1]
        if MINER_INFO in wanted and MINER_INFO not in self._kept:
            return [MINER_INFO]
        others = [c for c in wanted if c is not STATUS]
        if not others:
            return [STATUS] if STATUS in wanted else []
        self._turn += 1
        if self._turn % 2 or STATUS not in wanted:
            return [others[(self._turn // 2) % len(others)]]
        return [STATUS]

    def _switch_contradicted(self, summary: Any) -> bool:
        """Whether the rate now (``HS RT``, else ``MHS 5s``) disagrees with the kept switch."""
        try:
            item = first(summary, "SUMMARY")
            kept = _mining(Replies({STATUS: self._kept[STATUS]}))
        except KeyError, IndexError, TypeError, MinerError:
            return False
        rate = to_float(item.get("HS RT", item.get("MHS 5s")))
        if rate is None or kept is None:
            return False
        return (rate > 0) != kept

    def _uses_summary_errors(self) -> bool:
        summary = self._kept.get(SUMMARY)
        if summary is None:
            return False
        try:
            return summary_error_codes(first(summary, "SUMMARY")) is not None
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
            combined = combined[SUMMARY]
        side = [] if isinstance(combined, Exception) else self._next_side(combined.get(SUMMARY))
        done = await gather_dict({c: self.api.read(c.name) for c in side})
        out: dict[Call, Any] = {}
        if isinstance(combined, Exception):
            # Nothing answered this poll: kept replies must not make it look alive.
            out.update(dict.fromkeys(READS, combined))
            out.update({c: v for c, v in done.items() if isinstance(c, Call)})
            return out
        out.update(combined)
        if isinstance(out[SUMMARY], dict):
            self._kept[SUMMARY] = out[SUMMARY]
        for call in SIDE:
            if call in done:
                value = done[call]
                if isinstance(value, dict):
                    self._kept[call] = value
                elif isinstance(value, MinerResponseError) and _is_unknown(value):
                    self._absent.add(call)
                    self._kept.pop(call, None)
                out[call] = self._kept.get(call, value)
            elif call in self._absent:
                out[call] = MinerResponseError(f"{self.ctx.host}: no {call.name} on this firmware")
            else:
                out[call] = self._kept.get(call, MinerResponseError(f"{call.name} not read"))
        return out

    async def _read_cgminer(self) -> dict[Call, Any]:
        names = tuple(c.name for c in CGMINER)
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
                return {c: pieces[c.name] for c in CGMINER}
        done = await gather_dict({c: self.api.read(c.name) for c in CGMINER})
        return dict(done)

    @classmethod
    def controls_for(cls, identity: MinerIdentity) -> frozenset[Control]:
        """``adjust_power_limit`` came with API 2.0.5; 1.x firmware has no such command."""
        if (identity.api_version or "").startswith("1."):
            return cls.CONTROLS - {Control.POWER_LIMIT}
        return cls.CONTROLS

    @classmethod
    def power_range_for(cls, identity: MinerIdentity) -> PowerLimitRange | None:
        return power_limit_range(identity.model)

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

    def _mark_due(self, call: Call) -> None:
        """Read ``call`` on the next poll: a control just changed what it reports."""
        if call not in self._due:
            self._due.insert(0, call)

    async def set_mining(self, on: bool) -> None:
        self._mark_due(STATUS)
        if on:
            await self._write("power_on")
        else:
            # respbefore must be the string "true": answer first, then stop hashing.
            await self._write("power_off", {"respbefore": "true"})

    async def set_fault_light(self, on: bool) -> None:
        self._mark_due(MINER_INFO)
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


def _is_unknown(err: MinerError) -> bool:
    text = str(err).lower()
    return any(marker in text for marker in _UNKNOWN_COMMAND)
