"""VNish / AnthillOS against the simulator: identification beside stock Antminer, the
REST snapshot, preset-based power, the toggling locate LED, unlock tokens and faults.

The S19 runs 1.2.6, the S19j Pro 1.2.7 (both ``chains`` and ``find-miner``) and the
S21 1.3.4 (``boards`` and ``locate-miner``).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, NamedTuple

import aiohttp
import pytest

from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import Field, Replies
from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
    MinerValueError,
)
from custom_components.asic_miner.driver.families import antminer
from custom_components.asic_miner.driver.families._probes import RPC_VERSION, WEB_ROOT
from custom_components.asic_miner.driver.families.vnish import FAMILY
from custom_components.asic_miner.driver.families.vnish.backends import (
    V1_2Backend,
    V1_3Backend,
    backend_for,
)
from custom_components.asic_miner.driver.families.vnish.client import VnishLockedOutError
from custom_components.asic_miner.driver.families.vnish.parse import (
    INFO,
    SUMMARY,
    Preset,
    normalize_model,
    parse_presets,
    parse_uptime,
    parse_version,
    tuned_presets,
)
from custom_components.asic_miner.driver.identify import detect_family
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Credentials, MinerErrorEntry
from custom_components.asic_miner.driver.registry import FAMILIES
from custom_components.asic_miner.driver.transports.http import HttpReply
from simulator.families.vnish import (
    LOCKOUT_SECONDS,
    MAX_UNLOCK_FAILURES,
    PROFILES,
    VnishSim,
    uptime_text,
)
from simulator.faults import Fault, FaultKind
from tests.driver.conftest import DRIVER_PORTS, SimFactory


class Release(NamedTuple):
    model: str
    backend: str
    version: str


RELEASES = [
    Release("S19", "v1_2", "1.2.6"),
    Release("S19j Pro", "v1_2", "1.2.7"),
    Release("S21", "v1_3", "1.3.4"),
]
MODELS = [r.model for r in RELEASES]
by_release = pytest.mark.parametrize("rel", RELEASES, ids=MODELS)
by_model = pytest.mark.parametrize("model", MODELS)


async def _connect(session: aiohttp.ClientSession, host: str, **kwargs: Any) -> Miner:
    return await Miner.connect(host, session, ports=DRIVER_PORTS, **kwargs)


async def _start(simulate: SimFactory, model: str, **state: Any) -> VnishSim:
    sim = await simulate("vnish", model, **state)
    assert isinstance(sim, VnishSim)
    return sim


def _tuned(model: str) -> list[int]:
    return sorted(p.watts for p in PROFILES[model].presets if p.tuned)


def _untuned(model: str) -> list[int]:
    return sorted(p.watts for p in PROFILES[model].presets if not p.tuned)


def _rpc_connections(sim: VnishSim) -> int:
    return sum(getattr(server, "connections", 0) for server in sim.servers)


# -- pure functions ------------------------------------------------------------------


def test_parse_presets_is_defensive() -> None:
    reply = [
        {"name": "3250", "pretty": "3250 watt ~ 95 TH", "status": "tuned"},
        {"name": "2200", "pretty": "2200 watt ~ 68 TH", "status": "untuned"},
        # Scrypt: the hashrate carries its own unit and must not be read as power.
        {"name": "l7-eco", "pretty": "3425 watt ~ 11500 MH", "status": "tuned"},
        {"name": "4000", "pretty": "4000 watt ~ 230 TH LC", "status": "TUNED"},
        {"name": "custom", "pretty": "Custom", "status": "tuned"},
        {"name": "", "pretty": "nameless", "status": "tuned"},
        "garbage",
        {"pretty": "no name"},
    ]
    presets = parse_presets(reply)
    assert presets == [
        Preset("3250", "3250 watt ~ 95 TH", tuned=True, watts=3250),
        Preset("2200", "2200 watt ~ 68 TH", tuned=False, watts=2200),
        Preset("l7-eco", "3425 watt ~ 11500 MH", tuned=True, watts=3425),
        Preset("4000", "4000 watt ~ 230 TH LC", tuned=True, watts=4000),
        Preset("custom", "Custom", tuned=True, watts=None),
    ]
    assert [p.name for p in tuned_presets(presets)] == ["3250", "l7-eco", "4000", "custom"]
    assert parse_presets({"presets": reply}) == presets
    with pytest.raises(MinerResponseError):
        parse_presets({"err": "no presets"})


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5 min", 300),
        ("3:07", 3 * 3600 + 7 * 60),
        ("1 day, 0:04", 86400 + 240),
        ("10 days, 18:00", 10 * 86400 + 18 * 3600),
        ("2 days, 12 min", 2 * 86400 + 720),
        ("12 days", 12 * 86400),
        ("01:02:03", 3723),
        (3600, 3600),
        ("742", 742),
        ("", None),
        ("soon", None),
        (None, None),
        (-1, None),
    ],
)
def test_parse_uptime(text: Any, seconds: int | None) -> None:
    assert parse_uptime(text) == seconds


@pytest.mark.parametrize("seconds", [0, 59, 61, 3599, 3600, 86399, 86400, 90061, 10 * 86400 + 3])
def test_uptime_text_round_trips_to_the_minute(seconds: int) -> None:
    assert parse_uptime(uptime_text(seconds)) == seconds - seconds % 60


@pytest.mark.parametrize(
    ("raw", "model"),
    [
        ("Antminer S19 (Vnish 1.2.6)", "S19"),
        ("Antminer S19j Pro", "S19j Pro"),
        ("Antminer S19j Pro AML", "S19j Pro"),
        ("Antminer S19j (88) (Vnish 1.2.0)", "S19j NoPIC"),
        ("S21", "S21"),
        ("", None),
        (None, None),
    ],
)
def test_normalize_model(raw: str | None, model: str | None) -> None:
    assert normalize_model(raw) == model


@pytest.mark.parametrize(
    ("version", "parsed", "backend"),
    [
        ("1.2.6", (1, 2), V1_2Backend),
        ("1.2.6-rc4", (1, 2), V1_2Backend),
        ("1.3.4", (1, 3), V1_3Backend),
        ("1.4.0", (1, 4), V1_3Backend),
        ("v2.0", (2, 0), V1_3Backend),
        ("unknown", None, V1_2Backend),
        (None, None, V1_2Backend),
    ],
)
def test_backend_for_version(version: str | None, parsed: Any, backend: type) -> None:
    assert parse_version(version) == parsed
    assert backend_for(parse_version(version)) is backend


def test_backends_newest_first() -> None:
    assert [b.name for b in FAMILY.backends] == ["v1_3", "v1_2"]


def test_scrypt_hashrate_units() -> None:
    """``info.hr_measure`` decides the unit of every summary hashrate."""
    info = {"hr_measure": "MH/s", "system": {"uptime": "1:00"}}
    summary = {
        "miner": {
            "hr_realtime": 9500.0,
            "hr_stock": 9500.0,
            "power_consumption": 3425,
            "power_usage": 0,
            "chains": [{"id": 1, "hashrate_rt": 3166.6, "status": {"state": "mining"}}],
        }
    }
    replies = Replies({INFO: info, SUMMARY: summary})
    data = V1_2Backend.DATA_MAP
    assert data[Field.HASHRATE].extract(replies) == pytest.approx(0.0095)
    assert data[Field.EXPECTED_HASHRATE].extract(replies) == pytest.approx(0.0095)
    assert data[Field.POWER].extract(replies) == 3425
    (board,) = data[Field.BOARDS].extract(replies)
    assert board.hashrate == pytest.approx(0.0031666)
    assert board.chips is None  # the per-chip list did not answer: unknown, not zero
    with pytest.raises(KeyError):  # no unit: no hashrate, rather than a guessed one
        data[Field.HASHRATE].extract(Replies({INFO: {}, SUMMARY: summary}))


def test_fingerprints() -> None:
    rpc = '{"VERSION":[{"BMMiner":"1.0.0","Type":"Antminer S19 (Vnish 1.2.6)"}]}'
    page = HttpReply(200, {}, b"<html><title>AnthillOS</title></html>")
    assert FAMILY.matches({RPC_VERSION.key: rpc})
    assert FAMILY.matches({WEB_ROOT.key: page})
    # Stock Antminer matches the same RPC reply: only registry order keeps it away.
    assert antminer.FAMILY.matches({RPC_VERSION.key: rpc})
    keys = [f.key for f in FAMILIES]
    assert keys.index("vnish") < keys.index("antminer")
    stock = '{"VERSION":[{"BMMiner":"1.0.0","Type":"Antminer S19 Pro"}]}'
    challenge = HttpReply(401, {"WWW-Authenticate": 'Digest realm="antMiner Configuration"'}, b"")
    braiins = HttpReply(200, {}, b"<title>Braiins OS</title>")
    assert not FAMILY.matches({RPC_VERSION.key: stock, WEB_ROOT.key: challenge})
    assert not FAMILY.matches({WEB_ROOT.key: braiins})
    assert not FAMILY.matches({})


# -- identification and reading ------------------------------------------------------


@by_release
async def test_identified_as_vnish_not_stock(
    simulate: SimFactory, session: aiohttp.ClientSession, rel: Release
) -> None:
    """The real probes, every registered family: the RPC says ANTMINER, VNish wins."""
    sim = await _start(simulate, rel.model)
    ctx = MinerContext(sim.host, session, DRIVER_PORTS)
    fam, results = await detect_family(ctx, FAMILIES, timeout=3)
    assert fam.key == "vnish"
    assert "ANTMINER" in str(results[RPC_VERSION.key]).upper()
    assert antminer.FAMILY.matches(results)


async def test_other_families_are_not_vnish(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    for family, model in [("antminer", "S19 Pro"), ("braiins", "S19"), ("whatsminer", "M30S+")]:
        sim = await simulate(family, model)
        ctx = MinerContext(sim.host, session, DRIVER_PORTS)
        results = {}
        for probe in FAMILY.probes:
            with contextlib.suppress(MinerError):
                results[probe.key] = await probe.run(ctx)
        assert results, family
        assert not FAMILY.matches(results), family


@by_release
async def test_read_details(
    simulate: SimFactory, session: aiohttp.ClientSession, rel: Release
) -> None:
    """Presets as bounds and work modes, uptime to the minute, no password for reading;
    the rest of the read is the contract test's."""
    sim = await _start(simulate, rel.model, fault_light=True)
    state = sim.state
    state.clock = time.time() - 0.5
    state.boot_time = state.clock - 2 * 86400 - 3 * 3600 - 7 * 60 - 42
    miner = await _connect(session, sim.host)
    assert miner.power_limit_range() is None  # known once the presets were read
    assert sim.unlocks == 0  # identification needs no password

    snap = await miner.read()
    assert snap.power == round(state.power)  # power_consumption, not power_usage
    assert snap.power_limit == state.power_limit == PROFILES[rel.model].default_preset
    tuned = _tuned(rel.model)
    assert snap.power_limit_range is not None
    assert snap.power_limit_range.levels == tuple(tuned)
    # The preset select offers exactly the tuned presets the miner reports.
    assert snap.work_modes == tuple(str(w) for w in tuned)
    assert snap.work_mode == sim.preset_name == str(state.power_limit)
    for board in snap.boards:
        assert board.frequency == PROFILES[rel.model].frequency
        assert board.voltage is None  # the unit of the firmware's integer is unknown
    # The firmware's dev-fee pool is not one of the user's pools.
    assert [(p.url, p.user) for p in snap.pools] == [(p.url, p.user) for p in state.pools]
    assert all(p.alive for p in snap.pools)
    assert snap.pools[0].accepted == state.shares(0)[0]
    assert snap.uptime == state.uptime - state.uptime % 60  # minute resolution
    assert snap.fault_light is True


@by_model
async def test_poll_is_rest_only_with_one_unlock(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    rpc_before = _rpc_connections(sim)
    for _ in range(3):
        client_before = miner.ctx.rpc_stats.connections
        await miner.read()
        assert miner.ctx.rpc_stats.connections == client_before
    assert _rpc_connections(sim) == rpc_before
    assert sim.unlocks == 1  # one token, shared by the concurrent GETs, kept across polls


@pytest.mark.parametrize(
    ("model", "release", "backend"),
    [("S19", "1.3.4", "v1_3"), ("S21", "1.2.6-rc4", "v1_2")],
)
async def test_release_picks_backend(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str, release: str, backend: str
) -> None:
    sim = await _start(simulate, model, release=release)
    miner = await _connect(session, sim.host)
    assert miner.identity.backend == backend
    assert miner.identity.firmware_version == release
    snap = await miner.read()
    assert [b.chips for b in snap.boards] == [sim.state.spec.chips_per_board] * 3
    await miner.set_fault_light(True)
    assert sim.state.fault_light is True


async def test_from_stored_identity(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await _start(simulate, "S21")
    identity = (await _connect(session, sim.host)).identity
    miner = Miner.from_identity(sim.host, session, identity, ports=DRIVER_PORTS)
    snap = await miner.read()
    assert snap.identity == identity
    assert snap.work_mode == "3500"


async def test_board_failure_is_an_error(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S19", errors=[("E1", "chain 1: no chips found")])
    miner = await _connect(session, sim.host)
    snap = await miner.read()
    assert snap.errors == (MinerErrorEntry(message="Board 0: chain 1: no chips found"),)
    assert [b.active for b in snap.boards] == [False, True, True]


async def test_stock_preset_has_no_power_limit(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S19", power_limit=None)
    miner = await _connect(session, sim.host)
    snap = await miner.read()
    assert snap.work_mode == "disabled"
    assert snap.power_limit is None
    assert snap.power == sim.state.spec.nominal_power


# -- controls -----------------------------------------------------------------------


@by_release
async def test_presets_and_toggling_light(
    simulate: SimFactory, session: aiohttp.ClientSession, rel: Release
) -> None:
    """The LED action toggles, so it is sent only when the state differs; work modes are
    the tuned presets; a power limit takes the highest tuned preset at or below it. The
    generic round trips are the contract test's."""
    sim = await _start(simulate, rel.model)
    state = sim.state
    miner = await _connect(session, sim.host)

    await miner.set_fault_light(True)
    assert (state.fault_light, sim.toggles) == (True, 1)
    await miner.set_fault_light(True)
    assert (state.fault_light, sim.toggles) == (True, 1)
    await miner.set_fault_light(False)
    assert (state.fault_light, sim.toggles) == (False, 2)

    tuned, untuned = _tuned(rel.model), _untuned(rel.model)
    for mode in (str(w) for w in tuned):
        await miner.set_work_mode(mode)
        assert sim.preset_name == mode
        snap = await miner.read()
        assert snap.work_mode == mode
        assert snap.power_limit == int(mode)
        assert snap.power == round(state.power) == int(mode)
    for refused in [*(str(w) for w in untuned), "turbo", "disabled"]:
        with pytest.raises(MinerValueError):
            await miner.set_work_mode(refused)
    assert sim.preset_name == str(tuned[-1])

    for target in range(tuned[0], tuned[-1] + 1, 173):
        await miner.set_power_limit(target)
        expected = max(w for w in tuned if w <= target)
        assert state.power_limit == expected
        assert (await miner.read()).power_limit == expected
    await miner.set_power_limit(tuned[-1])
    with pytest.raises(MinerValueError):
        await miner.set_power_limit(tuned[0] - 1)  # outside the range the presets span
    with pytest.raises(MinerValueError):
        await miner.backend.set_power_limit(tuned[0] - 1)  # no tuned preset fits
    assert state.power_limit == tuned[-1]


@by_model
async def test_untuned_preset_write_is_caught(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    """The firmware ignores an untuned preset and says nothing: the read-back does."""
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    backend = miner.backend
    assert isinstance(backend, V1_2Backend | V1_3Backend)
    before = sim.preset_name
    with pytest.raises(MinerResponseError, match="kept preset"):
        await backend._apply_preset(str(_untuned(model)[0]))
    assert sim.preset_name == before


async def test_fault_light_unknown_state(
    simulate: SimFactory, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a readable state the toggle's own reply decides, twice at most."""
    sim = await _start(simulate, "S21", fault_light=True)
    miner = await _connect(session, sim.host)
    backend = miner.backend
    assert isinstance(backend, V1_3Backend)

    async def unknown() -> None:
        return None

    monkeypatch.setattr(backend, "_light_state", unknown)
    await miner.set_fault_light(True)  # toggled off, then on again
    assert (sim.state.fault_light, sim.toggles) == (True, 2)
    await miner.set_fault_light(False)
    assert (sim.state.fault_light, sim.toggles) == (False, 3)


@pytest.mark.parametrize("find_miner", [True, False], ids=["find-miner", "locate-miner"])
async def test_v1_3_locate_action(
    simulate: SimFactory, session: aiohttp.ClientSession, find_miner: bool
) -> None:
    """1.3 keeps the deprecated find-miner; without it, locate-miner takes over."""
    sim = await _start(simulate, "S21", find_miner=find_miner)
    miner = await _connect(session, sim.host)
    for on in (True, False, True):
        await miner.set_fault_light(on)
        assert sim.state.fault_light is on
        assert (await miner.read()).fault_light is on
    assert sim.toggles == 3


async def test_v1_2_without_find_miner_fails_cleanly(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S19")
    miner = await _connect(session, sim.host)
    backend = miner.backend
    assert isinstance(backend, V1_2Backend)
    backend._locate = (("/api/v1/no-such-action", "on"),)
    with pytest.raises(MinerResponseError, match="404"):
        await miner.set_fault_light(True)
    assert sim.state.fault_light is False


# -- credentials ----------------------------------------------------------------------


@by_model
async def test_wrong_password(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    sim = await _start(simulate, model, password="secret")
    miner = await _connect(session, sim.host)  # identification reads public endpoints
    assert miner.identity.model == model
    with pytest.raises(MinerAuthenticationError):
        await miner.read()
    with pytest.raises(MinerAuthenticationError):
        await miner.check_credentials()
    with pytest.raises(MinerAuthenticationError):
        await miner.set_fault_light(True)
    with pytest.raises(MinerAuthenticationError):
        await miner.set_power_limit(3000)
    assert (sim.state.fault_light, sim.toggles, sim.unlocks) == (False, 0, 0)

    good = await _connect(session, sim.host, credentials=Credentials(password="secret"))
    await good.check_credentials()
    snap = await good.read()
    assert snap.work_mode == sim.preset_name

    # The password changes on the miner and its tokens end: polls and checks refuse.
    sim.state.password = "changed"
    sim.expire_tokens()
    with pytest.raises(MinerAuthenticationError):
        await good.read()
    with pytest.raises(MinerAuthenticationError):
        await good.check_credentials()


async def test_refused_password_is_not_retried_by_polls(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """A poll loop must not burn the miner's unlock attempts (and lock its owner out)."""
    sim = await _start(simulate, "S19", password="secret")
    miner = await _connect(session, sim.host)
    for _ in range(MAX_UNLOCK_FAILURES + 2):
        with pytest.raises(MinerAuthenticationError):
            await miner.read()
        with pytest.raises(MinerAuthenticationError):
            await miner.set_mining(False)
    assert sim.failed_unlocks == 1
    assert sim.state.mining is True
    with pytest.raises(MinerAuthenticationError):
        await miner.check_credentials()  # an explicit check always asks the miner
    assert sim.failed_unlocks == 2


async def test_too_many_attempts_lock_out(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "S21", password="secret")
    sim.state.clock = time.time()
    miner = await _connect(session, sim.host, credentials=Credentials(password="guess"))
    for _ in range(MAX_UNLOCK_FAILURES):
        with pytest.raises(MinerAuthenticationError) as info:
            await miner.check_credentials()
        assert not isinstance(info.value, VnishLockedOutError)  # 403: wrong password
    with pytest.raises(VnishLockedOutError, match=f"{LOCKOUT_SECONDS} s") as locked:
        await miner.check_credentials()  # 429
    assert locked.value.retry_after == LOCKOUT_SECONDS

    # Locked out, even with the right password, until the firmware's timeout passes.
    good = await _connect(session, sim.host, credentials=Credentials(password="secret"))
    with pytest.raises(VnishLockedOutError):
        await good.check_credentials()
    with pytest.raises(VnishLockedOutError):
        await good.read()
    sim.state.clock += LOCKOUT_SECONDS + 1
    await good.check_credentials()
    assert (await good.read()).mining is True


@by_model
async def test_expired_token_unlocks_again_once(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    assert (await miner.read()).fault_light is False
    assert sim.unlocks == 1

    sim.expire_tokens()  # both protected GETs of the next poll are refused at once
    sim.state.fault_light = True
    assert (await miner.read()).fault_light is True
    assert sim.unlocks == 2

    sim.expire_tokens()
    await miner.set_mining(False)
    assert sim.state.mining is False
    assert sim.unlocks == 3

    # Expiry by age, as the firmware's tokens do.
    sim.state.clock = time.time()
    await miner.read()
    sim.state.clock += sim.token_ttl + 1
    await miner.set_work_mode(str(_tuned(model)[0]))
    assert sim.preset_name == str(_tuned(model)[0])
    assert sim.unlocks == 4


async def test_screen_lock_closes_public_endpoints(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """Public reads that answer 401 are retried with the token, and need the password."""
    sim = await _start(simulate, "S19j Pro")
    sim.screen_lock = True
    miner = await _connect(session, sim.host)
    assert miner.identity.mac == sim.state.mac
    snap = await miner.read()
    assert snap.hashrate == pytest.approx(sim.state.hashrate, abs=1e-5)
    assert snap.fault_light is False
    await miner.set_fault_light(True)
    assert sim.state.fault_light is True
    sim.state.password = "secret"
    sim.expire_tokens()
    with pytest.raises(MinerAuthenticationError):
        await _connect(session, sim.host)
    with pytest.raises(MinerAuthenticationError):
        await miner.read()


async def test_token_is_sent_as_bearer(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """The OpenAPI document's ``Bearer``; the simulator refuses a bare token like that."""
    sim = await _start(simulate, "S19")
    miner = await _connect(session, sim.host)
    backend = miner.backend
    assert isinstance(backend, V1_2Backend)
    token = (await backend.api.auth.headers())["Authorization"].removeprefix("Bearer ")
    url = f"http://{sim.host}:{DRIVER_PORTS.web}/api/v1/settings"
    async with session.get(url, headers={"Authorization": token}) as resp:
        assert resp.status == 401
    async with session.get(url, headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status == 200


# -- faults ---------------------------------------------------------------------------


@by_model
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(FaultKind.RESET), MinerConnectionError),
        (Fault(FaultKind.SILENCE), MinerTimeoutError),
        (Fault(FaultKind.DELAY, 3), MinerTimeoutError),
        (Fault(FaultKind.TRUNCATE), MinerConnectionError),
        (Fault(FaultKind.MALFORMED), MinerResponseError),
    ],
    ids=lambda v: v.kind.value if isinstance(v, Fault) else v.__name__,
)
async def test_faults(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    model: str,
    fault: Fault,
    error: type[Exception],
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    await miner.read()  # token in hand: the fault hits the reads themselves
    miner.ctx.timeout = 0.5
    sim.state.fault = fault
    calls = [
        miner.read,
        lambda: miner.set_fault_light(True),
        lambda: miner.set_power_limit(_tuned(model)[0]),
        miner.check_credentials,  # the unlock itself
    ]
    for call in calls:
        started = time.monotonic()
        with pytest.raises(error):
            await call()
        assert time.monotonic() - started < 1.5  # one request's deadline, not more
    assert sim.state.fault_light is False
    assert sim.state.power_limit == PROFILES[model].default_preset

    sim.state.fault = None
    snap = await miner.read()  # recovers on the next poll
    assert snap.hashrate == pytest.approx(sim.state.hashrate, abs=1e-5)
