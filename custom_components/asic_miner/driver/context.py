"""Everything a family needs to talk to one miner: address, ports, login, session."""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp

from .limits import DEFAULT_MAX_REPLY_BYTES
from .models import Credentials, Ports
from .transports.http import ConnectionPool, HttpClient
from .transports.rpc import RpcClient, RpcStats

DEFAULT_TIMEOUT = 5.0
POLL_KEEP_ALIVE = 60.0
"""Seconds a polled miner's idle HTTP connections are kept: past a 15 s poll interval
with room for a late poll (Home Assistant passes it; see ``MinerContext.keep_alive``)."""


@dataclass(slots=True)
class MinerContext:
    """Per-miner connection settings, shared by the probes and the backend."""

    host: str
    session: aiohttp.ClientSession
    ports: Ports = field(default_factory=Ports)
    credentials: Credentials = field(default_factory=Credentials)
    timeout: float = DEFAULT_TIMEOUT
    rpc_stats: RpcStats = field(default_factory=RpcStats)
    # The family's reply bound (``Family.max_reply_bytes``), set once it is known.
    max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES
    # Seconds to keep the miner's idle HTTP connections in its own pool, for a caller
    # that polls it (Home Assistant: its shared session drops them after 15 s, its poll
    # interval, so polls reconnected at random); ``None``: ``session`` as it is. The
    # caller then ends the pool with ``close``. A copy of the context (``replace``, a
    # miner that moved) shares the pool.
    keep_alive: float | None = None
    pool: ConnectionPool | None = field(default=None, repr=False)

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
            pool=self._pool(),
        )

    def _pool(self) -> ConnectionPool | None:
        if self.keep_alive is None:
            return None
        if self.pool is None:
            self.pool = ConnectionPool(self.keep_alive)
        return self.pool

    async def close(self) -> None:
        """Release the miner's own HTTP connections (a no-op without ``keep_alive``)."""
        if self.pool is not None:
            await self.pool.close()

    def login(self, default: Credentials) -> tuple[str, str]:
        """The user's credentials, falling back field by field to the family's defaults."""
        user = self.credentials.username or default.username or ""
        password = self.credentials.password
        if password is None:
            password = default.password or ""
        return user, password
