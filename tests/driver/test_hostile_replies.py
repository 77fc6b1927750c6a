"""Broken and hostile replies (issue 10): typed, local, bounded, on time, never partial.

Each test pins one case the issue names: the VNish unlock loop, Avalon's deadline, a
truncated poll, negative and absurd readings, replies of the wrong type during
identification, the quadratic patterns, Avalon's recursion, the depth bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import time
from typing import Any, cast

import aiohttp
import pytest

from custom_components.asic_miner.driver import collect as collect_module
from custom_components.asic_miner.driver.collect import snapshot_from
from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import (
    Backend,
    Call,
    Family,
    Field,
    Fingerprint,
    Location,
    Probe,
    Rpc,
    Web,
)
from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
    MinerTruncatedError,
)
from custom_components.asic_miner.driver.families.avalon.parse import parse_mm
from custom_components.asic_miner.driver.families.epic.parse import parse_software
from custom_components.asic_miner.driver.families.vnish.client import API, UNLOCK_PATH, VnishApi
from custom_components.asic_miner.driver.families.vnish.parse import normalize_model, parse_uptime
from custom_components.asic_miner.driver.identify import detect_family, identify
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import (
    Board,
    Fan,
    MinerIdentity,
    Pool,
)
from custom_components.asic_miner.driver.transports.http import HttpReply
from custom_components.asic_miner.driver.transports.json_scan import (
    JsonScanner,
    is_complete,
    loads_bounded,
    max_depth,
)
from custom_components.asic_miner.driver.transports.rpc_parse import parse_rpc_reply
from custom_components.asic_miner.driver.values import to_float, to_int, within
from simulator.faults import Fault, FaultKind
from tests.driver.conftest import DRIVER_PORTS, SimFactory

# The package exports the function ``scan``, which hides the module of that name.
scan_module = importlib.import_module("custom_components.asic_miner.driver.scan")
scanner_module = importlib.import_module("custom_components.asic_miner.driver.scan.scanner")

IDENTITY = MinerIdentity("Bitmain", "S19 Pro", "fake", "Fake OS", "v1")


# -- 3. one deadline per read, bounded retry loops ---------------------------------------


async def test_avalon_read_has_one_deadline(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """Three commands in turn at 0.45 s each made a 1.35 s read; now the read's deadline holds."""
    sim = await simulate("avalon", "A1566")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    miner.ctx.timeout = 0.5  # a read may take two timeouts: 1.0 s
    sim.state.fault = Fault(FaultKind.DELAY, 0.45)
    started = time.monotonic()
    outcome: Any
    try:
        outcome = await miner.read()
    except MinerError as err:
        outcome = err
    assert time.monotonic() - started < 1.2
    # What arrived in time is kept; otherwise the read timed out, typed.
    assert isinstance(outcome, MinerTimeoutError) or outcome.hashrate is not None


class _RefusingVnish:
    """A VNish web server that refuses every token and hands the same one back."""

    def __init__(self) -> None:
        self.unlocks = 0
        self.requests = 0

    async def request(self, method: str, path: str, **kwargs: Any) -> HttpReply:
        self.requests += 1
        if path == UNLOCK_PATH:
            self.unlocks += 1
            return HttpReply(200, {}, b'{"token": "the-same-token"}')
        return HttpReply(403, {}, b'{"err": "unauthorized"}')


async def test_vnish_unlock_loop_is_bounded(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = _RefusingVnish()
    monkeypatch.setattr(MinerContext, "web", lambda self, **kwargs: server)
    api = VnishApi(MinerContext("127.0.0.1", session))
    async with asyncio.timeout(2):
        with pytest.raises(MinerAuthenticationError, match="refused a fresh token"):
            await api.request("POST", f"{API}/mining/stop")
    assert server.unlocks <= 2
    assert server.requests <= 5


async def test_control_returns_within_its_deadline(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await simulate("antminer", "S19 Pro")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    miner.ctx.timeout = 0.1

    async def hangs(on: bool) -> None:
        await asyncio.sleep(10)

    async def bug(on: bool) -> None:
        raise AttributeError("'list' object has no attribute 'get'")

    backend = cast(Any, miner.backend)
    backend.set_fault_light = hangs
    started = time.monotonic()
    with pytest.raises(MinerTimeoutError, match="control took longer"):
        await miner.set_fault_light(True)
    assert time.monotonic() - started < 1.0
    backend.set_fault_light = bug
    with pytest.raises(MinerResponseError, match="AttributeError"):
        await miner.set_fault_light(True)


async def test_credentials_check_is_bounded_and_typed(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """The write-path check runs in the background and inside a poll: typed, on time."""
    sim = await simulate("antminer", "S19 Pro")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    miner.ctx.timeout = 0.1

    async def hangs() -> None:
        await asyncio.sleep(10)

    async def bug() -> None:
        raise TypeError("string indices must be integers")

    backend = cast(Any, miner.backend)
    backend.check_credentials = hangs
    started = time.monotonic()
    with pytest.raises(MinerTimeoutError):
        await miner.check_credentials()
    assert time.monotonic() - started < 1.0
    backend.check_credentials = bug
    with pytest.raises(MinerResponseError, match="TypeError"):
        await miner.check_credentials()


# -- 4. truncation is an error -----------------------------------------------------------


async def test_truncated_poll_fails_instead_of_showing_less(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """A stock Antminer cut mid-reply no longer "succeeds" with fewer boards or pools."""
    sim = await simulate("antminer", "S19 Pro")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    full = await miner.read()
    assert len(full.boards) == sim.state.spec.boards
    sim.state.fault = Fault(FaultKind.TRUNCATE)
    with pytest.raises(MinerError):
        await miner.read()


def test_truncated_multicommand_is_an_error() -> None:
    raw = b'{"summary":[{"SUMMARY":[{"MHS 5s":1}]}],"pools":[{"POOLS":[{"URL":"a"},{"URL":"b'
    with pytest.raises(MinerTruncatedError):
        parse_rpc_reply(raw)
    kept = parse_rpc_reply(raw, allow_truncated=True)
    assert kept["pools"] == [{"POOLS": [{"URL": "a"}]}]  # what the repair would have shown


def test_redirect_body_is_never_data() -> None:
    reply = HttpReply(302, {"Location": "http://203.0.113.7/login"}, b'{"hashrate": 1}')
    with pytest.raises(MinerResponseError, match=r"redirected to 'http://203\.0\.113\.7/login'"):
        reply.json()


# -- 2. errors stay typed and local ------------------------------------------------------


@pytest.mark.parametrize(
    "value", [10**309, -(10**309), "1e999", "-1e999", "9" * 4301, "9" * 70, float("nan"), [1], {}]
)
def test_value_helpers_never_raise(value: Any) -> None:
    assert to_float(value) is None
    assert to_int(value) is None or abs(to_int(value) or 0) < 1 << 63


def test_value_helpers_keep_real_readings() -> None:
    assert to_float("1,234.5") == 1234.5
    assert to_float(b"12") == 12.0
    assert to_int(2**62) == 2**62
    assert to_int(2**64) is None
    assert within(-1, 0, 10) is None
    assert within(5, 0, 10) == 5
    assert within(True, 0, 10) is None
    assert within(float("inf"), 0, 10) is None
    assert within("5", 0, 10) is None


class _Fixed(Backend):
    """A backend whose fields are whatever a test puts in ``VALUES``."""

    name = "fixed"
    VALUES: dict[Field, Any] = {}

    @classmethod
    def with_values(cls, values: dict[Field, Any]) -> type[Backend]:
        data_map = {
            field: Location((Rpc("stats"),), lambda r, v=value: v)
            for field, value in values.items()
        }
        return type("Fixed", (cls,), {"DATA_MAP": data_map})


def test_out_of_bounds_readings_are_unknown(session: aiohttp.ClientSession) -> None:
    values: dict[Field, Any] = {
        Field.HASHRATE: -1.0,
        Field.EXPECTED_HASHRATE: 1e12,
        Field.POWER: 31_000,
        Field.POWER_LIMIT: "3000",  # the wrong type
        Field.ENVIRONMENT_TEMPERATURE: -273.0,
        Field.UPTIME: -1,
        Field.MINING: "yes",
        Field.WORK_MODE: 3,
        Field.WORK_MODES: ["normal", 1, None],
        Field.BOARDS: [
            Board(0, hashrate=-1.0, chip_temperature=151.0, board_temperature=60.0, chips=-1),
            "not a board",
        ],
        Field.FANS: [Fan(0, rpm=-1), Fan(1, rpm=4200, percent=101)],
        Field.POOLS: [Pool(0, "stratum+tcp://pool.example", accepted=-5, rejected=2)],
        Field.ERRORS: "E1",
    }
    backend = _Fixed.with_values(values)(MinerContext("127.0.0.1", session), IDENTITY)
    snap = snapshot_from(backend, {Rpc("stats"): {}})
    assert snap.hashrate is None
    assert snap.expected_hashrate is None
    assert snap.power is None
    assert snap.power_limit is None
    assert snap.environment_temperature is None
    assert snap.uptime is None
    assert snap.mining is None
    assert snap.work_mode is None
    assert snap.work_modes == ("normal",)
    (board,) = snap.boards
    assert (board.hashrate, board.chip_temperature, board.board_temperature, board.chips) == (
        None,
        None,
        60.0,
        None,
    )
    assert [(f.rpm, f.percent) for f in snap.fans] == [(None, None), (4200, None)]
    assert (snap.pools[0].accepted, snap.pools[0].rejected) == (None, 2)
    assert snap.errors is None  # not a list of errors: unknown, never "no errors"


async def test_read_never_leaks_a_foreign_exception(
    simulate: SimFactory, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = await simulate("antminer", "S19 Pro")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)

    async def broken(backend: Backend) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("custom_components.asic_miner.driver.miner.collect", broken)
    with pytest.raises(MinerResponseError, match="RecursionError"):
        await miner.read()
    assert collect_module.collect is not broken


def _family(matches: Any, identify_fn: Any) -> Family:
    async def probe(ctx: MinerContext) -> Any:
        return ["a list where a dict belongs"]

    return Family(
        name="Odd OS",
        recognised_by=Fingerprint((Probe("odd", probe),), matches),
        identify=identify_fn,
        backends=(),
        key="odd",
    )


async def test_identification_tolerates_replies_of_the_wrong_type(
    session: aiohttp.ClientSession,
) -> None:
    async def identify_fn(ctx: MinerContext, results: Any) -> MinerIdentity:
        return MinerIdentity("Bitmain", results["odd"].get("model"), "odd", "Odd OS", "v1")

    def bad_matches(results: Any) -> bool:
        return bool(results["odd"]["type"])  # TypeError on a list

    ctx = MinerContext("127.0.0.1", session)
    with pytest.raises(MinerError):  # the fingerprint raised: not this family
        await detect_family(ctx, (_family(bad_matches, identify_fn),), timeout=1.0)
    matching = _family(lambda results: True, identify_fn)
    with pytest.raises(MinerResponseError, match="AttributeError"):
        await identify(ctx, (matching,), timeout=1.0)


# -- 1. linear, bounded parsing ----------------------------------------------------------


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (parse_uptime, "1" * 20_000),
        (parse_uptime, "1 " * 10_000 + "x"),
        (parse_uptime, "1:" * 10_000),
        (normalize_model, "Antminer " + " " * 20_000 + "x"),
        (normalize_model, "(vnish " * 5_000),
        (parse_software, "1." * 10_000 + "x"),
        (parse_software, "1" * 20_000 + " "),
        (parse_mm, "'MM':{" * 20_000),
        (parse_mm, "Key[" * 20_000),
    ],
)
def test_no_pattern_is_quadratic(parse: Any, text: str) -> None:
    started = time.perf_counter()
    with contextlib.suppress(MinerResponseError):  # Avalon's nesting bound
        parse(text)
    assert time.perf_counter() - started < 0.05


def test_old_inputs_still_parse() -> None:
    assert parse_uptime("10 days, 18:00") == 10 * 86400 + 18 * 3600
    assert parse_uptime("5 min") == 300
    assert parse_uptime("3600") == 3600
    assert normalize_model("Antminer S19 (Vnish 1.2.6)") == "S19"
    assert normalize_model("Antminer S19j Pro AML") == "S19j Pro"
    assert parse_software("PowerPlay-BMS v1.5.13") == "1.5.13"
    assert parse_software("x.1.5") == "1.5"
    assert parse_software("1.5.") is None
    assert parse_mm("A[1] 'B':{C[2]}") == {"A": "1", "B": {"C": "2"}}


def test_depth_is_bounded_before_json_loads() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    assert max_depth(deep) == 100_000
    with pytest.raises(MinerResponseError, match="deeper than 64"):
        loads_bounded(deep, "test")
    with pytest.raises(MinerResponseError, match="deeper than 64"):
        parse_rpc_reply(deep)
    with pytest.raises(MinerResponseError, match="deeper than 64"):
        HttpReply(200, {}, deep).json()
    assert max_depth(b'{"a":"[[[[","b":[1]}') == 2
    assert max_depth(b'"cut [[[') == 0
    assert max_depth(b"]") == 1  # one byte: never deep, whatever it is


@pytest.mark.parametrize("raw", [b"9" * 4301, b'{"a":' + b"9" * 4301 + b"}", b"1e999"])
def test_numbers_beyond_python_limits_are_driver_errors(raw: bytes) -> None:
    try:
        value = loads_bounded(raw, "test")
    except MinerResponseError:
        pass
    else:
        assert to_float(value) is None  # 1e999 parses to inf: never a reading
    with pytest.raises(MinerResponseError):
        parse_rpc_reply(b'{"a":' + b"9" * 4301 + b"}")


def test_repairs_are_bounded_in_size() -> None:
    big = b'{"a":[' + b"1 " * 20_000 + b"]}"
    with pytest.raises(MinerResponseError, match="too large to repair"):
        parse_rpc_reply(big)
    many = b"{}" * 100
    with pytest.raises(MinerResponseError, match="more than 64 pieces"):
        parse_rpc_reply(many)


def test_completeness_check() -> None:
    assert is_complete(b'{"a":"}{","b":[1,2]}\x00')
    assert not is_complete(b'{"a":"x\\"}')  # the quote is escaped: the string goes on
    assert not is_complete(b'{"a":1}}')  # a stray closer
    assert not is_complete(b"]{")
    assert not is_complete(b"no brackets")
    scanner = JsonScanner()
    scanner.feed(b'{"a":"x\\')
    assert scanner.in_string
    scanner.feed(b'{"a":"x\\"}"}')
    assert not scanner.in_string
    assert scanner.balanced
    scanner.feed(b'{"a":"x\\"}"}]')
    assert scanner.stray
    deep = JsonScanner()
    deep.feed(b"[" * 65)
    assert deep.too_deep
    deep.feed(b"[" * 65 + b"]" * 65)
    assert deep.depth == 65  # stopped for good


def test_repair_has_its_own_depth_bound() -> None:
    """Even when the transport's depth check is trusted, the repair stops at 64 levels."""
    with pytest.raises(MinerResponseError, match="deeper than 64"):
        parse_rpc_reply(b"[" * 100 + b"1 2", depth_checked=True)


def test_work_modes_of_the_wrong_type(session: aiohttp.ClientSession) -> None:
    backend = _Fixed.with_values({Field.WORK_MODES: "normal", Field.HASHRATE: 90.0})
    snap = snapshot_from(backend(MinerContext("127.0.0.1", session), IDENTITY), {Rpc("stats"): {}})
    assert (snap.work_modes, snap.hashrate) == ((), 90.0)


class _Stuck(Backend):
    name = "stuck"
    DATA_MAP = {
        Field.HASHRATE: Location((Call("hang"),), lambda r: r[Call("hang")]),
        Field.POWER: Location((Web("/odd"),), lambda r: r[Web("/odd")]),
    }

    async def fetch_call(self, call: Call) -> Any:
        await asyncio.sleep(10)

    async def fetch_web(self, path: str) -> Any:
        raise ValueError("odd page")


async def test_read_has_an_overall_deadline(session: aiohttp.ClientSession) -> None:
    ctx = MinerContext("127.0.0.1", session, timeout=0.1)
    started = time.monotonic()
    with pytest.raises(MinerTimeoutError, match=r"read took longer than 0\.2 s"):
        await collect_module.collect(_Stuck(ctx, IDENTITY))
    assert time.monotonic() - started < 1.0


async def test_foreign_error_names_its_web_source(session: aiohttp.ClientSession) -> None:
    backend = _Stuck(MinerContext("127.0.0.1", session), IDENTITY)
    replies = await collect_module.fetch_sources(backend, {Web("/odd")})
    error = replies[Web("/odd")]
    assert isinstance(error, MinerResponseError)
    assert "/odd: ValueError('odd page')" in str(error)


async def test_scan_runner_failure_is_raised(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-host failures stay with their host; a failure of the scan itself is raised."""

    async def broken(self: Any) -> None:
        raise RuntimeError("scanner bug")

    monkeypatch.setattr(scanner_module.Scanner, "run", broken)
    with pytest.raises(RuntimeError, match="scanner bug"):
        await scan_module.scan_all(["127.0.10.1"], session)
