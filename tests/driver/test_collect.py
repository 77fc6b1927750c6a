"""Turning a data map into requests and a snapshot, with a fake backend.

RPC sources go to a small cgminer-like loopback server (so connection counts are real);
``Web`` and ``Call`` sources come from the backend's own fetchers, faked here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver.collect import (
    _shared_semantics,
    collect,
    fetch_sources,
)
from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import (
    Backend,
    Call,
    Field,
    Location,
    Replies,
    Rpc,
    Web,
    first_of,
)
from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerResponseError,
    MinerTimeoutError,
)
from custom_components.asic_miner.driver.models import (
    Board,
    Control,
    Fan,
    MinerIdentity,
    Pool,
    Ports,
    PowerLimitRange,
)
from custom_components.asic_miner.driver.transports.rpc import RpcClient
from tests.driver.test_rpc import FakeCgminer

SUMMARY = Rpc("summary")
STATS = Rpc("stats")
POOLS = Rpc("pools")
LED = Rpc("ascset", "0,led,1-255")
PAGE = Web("/cgi-bin/status.cgi")
ENERGY = Call("energy")

IDENTITY = MinerIdentity("Bitmain", "S19 Pro", "fake", "Fake OS", "v1")


def _boards(replies: Replies) -> list[Board]:
    stats = replies[STATS]["STATS"][1]
    return [
        Board(index=i, hashrate=stats[f"chain_rate{i}"] / 1000, chips=stats[f"chain_acn{i}"])
        for i in (1, 2, 3)
    ] + [Board(index=4, chips=10, expected_chips=12)]


def _environment(replies: Replies) -> float:
    page = replies.get(PAGE)  # the web page when it answered, else the RPC figure
    if page is not None:
        return float(page["env"])
    return float(replies[SUMMARY]["SUMMARY"][0]["Temperature"])


class FakeBackend(Backend):
    name = "fake"
    DATA_MAP = {
        Field.HASHRATE: Location((SUMMARY,), lambda r: r[SUMMARY]["SUMMARY"][0]["GHS 5s"] / 1000),
        Field.UPTIME: Location((SUMMARY,), lambda r: r[SUMMARY]["SUMMARY"][0]["Elapsed"]),
        Field.BOARDS: Location((STATS,), _boards),
        Field.FANS: Location((STATS,), lambda r: [Fan(1, rpm=r[STATS]["STATS"][1]["fan1"])]),
        Field.POOLS: Location(
            (POOLS,), lambda r: [Pool(p["POOL"], p["URL"]) for p in r[POOLS]["POOLS"]]
        ),
        Field.FAULT_LIGHT: Location((LED,), lambda r: "LED[1]" in r[LED]["STATUS"][0]["Msg"]),
        Field.POWER: Location((PAGE,), lambda r: r[PAGE]["power"]),
        Field.ENVIRONMENT_TEMPERATURE: Location((PAGE, SUMMARY), _environment),
        Field.ENERGY: Location((ENERGY,), lambda r: r[ENERGY]),
        # an extractor with a bug: it must only cost its own field
        Field.EXPECTED_HASHRATE: Location((SUMMARY,), lambda r: 1 / 0),
        Field.WORK_MODES: Location((STATS,), lambda r: ["normal", "low"]),
    }
    CONTROLS = frozenset({Control.REBOOT, Control.POWER_LIMIT})

    def __init__(self, ctx: MinerContext, identity: MinerIdentity = IDENTITY) -> None:
        super().__init__(ctx, identity)
        self.web: Any = {"power": 3250.0, "env": 24.5}
        self.energy: Any = 12.5
        self.web_paths: list[str] = []

    async def fetch_web(self, path: str) -> Any:
        self.web_paths.append(path)
        if isinstance(self.web, Exception):
            raise self.web
        return self.web

    async def fetch_call(self, call: Call) -> Any:
        if isinstance(self.energy, Exception):
            raise self.energy
        return self.energy

    @classmethod
    def power_range_for(cls, identity: MinerIdentity) -> PowerLimitRange | None:
        return PowerLimitRange(1400, 3600, 50)


def _single(command: str, parameter: str | None = None) -> dict[str, Any]:
    if command == "summary":
        return {
            "STATUS": [{"STATUS": "S", "Msg": "Summary"}],
            "SUMMARY": [{"Elapsed": 3600, "GHS 5s": 110000.0, "Temperature": 31.0}],
        }
    if command == "stats":
        return {
            "STATUS": [{"STATUS": "S", "Msg": "Stats"}],
            "STATS": [
                {"BMMiner": "1.0"},
                {
                    "fan1": 5400,
                    **{f"chain_rate{i}": 36000.0 + i for i in (1, 2, 3)},
                    **{f"chain_acn{i}": 114 for i in (1, 2, 3)},
                },
            ],
        }
    if command == "pools":
        return {"STATUS": [{"STATUS": "S"}], "POOLS": [{"POOL": 0, "URL": "stratum+tcp://p:3333"}]}
    if command == "ascset" and parameter == "0,led,1-255":
        return {"STATUS": [{"STATUS": "I", "Msg": "ASC 0 set info: LED[1]"}]}
    return {"STATUS": [{"STATUS": "E", "Msg": "Invalid command"}]}


class Miner:
    """How the fake firmware treats ``a+b`` multicommands."""

    def __init__(self, multi: str = "ok", broken: str | None = None) -> None:
        self.multi = multi  # ok | refuse | hangup | silent | cut_once
        self.broken = broken  # a command whose piece fails inside an accepted multicommand
        self.server = FakeCgminer(self.respond)

    async def respond(self, request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        command = request["command"]
        if "+" in command:
            if self.multi == "hangup":
                return
            if self.multi == "silent":
                await self.server.hold()
                return
            if self.multi == "refuse":
                reply: dict[str, Any] = _single("+")
            else:
                reply = {
                    name: [_single("" if name == self.broken else name)]
                    for name in command.split("+")
                }
            if self.multi == "cut_once":  # half the reply, then the connection closes
                self.multi = "ok"
                whole = json.dumps(reply).encode()
                writer.write(whole[: len(whole) // 2])
                return
        else:
            reply = _single(command, request.get("parameter"))
        writer.write(json.dumps(reply).encode() + b"\x00")

    def commands(self, start: int = 0) -> list[str]:
        return [r["command"] for r in self.server.requests[start:]]


def _ctx(session: aiohttp.ClientSession, server: FakeCgminer, timeout: float = 2.0) -> MinerContext:
    return MinerContext(server.host, session, ports=Ports(rpc=server.port), timeout=timeout)


async def test_full_snapshot_with_multicommand(session: aiohttp.ClientSession) -> None:
    miner = Miner()
    async with miner.server as server:
        backend = FakeBackend(_ctx(session, server))
        snap = await collect(backend)
    assert snap.identity == IDENTITY
    assert snap.hashrate == 110.0
    assert snap.uptime == 3600
    assert snap.power == 3250.0
    assert snap.environment_temperature == 24.5
    assert snap.energy == 12.5
    assert snap.fault_light is True
    assert snap.fans == (Fan(1, rpm=5400),)
    assert snap.pools == (Pool(0, "stratum+tcp://p:3333"),)
    assert snap.work_modes == ("normal", "low")
    assert snap.controls == frozenset({Control.REBOOT, Control.POWER_LIMIT})
    assert snap.power_limit_range == PowerLimitRange(1400, 3600, 50)
    assert isinstance(snap.boards, tuple)
    # the hardware table fills a healthy board's chip count; a firmware figure is kept
    assert [b.expected_chips for b in snap.boards] == [114, 114, 114, 12]
    assert snap.boards[0].hashrate == pytest.approx(36.001)
    # the parameterless commands went as one multicommand, the parameterised one alone
    assert sorted(miner.commands()) == ["ascset", "pools+stats+summary"]
    assert backend.ctx.rpc_stats.connections == 2
    assert backend.multicommand_ok
    assert backend.web_paths == ["/cgi-bin/status.cgi"]


async def test_failing_extractor_leaves_field_none(
    session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    async with Miner().server as server:
        caplog.set_level(logging.DEBUG, logger="custom_components.asic_miner.driver.collect")
        snap = await collect(FakeBackend(_ctx(session, server)))
    assert snap.expected_hashrate is None  # 1 / 0 in its extractor
    assert snap.hashrate == 110.0
    assert "expected_hashrate unavailable: ZeroDivisionError" in caplog.text


@pytest.mark.parametrize("multi", ["refuse", "hangup"])
async def test_multicommand_refusal_falls_back_and_is_remembered(
    session: aiohttp.ClientSession, multi: str
) -> None:
    miner = Miner(multi)
    async with miner.server as server:
        backend = FakeBackend(_ctx(session, server))
        snap = await collect(backend)
        assert snap.hashrate == 110.0
        assert len(snap.boards) == 4
        assert not backend.multicommand_ok
        first = miner.commands()
        assert "pools+stats+summary" in first
        assert sorted(c for c in first if "+" not in c) == ["ascset", "pools", "stats", "summary"]
        assert backend.ctx.rpc_stats.connections == 5

        # second poll: no multicommand attempt at all
        before = len(miner.server.requests)
        snap = await collect(backend)
        assert snap.hashrate == 110.0
        assert sorted(miner.commands(before)) == ["ascset", "pools", "stats", "summary"]
        assert backend.ctx.rpc_stats.connections == 9


async def test_one_cut_multicommand_is_no_refusal(session: aiohttp.ClientSession) -> None:
    """A combined reply cut short once costs that poll's singles, not combining for good."""
    miner = Miner("cut_once")
    async with miner.server as server:
        backend = FakeBackend(_ctx(session, server))
        snap = await collect(backend)
        assert snap.hashrate == 110.0
        assert len(snap.boards) == 4
        assert backend.multicommand_ok
        before = len(miner.server.requests)
        await collect(backend)
        assert sorted(miner.commands(before)) == ["ascset", "pools+stats+summary"]


async def test_backend_without_multicommand(session: aiohttp.ClientSession) -> None:
    class Single(FakeBackend):
        RPC_MULTICOMMAND = False
        RPC_EXTRA = {"new_api": True}

    miner = Miner()
    async with miner.server as server:
        snap = await collect(Single(_ctx(session, server)))
    assert snap.hashrate == 110.0
    assert not any("+" in c for c in miner.commands())
    assert all(r["new_api"] is True for r in miner.server.requests)


async def test_failed_multicommand_piece_costs_only_its_fields(
    session: aiohttp.ClientSession,
) -> None:
    miner = Miner(broken="stats")
    async with miner.server as server:
        backend = FakeBackend(_ctx(session, server))
        snap = await collect(backend)
    assert snap.boards == ()
    assert snap.fans == ()
    assert snap.hashrate == 110.0
    assert backend.multicommand_ok  # the firmware does take multicommands


async def test_silent_miner_is_not_asked_twice(session: aiohttp.ClientSession) -> None:
    miner = Miner("silent")
    async with miner.server as server:
        backend = FakeBackend(_ctx(session, server, timeout=0.5))
        started = time.monotonic()
        snap = await collect(backend)  # the web page still answered
        assert time.monotonic() - started < 1.0  # one deadline, not two
    assert snap.hashrate is None
    assert snap.power == 3250.0
    assert snap.environment_temperature == 24.5
    assert backend.multicommand_ok
    assert snap.fault_light is True  # its own command went beside the multicommand
    # no single commands after the timeout: a silent miner costs one deadline, not two
    assert sorted(miner.commands()) == ["ascset", "pools+stats+summary"]


async def test_multicommand_bug_is_not_hidden(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: RpcClient, commands: tuple[str, ...], **extra: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(RpcClient, "multicommand", broken)
    miner = Miner()
    async with miner.server as server:
        backend = FakeBackend(_ctx(session, server))
        # A bug in a source is a typed error naming the source and the bug, for the
        # fields that need it; the rest of the snapshot stays.
        sources = {Rpc("summary"), Rpc("stats"), Rpc("pools")}
        replies = await fetch_sources(backend, sources)
        for source in sources:
            error = replies[source]
            assert isinstance(error, MinerResponseError)
            assert "RuntimeError('bug')" in str(error)
            assert source.command in str(error)
        snap = await collect(backend)
    assert snap.hashrate is None
    assert snap.fault_light is True
    assert miner.commands() == ["ascset"]  # never retried as single commands


async def test_rpc_side_failing_as_a_whole(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_rpc(self: MinerContext, port: int | None = None) -> RpcClient:
        raise MinerConnectionError("no RPC port configured")

    monkeypatch.setattr(MinerContext, "rpc", no_rpc)
    backend = FakeBackend(MinerContext("127.0.10.9", session))
    snap = await collect(backend)
    assert snap.hashrate is None
    assert snap.fault_light is None
    assert snap.power == 3250.0


async def test_partial_failure_gives_partial_snapshot(session: aiohttp.ClientSession) -> None:
    async with Miner().server as server:
        backend = FakeBackend(_ctx(session, server))
        backend.web = MinerConnectionError("web: connection refused")
        backend.energy = MinerResponseError("energy: bad reply")
        snap = await collect(backend)
    assert snap.power is None
    assert snap.energy is None
    assert snap.hashrate == 110.0
    assert snap.environment_temperature == 31.0  # fell back from the dead web page


@pytest.mark.parametrize("where", ["web", "call"])
async def test_auth_error_anywhere_raises(session: aiohttp.ClientSession, where: str) -> None:
    async with Miner().server as server:
        backend = FakeBackend(_ctx(session, server))
        setattr(backend, "web" if where == "web" else "energy", MinerAuthenticationError("401"))
        with pytest.raises(MinerAuthenticationError):
            await collect(backend)


async def test_only_source_with_error_status_raises(session: aiohttp.ClientSession) -> None:
    class One(FakeBackend):
        DATA_MAP = {Field.HASHRATE: Location((SUMMARY,), lambda r: r[SUMMARY])}

    async def respond(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        writer.write(b'{"STATUS":"E","Code":45,"Msg":"permission denied"}')

    async with FakeCgminer(respond) as server:
        with pytest.raises(MinerResponseError, match="summary: permission denied") as info:
            await collect(One(_ctx(session, server)))
    assert not isinstance(info.value, MinerAuthenticationError)


async def test_all_sources_failing_raises_connection_error(
    session: aiohttp.ClientSession,
) -> None:
    miner = Miner()
    async with miner.server as server:
        ctx = _ctx(session, server)
    # the server is gone: every RPC connection is refused
    backend = FakeBackend(ctx)
    backend.web = MinerResponseError("web: not JSON")
    backend.energy = MinerResponseError("energy: bad reply")
    with pytest.raises(MinerConnectionError) as info:
        await collect(backend)
    assert not isinstance(info.value, MinerTimeoutError)
    assert backend.multicommand_ok  # nothing answered, so nothing was learnt


async def test_all_sources_failing_without_connection_error(
    session: aiohttp.ClientSession,
) -> None:
    class WebOnly(FakeBackend):
        DATA_MAP = {
            Field.POWER: Location((PAGE,), lambda r: r[PAGE]["power"]),
            Field.ENERGY: Location((ENERGY,), lambda r: r[ENERGY]),
        }

    backend = WebOnly(MinerContext("127.0.10.9", session))
    backend.web = MinerResponseError("web: not JSON")
    backend.energy = KeyError("energy")
    # Both failures are typed now (the KeyError as an error naming its source).
    with pytest.raises(MinerResponseError, match=r"not JSON|energy: KeyError"):
        await collect(backend)


async def test_undeclared_call_source_fails_loudly(session: aiohttp.ClientSession) -> None:
    class Forgot(Backend):
        name = "forgot"
        DATA_MAP = {Field.ENERGY: Location((ENERGY,), lambda r: r[ENERGY])}

    with pytest.raises(MinerResponseError, match="NotImplementedError"):
        await collect(Forgot(MinerContext("127.0.10.9", session), IDENTITY))


async def test_unknown_model_keeps_board_chip_counts(session: aiohttp.ClientSession) -> None:
    async with Miner().server as server:
        identity = MinerIdentity("Bitmain", "S99 Imaginary", "fake", "Fake OS", "v1")
        snap = await collect(FakeBackend(_ctx(session, server), identity))
    assert [b.expected_chips for b in snap.boards] == [None, None, None, 12]


async def test_empty_data_map(session: aiohttp.ClientSession) -> None:
    class Nothing(Backend):
        name = "nothing"
        DATA_MAP: dict[Field, Location] = {}

    snap = await collect(Nothing(MinerContext("127.0.10.9", session), IDENTITY))
    assert snap.identity == IDENTITY
    assert snap.hashrate is None
    assert snap.boards == ()


async def test_replies_with_nothing_usable_fail_the_poll(session: aiohttp.ClientSession) -> None:
    """Replies that parse but hold none of the data (emptied garbage) are no reading."""
    led = Rpc("ascset", "0,led,1-255")  # answers with a STATUS only, no SUMMARY

    class Empty(FakeBackend):
        DATA_MAP = {
            Field.HASHRATE: Location((led,), lambda r: r[led]["SUMMARY"][0]["GHS 5s"]),
            Field.WORK_MODES: Location((), lambda r: ["normal"]),  # static: not a reading
        }

    async with Miner().server as server:
        with pytest.raises(MinerResponseError, match="no usable data"):
            await collect(Empty(_ctx(session, server)))


# -- what every family means by mining, errors and an idle board ---------------------------


@pytest.mark.parametrize(
    ("state", "hashrate", "mining"),
    [
        (None, None, None),  # neither a state field nor a hashrate: unknown
        (None, 0.0, None),  # no state, zero hashrate: a fault or a pause, nobody says
        (None, 95.0, True),  # no state field, but it hashes
        (False, 0.0, False),  # the firmware says paused
        (True, 0.0, True),  # the firmware says mining (starting up)
    ],
)
def test_mining_semantics(state: bool | None, hashrate: float | None, mining: bool | None) -> None:
    values = _shared_semantics({Field.MINING: state, Field.HASHRATE: hashrate})
    assert values[Field.MINING] is mining


@pytest.mark.parametrize(("mining", "active"), [(False, None), (True, False), (None, False)])
def test_idle_board_of_a_paused_miner_is_no_fault(mining: bool | None, active: bool | None) -> None:
    boards = [Board(index=0, hashrate=0.0, active=False), Board(index=1, active=None)]
    values = _shared_semantics({Field.MINING: mining, Field.BOARDS: boards})
    assert [b.active for b in values[Field.BOARDS]] == [active, None]


@pytest.mark.parametrize(
    ("mining", "hashrate", "board_hashrates"),
    [
        (False, 0.0, [0.0, 0.0]),  # paused, the firmware left the figures out: 0, known
        (None, None, [None, None]),  # not known to be paused: unknown stays unknown
        (True, None, [None, None]),  # mining but no figure: unknown, never made up
    ],
)
def test_a_paused_miner_hashes_zero(
    mining: bool | None, hashrate: float | None, board_hashrates: list[float | None]
) -> None:
    boards = [Board(index=0), Board(index=1, hashrate=None)]
    values = _shared_semantics({Field.MINING: mining, Field.HASHRATE: None, Field.BOARDS: boards})
    assert values[Field.HASHRATE] == hashrate
    assert [b.hashrate for b in values[Field.BOARDS]] == board_hashrates


def test_first_of_prefers_the_first_source_that_answers() -> None:
    web, rpc = Web("/a"), Rpc("summary")
    location = first_of(
        Location((web,), lambda r: r[web]["x"]), Location((rpc,), lambda r: r[rpc]["y"])
    )
    assert (location.sources, location.fallback) == ((web,), (rpc,))  # rpc only when needed
    assert location.extract(Replies({web: {"x": 1}, rpc: {"y": 2}})) == 1
    assert location.extract(Replies({web: MinerResponseError("404"), rpc: {"y": 2}})) == 2
    assert location.extract(Replies({web: {"x": None}, rpc: {"y": 2}})) == 2
    assert location.extract(Replies({web: {"x": None}, rpc: {"y": None}})) is None
    with pytest.raises(MinerResponseError):
        location.extract(Replies({web: MinerResponseError("a"), rpc: MinerResponseError("b")}))


class OneAtATime(FakeBackend):
    """Firmware whose API takes one command at a time and checks replies whole."""

    RPC_ONE_AT_A_TIME = True
    RPC_WHOLE_REPLIES = True


@pytest.mark.parametrize("multi", ["ok", "refuse"])
async def test_one_command_at_a_time(session: aiohttp.ClientSession, multi: str) -> None:
    """The multicommand, then the parameterised command, never side by side."""
    miner = Miner(multi)
    async with miner.server as server:
        backend = OneAtATime(_ctx(session, server))
        snap = await collect(backend)
    assert snap.hashrate == 110.0
    assert snap.fault_light is True
    assert miner.server.max_active == 1
    expected = ["pools+stats+summary", "ascset"]
    if multi == "refuse":
        expected += ["pools", "stats", "summary"]
    assert miner.commands() == expected
    assert backend.multicommand_ok is (multi == "ok")


async def test_one_at_a_time_stops_at_an_unreachable_miner(
    session: aiohttp.ClientSession,
) -> None:
    """Once one command finds the miner gone, the rest of the poll fail at once."""
    miner = Miner("hangup")
    async with miner.server as server:
        backend = OneAtATime(_ctx(session, server))
        ctx = backend.ctx
    # the server is gone: the multicommand, the command after it and the first single
    # are refused, the other singles fail without a connection of their own
    results = await fetch_sources(backend, {SUMMARY, STATS, POOLS, LED})
    assert all(isinstance(v, MinerConnectionError) for v in results.values())
    assert backend.multicommand_ok  # nothing answered, so nothing was learnt
    assert ctx.rpc_stats.connections == 3


async def test_one_at_a_time_whole_reply_check(session: aiohttp.ClientSession) -> None:
    """A combined reply cut short is refused whole (never repaired), then read singly."""
    miner = Miner("cut_once")
    async with miner.server as server:
        backend = OneAtATime(_ctx(session, server))
        snap = await collect(backend)
    assert snap.hashrate == 110.0
    assert len(snap.boards) == 4
    assert backend.multicommand_ok
    assert miner.commands() == ["pools+stats+summary", "ascset", "pools", "stats", "summary"]


async def test_one_at_a_time_silent_miner_costs_one_deadline(
    session: aiohttp.ClientSession,
) -> None:
    """A multicommand that times out fails the command queued after it at once."""
    miner = Miner("silent")
    async with miner.server as server:
        backend = OneAtATime(_ctx(session, server, timeout=0.5))
        started = time.monotonic()
        results = await fetch_sources(backend, {SUMMARY, STATS, POOLS, LED})
        assert time.monotonic() - started < 1.0
    assert all(isinstance(v, MinerTimeoutError) for v in results.values())
    assert miner.commands() == ["pools+stats+summary"]
