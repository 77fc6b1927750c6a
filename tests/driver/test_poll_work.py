"""What one steady poll costs the driver: requests on the wire and parses of a reply.

Braiins REST reads its tuner state and locate LED every few polls only (the HTTP GETs
are counted at the client, on real sockets); a control reads them again at once.
Avalon's MM text and LuxOS's profile list are parsed once per poll, however many
fields read them (``Replies.parsed``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver.contract import Replies, Rpc
from custom_components.asic_miner.driver.families.avalon import parse as avalon_parse
from custom_components.asic_miner.driver.families.braiins import parse_rest
from custom_components.asic_miner.driver.families.braiins.rest import SETTINGS_EVERY
from custom_components.asic_miner.driver.families.luxos import parse as luxos_parse
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.slow import SlowReplies
from tests.driver.conftest import DRIVER_PORTS, SimFactory


async def test_braiins_rest_reads_settings_every_few_polls(
    simulate: SimFactory, counted: tuple[aiohttp.ClientSession, Counter[str]]
) -> None:
    session, gets = counted
    sim = await simulate("braiins", "S19", release="25.07")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    gets.clear()
    polls = 2 * SETTINGS_EVERY + 1
    for _ in range(polls):
        await miner.read()
        assert miner.snapshot is not None
        assert miner.snapshot.power_limit is not None  # the kept reply serves
        assert miner.snapshot.fault_light is False
    for live in (parse_rest.STATS, parse_rest.HASHBOARDS, parse_rest.COOLING):
        assert gets[f"GET {live.path}"] == polls
    settings = -(-polls // SETTINGS_EVERY)
    assert gets[f"GET {parse_rest.TUNER.path}"] == settings
    assert gets[f"GET {parse_rest.LOCATE.path}"] == settings
    await miner.set_fault_light(True)
    gets.clear()
    await miner.read()  # what the control changed is read at once
    assert gets[f"GET {parse_rest.LOCATE.path}"] == 1
    assert miner.snapshot is not None
    assert miner.snapshot.fault_light is True


@pytest.mark.parametrize(
    "case",
    [
        ("avalon", "A1566", avalon_parse, "parse_mm"),
        ("luxos", "S21", luxos_parse, "parse_profiles"),
    ],
    ids=["avalon-mm", "luxos-profiles"],
)
async def test_a_reply_is_parsed_once_per_poll(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[str, str, Any, str],
) -> None:
    family, model, module, parser = case
    sim = await simulate(family, model)
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    await miner.read()
    calls = Counter[str]()
    original = getattr(module, parser)

    def counted_parse(*args: Any) -> Any:
        calls[parser] += 1
        return original(*args)

    monkeypatch.setattr(module, parser, counted_parse)
    await miner.read()
    assert miner.snapshot is not None
    assert miner.snapshot.boards
    assert miner.snapshot.power_limit is not None
    # Avalon: the MM text, plus its HBinfo section on the layouts that have one.
    assert 1 <= calls[parser] <= 2


def test_a_view_that_fails_is_not_kept() -> None:
    source = Rpc("stats")
    built: list[int] = []

    def view(reply: Any) -> int:
        built.append(1)
        return int(reply["n"])

    replies = Replies({source: {"n": "x"}})
    for _ in range(2):
        with pytest.raises(ValueError, match="invalid literal"):
            replies.parsed(source, view)
    assert len(built) == 2
    ok = Replies({source: {"n": "3"}})
    assert ok.parsed(source, view) == ok.parsed(source, view) == 3
    assert len(built) == 3


def test_a_control_during_a_poll_keeps_its_fields_but_nothing_it_fetched() -> None:
    fast, slow = Rpc("summary"), Rpc("profiles")
    kept = SlowReplies({slow: 4})
    kept.merge({fast: 1, slow: "before"})
    generation = kept.generation  # a poll starts: the slow source is not due
    assert kept.due({fast, slow}) == {fast}
    kept.clear()  # a control runs while that poll is under way
    # The poll still shows every field (as of before the control, like the rest) ...
    assert kept.merge({fast: 2}, generation) == {fast: 2, slow: "before"}
    # ... and the next poll reads the slow source again.
    assert kept.due({fast, slow}) == {fast, slow}
    generation = kept.generation
    kept.clear()  # again, and this poll fetched the slow source: not kept either
    assert kept.merge({fast: 3, slow: "fetched"}, generation)[slow] == "fetched"
    assert kept.due({fast, slow}) == {fast, slow}
    generation = kept.generation
    assert kept.merge({fast: 4, slow: "after"}, generation)[slow] == "after"
    assert kept.due({fast, slow}) == {fast}
