"""Scan edge cases: what the kernel and the families can do that a loopback fleet can't.

The sweep's outcomes that loopback never produces (a connect that completes at once,
``ENETUNREACH`` on the spot, ``EMFILE``, an unusual ``SO_ERROR``, a connect that lands
just as time runs out) come from a stand-in for the ``socket`` module the scan uses;
each stand-in socket still has a real file descriptor, so the event loop's selector
treats it as it would a real connect. Identification edge cases use a fake family.
The scan never touches the network here, so the addresses are our own 127.0.20-25.x.
"""

from __future__ import annotations

import asyncio
import errno
import importlib
import ipaddress
import logging
import os
import random
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import Family, Fingerprint, Probe, ProbeResults
from custom_components.asic_miner.driver.exceptions import (
    MinerResponseError,
    MinerScanRangeError,
    MinerScanTooLargeError,
    MinerTimeoutError,
)
from custom_components.asic_miner.driver.models import MinerIdentity, Ports
from custom_components.asic_miner.driver.scan import ScanProgress, ScanStage, scan_all

# The package exports the function ``scan``, which hides the package of that name.
scan_module = importlib.import_module("custom_components.asic_miner.driver.scan")
scanner_module = importlib.import_module("custom_components.asic_miner.driver.scan.scanner")
targets_module = importlib.import_module("custom_components.asic_miner.driver.scan.targets")
reach_module = importlib.import_module("custom_components.asic_miner.driver.reach")
identify_module = importlib.import_module("custom_components.asic_miner.driver.identify")

PORTS = Ports(rpc=14028, web=18080, https=18443, whatsminer_v3=14433)
FAST = {"connect_timeout": 0.2, "retry_timeout": 0.3}

# What one port does when the scan connects to it.
INSTANT = "instant"  # the kernel completes the connect at once
PENDING = "pending"  # in progress; later writable with ``so_error``
STUCK = "stuck"  # in progress and never writable (a SYN still unanswered)


def _host() -> str:
    return f"127.0.{random.randint(20, 25)}.{random.randint(100, 199)}"


@dataclass
class Behaviour:
    """Per port: INSTANT, PENDING or STUCK, or an ``OSError`` errno ``connect`` raises."""

    ports: dict[int, str | int] = field(default_factory=dict)
    so_error: int = 0  # what a PENDING connect reports once writable
    peer: bool = False  # whether a STUCK socket has in fact connected (getpeername)
    socket_errno: int | None = None  # socket() itself fails (EMFILE)
    connects: list[int] = field(default_factory=list)
    _fds: list[int] = field(default_factory=list)

    def module(self) -> SimpleNamespace:
        return SimpleNamespace(
            socket=self.socket,
            AF_INET=socket.AF_INET,
            SOCK_STREAM=socket.SOCK_STREAM,
            SOL_SOCKET=socket.SOL_SOCKET,
            SO_ERROR=socket.SO_ERROR,
        )

    def socket(self, family: int, kind: int) -> FakeSocket:
        if self.socket_errno is not None:
            raise OSError(self.socket_errno, os.strerror(self.socket_errno))
        return FakeSocket(self)


class FakeSocket:
    """Enough of a non-blocking socket for ``PortProbe``, on a real descriptor."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self._fds: tuple[int, ...] = ()
        self._pair: tuple[socket.socket, socket.socket] | None = None
        self.fd = -1

    def setblocking(self, flag: bool) -> None:
        pass

    def connect(self, address: tuple[str, int]) -> None:
        port = address[1]
        self.behaviour.connects.append(port)
        what = self.behaviour.ports.get(port, errno.ECONNREFUSED)
        if isinstance(what, int):
            raise OSError(what, os.strerror(what))
        if what == INSTANT:
            return
        if what == PENDING:  # a socket pair end: writable at once
            self._pair = socket.socketpair()
            self.fd = self._pair[0].fileno()
        else:  # the read end of a pipe: never writable
            self._fds = os.pipe()
            self.fd = self._fds[0]
        raise BlockingIOError(errno.EINPROGRESS, "in progress")

    def fileno(self) -> int:
        return self.fd

    def getsockopt(self, level: int, option: int) -> int:
        return self.behaviour.so_error

    def getpeername(self) -> tuple[str, int]:
        if not self.behaviour.peer:
            raise OSError(errno.ENOTCONN, "not connected")
        return ("127.0.20.1", 1)

    def close(self) -> None:
        if self._pair is not None:
            for sock in self._pair:
                sock.close()
            self._pair = None
        for fd in self._fds:
            os.close(fd)
        self._fds = ()


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch) -> Iterator[Behaviour]:
    behaviour = Behaviour()
    monkeypatch.setattr(reach_module, "socket", behaviour.module())
    yield behaviour


# -- a fake family for identification ---------------------------------------------------


async def _answer(ctx: MinerContext) -> str:
    return "FAKEOS"


def _family(identify: Any) -> Family:
    return Family(
        name="Fake OS",
        recognised_by=Fingerprint(
            (Probe("fake_probe", _answer),), lambda results: results.get("fake_probe") == "FAKEOS"
        ),
        identify=identify,
        backends=(),
        key="fake",
    )


async def _identified(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    return MinerIdentity("Bitmain", "S19", "fake", "Fake OS", "v1", mac="02:00:00:00:00:01")


FAKE = _family(_identified)


async def _scan(session: aiohttp.ClientSession, hosts: list[str], **kwargs: Any) -> Any:
    options = {"ports": PORTS, "families": (FAKE,), **FAST, **kwargs}
    return await scan_all(hosts, session, **options)


# -- the sweep ---------------------------------------------------------------------------


async def test_instant_connect_is_a_live_host(
    kernel: Behaviour, session: aiohttp.ClientSession
) -> None:
    """A connect the kernel completes at once: reachable, and nothing else is tried."""
    kernel.ports = {PORTS.web: INSTANT}
    host = _host()
    found = await _scan(session, [host])
    assert [(r.host, r.identity is not None) for r in found] == [(host, True)]
    assert kernel.connects == [PORTS.web]


async def test_unreachable_on_the_spot_is_not_retried(
    kernel: Behaviour, session: aiohttp.ClientSession
) -> None:
    """``ENETUNREACH`` at connect time means no host: done, without the retry's wait."""
    kernel.ports = dict.fromkeys((PORTS.web, PORTS.rpc, PORTS.whatsminer_v3), errno.ENETUNREACH)
    events: list[ScanProgress] = []
    started = time.monotonic()
    assert await _scan(session, [_host()], progress=events.append) == []
    assert time.monotonic() - started < 0.2
    assert kernel.connects == [PORTS.web, PORTS.rpc, PORTS.whatsminer_v3]
    assert events[-1].reachable == 0


async def test_unexpected_connect_error_counts_as_silent(
    kernel: Behaviour, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    """``EACCES`` (a firewall rule) settles nothing: the port is retried once, then the
    host is given up, and the error is in the debug log."""
    kernel.ports = {PORTS.web: errno.EACCES}
    with caplog.at_level(logging.DEBUG, logger=scan_module.__name__):
        assert await _scan(session, [_host()]) == []
    assert kernel.connects.count(PORTS.web) == 2
    assert kernel.connects.count(PORTS.rpc) == 1  # refused: not retried
    assert "scan connect failed" in caplog.text


async def test_unusual_so_error_counts_as_silent(
    kernel: Behaviour, session: aiohttp.ClientSession
) -> None:
    """A connect that fails with ``ETIMEDOUT`` is retried like a silent port."""
    kernel.ports = {PORTS.web: PENDING}
    kernel.so_error = errno.ETIMEDOUT
    assert await _scan(session, [_host()]) == []
    assert kernel.connects.count(PORTS.web) == 2


async def test_connect_that_lands_as_time_runs_out(
    kernel: Behaviour, session: aiohttp.ClientSession
) -> None:
    """Connected by the time the probe gives up, though not yet reported: still live."""
    kernel.ports = dict.fromkeys((PORTS.web, PORTS.rpc, PORTS.whatsminer_v3), STUCK)
    kernel.peer = True
    host = _host()
    found = await _scan(session, [host])
    assert [r.host for r in found] == [host]


async def test_out_of_file_descriptors(
    kernel: Behaviour, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    """EMFILE: one warning telling the user what to do, and the scan still finishes."""
    kernel.socket_errno = errno.EMFILE
    events: list[ScanProgress] = []
    hosts = [_host() for _ in range(3)]
    with caplog.at_level(logging.WARNING, logger=scan_module.__name__):
        assert await _scan(session, hosts, progress=events.append) == []
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "lower the concurrency" in warnings[0].getMessage()
    assert events[-1].stage is ScanStage.DONE


async def test_broken_progress_callback_does_not_stop_the_scan(
    kernel: Behaviour, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    kernel.ports = {PORTS.web: INSTANT}

    def broken(progress: ScanProgress) -> None:
        raise ValueError("UI went away")

    with caplog.at_level(logging.ERROR, logger=scan_module.__name__):
        found = await _scan(session, [_host()], progress=broken)
    assert len(found) == 1
    assert "progress callback failed" in caplog.text


# -- identification ------------------------------------------------------------------


async def test_model_lookup_that_hangs_is_reported_as_a_timeout(
    kernel: Behaviour, session: aiohttp.ClientSession
) -> None:
    """A miner whose family answered but whose model lookup hangs is still listed, with
    a timeout error, once ``identify_timeout`` is up."""
    kernel.ports = {PORTS.web: INSTANT}

    async def hangs(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")  # pragma: no cover

    host = _host()
    started = time.monotonic()
    (result,) = await _scan(session, [host], families=(_family(hangs),), identify_timeout=0.4)
    assert time.monotonic() - started < 2.0
    assert (result.host, result.family.key, result.identity) == (host, "fake", None)
    assert isinstance(result.error, MinerTimeoutError)


async def test_unexpected_reply_during_model_lookup(
    kernel: Behaviour, session: aiohttp.ClientSession
) -> None:
    """A family meeting a reply it did not expect still reports the miner it found."""
    kernel.ports = {PORTS.web: INSTANT}

    async def confused(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
        reply: dict[str, str] = {"hostname": "miner"}  # no "minertype" in it
        return MinerIdentity("Bitmain", reply["minertype"], "fake", "Fake OS", "v1")

    (result,) = await _scan(session, [_host()], families=(_family(confused),))
    assert result.identity is None
    assert isinstance(result.error, MinerResponseError)
    assert "Fake OS" in str(result.error)
    assert "minertype" in str(result.error)


async def test_driver_bug_stays_with_its_host(
    kernel: Behaviour, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    """Any exception while identifying one host is that host's error, never the scan's."""
    kernel.ports = {PORTS.web: INSTANT}
    first, second = _host(), _host()
    while second == first:
        second = _host()

    async def bug_on_second(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
        if ctx.host == second:
            raise RuntimeError("family bug")
        return await _identified(ctx, results)

    with caplog.at_level(logging.DEBUG, logger=scan_module.__name__):
        results = await _scan(session, [first, second], families=(_family(bug_on_second),))
    by_host = {r.host: r for r in results}
    assert by_host[first].identity is not None
    assert by_host[second].identity is None
    assert isinstance(by_host[second].error, MinerResponseError)
    assert "family bug" in str(by_host[second].error)
    assert f"{second}: identifying fake failed" in caplog.text


async def test_fingerprint_of_any_shape_never_aborts_the_scan(
    kernel: Behaviour, session: aiohttp.ClientSession
) -> None:
    """A probe reply of the wrong type makes ``matches`` raise: the host is not a miner."""
    kernel.ports = {PORTS.web: INSTANT}

    def broken(results: ProbeResults) -> bool:
        raise OverflowError("fingerprint bug")

    family = replace(FAKE, recognised_by=Fingerprint(FAKE.probes, broken))
    assert await _scan(session, [_host()], families=(family,)) == []


async def test_probe_stage_bug_never_aborts_the_scan(
    kernel: Behaviour, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RecursionError("probe bug")

    kernel.ports = {PORTS.web: INSTANT}
    monkeypatch.setattr(identify_module, "detect_family", broken)
    assert await _scan(session, [_host(), _host()]) == []


# -- targets ---------------------------------------------------------------------------


async def test_address_list_is_limited_like_a_range(session: aiohttp.ClientSession) -> None:
    base = int(ipaddress.IPv4Address("10.0.0.0"))
    addresses = [ipaddress.IPv4Address(base + i) for i in range(65_537)]
    with pytest.raises(MinerScanRangeError, match="65,536"):
        await scan_all(addresses, session)


@pytest.mark.parametrize("target", ["127.0.0.0/8", "127.0.0.0/16, 127.1.0.1"])
def test_too_large_is_its_own_type(target: str) -> None:
    """Callers tell "too large" from "malformed" by type, not by the message."""
    with pytest.raises(MinerScanTooLargeError):
        scan_module.parse_targets(target)
    with pytest.raises(MinerScanRangeError) as malformed:
        scan_module.parse_targets("127.0.0")
    assert not isinstance(malformed.value, MinerScanTooLargeError)


def test_too_large_target_list_is_its_own_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(targets_module, "MAX_SCAN_ADDRESSES", 2)
    with pytest.raises(MinerScanTooLargeError):
        targets_module.hosts(["127.0.0.1", "127.0.0.2", "127.0.0.3"])
