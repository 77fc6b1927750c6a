"""Settings read every few polls, family by family, counted on real sockets.

What changes only when someone changes a setting (the locate light, the work mode,
the power target) or the hardware (an AxeOS chip's presets, Goldshell's chip counts)
is read once every ``SETTINGS_EVERY`` / ``HARDWARE_EVERY`` polls; what runs is read
every poll. A control reads its setting back on the very next poll; a change made on
the miner's own page shows within ``SETTINGS_EVERY`` polls.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

import aiohttp
import pytest

from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.slow import HARDWARE_EVERY, SETTINGS_EVERY
from tests.driver.conftest import DRIVER_PORTS, SimFactory


class Row(NamedTuple):
    family: str
    model: str
    slow: tuple[str, ...]  # requests read every ``every`` polls ("METHOD /path")
    live: str  # a request read every poll
    every: int = SETTINGS_EVERY
    light: bool = True  # whether the slow requests carry the locate light


_BLINK = "GET /cgi-bin/get_blink_status.cgi"
ROWS = [
    Row("antminer", "S19 Pro", (_BLINK,), "GET /cgi-bin/get_miner_conf.cgi"),
    Row("antminer", "S9", ("POST /cgi-bin/blink.cgi",), ""),
    Row("hiveon", "S19", ("POST /cgi-bin/blink.cgi",), ""),
    Row(
        "elphapex",
        "DG1+",
        (_BLINK, "GET /cgi-bin/get_miner_conf.cgi"),
        "GET /cgi-bin/summary.cgi",
    ),
    Row(
        "marafw",
        "KS5 Pro",
        ("GET /kaonsu/v1/locate_miner", "GET /kaonsu/v1/miner_config"),
        "GET /kaonsu/v1/brief",
    ),
    Row(
        "bitaxe",
        "Gamma",
        ("GET /api/system/asic",),
        "GET /api/system/info",
        HARDWARE_EVERY,
        light=False,
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.family}-{r.model}" for r in ROWS])
async def test_settings_every_few_polls(
    simulate: SimFactory, counted: tuple[aiohttp.ClientSession, Counter[str]], row: Row
) -> None:
    session, sent = counted
    sim = await simulate(row.family, row.model)
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    sent.clear()
    polls = 2 * row.every + 1
    first = await miner.read()
    for _ in range(polls - 1):
        snap = await miner.read()
        assert _settings(snap) == _settings(first)  # the kept reply fills every poll
    for request in row.slow:
        assert sent[request] == -(-polls // row.every), request
    if row.live:
        assert sent[row.live] == polls
    if not row.light:
        return
    # A change made on the miner shows within SETTINGS_EVERY polls ...
    sim.state.fault_light = True
    seen = []
    for _ in range(row.every):
        seen.append((await miner.read()).fault_light)
    assert seen[-1] is True
    # ... and a control's own change is read back on the very next poll.
    await miner.set_fault_light(False)
    sent.clear()
    assert (await miner.read()).fault_light is False
    assert sent[row.slow[0]] == 1


def _settings(snapshot: Any) -> tuple[Any, ...]:
    return (
        snapshot.fault_light,
        snapshot.work_mode,
        snapshot.work_modes,
        snapshot.power_limit,
        snapshot.boards and [b.expected_chips for b in snapshot.boards],
    )


async def test_goldshell_chip_counts_every_few_polls(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """``devdetails`` (chip counts) every HARDWARE_EVERY polls: 3 connections, not 4."""
    sim = await simulate("goldshell", "KD5")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    connections = []
    for _ in range(HARDWARE_EVERY + 1):
        before = miner.ctx.rpc_stats.connections
        snap = await miner.read()
        connections.append(miner.ctx.rpc_stats.connections - before)
        assert [b.chips for b in snap.boards] == [sim.state.spec.chips_per_board] * len(snap.boards)
    assert connections == [4] + [3] * (HARDWARE_EVERY - 1) + [4]
