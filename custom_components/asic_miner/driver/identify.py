"""Which firmware family, model and release answers at an address.

Every probe any family needs is sent once, all at the same time, under one deadline.
The winner is the first family in registry order that matches, decided as soon as
every family before it has been ruled out; so a stock match waits for the non-stock
probes to answer (a VNish or Braiins Antminer is never called stock) while a miner
whose probes all answer fast is identified as fast as they answer. The same replies
always give the same answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from .context import MinerContext
from .contract import Family, Probe
from .exceptions import (
    MinerConnectionError,
    MinerError,
    MinerNotIdentifiedError,
    MinerResponseError,
    MinerTimeoutError,
)
from .models import Credentials, MinerIdentity
from .reach import Reach, reach
from .registry import FAMILIES
from .unsupported import describe_unsupported

_LOGGER = logging.getLogger(__name__)
DEFAULT_IDENTIFY_TIMEOUT: Final = 6.0  # probes plus the model and version lookups
REACH_TIMEOUT: Final = 2.0  # at least this long to tell "nothing there" from "not a miner"


async def detect_family(
    ctx: MinerContext,
    families: tuple[Family, ...] = FAMILIES,
    timeout: float = DEFAULT_IDENTIFY_TIMEOUT,
) -> tuple[Family, dict[str, Any]]:
    """Run the probes and return the winning family with the probe results."""
    probes: dict[str, Probe] = {}
    for fam in families:
        for probe in fam.probes:
            probes.setdefault(probe.key, probe)
    tasks: dict[asyncio.Task[Any], str] = {
        asyncio.create_task(probe.run(ctx)): key for key, probe in probes.items()
    }
    results: dict[str, Any] = {}
    finished: set[str] = set()
    try:
        async with asyncio.timeout(timeout):
            pending = set(tasks)
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    key = tasks[task]
                    finished.add(key)
                    if not task.cancelled() and task.exception() is None:
                        results[key] = task.result()
                winner = _decide(families, results, finished, final=not pending)
                if winner is not None:
                    return winner, results
    except TimeoutError:
        winner = _decide(families, results, set(probes), final=True)
        if winner is not None:
            return winner, results
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    answered = describe_unsupported(results)
    if answered is not None:
        raise MinerNotIdentifiedError(
            f"{ctx.host}: {answered} answered, a miner this driver does not support", answered
        )
    raise MinerNotIdentifiedError(f"{ctx.host}: no known miner firmware answered")


def _decide(
    families: tuple[Family, ...], results: dict[str, Any], finished: set[str], *, final: bool
) -> Family | None:
    for fam in families:
        resolved = final or all(p.key in finished for p in fam.probes)
        if not resolved:
            return None  # a higher-priority family might still match
        try:
            if fam.matches(results):
                return fam
        except Exception:
            _LOGGER.debug("%s fingerprint check failed", fam.key, exc_info=True)
    return None


@dataclass(frozen=True, slots=True)
class Identification:
    """Which family answered at an address, and its identity or why there is none.

    ``identity`` is ``None`` when the family answered but its model and version lookups
    failed; ``error`` then says why (a ``MinerAuthenticationError``: it wants another
    login than the one given, or the family's default).
    """

    family: Family
    identity: MinerIdentity | None = None
    error: MinerError | None = None

    def unwrap(self) -> MinerIdentity:
        """The identity, or the error raised."""
        if self.identity is None:
            assert self.error is not None
            raise self.error
        return self.identity


async def identify_host(
    ctx: MinerContext,
    families: tuple[Family, ...] = FAMILIES,
    *,
    timeout: float = DEFAULT_IDENTIFY_TIMEOUT,
    probe_timeout: float | None = None,
    credentials: Callable[[Family], Credentials] | None = None,
    check_reach: bool = True,
) -> Identification:
    """The one identification every caller uses: ``Miner.connect``, the scan, the config flow.

    The probes get ``probe_timeout`` (half of ``timeout`` unless given), the winning
    family's model and version lookups what is left of ``timeout``. ``credentials``
    picks the login for the family found (default: ``ctx.credentials``). Raises
    ``MinerNotIdentifiedError`` when no family matched (naming what answered, if it
    looked like a miner), or, with ``check_reach``, ``MinerConnectionError`` when
    nothing at all accepts a connection on the miner ports. Anything a family raises on
    a reply it did not expect comes back as a ``MinerResponseError``.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        fam, results = await detect_family(ctx, families, probe_timeout or timeout / 2)
    except MinerNotIdentifiedError as err:
        if err.answered is None and check_reach and not await _reachable(ctx):
            raise MinerConnectionError(f"{ctx.host}: nothing answers on the miner ports") from err
        raise
    if credentials is not None:
        ctx.credentials = credentials(fam)
    try:
        async with asyncio.timeout_at(deadline):
            return Identification(fam, await fam.identify(ctx, results))
    except TimeoutError:
        message = f"{ctx.host}: identification took longer than {timeout} s"
        return Identification(fam, None, MinerTimeoutError(message))
    except MinerError as err:
        _LOGGER.debug("%s: %s found but not identified: %s", ctx.host, fam.key, err)
        return Identification(fam, None, err)
    except Exception as err:
        # A model lookup met a reply it did not expect: still typed, still this host.
        _LOGGER.debug("%s: identifying %s failed", ctx.host, fam.key, exc_info=True)
        message = f"{ctx.host}: unexpected reply while identifying {fam.name}: {err!r}"
        return Identification(fam, None, MinerResponseError(message))


async def _reachable(ctx: MinerContext) -> bool:
    """Whether anything accepts a connection on the miner ports (refused or silent: no)."""
    ports = ctx.ports
    candidates = tuple(dict.fromkeys((ports.web, ports.rpc, ports.https, ports.whatsminer_v3)))
    outcome, _ = await reach(ctx.host, candidates, REACH_TIMEOUT)
    return outcome is Reach.OPEN


async def identify(
    ctx: MinerContext,
    families: tuple[Family, ...] = FAMILIES,
    timeout: float = DEFAULT_IDENTIFY_TIMEOUT,
) -> tuple[Family, MinerIdentity]:
    """Identify the miner at ``ctx.host``: family, model, release and identity fields.

    :func:`identify_host`, with its failures raised: the probes get half the deadline,
    so a silent port still leaves the winning family time for its lookups.
    """
    found = await identify_host(ctx, families, timeout=timeout)
    return found.family, found.unwrap()
