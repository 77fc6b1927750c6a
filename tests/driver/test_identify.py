"""Identification with fake families and fake probes: the race rules, without a network."""

from __future__ import annotations

import asyncio
import itertools
import random
import socket
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import Family, Fingerprint, Probe, ProbeResults
from custom_components.asic_miner.driver.exceptions import (
    MinerConnectionError,
    MinerNotIdentifiedError,
    MinerTimeoutError,
)
from custom_components.asic_miner.driver.identify import detect_family, identify, identify_host
from custom_components.asic_miner.driver.models import MinerIdentity
from custom_components.asic_miner.driver.reach import Reach, reach

HANG = 60.0


class Probes:
    """Fake probes answering after a delay (or failing); counts how often each runs."""

    def __init__(self) -> None:
        self.runs: Counter[str] = Counter()
        self.cancelled: set[str] = set()

    def make(
        self, key: str, delay: float, value: Any = None, error: Exception | None = None
    ) -> Probe:
        async def run(ctx: MinerContext) -> Any:
            self.runs[key] += 1
            try:
                await asyncio.sleep(delay)
            except asyncio.CancelledError:
                self.cancelled.add(key)
                raise
            if error is not None:
                raise error
            return value

        return Probe(key, run)


def _contains(key: str, word: str) -> Callable[[ProbeResults], bool]:
    return lambda results: word in str(results.get(key, "")).upper()


async def _identity(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    await asyncio.sleep(0.01)  # a model lookup takes a round trip
    return MinerIdentity("Bitmain", "S19", "fake", "Fake", "v1")


def family(
    key: str,
    probes: tuple[Probe, ...],
    matches: Callable[[ProbeResults], bool],
    *,
    stock: bool = False,
    ident: Callable[..., Any] = _identity,
) -> Family:
    return Family(key.title(), Fingerprint(probes, matches), ident, (), stock, key=key)


@pytest.fixture
def ctx(session: aiohttp.ClientSession) -> MinerContext:
    return MinerContext("127.0.10.7", session)


def _vnish_and_stock(
    probes: Probes, rpc_delay: float, web_delay: float, web: str
) -> tuple[Family, ...]:
    rpc = probes.make("rpc_version", rpc_delay, '{"VERSION":[{"Type":"Antminer S19"}]}')
    root = probes.make("web_root", web_delay, web)
    vnish = family("vnish", (rpc, root), _contains("web_root", "ANTHILLOS"))
    antminer = family("antminer", (rpc, root), _contains("rpc_version", "ANTMINER"), stock=True)
    return (vnish, antminer)


async def test_non_stock_beats_stock_answering_first(ctx: MinerContext) -> None:
    probes = Probes()
    families = _vnish_and_stock(probes, 0.0, 0.2, "<title>AnthillOS</title>")
    started = time.monotonic()
    fam, results = await detect_family(ctx, families, timeout=3)
    assert fam.key == "vnish"
    assert time.monotonic() - started >= 0.19
    assert set(results) == {"rpc_version", "web_root"}
    assert probes.runs == {"rpc_version": 1, "web_root": 1}  # shared probes run once


async def test_stock_waits_for_non_stock_to_be_ruled_out(ctx: MinerContext) -> None:
    probes = Probes()
    families = _vnish_and_stock(probes, 0.0, 0.2, "<title>Antminer</title>")
    started = time.monotonic()
    fam, _ = await detect_family(ctx, families, timeout=3)
    elapsed = time.monotonic() - started
    assert fam.key == "antminer"
    assert 0.19 <= elapsed < 1.0  # decided when the web probe answered, not at the deadline


async def test_failed_probe_is_absent(ctx: MinerContext) -> None:
    probes = Probes()
    rpc = probes.make("rpc_version", 0.0, "ANTMINER")
    root = probes.make("web_root", 0.1, error=MinerConnectionError("refused"))
    vnish = family("vnish", (rpc, root), lambda r: "ANTHILLOS" in r["web_root"])  # KeyError
    antminer = family("antminer", (rpc,), _contains("rpc_version", "ANTMINER"), stock=True)
    fam, results = await detect_family(ctx, (vnish, antminer), timeout=3)
    assert fam.key == "antminer"
    assert results == {"rpc_version": "ANTMINER"}


async def test_first_family_wins_without_waiting_for_later_probes(ctx: MinerContext) -> None:
    probes = Probes()
    fast = probes.make("rpc_version", 0.0, "BOSMINER")
    slow = probes.make("web_root", HANG, "never")
    braiins = family("braiins", (fast,), _contains("rpc_version", "BOSMINER"))
    antminer = family("antminer", (slow,), _contains("web_root", "ANTMINER"), stock=True)
    started = time.monotonic()
    fam, results = await detect_family(ctx, (braiins, antminer), timeout=5)
    assert fam.key == "braiins"
    assert time.monotonic() - started < 0.5
    assert results == {"rpc_version": "BOSMINER"}
    assert probes.cancelled == {"web_root"}  # nothing is left running


async def test_deadline_returns_best_decision(ctx: MinerContext) -> None:
    probes = Probes()
    # the non-stock family's probe never answers; the stock one matched at once
    families = _vnish_and_stock(probes, 0.0, HANG, "")
    started = time.monotonic()
    fam, results = await detect_family(ctx, families, timeout=0.3)
    elapsed = time.monotonic() - started
    assert fam.key == "antminer"
    assert 0.29 <= elapsed < 1.0
    assert set(results) == {"rpc_version"}
    assert probes.cancelled == {"web_root"}


async def test_deadline_without_any_match(ctx: MinerContext) -> None:
    probes = Probes()
    rpc = probes.make("rpc_version", 0.0, "CGMINER")
    root = probes.make("web_root", HANG)
    families = (
        family("vnish", (rpc, root), _contains("web_root", "ANTHILLOS")),
        family("antminer", (rpc,), _contains("rpc_version", "ANTMINER"), stock=True),
    )
    started = time.monotonic()
    with pytest.raises(MinerNotIdentifiedError, match=r"127\.0\.10\.7"):
        await detect_family(ctx, families, timeout=0.3)
    assert 0.29 <= time.monotonic() - started < 1.0


async def test_nothing_matches_fails_at_once(ctx: MinerContext) -> None:
    probes = Probes()
    rpc = probes.make("rpc_version", 0.0, error=MinerConnectionError("refused"))
    root = probes.make("web_root", 0.05, "<html>router</html>")
    families = (
        family("vnish", (rpc, root), _contains("web_root", "ANTHILLOS")),
        family("antminer", (rpc,), _contains("rpc_version", "ANTMINER"), stock=True),
    )
    started = time.monotonic()
    with pytest.raises(MinerNotIdentifiedError):
        await detect_family(ctx, families, timeout=5)
    assert time.monotonic() - started < 0.5


async def test_fingerprint_errors_count_as_no_match(ctx: MinerContext) -> None:
    probes = Probes()
    rpc = probes.make("rpc_version", 0.0, "not json")

    def broken(results: ProbeResults) -> bool:
        return results["rpc_version"]["VERSION"] is not None  # TypeError on a string

    families = (
        family("broken", (rpc,), broken),
        family("antminer", (rpc,), lambda r: True, stock=True),
    )
    fam, _ = await detect_family(ctx, families, timeout=2)
    assert fam.key == "antminer"


async def test_decision_is_deterministic(ctx: MinerContext) -> None:
    """Whatever order the probes answer in, the same replies give the same family."""
    replies = {
        "rpc_version": "ANTMINER S19 VNISH",
        "rpc_devdetails": "DEVDETAILS",
        "web_root": "<title>AnthillOS</title>",
    }
    rng = random.Random(7)
    seen = set()
    for delays in itertools.islice(itertools.permutations([0.0, 0.02, 0.04]), 6):
        for _ in range(2):
            probes = Probes()
            jitter = [d + rng.uniform(0, 0.01) for d in delays]
            made = {
                k: probes.make(k, d, v) for (k, v), d in zip(replies.items(), jitter, strict=True)
            }
            families = (
                family("luxos", (made["rpc_version"],), _contains("rpc_version", "LUXMINER")),
                family("vnish", tuple(made.values()), _contains("web_root", "ANTHILLOS")),
                family(
                    "antminer",
                    (made["rpc_version"],),
                    _contains("rpc_version", "ANTMINER"),
                    stock=True,
                ),
            )
            fam, _ = await detect_family(ctx, families, timeout=3)
            seen.add(fam.key)
    assert seen == {"vnish"}


async def test_identify_returns_identity(ctx: MinerContext) -> None:
    probes = Probes()
    families = _vnish_and_stock(probes, 0.0, 0.0, "<title>Antminer</title>")
    fam, ident = await identify(ctx, families, timeout=2)
    assert fam.key == "antminer"
    assert ident.model == "S19"


async def test_identify_leaves_time_after_a_silent_probe(ctx: MinerContext) -> None:
    """The probes get half the deadline, so the family lookup still has time."""
    probes = Probes()
    families = _vnish_and_stock(probes, 0.0, HANG, "")
    started = time.monotonic()
    fam, _ = await identify(ctx, families, timeout=0.6)
    assert fam.key == "antminer"  # had the probes taken all 0.6 s, this would time out
    assert time.monotonic() - started >= 0.29


async def test_identify_slow_family_lookup_times_out(ctx: MinerContext) -> None:
    async def slow(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
        await asyncio.sleep(HANG)
        raise AssertionError  # pragma: no cover

    probes = Probes()
    rpc = probes.make("rpc_version", 0.0, "ANTMINER")
    fam = family("antminer", (rpc,), _contains("rpc_version", "ANTMINER"), stock=True, ident=slow)
    started = time.monotonic()
    with pytest.raises(MinerTimeoutError, match=r"identification took longer than 0\.4 s"):
        await identify(ctx, (fam,), timeout=0.4)
    assert 0.39 <= time.monotonic() - started < 1.0


async def test_identify_not_identified(ctx: MinerContext) -> None:
    probes = Probes()
    rpc = probes.make("rpc_version", 0.0, error=MinerConnectionError("refused"))
    fam = family("antminer", (rpc,), _contains("rpc_version", "ANTMINER"), stock=True)
    # Nothing listens at ctx.host at all: that is "cannot connect", not "not a miner".
    with pytest.raises(MinerConnectionError, match="nothing answers"):
        await identify(ctx, (fam,), timeout=1)
    with pytest.raises(MinerNotIdentifiedError):
        await identify_host(ctx, (fam,), timeout=1, check_reach=False)


async def test_reach_resolves_a_host_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reachability check behind "nothing answers" takes names as well as addresses."""
    answers: dict[str, list[Any]] = {
        "miner.lan": [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))],
        "empty.lan": [],
    }

    async def getaddrinfo(host: str, *_args: Any, **_kwargs: Any) -> list[Any]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "unknown")
        return answers[host]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        assert (await reach("miner.lan", (port,), 1.0))[0] is Reach.OPEN
    finally:
        server.close()
        await server.wait_closed()
    assert (await reach("empty.lan", (port,), 1.0))[0] is Reach.CLOSED
    assert (await reach("unknown.lan", (port,), 1.0))[0] is Reach.CLOSED
