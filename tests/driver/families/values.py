"""Running a backend's extractors over hand-edited replies, as a poll would."""

from __future__ import annotations

from typing import Any

import aiohttp

from custom_components.asic_miner.driver.collect import extract
from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import Backend, Field
from custom_components.asic_miner.driver.models import MinerIdentity


def backend_values(
    backend: type[Backend],
    identity: MinerIdentity,
    session: aiohttp.ClientSession,
    replies: dict[Any, Any],
) -> dict[Field, Any]:
    """Every field from ``replies``; a source not given fails, so its fields are None."""
    sources = {source for loc in backend.DATA_MAP.values() for source in loc.sources}
    given = {source: KeyError(source) for source in sources} | replies
    return extract(backend(MinerContext("127.0.10.1", session), identity), given)
