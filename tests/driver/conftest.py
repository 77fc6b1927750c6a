"""Driver tests talk to simulated miners over real sockets on 127.0.0.0/8.

pytest-homeassistant-custom-component blocks sockets in every test and allows only
127.0.0.1; driver tests re-allow the loopback addresses the simulator binds. The
simulator listens on unprivileged ports so the suite also passes for an ordinary user.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

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
async def simulate() -> AsyncIterator[SimFactory]:
    """Start simulated miners: ``await simulate("antminer", "S19 Pro", host=..., **state)``."""
    runner = SimRunner()
    yield runner.start
    await runner.stop()
