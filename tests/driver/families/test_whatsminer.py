"""Whatsminer against the simulator: API v2 (M30S+) and API v3 (M60S).

Identification, snapshot against the simulated state, every control through the real
cryptography, credentials, the disabled write API, and each wire fault.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

import aiohttp
import pytest

from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerResponseError,
    MinerTimeoutError,
    MinerValueError,
    MinerWriteDisabledError,
)
from custom_components.asic_miner.driver.families.whatsminer import FAMILY
from custom_components.asic_miner.driver.families.whatsminer.client_v3 import WhatsminerV3Client
from custom_components.asic_miner.driver.families.whatsminer.parse import (
    error_entries,
    firmware_date,
    parse_model,
    speaks_v3,
)
from custom_components.asic_miner.driver.families.whatsminer.v2 import ApiV2Backend
from custom_components.asic_miner.driver.families.whatsminer.v3 import ApiV3Backend
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Credentials, MinerErrorEntry
from custom_components.asic_miner.driver.transports.json_scan import is_complete
from simulator.families.whatsminer import WhatsminerSim
from simulator.faults import Fault, FaultKind
from simulator.state import SimPool
from tests.driver.conftest import DRIVER_PORTS, SimFactory

MODELS = [("M30S+", "api_v2"), ("M60S", "api_v3")]
MODEL_IDS = ["m30s_plus-api_v2", "m60s-api_v3"]


async def _start(simulate: SimFactory, model: str, **overrides: Any) -> WhatsminerSim:
    return cast(WhatsminerSim, await simulate("whatsminer", model, **overrides))


async def _connect(session: aiohttp.ClientSession, host: str, **kwargs: Any) -> Miner:
    return await Miner.connect(host, session, ports=DRIVER_PORTS, **kwargs)


# -- identification and reading ------------------------------------------------------


@pytest.mark.parametrize(("model", "backend"), MODELS, ids=MODEL_IDS)
async def test_read_details(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str, backend: str
) -> None:
    """Error codes (explained by v3), the system's uptime on v2, the fixed work modes,
    PCB serials, chip frequency and the PSU fan; the rest is the contract test's."""
    sim = await _start(simulate, model)
    sim.state.errors = [("110", "Fan speed error"), ("218", "Board 1 overheat")]
    miner = await _connect(session, sim.host)
    assert miner.family is FAMILY
    assert miner.identity.firmware_version == sim.profile.firmware

    snap = await miner.read()
    state = sim.state
    # API v2 reports the system's uptime (btminer's own Elapsed is 40 s shorter here).
    system_offset = 40 if backend == "api_v2" else 0
    assert snap.uptime == pytest.approx(state.uptime + system_offset, abs=2)
    assert snap.work_mode == "normal"
    assert snap.work_modes == ("low", "normal", "high")
    for board in snap.boards:
        assert board.frequency == sim.profile.frequency
        assert board.serial == sim.pcb_serial(board.index)
    assert [f.rpm for f in snap.fans if f.psu] == [sim.psu_fan()]
    assert [e.code for e in snap.errors] == ["110", "218"]
    if backend == "api_v3":  # v3 firmware explains its codes
        assert [e.message for e in snap.errors] == ["Fan speed error", "Board 1 overheat"]


async def test_v3_firmware_answers_get_version_on_4028(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """v3 firmware keeps get_version on 4028 (pyasic and asic-rs detect v3 by its date)."""
    sim = await _start(simulate, "M60S")
    miner = await _connect(session, sim.host)
    assert miner.identity.backend == "api_v3"
    assert miner.identity.model == "M60S"
    assert miner.identity.firmware_version == sim.profile.firmware
    assert (await miner.read()).hashrate == pytest.approx(sim.state.hashrate)


async def test_v3_firmware_with_4028_closed(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """Where 4028 is closed, the web fingerprint and get.device.info still identify it."""
    sim = await _start(simulate, "M60S", rpc_4028=False)
    with pytest.raises(OSError):
        await asyncio.open_connection(sim.host, DRIVER_PORTS.rpc)
    miner = await _connect(session, sim.host)
    assert miner.identity.backend == "api_v3"
    assert miner.identity.model == "M60S"


async def test_web_root_fingerprint(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await _start(simulate, "M30S+")
    url = f"http://{sim.host}:{DRIVER_PORTS.web}/"
    async with session.get(url, allow_redirects=False) as resp:
        assert resp.status == 307
        assert resp.headers["Location"].startswith("https://")
        assert "/cgi-bin/luci" in await resp.text()


async def test_wrong_password_still_identifies(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """Reads need no login, so a miner with a changed password is still recognised."""
    sim = await _start(simulate, "M30S+", password="changed")
    miner = await _connect(session, sim.host)
    assert miner.identity.model == "M30S+"
    assert (await miner.read()).hashrate is not None


async def test_power_sentinel_is_unknown(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "M30S+", power_unknown=True)
    snap = await (await _connect(session, sim.host)).read()
    assert snap.power is None
    assert snap.efficiency is None
    assert snap.hashrate == pytest.approx(sim.state.hashrate)


async def test_factory_hash_sentinel_is_unknown(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "M60S", factory_hash_unknown=True)
    snap = await (await _connect(session, sim.host)).read()
    assert snap.expected_hashrate is None
    assert snap.hashrate == pytest.approx(sim.state.hashrate)


async def test_v2_poll_cost(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    """summary+devs+pools on one connection, one get_*/status beside it once warm."""
    sim = await _start(simulate, "M30S+")
    sim.state.errors = [("110", "Fan speed error")]
    miner = await _connect(session, sim.host)
    before = miner.ctx.rpc_stats.connections
    first = await miner.read()
    assert miner.ctx.rpc_stats.connections - before == 3  # + status + get_error_code
    assert first.mining is True
    assert [e.code for e in first.errors] == ["110"]
    assert first.fault_light is None  # read on the next poll
    assert ApiV2Backend.RPC_MULTICOMMAND
    for _ in range(4):
        before = miner.ctx.rpc_stats.connections
        snap = await miner.read()
        assert miner.ctx.rpc_stats.connections - before == 2
        assert snap.mining is True
        assert [e.code for e in snap.errors] == ["110"]
        assert snap.fault_light is False
    # A control makes what it changed due on the very next poll.
    await miner.set_mining(False)
    assert (await miner.read()).mining is False
    # Switched from elsewhere: the summary's rate contradicts the kept switch, so
    # status is read on the very next poll, still on 2 connections.
    await miner.read()
    sim.state.mining = True
    before = miner.ctx.rpc_stats.connections
    assert (await miner.read()).mining is True
    assert miner.ctx.rpc_stats.connections - before == 2


async def test_v2_multicommand_refused_falls_back(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """A release refusing a+b is read one command per connection from then on."""
    sim = await _start(simulate, "M30S+")
    miner = await _connect(session, sim.host)
    sim._multicommand = lambda commands: sim._flat_error(14, "invalid cmd")  # type: ignore[method-assign]
    snap = await miner.read()
    assert snap.hashrate == pytest.approx(sim.state.hashrate)
    assert len(snap.boards) == 3
    assert not miner.backend.multicommand_ok


async def test_v2_one_cut_multicommand_keeps_the_combination(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """A reply cut short once is one bad poll, not a release that refuses a+b."""
    sim = await _start(simulate, "M30S+")
    miner = await _connect(session, sim.host)
    await miner.read()
    whole = sim._multicommand
    cut = {"left": 1}

    def once_cut(commands: list[str]) -> bytes:
        reply = whole(commands)
        if cut["left"]:
            cut["left"] -= 1
            return reply[: len(reply) // 2]
        return reply

    sim._multicommand = once_cut  # type: ignore[method-assign]
    snap = await miner.read()  # this poll falls back to single commands
    assert snap.hashrate == pytest.approx(sim.state.hashrate)
    assert len(snap.boards) == 3
    assert miner.backend.multicommand_ok
    await miner.read()
    before = miner.ctx.rpc_stats.connections
    await miner.read()
    assert miner.ctx.rpc_stats.connections - before == 2  # multicommand + one side read


async def test_v1_errors_from_summary(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    """API 1.x: error codes counted in summary; no get_error_code, no get_miner_info."""
    sim = await _start(simulate, "M20S")
    sim.state.errors = [("110", "Fan speed error"), ("600", "Env temp too high")]
    miner = await _connect(session, sim.host)
    assert miner.identity.api_version == "1.4.0"
    assert miner.identity.model == "M20S"
    assert miner.identity.mac == sim.state.mac
    snap = await miner.read()
    assert [e.code for e in snap.errors] == ["110", "600"]
    assert snap.fault_light is None  # API 1.x does not report the light
    assert snap.mining is True
    for _ in range(3):
        before = miner.ctx.rpc_stats.connections
        snap = await miner.read()
        assert miner.ctx.rpc_stats.connections - before == 2  # multicommand + status
        assert [e.code for e in snap.errors] == ["110", "600"]
    sim.state.errors = []
    cleared = (await miner.read()).errors
    assert cleared is not None
    assert len(cleared) == 0  # the miner said "no errors"
    sim.state.mining = False
    assert (await miner.read()).mining is False


# -- controls ------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "backend"), MODELS, ids=MODEL_IDS)
async def test_work_modes_and_power_limit(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str, backend: str
) -> None:
    """Every work mode lands in the state; API v2 reboots to apply a power limit. The
    generic round trips are the contract test's."""
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    state = sim.state
    for mode in ("low", "high", "normal"):
        await miner.set_work_mode(mode)
        assert state.work_mode == mode
        assert (await miner.read()).work_mode == mode
    with pytest.raises(MinerValueError):
        await miner.set_work_mode("turbo")

    await miner.set_power_limit(3000)
    assert state.power_limit == 3000
    assert state.reboots == (1 if backend == "api_v2" else 0)  # btminer reboots to apply it


async def test_v2_write_parameters_are_strings(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """The simulator refuses integers where btminer wants strings; check what was sent."""
    sim = await _start(simulate, "M30S+")
    miner = await _connect(session, sim.host)
    await miner.set_mining(False)
    await miner.set_power_limit(2500)
    assert sim.privileged_commands == ["power_off", "adjust_power_limit"]
    assert sim.state.power_limit == 2500


async def test_v2_token_is_kept_and_renewed(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "M30S+")
    miner = await _connect(session, sim.host)
    backend = miner.backend
    assert isinstance(backend, ApiV2Backend)

    await miner.set_fault_light(True)
    await miner.set_fault_light(False)
    assert sim.tokens_issued == 1  # one get_token serves several commands

    sim.expire_tokens()  # the miner forgot it (reboot): refused once, renewed, retried
    await miner.set_fault_light(True)
    assert sim.tokens_issued == 2
    assert sim.state.fault_light is True

    now = time.monotonic()
    backend.api.clock = lambda: now + 31 * 60  # half an hour later the kept one is dropped
    await miner.set_fault_light(False)
    assert sim.tokens_issued == 3


@pytest.mark.parametrize(("model", "backend"), MODELS, ids=MODEL_IDS)
async def test_check_credentials(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str, backend: str
) -> None:
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    await miner.check_credentials()
    assert sim.state.fault_light is False  # proving the password changed nothing
    await miner.set_fault_light(True)
    await miner.check_credentials()
    assert sim.state.fault_light is True


@pytest.mark.parametrize(("model", "backend"), MODELS, ids=MODEL_IDS)
async def test_wrong_password(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str, backend: str
) -> None:
    sim = await _start(simulate, model, password="secret")
    miner = await _connect(session, sim.host)
    with pytest.raises(MinerAuthenticationError) as err:
        await miner.check_credentials()
    assert "secret" not in str(err.value)
    with pytest.raises(MinerAuthenticationError):
        await miner.set_mining(False)
    assert sim.state.mining is True

    user = "super" if backend == "api_v3" else None
    good = await _connect(session, sim.host, credentials=Credentials(user, "secret"))
    await good.check_credentials()
    await good.set_mining(False)
    assert sim.state.mining is False


async def test_v3_wrong_account(simulate: SimFactory, session: aiohttp.ClientSession) -> None:
    sim = await _start(simulate, "M60S")
    miner = await _connect(session, sim.host, credentials=Credentials("admin", "super"))
    with pytest.raises(MinerAuthenticationError):
        await miner.set_fault_light(True)


@pytest.mark.parametrize(("model", "backend"), MODELS, ids=MODEL_IDS)
async def test_write_api_disabled(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str, backend: str
) -> None:
    sim = await _start(simulate, model, write_api_enabled=False)
    miner = await _connect(session, sim.host)
    with pytest.raises(MinerWriteDisabledError) as err:
        await miner.set_fault_light(True)
    assert "WhatsMinerTool" in str(err.value)
    assert "password" in str(err.value)
    assert sim.state.fault_light is False
    with pytest.raises(MinerWriteDisabledError):
        await miner.check_credentials()
    # Reading does not need the write API.
    assert (await miner.read()).hashrate == pytest.approx(sim.state.hashrate)


# -- transports ------------------------------------------------------------------------


async def test_v3_pools_param_is_encrypted(simulate: SimFactory) -> None:
    sim = await _start(simulate, "M60S")
    client = WhatsminerV3Client(sim.host, DRIVER_PORTS.whatsminer_v3, timeout=2.0)
    pools = [
        {"pool": "stratum+tcp://new.example:3333", "worker": "farm.w7", "passwd": "x"},
        {"pool": "stratum+tcp://spare.example:3333", "worker": "farm.w7", "passwd": "y"},
    ]
    assert await client.set("set.miner.pools", pools) == "ok"
    assert sim.state.pools == [
        SimPool("stratum+tcp://new.example:3333", "farm.w7", "x"),
        SimPool("stratum+tcp://spare.example:3333", "farm.w7", "y"),
    ]


async def test_v3_salt_is_kept_and_refreshed(simulate: SimFactory) -> None:
    sim = await _start(simulate, "M60S")
    client = WhatsminerV3Client(sim.host, DRIVER_PORTS.whatsminer_v3, timeout=2.0)
    await client.set("set.system.led", "auto")
    before = client.connections
    await client.set("set.system.led", "auto")
    assert client.connections - before == 1  # the salt was not fetched again
    sim.salt = "newSALT1"  # e.g. after a password change on the miner
    await client.set("set.miner.power_mode", "low")
    assert sim.state.work_mode == "low"


async def test_v3_frame_bound(simulate: SimFactory) -> None:
    sim = await _start(simulate, "M60S")
    client = WhatsminerV3Client(
        sim.host, DRIVER_PORTS.whatsminer_v3, timeout=2.0, max_frame_bytes=64
    )
    with pytest.raises(MinerResponseError, match="exceeds"):
        await client.get("get.device.info")


async def test_v3_refused_port_is_not_a_reboot(simulate: SimFactory) -> None:
    """Only a drop after the request went out counts as a successful reboot."""
    sim = await _start(simulate, "M30S+")  # API v2 firmware: nothing listens on 4433
    client = WhatsminerV3Client(sim.host, DRIVER_PORTS.whatsminer_v3, timeout=1.0)
    client._salt = "abcdefgh"
    with pytest.raises(MinerConnectionError):
        await client.set("set.system.reboot")


# -- faults ----------------------------------------------------------------------------

FAULTS = [
    (FaultKind.RESET, MinerConnectionError, MinerConnectionError),
    (FaultKind.SILENCE, MinerTimeoutError, MinerTimeoutError),
    (FaultKind.DELAY, MinerTimeoutError, MinerTimeoutError),
    # btminer's reply has no length: a cut-off one is caught by its open brackets.
    # A v3 frame announces its length, so a cut-off one is a dropped connection.
    (FaultKind.TRUNCATE, MinerResponseError, MinerConnectionError),
    (FaultKind.MALFORMED, MinerResponseError, MinerResponseError),
]


@pytest.mark.parametrize("target", MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("fault", FAULTS, ids=[f[0] for f in FAULTS])
async def test_faults(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    target: tuple[str, str],
    fault: tuple[FaultKind, type[Exception], type[Exception]],
) -> None:
    model, backend = target
    kind, v2_error, v3_error = fault
    sim = await _start(simulate, model)
    miner = await _connect(session, sim.host)
    miner.ctx.timeout = 0.5
    sim.state.fault = Fault(kind, 3.0 if kind is FaultKind.DELAY else 0.0)
    error = v2_error if backend == "api_v2" else v3_error
    started = time.monotonic()
    with pytest.raises(error):
        await miner.read()
    with pytest.raises(error):
        await miner.set_fault_light(True)
    assert time.monotonic() - started < 3.0
    assert sim.state.fault_light is False

    sim.state.fault = None
    assert (await miner.read()).hashrate == pytest.approx(sim.state.hashrate)


# -- parsing helpers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key", "base", "variant"),
    [
        ("M30S+_VE40", "M30S+VE40", "M30S+", "VE40"),
        ("M60S_VK42", "M60SVK40", "M60S", "VK40"),
        ("M30S++_VG30", "M30S++VG30", "M30S++", "VG30"),
        ("M30SVE10", "M30SVE10", "M30S", "VE10"),
        ("M56S", "M56S", "M56S", None),
    ],
)
def test_model_normalisation(raw: str, key: str, base: str, variant: str | None) -> None:
    parsed = parse_model(raw)
    assert parsed is not None
    assert (parsed.key, parsed.base, parsed.variant) == (key, base, variant)


def test_firmware_dates() -> None:
    assert firmware_date("20230803.11.REL") == 20230803
    assert firmware_date("'20210322.22.REL'") == 20210322
    assert speaks_v3("20241101.00.Rel2") is True
    assert speaks_v3("20241031.16.REL") is False
    assert speaks_v3("unknown") is None


def test_error_shapes() -> None:
    assert error_entries([{"218": "2024-06-15 10:30:00"}, 110, "321"]) == [
        MinerErrorEntry("Whatsminer error 218 since 2024-06-15 10:30:00", "218"),
        MinerErrorEntry("Whatsminer error 110", "110"),
        MinerErrorEntry("Whatsminer error 321", "321"),
    ]
    assert error_entries([{"264": "2026-05-23 09:19:10", "reason": "Power xfer error"}]) == [
        MinerErrorEntry("Power xfer error", "264")
    ]
    assert error_entries("btminer process is down err") == [
        MinerErrorEntry("btminer process is down err")
    ]
    assert error_entries({"110": "t1"}) == [MinerErrorEntry("Whatsminer error 110 since t1", "110")]
    assert error_entries([]) == []
    assert error_entries(None) == []


def test_reply_completeness() -> None:
    assert is_complete(b'{"STATUS":"S","Msg":{"a":"}{",},"x":1}')
    assert is_complete(b'{"a":[1,2]}\x00')
    assert not is_complete(b'{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"MHS 1m":1')
    assert not is_complete(b'{"a":"unterminated}')
    assert not is_complete(b'{"a":<<garbage>>\x01\x02}')
    assert not is_complete(b"")
    assert not is_complete(b'{"a":1}}')


def test_backends_newest_first() -> None:
    assert FAMILY.backends[:2] == (ApiV3Backend, ApiV2Backend)
    assert FAMILY.backend("api_v2") is ApiV2Backend
