"""Driver tests talk to simulated miners over real sockets on 127.0.0.0/8.

pytest-homeassistant-custom-component blocks sockets in every test and allows only
127.0.0.1; driver tests re-allow the loopback addresses the simulator binds. The
simulator listens on unprivileged ports so the suite also passes for an ordinary user.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from tests.simhelpers import (
    ALLOWED_HOSTS,
    DRIVER_PORTS,
    SIM_PORTS,
    SimFactory,
    SimRunner,
    allow_loopback,
)

__all__ = ["ALLOWED_HOSTS", "DRIVER_PORTS", "SIM_PORTS", "SimFactory"]


@pytest.fixture(autouse=True)
def loopback(socket_enabled: None) -> Iterator[None]:
    allow_loopback()
    yield


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
async def counted() -> AsyncIterator[tuple[aiohttp.ClientSession, Counter[str]]]:
    """A session counting every HTTP request it sends, by method and path."""
    sent: Counter[str] = Counter()

    async def on_start(_s: Any, _c: Any, params: aiohttp.TraceRequestStartParams) -> None:
        sent[f"{params.method} {params.url.path}"] += 1

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    async with aiohttp.ClientSession(trace_configs=[trace]) as client:
        yield client, sent


@pytest.fixture
async def simulate() -> AsyncIterator[SimFactory]:
    """Start simulated miners: ``await simulate("antminer", "S19 Pro", host=..., **state)``."""
    runner = SimRunner()
    yield runner.start
    await runner.stop()
