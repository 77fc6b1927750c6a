"""Avalon (Canaan) stock firmware: Canaan's cgminer 4.11.1 on TCP 4028, no login.

Everything goes over the cgminer RPC: ``version`` (identity), ``devs`` (hashrate in
MH/s), ``estats`` (everything else) and ``pools``; controls are ``ascset`` options and
``restart``. Canaan's API manual says the API is single-threaded and takes one
command at a time, so a poll is one cgminer multicommand, ``devs+estats+pools``, on
one connection (pyasic reads Avalons with multicommands too); a release answering it
without the pieces is read one command after the other from then on, never side by
side, and once one of a poll's commands finds the miner unreachable the rest of that
poll fail at once instead of each waiting out its own deadline.

``estats`` packs the hardware figures into one string of ``Key[value]`` pairs, in
two layouts (both parsed by :func:`parse_mm`):

* ``"MM ID0"``: ``Ver[1566-185-…] SYSTEMSTATU[Work: In Work, Hash Board: 3 ] Temp[25]
  … MGHS[61000.1 62000.2 …] PVT_T0[ 63  70 …] …`` (A-series, Nano 3 / 3S);
* ``"MM ID0:Summary"``: ``'STATS':{Ver[Q-…] … }`` with the per-chip arrays apart in
  ``"HBinfo"``: ``'HB0':{PVT_T0[…] MW0[…]}`` (Avalon Q and newer home units).

Values may hold spaces, colons, commas and dashes (``ATAOPTS0[--avalon10-freq
300:318:339:360 --hash-asic 160]``), units (``FanR[49%]``, ``MEMFREE[269880 B]``),
``nan``/``inf`` and the sentinel ``-273`` for a missing temperature sensor.

Figures: ``GHSmm`` expected hashrate (GH/s); ``MGHS`` per-board hashrate (GH/s);
``WALLPOWER``, else ``PS[6]`` (wall power), else ``PS[4]`` (power to the hash boards,
the only figure A10-era units give); ``PS[0]`` is the power supply's error bitmask
(table in Canaan's A10 API manual); ``MPO`` the power limit the firmware works to
(read only: no ``ascset`` option sets watts); ``Temp`` (rack) or ``ITemp`` (home
units) the intake air; ``MTmax`` per-board hottest chip; ``FanN`` RPM and ``FanR`` the
common duty; ``Led`` the locate light; ``SYSTEMSTATU`` "In Work" / "In Idle".

Work modes (the select) differ by product line; the driver names them, the firmware
numbers them. Sources: Canaan's A10 API manual for the A-series (``workmode`` 0 normal,
1 high performance, effective after the next reboot); for the Q, Mini 3 and Nano 3S
third-party clients that read ``WORKMODE[]`` (a Nano 3S at ``WORKMODE[2]`` works to
``MPO[140]``, its 140 W high mode); for the original Nano 3, clients that set
``worklevel`` 0-2. ``worklevel`` on the Q and Mini 3 is a fine offset inside a mode
(0 super, -1 eco), not a mode, so it is not offered. ⚠ The Mini 3 names and the
Nano 3 / Nano 3S split between ``worklevel`` and ``workmode`` are unverified on
hardware.

Controls: ``softoff``/``softon`` (the mining switch) take a Unix time a few seconds
ahead and act then, so a read straight after still shows the old state; ``led`` on
A-series racks only (the Q's ``ascset help`` has no ``led``; the Nano's ring light is a
lamp); ``reboot`` is ``ascset 0,reboot,0`` (Canaan's manual); ``restart`` restarts
cgminer only (the restart-backend control).

Quirks handled: replies end with a NUL; ``nan``/``inf`` bare in the JSON; ``softon``
may close the socket without a reply, which looks like a dropped connection, so it is
confirmed with one ``estats`` right away (``SoftOnTime`` where reported); ``restart``
answers ``RESTART`` where a status belongs (in whichever of the shapes cgminer
builds: a bare string, ``{"STATUS":"RESTART"}`` or the invalid ``{"RESTART",…}``).
A reply cut short is an error, never a shorter reading: the generic repair would turn
a cut ``pools`` into fewer pools.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from ..context import MinerContext
from ..contract import Backend, Call, Family, Field, Location, ProbeResults, Replies, SharedPoll
from ..deadline import remaining
from ..exceptions import (
    MinerConnectionError,
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
    MinerValueError,
)
from ..hardware import lookup
from ..models import Board, Control, Fan, MinerErrorEntry, MinerIdentity, Pool
from ..transports.rpc import parse_whole
from ..transports.rpc_parse import check_status, parse_rpc_reply
from ..values import (
    clean_str,
    ghs_to_ths,
    mhs_to_ths,
    normalize_mac,
    positive,
    to_bool,
    to_float,
    to_int,
)
from ._cgminer import first, piece_or_error, pools, probe_item, section, stats_item
from ._probes import RPC_DEVDETAILS, RPC_VERSION, rpc_text
from ._refusal import NamedRefusals

_LOGGER = logging.getLogger(__name__)

MAKE = "Canaan"
FIRMWARE = "Stock"
FAMILY_KEY = "avalon"
UNKNOWN_MODEL = "Avalon"
# softoff/softon act at a Unix time; both libraries that drive them ask for "now + 5 s".
SOFT_SWITCH_DELAY = 5

VERSION = Call("version")
DEVS = Call("devs")
ESTATS = Call("estats")
POOLS = Call("pools")

# Canaan's A10 API manual, appendix 1: bits of PS[0].
PSU_ERRORS = {
    1: "input voltage low",
    2: "over temperature (sensor 1)",
    4: "over temperature (sensor 2)",
    8: "over temperature (sensor 3)",
    16: "input over current",
    32: "output voltage low",
    64: "output over current",
    128: "current sense error",
    256: "over current on output A",
    512: "over current on output B",
    1024: "over current on output C",
    2048: "fan failed",
}
_NO_SENSOR = -100.0  # readings at or below this are "no sensor" (-273 on real units)


# -- the bracket format ------------------------------------------------------------


def _key(text: str) -> str:
    """The key before a ``[`` or ``{``: whitespace, separators and quotes dropped."""
    return text.strip().strip(",").strip().rstrip(":").strip().strip("'\"").strip()


_SIGNIFICANT = re.compile(r"[\[{}]")
_BRACKETS = re.compile(r"[\[\]]")


# Deepest ``{…}`` grouping parsed (real units nest two levels); deeper is an error.
_MAX_NESTING = 8


def _parse_block(text: str, start: int, nested: int) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    pos = start
    while (match := _SIGNIFICANT.search(text, pos)) is not None:
        char = match.group()
        if char == "}":
            if nested:
                return out, match.end()
            pos = match.end()  # a stray closer
            continue
        key = _key(text[pos : match.start()])
        if char == "{":
            if nested >= _MAX_NESTING:
                raise MinerResponseError(f"MM text nested deeper than {_MAX_NESTING} levels")
            section, pos = _parse_block(text, match.end(), nested + 1)
            if key:
                out.setdefault(key, section)
            continue
        depth, end = 1, len(text)
        for bracket in _BRACKETS.finditer(text, match.end()):
            depth += 1 if bracket.group() == "[" else -1
            if depth == 0:
                end = bracket.start()
                break
        if key:
            out.setdefault(key, text[match.end() : end])
        pos = end + 1
    return out, len(text)


def parse_mm(text: str) -> dict[str, Any]:
    """``Key[value] Key2[v1 v2]`` to ``{"Key": "value", "Key2": "v1 v2"}``.

    Values stay text: what a value means depends on its key (``SYSTEMSTATU`` is prose,
    ``PS`` a list, ``Ver`` a name with dashes). A value runs to its matching ``]``, so
    spaces, colons and commas inside it are kept; keys may hold spaces (``Nonce
    Mask``). ``'NAME':{…}`` groups become nested dicts: the ``MM ID0:Summary`` and
    ``HBinfo`` layouts. A value cut off by the end of the text runs to the end.
    """
    return _parse_block(text, 0, 0)[0]


def numbers(value: Any) -> list[float | None]:
    """``"58  59 nan 61"`` to ``[58.0, 59.0, None, 61.0]``; a non-number is ``None``."""
    if value is None:
        return []
    return [to_float(part) for part in str(value).split()]


def _number(mm: Mapping[str, Any], key: str) -> float | None:
    value = mm.get(key)
    return None if value is None or isinstance(value, dict) else to_float(value)


def _temperature(value: float | None) -> float | None:
    return None if value is None or value <= _NO_SENSOR else value


# -- extractors ----------------------------------------------------------------------


def _stats_item(reply: Any) -> dict[str, Any]:
    """The ``estats`` object holding the ``MM ID`` figures."""
    return stats_item(reply, ("MM ID",))


def mm_values(stats_item: Mapping[str, Any]) -> dict[str, Any]:
    """The first module's figures as one flat mapping, whichever layout the unit uses."""
    for key, raw in stats_item.items():
        if not str(key).startswith("MM ID") or not isinstance(raw, str):
            continue
        parsed_mm = parse_mm(raw)
        summary = parsed_mm.get("STATS")
        values: dict[str, Any] = dict(summary) if isinstance(summary, dict) else parsed_mm
        hbinfo = stats_item.get("HBinfo")
        if isinstance(hbinfo, str):
            for section in parse_mm(hbinfo).values():
                if isinstance(section, dict):
                    for name, value in section.items():
                        values.setdefault(name, value)
        return values
    raise KeyError("no MM ID section in estats")


def _mm(replies: Replies) -> dict[str, Any]:
    return mm_values(_stats_item(replies[ESTATS]))


def _hashrate(replies: Replies) -> float | None:
    devs = replies.get(DEVS)
    if devs is not None:
        for dev in section(devs, "DEVS"):
            if "MHS 1m" in dev:
                return mhs_to_ths(dev["MHS 1m"])
    return ghs_to_ths(_mm(replies)["GHSspd"])  # Nano 3S firmware with a thin devs


def _expected_hashrate(replies: Replies) -> float | None:
    return positive(ghs_to_ths(_mm(replies)["GHSmm"]))


def _power(replies: Replies) -> float | None:
    mm = _mm(replies)
    wall = _number(mm, "WALLPOWER")
    if wall is not None:
        return wall
    supply = numbers(mm["PS"])
    for index in (6, 4):  # wall power, else power to the hash boards
        if len(supply) > index and supply[index] is not None:
            return supply[index]
    return None


def _power_limit(replies: Replies) -> float | None:
    return positive(_number(_mm(replies), "MPO"))


def _environment_temperature(replies: Replies) -> float | None:
    mm = _mm(replies)
    for key in ("Temp", "ITemp"):
        value = _temperature(_number(mm, key))
        if value is not None:
            return value
    return None


def _boards(replies: Replies) -> list[Board]:
    mm = _mm(replies)
    rates = numbers(mm.get("MGHS"))
    slots = {int(m.group(1)) for k in mm if (m := re.fullmatch(r"PVT_T(\d+)", k))}
    count = max(len(rates), max(slots) + 1 if slots else 0)
    if not count:
        raise KeyError("no hash board figures")
    hottest = numbers(mm.get("MTmax"))
    single = count == 1
    # MGHS is each board's average since cgminer started (it sums to GHSavg in every
    # capture), GHSspd the unit's rate now: a single board's rate now is GHSspd, and a
    # unit whose rate now is 0 (soft off, idle) hashes on none of its boards.
    now = _number(mm, "GHSspd")
    boards = []
    for index in range(count):
        rate = ghs_to_ths(rates[index]) if index < len(rates) else None
        if now is not None and (single or now == 0):
            rate = ghs_to_ths(now)
        chips = [t for t in numbers(mm.get(f"PVT_T{index}")) if t is not None]
        chip = hottest[index] if index < len(hottest) else None
        if chip is None and single:
            chip = _number(mm, "TMax")
        if chip is None and chips:
            chip = max(chips)
        working = [t for t in chips if t > 0]
        boards.append(
            Board(
                index=index,
                hashrate=rate,
                chip_temperature=positive(chip),
                # The Q measures the air through its one board; A-series units do not.
                inlet_temperature=_temperature(_number(mm, "HBITemp")) if single else None,
                outlet_temperature=(
                    _temperature(_number(mm, "HBOTemp") or _number(mm, "OTemp")) if single else None
                ),
                # All sensors at 0: the board is off (idle), not a board without chips.
                chips=len(working) if working else None,
                active=None if rate is None else rate > 0,
            )
        )
    return boards


def _fans(replies: Replies) -> list[Fan]:
    mm = _mm(replies)
    percent = to_int(mm.get("FanR"))
    slots = sorted(int(m.group(1)) for k in mm if (m := re.fullmatch(r"Fan(\d+)", k)))
    return [Fan(index=slot - 1, rpm=to_int(mm[f"Fan{slot}"]), percent=percent) for slot in slots]


def _uptime(replies: Replies) -> int | None:
    item = _stats_item(replies[ESTATS])
    if "Elapsed" in item:
        return to_int(item["Elapsed"])
    return to_int(mm_values(item)["Elapsed"])


def _mining(replies: Replies) -> bool | None:
    status = str(_mm(replies)["SYSTEMSTATU"])
    match = re.search(r"Work:\s*([^,\]]+)", status)
    state = match.group(1).strip().lower() if match else ""
    if state == "in work":
        return True
    if state == "in idle":
        return False
    return None  # booting, upgrading, or a state this driver does not know


def _fault_light(replies: Replies) -> bool | None:
    return to_bool(to_int(_mm(replies)["Led"]))


def _errors(replies: Replies) -> list[MinerErrorEntry]:
    """The power supply's error bits in ``PS[0]``; unknown (``None``) without them."""
    supply = numbers(_mm(replies)["PS"])
    if not supply or supply[0] is None:
        raise KeyError("PS[0] missing: the errors are unknown")
    code = int(supply[0])
    return [
        MinerErrorEntry(message=f"Power supply: {text}", code=f"PS{bit}")
        for bit, text in PSU_ERRORS.items()
        if code & bit
    ]


def _pools(replies: Replies) -> list[Pool]:
    return pools(replies[POOLS], renumber=True)


def _common_map() -> dict[Field, Location]:
    return {
        Field.HASHRATE: Location((DEVS, ESTATS), _hashrate),
        Field.EXPECTED_HASHRATE: Location((ESTATS,), _expected_hashrate),
        Field.POWER: Location((ESTATS,), _power),
        Field.POWER_LIMIT: Location((ESTATS,), _power_limit),
        Field.ENVIRONMENT_TEMPERATURE: Location((ESTATS,), _environment_temperature),
        Field.BOARDS: Location((ESTATS,), _boards),
        Field.FANS: Location((ESTATS,), _fans),
        Field.UPTIME: Location((ESTATS,), _uptime),
        Field.MINING: Location((ESTATS,), _mining),
        Field.ERRORS: Location((ESTATS,), _errors),
        Field.POOLS: Location((POOLS,), _pools),
    }


def _mode_map(key: str, modes: tuple[str, ...]) -> dict[Field, Location]:
    """Work-mode fields for firmware that reports the mode number under ``key``."""

    def current(replies: Replies) -> str | None:
        number = to_int(_mm(replies)[key])
        return modes[number] if number is not None and 0 <= number < len(modes) else None

    return {
        Field.WORK_MODE: Location((ESTATS,), current),
        Field.WORK_MODES: Location((), lambda _: modes),
    }


# -- the RPC conversation ------------------------------------------------------------


READS = (DEVS, ESTATS, POOLS)
_ASCSET_FAILED = re.compile(r"fail|invalid|unknown|error|not support", re.IGNORECASE)


def _check_ascset(reply: Any, where: str) -> None:
    """Raise when an ``ascset`` reply with a success letter reports a failure in its text."""
    if reply is None:
        return
    status = reply.get("STATUS") if isinstance(reply, dict) else None
    item = status[0] if isinstance(status, list) and status else status
    msg = item.get("Msg") if isinstance(item, dict) else None
    if isinstance(msg, str) and _ASCSET_FAILED.search(msg):
        raise MinerResponseError(f"{where}: the miner refused it: {msg}")


def _restart_accepted(raw: bytes) -> bool:
    """Whether a ``restart`` reply says RESTART, in any shape cgminer builds it."""
    text = raw.decode("utf-8", errors="replace").strip("\x00 \r\n\t")
    return re.fullmatch(r'\{?\s*(?:"STATUS"\s*:\s*)?"?RESTART"?.*', text, re.DOTALL) is not None


class _AvalonBackend(NamedRefusals, Backend):
    """Reads and controls every Avalon shares; product lines differ in their tables."""

    RPC_MULTICOMMAND = True  # devs+estats+pools, see fetch_call
    # ascset option that sets the work mode ("workmode" or "worklevel"); None: no modes.
    MODE_OPTION: ClassVar[str | None] = None
    WORK_MODES: ClassVar[tuple[str, ...]] = ()
    DATA_MAP: ClassVar[Mapping[Field, Location]] = _common_map()
    CONTROLS = frozenset({Control.MINING, Control.REBOOT, Control.RESTART_BACKEND})

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self._turn = asyncio.Lock()  # the API takes one command at a time
        self._poll = SharedPoll(self._read_all)
        self._failures = 0  # connection failures so far
        self._last_failure: MinerConnectionError | None = None

    async def _send(self, command: str, parameter: str | None = None) -> bytes | None:
        """One command on its own connection, in turn; ``None``: closed without a reply.

        A command queued behind one that found the miner unreachable fails the same
        way at once: the poll it belongs to is lost either way.
        """
        payload: dict[str, Any] = {"command": command}
        if parameter is not None:
            payload["parameter"] = parameter
        data = json.dumps(payload, separators=(",", ":")).encode()
        seen = self._failures
        async with self._turn:
            if self._failures != seen and self._last_failure is not None:
                failure = self._last_failure
                raise type(failure)(str(failure))
            client = self.ctx.rpc()
            # Commands wait their turn; together they stay inside the read's deadline.
            client.timeout = remaining(client.timeout)
            try:
                return await client.send_raw(data)
            except MinerTimeoutError as err:
                self._record(err)
                raise
            except MinerConnectionError as err:
                if err.__cause__ is None:
                    return None  # the miner hung up without a word, the socket was fine
                self._record(err)
                raise

    def _record(self, err: MinerConnectionError) -> None:
        self._failures += 1
        self._last_failure = err

    async def _command(
        self,
        command: str,
        parameter: str | None = None,
        *,
        may_close: bool = False,
        checked: bool = True,
    ) -> Any:
        """One command's parsed reply; ``checked``: an error STATUS raises."""
        raw = await self._send(command, parameter)
        where = f"{self.ctx.host}:{self.ctx.ports.rpc} {command}"
        if raw is None:
            if may_close:
                return None
            raise MinerConnectionError(f"{where}: connection closed without reply")
        reply = await parse_whole(raw, where)
        try:
            return check_status(reply) if checked else reply
        except MinerResponseError as err:
            raise MinerResponseError(f"{where}: {err}") from err

    async def fetch_call(self, call: Call) -> Any:
        """A read, from the poll's one ``devs+estats+pools`` where the firmware takes it.

        ``collect`` asks for every source at once: the first ask sends the poll's one
        multicommand (pyasic reads Avalons so) and the others wait for its pieces; the
        next poll sends a new one. A release that answers without the pieces is read
        one command after the other from then on.
        """
        if call not in READS or call.argument is not None:
            return await self._command(call.name, call.argument)
        return await self._poll.piece(call.name)

    async def _read_all(self) -> dict[str, Any]:
        names = [c.name for c in READS]
        if self.multicommand_ok:
            try:
                # Unchecked: an error STATUS is this release refusing the combination.
                reply = await self._command("+".join(names), checked=False)
            except MinerConnectionError:
                raise  # down: single commands would only wait for it again
            except MinerResponseError as err:
                # Cut short or garbled on the way: single commands for this poll only;
                # one glitch must not end combining for good.
                _LOGGER.debug("%s: multicommand reply unusable: %s", self.ctx.host, err)
            else:
                if isinstance(reply, dict) and all(isinstance(reply.get(n), list) for n in names):
                    return {n: piece_or_error(reply[n], f"{self.ctx.host} {n}") for n in names}
                self.multicommand_ok = False  # refused, or answered without the pieces
        out: dict[str, Any] = {}
        for name in names:  # one after the other: the API takes one command at a time
            try:
                out[name] = await self._command(name)
            except MinerError as err:
                out[name] = err
        return out

    async def _ascset(self, option: str, *, may_close: bool = False) -> None:
        """``ascset 0,<option>``; an "info" reply that reports a failure is a refusal.

        Canaan's cgminer answers every option it handles with STATUS "I" (code 118,
        "ASC 0 set info: …", e.g. ``success softoff:…``) or "S" ("ASC 0 set OK"); an
        option it cannot take may come back as "I" too, with the reason as text.
        """
        reply = await self._command("ascset", f"0,{option}", may_close=may_close)
        _check_ascset(reply, f"{self.ctx.host} ascset {option.split(',', maxsplit=1)[0]}")

    # -- controls --------------------------------------------------------------------

    async def set_mining(self, on: bool) -> None:
        """Schedule soft on / soft off a few seconds ahead, as the firmware expects.

        The miner changes state when that time comes. ``softon`` often hangs up
        without answering; a hang-up looks the same as a dropped connection, so it is
        confirmed at once with one ``estats``: the miner must answer, and where it
        reports the soft-on time it was asked for (``SoftOnTime``), that must be ours.
        Whether it then mines shows on the next poll.
        """
        when = int(time.time()) + SOFT_SWITCH_DELAY
        option = f"{'softon' if on else 'softoff'},1:{when}"
        reply = await self._command("ascset", f"0,{option}", may_close=on)
        if reply is None:
            await self._confirm_softon(when)
            return
        _check_ascset(reply, f"{self.ctx.host} ascset {option.split(',', maxsplit=1)[0]}")

    async def _confirm_softon(self, when: int) -> None:
        reply = await self._command("estats")
        try:
            asked = to_int(mm_values(_stats_item(reply)).get("SoftOnTime"))
        except KeyError, TypeError:
            return  # no MM section to check against: the answer itself is the proof
        if asked is not None and asked != when:
            raise MinerResponseError(
                f"{self.ctx.host}: softon not taken (SoftOnTime {asked}, asked {when})"
            )

    async def set_work_mode(self, mode: str) -> None:
        if self.MODE_OPTION is None or mode not in self.WORK_MODES:
            choices = ", ".join(self.WORK_MODES) or "none"
            raise MinerValueError(f"unknown work mode {mode!r}; choose from {choices}")
        await self._ascset(f"{self.MODE_OPTION},set,{self.WORK_MODES.index(mode)}")

    async def set_fault_light(self, on: bool) -> None:
        await self._ascset(f"led,1-{1 if on else 0}")

    async def reboot(self) -> None:
        """``ascset 0,reboot,0`` (Canaan's API manual); a unit going down may hang up first."""
        await self._ascset("reboot,0", may_close=True)

    async def restart_backend(self) -> None:
        """cgminer's own ``restart``: it answers RESTART where a status belongs, then exits."""
        raw = await self._send("restart")
        if raw is None:
            raise MinerConnectionError(f"{self.ctx.host}: restart: connection closed without reply")
        if _restart_accepted(raw):
            return
        try:
            check_status(parse_rpc_reply(raw))
        except MinerError as err:
            raise MinerResponseError(f"{self.ctx.host}: restart refused: {err}") from err


class RackBackend(_AvalonBackend):
    """A12-A15 rack miners (A1246 … A1566): locate light, normal / performance."""

    name = "rack"
    MODE_OPTION = "workmode"
    WORK_MODES = ("normal", "performance")
    DATA_MAP = {
        **_common_map(),
        **_mode_map("WORKMODE", WORK_MODES),
        Field.FAULT_LIGHT: Location((ESTATS,), _fault_light),
    }
    CONTROLS = _AvalonBackend.CONTROLS | {Control.WORK_MODE, Control.FAULT_LIGHT}


class QBackend(_AvalonBackend):
    """Avalon Q home miner: eco / standard / super."""

    name = "q"
    MODE_OPTION = "workmode"
    WORK_MODES = ("eco", "standard", "super")
    DATA_MAP = {**_common_map(), **_mode_map("WORKMODE", WORK_MODES)}
    CONTROLS = _AvalonBackend.CONTROLS | {Control.WORK_MODE}


class Nano3sBackend(_AvalonBackend):
    """Avalon Nano 3S heater: low / mid / high."""

    name = "nano3s"
    MODE_OPTION = "workmode"
    WORK_MODES = ("low", "mid", "high")
    DATA_MAP = {**_common_map(), **_mode_map("WORKMODE", WORK_MODES)}
    CONTROLS = _AvalonBackend.CONTROLS | {Control.WORK_MODE}


class Nano3Backend(_AvalonBackend):
    """The original Avalon Nano 3: low / mid / high as a work level."""

    name = "nano3"
    MODE_OPTION = "worklevel"
    WORK_MODES = ("low", "mid", "high")
    DATA_MAP = {**_common_map(), **_mode_map("WORKLEVEL", WORK_MODES)}
    CONTROLS = _AvalonBackend.CONTROLS | {Control.WORK_MODE}


class Mini3Backend(_AvalonBackend):
    """Avalon Mini 3 heater: heating / mining / night (⚠ names from one client)."""

    name = "mini3"
    MODE_OPTION = "workmode"
    WORK_MODES = ("heating", "mining", "night")
    DATA_MAP = {**_common_map(), **_mode_map("WORKMODE", WORK_MODES)}
    CONTROLS = _AvalonBackend.CONTROLS | {Control.WORK_MODE}


class GenericBackend(_AvalonBackend):
    """Any other Avalon: telemetry, soft off/on and restarts, no mode names to offer."""

    name = "generic"


_HOME_BACKENDS: dict[str, type[_AvalonBackend]] = {
    "Q": QBackend,
    "Nano 3S": Nano3sBackend,
    "Nano 3": Nano3Backend,
    "Mini 3": Mini3Backend,
}


def backend_for(model: str) -> type[_AvalonBackend]:
    """The product line's backend: home units by name, A12 and later racks by number."""
    if model in _HOME_BACKENDS:
        return _HOME_BACKENDS[model]
    match = re.fullmatch(r"A(\d\d)\d*[A-Z]*(?:[-\s].*)?", model)
    if match and int(match.group(1)) >= 12:
        return RackBackend
    return GenericBackend


# -- identification --------------------------------------------------------------------


def normalize_model(raw: Any) -> str | None:
    """Canaan's ``MODEL``/``PROD`` to the name the hardware table uses.

    ``Nano3s`` → ``Nano 3S``, ``Mini3`` → ``Mini 3``, ``Q`` → ``Q``, ``1566-185`` and
    ``AvalonMiner 1566`` → ``A1566``, ``1166Pro`` → ``A1166 Pro``. The number after a
    four-digit model is a hashrate bin and is dropped. The A15 series names itself by
    series and bin alone (``PROD`` "AvalonMiner 15-194", ``MODEL`` "15-194" in the
    one public capture, pyasic's 15-194 test data); that unit is the A1566 hardware
    (three boards of 160 chips, ``EEPROM[160 160 160]``) and pyasic files it as the
    A1566 too, so ``15-…`` → ``A1566``. Other two-digit series keep their bin:
    ``A16-…``.
    """
    text = clean_str(raw)
    if text is None:
        return None
    text = re.sub(r"^avalon\s*(miner)?\s*", "", text, flags=re.IGNORECASE).strip()
    key = text.replace(" ", "").upper()
    if not key:
        return None
    home = re.fullmatch(r"(NANO|MINI)(\d+)(S?)", key)
    if home:
        return f"{home.group(1).title()} {home.group(2)}{home.group(3)}"
    if key == "Q":
        return "Q"
    rack = re.fullmatch(r"A?(\d+)([A-Z]*)(?:-(\w+))?", key)
    if rack:
        number, suffix, rest = rack.groups()
        if number == "15" and not suffix and rest:
            return "A1566"
        if len(number) <= 2 and rest:
            return f"A{number}-{rest}"
        if suffix == "PRO":
            return f"A{number} Pro"
        return f"A{number}{suffix}"
    return text


def _matches(results: ProbeResults) -> bool:
    return "AVALON" in rpc_text(results)


def _version_item(reply: Any) -> dict[str, Any]:
    try:
        item = first(reply, "VERSION")
    except KeyError, IndexError, TypeError:
        return {}
    return item


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    item = probe_item(results, RPC_VERSION.key, "VERSION")
    if not item:  # recognised by devdetails alone: ask for the version once more
        item = _version_item(await ctx.rpc().command("version"))
    model = normalize_model(item.get("MODEL")) or normalize_model(item.get("PROD")) or UNKNOWN_MODEL
    return MinerIdentity(
        make=MAKE,
        model=model,
        family=FAMILY_KEY,
        firmware=FIRMWARE,
        backend=backend_for(model).name,
        firmware_version=clean_str(
            item.get("VERSION") or item.get("LVERSION") or item.get("CGVERSION")
        ),
        api_version=clean_str(item.get("API")),
        mac=normalize_mac(item.get("MAC")),
        serial=clean_str(item.get("DNA")),
        control_board=clean_str(item.get("HWTYPE")),
        supported=lookup(MAKE, model) is not None,
    )


FAMILY = Family(
    key=FAMILY_KEY,
    name="Avalon (stock firmware)",
    stock=True,
    probes=(RPC_VERSION, RPC_DEVDETAILS),
    matches=_matches,
    identify=_identify,
    backends=(
        RackBackend,
        QBackend,
        Nano3sBackend,
        Nano3Backend,
        Mini3Backend,
        GenericBackend,
    ),
)
