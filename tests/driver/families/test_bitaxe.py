"""Bitaxe family (AxeOS / ESP-Miner, NerdQAxe firmware) against the simulator.

The Gamma runs AxeOS 2.14 (pause, presets), the Gamma Turbo 2.12 (presets, two chips),
the Supra 2.4.5 (info only) and the NerdQAxe++ the NerdQAxe firmware (four chips, two
fans, presets, no pause).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any, NamedTuple

import aiohttp
import pytest

from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerError,
    MinerNotIdentifiedError,
    MinerResponseError,
    MinerTimeoutError,
    MinerUnsupportedError,
    MinerValueError,
)
from custom_components.asic_miner.driver.families._probes import RPC_VERSION, WEB_ROOT
from custom_components.asic_miner.driver.families.bitaxe import FAMILY
from custom_components.asic_miner.driver.families.bitaxe.parse import (
    format_frequency,
    make_and_model,
    pool_url,
)
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Control, MinerErrorEntry, MinerSnapshot
from custom_components.asic_miner.driver.transports.http import HttpClient, HttpReply
from simulator.families.bitaxe import RELEASES, BitaxeSim
from simulator.faults import Fault, FaultKind
from tests.driver.conftest import DRIVER_PORTS, SimFactory


class Case(NamedTuple):
    model: str
    make: str
    backend: str
    version: str
    controls: frozenset[Control]


FANS = frozenset({Control.FAN_MODE, Control.FAN_SPEED})
FANS_TARGET = FANS | {Control.TEMPERATURE_TARGET}
CASES = [
    Case(
        "Gamma",
        "Bitaxe",
        "v2_14",
        "2.14.2",
        frozenset({Control.REBOOT, Control.WORK_MODE, Control.MINING, Control.POOLS}) | FANS_TARGET,
    ),
    Case(
        "Gamma Turbo",
        "Bitaxe",
        "v2_7",
        "2.12.0",
        frozenset({Control.REBOOT, Control.WORK_MODE, Control.POOLS}) | FANS_TARGET,
    ),
    Case("Supra", "Bitaxe", "v2_0", "2.4.5", frozenset({Control.REBOOT, Control.POOLS}) | FANS),
    Case(
        "NerdQAxe++",
        "NerdAxe",
        "v2_7",
        "2.2.2",
        frozenset({Control.REBOOT, Control.WORK_MODE, Control.POOLS}),
    ),
]
by_case = pytest.mark.parametrize("case", CASES, ids=[c.model for c in CASES])
PRESET_MODELS = [c.model for c in CASES if Control.WORK_MODE in c.controls]


async def _connect(session: aiohttp.ClientSession, host: str) -> Miner:
    return await Miner.connect(host, session, ports=DRIVER_PORTS)


async def _start(simulate: SimFactory, model: str, **state: Any) -> BitaxeSim:
    sim = await simulate("bitaxe", model, **state)
    assert isinstance(sim, BitaxeSim)
    sim.state.clock = time.time()  # frozen: uptime and share counters are exact
    return sim


def _positive_max(values: list[float]) -> float | None:
    kept = [v for v in values if v > 0]
    return max(kept) if kept else None


def assert_matches(snap: MinerSnapshot, sim: BitaxeSim) -> None:
    """Every figure of the snapshot is the simulator's, in the driver's units."""
    state = sim.state
    assert snap.hashrate == pytest.approx(sim.hashrate_ghs() / 1000)
    assert snap.expected_hashrate == pytest.approx(sim.expected_ghs() / 1000)
    assert snap.power == pytest.approx(sim.power_w())
    assert snap.power_limit is None
    assert snap.power_limit_range is None
    (board,) = snap.boards
    assert board.hashrate == snap.hashrate
    assert board.expected_hashrate == snap.expected_hashrate
    assert board.chip_temperature == _positive_max(sim.chip_temps())
    assert board.board_temperature == sim.vr_temp()
    assert board.chips is None  # the firmware reports its configured count only
    assert board.expected_chips == sim.chips
    assert board.frequency == sim.frequency
    assert board.voltage == pytest.approx(sim.core_voltage_actual() / 1000)
    # Paused on purpose the board is idle, not failing: active is unknown then.
    assert board.active is (True if state.hashing else None if not state.mining else False)
    assert [f.rpm for f in snap.fans] == sim.fan_rpms()
    assert [f.percent for f in snap.fans] == [sim.fan_percent()] * len(sim.fan_rpms())
    accepted, rejected = sim.shares()
    assert [(p.url, p.user) for p in snap.pools] == [(p.url, p.user) for p in state.pools]
    assert [p.active for p in snap.pools] == [True, False]
    assert [(p.accepted, p.rejected) for p in snap.pools] == [(accepted, rejected), (None, None)]
    assert snap.uptime == state.uptime
    assert snap.errors == ()
    assert snap.energy is None
    assert snap.environment_temperature is None


# -- pure functions ------------------------------------------------------------------


def _page(html: str, status: int = 200) -> dict[str, HttpReply]:
    return {WEB_ROOT.key: HttpReply(status, {}, html.encode())}


def test_fingerprints() -> None:
    assert FAMILY.matches(_page("<title>AxeOS</title>"))
    assert FAMILY.matches(_page("<title>Nerd* Dashboard</title>"))
    assert FAMILY.matches(_page("<title>Lucky miner</title>"))
    assert not FAMILY.matches(_page("<title>Antminer</title>"))
    assert not FAMILY.matches(_page("<title>Braiins OS</title>"))
    assert not FAMILY.matches(_page("<title>AxeOS</title>", status=401))
    assert not FAMILY.matches(_page("Redirect to the captive portal", status=302))
    # An RPC reply that mentions AxeOS is no web page.
    assert not FAMILY.matches({RPC_VERSION.key: '{"VERSION":[{"Type":"AxeOS"}]}'})
    assert not FAMILY.matches({})


@pytest.mark.parametrize(
    ("info", "asic", "page", "expected"),
    [
        ({"ASICModel": "BM1370"}, {"deviceModel": "GammaTurbo"}, "", ("Bitaxe", "Gamma Turbo")),
        ({"ASICModel": "BM1368", "boardVersion": "401"}, None, "", ("Bitaxe", "Supra")),
        ({"ASICModel": "BM1370", "boardVersion": "801"}, None, "", ("Bitaxe", "Gamma Turbo")),
        ({"ASICModel": "BM1397", "boardVersion": "2.2"}, None, "", ("Bitaxe", "Max")),
        ({"ASICModel": "BM1366", "boardVersion": "0.11"}, None, "", ("Bitaxe", "Ultra")),
        ({"ASICModel": "BM1370", "boardVersion": "Unknown"}, None, "", ("Bitaxe", "Gamma")),
        ({"ASICModel": "BM9999"}, None, "", ("Bitaxe", "Unknown")),
        ({"deviceModel": "NerdQAxe++"}, None, "NERD* DASHBOARD", ("NerdAxe", "NerdQAxe++")),
        ({"deviceModel": "NerdAxe"}, None, "AXEOS", ("NerdAxe", "NerdAxe")),
        ({"minerModel": "LV07", "ASICModel": "BM1366"}, None, "", ("LuckyMiner", "LV07")),
    ],
)
def testmake_and_model(
    info: dict[str, Any], asic: dict[str, Any] | None, page: str, expected: tuple[str, str]
) -> None:
    assert make_and_model(info, asic, page) == expected


def test_names() -> None:
    assert format_frequency(525.0) == "525 MHz"
    assert format_frequency(537.5) == "537.5 MHz"
    assert pool_url("public-pool.io", 21496, 0) == "stratum+tcp://public-pool.io:21496"
    assert pool_url("pool.example", "4333", True) == "stratum+ssl://pool.example:4333"
    assert pool_url("stratum+tcp://a.example:3333", 3333, 0) == "stratum+tcp://a.example:3333"
    assert pool_url("", 3333, 0) is None


# -- identification and reading ------------------------------------------------------


@by_case
async def test_read_follows_axeos_physics(
    simulate: SimFactory, session: aiohttp.ClientSession, case: Case
) -> None:
    """Every figure in the driver's units, from AxeOS' own (frequency and chips) physics;
    identification and controls are the contract test's."""
    sim = await _start(simulate, case.model)
    miner = await _connect(session, sim.host)
    assert miner.identity.control_board == sim.device.board_version
    snap = await miner.read()
    assert miner.controls == case.controls  # the fan controls as the first poll showed
    assert_matches(snap, sim)
    # Without a state field a positive hashrate still says it mines (shared semantics).
    assert snap.mining is True


@pytest.mark.parametrize("model", PRESET_MODELS)
async def test_presets_are_the_miners(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    snap = await miner.read()
    assert snap.work_modes == tuple(f"{f} MHz" for f in sim.device.frequency_options)
    assert snap.work_mode == f"{sim.device.default_frequency} MHz"


async def test_legacy_release_has_no_presets(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """AxeOS 2.4.5 answers /api/system/asic with a redirect: no presets, no work mode."""
    sim = await _start(simulate, "Supra")
    miner = await _connect(session, sim.host)
    snap = await miner.read()
    assert snap.work_modes == ()
    assert snap.work_mode is None
    with pytest.raises(MinerUnsupportedError):
        await miner.set_work_mode("490 MHz")
    with pytest.raises(MinerUnsupportedError):
        await miner.set_mining(False)
    assert sim.patches == []


@pytest.mark.parametrize(
    ("release", "backend"), [("2.4.5", "v2_0"), ("2.8.0", "v2_7"), ("2.12.0", "v2_7")]
)
async def test_release_picks_backend(
    simulate: SimFactory, session: aiohttp.ClientSession, release: str, backend: str
) -> None:
    """The backend follows what the miner serves; 2.8 still has asicCount in info and no
    expected hashrate, which then comes from frequency * small cores * chips."""
    sim = await _start(simulate, "Gamma", release=release)
    miner = await _connect(session, sim.host)
    assert miner.identity.backend == backend
    assert miner.identity.firmware_version == release
    # Before 2.9 the model comes from the board revision, not from deviceModel.
    assert miner.identity.model == "Gamma"
    snap = await miner.read()
    assert_matches(snap, sim)
    assert snap.mining is True  # no state field before 2.14: from the hashrate
    if backend == "v2_7":
        assert snap.work_modes == tuple(f"{f} MHz" for f in sim.device.frequency_options)


@by_case
async def test_poll_is_one_or_two_gets(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
    case: Case,
) -> None:
    """A poll asks for info, and for the chip's presets where the release serves them."""
    sim = await _start(simulate, case.model)
    miner = await _connect(session, sim.host)
    sent: list[tuple[str, str]] = []
    request = HttpClient.request

    async def counted(self: HttpClient, method: str, path: str, **kwargs: Any) -> HttpReply:
        sent.append((method, path))
        return await request(self, method, path, **kwargs)

    monkeypatch.setattr(HttpClient, "request", counted)
    await miner.read()
    expected = [("GET", "/api/system/info")]
    if case.backend != "v2_0":
        expected.append(("GET", "/api/system/asic"))
    assert sorted(sent) == sorted(expected)


async def test_missing_mac(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    """Some builds send no MAC: identification and reading still work, on the hostname."""
    sim = await _start(simulate, "Gamma", mac="")
    miner = await _connect(session, sim.host)
    assert miner.identity.mac is None
    assert miner.identity.hostname == sim.state.hostname
    assert miner.identity.model == "Gamma"
    assert_matches(await miner.read(), sim)


async def test_from_stored_identity(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await _start(simulate, "NerdQAxe++")
    identity = (await _connect(session, sim.host)).identity
    miner = Miner.from_identity(sim.host, session, identity, ports=DRIVER_PORTS)
    snap = await miner.read()
    assert snap.identity == identity
    assert_matches(snap, sim)


@pytest.mark.parametrize(
    ("model", "errors", "expected"),
    [
        (
            "Gamma",
            [("power_fault", "Vcore undervoltage")],
            (MinerErrorEntry("Vcore undervoltage", "power_fault"),),
        ),
        (
            "Gamma",
            [("hardware_fault", "ASIC not detected")],
            (MinerErrorEntry("ASIC not detected", "hardware_fault"),),
        ),
        (
            "Supra",
            [("overheat", "")],
            (
                MinerErrorEntry(
                    "Overheat protection: the chip is stopped to cool down", "overheat_mode"
                ),
            ),
        ),
    ],
)
async def test_errors(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    model: str,
    errors: list[tuple[str, str]],
    expected: tuple[MinerErrorEntry, ...],
) -> None:
    sim = await _start(simulate, model, errors=errors)
    miner = await _connect(session, sim.host)
    assert (await miner.read()).errors == expected


# -- controls -----------------------------------------------------------------------


@pytest.mark.parametrize("model", PRESET_MODELS)
async def test_work_mode_round_trip(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    pools_before = [(p.url, p.user, p.password) for p in sim.state.pools]
    voltage_before = sim.core_voltage
    before = await miner.read()
    target = sim.device.frequency_options[0]  # the lowest preset: a visible change

    await miner.set_work_mode(f"{target} MHz")
    assert sim.frequency == target
    # Only the frequency is sent, as a whole number: never pools, never the voltage.
    assert sim.patches == [{"frequency": target}]
    assert isinstance(sim.patches[0]["frequency"], int)
    assert sim.core_voltage == voltage_before
    assert [(p.url, p.user, p.password) for p in sim.state.pools] == pools_before
    snap = await miner.read()
    assert snap.work_mode == f"{target} MHz"
    assert_matches(snap, sim)
    assert snap.hashrate is not None
    assert before.hashrate is not None
    assert snap.hashrate < before.hashrate

    default = f"{sim.device.default_frequency} MHz"
    await miner.set_work_mode(default)
    assert (await miner.read()).work_mode == default

    with pytest.raises(MinerValueError):
        await miner.set_work_mode("999 MHz")  # not one of the miner's presets
    with pytest.raises(MinerValueError):
        await miner.set_work_mode("normal")
    assert len(sim.patches) == 2


async def test_work_mode_not_applied_is_an_error(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """The NerdQAxe firmware ignores a non-integer frequency and still answers 200."""
    sim = await _start(simulate, "NerdQAxe++")
    miner = await _connect(session, sim.host)
    before = sim.frequency
    # A preset that is not a whole number, which this firmware cannot store.
    sim.device = replace(sim.device, frequency_options=(*sim.device.frequency_options, 512.5))
    with pytest.raises(MinerResponseError):
        await miner.set_work_mode("512.5 MHz")
    assert sim.patches == [{"frequency": 512.5}]
    assert sim.frequency == before


async def test_frequency_outside_presets(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """An owner's custom frequency is reported, but not offered."""
    sim = await _start(simulate, "Gamma", work_mode="575")
    miner = await _connect(session, sim.host)
    snap = await miner.read()
    assert snap.work_mode == "575 MHz"
    assert "575 MHz" not in snap.work_modes
    assert_matches(snap, sim)


async def test_pause_and_resume(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await _start(simulate, "Gamma")
    miner = await _connect(session, sim.host)

    await miner.set_mining(False)
    assert sim.state.mining is False
    snap = await miner.read()
    assert snap.mining is False
    assert snap.hashrate == 0
    assert snap.power == pytest.approx(sim.power_w())
    assert snap.boards[0].chip_temperature is None  # a powered-down chip reads -1
    assert snap.boards[0].voltage == 0
    assert snap.boards[0].active is None  # paused on purpose: not a fault
    assert snap.work_mode == f"{sim.device.default_frequency} MHz"
    assert_matches(snap, sim)

    await miner.set_mining(True)
    assert sim.state.mining is True
    snap = await miner.read()
    assert snap.mining is True
    assert_matches(snap, sim)
    assert sim.patches == []


@pytest.mark.parametrize("model", ["Gamma Turbo", "NerdQAxe++"])
async def test_no_pause_before_2_14(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    for call in (miner.set_mining(False), miner.set_fault_light(True), miner.set_power_limit(20)):
        with pytest.raises(MinerUnsupportedError):
            await call
    assert sim.state.mining is True


@pytest.mark.parametrize("model", [c.model for c in CASES])
async def test_reboot(simulate: SimFactory, session: aiohttp.ClientSession, model: str) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    if miner.supports(Control.MINING):
        await miner.set_mining(False)
    await miner.reboot()
    assert sim.state.reboots == 1
    with pytest.raises(MinerConnectionError):
        await miner.read()
    sim.state.clock = sim.state.reboot_until + 5  # back up five seconds later
    snap = await miner.read()
    assert snap.uptime == 5
    assert snap.hashrate is not None
    assert snap.hashrate > 0  # a pause does not survive
    assert_matches(snap, sim)


async def test_otp_protected_writes(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    """OTP on a NerdQAxe refuses writes: a refusal, not a wrong password to ask for."""
    sim = await _start(simulate, "NerdQAxe++", otp=True)
    miner = await _connect(session, sim.host)
    assert_matches(await miner.read(), sim)
    for call in (miner.set_work_mode("500 MHz"), miner.reboot()):
        with pytest.raises(MinerResponseError) as info:
            await call
        assert not isinstance(info.value, MinerAuthenticationError)
        assert "one-time-password" in str(info.value)
    assert sim.frequency == sim.device.default_frequency
    assert sim.state.reboots == 0


@pytest.mark.parametrize("model", ["Gamma", "Supra"])
async def test_client_outside_private_networks(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    """AxeOS answers 401 to clients it does not trust: no password can fix that."""
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    sim.refuse_clients = True
    with pytest.raises(MinerResponseError) as info:
        await miner.read()
    assert not isinstance(info.value, MinerAuthenticationError)
    with pytest.raises(MinerResponseError) as info:
        await miner.reboot()
    assert not isinstance(info.value, MinerAuthenticationError)
    with pytest.raises(MinerResponseError) as info:
        await _connect(session, sim.host)
    assert not isinstance(info.value, MinerAuthenticationError)
    assert sim.state.reboots == 0


# -- faults ---------------------------------------------------------------------------


FAULT_MODELS = ["Gamma", "Supra", "NerdQAxe++"]


@pytest.mark.parametrize("model", FAULT_MODELS)
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(FaultKind.RESET), MinerConnectionError),
        (Fault(FaultKind.SILENCE), MinerTimeoutError),
        (Fault(FaultKind.DELAY, 3), MinerTimeoutError),
        (Fault(FaultKind.TRUNCATE), MinerConnectionError),
        (Fault(FaultKind.MALFORMED), MinerResponseError),
    ],
    ids=["reset", "silence", "delay", "truncate", "malformed"],
)
async def test_faults(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    model: str,
    fault: Fault,
    error: type[MinerError],
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    miner.ctx.timeout = 0.5
    sim.state.fault = fault
    started = time.monotonic()
    with pytest.raises(error):
        await miner.read()
    presets = miner.supports(Control.WORK_MODE)
    control = (
        miner.set_work_mode(f"{sim.device.frequency_options[0]} MHz") if presets else miner.reboot()
    )
    with pytest.raises(error):
        await control
    assert time.monotonic() - started < 2.5
    assert sim.frequency == sim.device.default_frequency
    # A cut reply may come after the restart began; nothing else reaches the firmware.
    assert sim.state.reboots == (1 if fault.kind is FaultKind.TRUNCATE and not presets else 0)
    assert sim.patches == []

    sim.state.fault = None  # the miner recovers, and so does the handle
    if sim.state.rebooting:
        sim.state.clock = sim.state.reboot_until + 1
    assert_matches(await miner.read(), sim)


@pytest.mark.parametrize(
    "fault",
    [Fault(FaultKind.RESET), Fault(FaultKind.SILENCE), Fault(FaultKind.MALFORMED)],
    ids=["reset", "silence", "malformed"],
)
async def test_identify_faults(
    simulate: SimFactory, session: aiohttp.ClientSession, fault: Fault
) -> None:
    """A miner whose web server fails is no miner we know, said within the deadline."""
    sim = await _start(simulate, "Gamma", fault=fault)
    started = time.monotonic()
    with pytest.raises(MinerNotIdentifiedError):
        await Miner.connect(sim.host, session, ports=DRIVER_PORTS, identify_timeout=1.0)
    assert time.monotonic() - started < 2.5


def test_release_table() -> None:
    """The simulated releases the tests rely on exist."""
    assert {"2.4.5", "2.8.0", "2.12.0", "2.14.2"} <= set(RELEASES)
