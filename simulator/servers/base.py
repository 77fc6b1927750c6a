"""What every simulated server shares: start, stop, and the "am I reachable" rule."""

from __future__ import annotations

from typing import Protocol


class Server(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...
