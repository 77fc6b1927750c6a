"""One deadline for a whole read, however many requests the firmware makes it take.

Each request has its own timeout, but a firmware that takes its commands one after
another (Avalon) or a login before the data (VNish, Braiins) chains several of them.
``collect`` opens a read scope with the overall deadline; code that queues requests
asks ``remaining`` for what is left, so a queued command never outlives the read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

READ_DEADLINE_FACTOR = 2.0
"""A full read may take this many request timeouts (a login, then the data)."""

_DEADLINE: ContextVar[float | None] = ContextVar("asic_miner_read_deadline", default=None)


@contextmanager
def read_scope(seconds: float) -> Iterator[float]:
    """Set the read deadline (loop time) for this task and the tasks it starts."""
    deadline = asyncio.get_running_loop().time() + seconds
    token = _DEADLINE.set(deadline)
    try:
        yield deadline
    finally:
        _DEADLINE.reset(token)


def remaining(timeout: float) -> float:
    """``timeout``, shortened to what is left of the current read (never below 1 ms)."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - asyncio.get_running_loop().time()
    return max(0.001, min(timeout, left))
