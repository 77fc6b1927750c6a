"""Fuzzing every parser with mutated real-shaped replies (hypothesis, a few seconds).

The corpus is the simulator's real-shaped replies, recorded once per run (see
``fuzzing.py``); each test mutates them (cuts, floods of brackets, quotes and
backslashes, 4,301-digit and 309-digit numbers, hostile values in parsed replies) and
asserts that only the driver's own errors escape and that each parse stays under a
time bound proportional to its input. ``scripts/fuzz`` runs the same targets over
100,000+ inputs for the figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.asic_miner.driver.exceptions import MinerError
from tests.driver import fuzzing

_CORPUS: list[fuzzing.Corpus] = []
FUZZ = settings(
    max_examples=100,
    deadline=None,  # the time bound below is proportional to the input instead
    derandomize=True,  # the same examples every run: no flaky suite
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def corpus() -> fuzzing.Corpus:
    """Recorded once per test run, on loopback (the ``loopback`` fixture allows it)."""
    if not _CORPUS:
        _CORPUS.append(asyncio.run(fuzzing.capture()))
    return _CORPUS[0]


class _StillRunning(BaseException):
    """Raised into a parse that ran far past its bound (a BaseException: the driver's
    own ``except Exception`` handlers must not swallow it)."""


@contextlib.contextmanager
def _watchdog(seconds: float) -> Iterator[None]:
    """Stop a parse that runs ``seconds``: a loop a reply's count drives once ran until
    the kernel killed the worker, long after the bound checked on return."""

    def fire(_signum: int, _frame: object) -> None:
        raise _StillRunning(f"still parsing after {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _bounded(size: int, run: Callable[[], Any]) -> None:
    """Only driver errors, within the time bound for this input."""
    bound = fuzzing.time_bound(size)
    started = time.perf_counter()
    with _watchdog(10 * bound + 5), contextlib.suppress(MinerError):
        run()
    elapsed = time.perf_counter() - started
    assert elapsed <= bound, (elapsed, size)


def _pick(items: list[bytes], rnd: random.Random) -> bytes:
    return fuzzing.mutate_bytes(rnd.choice(items), rnd)


def test_corpus_covers_every_family() -> None:
    replies = corpus()
    families = {backend.identity.family for backend, _ in replies.polls}
    assert families >= {
        "antminer",
        "avalon",
        "bitaxe",
        "braiins",
        "epic",
        "luxos",
        "vnish",
        "whatsminer",
    }
    assert replies.rpc
    assert replies.http
    assert replies.v3


@FUZZ
@given(rnd=st.randoms(use_true_random=False))
def test_rpc_parser(rnd: random.Random) -> None:
    data = _pick(corpus().rpc, rnd)
    _bounded(len(data), lambda: fuzzing.parse_rpc(data))
    _bounded(len(data), lambda: fuzzing.parse_rpc(data, allow_truncated=True))


@FUZZ
@given(rnd=st.randoms(use_true_random=False))
def test_completeness_check(rnd: random.Random) -> None:
    data = _pick(corpus().rpc + corpus().http, rnd)
    _bounded(len(data), lambda: fuzzing.completeness(data))
    fuzzing.incremental_agrees(data, rnd)


@FUZZ
@given(rnd=st.randoms(use_true_random=False))
def test_http_json_reader(rnd: random.Random) -> None:
    data = _pick(corpus().http, rnd)
    _bounded(len(data), lambda: fuzzing.http_json(data))


@FUZZ
@given(rnd=st.randoms(use_true_random=False))
def test_v3_frame_reader(rnd: random.Random) -> None:
    data = _pick(corpus().v3, rnd)
    _bounded(len(data), lambda: asyncio.run(fuzzing.v3_frame(data, rnd)))


@FUZZ
@given(rnd=st.randoms(use_true_random=False))
def test_extractors(rnd: random.Random) -> None:
    backend, replies = rnd.choice(corpus().polls)
    mutated = fuzzing.mutate_poll(replies, rnd)
    _bounded(len(repr(mutated)), lambda: fuzzing.extract_poll(backend, mutated))


def test_every_family_extractors_on_hostile_values() -> None:
    """Each recorded poll, every family, 20 mutations each: a snapshot or a driver error."""
    rnd = random.Random(10)
    for backend, replies in corpus().polls:
        for _ in range(20):
            mutated = fuzzing.mutate_poll(replies, rnd)
            _bounded(len(repr(mutated)), lambda b=backend, m=mutated: fuzzing.extract_poll(b, m))


def test_a_runaway_parse_is_stopped() -> None:
    """The watchdog ends a loop that would never return (and restores the old handler)."""
    before = signal.getsignal(signal.SIGALRM)

    def forever() -> None:
        while True:
            pass

    with pytest.raises(_StillRunning), _watchdog(0.2):
        forever()
    assert signal.getsignal(signal.SIGALRM) is before
