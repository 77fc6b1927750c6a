"""The Avalon backends: one per product line, differing in work modes and the light.

Reads go through ``collect.py``: ``devs`` (hashrate in MH/s), ``estats`` (everything
else) and ``pools``. Canaan's API takes one command at a time, but its cgminer 4.11.1
joins read commands with ``+`` as cgminer does (pyasic reads Avalons with one
``version+devs+estats+stats+pools``, protocols.md §10.3; the public captures are single
replies), so a poll is ``devs+estats+pools`` on one connection; a release answering it
without the pieces is read one command after the other from then on
(``RPC_ONE_AT_A_TIME``), and once one finds the miner unreachable the rest of that poll
fail at once. A reply cut short is an error, never a shorter reading
(``RPC_WHOLE_REPLIES``): the generic repair would turn a cut ``pools`` into fewer pools.

Work modes (the select) differ by product line; the driver names them, the firmware
numbers them. Sources: Canaan's A10 API manual for the A-series (``workmode`` 0 normal,
1 high performance, effective after the next reboot); for the Q, Mini 3 and Nano 3S
third-party clients that read ``WORKMODE[]`` (a Nano 3S at ``WORKMODE[2]`` works to
``MPO[140]``, its 140 W high mode); for the original Nano 3, clients that set
``worklevel`` 0-2. ``worklevel`` on the Q and Mini 3 is a fine offset inside a mode
(0 super, -1 eco), not a mode, so it is not offered. ⚠ The Mini 3 names and the
Nano 3 / Nano 3S split between ``worklevel`` and ``workmode`` are unverified on
hardware.

Controls: ``softoff``/``softon`` (the mining switch) act a few seconds ahead, so a read
straight after still shows the old state; ``led`` on A-series racks only (the Q's
``ascset help`` has no ``led``; the Nano's ring light is a lamp); ``reboot`` is
``ascset 0,reboot,0`` (Canaan's manual); ``restart`` restarts cgminer only (the
restart-backend control). ``softon`` may hang up without a reply, so it is confirmed
with one ``estats`` right away (``SoftOnTime`` where reported). ``switchpool`` (stock
cgminer) makes another configured pool the one mined on, live. ``setpool`` (racks
only, ``setpool.py``) saves pools for the next boot: the write is each reply's echo of
the pool saved, and the reboot that puts them to work follows the read-back.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, cast

from ...context import MinerContext
from ...contract import Backend, Field, Location, Replies, read_from
from ...exceptions import MinerConnectionError, MinerError, MinerResponseError, MinerValueError
from ...models import Control, MinerIdentity, PoolConfig
from ...transports.rpc_parse import check_status, parse_rpc_reply
from ...values import to_int
from .._cgminer import DEVS, POOLS
from .._refusal import NamedRefusals
from . import cooling
from . import parse as p
from .client import AvalonClient, restart_accepted
from .setpool import DEFAULT_LOGIN, saved_pool, setpool_option

# softoff/softon act at a Unix time; both libraries that drive them ask for "now + 5 s".
SOFT_SWITCH_DELAY = 5


def _common_map() -> dict[Field, Location]:
    return {
        Field.HASHRATE: Location((DEVS, p.ESTATS), p.hashrate),
        **read_from(
            p.ESTATS,
            p,
            Field.EXPECTED_HASHRATE,
            Field.POWER,
            Field.POWER_LIMIT,
            Field.ENVIRONMENT_TEMPERATURE,
            Field.BOARDS,
            Field.UPTIME,
            Field.MINING,
            Field.ERRORS,
        ),
        Field.FANS: Location((p.ESTATS,), p.fan_list),
        Field.POOLS: Location((POOLS,), p.pool_list),
        Field.COOLING: Location((p.ESTATS,), cooling.cooling),
    }


def _mode_map(key: str, modes: tuple[str, ...]) -> dict[Field, Location]:
    """Work-mode fields for firmware that reports the mode number under ``key``."""

    def current(replies: Replies) -> str | None:
        number = to_int(p.figures(replies)[key])
        return modes[number] if number is not None and 0 <= number < len(modes) else None

    return {
        Field.WORK_MODE: Location((p.ESTATS,), current),
        Field.WORK_MODES: Location((), lambda _: modes),
    }


class _AvalonBackend(NamedRefusals, Backend):
    """Reads and controls every Avalon shares; product lines differ in their tables."""

    RPC_MULTICOMMAND = True  # devs+estats+pools
    RPC_WHOLE_REPLIES = True
    RPC_ONE_AT_A_TIME = True
    # ascset option that sets the work mode ("workmode" or "worklevel"; estats reports
    # it under the same name in capitals); None: no modes to offer.
    MODE_OPTION: ClassVar[str | None] = None
    WORK_MODES: ClassVar[tuple[str, ...]] = ()
    LOCATE_LIGHT: ClassVar[bool] = False  # the racks' ``led`` option
    SAVES_POOLS: ClassVar[bool] = False  # the racks' ``setpool`` option
    DATA_MAP: ClassVar[Mapping[Field, Location]] = _common_map()
    # ``switchpool`` is stock cgminer's, on every line; Canaan's ``setpool`` (the racks'
    # ``SAVES_POOLS``) saves pools that the reboot after it puts to work.
    # ``fan-spd`` (a manual speed, read back from ``FanR``: ``cooling.py``) on every line.
    CONTROLS = frozenset(
        {Control.MINING, Control.REBOOT, Control.RESTART_BACKEND, Control.SWITCH_POOL}
        | {Control.FAN_SPEED}
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A product line's tables follow from its work modes and light; the rest is common."""
        super().__init_subclass__(**kwargs)
        data_map = _common_map()
        controls = set(_AvalonBackend.CONTROLS)
        if cls.MODE_OPTION is not None:
            data_map |= _mode_map(cls.MODE_OPTION.upper(), cls.WORK_MODES)
            controls.add(Control.WORK_MODE)
        if cls.LOCATE_LIGHT:
            data_map[Field.FAULT_LIGHT] = Location((p.ESTATS,), p.fault_light)
            controls.add(Control.FAULT_LIGHT)
        if cls.SAVES_POOLS:
            controls.add(Control.POOLS)
            cls.RESTARTS_AFTER = frozenset({Control.REBOOT, Control.POOLS})
        cls.DATA_MAP = data_map
        cls.CONTROLS = frozenset(controls)

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.client = AvalonClient(ctx)
        self._saved: list[PoolConfig] = []  # what the last setpool replies confirmed

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
        if await self.client.ascset(option, may_close=on) is None:
            await self._confirm_softon(when)

    async def _confirm_softon(self, when: int) -> None:
        reply = await self.client.command("estats")
        try:
            asked = to_int(p.mm_values(p.estats_item(reply)).get("SoftOnTime"))
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
        await self.client.ascset(f"{self.MODE_OPTION},set,{self.WORK_MODES.index(mode)}")

    async def set_fan_speed(self, percent: int) -> None:
        await cooling.set_fan_speed(self.client, percent)

    async def set_fault_light(self, on: bool) -> None:
        await self.client.ascset(f"led,1-{1 if on else 0}")

    async def reboot(self) -> None:
        """``ascset 0,reboot,0`` (Canaan's API manual); a unit going down may hang up first."""
        await self.client.ascset("reboot,0", may_close=True)

    async def switch_pool(self, index: int) -> None:
        """cgminer's ``switchpool <n>``: pool ``n`` goes first in the failover order and
        is mined on at once (STATUS "S", "Switching to pool n"; a bad number is "E")."""
        await self.client.command("switchpool", str(index))

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        """``setpool`` slot by slot; each reply's echo of the URL and worker is kept as
        the read-back. Slots after the pools written keep what they hold."""
        login = self.ctx.login(DEFAULT_LOGIN)
        self._saved = []
        for slot, pool in enumerate(pools):
            option = setpool_option(login, slot, pool)
            try:
                reply = await self.client.command("ascset", f"0,{option}")
            except MinerResponseError as err:  # the text may repeat what was sent
                said = str(err)
                for secret in {login[1], pool.password} - {""}:
                    said = said.replace(secret, "***")
                raise MinerResponseError(said) from None
            self._saved.append(saved_pool(reply, f"{self.ctx.host} setpool {slot}"))

    async def read_back_pools(self) -> list[PoolConfig]:
        """Saved pools show only after the reboot: the replies' echo is the read-back."""
        return list(self._saved)

    async def apply_pools(self) -> None:
        """The reboot Canaan's manual asks for after a pool change; if it fails, the
        pools stay saved for whichever reboot comes next, and the error says so."""
        try:
            await self.reboot()
        except MinerError as err:
            raise MinerResponseError(
                f"{self.ctx.host}: the pools are saved, but the reboot that puts them to "
                f"work failed ({err}); they take effect at the next reboot"
            ) from err

    async def restart_backend(self) -> None:
        """cgminer's own ``restart``: it answers RESTART where a status belongs, then exits."""
        raw = await self.client.send("restart")
        if raw is None:
            raise MinerConnectionError(f"{self.ctx.host}: restart: connection closed without reply")
        if restart_accepted(raw):
            return
        try:
            check_status(parse_rpc_reply(raw))
        except MinerError as err:
            raise MinerResponseError(f"{self.ctx.host}: restart refused: {err}") from err


def _product_line(
    name: str,
    doc: str,
    option: str | None = None,
    modes: tuple[str, ...] = (),
    *,
    light: bool = False,
    pools: bool = False,
) -> type[_AvalonBackend]:
    """A product line is data only (its mode option and names, its light): one call each."""
    attrs = {
        "__doc__": doc,
        "name": name,
        "MODE_OPTION": option,
        "WORK_MODES": modes,
        "LOCATE_LIGHT": light,
        "SAVES_POOLS": pools,
    }
    return cast("type[_AvalonBackend]", type(f"{name.title()}Backend", (_AvalonBackend,), attrs))


RackBackend = _product_line(
    "rack",
    "A12-A15 rack miners (A1246 … A1566): locate light, normal / performance, pools.",
    "workmode",
    ("normal", "performance"),
    light=True,
    pools=True,
)
QBackend = _product_line(
    "q", "Avalon Q home miner: eco / standard / super.", "workmode", ("eco", "standard", "super")
)
Nano3sBackend = _product_line(
    "nano3s", "Avalon Nano 3S heater: low / mid / high.", "workmode", ("low", "mid", "high")
)
Nano3Backend = _product_line(
    "nano3",
    "The original Avalon Nano 3: low / mid / high as a work level.",
    "worklevel",
    ("low", "mid", "high"),
)
Mini3Backend = _product_line(
    "mini3",
    "Avalon Mini 3 heater: heating / mining / night (⚠ names from one client).",
    "workmode",
    ("heating", "mining", "night"),
)
GenericBackend = _product_line(
    "generic", "Any other Avalon: telemetry, soft off/on and restarts, no mode names to offer."
)


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
