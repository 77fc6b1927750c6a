"""ePIC PowerPlay against the simulator: identification, snapshot, controls, faults.

Three machines run PowerPlay: an S19j Pro whose release calls its power algorithm
"Power", an S21 whose release calls it "PowerTune", and a Whatsminer M30S++ whose
release offers no power tuning at all.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, NamedTuple

import aiohttp
import pytest

from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import Replies
from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
    MinerUnsupportedError,
    MinerValueError,
)
from custom_components.asic_miner.driver.families._probes import WEB_ROOT
from custom_components.asic_miner.driver.families.epic import API_PROBE, FAMILY
from custom_components.asic_miner.driver.families.epic.backends import PowerPlayBackend
from custom_components.asic_miner.driver.families.epic.parse import (
    CAPABILITIES,
    SUMMARY,
    _boards,
    _fans,
    _pools,
    error_entries,
    mining_from_state,
    parse_model,
    parse_software,
)
from custom_components.asic_miner.driver.identify import detect_family
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import (
    Credentials,
    MinerErrorEntry,
    Pool,
)
from custom_components.asic_miner.driver.registry import FAMILIES
from custom_components.asic_miner.driver.transports.http import HttpReply
from simulator.families.epic import EpicSim
from simulator.faults import Fault, FaultKind
from tests.driver.conftest import DRIVER_PORTS, SimFactory


class Machine(NamedTuple):
    model: str
    make: str
    power_algorithm: str | None


MACHINES = [
    Machine("S19j Pro", "Bitmain", "Power"),
    Machine("S21", "Bitmain", "PowerTune"),
    Machine("M30S++", "MicroBT", None),
]
MODELS = [m.model for m in MACHINES]
by_machine = pytest.mark.parametrize("machine", MACHINES, ids=MODELS)
UPTIME = 4321


async def _connect(session: aiohttp.ClientSession, host: str, **kwargs: Any) -> Miner:
    return await Miner.connect(host, session, ports=DRIVER_PORTS, **kwargs)


async def _start(simulate: SimFactory, model: str, **state: Any) -> EpicSim:
    sim = await simulate("epic", model, **state)
    assert isinstance(sim, EpicSim)
    sim.state.clock = sim.state.boot_time + UPTIME  # frozen: exact uptime and shares
    return sim


# -- pure functions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "subtype", "expected"),
    [
        ("AntMiner S19 XP", "BHB56801", ("Bitmain", "S19 XP")),
        ("Antminer S19J Pro", "BHB42801", ("Bitmain", "S19j Pro")),
        ("ANTMINER S21", None, ("Bitmain", "S21")),
        ("WhatsMiner M30S++", "VH40", ("MicroBT", "M30S++")),
        ("WhatsMiner M30S+_VE40", None, ("MicroBT", "M30S+")),
        ("BlockMiner 520i", None, ("ePIC", "BlockMiner 520i")),
        ("Antminer S19k Pro Dual", None, ("Bitmain", "S19k Pro Dual")),
        ("undefined", None, ("ePIC", "Unknown")),
        (None, None, ("ePIC", "Unknown")),
    ],
)
def test_parse_model(raw: str | None, subtype: str | None, expected: tuple[str, str]) -> None:
    assert parse_model(raw, subtype) == expected


@pytest.mark.parametrize(
    ("software", "version"),
    [("PowerPlay-BMS v1.5.13", "1.5.13"), ("PowerPlay v2.0", "2.0"), ("PowerPlay", None)],
)
def test_parse_software(software: str, version: str | None) -> None:
    assert parse_software(software) == version


def test_error_shapes() -> None:
    assert error_entries(None) == []
    assert error_entries("NoHashboardsConnected") == [
        MinerErrorEntry(message="NoHashboardsConnected")
    ]
    assert error_entries({"UartReadError": 3}) == [
        MinerErrorEntry(message="UartReadError: 3", code="UartReadError")
    ]
    assert error_entries({"HbChipDetectError": "chip detect failed on hashboards [2]"}) == [
        MinerErrorEntry(message="chip detect failed on hashboards [2]", code="HbChipDetectError")
    ]


@pytest.mark.parametrize(
    ("state", "mining"),
    [
        ("Mining", True),
        ("Initializing", True),
        ("AdjustingClockVoltage", True),
        ("Idling", False),
        ("Stopping", False),
        ("SoftRebooting", None),
        ("UpdatingFirmware", None),
        (None, None),
    ],
)
def test_operating_states(state: str | None, mining: bool | None) -> None:
    assert mining_from_state(state) is mining


def test_disabled_board_null_fans_and_pool_matching() -> None:
    """A board the firmware disabled stays listed, inactive; unused fan slots are null."""
    summary = {
        "HBStatus": [
            {"Index": 0, "Detected": True, "Enabled": False},
            {"Index": 1, "Detected": True, "Enabled": True},
            {"Index": 2, "Detected": True, "Enabled": True},
        ],
        "HBs": [
            {"Index": 1, "Hashrate": [40_000_000.0, 80.0], "Temperature": 61.5},
            {"Index": 2, "Hashrate": [42_000_000.0, 84.0], "Temperature": None},
        ],
        "Fans Rpm": {"Fans Speed 2": 0, "Fans Speed 1": 5900, "Fans Speed 3": None},
        "Stratum": {
            "Current Pool": "pool.example.net:3334",
            "Current User": "me.rig",
            "IsPoolConnected": True,
        },
        "Session": {"Accepted": 17, "Rejected": 1},
        "StratumConfigs": [
            {"pool": "stratum+tcp://other.example.net:3333", "login": "me.rig"},
            {"pool": "stratum+tcp://pool.example.net:3334", "login": "me.rig"},
        ],
    }
    capabilities = {
        "Board Serial Numbers": ["SER-A", "SER-B"],
        "Performance Estimator": {"Chip Count": 110},
    }
    replies = Replies({SUMMARY: summary, CAPABILITIES: capabilities})
    boards = _boards(replies)
    assert [(b.index, b.active, b.serial) for b in boards] == [
        (0, False, None),
        (1, True, "SER-A"),
        (2, True, "SER-B"),
    ]
    assert boards[0].hashrate is None
    assert boards[1].hashrate == pytest.approx(40.0)
    assert boards[1].expected_hashrate == pytest.approx(50.0)
    assert boards[1].board_temperature == 61.5
    assert boards[2].board_temperature is None
    assert {b.expected_chips for b in boards} == {110}
    assert [(f.index, f.rpm) for f in _fans(replies)] == [(0, 5900), (1, 0)]
    assert _pools(replies) == [
        Pool(0, "stratum+tcp://other.example.net:3333", "me.rig", None, False, None, None),
        Pool(1, "stratum+tcp://pool.example.net:3334", "me.rig", True, True, 17, 1),
    ]


def test_fingerprints() -> None:
    summary = {"Software": "PowerPlay-BMS v1.5.13", "Hostname": "rig"}
    dashboard = HttpReply(200, {}, b"<title>Miner Web Dashboard</title>")
    assert FAMILY.matches({API_PROBE.key: summary})
    assert FAMILY.matches({API_PROBE.key: {"result": False, "error": "not ready"}})
    assert FAMILY.matches({WEB_ROOT.key: dashboard})
    assert not FAMILY.matches({API_PROBE.key: None})
    assert not FAMILY.matches({API_PROBE.key: {"result": True}})
    assert not FAMILY.matches({WEB_ROOT.key: HttpReply(200, {}, b"<title>Antminer</title>")})


# -- identification and reading --------------------------------------------------------


@by_machine
async def test_read_details(
    simulate: SimFactory, session: aiohttp.ClientSession, machine: Machine
) -> None:
    """Board serials and voltage, share counters and uptime on a frozen clock; the rest of
    the read is the contract test's."""
    sim = await _start(simulate, machine.model)
    state = sim.state
    miner = await _connect(session, sim.host)
    snap = await miner.read()
    for board in snap.boards:
        assert board.serial == f"{state.serial}B{board.index}"
        assert board.frequency is not None
        assert board.voltage == 12.6
    assert (snap.pools[0].accepted, snap.pools[0].rejected) == state.shares(0)
    assert snap.uptime == UPTIME


async def test_last_error_is_reported(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await _start(
        simulate, "S21", errors=[("HbChipDetectError", "chip detect failed on hashboards [1]")]
    )
    miner = await _connect(session, sim.host)
    snap = await miner.read()
    assert snap.errors == (
        MinerErrorEntry(message="chip detect failed on hashboards [1]", code="HbChipDetectError"),
    )


async def test_from_stored_identity(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await _start(simulate, "S19j Pro")
    identity = (await _connect(session, sim.host)).identity
    miner = Miner.from_identity(sim.host, session, identity, ports=DRIVER_PORTS)
    # Before the first poll the range comes from the hardware table.
    assert miner.power_limit_range() is not None
    snap = await miner.read()
    assert snap.identity == identity
    assert snap.mining is True


async def test_poll_reads_capabilities_once(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S21")
    miner = await _connect(session, sim.host)
    backend = miner.backend
    assert isinstance(backend, PowerPlayBackend)
    requests = backend.api.http.requests
    await miner.read()
    assert backend.api.http.requests - requests == 2  # summary + capabilities
    await miner.read()
    assert backend.api.http.requests - requests == 3  # summary only


async def test_capabilities_failing_leave_the_summary(
    simulate: SimFactory, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the capabilities the figures still come; what they tell waits a poll."""
    sim = await _start(simulate, "S21")
    miner = await _connect(session, sim.host)
    backend = miner.backend
    assert isinstance(backend, PowerPlayBackend)
    capabilities = backend.api.capabilities

    async def refused() -> dict[str, Any]:
        raise MinerResponseError("capabilities: HTTP 500")

    monkeypatch.setattr(backend.api, "capabilities", refused)
    snap = await miner.read()
    assert snap.hashrate == pytest.approx(sim.state.hashrate, rel=1e-6)
    assert snap.controls == backend.CONTROLS  # unknown: the backend's own set
    monkeypatch.setattr(backend.api, "capabilities", capabilities)
    snap = await miner.read()
    assert snap.power_limit_range is not None
    assert snap.power_limit_range.maximum == sim.state.spec.max_power


# -- the "not ready" quirk ---------------------------------------------------------------


async def test_not_ready_is_retried_once(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S21")
    miner = await _connect(session, sim.host)
    sim.not_ready = 1
    snap = await miner.read()
    assert snap.hashrate == pytest.approx(sim.state.hashrate, rel=1e-6)
    assert sim.not_ready == 0

    sim.not_ready = 2  # still not ready when asked again: an answer, not an outage
    with pytest.raises(MinerResponseError, match="not ready") as info:
        await miner.read()
    assert not isinstance(info.value, MinerConnectionError)
    assert (await miner.read()).mining is True


async def test_identified_while_not_ready(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S19j Pro")
    sim.not_ready = 2  # the probe's summary and one identification GET
    miner = await _connect(session, sim.host)
    assert (miner.identity.family, miner.identity.model) == ("epic", "S19j Pro")
    assert miner.identity.hostname == sim.state.hostname


# -- identification against other families ----------------------------------------------


async def _all_probe_results(ctx: MinerContext) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for fam in FAMILIES:
        for probe in fam.probes:
            if probe.key not in results:
                with contextlib.suppress(MinerError):
                    results[probe.key] = await probe.run(ctx)
    return results


@pytest.mark.parametrize("model", MODELS)
async def test_no_other_family_claims_powerplay(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    """The cgminer probes get an HTTP error page from 4028; nothing else may match it."""
    sim = await _start(simulate, model)
    ctx = MinerContext(sim.host, session, DRIVER_PORTS, timeout=2.0)
    results = await _all_probe_results(ctx)
    for key in ("rpc_version", "rpc_devdetails"):
        if key in results:
            assert str(results[key]).startswith("HTTP/")
    assert FAMILY.matches(results)
    for fam in FAMILIES:
        if fam.key != FAMILY.key:
            assert not fam.matches(results), fam.key
    fam, _ = await detect_family(ctx, FAMILIES, timeout=3)
    assert fam.key == "epic"


@pytest.mark.parametrize(("family", "model"), [("antminer", "S19 Pro"), ("whatsminer", "M30S+")])
async def test_stock_firmware_is_ruled_out_fast(
    simulate: SimFactory, session: aiohttp.ClientSession, family: str, model: str
) -> None:
    """A cgminer API on 4028 rules PowerPlay out at once: stock miners don't wait."""
    sim = await simulate(family, model)
    ctx = MinerContext(sim.host, session, DRIVER_PORTS, timeout=3.0)
    assert await API_PROBE.run(ctx) is None
    started = time.monotonic()
    fam, results = await detect_family(ctx, FAMILIES, timeout=3)
    assert fam.key == family
    assert results.get(API_PROBE.key) is None
    assert time.monotonic() - started < 1.0


# -- controls ----------------------------------------------------------------------------


@by_machine
async def test_power_tuning_round_trip(
    simulate: SimFactory, session: aiohttp.ClientSession, machine: Machine
) -> None:
    """The limit goes through the release's own tuning algorithm; tuning switched off on
    the miner ends it; a soft reboot's "not ready" is absorbed. The generic round trips
    are the contract test's."""
    sim = await _start(simulate, machine.model)
    state = sim.state
    miner = await _connect(session, sim.host)
    await miner.read()

    await miner.set_mining(False)
    snap = await miner.read()
    assert snap.expected_hashrate == state.spec.nominal_hashrate  # the model's default
    await miner.set_mining(True)

    spec = state.spec
    target = spec.min_power + (spec.max_power - spec.min_power) // 3
    if machine.power_algorithm is None:
        with pytest.raises(MinerUnsupportedError):
            await miner.backend.set_power_limit(target)
        assert state.power_limit is None
    else:
        await miner.set_power_limit(target)
        assert sim.tune_algorithm == machine.power_algorithm
        assert sim.posts[-2:] == [
            ("/perpetualtune/algo", {"algo": machine.power_algorithm, "target": target}),
            ("/perpetualtune", True),
        ]
        snap = await miner.read()
        assert snap.hashrate is not None
        assert snap.hashrate < spec.nominal_hashrate
        assert snap.expected_hashrate == pytest.approx(spec.nominal_hashrate, rel=1e-3)

        with pytest.raises(MinerValueError):
            await miner.backend.set_power_limit(spec.max_power + 1)
        backend = miner.backend
        assert isinstance(backend, PowerPlayBackend)
        with pytest.raises(MinerResponseError, match="refused"):
            await backend.post(
                "/perpetualtune/algo",
                {"algo": machine.power_algorithm, "target": spec.max_power + 1},
            )
        assert state.power_limit == target

        # Tuning switched off on the miner: the limit is no longer in force.
        await backend.post("/perpetualtune", False)
        assert (await miner.read()).power_limit is None
        await miner.set_power_limit(target)  # switches tuning back on
        assert (await miner.read()).power_limit == target
    assert not any(path == "/coin" for path, _ in sim.posts)

    # Soft reboot: the restarted miner's first summary is "not ready", which a poll absorbs.
    await miner.restart_backend()
    assert sim.not_ready == 1
    snap = await miner.read()
    assert snap.mining is True
    assert snap.uptime == 0  # the mining program started again


# -- credentials -------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
async def test_wrong_password(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    sim = await _start(simulate, model, password="secret")
    # Reads need no password: the miner is identified and read with the default.
    miner = await _connect(session, sim.host)
    assert miner.identity.model == model
    assert (await miner.read()).mining is True
    with pytest.raises(MinerAuthenticationError):
        await miner.check_credentials()
    with pytest.raises(MinerAuthenticationError):
        await miner.set_fault_light(True)
    with pytest.raises(MinerAuthenticationError):
        await miner.set_mining(False)
    assert sim.state.fault_light is False
    assert sim.state.mining is True
    assert sim.posts == []

    miner = await _connect(session, sim.host, credentials=Credentials(password="secret"))
    await miner.check_credentials()
    await miner.set_fault_light(True)
    assert sim.state.fault_light is True

    sim.state.password = "changed"  # changed on the miner: the stored one is refused
    with pytest.raises(MinerAuthenticationError):
        await miner.check_credentials()


async def test_default_password_is_sent(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S21")
    assert sim.state.password == "letmein"
    miner = await _connect(session, sim.host)
    await miner.check_credentials()
    assert sim.posts == [("/authenticate", None)]
    assert sim.state.fault_light is False  # proving the password changed nothing


# -- faults ------------------------------------------------------------------------------

FAULTS = [
    (Fault(FaultKind.RESET), MinerConnectionError),
    (Fault(FaultKind.SILENCE), MinerTimeoutError),
    (Fault(FaultKind.DELAY, 3.0), MinerTimeoutError),
    # An HTTP body shorter than its Content-Length is a dropped connection.
    (Fault(FaultKind.TRUNCATE), MinerConnectionError),
    (Fault(FaultKind.MALFORMED), MinerResponseError),
]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(("fault", "error"), FAULTS, ids=[f.kind.value for f, _ in FAULTS])
async def test_faults(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    model: str,
    fault: Fault,
    error: type[Exception],
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    miner.ctx.timeout = 0.5
    backend = miner.backend
    assert isinstance(backend, PowerPlayBackend)
    backend.api.http.timeout = 0.5
    sim.state.fault = fault
    started = time.monotonic()
    with pytest.raises(error):
        await miner.read()
    with pytest.raises(error):
        await miner.set_fault_light(True)
    with pytest.raises(error):
        await miner.check_credentials()
    assert time.monotonic() - started < 2.5
    # A cut reply still reached the miner; every other fault stops the request first.
    assert sim.state.fault_light is (fault.kind is FaultKind.TRUNCATE)

    sim.state.fault = None
    assert (await miner.read()).hashrate == pytest.approx(sim.state.hashrate, rel=1e-6)
