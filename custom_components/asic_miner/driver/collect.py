"""Turn a backend's data map into requests, and the replies into a snapshot.

The union of every field's sources is fetched once: RPC commands as one multicommand
on one connection where the firmware allows it (else concurrently, one connection
each, or one after the other where its API takes one command at a time), each reply
checked whole where the backend asks (``RPC_WHOLE_REPLIES``), web pages and backend
calls concurrently beside them. A field whose extractor
fails is left ``None`` and logged at debug level; a poll fails as a whole only when the
credentials are refused or nothing at all answered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Mapping
from dataclasses import replace
from typing import Any

from .bounds import bounded, controls, power_limit_bounds
from .contract import Backend, Call, Field, Replies, Rpc, Source, Web
from .deadline import READ_DEADLINE_FACTOR, read_scope, remaining
from .exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
)
from .gathering import gather_dict
from .hardware import lookup
from .models import Board, MinerSnapshot
from .transports.rpc import MulticommandRefusedError, RpcClient
from .transports.rpc_parse import check_status

_LOGGER = logging.getLogger(__name__)
_MULTI = object()  # key of the multicommand among the RPC tasks
# Fields that say what the miner can do, not what it does: no reading on their own.
_CAPABILITIES = frozenset({Field.CONTROLS, Field.POWER_LIMIT_RANGE})
_GRACE = 0.25  # seconds past the read deadline before the whole read is abandoned


async def fetch_sources(backend: Backend, sources: set[Source]) -> dict[Source, Any]:
    """Fetch every source; failures come back as exception values."""
    rpc = sorted((s for s in sources if isinstance(s, Rpc)), key=lambda s: s.command)
    tasks: dict[Any, Any] = {}
    if rpc:
        tasks["rpc"] = _fetch_rpc(backend, rpc)
    for source in sources:
        if isinstance(source, Web):
            tasks[source] = backend.fetch_web(source.path)
        elif isinstance(source, Call):
            tasks[source] = backend.fetch_call(source)
    done = await gather_dict(tasks)
    results: dict[Source, Any] = {}
    for key, value in done.items():
        if key == "rpc":
            if isinstance(value, Exception):
                results.update(dict.fromkeys(rpc, value))
            else:
                results.update(value)
        else:
            results[key] = value
    for source, value in results.items():
        if isinstance(value, Exception) and not isinstance(value, MinerError):
            # A family met a reply it did not expect (or has a bug): the source fails
            # with a typed error naming it, logged with its traceback at debug level.
            _LOGGER.debug("%s: %s failed", backend.ctx.host, _name(source), exc_info=value)
            error = MinerResponseError(f"{backend.ctx.host} {_name(source)}: {value!r}")
            results[source] = error.with_traceback(value.__traceback__)
    return results


async def _fetch_rpc(backend: Backend, sources: list[Rpc]) -> dict[Source, Any]:
    client = backend.ctx.rpc()
    plain = [s for s in sources if s.parameter is None]
    if not (backend.multicommand_ok and len(plain) > 1):
        return await _singles(backend, client, sources)
    # One multicommand for the plain commands; those with a parameter beside it (after
    # it, for firmware that takes one command at a time).
    others = [s for s in sources if s not in plain]
    combined: dict[str, Any] | Exception
    if backend.RPC_ONE_AT_A_TIME:
        combined = await _multicommand(backend, client, plain)
        silent = combined if isinstance(combined, MinerTimeoutError) else None
        out = await _singles(backend, client, others, down=silent)
    else:
        tasks: dict[Any, Any] = {s: _one(backend, client, s) for s in others}
        tasks[_MULTI] = _multicommand(backend, client, plain)
        done = await gather_dict(tasks)
        combined = done.pop(_MULTI)
        out = dict(done)
    if not isinstance(combined, Exception):
        out.update({Rpc(name): _checked(reply) for name, reply in combined.items()})
        return out
    if isinstance(combined, MinerTimeoutError) or not isinstance(combined, MinerError):
        # A silent miner: don't spend another deadline on single commands.
        out.update(dict.fromkeys(plain, combined))
        return out
    singles = await _singles(backend, client, plain)
    if isinstance(combined, MinerConnectionError):
        # Refused (the miner is down) or hung up on the combined command: only the
        # single commands tell which.
        refused = any(not isinstance(v, Exception) for v in singles.values())
    else:
        # An error STATUS or a whole reply without the pieces; a reply cut short or
        # garbled on the way is this poll's trouble only.
        refused = isinstance(combined, MulticommandRefusedError)
    if refused:
        # Remember the refusal so later polls go straight to single commands.
        backend.multicommand_ok = False
    out.update(singles)
    return out


async def _multicommand(
    backend: Backend, client: RpcClient, sources: list[Rpc]
) -> dict[str, Any] | Exception:
    """The combined read's pieces, or its failure as a value."""
    try:
        return await client.multicommand(
            tuple(s.command for s in sources),
            whole=backend.RPC_WHOLE_REPLIES,
            **backend.RPC_EXTRA,
        )
    except Exception as err:  # a value, judged by the caller
        return err


def _one(backend: Backend, client: RpcClient, source: Rpc) -> Coroutine[Any, Any, Any]:
    return client.command(
        source.command, source.parameter, whole=backend.RPC_WHOLE_REPLIES, **backend.RPC_EXTRA
    )


async def _singles(
    backend: Backend,
    client: RpcClient,
    sources: list[Rpc],
    *,
    down: MinerConnectionError | None = None,
) -> dict[Source, Any]:
    """One connection per command; failures come back as values.

    All at once, or for firmware that takes one command at a time one after the other,
    each inside what is left of the read's deadline; there, once one finds the miner
    unreachable (or ``down`` says it already was), the rest fail the same way at once
    rather than each wait it out.
    """
    if not backend.RPC_ONE_AT_A_TIME:  # side by side, without a task per command
        replies = await client.commands(
            [(s.command, s.parameter) for s in sources],
            whole=backend.RPC_WHOLE_REPLIES,
            **backend.RPC_EXTRA,
        )
        return dict(zip(sources, replies, strict=True))
    out: dict[Source, Any] = {}
    for source in sources:
        if down is not None:
            out[source] = type(down)(str(down))
            continue
        try:
            out[source] = await _one(
                backend, replace(client, timeout=remaining(client.timeout)), source
            )
        except MinerConnectionError as err:
            down = err
            out[source] = err
        except MinerError as err:
            out[source] = err
    return out


def _name(source: Source) -> str:
    if isinstance(source, Rpc):
        return source.command
    if isinstance(source, Web):
        return source.path
    return source.name


def _checked(reply: Any) -> Any:
    """One multicommand piece, or its error when its own STATUS says it failed."""
    try:
        return check_status(reply)
    except MinerResponseError as err:
        return err


def extract(backend: Backend, replies: Mapping[Source, Any]) -> dict[Field, Any]:
    """Run every extractor over the replies; a failing one yields ``None``.

    Any exception counts (a reply of an unexpected shape raises anything from
    ``KeyError`` to ``RecursionError``): one bad field never costs the snapshot.
    Values outside physical bounds become ``None`` as well.
    """
    wrapped = Replies(replies)
    values: dict[Field, Any] = {}
    for field, location in backend.DATA_MAP.items():
        try:
            values[field] = location.extract(wrapped)
        except Exception as err:
            _LOGGER.debug("%s: %s unavailable: %r", backend.ctx.host, field.value, err)
            values[field] = None
    return bounded(values, backend.ctx.host)


async def collect(backend: Backend) -> MinerSnapshot:
    """Read one full snapshot from the miner, under one overall deadline.

    Slow sources (``Backend.SLOW_SOURCES``) are fetched only when due; their kept
    replies stand in between (``slow.py``). Fallback sources (``first_of``) are fetched
    after the others, only for the fields those left unknown.
    """
    sources: set[Source] = {s for loc in backend.DATA_MAP.values() for s in loc.sources}
    seconds = backend.ctx.timeout * READ_DEADLINE_FACTOR
    generation = backend.slow.generation
    values: dict[Field, Any] | None
    try:
        with read_scope(seconds) as deadline:
            # A little grace: queued requests time out on ``remaining`` first, so
            # the replies that did arrive are kept.
            async with asyncio.timeout_at(deadline + _GRACE):
                fetched = await fetch_sources(backend, backend.slow.due(sources))
                replies = backend.slow.merge(fetched, generation)
                values = extract(backend, replies)
                fallback = _fallback_sources(backend, values, replies)
                if fallback:
                    replies.update(await fetch_sources(backend, fallback))
                    values = None  # extracted again with the fallback replies
        return snapshot_from(backend, replies, values)
    except TimeoutError as err:
        backend.slow.clear()
        raise MinerTimeoutError(f"{backend.ctx.host}: read took longer than {seconds:g} s") from err
    except Exception:
        backend.slow.clear()  # a failed poll keeps nothing: the next one reads everything
        raise


def _fallback_sources(
    backend: Backend, values: Mapping[Field, Any], replies: Mapping[Source, Any]
) -> set[Source]:
    """The fallback sources of the fields the poll's replies left unknown, not yet read."""
    return {
        source
        for field, location in backend.DATA_MAP.items()
        if location.fallback and values.get(field) is None
        for source in location.fallback
        if source not in replies
    }


def snapshot_from(
    backend: Backend, replies: Mapping[Source, Any], values: dict[Field, Any] | None = None
) -> MinerSnapshot:
    """The snapshot one poll's replies (or errors, as values) make; no I/O.

    ``values``: what ``extract`` made of these replies, where the caller has it.
    Apart from ``collect``, the fuzz tests feed it mutated replies directly.
    """
    errors = [v for v in replies.values() if isinstance(v, Exception)]
    for error in errors:
        if isinstance(error, MinerAuthenticationError):
            raise error
    if replies and len(errors) == len(replies):
        connection = [e for e in errors if isinstance(e, MinerConnectionError)]
        driver = [e for e in errors if isinstance(e, MinerError)]
        raise (connection or driver or errors)[0]
    if values is None:
        values = extract(backend, replies)
    read_fields = [
        f for f, loc in backend.DATA_MAP.items() if loc.sources and f not in _CAPABILITIES
    ]
    if read_fields and all(values.get(f) in (None, [], ()) for f in read_fields):
        # Replies that parse but hold nothing usable (garbage the repairer emptied) are
        # no reading at all: fail the poll rather than show a miner with no figures.
        raise MinerResponseError(f"{backend.ctx.host}: no usable data in the miner's replies")
    values = _shared_semantics(values)
    available = controls(backend, values.pop(Field.CONTROLS, None))
    reported_range = values.pop(Field.POWER_LIMIT_RANGE, None)
    kwargs: dict[str, Any] = {f.value: v for f, v in values.items() if v is not None}
    for name in ("boards", "fans", "pools", "errors", "work_modes"):
        if name in kwargs:
            kwargs[name] = tuple(kwargs[name])
    if "boards" in kwargs:
        kwargs["boards"] = _with_expected_chips(backend, kwargs["boards"])
    return MinerSnapshot(
        identity=backend.identity,
        controls=available,
        power_limit_range=power_limit_bounds(backend, available, reported_range),
        **kwargs,
    )


def _shared_semantics(values: dict[Field, Any]) -> dict[Field, Any]:
    """What every family means by mining and by a board that does not hash.

    Mining comes from the firmware's own state field where it has one; without one a
    positive hashrate still says the miner mines (a zero or missing one says nothing:
    it could be a fault or a pause). A miner paused on purpose has boards that do not
    hash because they were told not to, which is no fault: their ``active`` is unknown.
    It hashes nothing, which is known: its hashrate and its boards' are 0 where the
    firmware left them out while paused (issue 13), never unknown.
    """
    if values.get(Field.MINING) is None:
        hashrate = values.get(Field.HASHRATE)
        if hashrate is not None and hashrate > 0:
            values[Field.MINING] = True
    if values.get(Field.MINING) is False:
        if values.get(Field.HASHRATE) is None:
            values[Field.HASHRATE] = 0.0
        if values.get(Field.BOARDS):
            values[Field.BOARDS] = [_paused(b) for b in values[Field.BOARDS]]
    return values


def _paused(board: Board) -> Board:
    """A board of a miner paused on purpose: no fault, and no hashrate."""
    return replace(
        board,
        active=None if board.active is False else board.active,
        hashrate=0.0 if board.hashrate is None else board.hashrate,
    )


def _with_expected_chips(backend: Backend, boards: tuple[Board, ...]) -> tuple[Board, ...]:
    """Fill a board's healthy chip count from the hardware table where firmware is silent."""
    hardware = lookup(backend.identity.make, backend.identity.model)
    if hardware is None:
        return boards
    return tuple(
        b if b.expected_chips is not None else replace(b, expected_chips=hardware.chips_per_board)
        for b in boards
    )
