"""Everything a family needs to talk to one miner: address, ports, login, session."""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp

from .limits import DEFAULT_MAX_REPLY_BYTES
from .models import Credentials, Ports
from .transports.http import HttpClient
from .transports.rpc import RpcClient, RpcStats

DEFAULT_TIMEOUT = 5.0


@dataclass(slots=True)
class MinerContext:
    """Per-miner connection settings, shared by the probes and the backend."""

    host: str
    session: aiohttp.ClientSession
    ports: Ports = field(default_factory=Ports)
    credentials: Credentials = field(default_factory=Credentials)
    timeout: float = DEFAULT_TIMEOUT
    rpc_stats: RpcStats = field(default_factory=RpcStats)
    # The family's reply bound (limits.py), set once the family is known.
    max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES

    def rpc(self, port: int | None = None) -> RpcClient:
        return RpcClient(
            self.host,
            port or self.ports.rpc,
            timeout=self.timeout,
            max_reply_bytes=self.max_reply_bytes,
            stats=self.rpc_stats,
        )

    def web(
        self, *, digest: tuple[str, str] | None = None, https: bool = False, port: int | None = None
    ) -> HttpClient:
        if port is None:
            port = self.ports.https if https else self.ports.web
        return HttpClient(
            self.host,
            port,
            self.session,
            scheme="https" if https else "http",
            timeout=self.timeout,
            max_body_bytes=self.max_reply_bytes,
            digest=digest,
        )

    def login(self, default: Credentials) -> tuple[str, str]:
        """The user's credentials, falling back field by field to the family's defaults."""
        user = self.credentials.username or default.username or ""
        password = self.credentials.password
        if password is None:
            password = default.password or ""
        return user, password
