"""Driver tests talk to simulated miners over real sockets on 127.0.0.0/8.

pytest-homeassistant-custom-component blocks sockets in every test and allows only
127.0.0.1; driver tests re-allow the loopback addresses the simulator binds. The
simulator listens on unprivileged ports so the suite also passes for an ordinary user.
"""

from __future__ import annotations

import errno
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import pytest
import pytest_socket

from custom_components.asic_miner.driver.models import Ports
from simulator.families import load_all
from simulator.miner import SimMiner, SimPorts

SIM_PORTS = SimPorts.unprivileged()
DRIVER_PORTS = Ports(
    rpc=SIM_PORTS.rpc,
    web=SIM_PORTS.web,
    https=SIM_PORTS.https,
    whatsminer_v3=SIM_PORTS.whatsminer_v3,
)
# Loopback subnets tests may bind and reach: 127.0.10.0/24 .. 127.0.19.0/24.
ALLOWED_HOSTS = [f"127.0.{net}.{host}" for net in range(10, 20) for host in range(256)]


@pytest.fixture(autouse=True)
def loopback(socket_enabled: None) -> Iterator[None]:
    pytest_socket.socket_allow_hosts(["127.0.0.1", *ALLOWED_HOSTS], allow_unix_socket=True)
    return


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


type SimFactory = Callable[..., Awaitable[SimMiner]]


@pytest.fixture
async def simulate() -> AsyncIterator[SimFactory]:
    """Start simulated miners: ``await simulate("antminer", "S19 Pro", host=..., **state)``."""
    running: list[SimMiner] = []
    families = load_all()
    # Start at a random address so parallel test runs rarely meet; skip busy ones.
    candidates = iter(random.sample(ALLOWED_HOSTS[1:], 400))

    async def start(family: str, model: str, host: str | None = None, **overrides: Any) -> SimMiner:
        while True:
            address = host or next(candidates)
            if address.endswith((".0", ".255")):
                continue
            miner = families[family].create(address, model, SIM_PORTS, **overrides)
            try:
                await miner.start()
            except OSError as err:
                if host is not None or err.errno != errno.EADDRINUSE:
                    raise
                continue
            running.append(miner)
            return miner

    yield start
    for miner in running:
        await miner.stop()
