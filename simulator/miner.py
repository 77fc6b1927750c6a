"""A simulated miner: one address, one state, the servers its firmware runs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, ClassVar

from .servers.base import Server, start_all, stop_all
from .servers.http import HttpServer, RouteSetup
from .servers.tcp import Handler, RpcServer
from .state import MinerState, ModelSpec


@dataclass(frozen=True, slots=True)
class SimPorts:
    """Where the simulated servers listen; the real ports by default."""

    rpc: int = 4028
    web: int = 80
    https: int = 443
    whatsminer_v3: int = 4433

    @classmethod
    def unprivileged(cls) -> SimPorts:
        """Ports an ordinary user may bind, for tests run without root."""
        return cls(rpc=4028, web=8080, https=8443, whatsminer_v3=4433)


class SimMiner:
    """Base for a family's simulated firmware; subclasses build the servers."""

    family: ClassVar[str]
    models: ClassVar[dict[str, ModelSpec]]  # ``models_of(family)``: rows of simulator/models.py
    default_username: ClassVar[str] = "root"
    default_password: ClassVar[str] = "root"
    firmware_version: ClassVar[str] = "1.0.0"

    def __init__(self, host: str, state: MinerState, ports: SimPorts | None = None) -> None:
        self.host = host
        self.state = state
        self.ports = ports or SimPorts()
        self.servers: list[Server] = []

    @classmethod
    def create(
        cls, host: str, model: str, ports: SimPorts | None = None, **overrides: Any
    ) -> SimMiner:
        spec = cls.models[model]
        seed = hashlib.sha256(f"{cls.family}:{host}".encode()).digest()
        state = MinerState(
            spec=spec,
            mac="02:" + ":".join(f"{b:02X}" for b in seed[:5]),
            serial=f"SIM{seed[5:11].hex().upper()}",
            hostname=f"{cls.family}-{host.replace('.', '-')}",
            firmware_version=spec.firmware or cls.firmware_version,
            username=cls.default_username,
            password=cls.default_password,
        )
        for key, value in overrides.items():
            setattr(state, key, value)
        return cls(host, state, ports)

    def build_servers(self) -> list[Server]:
        raise NotImplementedError

    def rpc_and_web(self, rpc: Handler, routes: RouteSetup) -> list[Server]:
        """cgminer-style RPC on the RPC port and a web server: most firmwares' pair."""
        return [
            RpcServer(self.host, self.ports.rpc, self.state, rpc),
            HttpServer(self.host, self.ports.web, self.state, routes),
        ]

    async def start(self) -> None:
        self.servers = self.build_servers()
        await start_all(self.servers)

    async def stop(self) -> None:
        await stop_all(self.servers)
        self.servers = []

    async def __aenter__(self) -> SimMiner:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def describe(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "family": self.family,
            "make": self.state.spec.make,
            "model": self.state.spec.model,
            "mac": self.state.mac,
        }
