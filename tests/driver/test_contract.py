"""The family contract, checked the same way on every model the simulator runs.

One table row per simulated model and per extra firmware release or API generation the
simulator serves. Each row is started on loopback and driven through the public face
(``Miner``): identification, a read compared with the simulator's state, every control
the model has round-tripped (sent, read back, the simulator's state changed), every
control it lacks refused, a wrong password refused where the firmware has a login, and
every wire fault the simulator injects turned into the driver's own error, after which
the next poll recovers. What is specific to one family stays in that family's tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp
import pytest

from custom_components.asic_miner.driver.bounds import MIN_AIR_FAN_PERCENT
from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
    MinerUnsupportedError,
    MinerValueError,
)
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import (
    ALL_CONTROLS,
    Control,
    Cooling,
    Credentials,
    FanMode,
    MinerSnapshot,
)
from simulator.families import load_all
from simulator.faults import Fault, FaultKind
from simulator.miner import SimMiner
from tests.driver.conftest import DRIVER_PORTS, SimFactory

C = Control
FULL = ALL_CONTROLS
POOLS_RW = frozenset({C.POOLS, C.SWITCH_POOL})  # tests/driver/test_pools.py round-trips them
# What the driver reports for a cut reply: over HTTP the body is shorter than its length
# (a connection error); cgminer-style RPC has no length, so the open brackets say it.
HTTP_CUT: type[MinerError] = MinerConnectionError
RPC_CUT: type[MinerError] = MinerResponseError
FAULT_SECONDS = 0.5  # the handle's request timeout while faults are injected
RECOVERY_SECONDS = 5.0  # the read after a fault: a loaded machine may need more than 0.5 s


@dataclass(frozen=True, slots=True)
class Expected:
    """The figures a driver must read back, as the simulator derives them."""

    hashrate: float
    expected_hashrate: float
    power: float
    boards: list[float]
    fans: list[int]


def state_physics(sim: SimMiner) -> Expected:
    """The shared physics of ``simulator/state.py`` (every family but AxeOS)."""
    state = sim.state
    return Expected(
        state.hashrate,
        state.expected_hashrate,
        state.power,
        state.board_hashrates(),
        state.fan_rpms(),
    )


def axeos_physics(sim: SimMiner) -> Expected:
    """AxeOS boards derive their figures from frequency and chips (the Bitaxe simulator's
    public physics), in GH/s and W: the driver reports TH/s."""
    device: Any = sim
    hashrate = device.hashrate_ghs() / 1000
    return Expected(
        hashrate, device.expected_ghs() / 1000, device.power_w(), [hashrate], device.fan_rpms()
    )


# How a firmware reports temperatures: as the simulator's state, in whole degrees, not at
# all, or from the family's own physics (checked in that family's tests).
type Temperatures = Literal["state", "whole", "family"] | None


def _temperatures(kind: Temperatures, got: list[float | None], want: list[float]) -> None:
    if kind == "state":
        assert got == want
    elif kind == "whole":
        assert got == [round(t) for t in want]
    elif kind is None:
        assert got == [None] * len(want)


@dataclass(frozen=True, slots=True)
class Case:
    """One simulated model (on one firmware release) and what its firmware reports."""

    family: str
    model: str
    make: str
    firmware: str  # identity.firmware
    backend: str
    controls: frozenset[Control]
    version: str | None = None  # identity.firmware_version; None: the simulator's own
    api: str | None = None  # identity.api_version
    control_board: str | None = None
    mac: bool = True  # reports the miner's MAC address
    serial: bool = True  # reports the miner's serial number
    hostname: bool = True
    state: Mapping[str, Any] = field(default_factory=dict)  # simulator overrides
    power: bool = True  # reports its power draw
    expected: bool = True  # reports the hashrate it should make
    power_limit: bool = True  # reports the limit in force (out of the box)
    bounds: Literal["model", "levels"] | None = "model"  # the power limit range it reports
    light: bool = True  # reports the fault light's state
    environment: bool = False  # reports the air temperature
    chips: bool = True  # reports working chips per board
    chip_temps: Temperatures = "state"
    board_temps: Temperatures = "state"
    expected_chips: bool = True  # reports the chips a board should have
    errors: bool = True  # reports its errors (an empty list when there are none)
    light_first_poll: bool = True  # the light's state is in the first poll already
    login: bool = True  # has a password that can be wrong
    cut: type[MinerError] = HTTP_CUT
    physics: Callable[[SimMiner], Expected] = state_physics
    reads_paused: bool = True  # its miner's API answers while paused
    scheduled: bool = False  # pause / resume act at a time given in the command (Avalon)
    gaps: Mapping[str, str] = field(default_factory=dict)  # test -> known driver gap

    @property
    def id(self) -> str:
        release = "-".join(v if isinstance(v, str) else f"{k}-{v}" for k, v in self.state.items())
        name = f"{self.family}-{self.model}" + (f"-{release}" if release else "")
        return name.replace(" ", "_")


# Per family, what its firmware reports (a row may override any of it).
ANTMINER = {"family": "antminer", "make": "Bitmain", "firmware": "Stock", "power": False}
ANTMINER |= {"power_limit": False, "bounds": None, "api": "3.1"}
AURADINE = {"family": "auradine", "make": "Auradine", "firmware": "FluxOS", "backend": "fluxos"}
AURADINE |= {"api": "1.0", "controls": FULL | {C.POOLS}, "chips": False}
AVALON = {"family": "avalon", "make": "Canaan", "firmware": "Stock", "login": False}
AVALON |= {"cut": RPC_CUT, "environment": True, "bounds": None, "scheduled": True}
AVALON |= {"api": "3.7", "hostname": False, "board_temps": None, "chip_temps": "family"}
# Avalon reports chip and air temperatures only, as the simulator's MM text renders them.
BITAXE = {"family": "bitaxe", "make": "Bitaxe", "firmware": "AxeOS", "login": False}
BITAXE |= {"power_limit": False, "bounds": None, "light": False, "chips": False}
BITAXE |= {"physics": axeos_physics, "serial": False, "chip_temps": "family"}
BITAXE |= {"board_temps": "family"}
BRAIINS = {"family": "braiins", "make": "Bitmain", "firmware": "Braiins OS+", "api": "3.7"}
HAMMER = {"family": "hammer", "make": "Hammer", "firmware": "Stock", "backend": "blackminer"}
HAMMER |= {"power": False, "power_limit": False, "bounds": None, "api": "3.1", "errors": False}
HAMMER |= {"light": False, "chip_temps": None, "board_temps": None, "serial": False}
HAMMER |= {"controls": frozenset({C.REBOOT}), "expected": False, "cut": RPC_CUT}
GOLDSHELL = {
    "family": "goldshell",
    "make": "Goldshell",
    "firmware": "Stock",
    "backend": "goldshell",
}
GOLDSHELL |= {"api": "3.1", "power": False, "power_limit": False, "bounds": None, "light": False}
GOLDSHELL |= {"expected": False, "errors": False, "mac": False, "serial": False, "hostname": False}
GOLDSHELL |= {
    "chip_temps": None,
    "control_board": "MCB_V4_3",
    "cut": RPC_CUT,
    "controls": frozenset(),
}
ICERIVER = {"family": "iceriver", "make": "IceRiver", "firmware": "Stock", "backend": "userpanel"}
ICERIVER |= {"power": False, "power_limit": False, "bounds": None, "expected": False}
ICERIVER |= {"errors": False, "serial": False, "control_board": None, "api": None}
ICERIVER |= {"chip_temps": "whole", "board_temps": "whole", "expected_chips": True}
ICERIVER |= {"controls": frozenset({C.FAULT_LIGHT, C.POOLS})}
SEAL = {"family": "sealminer", "make": "SealMiner", "firmware": "Stock", "backend": "bdminer"}
SEAL |= {"api": "3.7", "control_board": "taurus_air_v1.1", "hostname": False, "errors": False}
SEAL |= {"light": False, "chip_temps": None, "board_temps": "whole", "login": False}
SEAL |= {"cut": RPC_CUT, "controls": frozenset(), "bounds": None}
INNO = {"family": "innosilicon", "make": "Innosilicon", "firmware": "Stock"}
INNO |= {"backend": "innominer", "api": "3.1", "serial": False}
INNO |= {"hostname": False, "expected": False, "power_limit": False, "bounds": None}
INNO |= {"light": False, "errors": False, "controls": frozenset()}
HIVEON = {"family": "hiveon", "make": "Bitmain", "firmware": "Hiveon", "backend": "hiveon"}
HIVEON |= {"power_limit": False, "bounds": None, "api": "3.1", "errors": False}
# A steady poll of the S9-era web UI reads RPC only (the light is kept: SLOW_SOURCES).
HIVEON |= {"cut": RPC_CUT}
MSKMINER = {"family": "mskminer", "make": "Bitmain", "firmware": "MSKMiner", "backend": "rwglr"}
MSKMINER |= {"power_limit": False, "bounds": None, "api": "3.1", "errors": False, "light": False}
MSKMINER |= {"login": False, "cut": RPC_CUT, "serial": False, "hostname": False}
MSKMINER |= {"controls": frozenset(), "mac": False}
EPIC = {"family": "epic", "firmware": "ePIC PowerPlay", "power_limit": False, "chips": False}
EPIC |= {"chip_temps": None}
LUXOS = {"family": "luxos", "make": "Bitmain", "firmware": "LuxOS", "backend": "luxminer"}
LUXOS |= {"version": "2025.6.12.184512", "bounds": "levels", "controls": FULL | POOLS_RW}
LUXOS |= {"login": False, "cut": RPC_CUT, "api": "3.7"}  # LuxOS's logon takes no password
LUXOS["controls"] |= {C.FAN_MODE, C.FAN_SPEED}  # fanset, read back from tempctrl and fans
VNISH = {"family": "vnish", "make": "Bitmain", "firmware": "VNish", "bounds": "levels"}
VNISH |= {
    "controls": FULL | {C.FAN_MODE, C.FAN_SPEED, C.POOLS},
    "api": "3.1",
    "chip_temps": "whole",
    "board_temps": "whole",
}
VNISH_1_3 = VNISH | {"controls": VNISH["controls"] | {C.THROTTLE}}  # mining/throttle
ELPHAPEX = {"family": "elphapex", "make": "Elphapex", "firmware": "Stock", "backend": "cgi"}
ELPHAPEX |= {"power_limit": False, "bounds": None, "serial": False, "board_temps": "whole"}
ELPHAPEX |= {"controls": frozenset({C.FAULT_LIGHT, C.WORK_MODE, C.REBOOT, C.POOLS})}
MARAFW = {"family": "marafw", "make": "Bitmain", "firmware": "MaraFW", "backend": "kaonsu"}
MARAFW |= {"api": "3.1", "control_board": "CVCtrl", "serial": False, "power_limit": False}
MARAFW |= {"controls": frozenset({C.MINING, C.FAULT_LIGHT, C.POWER_LIMIT, C.REBOOT})}
MARAFW["controls"] |= {C.RESTART_BACKEND, C.POOLS}
WHATSMINER = {"family": "whatsminer", "make": "MicroBT", "firmware": "Stock"}
WHATSMINER |= {"environment": True, "control_board": "H616"}
WHATSMINER_ALL = FULL | {C.POOLS}

ANTMINER_MODERN = frozenset({C.MINING, C.FAULT_LIGHT, C.WORK_MODE, C.REBOOT, C.POOLS})
AVALON_HOME = frozenset({C.MINING, C.WORK_MODE, C.REBOOT, C.RESTART_BACKEND, C.SWITCH_POOL})
AVALON_HOME |= {C.FAN_SPEED}  # fan-spd, read back from FanR (no mode to read back)
AXEOS_PRESETS = frozenset({C.REBOOT, C.WORK_MODE, C.POOLS})
AXEOS_FANS = frozenset({C.FAN_MODE, C.FAN_SPEED})  # with ``autofanspeed`` in info
AXEOS_TARGET = AXEOS_FANS | {C.TEMPERATURE_TARGET}  # with ``temptarget`` (2.10 on)
BRAIINS_ALL = FULL - {C.WORK_MODE} | {C.POOLS}
BRAIINS_REST = BRAIINS_ALL | {C.HASHRATE_TARGET}  # REST also tunes by hashrate
BRAIINS_REST |= {C.FAN_MODE, C.FAN_SPEED, C.TEMPERATURE_TARGET}  # configuration/miner temperature
EPIC_TUNED = (FULL - {C.WORK_MODE}) | {C.HASHRATE_TARGET, C.POOLS}  # VoltageOptimizer holds TH/s

CASES: list[Case] = [
    Case(**ANTMINER, model="S19 Pro", backend="modern", controls=ANTMINER_MODERN),
    Case(**ANTMINER, model="S21", backend="modern", controls=ANTMINER_MODERN),
    Case(**ANTMINER, model="S9", backend="legacy", controls=frozenset({C.FAULT_LIGHT, C.REBOOT}), errors=False, cut=RPC_CUT),
    Case(**AURADINE, model="AT1500", version="2023-12.27"),
    Case(**AURADINE, model="AT2880", version="2024-06.11", expected_chips=False),
    Case(**AVALON, model="A1566", control_board="MM4v2_X3", backend="rack", controls=AVALON_HOME | {C.FAULT_LIGHT, C.POOLS}),
    Case(**AVALON, model="Nano 3S", control_board="Nano3s_MM1v1", backend="nano3s", controls=AVALON_HOME, light=False),
    Case(**AVALON, model="Q", control_board="Q_MM1v1_X1", backend="q", controls=AVALON_HOME, light=False),
    Case(**BITAXE, model="Gamma", control_board="601", backend="v2_14", version="2.14.2", controls=AXEOS_PRESETS | AXEOS_TARGET | {C.MINING}),
    Case(**BITAXE, model="Gamma Turbo", control_board="801", backend="v2_7", version="2.12.0", controls=AXEOS_PRESETS | AXEOS_TARGET),
    Case(**BITAXE, model="Supra", control_board="401", backend="v2_0", version="2.4.5", controls=AXEOS_FANS | {C.REBOOT, C.POOLS}),
    Case(**BITAXE | {"make": "NerdAxe", "firmware": "NerdQAxe ESP-Miner"}, model="NerdQAxe++", backend="v2_7", version="2.2.2", controls=AXEOS_PRESETS),
    Case(**BITAXE, model="Gamma", control_board="601", state={"release": "2.4.5"}, backend="v2_0", version="2.4.5", controls=AXEOS_FANS | {C.REBOOT, C.POOLS}),
    Case(**BITAXE, model="Gamma", control_board="601", state={"release": "2.8.0"}, backend="v2_7", version="2.8.0", controls=AXEOS_PRESETS | AXEOS_FANS),
    Case(**BITAXE, model="Gamma", control_board="601", state={"release": "2.12.0"}, backend="v2_7", version="2.12.0", controls=AXEOS_PRESETS | AXEOS_TARGET),
    Case(**BRAIINS, model="S19", backend="rest", version="25.07", controls=BRAIINS_REST, serial=False),
    Case(**BRAIINS, model="S19j Pro", backend="graphql", version="25.05.1", controls=BRAIINS_ALL, reads_paused=False),
    Case(**BRAIINS, model="S9", backend="graphql", version="21.09", controls=BRAIINS_ALL, serial=False, reads_paused=False),
    Case(**BRAIINS, model="S19 XP", backend="rest", version="25.07", controls=BRAIINS_REST, serial=False),
    Case(**BRAIINS, model="S21 Pro", backend="rest", version="25.07", controls=BRAIINS_REST, serial=False),
    Case(**BRAIINS, model="S21+", backend="rest", version="25.07", controls=BRAIINS_REST, serial=False),
    *(
        Case(**BRAIINS, model="S19", state={"release": release}, backend=backend, version=release, controls=BRAIINS_REST if backend == "rest" else BRAIINS_ALL, serial=serial, reads_paused=backend == "rest")
        for release, backend, serial in [  # releases before 25.03 and 25.07 send no serial
            ("26.04", "rest", True),
            ("25.11", "rest", True),
            ("25.05.1", "graphql", True),
            ("25.03", "graphql", True),
            ("24.09", "graphql", False),
            ("22.08", "graphql", False),
            ("21.09", "graphql", False),
        ]
    ),
    Case(**ELPHAPEX, model="DG Home 1", version="DG-Home1_V1.0.5"),
    Case(**ELPHAPEX, model="DG1+", version="DG1+_SW_V1.0.2"),
    Case(**EPIC, make="Bitmain", model="S19j Pro", control_board="AMLogic A113D", backend="powerplay", controls=EPIC_TUNED),
    Case(**EPIC, make="Bitmain", model="S21", control_board="AMLogic A113D", backend="powerplay", controls=EPIC_TUNED),
    Case(**EPIC, make="MicroBT", model="M30S++", control_board="Allwinner H6", backend="powerplay", controls=EPIC_TUNED - {C.POWER_LIMIT}, bounds=None),
    Case(**HAMMER, model="D10"),
    Case(**SEAL, model="A2"),
    Case(**INNO, model="T3H+"),
    Case(**GOLDSHELL, model="KD5", version="2.2.0"),
    Case(**GOLDSHELL, model="Mini DOGE", version="2.2.3"),
    Case(**ICERIVER, model="AL3"),
    Case(**ICERIVER, model="KS5L"),
    Case(**HIVEON, model="S19j Pro", controls=frozenset({C.FAULT_LIGHT, C.REBOOT})),
    Case(**HIVEON, model="S19", controls=frozenset({C.FAULT_LIGHT, C.REBOOT})),
    Case(**MSKMINER, model="S19-88", version="2.6.0.39"),
    Case(**MARAFW, model="KS5 Pro", version="MaraFW rel 3.14_584"),
    Case(**LUXOS, model="S19 XP", control_board="xilinx"),
    Case(**LUXOS, model="S21", control_board="amlogic"),
    Case(**VNISH, model="S19", control_board="Xilinx", backend="v1_2", version="1.2.6"),
    Case(**VNISH, model="S19j Pro", control_board="Amlogic", backend="v1_2", version="1.2.7"),
    Case(**VNISH_1_3, model="S21", control_board="CVITEK", backend="v1_3", version="1.3.4"),
    Case(**VNISH_1_3, model="S19", control_board="Xilinx", state={"release": "1.3.4"}, backend="v1_3", version="1.3.4"),
    Case(**VNISH, model="S21", control_board="CVITEK", state={"release": "1.2.6-rc4"}, backend="v1_2", version="1.2.6-rc4"),
    # API 1.x: no light state, no air temperature, no power range, one fixed wattage.
    Case(**WHATSMINER | {"environment": False, "control_board": None}, model="M20S", api="1.4.0", serial=False, hostname=False, backend="api_v1", cut=RPC_CUT, controls=WHATSMINER_ALL - {C.POWER_LIMIT}, light=False, bounds=None, expected_chips=False),
    Case(**WHATSMINER, model="M30S+", api="2.0.5", backend="api_v2", cut=RPC_CUT, controls=WHATSMINER_ALL, light_first_poll=False),
    Case(**WHATSMINER, model="M60S", api="3.0.2", backend="api_v3", controls=WHATSMINER_ALL),
    Case(**WHATSMINER, model="M60S", api="3.0.2", state={"rpc_4028": False}, backend="api_v3", controls=WHATSMINER_ALL),
]  # fmt: skip
# Makes the simulator runs only so identification can name them (tests/driver/test_unsupported.py).
UNSUPPORTED = {("proto", "Rig")}


def by_case(test: Callable[..., Any]) -> Callable[..., Any]:
    """Parametrise ``test`` over every case, a known gap of the case marked as such."""
    params = [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(strict=True, reason=case.gaps[test.__name__])]
            if test.__name__ in case.gaps
            else [],
        )
        for case in CASES
    ]
    return pytest.mark.parametrize("case", params)(test)


async def _start(simulate: SimFactory, case: Case, **state: Any) -> SimMiner:
    return await simulate(case.family, case.model, **case.state, **state)


async def _connect(
    session: aiohttp.ClientSession, sim: SimMiner, credentials: Credentials | None = None
) -> Miner:
    return await Miner.connect(sim.host, session, ports=DRIVER_PORTS, credentials=credentials)


def _state_of(sim: SimMiner) -> tuple[Any, ...]:
    """Everything a control can change on the simulated miner."""
    s = sim.state
    pools = [(p.url, p.user, p.password) for p in s.pools]
    return (
        s.mining,
        s.fault_light,
        s.power_limit,
        s.work_mode,
        s.reboots,
        s.backend_restarts,
        pools,
    )


def test_table_covers_every_simulated_model() -> None:
    """A family or model added to the simulator must get a row here."""
    simulated = {(name, model) for name, sim in load_all().items() for model in sim.models}
    assert {(c.family, c.model) for c in CASES} | UNSUPPORTED == simulated
    assert len({c.id for c in CASES}) == len(CASES)


# -- identification and reading ------------------------------------------------------


def assert_reads_state(
    case: Case, snap: MinerSnapshot, sim: SimMiner, *, first_poll: bool = False
) -> None:
    """The snapshot says what the simulator's state says, and None where the firmware
    does not report a figure (or not yet, on a handle's first poll)."""
    state, spec, want = sim.state, sim.state.spec, case.physics(sim)
    assert snap.mining is state.mining
    assert snap.hashrate == pytest.approx(want.hashrate, rel=1e-3, abs=1e-6)
    if case.expected:
        assert snap.expected_hashrate == pytest.approx(want.expected_hashrate, rel=1e-3)
    else:
        assert snap.expected_hashrate is None
    assert snap.power == (pytest.approx(want.power, abs=0.5) if case.power else None)
    # Reported, or set by us (a hashrate tuner sets watts the firmware may not report).
    if case.power_limit or (state.power_limit is not None and snap.hashrate_target is None):
        assert snap.power_limit == state.effective_power_limit
    else:
        assert snap.power_limit is None
    assert len(snap.boards) == spec.boards
    assert [b.hashrate for b in snap.boards] == pytest.approx(want.boards, abs=1e-3)
    expected_chips = spec.chips_per_board if case.expected_chips else None
    assert [b.expected_chips for b in snap.boards] == [expected_chips] * spec.boards
    chips = spec.chips_per_board if case.chips else None
    assert [b.chips for b in snap.boards] == [chips] * spec.boards
    boards = sorted(snap.boards, key=lambda b: b.index)
    _temperatures(
        case.chip_temps,
        [b.chip_temperature for b in boards],
        [state.chip_temperature(b.index) for b in boards],
    )
    _temperatures(
        case.board_temps,
        [b.board_temperature for b in boards],
        [state.board_temperature(b.index) for b in boards],
    )
    per_board = [b.expected_hashrate for b in boards if b.expected_hashrate is not None]
    if per_board:  # where boards report theirs, they add up to the miner's
        assert sum(per_board) == pytest.approx(want.expected_hashrate, rel=1e-3)
    # bosminer's lists hold empty slots: its parsers drop stopped fans (immersion's too).
    spinning = [r for r in want.fans if r]
    assert [f.rpm for f in snap.fans if not f.psu] in (want.fans, spinning)
    indexes = [f.index for f in snap.fans if not f.psu]
    assert indexes == list(range(spec.fans if indexes or want.fans == spinning else 0))
    assert [(p.url, p.user) for p in snap.pools] == [(p.url, p.user) for p in state.pools]
    assert not any(p.active for p in snap.pools[1:])
    if state.hashing:
        assert all(b.active is True for b in boards)
        assert snap.pools[0].active is True
        assert all(p.alive is not False for p in snap.pools)  # every simulated pool is up
    else:  # paused on purpose: not a fault
        assert all(b.active is not False for b in boards)
    if snap.power and snap.hashrate:
        assert snap.efficiency == pytest.approx(snap.power / snap.hashrate, abs=0.01)
    assert snap.errors == (() if case.errors else None)
    light = case.light and (case.light_first_poll or not first_poll)
    assert snap.fault_light is (state.fault_light if light else None)
    env = state.environment_temperature if case.environment else None
    assert snap.environment_temperature == (
        pytest.approx(env, abs=0.5) if case.environment else None
    )
    assert snap.uptime is not None
    assert abs(snap.uptime - state.uptime) <= 60  # some firmware counts whole minutes
    assert snap.controls == case.controls


@by_case
async def test_identify_and_read(
    simulate: SimFactory, session: aiohttp.ClientSession, case: Case
) -> None:
    sim = await _start(simulate, case)
    miner = await _connect(session, sim)
    ident = miner.identity
    assert (ident.family, ident.make, ident.model, ident.firmware, ident.backend) == (
        case.family,
        case.make,
        case.model,
        case.firmware,
        case.backend,
    )
    assert ident.firmware_version == (case.version or sim.state.firmware_version)
    assert ident.mac == (sim.state.mac if case.mac else None)
    assert ident.serial == (sim.state.serial if case.serial else None)
    assert ident.hostname == (sim.state.hostname if case.hostname else None)
    assert (ident.api_version, ident.control_board) == (case.api, case.control_board)
    assert ident.supported
    # Before the first poll the backend's controls; some are known only from a reply.
    assert miner.controls >= case.controls

    snap = await miner.read()
    assert snap.identity == ident
    assert_reads_state(case, snap, sim, first_poll=True)
    assert miner.controls == case.controls
    bounds = snap.power_limit_range
    if case.bounds is None:
        assert bounds is None
    else:
        assert bounds is not None
        assert miner.power_limit_range() == bounds
        if case.bounds == "model":
            assert (bounds.minimum, bounds.maximum) == (
                sim.state.spec.min_power,
                sim.state.spec.max_power,
            )
        else:  # presets or profiles: the only wattages the miner runs at
            assert bounds.levels
            assert (bounds.minimum, bounds.maximum) == (bounds.levels[0], bounds.levels[-1])
            assert snap.power_limit in bounds.levels
    if C.WORK_MODE in case.controls:
        assert snap.work_mode in snap.work_modes
    else:
        assert snap.work_modes == ()

    stored = Miner.from_identity(sim.host, session, ident, ports=DRIVER_PORTS)
    assert_reads_state(case, await stored.read(), sim, first_poll=True)  # reads alike


# -- controls ------------------------------------------------------------------------


async def _settle(case: Case, sim: SimMiner) -> None:
    """Let a control scheduled on the miner's clock take effect (Avalon soft off/on)."""
    if case.scheduled:
        sim.state.clock = time.time() + 60


async def _mining(case: Case, miner: Miner, sim: SimMiner) -> None:
    await miner.set_mining(False)
    await _settle(case, sim)
    snap = await miner.read()
    assert sim.state.mining is False
    assert snap.mining is False
    if case.reads_paused:
        assert_reads_state(case, snap, sim)
    else:  # the firmware stops its miner's API with mining: paused hashes 0, no power
        assert (snap.hashrate, snap.power) == (0.0, None)
    sim.state.clock = None
    await miner.set_mining(True)
    await _settle(case, sim)
    snap = await miner.read()
    assert sim.state.mining is True
    assert snap.mining is True
    assert snap.hashrate == pytest.approx(case.physics(sim).hashrate, rel=1e-3)
    sim.state.clock = None


async def _fault_light(case: Case, miner: Miner, sim: SimMiner) -> None:
    for on in (True, False):
        await miner.set_fault_light(on)
        assert sim.state.fault_light is on
        snap = await miner.read()
        assert snap.fault_light is (on if case.light else None)
        assert_reads_state(case, snap, sim)


async def _work_mode(case: Case, miner: Miner, sim: SimMiner) -> None:
    before = await miner.read()
    assert before.work_mode is not None
    target = next(m for m in before.work_modes if m != before.work_mode)
    setting = (sim.state.work_mode, sim.state.power_limit)
    await miner.set_work_mode(target)
    assert (sim.state.work_mode, sim.state.power_limit) != setting
    snap = await miner.read()
    assert snap.work_mode == target
    assert_reads_state(case, snap, sim)
    with pytest.raises(MinerValueError):
        await miner.set_work_mode("no such mode")
    await miner.set_work_mode(before.work_mode)
    assert (await miner.read()).work_mode == before.work_mode


async def _power_limit(case: Case, miner: Miner, sim: SimMiner) -> None:
    bounds = (await miner.read()).power_limit_range
    assert bounds is not None
    target = (
        bounds.levels[0]
        if bounds.levels
        else bounds.minimum + (bounds.maximum - bounds.minimum) // 3
    )
    await miner.set_power_limit(target)
    if sim.state.rebooting:  # btminer API 2 reboots to apply a limit
        sim.state.reboot_until = 0.0
    assert sim.state.effective_power_limit == target
    snap = await miner.read()
    assert snap.power_limit == target
    assert_reads_state(case, snap, sim)
    with pytest.raises(MinerValueError):
        await miner.set_power_limit(bounds.maximum + 1)  # refused before it is sent
    assert sim.state.effective_power_limit == target


async def _throttle(case: Case, miner: Miner, sim: SimMiner) -> None:
    before = await miner.read()
    assert before.throttle == 100
    assert before.power is not None
    assert before.hashrate is not None
    await miner.set_throttle(50)
    assert sim.state.throttle == 50
    snap = await miner.read()
    assert snap.throttle == 50
    assert snap.power is not None
    assert snap.power < before.power  # applied live
    assert snap.hashrate is not None
    assert snap.hashrate < before.hashrate
    assert_reads_state(case, snap, sim)
    for outside in (19, 101):
        with pytest.raises(MinerValueError):
            await miner.set_throttle(outside)  # refused before it is sent
    assert sim.state.throttle == 50
    await miner.set_throttle(100)
    assert (await miner.read()).throttle == 100


async def _hashrate_target(case: Case, miner: Miner, sim: SimMiner) -> None:
    bounds = (await miner.read()).hashrate_target_range
    assert bounds is not None
    low, high = bounds
    target = float(round(low + (high - low) / 3))
    await miner.set_hashrate_target(target)
    snap = await miner.read()
    assert snap.hashrate_target == pytest.approx(target)
    assert sim.state.hashrate == pytest.approx(target, rel=0.02)  # applied live
    assert_reads_state(case, snap, sim)
    with pytest.raises(MinerValueError):
        await miner.set_hashrate_target(high + 1)  # refused before it is sent
    assert (await miner.read()).hashrate_target == pytest.approx(target)


async def _restart_backend(case: Case, miner: Miner, sim: SimMiner) -> None:
    restarts = sim.state.backend_restarts
    await miner.restart_backend()
    assert sim.state.backend_restarts == restarts + 1
    assert (await miner.read()).mining is True


async def _reboot(case: Case, miner: Miner, sim: SimMiner) -> None:
    reboots = sim.state.reboots
    await miner.reboot()
    assert sim.state.reboots == reboots + 1
    with pytest.raises(MinerConnectionError):
        await miner.read()
    sim.state.reboot_until = 0.0  # back up
    assert_reads_state(case, await miner.read(), sim)


async def _cooling(miner: Miner) -> Cooling:
    cooling = (await miner.read()).cooling
    assert cooling is not None
    return cooling


async def _fan_mode(case: Case, miner: Miner, sim: SimMiner) -> None:
    before = await _cooling(miner)
    assert before.mode is not None
    for mode in (*(m for m in before.modes if m != before.mode), before.mode):
        await miner.set_fan_mode(mode)
        assert (await _cooling(miner)).mode == mode
        assert sim.state.fan_mode == mode
        assert_reads_state(case, await miner.read(), sim)
    with pytest.raises(MinerValueError):
        await miner.set_fan_mode("no such mode")


async def _fan_speed(case: Case, miner: Miner, sim: SimMiner) -> None:
    before = await _cooling(miner)
    assert before.speed_range is not None
    floor, ceiling = before.speed_range
    assert floor >= MIN_AIR_FAN_PERCENT or before.mode == FanMode.IMMERSION
    target = floor + (ceiling - floor) // 2
    await miner.set_fan_speed(target)
    snap = await miner.read()
    assert snap.cooling is not None
    # Where the firmware does not say its mode (Avalon), the mode stays unknown.
    manual = FanMode.MANUAL if C.FAN_MODE in case.controls else None
    assert (snap.cooling.mode, snap.cooling.speed) == (manual, target)
    assert (snap.cooling.modes, snap.cooling.speed_range) == (before.modes, before.speed_range)
    assert sim.state.fan_speed == target
    assert [f.percent for f in snap.fans][:1] in ([target], [None])
    assert_reads_state(case, snap, sim)
    with pytest.raises(MinerValueError):
        await miner.set_fan_speed(floor - 1)  # below the floor: refused before it is sent
    assert sim.state.fan_speed == target
    if before.mode is not None:
        await miner.set_fan_mode(before.mode)


async def _temperature_target(case: Case, miner: Miner, sim: SimMiner) -> None:
    before = await _cooling(miner)
    assert before.target_range is not None
    low, high = before.target_range
    target = round((low + high) / 2)
    await miner.set_temperature_target(target)
    assert (await _cooling(miner)).target_temperature == target
    assert sim.state.temperature_target == target
    with pytest.raises(MinerValueError):
        await miner.set_temperature_target(high + 1)
    assert sim.state.temperature_target == target


# In this order: the reboot ends the round trip.
ROUND_TRIPS: dict[Control, Callable[[Case, Miner, SimMiner], Coroutine[Any, Any, None]]] = {
    C.FAULT_LIGHT: _fault_light,
    C.WORK_MODE: _work_mode,
    C.POWER_LIMIT: _power_limit,
    C.THROTTLE: _throttle,
    C.HASHRATE_TARGET: _hashrate_target,
    C.FAN_MODE: _fan_mode,
    C.FAN_SPEED: _fan_speed,
    C.TEMPERATURE_TARGET: _temperature_target,
    C.MINING: _mining,
    C.RESTART_BACKEND: _restart_backend,
    C.REBOOT: _reboot,
}


@by_case
async def test_controls_round_trip(
    simulate: SimFactory, session: aiohttp.ClientSession, case: Case
) -> None:
    sim = await _start(simulate, case)
    miner = await _connect(session, sim)
    pools = [(p.url, p.user, p.password) for p in sim.state.pools]
    await miner.read()
    for control, round_trip in ROUND_TRIPS.items():
        if control in case.controls:
            await round_trip(case, miner, sim)
    # No control rewrites the pools (some firmware saves its whole configuration).
    assert [(p.url, p.user, p.password) for p in sim.state.pools] == pools


def _attempt(miner: Miner, control: Control) -> Coroutine[Any, Any, None]:
    return {
        C.MINING: lambda: miner.set_mining(False),
        C.FAULT_LIGHT: lambda: miner.set_fault_light(True),
        C.POWER_LIMIT: lambda: miner.set_power_limit(1000),
        C.WORK_MODE: lambda: miner.set_work_mode("low"),
        C.REBOOT: miner.reboot,
        C.RESTART_BACKEND: miner.restart_backend,
    }[control]()


@by_case
async def test_missing_controls_are_refused(
    simulate: SimFactory, session: aiohttp.ClientSession, case: Case
) -> None:
    sim = await _start(simulate, case)
    miner = await _connect(session, sim)
    await miner.read()
    before = _state_of(sim)
    for control in FULL - case.controls:
        assert not miner.supports(control)
        with pytest.raises(MinerUnsupportedError):
            await _attempt(miner, control)
    assert _state_of(sim) == before  # nothing reached the firmware


# -- credentials ---------------------------------------------------------------------


async def _connect_and_check(session: aiohttp.ClientSession, sim: SimMiner) -> None:
    miner = await _connect(session, sim)
    await miner.check_credentials()


@by_case
async def test_wrong_password(
    simulate: SimFactory, session: aiohttp.ClientSession, case: Case
) -> None:
    sim = await _start(simulate, case, password="secret")
    if not case.login:  # nothing to log in to: no password can be wrong
        miner = await _connect(session, sim, Credentials(password="wrong"))
        await miner.check_credentials()
        assert (await miner.read()).mining is True
        return
    with pytest.raises(MinerAuthenticationError) as err:  # at identification or the check
        await _connect_and_check(session, sim)
    assert "secret" not in str(err.value)
    miner = await _connect(session, sim, Credentials(sim.state.username, "secret"))
    await miner.check_credentials()
    assert_reads_state(case, await miner.read(), sim, first_poll=True)


# -- faults --------------------------------------------------------------------------


FAULTS: dict[FaultKind, type[MinerError] | None] = {
    FaultKind.DELAY: MinerTimeoutError,
    FaultKind.SILENCE: MinerTimeoutError,
    FaultKind.RESET: MinerConnectionError,
    FaultKind.TRUNCATE: None,  # the case's ``cut``
    FaultKind.MALFORMED: MinerResponseError,
}


@pytest.mark.parametrize("kind", list(FAULTS), ids=[str(k) for k in FAULTS])
@by_case
async def test_fault_then_recovery(
    simulate: SimFactory, session: aiohttp.ClientSession, case: Case, kind: FaultKind
) -> None:
    sim = await _start(simulate, case)
    identity = (await _connect(session, sim)).identity
    miner = Miner.from_identity(
        sim.host, session, identity, ports=DRIVER_PORTS, timeout=FAULT_SECONDS
    )
    await miner.read()  # sessions, tokens and capabilities in place
    sim.state.fault = Fault(kind, 4 * FAULT_SECONDS if kind is FaultKind.DELAY else 0.0)
    started = time.monotonic()
    with pytest.raises(FAULTS[kind] or case.cut):
        await miner.read()
    assert time.monotonic() - started < 6 * FAULT_SECONDS  # within the poll's deadline
    sim.state.fault = None
    miner.ctx.timeout = RECOVERY_SECONDS  # the recovery, not the machine's load, is tested
    assert_reads_state(case, await miner.read(), sim)
