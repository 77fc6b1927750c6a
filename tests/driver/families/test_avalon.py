"""Avalon (Canaan) against the simulator: A1566 (flat MM ID0), Nano 3S, Q (Summary + HBinfo).

Identification, snapshot against the simulated state, every control (scheduled soft
off / on, work modes, locate light, reboot, cgminer restart), the quirks (softon hangs
up, RESTART instead of a status, NUL, nan/inf), one command at a time, each wire fault,
and the bracket parser on its own.
"""

from __future__ import annotations

import time
from typing import Any, cast

import aiohttp
import pytest

from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import Field, Replies
from custom_components.asic_miner.driver.exceptions import (
    MinerConnectionError,
    MinerResponseError,
    MinerTimeoutError,
    MinerUnsupportedError,
    MinerValueError,
)
from custom_components.asic_miner.driver.families._probes import RPC_DEVDETAILS, RPC_VERSION
from custom_components.asic_miner.driver.families.avalon import FAMILY
from custom_components.asic_miner.driver.families.avalon.backends import (
    SOFT_SWITCH_DELAY,
    GenericBackend,
    Mini3Backend,
    Nano3Backend,
    Nano3sBackend,
    QBackend,
    RackBackend,
    backend_for,
)
from custom_components.asic_miner.driver.families.avalon.client import restart_accepted
from custom_components.asic_miner.driver.families.avalon.parse import (
    ESTATS,
    errors,
    mm_values,
    normalize_model,
    numbers,
    parse_mm,
)
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Control, MinerErrorEntry
from custom_components.asic_miner.driver.registry import FAMILIES
from simulator.families.avalon import PROFILES, AvalonSim
from simulator.faults import Fault, FaultKind
from tests.driver.conftest import DRIVER_PORTS, SimFactory

# model, backend, the work modes the driver offers (firmware numbers 0, 1, 2)
MODELS = [
    ("A1566", "rack", ("normal", "performance")),
    ("Nano 3S", "nano3s", ("low", "mid", "high")),
    ("Q", "q", ("eco", "standard", "super")),
]
MODEL_NAMES = [m[0] for m in MODELS]
IDS = ["a1566", "nano3s", "q"]


async def _start(simulate: SimFactory, model: str, **overrides: Any) -> AvalonSim:
    return cast(AvalonSim, await simulate("avalon", model, **overrides))


async def _connect(session: aiohttp.ClientSession, host: str, **kwargs: Any) -> Miner:
    return await Miner.connect(host, session, ports=DRIVER_PORTS, **kwargs)


def _run_schedule(sim: AvalonSim) -> None:
    """Move the simulated miner's clock past a scheduled soft off / soft on."""
    sim.state.clock = time.time() + SOFT_SWITCH_DELAY + 1


# -- identification and reading -------------------------------------------------------


@pytest.mark.parametrize(("model", "backend", "modes"), MODELS, ids=IDS)
async def test_read_details(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    model: str,
    backend: str,
    modes: tuple[str, ...],
) -> None:
    """What the contract test leaves to Avalon: its firmware strings, PS error bits, mode
    numbers, the MM text's chip maxima, inlet / outlet air and fan duty."""
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    assert miner.family is FAMILY
    assert miner.identity.firmware_version == PROFILES[model].firmware
    assert miner.identity.control_board == PROFILES[model].hwtype

    state = sim.state
    state.errors = [("2048", "PSU fan failed"), ("1", "Input voltage low"), ("110", "not PSU")]
    snap = await miner.read()
    assert snap.work_mode == modes[sim.mode_number]
    assert snap.work_modes == modes
    assert [(e.code, e.message) for e in snap.errors] == [
        ("PS1", "Power supply: input voltage low"),
        ("PS2048", "Power supply: fan failed"),
    ]
    for board in snap.boards:
        assert board.chip_temperature == sim.chip_max(board.index)
    if model == "Q":
        assert snap.boards[0].inlet_temperature == sim.board_inlet()
        assert snap.boards[0].outlet_temperature == sim.board_outlet()
    else:  # the Nano 3S says -273 (no outlet sensor); racks have none per board
        assert snap.boards[0].outlet_temperature is None
    assert {f.percent for f in snap.fans} == {sim.fan_percent()}
    assert all(p.alive for p in snap.pools)


async def test_stored_identity_reads_without_identifying(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "Q")
    identity = (await _connect(session, sim.host)).identity
    sim.requests.clear()
    miner = Miner.from_identity(sim.host, session, identity, ports=DRIVER_PORTS)
    snap = await miner.read()
    assert snap.hashrate == pytest.approx(sim.state.hashrate, rel=1e-6)
    assert [c for c, _ in sim.requests] == ["devs+estats+pools"]  # one connection


async def test_one_command_at_a_time(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    """Canaan's API takes one command at a time: a release refusing the multicommand is
    read with the poll's three commands one after another, never side by side."""
    sim = await _start(simulate, "A1566")
    miner = await _connect(session, sim.host)
    original = sim.handle_rpc

    async def refuse_multicommand(request: str) -> bytes | None:
        if "+" in request:
            return b'{"STATUS":[{"STATUS":"E","Code":14,"Msg":"Invalid command"}],"id":1}\x00'
        return await original(request)

    sim.handle_rpc = refuse_multicommand  # type: ignore[method-assign]
    sim.servers[0].handler = refuse_multicommand  # type: ignore[attr-defined]
    miner.ctx.timeout = 2.0
    sim.state.fault = Fault(FaultKind.DELAY, 0.25)
    started = time.monotonic()
    snap = await miner.read()
    assert time.monotonic() - started >= 0.7  # the refused one, then three in turn
    assert snap.hashrate == pytest.approx(sim.state.hashrate, rel=1e-6)
    assert not miner.backend.multicommand_ok


async def test_one_cut_multicommand_keeps_the_combination(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """A combined reply cut short once is one bad poll, not a release refusing a+b."""
    sim = await _start(simulate, "A1566")
    miner = await _connect(session, sim.host)
    original = sim.handle_rpc
    cut = {"left": 1}

    async def cut_once(request: str) -> bytes | None:
        reply = await original(request)
        if "+" in request and cut["left"] and reply:
            cut["left"] -= 1
            return reply[: len(reply) // 2]
        return reply

    sim.handle_rpc = cut_once  # type: ignore[method-assign]
    sim.servers[0].handler = cut_once  # type: ignore[attr-defined]
    snap = await miner.read()  # this poll: the three commands one after another
    assert snap.hashrate == pytest.approx(sim.state.hashrate, rel=1e-6)
    assert miner.backend.multicommand_ok
    sim.requests.clear()
    await miner.read()
    assert [c for c, _ in sim.requests] == ["devs+estats+pools"]


# -- controls -----------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODEL_NAMES, ids=IDS)
async def test_mining_round_trip(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)

    await miner.set_mining(False)
    # softoff acts at the time it names, a few seconds ahead
    assert (await miner.read()).mining is True
    assert sim.soft_off_at is not None
    assert sim.soft_off_at - time.time() == pytest.approx(SOFT_SWITCH_DELAY, abs=1.5)
    _run_schedule(sim)
    snap = await miner.read()
    assert snap.mining is False
    assert snap.hashrate == 0
    assert snap.power == round(sim.state.power)
    assert all(b.active is None for b in snap.boards)  # soft-off on purpose: not a fault

    sim.state.clock = None
    sim.requests.clear()
    await miner.set_mining(True)  # softon hangs up without a reply: still a success
    command, parameter = sim.requests[0]
    assert command == "ascset"
    assert parameter is not None
    assert parameter.startswith("0,softon,1:")
    _run_schedule(sim)
    snap = await miner.read()
    assert snap.mining is True
    assert snap.hashrate == pytest.approx(sim.state.hashrate, rel=1e-6)


@pytest.mark.parametrize(("model", "backend", "modes"), MODELS, ids=IDS)
async def test_work_modes_round_trip(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    model: str,
    backend: str,
    modes: tuple[str, ...],
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    for number, mode in reversed(list(enumerate(modes))):
        await miner.set_work_mode(mode)
        assert sim.requests[-1] == ("ascset", f"0,workmode,set,{number}")
        assert sim.mode_number == number
        snap = await miner.read()
        assert snap.work_mode == mode
        assert snap.work_modes == modes
        assert snap.power == round(sim.state.power)
    with pytest.raises(MinerValueError):
        await miner.set_work_mode("turbo")
    with pytest.raises(MinerValueError):
        await miner.set_work_mode("normal" if model != "A1566" else "low")


async def test_fault_light_round_trip(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await _start(simulate, "A1566")
    miner = await _connect(session, sim.host)
    await miner.set_fault_light(True)
    assert sim.requests[-1] == ("ascset", "0,led,1-1")
    assert (await miner.read()).fault_light is True
    await miner.set_fault_light(False)
    assert sim.requests[-1] == ("ascset", "0,led,1-0")
    assert (await miner.read()).fault_light is False
    assert sim.state.fault_light is False


@pytest.mark.parametrize("model", ["Nano 3S", "Q"])
async def test_home_units_have_no_fault_light_or_power_limit(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    assert not miner.supports(Control.FAULT_LIGHT)
    with pytest.raises(MinerUnsupportedError):
        await miner.set_fault_light(True)
    with pytest.raises(MinerUnsupportedError):
        await miner.set_power_limit(100)
    assert miner.power_limit_range() is None
    assert not any(c == "ascset" for c, _ in sim.requests)


@pytest.mark.parametrize("model", MODEL_NAMES, ids=IDS)
async def test_reboot_and_restart(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    sim.state.boot_time -= 600

    await miner.restart_backend()  # cgminer answers "RESTART", not a status
    assert sim.requests[-1] == ("restart", None)
    assert sim.state.backend_restarts == 1
    snap = await miner.read()
    assert snap.uptime is not None
    assert snap.uptime < 5

    await miner.reboot()
    assert sim.requests[-1] == ("ascset", "0,reboot,0")
    assert sim.state.reboots == 1
    with pytest.raises(MinerConnectionError):
        await miner.read()
    sim.state.reboot_until = 0.0
    assert (await miner.read()).mining is True


async def test_refused_control_is_an_error(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "Q")
    miner = await _connect(session, sim.host)
    # A Q has no locate light: cgminer refuses the option with status E.
    backend = cast(QBackend, miner.backend)
    with pytest.raises(MinerResponseError, match="Unknown option: led"):
        await backend.client.ascset("led,1-1")


# -- faults -----------------------------------------------------------------------------

FAULTS = [
    (FaultKind.RESET, MinerConnectionError),
    (FaultKind.SILENCE, MinerTimeoutError),
    (FaultKind.DELAY, MinerTimeoutError),
    # No length on the wire: a cut reply is caught by its open brackets, never repaired
    # into a shorter one.
    (FaultKind.TRUNCATE, MinerResponseError),
    (FaultKind.MALFORMED, MinerResponseError),
]


@pytest.mark.parametrize("model", ["A1566", "Q"])
@pytest.mark.parametrize(("kind", "error"), FAULTS, ids=[f[0] for f in FAULTS])
async def test_faults(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    model: str,
    kind: FaultKind,
    error: type[Exception],
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    miner.ctx.timeout = 0.5
    sim.state.fault = Fault(kind, 3.0 if kind is FaultKind.DELAY else 0.0)
    started = time.monotonic()
    with pytest.raises(error):
        await miner.read()
    # Once one command finds the miner unreachable, the rest of the poll do not wait.
    assert time.monotonic() - started < 1.2
    with pytest.raises(error):
        await miner.set_work_mode(miner.backend.WORK_MODES[0])
    with pytest.raises(error):
        await miner.set_mining(False)
    with pytest.raises(error):
        await miner.set_mining(True)  # the hang-up is not trusted: its check fails too
    assert time.monotonic() - started < 4.0
    if kind in (FaultKind.RESET, FaultKind.SILENCE):
        assert sim.soft_off_at is None  # nothing reached the firmware

    sim.state.fault = None
    snap = await miner.read()
    assert snap.hashrate == pytest.approx(sim.state.hashrate, rel=1e-6)
    assert snap.work_mode == miner.backend.WORK_MODES[sim.mode_number]


async def test_softon_hang_up_is_confirmed(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """A hang-up after softon is success only once the miner answers right after."""
    sim = await _start(simulate, "Nano 3S")
    miner = await _connect(session, sim.host)
    miner.ctx.timeout = 0.5
    sim.state.fault = Fault(FaultKind.RESET)  # drops every connection unanswered
    with pytest.raises(MinerConnectionError):
        await miner.set_mining(True)
    with pytest.raises(MinerConnectionError):
        await miner.restart_backend()
    assert sim.state.backend_restarts == 0
    sim.state.fault = None

    sim.requests.clear()
    await miner.set_mining(True)
    assert [c for c, _ in sim.requests] == ["ascset", "estats"]
    assert sim.soft_on_time == sim.soft_on_at

    # A unit that reports another soft-on time did not take ours.
    backend = cast(Nano3sBackend, miner.backend)
    sim.soft_on_time = 1
    with pytest.raises(MinerResponseError, match="softon not taken"):
        await backend._confirm_softon(int(time.time()) + SOFT_SWITCH_DELAY)

    await sim.stop()
    with pytest.raises(MinerConnectionError):  # refused: not a hang-up
        await miner.set_mining(True)


# -- identification rules -------------------------------------------------------------


def test_registered_before_stock_antminer() -> None:
    keys = [f.key for f in FAMILIES]
    assert keys.index("avalon") < keys.index("antminer")
    assert not FAMILY.default_credentials.password


@pytest.mark.parametrize(
    ("version", "devdetails", "match"),
    [
        ('{"VERSION":[{"PROD":"Avalon Nano3s","MODEL":"Nano3s"}]}', None, True),
        ('{"VERSION":[{"PROD":"AvalonMiner 15-194","MODEL":"15-194"}]}', None, True),
        (None, '{"DEVDETAILS":[{"Name":"AVALON","Driver":"avalon"}]}', True),
        ('{"VERSION":[{"BMMiner":"1.0.0","Type":"Antminer S19 Pro"}]}', None, False),
        ('{"VERSION":[{"BOSer":"1.0"}]}', '{"DEVDETAILS":[{"Model":"S19"}]}', False),
        ('{"STATUS":"E","Msg":"invalid cmd","Description":"btminer"}', None, False),
    ],
)
def test_fingerprint(version: str | None, devdetails: str | None, match: bool) -> None:
    results = {}
    if version is not None:
        results[RPC_VERSION.key] = version
    if devdetails is not None:
        results[RPC_DEVDETAILS.key] = devdetails
    assert FAMILY.matches(results) is match


@pytest.mark.parametrize(
    ("raw", "model", "backend"),
    [
        ("Nano3s", "Nano 3S", Nano3sBackend),
        ("Avalon Nano3s", "Nano 3S", Nano3sBackend),
        ("Nano3", "Nano 3", Nano3Backend),
        ("Mini3", "Mini 3", Mini3Backend),
        ("Q", "Q", QBackend),
        ("Avalon Q", "Q", QBackend),
        ("1566-185", "A1566", RackBackend),
        ("AvalonMiner 1566", "A1566", RackBackend),
        ("1246-83", "A1246", RackBackend),
        ("15-194", "A1566", RackBackend),
        ("16-230", "A16-230", RackBackend),
        ("1566HA", "A1566HA", RackBackend),
        ("1166Pro", "A1166 Pro", GenericBackend),
        ("1066", "A1066", GenericBackend),
    ],
)
def test_model_names(raw: str, model: str, backend: type) -> None:
    assert normalize_model(raw) == model
    assert backend_for(model) is backend
    assert FAMILY.backend(backend.name) is backend


def test_model_name_missing() -> None:
    assert normalize_model(None) is None
    assert normalize_model("  ") is None


@pytest.mark.parametrize(
    "raw",
    [b'"RESTART"', b"RESTART", b'{"STATUS":"RESTART"}', b'{"RESTART","id":1}', b'"RESTART"\x00'],
)
def test_restart_reply_shapes(raw: bytes) -> None:
    assert restart_accepted(raw)


def test_restart_refusal_is_not_accepted() -> None:
    assert not restart_accepted(b'{"STATUS":[{"STATUS":"E","Msg":"Access denied"}]}')


# -- the bracket format ----------------------------------------------------------------


def test_parse_flat_mm() -> None:
    text = (
        "Ver[1246-83-21072802_4ec6bb0_211fc46] DNA[02010000cbd2fd6d] MEMFREE[269880 B] "
        "SYSTEMSTATU[Work: In Work, Hash Board: 3 ] Temp[30] FanR[72%] "
        "PS[0 1214 1316 242 3189 1320 3504] GHSspd[nan] DHspd[inf%] "
        "HS_RCD0[Tenv:23 Tavg:65 Fan1:3407 V12:1217] FACOPTS0[] "
        "ATAOPTS0[--avalon10-freq 240:258:279:300 --avalon10-voltage-level 1180] "
        "PVT_T0[ 63  70  70 ] Nonce Mask[25] Odd[a[b]c] Cut[1 2"
    )
    mm = parse_mm(text)
    assert mm["Ver"] == "1246-83-21072802_4ec6bb0_211fc46"
    assert mm["SYSTEMSTATU"] == "Work: In Work, Hash Board: 3 "
    assert mm["MEMFREE"] == "269880 B"
    assert mm["HS_RCD0"] == "Tenv:23 Tavg:65 Fan1:3407 V12:1217"
    assert mm["FACOPTS0"] == ""
    assert mm["ATAOPTS0"] == "--avalon10-freq 240:258:279:300 --avalon10-voltage-level 1180"
    assert mm["Nonce Mask"] == "25"
    assert mm["Odd"] == "a[b]c"
    assert mm["Cut"] == "1 2"
    assert numbers(mm["PVT_T0"]) == [63.0, 70.0, 70.0]
    assert numbers(mm["PS"])[6] == 3504.0
    assert numbers(mm["GHSspd"]) == [None]
    assert numbers(mm["DHspd"]) == [None]
    assert numbers(mm["FanR"]) == [72.0]


def test_parse_summary_layout() -> None:
    item = {
        "Elapsed": 37819,
        "MM ID0:Summary": (
            "'STATS':{Ver[Q-25052801_14a19a2] SYSTEMSTATU[Work: In Idle, Hash Board: 1] "
            "ITemp[26] MPO[800] Nonce Mask[25]}"
        ),
        "HBinfo": "'HB0':{PVT_T0[ 58  59  60] MW0[526 664 642]} 'HB1':{PVT_T1[61 0]}",
    }
    mm = mm_values(item)
    assert mm["Ver"] == "Q-25052801_14a19a2"
    assert mm["MPO"] == "800"
    assert mm["Nonce Mask"] == "25"
    assert numbers(mm["PVT_T0"]) == [58.0, 59.0, 60.0]
    assert numbers(mm["PVT_T1"]) == [61.0, 0.0]
    assert parse_mm("'HB0':{}") == {"HB0": {}}
    assert parse_mm("") == {}


def test_error_bits() -> None:
    reply = {"STATS": [{"MM ID0": "PS[6 1209 1187 297 3526 1188 3731]"}]}
    assert errors(Replies({ESTATS: reply})) == [
        MinerErrorEntry("Power supply: over temperature (sensor 1)", "PS2"),
        MinerErrorEntry("Power supply: over temperature (sensor 2)", "PS4"),
    ]


def _a1246_estats() -> dict[str, Any]:
    """An ``estats`` with the shape of asic-rs' Avalon 1246 capture (``avalon_a_stats.json``,
    commit fdcd1018): flat ``MM ID0``, four fans, power only in ``PS[6]`` (no
    ``WALLPOWER``), 120 chips a board; our values. No ``version`` is captured for that
    unit, so it has no fixture folder; this checks the rack parser on its layout."""
    temps = " ".join(f"{60 + i % 12:3d}" for i in range(120))
    volts = " ".join(str(300 + i % 14) for i in range(120))
    mm = (
        "Ver[1246-83-21072802_4ec6bb0_211fc46] DNA[020100001f2e3d4c] MEMFREE[1198830.0] "
        "NETFAIL[0 0 0 0 0 0 0 0] SYSTEMSTATU[Work: In Work, Hash Board: 3 ] Elapsed[31120] "
        "BOOTBY[0x08.00000000] LW[30912230] MH[812 701 955] HW[2468] DH[2.511%] Temp[28] TMax[76] "
        "TAvg[64] Fan1[5280] Fan2[5330] Fan3[5301] Fan4[5262] FanR[70%] Vo[329] "
        "PS[0 1214 1316 242 3170 1320 3488] PLL0[1796 4524 5435 2165] PLL1[5106 4977 3262 575] "
        "PLL2[2553 5158 4450 1759] GHSspd[80544.21] DHspd[2.511%] GHSmm[83923.04] GHSavg[79811.40] "
        "WU[1110342.61] Freq[501.92] Led[0] MGHS[26911.20 26301.77 26598.43] MTmax[76 75 76] "
        "MTavg[65 64 64] TA[360] Core[A3201] PING[431] POWS[0] HASHS[0 0 0] POOLS[0] SoftOFF[0] "
        "ECHU[0 0 0] ECMM[0] SF0[472 492 512 532] SF1[472 492 512 532] SF2[472 492 512 532] "
        + " ".join(f"PVT_T{b}[{temps}]" for b in range(3))
        + " "
        + " ".join(f"PVT_V{b}[{volts}]" for b in range(3))
        + " MW[8190211 8190188 8190240] CRC[0 0 0] POW_I2C[OK] FACOPTS0[] FACOPTS1[] "
        "ATAOPTS0[--avalon10-freq 376:396:416:436 --avalon10-voltage-level 46] "
        "ATAOPTS1[--avalon10-freq 472:492:512:532 --avalon10-voltage-level 55] ADJ[1] "
        "COP[0 0 0] MPO[3200] MVL[87] ATABD0[472 492 512 532] ATABD1[472 492 512 532] "
        "ATABD2[472 492 512 532] WORKMODE[1]"
    )
    item = {"Calls": 0, "Elapsed": 31120, "ID": "AVA100", "MM Count": 1, "MM ID0": mm}
    item |= {"Max": 0.0, "Min": 99999999.0, "Nonce Mask": 25, "STATS": 0, "Smart Speed": 1}
    item |= {"Voltage Level Offset": 0, "Wait": 0.0}
    status = {"Code": 70, "Description": "cgminer 4.11.1", "Msg": "CGMiner stats", "STATUS": "S"}
    return {"STATS": [item], "STATUS": [status | {"When": 31137}], "id": 1}


def test_a1246_layout() -> None:
    """Power from PS[6] where there is no WALLPOWER; four fans; 120 chips a board."""
    replies = Replies({ESTATS: _a1246_estats()})
    table = RackBackend.DATA_MAP

    def field(name: Field) -> Any:
        return table[name].extract(replies)

    assert field(Field.POWER) == 3488
    assert field(Field.POWER_LIMIT) == 3200
    assert field(Field.EXPECTED_HASHRATE) == pytest.approx(83.92304)
    assert field(Field.ENVIRONMENT_TEMPERATURE) == 28
    assert field(Field.MINING) is True
    assert field(Field.WORK_MODE) == "performance"
    assert field(Field.FAULT_LIGHT) is False
    assert field(Field.ERRORS) == []
    assert [f.rpm for f in field(Field.FANS)] == [5280, 5330, 5301, 5262]
    boards = field(Field.BOARDS)
    assert [b.chips for b in boards] == [120, 120, 120]
    assert [b.chip_temperature for b in boards] == [76, 75, 76]
    assert [b.hashrate for b in boards] == pytest.approx([26.9112, 26.30177, 26.59843])
    assert normalize_model("1246-83") == "A1246"


async def test_identify_without_a_version_probe(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """Recognised by ``devdetails`` alone: the version is asked for once more."""
    sim = await _start(simulate, "Q")
    identity = await FAMILY.identify(MinerContext(sim.host, session, DRIVER_PORTS), {})
    assert (identity.model, identity.backend) == ("Q", "q")


async def test_odd_control_replies(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    """A softon check without MM figures trusts the answer; a restart refused is an error."""
    sim = await _start(simulate, "A1566")
    miner = await _connect(session, sim.host)
    backend = cast(RackBackend, miner.backend)
    original = sim.handle_rpc

    async def odd(request: str) -> bytes | None:
        if '"estats"' in request:
            return b'{"STATUS":[{"STATUS":"S","Msg":"CGMiner stats"}],"STATS":[],"id":1}\x00'
        if '"restart"' in request:
            return b'{"STATUS":[{"STATUS":"E","Msg":"Access denied"}],"id":1}\x00'
        return await original(request)

    sim.handle_rpc = odd  # type: ignore[method-assign]
    sim.servers[0].handler = odd  # type: ignore[attr-defined]
    await backend._confirm_softon(int(time.time()))
    with pytest.raises(MinerResponseError, match="restart refused"):
        await miner.restart_backend()


def test_chip_temperature_without_mtmax() -> None:
    """A rack's MM text without per-board maxima: the hottest of the chip readings."""
    estats = _a1246_estats()
    item = estats["STATS"][0]
    item["MM ID0"] = item["MM ID0"].replace("MTmax[76 75 76] ", "")
    boards = RackBackend.DATA_MAP[Field.BOARDS].extract(Replies({ESTATS: estats}))
    assert [b.chip_temperature for b in boards] == [71, 71, 71]
