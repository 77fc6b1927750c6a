"""Pools on every simulated model: read as the simulator's state, failover, writes.

The rows are the contract table's (``test_contract.CASES``). Reads: the configured
pools in order, the one mined on, a pool killed by a fault read dead and the miner
failing over to the next. Writes, on every row whose firmware has them (``Control.POOLS``
/ ``SWITCH_POOL``): set and switch round-trip to the simulator's state, bad URLs are
refused before anything is sent, and a write whose read-back fails is undone.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver import Credentials, PoolConfig, parse_pool_url
from custom_components.asic_miner.driver.exceptions import (
    MinerResponseError,
    MinerUnsupportedError,
    MinerValueError,
)
from custom_components.asic_miner.driver.families.antminer import client as cgi_client
from custom_components.asic_miner.driver.families.avalon.setpool import saved_pool, setpool_option
from custom_components.asic_miner.driver.families.epic.pools import coin_body, pool_configs
from custom_components.asic_miner.driver.models import Algorithm, Control
from custom_components.asic_miner.driver.pools import checked_pools
from simulator.miner import SimMiner
from tests.driver.conftest import SimFactory
from tests.driver.test_contract import CASES, Case, _connect, _start, by_case

NEW = [
    PoolConfig("stratum+tcp://new.example.net:3333", "owner.rig1", "secret-1"),
    PoolConfig("stratum+tcp://backup.example.net:4444", "owner.rig1", "secret-2"),
]


def _pairs(sim: SimMiner) -> list[tuple[str, str]]:
    return [(p.url, p.user) for p in sim.state.pools]


@by_case
async def test_pools_read_as_simulated(
    simulate: SimFactory, session: aiohttp.ClientSession, case: Case
) -> None:
    """Every configured pool in order, the one mined on active, dead ones dead."""
    sim = await _start(simulate, case)
    miner = await _connect(session, sim)
    snap = await miner.read()
    assert [(p.url, p.user) for p in snap.pools] == _pairs(sim)
    assert [p.active for p in snap.pools] == [True, False]
    assert snap.active_pool is not None
    assert snap.active_pool.index == snap.pools[0].index
    # A fault kills the first pool: the miner fails over to the next alive one.
    sim.state.pools[0].alive = False
    snap = await miner.read()
    assert [p.active for p in snap.pools] == [False, True]
    assert snap.pools[0].alive is not True
    assert snap.pools[1].alive is not False


def _writes(control: Control) -> list[Any]:
    return [pytest.param(c, id=c.id) for c in CASES if control in c.controls]


@pytest.mark.parametrize("case", _writes(Control.POOLS))
async def test_set_pools_round_trip(
    simulate: SimFactory, session: aiohttp.ClientSession, case: Case
) -> None:
    sim = await _start(simulate, case)
    miner = await _connect(session, sim)
    await miner.read()
    await miner.set_pools(NEW)
    assert _pairs(sim)[: len(NEW)] == [(p.url, p.user) for p in NEW]
    assert [p.password for p in sim.state.pools[: len(NEW)]] == [p.password for p in NEW]
    if miner.restarts_after(Control.POOLS):  # the firmware restarts to take them
        sim.state.reboot_until = 0
    snap = await miner.read()
    assert [(p.url, p.user) for p in snap.pools][: len(NEW)] == [(p.url, p.user) for p in NEW]
    assert snap.active_pool is not None
    assert snap.active_pool.url == NEW[0].url


@pytest.mark.parametrize("case", _writes(Control.SWITCH_POOL))
async def test_switch_pool_round_trip(
    simulate: SimFactory, session: aiohttp.ClientSession, case: Case
) -> None:
    sim = await _start(simulate, case)
    miner = await _connect(session, sim)
    snap = await miner.read()
    second = snap.pools[1]
    await miner.switch_pool(second.index)
    assert sim.state.current_pool() == 1
    snap = await miner.read()
    assert snap.active_pool is not None
    assert snap.active_pool.url == second.url
    with pytest.raises(MinerValueError, match="no pool 7"):
        await miner.switch_pool(7)


@pytest.mark.parametrize("case", _writes(Control.POOLS))
async def test_set_pools_restores_on_failed_read_back(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    case: Case,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fault between the write and the read-back: the old pools are written again."""
    sim = await _start(simulate, case)
    miner = await _connect(session, sim)
    await miner.read()
    before = _pairs(sim)
    backend: Any = miner.backend

    async def failing_read_back() -> list[PoolConfig]:
        raise MinerResponseError("connection lost")

    monkeypatch.setattr(backend, "read_back_pools", failing_read_back)
    with pytest.raises(MinerResponseError, match="previous pools are restored") as err:
        await miner.set_pools(NEW)
    assert "secret" not in str(err.value)
    assert _pairs(sim) == before
    snap = await miner.read()
    assert [(p.url, p.user) for p in snap.pools] == before


@pytest.mark.parametrize("case", _writes(Control.POOLS))
async def test_set_pools_refuses_bad_urls_before_sending(
    simulate: SimFactory, session: aiohttp.ClientSession, case: Case
) -> None:
    sim = await _start(simulate, case)
    miner = await _connect(session, sim)
    await miner.read()
    before = _pairs(sim)
    for bad in (
        [PoolConfig("http://pool.example.net:3333", "u")],
        [PoolConfig("stratum+tcp://pool.example.net", "u")],
        [PoolConfig("stratum+tcp://pool.example.net:3333", "")],
        [],
        [*NEW, *NEW],
    ):
        with pytest.raises(MinerValueError):
            await miner.set_pools(bad)
    assert _pairs(sim) == before


@by_case
async def test_pool_writes_refused_without_the_control(
    simulate: SimFactory, session: aiohttp.ClientSession, case: Case
) -> None:
    if Control.POOLS in case.controls and Control.SWITCH_POOL in case.controls:
        pytest.skip("has both pool controls")
    sim = await _start(simulate, case)
    miner = await _connect(session, sim)
    await miner.read()
    before = _pairs(sim)
    if Control.POOLS not in case.controls:
        with pytest.raises(MinerUnsupportedError):
            await miner.set_pools(NEW)
    if Control.SWITCH_POOL not in case.controls:
        with pytest.raises(MinerUnsupportedError):
            await miner.switch_pool(1)
    assert _pairs(sim) == before


@pytest.mark.parametrize(
    "url",
    [
        "stratum+tcp://pool.example.net:3333",
        "stratum+ssl://198.51.100.7:443",
        "stratum+tls://pool.example.net:3334",
        "stratum2+tcp://v2.example.net:3336/9awtMD5KQgvRUh2yFbjVeT7b6hjipWcAsQHd6wEhgtDT9soosna",
        "stratum+tcp://[2001:db8::1]:3333",
        "  stratum+tcp://pool.example.net:3333  ",
    ],
)
def test_pool_url_accepted(url: str) -> None:
    assert parse_pool_url(url) == url.strip()


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("", "1 to 255"),
        ("pool.example.net:3333", "scheme://host:port"),
        ("stratum+tcp://pool.example.net", "scheme://host:port"),
        ("stratum+tcp://pool.example.net:0", "1 to 65535"),
        ("stratum+tcp://pool.example.net:70000", "1 to 65535"),
        ("http://pool.example.net:3333", "scheme must be"),
        ("stratum+tcp://pool.example.net:3333/key", "Stratum V2"),
        ("stratum+tcp://pool,example.net:3333", "scheme://host:port"),
        ("stratum+tcp://" + "a" * 250 + ":3333", "1 to 255"),
    ],
)
def test_pool_url_refused(url: str, why: str) -> None:
    with pytest.raises(MinerValueError, match=why):
        parse_pool_url(url)


def test_checked_pools_never_repeat_a_password() -> None:
    with pytest.raises(MinerValueError) as err:
        checked_pools([PoolConfig("stratum+tcp://p.example.net:3333", "u", "bad pass,word")])
    assert "bad pass" not in str(err.value)
    assert "pass,word" not in repr(PoolConfig("stratum+tcp://p.example.net:3333", "u", "pass,word"))
    (pool,) = checked_pools([PoolConfig(" stratum+tcp://p.example.net:3333 ", " u ", "")])
    assert (pool.url, pool.user, pool.password) == ("stratum+tcp://p.example.net:3333", "u", "x")
    with pytest.raises(MinerValueError, match="at most 2"):
        checked_pools(NEW * 2, 2)


LUXOS_CASE = next(c for c in CASES if c.family == "luxos")


async def test_restore_that_fails_too_says_so(
    simulate: SimFactory, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = await _start(simulate, LUXOS_CASE)
    miner = await _connect(session, sim)
    await miner.read()
    backend: Any = miner.backend
    read, write = backend.read_pool_configs, backend.write_pools
    reads = writes = 0

    async def failing_read() -> list[PoolConfig]:
        nonlocal reads
        reads += 1
        if reads == 2:
            raise MinerResponseError("connection lost")
        result: list[PoolConfig] = await read()
        return result

    async def failing_restore(pools: Any) -> None:
        nonlocal writes
        writes += 1
        if writes == 2:
            raise MinerResponseError("miner gone")
        await write(pools)

    monkeypatch.setattr(backend, "read_pool_configs", failing_read)
    monkeypatch.setattr(backend, "write_pools", failing_restore)
    with pytest.raises(MinerResponseError, match="restoring the previous pools failed too"):
        await miner.set_pools(NEW)


async def test_nothing_to_restore_on_a_miner_without_pools(
    simulate: SimFactory, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = await _start(simulate, LUXOS_CASE)
    miner = await _connect(session, sim)
    await miner.read()
    backend: Any = miner.backend

    async def no_pools() -> list[PoolConfig]:
        return []

    async def refused(pools: Any) -> None:
        raise MinerResponseError("addpool refused")

    monkeypatch.setattr(backend, "read_pool_configs", no_pools)
    monkeypatch.setattr(backend, "write_pools", refused)
    with pytest.raises(MinerResponseError, match="addpool refused") as err:
        await miner.set_pools(NEW)
    assert "restored" not in str(err.value)


async def test_switch_not_taken_switches_back(
    simulate: SimFactory, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The firmware answers but keeps mining on the old pool: switched back, an error."""
    sim = await _start(simulate, LUXOS_CASE)
    miner = await _connect(session, sim)
    await miner.read()
    backend: Any = miner.backend
    switch = backend.switch_pool
    asked: list[int] = []

    async def ignored(index: int) -> None:
        asked.append(index)
        if len(asked) > 1:
            await switch(index)

    monkeypatch.setattr(backend, "switch_pool", ignored)
    with pytest.raises(MinerResponseError, match="did not become the first"):
        await miner.switch_pool(1)
    assert asked == [1, 0]
    assert sim.state.current_pool() == 0


AVALON_CASE = next(c for c in CASES if c.family == "avalon")
BRAIINS_REST_CASE = next(c for c in CASES if c.family == "braiins" and c.backend == "rest")


async def test_avalon_switchpool_refusal_is_an_error(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """cgminer answers a pool number it lacks with STATUS "E": never taken as done."""
    sim = await _start(simulate, AVALON_CASE)
    miner = await _connect(session, sim)
    await miner.read()
    with pytest.raises(MinerResponseError, match="Invalid pool id 5"):
        await miner.backend.switch_pool(5)
    assert sim.state.current_pool() == 0


async def test_braiins_rest_writes_one_group_named_as_before(
    simulate: SimFactory, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pools/batch`` gets one group under the name the first group had; a refusal
    (HTTP 400) is the user's value to fix, named after the control, no password in it."""
    sim = await _start(simulate, BRAIINS_REST_CASE)
    miner = await _connect(session, sim)
    await miner.read()
    backend: Any = miner.backend
    put = backend.api.put
    sent: list[Any] = []

    async def recording_put(path: str, body: Any = None) -> Any:
        sent.append(body)
        return await put(path, body)

    monkeypatch.setattr(backend.api, "put", recording_put)
    await miner.set_pools(NEW)
    (group,) = sent[0]
    assert group["name"] == "default"
    assert [p["password"] for p in group["pools"]] == ["secret-1", "secret-2"]
    with pytest.raises(MinerValueError, match="pools: the miner refused") as err:
        await backend.write_pools([PoolConfig("stratum+tcp://p.example.net:3333", "", "secret")])
    assert "secret" not in str(err.value)


def test_epic_coin_body_and_stratum_configs() -> None:
    """The coin follows the algorithm; ``unique_id`` stays as the miner has it (off where
    it says nothing); a summary without ``StratumConfigs`` is unknown, never "no pools"."""
    body = coin_body(NEW[:1], Algorithm.SCRYPT, {"Stratum": {"Worker Unique Id": True}})
    assert (body["coin"], body["unique_id"]) == ("LTC", True)
    assert body["stratum_configs"] == [
        {"pool": NEW[0].url, "login": "owner.rig1", "password": "secret-1"}
    ]
    assert coin_body(NEW, Algorithm.SHA256, {})["unique_id"] is False
    with pytest.raises(MinerResponseError, match="StratumConfigs"):
        pool_configs({})
    summary = {"StratumConfigs": [{"pool": "", "login": "u"}, {"pool": NEW[0].url}]}
    assert [(p.url, p.user, p.password) for p in pool_configs(summary)] == [(NEW[0].url, "", "")]


BRAIINS_GRAPHQL_CASE = next(c for c in CASES if c.family == "braiins" and c.backend == "graphql")


async def test_braiins_graphql_saves_then_restarts(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """``updateGroups`` only saves: the saved pools (passwords too) read back before the
    restart that puts them to work; an empty group is refused in the firmware's words."""
    sim = await _start(simulate, BRAIINS_GRAPHQL_CASE)
    miner = await _connect(session, sim)
    await miner.read()
    backend: Any = miner.backend
    before = _pairs(sim)
    await backend.write_pools(NEW)
    assert _pairs(sim) == before  # still mining on the old ones
    saved = await backend.read_pool_configs()
    assert [(p.url, p.user, p.password) for p in saved] == [
        (p.url, p.user, p.password) for p in NEW
    ]
    await backend.apply_pools()
    assert _pairs(sim) == [(p.url, p.user) for p in NEW]
    with pytest.raises(MinerValueError, match="pools: the miner refused: a group needs a pool"):
        await backend.write_pools([])


AVALON_RACK_CASE = next(c for c in CASES if c.family == "avalon" and c.backend == "rack")


async def test_avalon_setpool_saves_for_the_reboot(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """``setpool`` saves slot by slot; ``pools`` shows the old ones until the reboot the
    write ends with, then the new ones; the reply's echo is the read-back."""
    sim: Any = await _start(simulate, AVALON_RACK_CASE)
    miner = await _connect(session, sim)
    await miner.read()
    backend: Any = miner.backend
    before = _pairs(sim)
    await backend.write_pools(NEW)
    assert _pairs(sim) == before  # saved, not in use
    assert [(p.url, p.user) for p in await backend.read_back_pools()] == [
        (p.url, p.user) for p in NEW
    ]
    assert sim.state.reboots == 0
    await backend.apply_pools()
    assert sim.state.reboots == 1
    assert _pairs(sim) == [(p.url, p.user) for p in NEW]
    assert ("ascset", "0,reboot,0") in sim.requests


async def test_avalon_setpool_echo_not_matching_is_restored(
    simulate: SimFactory, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Firmware that saves something else than was sent (e.g. takes the slot for the
    URL): the old pools are saved again and the miner is not rebooted."""
    sim: Any = await _start(simulate, AVALON_RACK_CASE)
    miner = await _connect(session, sim)
    await miner.read()
    backend: Any = miner.backend
    command = backend.client.command

    async def misreading(name: str, parameter: str | None = None, **kw: Any) -> Any:
        if parameter and "new.example.net" in parameter:
            parameter = parameter.replace("new.example.net", "other.example.net")
        return await command(name, parameter, **kw)

    monkeypatch.setattr(backend.client, "command", misreading)
    with pytest.raises(MinerResponseError, match="previous pools are restored"):
        await miner.set_pools(NEW)
    assert sim.state.reboots == 0
    assert [(p.url, p.user) for p in sim.saved_pools] == _pairs(sim)


async def test_avalon_setpool_refusal_never_repeats_a_password(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """A wrong web login is refused in the firmware's words, the passwords starred."""
    sim: Any = await _start(simulate, AVALON_RACK_CASE)
    miner = await _connect(session, sim, Credentials("root", "secret-web"))
    await miner.read()
    with pytest.raises(MinerResponseError, match="username or password error") as err:
        await miner.set_pools(NEW)
    assert "secret" not in str(err.value)
    assert sim.state.reboots == 0
    with pytest.raises(MinerValueError, match="web login"):
        setpool_option(("root", "a,b"), 0, NEW[0])


def test_avalon_setpool_reply_without_echo_is_a_refusal() -> None:
    reply = {"STATUS": [{"STATUS": "I", "Code": 118, "Msg": "ASC 0 set info: secret-1"}]}
    with pytest.raises(MinerResponseError, match="no pool saved") as err:
        saved_pool(reply, "192.0.2.1 setpool 0")
    assert "secret" not in str(err.value)
    with pytest.raises(MinerResponseError, match="code None"):
        saved_pool("garbage", "192.0.2.1 setpool 0")


async def test_avalon_failed_reboot_says_the_pools_wait(
    simulate: SimFactory, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim: Any = await _start(simulate, AVALON_RACK_CASE)
    miner = await _connect(session, sim)
    await miner.read()
    backend: Any = miner.backend

    async def refused() -> None:
        raise MinerResponseError("reboot refused")

    monkeypatch.setattr(backend, "reboot", refused)
    with pytest.raises(MinerResponseError, match="take effect at the next reboot"):
        await miner.set_pools(NEW)
    assert [(p.url, p.user) for p in sim.saved_pools][:2] == [(p.url, p.user) for p in NEW]


ELPHAPEX_CASE = next(c for c in CASES if c.family == "elphapex")


async def test_elphapex_sends_the_configuration_back_with_both_pool_shapes(
    simulate: SimFactory, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every ``fc-`` key goes back as read; the pools go as pyasic's ``pools`` list and as
    asic-rs's ``pool<n>url`` keys, padded to three; a pool given without a password keeps
    the one read for it."""
    sim = await _start(simulate, ELPHAPEX_CASE)
    miner = await _connect(session, sim)
    await miner.read()
    cgi = cgi_client.cgi  # Elphapex's write_conf is the Antminer CGI client's
    sent: list[Any] = []

    async def recording(web: Any, what: str, path: str, **kw: Any) -> Any:
        sent.append(kw["json_body"])
        return await cgi(web, what, path, **kw)

    monkeypatch.setattr(cgi_client, "cgi", recording)
    old = sim.state.pools[0]
    await miner.set_pools([PoolConfig(old.url, old.user, ""), NEW[1]])
    body = sent[0]
    assert body["fc-freq"] == "1850"
    assert body["fc-voltage"] == "1470"
    assert [p["url"] for p in body["pools"]] == [old.url, NEW[1].url, ""]
    assert (body["pool0pw"], body["pool1pw"], body["pool2url"]) == (old.password, "secret-2", "")
    assert _pairs(sim) == [(old.url, old.user), (NEW[1].url, NEW[1].user)]


AURADINE_CASE = next(c for c in CASES if c.family == "auradine")


async def test_auradine_updatepools_sends_x_for_no_password(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """asic-rs's ``updatepools`` body; a pool without a password goes as ``x``, and a
    refusal is the firmware's word, the control named."""
    sim = await _start(simulate, AURADINE_CASE)
    miner = await _connect(session, sim)
    await miner.read()
    backend: Any = miner.backend
    await backend.write_pools([PoolConfig(NEW[0].url, NEW[0].user, "")])
    assert [(p.url, p.password) for p in sim.state.pools] == [(NEW[0].url, "x")]
    with pytest.raises(MinerResponseError, match="pools: the miner refused: Invalid pools"):
        await backend.write_pools([])
