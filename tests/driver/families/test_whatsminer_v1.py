"""Whatsminer API 1.x (firmware before 2022) as a release of its own: ``api_v1``.

The contract test runs the simulated M20S (API 1.4.0) through identify, read, every
control and the faults; the replay of asic-rs's 1.4.0 captures is in
tests/driver/fixtures/whatsminer/v1_20210322. Here: the backend it gets, what it
lacks, and entries stored before ``api_v1`` existed.
"""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import Field
from custom_components.asic_miner.driver.exceptions import MinerUnsupportedError
from custom_components.asic_miner.driver.families.whatsminer import FAMILY
from custom_components.asic_miner.driver.families.whatsminer.v2 import (
    ApiV1Backend,
    ApiV2Backend,
)
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Control, MinerIdentity
from tests.driver.conftest import DRIVER_PORTS, SimFactory


async def test_api_1_gets_its_own_backend(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await simulate("whatsminer", "M20S")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    assert (miner.identity.backend, miner.identity.api_version) == ("api_v1", "1.4.0")
    assert isinstance(miner.backend, ApiV1Backend)
    snap = await miner.read()
    assert Control.POWER_LIMIT not in snap.controls
    assert snap.fault_light is None  # no get_miner_info on 1.x: unknown, not "off"
    assert snap.errors == ()  # from summary's error code fields
    with pytest.raises(MinerUnsupportedError):
        await miner.backend.set_power_limit(3000)


def test_what_api_1_lacks() -> None:
    assert FAMILY.backend("api_v1") is ApiV1Backend
    assert Field.FAULT_LIGHT not in ApiV1Backend.DATA_MAP
    assert ApiV2Backend.CONTROLS - {Control.POWER_LIMIT} == ApiV1Backend.CONTROLS
    assert Control.POWER_LIMIT not in ApiV1Backend.RESTARTS_AFTER


def test_entry_stored_before_api_v1_still_reads_as_1x(session: aiohttp.ClientSession) -> None:
    """A 1.x miner stored with backend ``api_v2`` keeps the 1.x behaviour."""
    old = MinerIdentity("MicroBT", "M20S", "whatsminer", "Stock", "api_v2", api_version="1.4.0")
    backend = ApiV2Backend(MinerContext("127.0.10.1", session), old)
    assert backend.v1
    assert Control.POWER_LIMIT not in backend.controls
