"""What every simulated server shares: start, stop, and starting several as one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Server(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def start_all(parts: Sequence[Server]) -> None:
    """Start each in turn; if one fails, stop those already started and re-raise.

    Used for a miner's servers and for a fleet's miners (both start and stop), so a
    half-started miner or fleet never keeps an address bound.
    """
    started: list[Server] = []
    try:
        for part in parts:
            await part.start()
            started.append(part)
    except BaseException:
        await stop_all(started)
        raise


async def stop_all(parts: Sequence[Server]) -> None:
    for part in parts:
        await part.stop()
