"""LuxOS against the simulator: an S19 XP (version reply posing as bmminer) and an S21.

Identification ahead of stock Antminer, the snapshot against the simulated state, every
control round-tripped, profiles as work modes and as power limits (with ATM held off
while the profile changes), sessions (kept, shared, expired, refused) and each fault.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

import aiohttp
import pytest

from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerResponseError,
    MinerTimeoutError,
    MinerValueError,
)
from custom_components.asic_miner.driver.families._probes import (
    RPC_DEVDETAILS,
    RPC_VERSION,
    WEB_ROOT,
)
from custom_components.asic_miner.driver.families.antminer import FAMILY as ANTMINER
from custom_components.asic_miner.driver.families.luxos import FAMILY
from custom_components.asic_miner.driver.families.luxos import backends as luxos_backends
from custom_components.asic_miner.driver.families.luxos.backends import LuxminerBackend
from custom_components.asic_miner.driver.families.luxos.parse import (
    Profile,
    choose_profile,
    event_entries,
    normalize_model,
    parse_firmware_version,
)
from custom_components.asic_miner.driver.identify import detect_family
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import (
    Credentials,
    MinerErrorEntry,
    MinerIdentity,
    PowerLimitRange,
)
from custom_components.asic_miner.driver.registry import FAMILIES
from custom_components.asic_miner.driver.transports.http import HttpReply
from simulator.families.luxos import PROFILES, LuxosSim
from simulator.faults import Fault, FaultKind
from simulator.state import IDLE_POWER_W
from tests.driver.conftest import DRIVER_PORTS, SimFactory

MODELS = ["S19 XP", "S21"]
by_model = pytest.mark.parametrize("model", MODELS)
VERSION = "2025.6.12.184512"
ATM_DANCE = ["atmset enabled=false", "profileset {}", "atmset enabled=true"]


async def _start(simulate: SimFactory, model: str, **state: Any) -> LuxosSim:
    return cast(LuxosSim, await simulate("luxos", model, **state))


async def _connect(session: aiohttp.ClientSession, host: str, **kwargs: Any) -> Miner:
    return await Miner.connect(host, session, ports=DRIVER_PORTS, **kwargs)


def _server_connections(sim: LuxosSim) -> int:
    return sum(getattr(server, "connections", 0) for server in sim.servers)


# -- pure functions ------------------------------------------------------------------


def test_fingerprints() -> None:
    luxos = '{"STATUS":[{"Description":"LUXminer 2025.4.8.220305-57b389c7"}],"VERSION":[{}]}'
    spoofed = (
        '{"VERSION":[{"BMMiner":"1.0.0","Miner":"uart_trans.1.3",'
        '"LUXminer":"2024.2.19.131822-ef17c0c4","Type":"Antminer S19 XP"}]}'
    )
    assert FAMILY.matches({RPC_VERSION.key: luxos})
    assert FAMILY.matches({RPC_VERSION.key: spoofed})
    assert FAMILY.matches({RPC_DEVDETAILS.key: luxos})
    assert FAMILY.matches({WEB_ROOT.key: HttpReply(200, {}, b"<title>Luxor Firmware</title>")})
    # The same reply also looks stock: only the registry order keeps LuxOS first.
    assert ANTMINER.matches({RPC_VERSION.key: spoofed})
    stock = '{"VERSION":[{"BMMiner":"1.0.0","Type":"Antminer S19 Pro"}]}'
    braiins = '{"VERSION":[{"BOSer":"boser-buildroot 0.1.0-45f356ea","API":"3.7"}]}'
    for text in (stock, braiins):
        assert not FAMILY.matches({RPC_VERSION.key: text})
    assert not FAMILY.matches({WEB_ROOT.key: HttpReply(200, {}, b"<title>Braiins OS</title>")})
    assert not FAMILY.matches({})


def test_registry_order() -> None:
    keys = [fam.key for fam in FAMILIES]
    assert keys.index("braiins") < keys.index("luxos") < keys.index("antminer")
    assert not FAMILY.stock


@pytest.mark.parametrize(
    ("raw", "model"),
    [
        ("Antminer S19 XP", "S19 XP"),
        ("Antminer S19XP", "S19 XP"),
        ("Antminer S21 (LuxOS)", "S21"),
        ("Bitmain Antminer S19k Pro", "S19k Pro"),
        ("S9", "S9"),
        ("", None),
        (None, None),
    ],
)
def test_normalize_model(raw: str | None, model: str | None) -> None:
    assert normalize_model(raw) == model


@pytest.mark.parametrize(
    ("version", "description", "expected"),
    [
        (
            {"LUXminer": "2025.4.8.220305-57b389c7", "Miner": "2025.4.8.220305"},
            None,
            "2025.4.8.220305",
        ),
        (
            {"LUXminer": "2024.2.19.131822-ef17c0c4", "Miner": "uart_trans.1.3"},
            None,
            "2024.2.19.131822",
        ),
        ({"Miner": "uart_trans.1.3"}, "LUXminer 2023.7.7.220938-02ab", "2023.7.7.220938"),
        ({"Miner": "uart_trans.1.3"}, None, None),
    ],
)
def test_parse_firmware_version(
    version: dict[str, Any], description: str | None, expected: str | None
) -> None:
    assert parse_firmware_version(version, description) == expected


def test_choose_profile() -> None:
    profiles = [
        Profile("eco", 1950, 100.0),
        Profile("415MHz", 2480, 121.0),
        Profile("same-watts-faster", 2480, 122.0),
        Profile("default", 3010, 140.0),
        Profile("unknown-watts"),
    ]
    assert choose_profile(profiles, 3010).name == "default"
    assert choose_profile(profiles, 3009).name == "same-watts-faster"
    assert choose_profile(profiles, 99_999).name == "default"
    assert choose_profile(profiles, 1950).name == "eco"
    with pytest.raises(MinerValueError, match="1950 W"):
        choose_profile(profiles, 1949)
    with pytest.raises(MinerValueError):
        choose_profile([Profile("unknown-watts")], 3000)


def test_event_entries() -> None:
    reply = {
        "EVENTS": [
            {"Code": "SLEEP", "Description": "Miner is in Sleep mode.", "Target": "MINER"},
            {"Code": "FAN_FAILURE", "Description": "Fan failure.", "Target": "MINER"},
            {
                "Code": "REBOOT_NOT_HASHING",
                "Description": "Board reboot due to it not hashing.",
                "ID": 2,
                "Target": "BOARD",
            },
            {"Code": "NO_ACTIVE_POOLS"},
            {"Target": "MINER"},  # neither code nor text: nothing to show
        ]
    }
    assert event_entries(reply) == [
        MinerErrorEntry(message="Fan failure.", code="FAN_FAILURE"),
        MinerErrorEntry(
            message="Board 2: Board reboot due to it not hashing.", code="REBOOT_NOT_HASHING"
        ),
        MinerErrorEntry(message="NO_ACTIVE_POOLS", code="NO_ACTIVE_POOLS"),
    ]


# -- identification and reading ------------------------------------------------------


@by_model
async def test_profiles_in_the_read(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    """Bounds, levels and work modes are the miner's profiles, known from its first poll."""
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    assert miner.power_limit_range() is None  # known once the miner listed its profiles

    snap = await miner.read()
    profiles = PROFILES[model]
    watts = [p.watts for p in profiles]
    assert snap.power_limit_range == PowerLimitRange(
        min(watts), max(watts), levels=tuple(sorted(watts))
    )
    assert snap.work_mode == "default"
    assert snap.work_modes == tuple(p.name for p in profiles)
    assert all(b.frequency == 465 for b in snap.boards)
    assert all(f.percent is not None for f in snap.fans)
    assert snap.pools[0].accepted is not None


@by_model
async def test_one_connection_per_poll(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    """Every read command, the profiles included, in one multicommand."""
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    for _ in range(2):
        client_before = miner.ctx.rpc_stats.connections
        server_before = _server_connections(sim)
        await miner.read()
        assert miner.ctx.rpc_stats.connections - client_before == 1
        assert _server_connections(sim) - server_before == 1
    assert miner.backend.multicommand_ok


async def test_multicommand_refused(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    """A release refusing ``a+b``: one connection per command, remembered after one try."""
    sim = await _start(simulate, "S19 XP")
    sim.multicommand = False
    miner = await _connect(session, sim.host)
    reads = 10  # config, devs, events, fans, pools, power, profiles, stats, summary, tempctrl
    # The profiles and tempctrl are kept a few polls (``SLOW_SOURCES``).
    for expected in (1 + reads, reads - len(LuxminerBackend.SLOW_SOURCES)):
        before = miner.ctx.rpc_stats.connections
        snap = await miner.read()
        assert miner.ctx.rpc_stats.connections - before == expected
        assert not miner.backend.multicommand_ok
        assert snap.hashrate == pytest.approx(sim.state.hashrate, abs=1e-5)
        assert len(snap.boards) == sim.state.spec.boards
        assert snap.work_modes == tuple(p.name for p in sim.profiles)
        assert miner.power_limit_range() is not None


async def test_identify_without_probe_replies(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """Recognised by the web page alone: the identity comes from LUXminer itself."""
    sim = await _start(simulate, "S21")
    ctx = MinerContext(sim.host, session, DRIVER_PORTS)
    identity = await FAMILY.identify(ctx, {})
    assert (identity.family, identity.model, identity.mac) == ("luxos", "S21", sim.state.mac)
    assert identity.firmware_version == VERSION


async def test_identified_ahead_of_stock_antminer(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """The S19 XP's version reply passes for bmminer; the registry still says LuxOS."""
    sim = await _start(simulate, "S19 XP")
    ctx = MinerContext(sim.host, session, DRIVER_PORTS)
    fam, results = await detect_family(ctx)
    assert fam.key == "luxos"
    assert ANTMINER.matches(results)  # the trap is real
    assert "uart_trans.1.3" in results[RPC_VERSION.key]
    assert "Luxor Firmware" in results[WEB_ROOT.key].text


async def test_from_stored_identity(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await _start(simulate, "S21")
    identity = (await _connect(session, sim.host)).identity
    miner = Miner.from_identity(sim.host, session, identity, ports=DRIVER_PORTS)
    snap = await miner.read()
    assert snap.identity == identity
    assert snap.work_mode == "default"
    await miner.set_work_mode("eco")
    assert sim.state.work_mode == "eco"


async def test_events_are_errors(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await _start(
        simulate,
        "S19 XP",
        errors=[("FAN_FAILURE", "Fan failure."), ("NO_ACTIVE_POOLS", "No pools.")],
    )
    miner = await _connect(session, sim.host)
    expected = (
        MinerErrorEntry(message="Fan failure.", code="FAN_FAILURE"),
        MinerErrorEntry(message="No pools.", code="NO_ACTIVE_POOLS"),
    )
    assert (await miner.read()).errors == expected
    await miner.set_mining(False)  # LuxOS lists SLEEP as an event: not a fault
    assert (await miner.read()).errors == expected


async def test_curtailed_miner(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    """Sleeping (also at identification): boards listed, idle, no invented figures."""
    sim = await _start(simulate, "S21", mining=False)
    miner = await _connect(session, sim.host)
    assert miner.identity.model == "S21"
    snap = await miner.read()
    assert snap.mining is False
    assert snap.hashrate == 0
    assert snap.power == IDLE_POWER_W
    assert len(snap.boards) == sim.state.spec.boards
    # Curtailed on purpose: boards are idle, not "not hashing".
    assert all(b.active is None and b.frequency is None for b in snap.boards)
    assert snap.work_mode == "default"  # the profile it wakes up to


# -- controls -----------------------------------------------------------------------


@by_model
async def test_controls_share_one_session(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    """The commands each control sends, the red LED's modes, and one logon serving every
    control until resetminer ends it. The generic round trips are the contract test's."""
    sim = await _start(simulate, model)
    state = sim.state
    miner = await _connect(session, sim.host)

    await miner.set_mining(False)
    await miner.set_mining(True)
    await miner.set_fault_light(True)
    assert sim.red_led == "blink"
    await miner.set_fault_light(False)
    assert sim.red_led == "off"
    assert sim.log == ["curtail sleep", "curtail wakeup", "ledset red blink", "ledset red off"]
    assert sim.logons == 1  # one session served every control

    await miner.restart_backend()
    await miner.set_fault_light(True)  # resetminer ended the session: a new one
    assert sim.logons == 2

    await miner.reboot()
    assert sim.log[-1] == "rebootdevice"
    state.reboot_until = 0.0  # back up, still asleep if it was curtailed
    assert (await miner.read()).fault_light is True


@by_model
async def test_work_modes_are_the_miners_profiles(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    sim = await _start(simulate, model)
    state = sim.state
    miner = await _connect(session, sim.host)
    assert (await miner.read()).work_modes == tuple(p.name for p in sim.profiles)
    for profile in sim.profiles:
        sim.log.clear()
        await miner.set_work_mode(profile.name)
        assert sim.log == [step.format(profile.name) for step in ATM_DANCE]
        assert sim.atm_enabled is True
        assert (state.work_mode, state.effective_power_limit) == (profile.name, profile.watts)
        snap = await miner.read()
        assert snap.work_mode == profile.name
        assert snap.power_limit == snap.power == profile.watts
        assert snap.hashrate == pytest.approx(state.hashrate, abs=1e-5)
        assert all(b.frequency == profile.frequency for b in snap.boards)
    sim.log.clear()
    for wrong in ("normal", "DEFAULT", "+1", ""):
        with pytest.raises(MinerValueError):
            await miner.set_work_mode(wrong)
    assert sim.log == []
    assert state.work_mode == sim.profiles[-1].name


@by_model
async def test_power_limit_picks_highest_profile_below(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    sim = await _start(simulate, model)
    state = sim.state
    miner = await _connect(session, sim.host)
    await miner.read()
    ordered = sorted(sim.profiles, key=lambda p: p.watts)
    lowest, second, highest = ordered[0], ordered[1], ordered[-1]

    await miner.set_power_limit(second.watts + 1)
    assert sim.log == [step.format(second.name) for step in ATM_DANCE]
    assert state.work_mode == second.name
    snap = await miner.read()
    assert snap.power_limit == snap.power == second.watts
    assert snap.work_mode == second.name

    await miner.set_power_limit(lowest.watts)  # exactly a profile's watts
    assert state.work_mode == lowest.name
    assert (await miner.read()).power_limit == lowest.watts

    await miner.set_power_limit(highest.watts)
    assert state.work_mode == highest.name

    sim.log.clear()
    with pytest.raises(MinerValueError):
        await miner.set_power_limit(lowest.watts - 1)  # below the range: refused early
    with pytest.raises(MinerValueError):
        await miner.backend.set_power_limit(lowest.watts - 1)  # and by the backend
    with pytest.raises(MinerValueError):
        await miner.set_power_limit(highest.watts + 1)  # above the range
    assert sim.log == []
    await miner.backend.set_power_limit(highest.watts + 500)  # the backend takes the top
    assert state.work_mode == highest.name
    assert sim.atm_enabled is True


async def test_atm_left_off_when_it_was_off(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S21")
    sim.atm_enabled = False
    miner = await _connect(session, sim.host)
    await miner.set_power_limit(3000)
    assert sim.log == ["profileset 415MHz"]
    assert sim.atm_enabled is False
    assert (await miner.read()).power_limit == 2860


# -- sessions -------------------------------------------------------------------------


async def test_check_credentials_opens_a_session(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S19 XP")
    miner = await _connect(session, sim.host, credentials=Credentials("ignored", "ignored"))
    assert sim.active_session is None  # reading needs no session
    await miner.read()
    assert sim.logons == 0
    await miner.check_credentials()
    assert sim.logons == 1
    assert sim.active_session is not None
    await miner.check_credentials()  # the active session is reused, not replaced
    await miner.set_fault_light(True)
    assert sim.logons == 1


async def test_another_tools_session_is_shared(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S21")
    theirs = sim.open_session()
    miner = await _connect(session, sim.host)
    await miner.set_mining(False)
    assert sim.state.mining is False
    assert sim.logons == 0  # logon would have been refused: another session is active
    assert sim.active_session == theirs


async def test_expired_session_logs_on_again(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S19 XP")
    miner = await _connect(session, sim.host)
    await miner.set_fault_light(True)
    assert sim.logons == 1

    sim.expire_session()  # a minute without use
    await miner.set_fault_light(False)
    assert sim.state.fault_light is False
    assert sim.logons == 2

    sim.session_seconds = 0.2  # the real timer, shortened
    await asyncio.sleep(0.3)
    await miner.set_work_mode("eco")
    assert sim.state.work_mode == "eco"
    assert sim.logons == 3
    assert sim.refused == 2  # each stale ID was tried exactly once


async def test_logon_race_shares_the_winners_session(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S19 XP")
    miner = await _connect(session, sim.host)
    sim.logon_race = True  # no session when asked, one when logging on
    await miner.set_fault_light(True)
    assert sim.state.fault_light is True
    assert sim.logons == 0


async def test_reboot_may_drop_the_connection(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S21")
    sim.drop_on_reboot = True
    miner = await _connect(session, sim.host)
    await miner.reboot()  # no answer is the answer
    assert sim.state.reboots == 1
    with pytest.raises(MinerConnectionError):
        await miner.read()


async def test_refused_session_fails_after_one_retry(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S21")
    miner = await _connect(session, sim.host)
    sim.refuse_sessions = True
    with pytest.raises(MinerAuthenticationError):
        await miner.set_fault_light(True)
    assert sim.refused == 2  # the first session, then one fresh one
    assert sim.state.fault_light is False
    sim.refuse_sessions = False
    await miner.set_fault_light(True)
    assert sim.state.fault_light is True


# -- faults ---------------------------------------------------------------------------

FAULTS = [
    (Fault(FaultKind.RESET), MinerConnectionError),
    (Fault(FaultKind.SILENCE), MinerTimeoutError),
    (Fault(FaultKind.DELAY, 3), MinerTimeoutError),
    (Fault(FaultKind.TRUNCATE), MinerResponseError),
    (Fault(FaultKind.MALFORMED), MinerResponseError),
]


@pytest.mark.parametrize(
    ("model", "kept_session"), [("S19 XP", False), ("S21", True)], ids=["fresh", "kept-session"]
)
@pytest.mark.parametrize(("fault", "error"), FAULTS, ids=[f.kind.value for f, _ in FAULTS])
async def test_faults(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    *,
    model: str,
    kept_session: bool,
    fault: Fault,
    error: type[Exception],
) -> None:
    sim = await _start(simulate, model)
    state = sim.state
    miner = await _connect(session, sim.host)
    if kept_session:
        await miner.set_mining(True)  # controls then go straight to the command
    miner.ctx.timeout = 0.5
    state.fault = fault
    started = time.monotonic()
    with pytest.raises(error):
        await miner.read()
    with pytest.raises(error):
        await miner.set_fault_light(True)
    with pytest.raises(error):
        await miner.set_work_mode("eco")
    with pytest.raises(error):
        await miner.check_credentials()
    assert time.monotonic() - started < 4.0
    if not kept_session or fault.kind not in (FaultKind.TRUNCATE, FaultKind.MALFORMED):
        assert state.fault_light is False
    # else the miner ran ``ledset`` and only its answer was lost: not confirmed, so an error
    assert state.work_mode == "default"

    state.fault = None  # the miner recovers; so does the handle
    await miner.set_fault_light(True)
    assert (await miner.read()).fault_light is True


# -- profile changes against odd replies (the backend alone, its commands faked) -----------


class _FakeLux:
    """``request`` and the session's ``run`` answered from tables; runs recorded."""

    def __init__(self, replies: dict[str, Any], failing: set[str] | None = None) -> None:
        self.replies = replies
        self.failing = failing or set()
        self.runs: list[tuple[str, ...]] = []

    async def request(self, ctx: MinerContext, command: str, parameter: str | None = None) -> Any:
        reply = self.replies[command]
        if isinstance(reply, Exception):
            raise reply
        return reply

    async def run(self, command: str, *params: str, may_drop: bool = False) -> Any:
        self.runs.append((command, *params))
        if command in self.failing:
            raise MinerResponseError(f"{command} refused")
        return {}


_PROFILES = {
    "PROFILES": [{"Profile Name": "eco", "Watts": 2500}, {"Profile Name": "max", "Watts": 3600}]
}


def _backend(
    monkeypatch: pytest.MonkeyPatch, session: aiohttp.ClientSession, fake: _FakeLux
) -> LuxminerBackend:
    monkeypatch.setattr(luxos_backends, "request", fake.request)
    identity = MinerIdentity("Bitmain", "S19 XP", "luxos", "LuxOS", "luxminer")
    backend = LuxminerBackend(MinerContext("127.0.0.1", session), identity)
    monkeypatch.setattr(backend.session, "run", fake.run)
    return backend


@pytest.mark.parametrize(
    ("atm", "runs"),
    [
        (MinerResponseError("Invalid command"), [("profileset", "max")]),  # no ATM at all
        (
            {"ATM": [{"Enabled": True}]},
            [("atmset", "enabled=false"), ("profileset", "max"), ("atmset", "enabled=true")],
        ),
    ],
)
async def test_profile_change_holds_atm_off(
    monkeypatch: pytest.MonkeyPatch,
    session: aiohttp.ClientSession,
    atm: Any,
    runs: list[tuple[str, ...]],
) -> None:
    fake = _FakeLux({"profiles": _PROFILES, "atm": atm})
    await _backend(monkeypatch, session, fake).set_power_limit(4000)
    assert fake.runs == runs


async def test_refused_profile_turns_atm_back_on(
    monkeypatch: pytest.MonkeyPatch, session: aiohttp.ClientSession
) -> None:
    fake = _FakeLux({"profiles": _PROFILES, "atm": {"ATM": {"Enabled": True}}}, {"profileset"})
    with pytest.raises(MinerResponseError, match="profileset refused"):
        await _backend(monkeypatch, session, fake).set_work_mode("eco")
    assert fake.runs[-1] == ("atmset", "enabled=true")


@pytest.mark.parametrize(
    ("profiles", "atm", "error"),
    [
        ({"STATUS": []}, {"ATM": [{"Enabled": False}]}, "profiles reply without PROFILES"),
        (MinerTimeoutError("silent"), {"ATM": [{"Enabled": False}]}, "silent"),
        (_PROFILES, {"STATUS": []}, "atm reply without ATM"),
        (_PROFILES, MinerTimeoutError("atm silent"), "atm silent"),
    ],
)
async def test_profile_change_with_odd_replies(
    monkeypatch: pytest.MonkeyPatch,
    session: aiohttp.ClientSession,
    profiles: Any,
    atm: Any,
    error: str,
) -> None:
    fake = _FakeLux({"profiles": profiles, "atm": atm})
    with pytest.raises((MinerResponseError, MinerTimeoutError), match=error):
        await _backend(monkeypatch, session, fake).set_power_limit(4000)
    assert fake.runs == []


async def test_profile_name_with_a_comma_is_refused(
    monkeypatch: pytest.MonkeyPatch, session: aiohttp.ClientSession
) -> None:
    odd = {"PROFILES": [{"Profile Name": "a,b", "Watts": 3000}]}
    fake = _FakeLux({"profiles": odd, "atm": {"ATM": [{"Enabled": False}]}})
    with pytest.raises(MinerValueError, match="cannot select"):
        await _backend(monkeypatch, session, fake).set_work_mode("a,b")
    assert fake.runs == []
