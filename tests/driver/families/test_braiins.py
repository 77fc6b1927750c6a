"""Braiins OS against the simulator: both web generations, RPC reads, controls, faults.

The S19 runs 25.07 (REST), the S19j Pro 25.05.1 (GraphQL with the MAC in its schema)
and the S9 21.09 (GraphQL without it, MAC from LuCI, "BOSminer" on RPC, chains 6-8).
"""

from __future__ import annotations

import time
from typing import NamedTuple

import aiohttp
import pytest

from custom_components.asic_miner.driver.collect import extract, fetch_sources
from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import Field, Rpc
from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
    MinerValueError,
)
from custom_components.asic_miner.driver.families._probes import (
    RPC_DEVDETAILS,
    RPC_VERSION,
    WEB_ROOT,
)
from custom_components.asic_miner.driver.families.braiins import FAMILY, parse_version
from custom_components.asic_miner.driver.families.braiins.parse import normalize_model
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Credentials, MinerErrorEntry
from custom_components.asic_miner.driver.transports.http import HttpReply
from simulator.families.braiins import BraiinsSim
from simulator.faults import Fault, FaultKind
from tests.driver.conftest import DRIVER_PORTS, SimFactory


class Generation(NamedTuple):
    model: str
    backend: str
    version: str
    has_serial: bool  # releases whose API reports the miner's serial number


GENERATIONS = [
    Generation("S19", "rest", "25.07", False),  # miner/details serial_number is null on 25.07
    Generation("S19j Pro", "graphql", "25.05.1", True),
    Generation("S9", "graphql", "21.09", False),
]
MODELS = [g.model for g in GENERATIONS]
by_generation = pytest.mark.parametrize("gen", GENERATIONS, ids=MODELS)


async def _connect(session: aiohttp.ClientSession, host: str, **kwargs: object) -> Miner:
    return await Miner.connect(host, session, ports=DRIVER_PORTS, **kwargs)  # type: ignore[arg-type]


async def _start(simulate: SimFactory, model: str, **state: object) -> BraiinsSim:
    sim = await simulate("braiins", model, **state)
    assert isinstance(sim, BraiinsSim)
    return sim


def _rpc_connections(sim: BraiinsSim) -> int:
    return sum(getattr(server, "connections", 0) for server in sim.servers)


# -- pure functions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full", "version"),
    [
        ("2025-06-25-0-45f356ea-25.05.1-plus", "25.05.1"),
        ("2025-08-06-0-3881c51d-25.07-plus", "25.07"),
        ("2022-09-13-0-11012d53-22.08-plus", "22.08"),
        ("2025-08-06-0-3881c51d-25.07", "25.07"),
        ("nonsense", None),
        (None, None),
    ],
)
def test_parse_version(full: str | None, version: str | None) -> None:
    assert parse_version(full) == version


@pytest.mark.parametrize(
    ("raw", "model"),
    [
        ("Bitmain Antminer S9", "S9"),
        ("Bitmain S19XP", "S19 XP"),
        ("Antminer S19j Pro", "S19j Pro"),
        ("S21", "S21"),
        ("", None),
    ],
)
def test_normalize_model(raw: str, model: str | None) -> None:
    assert normalize_model(raw) == model


def test_fingerprints() -> None:
    bosminer = '{"STATUS":[{"Description":"BOSminer+ 0.2.0-ea64aec8e"}]}'
    boser = '{"VERSION":[{"BOSer":"boser-buildroot 0.1.0-45f356ea","API":"3.7"}]}'
    page = HttpReply(200, {}, b"<title>Braiins OS</title>")
    assert FAMILY.matches({RPC_DEVDETAILS.key: bosminer})
    assert FAMILY.matches({RPC_VERSION.key: boser})
    assert FAMILY.matches({WEB_ROOT.key: page})
    stock = '{"VERSION":[{"BMMiner":"1.0.0","Type":"Antminer S19 Pro"}]}'
    assert not FAMILY.matches({RPC_VERSION.key: stock})
    assert not FAMILY.matches({WEB_ROOT.key: HttpReply(200, {}, b"<title>Antminer</title>")})


# -- identification and reading ------------------------------------------------------


@by_generation
async def test_board_details(
    simulate: SimFactory, session: aiohttp.ClientSession, gen: Generation
) -> None:
    """Each release reports a board's share of the nominal rate and its frequency."""
    sim = await _start(simulate, gen.model)
    miner = await _connect(session, sim.host)  # each release's default password
    spec = sim.state.spec
    for board in (await miner.read()).boards:
        assert board.expected_hashrate == pytest.approx(spec.nominal_hashrate / spec.boards)
        assert board.frequency is not None


@pytest.mark.parametrize("model", MODELS)
async def test_rpc_only_where_the_web_api_fails(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
    model: str,
) -> None:
    """bosminer's RPC is the fallback: no connection while the web API fills every
    field, one multicommand (one connection) in the same poll where it does not."""
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)

    async def web_down(*_: object) -> None:
        raise MinerResponseError("HTTP 500")

    for down in (False, False, True):
        if down:
            monkeypatch.setattr(miner.backend, "fetch_web", web_down)
            monkeypatch.setattr(miner.backend, "fetch_call", web_down)
        client_before = miner.ctx.rpc_stats.connections
        server_before = _rpc_connections(sim)
        snap = await miner.read()
        assert miner.ctx.rpc_stats.connections - client_before == int(down)
        assert _rpc_connections(sim) - server_before == int(down)
        assert snap.hashrate is not None
        assert snap.pools


@pytest.mark.parametrize(
    ("model", "release", "backend"),
    [("S19", "25.05.1", "graphql"), ("S9", "25.07", "rest")],
)
async def test_release_picks_backend(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str, release: str, backend: str
) -> None:
    sim = await _start(simulate, model, release=release)
    miner = await _connect(session, sim.host)
    assert miner.identity.backend == backend
    assert miner.identity.firmware_version == release
    assert (await miner.read()).mining is True


async def test_stopped_miner_found_by_web_root(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """bosminer stopped: RPC is silent, the web page and GraphQL still answer."""
    sim = await _start(simulate, "S19j Pro", mining=False)
    miner = await _connect(session, sim.host)
    assert (miner.identity.family, miner.identity.backend) == ("braiins", "graphql")
    assert miner.identity.mac == sim.state.mac
    assert miner.identity.model == "Unknown"  # only bosminer can name it
    assert not miner.identity.supported
    snap = await miner.read()
    assert snap.mining is False
    assert snap.hashrate == 0.0  # paused on purpose: hashes nothing (issue 13)
    await miner.set_mining(True)
    assert (await miner.read()).hashrate == pytest.approx(sim.state.hashrate, rel=1e-6)


async def test_from_stored_identity(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await _start(simulate, "S19")
    identity = (await _connect(session, sim.host)).identity
    miner = Miner.from_identity(sim.host, session, identity, ports=DRIVER_PORTS)
    snap = await miner.read()
    assert snap.identity == identity
    assert snap.mining is True


async def test_tuner_errors(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await _start(simulate, "S9", errors=[("E1", "Failed to start hashchain")])
    miner = await _connect(session, sim.host)
    snap = await miner.read()
    # GraphQL's appeals first; tunerstatus over RPC only where GraphQL fails.
    assert snap.errors == (MinerErrorEntry(message="Failed to start hashchain"),)


# -- controls -----------------------------------------------------------------------


@by_generation
async def test_firmware_refuses_power_limit_out_of_range(
    simulate: SimFactory, session: aiohttp.ClientSession, gen: Generation
) -> None:
    """Past the handle's own bounds check, the firmware refuses a wattage it cannot run."""
    sim = await _start(simulate, gen.model)
    state = sim.state
    miner = await _connect(session, sim.host)
    await miner.set_power_limit(state.spec.max_power)
    with pytest.raises(MinerValueError):
        await miner.backend.set_power_limit(state.spec.max_power + 1)
    assert state.power_limit == state.spec.max_power


# -- credentials ----------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
async def test_wrong_password(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    sim = await _start(simulate, model, password="secret")
    with pytest.raises(MinerAuthenticationError):
        await _connect(session, sim.host)
    with pytest.raises(MinerAuthenticationError):
        await _connect(session, sim.host, credentials=Credentials("root", "wrong"))
    miner = await _connect(session, sim.host, credentials=Credentials("root", "secret"))
    assert miner.identity.model == model
    await miner.check_credentials()

    # The password changes on the miner and its sessions end: polls and checks refuse.
    sim.state.password = "changed"
    sim.revoke_sessions()
    with pytest.raises(MinerAuthenticationError):
        await miner.check_credentials()
    with pytest.raises(MinerAuthenticationError):
        await miner.read()
    with pytest.raises(MinerAuthenticationError):
        await miner.set_fault_light(True)
    assert sim.state.fault_light is False


@pytest.mark.parametrize("model", MODELS)
async def test_expired_session_logs_in_again(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    assert (await miner.read()).mining is True
    sim.revoke_sessions()  # a firmware restart forgets every token and cookie
    sim.state.mining = False  # read from the web API only, every poll
    assert (await miner.read()).mining is False
    sim.revoke_sessions()
    await miner.set_fault_light(False)
    assert sim.state.fault_light is False


# -- faults ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["S19", "S19j Pro"])
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(FaultKind.RESET), MinerConnectionError),
        (Fault(FaultKind.SILENCE), MinerTimeoutError),
        (Fault(FaultKind.DELAY, 3), MinerTimeoutError),
    ],
)
async def test_unreachable_faults(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    model: str,
    fault: Fault,
    error: type[Exception],
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    miner.ctx.timeout = 0.5
    sim.state.fault = fault
    started = time.monotonic()
    with pytest.raises(error):
        await miner.read()
    with pytest.raises(error):
        await miner.set_fault_light(True)
    assert time.monotonic() - started < 2.5
    assert sim.state.fault_light is False


@pytest.mark.parametrize("model", ["S19", "S19j Pro"])
@pytest.mark.parametrize(
    ("kind", "error"),
    [(FaultKind.TRUNCATE, MinerConnectionError), (FaultKind.MALFORMED, MinerResponseError)],
)
async def test_garbled_replies(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    model: str,
    kind: FaultKind,
    error: type[Exception],
) -> None:
    """A cut or garbled reply never shows up as a value: fields stay ``None``."""
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    miner.ctx.timeout = 0.5
    sim.state.fault = Fault(kind)
    state = sim.state
    started = time.monotonic()
    with pytest.raises(error):
        await miner.check_credentials()
    try:
        snap = await miner.read()
    except MinerError:
        pass
    else:
        # Whatever survived the repair is a real reading, never a truncated number.
        assert snap.hashrate is None or snap.hashrate == pytest.approx(state.hashrate)
        assert snap.power is None or snap.power == round(state.power)
        assert snap.power_limit is None or snap.power_limit == state.effective_power_limit
        assert snap.uptime is None or abs(snap.uptime - state.uptime) <= 2
        for board in snap.boards:
            assert board.chips is None or board.chips == state.spec.chips_per_board
        assert snap.mining is None  # the web half failed outright
        assert snap.fault_light is None
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("release", ["22.08", "24.09", "25.03", "25.05.1", "25.07"])
async def test_identification_queries_need_no_login(
    simulate: SimFactory, session: aiohttp.ClientSession, release: str
) -> None:
    """Real units name model and release to anyone (asic-rs identifies them so)."""
    sim = await _start(simulate, "S19", release=release)
    web = MinerContext(sim.host, session, DRIVER_PORTS).web()

    async def ask(query: str) -> HttpReply:
        return await web.request(
            "POST", "/graphql", json_body={"query": query}, auth_required=False
        )

    model = await ask("{ bosminer { info { modelName } } }")
    assert model.json() == {"data": {"bosminer": {"info": {"modelName": sim._model_name()}}}}
    version = await ask("{ bos { info { version { full } } } }")
    assert version.json() == {"data": {"bos": {"info": {"version": {"full": sim.release.full}}}}}
    refused = await ask("{ bos { hostname } }")  # anything else needs the session
    assert refused.status == 403
    mutation = await ask("mutation { bos { reboot { __typename } } }")
    assert mutation.status == 403
    assert sim.state.reboots == 0


@by_generation
async def test_each_source_fails_on_its_own(
    simulate: SimFactory, session: aiohttp.ClientSession, gen: Generation
) -> None:
    """Web API down, RPC up (and the reverse): every figure still comes from somewhere."""
    sim = await _start(simulate, gen.model, errors=[("E1", "Failed to start hashchain")])
    miner = await _connect(session, sim.host)
    backend = miner.backend
    sources = {s for loc in backend.DATA_MAP.values() for s in loc.every_source}
    replies = await fetch_sources(backend, sources)
    web_down = {
        s: MinerResponseError("HTTP 500") if not isinstance(s, Rpc) else v
        for s, v in replies.items()
    }
    rpc_down = {
        s: MinerResponseError("Invalid command") if isinstance(s, Rpc) else v
        for s, v in replies.items()
    }
    from_rpc, from_web = extract(backend, web_down), extract(backend, rpc_down)
    state = sim.state
    for values in (from_rpc, from_web):
        assert values[Field.HASHRATE] == pytest.approx(state.hashrate, rel=1e-3)
        assert values[Field.POWER] == round(state.power)
        assert values[Field.POWER_LIMIT] == state.effective_power_limit
        assert [f.rpm for f in values[Field.FANS]] == state.fan_rpms()
        assert len(values[Field.BOARDS]) == state.spec.boards
        assert [p.url for p in values[Field.POOLS]] == [p.url for p in state.pools]
        assert values[Field.ERRORS]
    # What only the web API says stays unknown without it: never bosminer's own uptime.
    assert from_rpc[Field.UPTIME] is None
    assert from_rpc[Field.MINING] is None
    assert from_web[Field.UPTIME] == pytest.approx(state.uptime, abs=2)
