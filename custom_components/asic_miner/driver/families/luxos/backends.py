"""The LUXminer backend: reads through ``collect.py``, profile-based power controls.

Reads. LUXminer answers ``a+b+c`` multicommands for its read commands (pyasic reads
it that way), so ``collect.py`` reads a poll on one connection: ``config+devs+events+
fans+pools+power+profiles+stats+summary+tempctrl``, each reply checked whole before use
(``RPC_WHOLE_REPLIES``): a reply cut at EOF would otherwise be repaired into a
shorter, valid-looking one, a miner with fewer boards. A release refusing the
multicommand is read one connection per command from then on.

Power. LuxOS has no free wattage target on most models; it runs *profiles*. The
work-mode select offers exactly the profiles the miner lists; the power limit is the
active profile's watts, and setting a limit of W picks the highest profile whose watts
are <= W (a limit below the lowest profile is refused). ATM (Advanced Thermal
Management) steps profiles by itself, so a profile change turns ATM off, sets the
profile and turns ATM back on if it was on; ATM may later step down when the miner
runs hot, as LuxOS intends.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from ...context import MinerContext
from ...contract import Backend, Field, Location, read_from
from ...exceptions import MinerError, MinerResponseError, MinerValueError
from ...gathering import gather_dict
from ...models import ALL_CONTROLS, Control, FanMode, MinerIdentity, PoolConfig
from ...pools import read_pools
from ...slow import SETTINGS_EVERY
from ...values import to_bool
from .._cgminer import DEVS, FANS, POOLS, STATS, SUMMARY, first
from .._refusal import NamedRefusals
from . import cooling
from . import parse as p
from .client import LuxSession, SessionRefusedError, request


class LuxminerBackend(NamedRefusals, Backend):
    """Every LUXminer release with sessions and profiles (2023 on)."""

    name = "luxminer"
    RPC_MULTICOMMAND = True  # LUXminer takes ``a+b`` for reads
    RPC_WHOLE_REPLIES = True
    DATA_MAP = {
        Field.HASHRATE: Location((SUMMARY,), p.hashrate),
        Field.EXPECTED_HASHRATE: Location((STATS,), p.expected_hashrate),
        Field.BOARDS: Location((STATS, DEVS), p.boards),
        Field.FANS: Location((FANS,), p.fan_list),
        Field.POWER: Location((p.POWER,), p.power),
        Field.POWER_LIMIT: Location((p.CONFIG, p.PROFILES), p.power_limit),
        Field.WORK_MODE: Location((p.CONFIG,), p.active_profile),
        **read_from(p.CONFIG, p, Field.MINING, Field.FAULT_LIGHT),
        **read_from(p.PROFILES, p, Field.WORK_MODES, Field.POWER_LIMIT_RANGE),
        Field.ERRORS: Location((p.EVENTS,), p.errors),
        Field.UPTIME: Location((STATS, SUMMARY), p.uptime),
        Field.POOLS: Location((POOLS,), p.pool_list),
        Field.COOLING: Location((FANS, cooling.TEMPCTRL), cooling.extract_cooling),
        Field.CONTROLS: Location((cooling.TEMPCTRL,), cooling.extract_controls),
    }
    BOUNDS_FROM_FIRMWARE = True
    # The profile list and the fan settings change only when someone changes them: two
    # replies fewer to send and parse in most polls' multicommand.
    SLOW_SOURCES = {p.PROFILES: SETTINGS_EVERY, cooling.TEMPCTRL: SETTINGS_EVERY}
    # The fan mode and manual speed where ``tempctrl`` reports the mode (``cooling.py``).
    CONTROLS = ALL_CONTROLS | {Control.POOLS, Control.SWITCH_POOL} | cooling.FAN_CONTROLS

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.session = LuxSession(ctx)

    async def check_credentials(self) -> None:
        """LuxOS has no password: prove a session for privileged commands can be had."""
        await self.session.open(fresh=True)

    # -- profiles ---------------------------------------------------------------------

    async def _profiles_and_atm(self) -> tuple[list[p.Profile], bool]:
        """The miner's profiles now, and whether ATM is on (off where there is no ATM)."""
        done = await gather_dict(
            {"profiles": request(self.ctx, p.PROFILES.command), "atm": request(self.ctx, "atm")}
        )
        profiles_reply, atm_reply = done["profiles"], done["atm"]
        if isinstance(profiles_reply, Exception):
            raise profiles_reply
        try:
            profiles = p.parse_profiles(profiles_reply)
        except (KeyError, IndexError, TypeError) as err:
            raise MinerResponseError(f"{self.ctx.host}: profiles reply without PROFILES") from err
        if isinstance(atm_reply, MinerResponseError) and not isinstance(
            atm_reply, SessionRefusedError
        ):
            return profiles, False  # a release without ATM
        if isinstance(atm_reply, Exception):
            raise atm_reply
        try:
            enabled = to_bool(first(atm_reply, "ATM").get("Enabled"))
        except (KeyError, IndexError, TypeError) as err:
            raise MinerResponseError(f"{self.ctx.host}: atm reply without ATM") from err
        return profiles, bool(enabled)

    async def _apply_profile(self, name: str, atm_on: bool) -> None:
        """``profileset`` with ATM held off, so ATM does not step straight away from it."""
        if "," in name:
            raise MinerValueError(f"LuxOS cannot select a profile named {name!r}")
        if atm_on:
            await self.session.run("atmset", "enabled=false")
        try:
            await self.session.run("profileset", name)
        except MinerError:
            if atm_on:
                with contextlib.suppress(MinerError):
                    await self.session.run("atmset", "enabled=true")
            raise
        if atm_on:
            await self.session.run("atmset", "enabled=true")

    # -- controls ---------------------------------------------------------------------

    async def set_mining(self, on: bool) -> None:
        await self.session.run("curtail", "wakeup" if on else "sleep")

    async def set_fault_light(self, on: bool) -> None:
        await self.session.run("ledset", "red", "blink" if on else "off")

    async def set_power_limit(self, watts: int) -> None:
        """Select the highest profile drawing at most ``watts``."""
        profiles, atm_on = await self._profiles_and_atm()
        await self._apply_profile(p.choose_profile(profiles, watts).name, atm_on)

    async def set_work_mode(self, mode: str) -> None:
        profiles, atm_on = await self._profiles_and_atm()
        names = [profile.name for profile in profiles]
        if mode not in names:
            raise MinerValueError(f"unknown LuxOS profile {mode!r}; choose from {', '.join(names)}")
        await self._apply_profile(mode, atm_on)

    async def set_fan_mode(self, mode: FanMode) -> None:
        await cooling.set_fan_mode(self.session, mode)

    async def set_fan_speed(self, percent: int) -> None:
        await cooling.set_fan_speed(self.session, percent)

    async def reboot(self) -> None:
        await self.session.run("rebootdevice", may_drop=True)
        self.session.forget()  # a restart ends every session

    async def restart_backend(self) -> None:
        await self.session.run("resetminer", may_drop=True)
        self.session.forget()

    # -- pools ------------------------------------------------------------------------

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        """``addpool`` the new ones, ``switchpool`` to the first, ``removepool`` the old.

        The miner is never without a pool: the old ones go only once the new ones are
        there and mined on (cgminer refuses to remove the pool in use). Numbers close
        up after a removal, so the old pools go from the highest number down.
        """
        old = sorted((pool.index for pool in await read_pools(self)), reverse=True)
        for pool in pools:
            await self.session.run("addpool", pool.url, pool.user, pool.password or "x")
        now = await read_pools(self)
        added = [pool.index for pool in now if pool.index not in old]
        if not added:
            raise MinerResponseError(f"{self.ctx.host}: LuxOS added no pool")
        await self.session.run("switchpool", str(min(added)))
        for index in old:
            await self.session.run("removepool", str(index))

    async def switch_pool(self, index: int) -> None:
        await self.session.run("switchpool", str(index))
