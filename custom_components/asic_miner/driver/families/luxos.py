"""LuxOS (Luxor's LUXminer) on Antminers: cgminer-style RPC on 4028 and nothing else.

Recognised by ``LUXminer`` in the RPC ``version`` reply (which otherwise poses as a
stock Antminer: ``Type`` "Antminer S19 XP", older releases even ``BMMiner`` and
``Miner`` "uart_trans.1.3") or "Luxor Firmware" on the web root. The registry puts
this family before stock Antminer, so a LuxOS miner is never called stock.

Reads. LUXminer answers ``a+b+c`` multicommands for its read commands (pyasic reads
it that way), so a poll is one connection: ``config+devs+events+fans+pools+power+
profiles+stats+summary`` (``devs`` adds each board's serial and nominal rate). The sources are backend ``Call``s, one per command, which the
backend gathers into that one request, rather than ``Rpc`` sources batched by
``collect.py``, for two reasons: the reply is checked whole before use (a reply cut
at EOF would otherwise be repaired into a shorter, valid-looking one: a miner with
fewer boards), and the profile list, the only source of the power-limit range, is
kept for :meth:`LuxminerBackend.power_limit_range`, which must answer without a round
trip. A release refusing the multicommand is read one connection per command from
then on. Temperatures are dash-joined per-sensor strings (``temp_pcb1:
"47-34-34-47"``, zeros for missing sensors); a fourth, empty chain slot is listed with
zeros and skipped.

Power. LuxOS has no free wattage target on most models; it runs *profiles*
(frequency/voltage presets, each with an estimated ``Watts``). The work-mode select
offers exactly the profiles the miner lists; the power limit is the active profile's
watts, and setting a limit of W picks the highest profile whose watts are <= W (a
limit below the lowest profile is refused). ATM (Advanced Thermal Management) steps
profiles by itself, so a profile change turns ATM off, sets the profile and turns ATM
back on if it was on; ATM may later step down when the miner runs hot, as LuxOS intends.

Privileged commands (``curtail``, ``ledset``, ``profileset``, ``atmset``,
``rebootdevice``, ``resetminer``) need a session: ``session`` names the active one
(LuxOS has at most one, shared by whoever asks), else ``logon`` creates it; the ID
goes first in the comma-separated parameter. ``logon`` takes no credentials, so the
family has none. The ID is kept (LuxOS ends an idle session after a minute); a reply
refusing it makes the backend open a fresh session once and retry once.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
from typing import Any

from ..context import MinerContext
from ..contract import (
    Backend,
    Call,
    Family,
    Field,
    Location,
    ProbeResults,
    Replies,
    SharedPoll,
    gather_dict,
)
from ..exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
    MinerValueError,
)
from ..hardware import lookup
from ..models import (
    Board,
    Control,
    Credentials,
    Fan,
    MinerErrorEntry,
    MinerIdentity,
    Pool,
    PowerLimitRange,
)
from ..values import (
    clean_str,
    ghs_to_ths,
    max_temp,
    normalize_mac,
    positive,
    rate_to_ths,
    ths,
    to_bool,
    to_float,
    to_int,
)
from ._cgminer import fans, first, one_piece, pools, refusal, section, slots, stats_item
from ._probes import RPC_VERSION, WEB_ROOT, parsed, rpc_text, web_reply
from ._refusal import NamedRefusals

FAMILY_KEY = "luxos"
FIRMWARE = "LuxOS"
MAKE = "Bitmain"  # LuxOS runs on Antminers
UNKNOWN_MODEL = "Unknown"

SUMMARY = Call("summary")
STATS = Call("stats")
POOLS = Call("pools")
FANS = Call("fans")
POWER = Call("power")
CONFIG = Call("config")
EVENTS = Call("events")
PROFILES = Call("profiles")
DEVS = Call("devs")
# The STATS object with the chains (the one after the version object).
_CHAIN_KEYS = ("chain_acn", "chain_rate")
READS = (CONFIG, DEVS, EVENTS, FANS, POOLS, POWER, PROFILES, STATS, SUMMARY)

# Events that describe a state the owner chose or normal operation, not a fault.
_INFO_EVENTS = frozenset(
    {"SLEEP", "IDLE", "REBOOT_USER", "SHUTDOWN_USER", "MINER_TUNED", "MINER_TUNING"}
)
_LED_LIT = frozenset({"on", "blink"})


class SessionRefusedError(MinerResponseError):
    """LUXminer refused a session ID (expired, ended, or another session is active)."""


@dataclass(frozen=True, slots=True)
class Profile:
    """One power profile as the miner lists it."""

    name: str
    watts: int | None = None
    hashrate: float | None = None  # TH/s, the firmware's estimate
    frequency: float | None = None  # MHz


# -- talking to LUXminer ---------------------------------------------------------------


async def _exchange(
    ctx: MinerContext, command: str, parameter: str | None = None
) -> dict[str, Any]:
    """One request on its own connection; the reply parsed, whole, STATUS not checked.

    LUXminer ends each reply with a NUL; the shared client stops at EOF as well, so a
    connection cut mid-reply is refused by the transport's completeness check rather
    than parsed as a shorter, valid-looking reply.
    """
    payload: dict[str, str] = {"command": command}
    if parameter is not None:
        payload["parameter"] = parameter
    client = ctx.rpc()
    reply = await client.request_whole(payload)
    if not isinstance(reply, dict):
        raise MinerResponseError(f"{client.host}:{client.port} {command}: reply is not an object")
    return reply


def _checked(reply: Any, where: str) -> dict[str, Any]:
    """The reply when its STATUS says success; a refused session is told apart."""
    if not isinstance(reply, dict):
        raise MinerResponseError(f"{where}: reply is not an object")
    said = refusal(reply)
    if said is not None:
        if "session" in said.lower():
            raise SessionRefusedError(f"{where}: {said}")
        raise MinerResponseError(f"{where}: {said}")
    return reply


async def request(ctx: MinerContext, command: str, parameter: str | None = None) -> dict[str, Any]:
    """One command on its own connection; the reply checked whole and successful."""
    reply = await _exchange(ctx, command, parameter)
    return _checked(reply, f"{ctx.host} {command}")


def _piece(value: Any, name: str) -> Any:
    """One command's reply out of a multicommand, or its error as a value."""
    try:
        return _checked(one_piece(value), name)
    except MinerResponseError as err:
        return err


# -- parsing ---------------------------------------------------------------------------


def parse_profiles(reply: Any) -> list[Profile]:
    """Profiles in the order the miner lists them; nameless entries dropped."""
    profiles = []
    for item in section(reply, "PROFILES"):
        name = clean_str(item.get("Profile Name", item.get("Name")))
        if name is None:
            continue
        profiles.append(
            Profile(
                name=name,
                watts=to_int(positive(to_float(item.get("Watts")))),
                hashrate=positive(ths(item.get("Hashrate"))),
                frequency=positive(to_float(item.get("Frequency"))),
            )
        )
    return profiles


def choose_profile(profiles: list[Profile], watts: int) -> Profile:
    """The highest profile drawing at most ``watts`` (the faster one on a tie)."""
    fitting = [p for p in profiles if p.watts is not None and p.watts <= watts]
    if not fitting:
        known = [p.watts for p in profiles if p.watts is not None]
        lowest = f"; the lowest profile draws {min(known)} W" if known else ""
        raise MinerValueError(f"no LuxOS profile draws {watts} W or less{lowest}")
    return max(fitting, key=lambda p: (p.watts or 0, p.hashrate or 0.0))


def normalize_model(raw: Any) -> str | None:
    """``Antminer S19 XP`` (or ``Antminer S19XP (…)``) -> ``S19 XP``."""
    name = clean_str(raw)
    if name is None:
        return None
    name = name.split(" (")[0]
    name = re.sub(r"^(bitmain\s+)?antminer\s+", "", name, flags=re.IGNORECASE).strip()
    name = re.sub(r"^S19XP\b", "S19 XP", name, flags=re.IGNORECASE)
    return name or None


def parse_firmware_version(version: dict[str, Any], description: Any = None) -> str | None:
    """``2025.4.8.220305`` from ``LUXminer`` (``…-57b389c7``), ``Miner`` or the STATUS text.

    ``Miner`` is spoofed as ``uart_trans.1.3`` on some releases, so it only counts when
    it looks like a LuxOS release (a dotted date).
    """
    candidates = [
        version.get("LUXminer"),
        version.get("Miner"),
        re.sub(r"^luxminer\s+", "", clean_str(description) or "", flags=re.IGNORECASE),
    ]
    for candidate in candidates:
        text = clean_str(candidate)
        if text is None:
            continue
        match = re.match(r"(\d{4}\.\d+\.\d+(?:\.\d+)?)", text)
        if match:
            return match.group(1)
    return None


def event_entries(reply: Any) -> list[MinerErrorEntry]:
    """Faults from ``events``; state notices such as SLEEP are not faults."""
    entries = []
    for event in section(reply, "EVENTS"):
        code = clean_str(event.get("Code"))
        if code is not None and code.upper() in _INFO_EVENTS:
            continue
        text = clean_str(event.get("Description")) or code
        if text is None:
            continue
        target = (clean_str(event.get("Target")) or "").upper()
        index = to_int(event.get("ID"))
        if target == "BOARD" and index is not None:
            text = f"Board {index}: {text}"
        entries.append(MinerErrorEntry(message=text, code=code))
    return entries


# -- extractors --------------------------------------------------------------------------


def _config(replies: Replies) -> dict[str, Any]:
    return first(replies[CONFIG], "CONFIG")


def _hashrate(replies: Replies) -> float | None:
    return ghs_to_ths(first(replies[SUMMARY], "SUMMARY")["GHS 5s"])


def _expected_hashrate(replies: Replies) -> float | None:
    stats = stats_item(replies[STATS], _CHAIN_KEYS)
    return positive(rate_to_ths(stats["total_rateideal"], stats.get("rate_unit")))


def _devs_by_slot(replies: Replies) -> dict[int, dict[str, Any]]:
    """``devs`` records by stats slot (ASC n is chain slot n+1); empty where it failed."""
    reply = replies.get(DEVS)
    if not isinstance(reply, dict):
        return {}
    out: dict[int, dict[str, Any]] = {}
    for item in section(reply, "DEVS"):
        asc = to_int(item.get("ASC"))
        if asc is not None:
            out[asc + 1] = item
    return out


def _boards(replies: Replies) -> list[Board]:
    stats = stats_item(replies[STATS], _CHAIN_KEYS)
    devs = _devs_by_slot(replies)
    boards: list[Board] = []
    for slot in slots(stats, "chain_acn", "chain_rate"):
        chips = to_int(stats.get(f"chain_acn{slot}"))
        rate = ghs_to_ths(stats.get(f"chain_rate{slot}"))
        chip_temp = max_temp(stats.get(f"temp_chip{slot}", stats.get(f"temp2_{slot}")))
        board_temp = max_temp(stats.get(f"temp_pcb{slot}", stats.get(f"temp{slot}")))
        if not chips and not rate and chip_temp is None and board_temp is None:
            continue  # an empty connector: LuxOS lists it with zeros
        dev = devs.get(slot, {})
        boards.append(
            Board(
                index=len(boards),
                hashrate=rate,
                expected_hashrate=positive(rate_to_ths(dev.get("Nominal MHS"), "MH")),
                chip_temperature=chip_temp,
                board_temperature=board_temp,
                chips=chips,
                frequency=positive(to_float(stats.get(f"freq{slot}"))),
                serial=clean_str(dev.get("SerialNumber")),
                active=None if rate is None else rate > 0,
            )
        )
    return boards


def _fans(replies: Replies) -> list[Fan]:
    return fans(replies[FANS])


def _power(replies: Replies) -> float | None:
    value = to_float(first(replies[POWER], "POWER")["Watts"])
    return None if value is None or value < 0 else value


def _active_profile(replies: Replies) -> str | None:
    return clean_str(_config(replies).get("Profile"))


def _power_limit(replies: Replies) -> float | None:
    name = _active_profile(replies)
    for profile in parse_profiles(replies[PROFILES]):
        if profile.name == name:
            return None if profile.watts is None else float(profile.watts)
    return None  # a profile the list does not know has no wattage to show


def _work_modes(replies: Replies) -> list[str]:
    return [p.name for p in parse_profiles(replies[PROFILES])]


def _power_limit_range(replies: Replies) -> PowerLimitRange | None:
    """The only wattages LuxOS runs at: its profiles'."""
    return PowerLimitRange.from_levels(p.watts for p in parse_profiles(replies[PROFILES]))


def _mining(replies: Replies) -> bool | None:
    mode = clean_str(_config(replies).get("CurtailMode"))
    if mode is None:
        return None
    return mode.lower() == "none"  # "Sleep" / "Idle" while curtailed


def _fault_light(replies: Replies) -> bool | None:
    led = clean_str(_config(replies).get("RedLed"))
    return None if led is None else led.lower() in _LED_LIT  # "auto"/"off": not ours


def _errors(replies: Replies) -> list[MinerErrorEntry]:
    return event_entries(replies[EVENTS])


def _uptime(replies: Replies) -> int | None:
    if STATS in replies:
        with contextlib.suppress(KeyError, IndexError, TypeError):
            return to_int(stats_item(replies[STATS], _CHAIN_KEYS)["Elapsed"])
    return to_int(first(replies[SUMMARY], "SUMMARY")["Elapsed"])


def _pools(replies: Replies) -> list[Pool]:
    return pools(replies[POOLS])


# -- the backend ---------------------------------------------------------------------------


class LuxminerBackend(NamedRefusals, Backend):
    """Every LUXminer release with sessions and profiles (2023 on)."""

    name = "luxminer"
    RPC_MULTICOMMAND = True  # LUXminer takes ``a+b`` for reads; see ``_read_all``
    DATA_MAP = {
        Field.HASHRATE: Location((SUMMARY,), _hashrate),
        Field.EXPECTED_HASHRATE: Location((STATS,), _expected_hashrate),
        Field.BOARDS: Location((STATS, DEVS), _boards),
        Field.FANS: Location((FANS,), _fans),
        Field.POWER: Location((POWER,), _power),
        Field.POWER_LIMIT: Location((CONFIG, PROFILES), _power_limit),
        Field.WORK_MODE: Location((CONFIG,), _active_profile),
        Field.WORK_MODES: Location((PROFILES,), _work_modes),
        Field.POWER_LIMIT_RANGE: Location((PROFILES,), _power_limit_range),
        Field.MINING: Location((CONFIG,), _mining),
        Field.FAULT_LIGHT: Location((CONFIG,), _fault_light),
        Field.ERRORS: Location((EVENTS,), _errors),
        Field.UPTIME: Location((STATS, SUMMARY), _uptime),
        Field.POOLS: Location((POOLS,), _pools),
    }
    BOUNDS_FROM_FIRMWARE = True
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
        self._session_id: str | None = None
        self._poll = SharedPoll(self._read_all)

    # -- reading ----------------------------------------------------------------------

    async def fetch_call(self, call: Call) -> Any:
        """One read command's reply, from the one request the whole poll shares.

        ``collect`` asks for every source of a poll at once, so the first ask starts
        the shared read and the others wait for it; the next poll starts a new one.
        """
        if call not in READS:
            raise NotImplementedError(call.name)
        return await self._poll.piece(call.name)

    async def _read_all(self) -> dict[str, Any]:
        """Every read command's reply (or its error), in one connection where possible."""
        names = [source.name for source in READS]
        if self.multicommand_ok:
            try:
                reply = await _exchange(self.ctx, "+".join(names))
            except MinerTimeoutError:
                raise  # a silent miner: don't spend another deadline on single commands
            except MinerConnectionError as err:
                # Down, or hung up on the combined command: only single commands tell.
                pieces = await self._read_singles(names)
                if all(isinstance(p, Exception) for p in pieces.values()):
                    raise err from None
                self.multicommand_ok = False
                return pieces
            if all(isinstance(reply.get(name), list) for name in names):
                return {name: _piece(reply[name], name) for name in names}
            # A whole reply without the pieces: this release refuses multicommands.
            self.multicommand_ok = False
        return await self._read_singles(names)

    async def _read_singles(self, names: list[str]) -> dict[str, Any]:
        return await gather_dict({name: request(self.ctx, name) for name in names})

    # -- sessions ---------------------------------------------------------------------

    async def _active_session(self) -> str | None:
        reply = await request(self.ctx, "session")
        try:
            return clean_str(first(reply, "SESSION").get("SessionID"))
        except (KeyError, IndexError, TypeError) as err:
            raise MinerResponseError(f"{self.ctx.host}: session reply without SESSION") from err

    async def _session(self, *, fresh: bool = False) -> str:
        """The kept session ID, else the active one, else a new one from ``logon``."""
        if self._session_id is not None and not fresh:
            return self._session_id
        self._session_id = None
        session_id = await self._active_session()
        if session_id is None:
            try:
                reply = await request(self.ctx, "logon")
                session_id = clean_str(first(reply, "SESSION").get("SessionID"))
            except SessionRefusedError:
                # Someone logged on between our two questions: share their session.
                session_id = await self._active_session()
            except (KeyError, IndexError, TypeError) as err:
                raise MinerResponseError(f"{self.ctx.host}: logon reply without SESSION") from err
        if session_id is None:
            raise MinerAuthenticationError(f"{self.ctx.host}: LuxOS would not open a session")
        self._session_id = session_id
        return session_id

    async def _privileged(
        self, command: str, *params: str, may_drop: bool = False
    ) -> dict[str, Any] | None:
        """Run a session command; a refused session is replaced once, then retried once."""
        for attempt in range(2):
            session_id = await self._session(fresh=attempt > 0)
            try:
                return await request(self.ctx, command, ",".join((session_id, *params)))
            except SessionRefusedError as err:
                self._session_id = None
                if attempt:
                    raise MinerAuthenticationError(
                        f"{self.ctx.host}: LuxOS refused a fresh session for {command}: {err}"
                    ) from err
            except MinerConnectionError as err:
                # reboot / resetminer may take the connection down before answering
                if may_drop and not isinstance(err, MinerTimeoutError):
                    return None
                raise
        raise AssertionError("unreachable")

    async def check_credentials(self) -> None:
        """LuxOS has no password: prove a session for privileged commands can be had."""
        await self._session(fresh=True)

    # -- profiles ---------------------------------------------------------------------

    async def _profiles_and_atm(self) -> tuple[list[Profile], bool]:
        """The miner's profiles now, and whether ATM is on (off where there is no ATM)."""
        done = await gather_dict(
            {"profiles": request(self.ctx, PROFILES.name), "atm": request(self.ctx, "atm")}
        )
        profiles_reply, atm_reply = done["profiles"], done["atm"]
        if isinstance(profiles_reply, Exception):
            raise profiles_reply
        try:
            profiles = parse_profiles(profiles_reply)
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
            await self._privileged("atmset", "enabled=false")
        try:
            await self._privileged("profileset", name)
        except MinerError:
            if atm_on:
                with contextlib.suppress(MinerError):
                    await self._privileged("atmset", "enabled=true")
            raise
        if atm_on:
            await self._privileged("atmset", "enabled=true")

    # -- controls ---------------------------------------------------------------------

    async def set_mining(self, on: bool) -> None:
        await self._privileged("curtail", "wakeup" if on else "sleep")

    async def set_fault_light(self, on: bool) -> None:
        await self._privileged("ledset", "red", "blink" if on else "off")

    async def set_power_limit(self, watts: int) -> None:
        """Select the highest profile drawing at most ``watts``."""
        profiles, atm_on = await self._profiles_and_atm()
        await self._apply_profile(choose_profile(profiles, watts).name, atm_on)

    async def set_work_mode(self, mode: str) -> None:
        profiles, atm_on = await self._profiles_and_atm()
        names = [p.name for p in profiles]
        if mode not in names:
            raise MinerValueError(f"unknown LuxOS profile {mode!r}; choose from {', '.join(names)}")
        await self._apply_profile(mode, atm_on)

    async def reboot(self) -> None:
        await self._privileged("rebootdevice", may_drop=True)
        self._session_id = None  # a restart ends every session

    async def restart_backend(self) -> None:
        await self._privileged("resetminer", may_drop=True)
        self._session_id = None


# -- identification ----------------------------------------------------------------------


def _matches(results: ProbeResults) -> bool:
    if "LUXMINER" in rpc_text(results):
        return True
    reply = web_reply(results)
    return reply is not None and "LUXOR FIRMWARE" in reply.text.upper()


def _probe_version(results: ProbeResults) -> dict[str, Any] | None:
    try:
        reply = parsed(results, RPC_VERSION.key)
    except MinerError:
        return None
    return reply if isinstance(reply, dict) and "VERSION" in reply else None


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    version_reply = _probe_version(results)
    if version_reply is None:  # recognised by the web page; ask LUXminer itself
        version_reply, config_reply = await asyncio.gather(
            request(ctx, "version"), request(ctx, CONFIG.name)
        )
    else:
        config_reply = await request(ctx, CONFIG.name)
    try:
        version = first(version_reply, "VERSION")
        config = first(config_reply, "CONFIG")
    except (KeyError, IndexError, TypeError) as err:
        raise MinerResponseError(f"{ctx.host}: LUXminer identity replies are incomplete") from err
    description = None
    with contextlib.suppress(KeyError, IndexError, TypeError):
        description = first(version_reply, "STATUS").get("Description")
    model = normalize_model(version.get("Type")) or normalize_model(config.get("Model"))
    model = model or UNKNOWN_MODEL
    return MinerIdentity(
        make=MAKE,
        model=model,
        family=FAMILY_KEY,
        firmware=FIRMWARE,
        backend=LuxminerBackend.name,
        firmware_version=parse_firmware_version(version, description),
        api_version=clean_str(version.get("API")),
        mac=normalize_mac(config.get("MACAddr")),
        serial=clean_str(config.get("SerialNumber")),
        hostname=clean_str(config.get("Hostname")),
        control_board=clean_str(config.get("ControlBoardType")),
        supported=lookup(MAKE, model) is not None,
    )


FAMILY = Family(
    key=FAMILY_KEY,
    name="LuxOS",
    stock=False,
    probes=(RPC_VERSION, WEB_ROOT),
    matches=_matches,
    identify=_identify,
    backends=(LuxminerBackend,),
    default_credentials=Credentials(),  # logon takes none
)
