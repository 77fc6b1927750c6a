"""Braiins OS REST: the tuner's hashrate target, round trip against the simulator.

Requests and replies mirror Braiins OS 25.07+ REST: ``PUT /api/v1/performance/mode``
with ``tunermode.target.hashratetarget.hashrate_target.terahash_per_second``, the
target read back from ``performance/tuner-state`` ``mode_state.hashratetargetmodestate``
and the bounds from ``configuration/constraints`` ``tuner_constraints.hashrate_target``.
"""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.asic_miner.driver import Control, Miner, MinerValueError
from custom_components.asic_miner.driver.contract import Replies
from custom_components.asic_miner.driver.families.braiins import parse_rest
from tests.driver.conftest import DRIVER_PORTS, SimFactory


async def test_hashrate_target_round_trip(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await simulate("braiins", "S19")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    pools = [(p.url, p.user) for p in sim.state.pools]
    before = await miner.read()
    assert miner.supports(Control.HASHRATE_TARGET)
    assert before.hashrate_target is None  # the tuner aims at watts
    assert before.power_limit == sim.state.effective_power_limit
    assert before.hashrate_target_range is not None
    low, high = before.hashrate_target_range
    assert 0 < low < before.hashrate < high

    await miner.set_hashrate_target(80.0)
    snap = await miner.read()
    assert snap.hashrate_target == 80.0
    # The simulated tuner moved hashrate and power there.
    assert snap.hashrate == pytest.approx(80.0, rel=0.01)
    assert snap.power is not None
    assert before.power is not None
    assert snap.power < before.power

    with pytest.raises(MinerValueError):
        await miner.set_hashrate_target(high + 1)  # refused before it is sent
    assert (await miner.read()).hashrate_target == 80.0

    # The power limit switches the tuner back to watts.
    await miner.set_power_limit(3000)
    snap = await miner.read()
    assert (snap.hashrate_target, snap.power_limit) == (None, 3000)
    assert [(p.url, p.user) for p in sim.state.pools] == pools


async def test_graphql_release_has_no_hashrate_target(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await simulate("braiins", "S19j Pro")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    snap = await miner.read()
    assert not miner.supports(Control.HASHRATE_TARGET)
    assert snap.hashrate_target is None


@pytest.mark.parametrize(
    "reply",
    [
        {},
        {"tuner_constraints": {}},
        {"tuner_constraints": {"hashrate_target": {"min": {"terahash_per_second": "x"}}}},
    ],
)
def test_hashrate_bounds_missing(reply: object) -> None:
    replies = Replies({parse_rest.CONSTRAINTS: reply})
    try:
        value = parse_rest.hashrate_target_range(replies)
    except KeyError, TypeError:
        value = None
    assert value is None


def test_tuning_by_hashrate() -> None:
    assert parse_rest.tuning_by_hashrate({"mode_state": {"hashratetargetmodestate": {}}})
    assert not parse_rest.tuning_by_hashrate({"mode_state": {"powertargetmodestate": {}}})
    assert not parse_rest.tuning_by_hashrate(None)
