"""Concurrency helpers the collector and a few families share.

``gather_dict`` awaits a mapping of reads and hands failures back as values, so one
source's error never hides another's reply; ``SharedPoll`` lets every source of a poll
share one read of a firmware that answers everything at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any


async def gather_dict[K, V](tasks: Mapping[K, Awaitable[V]]) -> dict[K, V | Exception]:
    """Await a mapping of awaitables concurrently; failures come back as values.

    A single one is awaited as it is: no task to create and schedule for it (many
    polls are one multicommand or one request).
    """
    if len(tasks) == 1:
        ((key, only),) = tasks.items()
        try:
            return {key: await only}
        except Exception as err:  # a value, as ``gather`` would hand it back
            return {key: err}
    keys = list(tasks)
    results = await asyncio.gather(*(tasks[k] for k in keys), return_exceptions=True)
    out: dict[K, V | Exception] = {}
    for key, result in zip(keys, results, strict=True):
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result
        out[key] = result
    return out


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a shared read's failure as seen even when every waiter was cancelled."""
    if not future.cancelled():
        future.exception()


class SharedPoll[K]:
    """One poll's replies, read once and shared by every source that asks for them.

    ``collect`` asks for every source of a poll at once: the first ask starts ``read``
    (one multicommand, or a few requests in turn) and the others wait for its pieces;
    an ask after it finished starts the next poll's read. A piece that is an exception
    is raised for the source that asked for it alone.
    """

    def __init__(self, read: Callable[[], Coroutine[Any, Any, Mapping[K, Any]]]) -> None:
        self._read = read
        self._future: asyncio.Future[Mapping[K, Any]] | None = None

    async def piece(self, key: K) -> Any:
        future = self._future
        if future is None or future.done():
            future = self._future = asyncio.ensure_future(self._read())
            future.add_done_callback(_retrieve)
        piece = (await asyncio.shield(future))[key]
        if isinstance(piece, Exception):
            raise piece
        return piece
