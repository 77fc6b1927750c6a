"""Family test helpers: extractors over hand-edited replies, a tiny web server."""

from __future__ import annotations

import random
from typing import Any

import aiohttp
from aiohttp import web

from custom_components.asic_miner.driver.collect import extract
from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import Backend, Field
from custom_components.asic_miner.driver.models import MinerIdentity, Ports
from tests.simhelpers import ALLOWED_HOSTS


def backend_values(
    backend: type[Backend],
    identity: MinerIdentity,
    session: aiohttp.ClientSession,
    replies: dict[Any, Any],
) -> dict[Field, Any]:
    """Every field from ``replies``; a source not given fails, so its fields are None."""
    sources = {source for loc in backend.DATA_MAP.values() for source in loc.every_source}
    given = {source: KeyError(source) for source in sources} | replies
    return extract(backend(MinerContext("127.0.10.1", session), identity), given)


async def serve_on_loopback(
    app: web.Application, session: aiohttp.ClientSession
) -> tuple[MinerContext, web.AppRunner]:
    """``app`` on a free loopback address and port, and a context whose web port is it."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    for host in random.sample(ALLOWED_HOSTS, 40):
        try:
            await web.TCPSite(runner, host, 0).start()
        except OSError:  # pragma: no cover - another run holds the address
            continue
        port = int(runner.addresses[0][1])
        return MinerContext(host, session, Ports(web=port), timeout=2.0), runner
    raise AssertionError("no free loopback address")  # pragma: no cover
