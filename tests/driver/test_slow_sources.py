"""Slow sources: read every few polls, their last good reply kept in between.

Against the VNish simulator over real sockets; the reads are counted where the
simulator serves them. A slow source that failed, a poll that failed and a control
each make the next poll read it again, so nothing stale outlives a doubt.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver.contract import Source, Web
from custom_components.asic_miner.driver.exceptions import MinerError
from custom_components.asic_miner.driver.families.vnish.backends import (
    CHIPS_EVERY,
    PRESETS_EVERY,
)
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.slow import SlowReplies
from simulator.families.vnish import VnishSim
from simulator.families.vnish.web_reads import VnishReads
from simulator.faults import Fault, FaultKind
from tests.driver.conftest import DRIVER_PORTS, SimFactory

# The S19 on 1.2.6 serves its per-chip list at ``chains``, the S21 on 1.3.4 at ``boards``.
MODELS = ["S19", "S21"]


class Reads:
    """Counts the simulator's replies per kind; ``fail_chips`` makes the chip list fail."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count: Counter[str] = Counter()
        self.fail_chips = False
        chips, presets, summary = (
            VnishReads._chip_boards,
            VnishReads._get_presets,
            VnishReads._summary,
        )

        def counted_chips(sim: VnishReads) -> Any:
            self.count["chips"] += 1
            if self.fail_chips:
                raise RuntimeError("chip list unavailable")  # the server answers 500
            return chips(sim)

        async def counted_presets(sim: VnishReads, request: Any) -> Any:
            self.count["presets"] += 1
            return await presets(sim, request)

        def counted_summary(sim: VnishReads) -> Any:
            self.count["summary"] += 1
            return summary(sim)

        monkeypatch.setattr(VnishReads, "_chip_boards", counted_chips)
        monkeypatch.setattr(VnishReads, "_get_presets", counted_presets)
        monkeypatch.setattr(VnishReads, "_summary", counted_summary)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    return Reads(monkeypatch)


async def _miner(
    simulate: SimFactory, session: aiohttp.ClientSession, model: str
) -> tuple[VnishSim, Miner]:
    sim = await simulate("vnish", model)
    assert isinstance(sim, VnishSim)
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    return sim, miner


def _chips(miner: Miner) -> list[int | None]:
    assert miner.snapshot is not None
    return [b.chips for b in miner.snapshot.boards]


@pytest.mark.parametrize("model", MODELS)
async def test_chip_list_read_every_n_polls(
    simulate: SimFactory, session: aiohttp.ClientSession, reads: Reads, model: str
) -> None:
    sim, miner = await _miner(simulate, session, model)
    reads.count.clear()  # identification read what it needed
    full = [sim.state.spec.chips_per_board] * sim.state.spec.boards
    polls = CHIPS_EVERY + 5
    for _ in range(polls):
        await miner.read()
        assert _chips(miner) == full  # the kept reply fills every poll alike
    assert reads.count["summary"] == polls
    assert reads.count["chips"] == 2  # the first poll and the one after CHIPS_EVERY
    assert reads.count["presets"] == -(-polls // PRESETS_EVERY)
    assert miner.snapshot is not None
    assert miner.snapshot.work_modes


async def test_failed_slow_read_is_not_kept(
    simulate: SimFactory, session: aiohttp.ClientSession, reads: Reads
) -> None:
    sim, miner = await _miner(simulate, session, "S19")
    full = [sim.state.spec.chips_per_board] * sim.state.spec.boards
    await miner.read()
    reads.count.clear()
    reads.fail_chips = True
    # The kept reply serves until its read is due; then the failed read leaves the
    # counts unknown, and every poll tries again until the list answers.
    for _ in range(CHIPS_EVERY - 1):
        await miner.read()
    assert reads.count["chips"] == 0
    assert _chips(miner) == full
    for attempt in range(1, 4):
        await miner.read()
        assert reads.count["chips"] == attempt
        assert _chips(miner) == [None] * len(full)
        assert miner.snapshot is not None
        assert miner.snapshot.hashrate is not None
    reads.fail_chips = False
    await miner.read()
    await miner.read()
    assert reads.count["chips"] == 4  # answered once, kept again
    assert _chips(miner) == full


async def test_failed_poll_and_control_forget_kept_replies(
    simulate: SimFactory, session: aiohttp.ClientSession, reads: Reads
) -> None:
    sim, miner = await _miner(simulate, session, "S21")
    await miner.read()
    miner.ctx.timeout = 0.5
    reads.count.clear()
    sim.state.fault = Fault(FaultKind.RESET)
    with pytest.raises(MinerError):
        await miner.read()
    sim.state.fault = None
    await miner.read()  # the miner came back: read afresh
    assert reads.count["chips"] == 1
    assert reads.count["presets"] == 1
    await miner.read()
    assert reads.count["chips"] == 1
    await miner.set_fault_light(True)
    await miner.read()  # what the control changed is read again
    assert reads.count["chips"] == 2
    assert reads.count["presets"] == 2
    assert miner.snapshot is not None
    assert miner.snapshot.fault_light is True


def test_kept_replies_bookkeeping() -> None:
    fast, slow, once = Web("/fast"), Web("/slow"), Web("/once")
    kept = SlowReplies({slow: 3, once: 1})  # every 1: an ordinary source
    sources: set[Source] = {fast, slow, once}
    assert kept.due(sources) == sources
    assert kept.merge({fast: 1, slow: "a", once: 2}) == {fast: 1, slow: "a", once: 2}
    assert kept.due(sources) == {fast, once}
    assert kept.merge({fast: 3, once: 4}) == {fast: 3, slow: "a", once: 4}
    assert kept.merge({fast: 5, once: 6})[slow] == "a"
    assert kept.due(sources) == sources  # three polls served: read again
    # A poll where nothing fetched answered gets nothing kept, and forgets it.
    kept.merge({fast: 1, slow: "b", once: 2})
    down: dict[Source, Any] = {fast: MinerError("down"), once: MinerError("down")}
    assert kept.merge(down) == down
    assert kept.due(sources) == sources
