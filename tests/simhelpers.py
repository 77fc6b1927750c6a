"""Shared helpers for tests that run simulated miners on loopback."""

from __future__ import annotations

import errno
import random
from collections.abc import Awaitable, Callable
from typing import Any

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
ALLOWED_HOSTS = [f"127.0.{net}.{host}" for net in range(10, 20) for host in range(1, 255)]

type SimFactory = Callable[..., Awaitable[SimMiner]]


def allow_loopback(extra: list[str] | None = None) -> None:
    """Let the test reach the simulator's loopback addresses (pytest-socket allows 127.0.0.1)."""
    pytest_socket.socket_allow_hosts(
        ["127.0.0.1", *ALLOWED_HOSTS, *(extra or [])], allow_unix_socket=True
    )


class SimRunner:
    """Starts simulated miners on free loopback addresses and stops them all at the end."""

    def __init__(self) -> None:
        self.running: list[SimMiner] = []
        self._families = load_all()
        # Start at a random address so parallel test runs rarely meet; skip busy ones.
        self._candidates = iter(random.sample(ALLOWED_HOSTS, 600))

    async def start(
        self, family: str, model: str, host: str | None = None, **overrides: Any
    ) -> SimMiner:
        while True:
            address = host or next(self._candidates)
            miner = self._families[family].create(address, model, SIM_PORTS, **overrides)
            try:
                await miner.start()
            except OSError as err:
                if host is not None or err.errno != errno.EADDRINUSE:
                    raise
                continue
            self.running.append(miner)
            return miner

    async def stop(self) -> None:
        for miner in self.running:
            await miner.stop()
        self.running.clear()
