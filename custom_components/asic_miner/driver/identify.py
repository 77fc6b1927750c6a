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
from typing import Any

from .context import MinerContext
from .contract import Family, Probe
from .exceptions import (
    MinerError,
    MinerNotIdentifiedError,
    MinerResponseError,
    MinerTimeoutError,
)
from .models import MinerIdentity
from .registry import FAMILIES
from .unsupported import describe_unsupported

_LOGGER = logging.getLogger(__name__)
DEFAULT_IDENTIFY_TIMEOUT = 6.0


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


async def identify(
    ctx: MinerContext,
    families: tuple[Family, ...] = FAMILIES,
    timeout: float = DEFAULT_IDENTIFY_TIMEOUT,
) -> tuple[Family, MinerIdentity]:
    """Identify the miner at ``ctx.host``: family, model, release and identity fields.

    The probes get half the deadline, so a silent port still leaves the winning family
    time for its model and version lookups.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    fam, results = await detect_family(ctx, families, timeout / 2)
    try:
        async with asyncio.timeout_at(deadline):
            return fam, await fam.identify(ctx, results)
    except TimeoutError as err:
        raise MinerTimeoutError(f"{ctx.host}: identification took longer than {timeout} s") from err
    except MinerError:
        raise
    except Exception as err:
        # A model lookup met a reply it did not expect: still typed, still this host.
        _LOGGER.debug("%s: identifying %s failed", ctx.host, fam.key, exc_info=True)
        raise MinerResponseError(
            f"{ctx.host}: unexpected reply while identifying {fam.name}: {err!r}"
        ) from err
