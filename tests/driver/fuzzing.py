"""The parser fuzzing harness: real-shaped replies, mutated; only driver errors may escape.

Shared by ``test_fuzz.py`` (hypothesis, a bounded number of examples: a few seconds
in the suite) and ``scripts/fuzz`` (the long run, 100,000+ inputs, for the figures).

The corpus is what the simulator's models really send: every model is started on
loopback and read once through the driver while the transports record the raw RPC
replies, HTTP bodies and Whatsminer v3 frames, and ``collect`` records each poll's
replies per source. (The real-capture fixture folders of issue 8 can join the corpus
once they exist: ``extra_corpus`` reads any ``*.json`` / ``*.txt`` under
``tests/driver/fixtures``.)

Every target asserts two things: nothing but ``MinerError`` leaves it, and it finishes
within a time bound proportional to its input (``time_bound``).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import gc
import json
import random
import struct
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from custom_components.asic_miner.driver import collect as collect_module
from custom_components.asic_miner.driver.collect import snapshot_from
from custom_components.asic_miner.driver.contract import Backend, Source
from custom_components.asic_miner.driver.exceptions import MinerError, MinerResponseError
from custom_components.asic_miner.driver.families.whatsminer.client_v3 import WhatsminerV3Client
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.registry import FAMILIES
from custom_components.asic_miner.driver.transports import rpc_exchange
from custom_components.asic_miner.driver.transports.http import HttpClient, HttpReply
from custom_components.asic_miner.driver.transports.json_scan import JsonScanner, is_complete
from custom_components.asic_miner.driver.transports.rpc import RpcClient
from custom_components.asic_miner.driver.transports.rpc_parse import parse_rpc_reply
from simulator.families import load_all
from tests.simhelpers import DRIVER_PORTS, SimRunner

FIXTURES = Path(__file__).parent / "fixtures"
# CPU time of this thread: what a parse costs the event loop, whatever else the
# (shared) machine is doing meanwhile.
_clock = time.thread_time
# The base is generous (a loaded CI machine); the per-byte term catches quadratic work.
BASE_SECONDS = 0.25
PER_BYTE_SECONDS = 20e-6
MAX_INPUT = 600 * 1024

# Bytes and values that broke parsers before, or that firmware sends as sentinels.
HOSTILE_BYTES = (
    b"[",
    b"{",
    b'"',
    b"\\",
    b"]",
    b"}",
    b",",
    b":",
    b"9",
    b"-",
    b"e",
    b" ",
    b"\x00",
    b"\xff",
    b'{"a":',
    b'"a",',
    b"[]",
    b"{}",
    b"[],",
    b"nan",
    b"inf",
    b'\\"',
    b"1:",
    b"days ",
    b"Work:",
    b"v1.",
    b"PVT_T0[",
    b"'MM':{",
)
HOSTILE_NUMBERS = (b"1e999", b"-1", b"9" * 309, b"9" * 4301, b"-273", b"65535", b"1e-999", b"-0")
HOSTILE_VALUES: tuple[Any, ...] = (
    None,
    -1,
    -1.0,
    0,
    10**309,
    1e308,
    -1e308,
    "1e999",
    "9" * 5000,
    "",
    "abc",
    [],
    {},
    True,
    False,
    "-273",
    65535,
    "nan",
    "-1",
    {"x": 1},
    [1, "a", None],
    "1,234.5",
    2**64,
    -(2**63),
    "1" * 20000,
    " " * 20000 + "x",
    "0:" * 5000,
    "v" + "1." * 5000,
    "Antminer " + "(" * 5000,
    "[" * 5000,
)


@dataclass
class Corpus:
    """Raw replies per transport, and each model's poll as ``(backend, replies)``."""

    rpc: list[bytes] = field(default_factory=list)
    http: list[bytes] = field(default_factory=list)
    v3: list[bytes] = field(default_factory=list)
    polls: list[tuple[Backend, dict[Source, Any]]] = field(default_factory=list)


@contextlib.contextmanager
def _recording(corpus: Corpus) -> Iterator[None]:
    """Wrap the transports and ``fetch_sources`` to keep a copy of every reply."""
    send_raw, request = RpcClient.send_raw, HttpClient.request
    exchange, fetch = WhatsminerV3Client.exchange, collect_module.fetch_sources

    async def rec_send_raw(self: RpcClient, payload: bytes) -> bytes:
        raw = await send_raw(self, payload)
        corpus.rpc.append(raw)
        return raw

    async def rec_request(self: HttpClient, *args: Any, **kwargs: Any) -> HttpReply:
        reply = await request(self, *args, **kwargs)
        if reply.body.lstrip()[:1] in (b"{", b"["):
            corpus.http.append(reply.body)
        return reply

    async def rec_exchange(self: WhatsminerV3Client, payload: dict[str, Any]) -> Any:
        reply = await exchange(self, payload)
        if reply is not None:
            corpus.v3.append(json.dumps(reply).encode())
        return reply

    async def rec_fetch(backend: Backend, sources: set[Source]) -> dict[Source, Any]:
        replies = await fetch(backend, sources)
        corpus.polls.append((backend, replies))
        return replies

    RpcClient.send_raw = rec_send_raw  # type: ignore[method-assign]
    HttpClient.request = rec_request  # type: ignore[method-assign]
    WhatsminerV3Client.exchange = rec_exchange  # type: ignore[method-assign]
    collect_module.fetch_sources = rec_fetch
    try:
        yield
    finally:
        RpcClient.send_raw = send_raw  # type: ignore[method-assign]
        HttpClient.request = request  # type: ignore[method-assign]
        WhatsminerV3Client.exchange = exchange  # type: ignore[method-assign]
        collect_module.fetch_sources = fetch


async def capture(models: list[tuple[str, str]] | None = None) -> Corpus:
    """Start each simulated model, identify and read it once, keep what it sent."""
    families = load_all()
    if models is None:
        # Only the families the driver reads: the simulator also has makes it does not
        # support (a Proto Rig), which identification names and refuses.
        supported = {fam.key for fam in FAMILIES}
        models = [
            (key, model)
            for key, cls in families.items()
            if key in supported
            for model in cls.models
        ]
    corpus = Corpus()
    runner = SimRunner()
    try:
        async with aiohttp.ClientSession() as session:
            with _recording(corpus):
                for family, model in models:
                    sim = await runner.start(family, model)
                    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
                    await miner.read()
    finally:
        await runner.stop()
    corpus.rpc.extend(extra_corpus(".txt"))
    corpus.http.extend(extra_corpus(".json"))
    return corpus


def extra_corpus(suffix: str) -> list[bytes]:
    """Hand-written and captured fixture replies, where the folders hold them."""
    return [p.read_bytes()[:MAX_INPUT] for p in sorted(FIXTURES.rglob(f"*{suffix}"))]


# -- mutations ---------------------------------------------------------------------------


def mutate_bytes(data: bytes, rnd: random.Random) -> bytes:
    """One to three edits: cut, insert, delete, flood with a hostile pattern, flip..."""
    for _ in range(rnd.randint(1, 3)):
        n = len(data)
        i = rnd.randrange(n + 1)
        j = min(n, i + rnd.randrange(1, 64))
        op = rnd.randrange(8)
        if op == 0:
            data = data[:i]
        elif op == 1:
            data = data[:i] + rnd.randbytes(rnd.randrange(1, 16)) + data[i:]
        elif op == 2:
            data = data[:i] + data[j:]
        elif op == 3:
            count = rnd.choice((2, 10, 100, 1000, 10_000, 50_000))
            data = data[:i] + rnd.choice(HOSTILE_BYTES) * count + data[i:]
        elif op == 4 and n:
            k = rnd.randrange(n)
            data = data[:k] + bytes([data[k] ^ (1 << rnd.randrange(8))]) + data[k + 1 :]
        elif op == 5:
            data = data[:j] + data[i:j] * rnd.randrange(2, 200) + data[j:]
        elif op == 6:
            data = data[:i] + rnd.choice(HOSTILE_NUMBERS) + data[j:]
        else:
            count = rnd.choice((1, 100, 10_000, 100_000))
            data = rnd.choice(HOSTILE_BYTES) * count
    return data[:MAX_INPUT]


def mutate_tree(
    value: Any, rnd: random.Random, rate: float = 0.15, grow: list[int] | None = None
) -> Any:
    """A copy of a parsed reply: values swapped for hostile ones, keys dropped, a list grown.

    At most one list per reply grows (to at most 1,500 items), so a mutated reply stays
    within what the transports' size bounds let through.
    """
    grow = [1] if grow is None else grow
    if rnd.random() < rate:
        return copy.deepcopy(rnd.choice(HOSTILE_VALUES))
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if rnd.random() < rate / 3:
                continue  # a missing key
            out[key] = mutate_tree(item, rnd, rate, grow)
        return out
    if isinstance(value, list):
        items = [mutate_tree(item, rnd, rate, grow) for item in value]
        if items and grow[0] and rnd.random() < rate / 3:
            grow[0] = 0
            items = (items * rnd.choice((2, 50, 1500)))[:1500]
        return items
    return value


def mutate_poll(replies: dict[Source, Any], rnd: random.Random) -> dict[Source, Any]:
    """A poll's replies mutated, no larger than the wire bounds let a reply be.

    A mutation that grew a reply past ``MAX_INPUT`` (as text) is drawn again: no
    transport delivers a parsed reply that large.
    """
    for _ in range(10):
        out = _mutate_poll_once(replies, rnd)
        if len(repr(out)) <= MAX_INPUT:
            break
    return out


def _mutate_poll_once(replies: dict[Source, Any], rnd: random.Random) -> dict[Source, Any]:
    out: dict[Source, Any] = {}
    for source, reply in replies.items():
        if rnd.random() < 0.05:
            out[source] = MinerResponseError("fuzz: source failed")
        elif isinstance(reply, Exception):
            out[source] = reply
        else:
            out[source] = mutate_tree(reply, rnd)
    return out


# -- targets -----------------------------------------------------------------------------


def parse_rpc(data: bytes, allow_truncated: bool = False) -> None:
    parse_rpc_reply(data, allow_truncated=allow_truncated)


def completeness(data: bytes) -> None:
    """The whole-reply check the Whatsminer and Avalon readers run: one pass."""
    is_complete(data)


def incremental_agrees(data: bytes, rnd: random.Random, stats: Stats | None = None) -> None:
    """Fed in random chunks (as a socket delivers), the scanner ends where one pass does.

    With ``stats``, each feed (at most one 64 kB chunk, as in the RPC reader) is timed
    as a "chunk" parse.
    """
    whole = JsonScanner()
    whole.feed(data)
    split = JsonScanner()
    buf = bytearray()
    pos = 0
    while pos < len(data) and not split.too_deep:
        step = rnd.choice((1, 2, 7, 64) if len(data) < 4096 else (64, 4096, 65536))
        buf += data[pos : pos + step]
        pos += step
        with _timed():
            started = _clock()
            split.feed(buf)
            elapsed = _clock() - started
        if stats is not None:
            stats.record("chunk", elapsed, min(step, len(data)))
    rpc_exchange.complete(buf, split)  # O(1) on the scanner's state
    assert whole.too_deep == split.too_deep, data[:80]
    if not whole.too_deep:
        assert (whole.depth, whole.in_string, whole.opened, whole.stray) == (
            split.depth,
            split.in_string,
            split.opened,
            split.stray,
        ), data[:80]


def http_json(data: bytes) -> None:
    HttpReply(200, {}, data).json()


async def v3_frame(body: bytes, rnd: random.Random) -> None:
    """The frame reader and its JSON, with the length prefix sometimes lying."""
    heartbeats = rnd.choice((0, 0, 1, 8, 9, 1000))
    length = len(body) if rnd.random() < 0.8 else rnd.randrange(1 << 32)
    reader = asyncio.StreamReader()
    reader.feed_data(struct.pack("<I", 0) * heartbeats + struct.pack("<I", length) + body)
    reader.feed_eof()
    client = WhatsminerV3Client("127.0.0.1")
    try:
        frame = await client._read_frame(reader, "fuzz")
    except asyncio.IncompleteReadError:
        return  # ``exchange`` turns a short frame into MinerConnectionError
    from custom_components.asic_miner.driver.transports.json_scan import loads_bounded

    loads_bounded(frame, "fuzz")


def extract_poll(backend: Backend, replies: dict[Source, Any]) -> None:
    snapshot_from(backend, replies)


# -- running -----------------------------------------------------------------------------


def time_bound(size: int) -> float:
    return BASE_SECONDS + PER_BYTE_SECONDS * size


@dataclass
class Stats:
    """What a run saw: inputs per target, unexpected exceptions, the slowest parse."""

    inputs: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    unexpected: list[tuple[str, str, bytes]] = field(default_factory=list)
    slowest: tuple[float, str, int] = (0.0, "", 0)
    over_bound: list[tuple[str, float, int]] = field(default_factory=list)

    def record(self, target: str, seconds: float, size: int) -> None:
        self.inputs[target] = self.inputs.get(target, 0) + 1
        self.seconds[target] = self.seconds.get(target, 0.0) + seconds
        if seconds > self.slowest[0]:
            self.slowest = (seconds, target, size)
        if seconds > time_bound(size):
            self.over_bound.append((target, seconds, size))


@contextlib.contextmanager
def _timed() -> Iterator[None]:
    """The garbage collector waits while a parse is timed (as ``timeit`` does).

    A full collection of the fuzzer's own heap is no cost of the parse; it runs between
    inputs instead.
    """
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def check(stats: Stats, target: str, size: int, sample: bytes, run: Callable[[], None]) -> None:
    """Run one input; only ``MinerError`` may escape, within the time bound."""
    with _timed():
        started = _clock()
        try:
            run()
        except MinerError:
            pass
        except Exception as err:
            stats.unexpected.append((target, repr(err)[:200], sample[:200]))
        elapsed = _clock() - started
    stats.record(target, elapsed, size)


async def check_async(
    stats: Stats, target: str, size: int, sample: bytes, run: Callable[[], Awaitable[None]]
) -> None:
    with _timed():
        started = _clock()
        try:
            await run()
        except MinerError:
            pass
        except Exception as err:
            stats.unexpected.append((target, repr(err)[:200], sample[:200]))
        elapsed = _clock() - started
    stats.record(target, elapsed, size)


async def run_all(corpus: Corpus, count: int, seed: int) -> Stats:
    """``count`` inputs spread over every target, reproducible from ``seed``."""
    rnd = random.Random(seed)
    stats = Stats()
    per_target = max(1, count // 5)
    for _ in range(per_target):
        data = mutate_bytes(rnd.choice(corpus.rpc), rnd)
        check(stats, "rpc", len(data), data, lambda d=data: parse_rpc(d))  # type: ignore[misc]
        check(stats, "rpc", len(data), data, lambda d=data: parse_rpc(d, True))  # type: ignore[misc]
    for _ in range(per_target):
        data = mutate_bytes(rnd.choice(corpus.rpc + corpus.http), rnd)
        check(stats, "complete", len(data), data, lambda d=data: completeness(d))  # type: ignore[misc]
        sub = random.Random(rnd.random())
        try:
            incremental_agrees(data, sub, stats)
        except AssertionError as err:
            stats.unexpected.append(("chunk", repr(err)[:200], data[:200]))
    for _ in range(per_target):
        data = mutate_bytes(rnd.choice(corpus.http), rnd)
        check(stats, "http", len(data), data, lambda d=data: http_json(d))  # type: ignore[misc]
    for _ in range(per_target):
        data = mutate_bytes(rnd.choice(corpus.v3 or corpus.http), rnd)
        sub = random.Random(rnd.random())
        await check_async(stats, "v3", len(data), data, lambda d=data, r=sub: v3_frame(d, r))  # type: ignore[misc]
    for _ in range(per_target):
        backend, replies = rnd.choice(corpus.polls)
        mutated = mutate_poll(replies, rnd)
        size = len(repr(mutated))
        sample = f"{type(backend).__name__}".encode()
        check(stats, "extract", size, sample, lambda b=backend, m=mutated: extract_poll(b, m))  # type: ignore[misc]
    return stats


# -- the long run (scripts/fuzz) ---------------------------------------------------------


def _worst_cases() -> list[tuple[str, bytes, Callable[[bytes], object]]]:
    """The costliest inputs each path accepts, at its size bound: for the on-loop figures."""
    from custom_components.asic_miner.driver.limits import DEFAULT_MAX_REPLY_BYTES
    from custom_components.asic_miner.driver.transports.json_scan import max_depth
    from custom_components.asic_miner.driver.transports.rpc_parse import MAX_REPAIR_CHARS

    big = DEFAULT_MAX_REPLY_BYTES
    valid = json.dumps({"STATS": [{f"k{i}": [i, "v", 1.5] for i in range(big // 24)}]}).encode()
    valid = valid[: big - 2] if len(valid) > big else valid
    repair = (b'{"a":[' + b"1 " * (MAX_REPAIR_CHARS // 2))[: MAX_REPAIR_CHARS - 2] + b"]}"

    def scan_chunk(data: bytes) -> object:
        scanner = JsonScanner()
        scanner.feed(data)
        return scanner.depth

    return [
        ("RPC parse, valid JSON at the bound", valid, parse_rpc_reply),
        (
            "RPC parse, 512 kB of '[],'",
            b"[" + b"[]," * (big // 3 - 1),
            parse_rpc_reply,
        ),
        (
            "RPC parse, 512 kB of '\"a\",'",
            b'["a",' + b'"a",' * (big // 4 - 2),
            parse_rpc_reply,
        ),
        ("RPC repair at its bound (32 kB of bare words)", repair, parse_rpc_reply),
        ("depth check, 512 kB of '\"'", b'"' * big, max_depth),
        ("whole-reply check, 512 kB of '[],'", b"[" + b"[]," * (big // 3 - 1), is_complete),
        ("completeness scan, one 64 kB chunk of '[],'", b"[]," * 21845, scan_chunk),
        ("HTTP JSON, valid at the bound", valid, lambda d: HttpReply(200, {}, d).json()),
    ]


def worst_case_figures(repeat: int = 5) -> list[tuple[str, int, float]]:
    out = []
    for name, data, run in _worst_cases():
        best = float("inf")
        for _ in range(repeat):
            with _timed(), contextlib.suppress(MinerError):
                started = _clock()
                run(data)
            best = min(best, _clock() - started)
        out.append((name, len(data), best))
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Fuzz every parser; print the figures.")
    parser.add_argument("--count", type=int, default=100_000, help="inputs (default 100,000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    corpus = asyncio.run(capture())
    print(
        f"corpus: {len(corpus.rpc)} RPC replies, {len(corpus.http)} HTTP bodies, "
        f"{len(corpus.v3)} v3 frames, {len(corpus.polls)} polls (every simulated model)"
    )
    stats = asyncio.run(run_all(corpus, args.count, args.seed))
    total = sum(n for target, n in stats.inputs.items() if target != "chunk")
    print(
        f"inputs: {total:,} mutated replies, plus {stats.inputs.get('chunk', 0):,} chunk "
        f"feeds of the same replies, in {time.perf_counter() - started:.0f} s (seed {args.seed})"
    )
    for target, count in sorted(stats.inputs.items()):
        print(f"  {target:9} {count:>8,}  {stats.seconds[target]:8.2f} s parsing")
    print(f"unexpected exceptions: {len(stats.unexpected)}")
    for target, error, sample in stats.unexpected[:20]:
        print(f"  {target}: {error} on {sample[:80]!r}")
    seconds, target, size = stats.slowest
    print(f"slowest parse: {seconds * 1000:.1f} ms of CPU ({target}, {size:,} bytes)")
    print(f"over the proportional time bound: {len(stats.over_bound)}")
    print("worst cases at the size bounds (CPU time, best of 5):")
    for name, size, seconds in worst_case_figures():
        print(f"  {seconds * 1000:7.1f} ms  {size:>8,} B  {name}")
    failed = stats.unexpected or stats.over_bound or stats.slowest[0] > 0.05
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
