"""Whatever a miner sends, the coordinator never logs "Unexpected error".

Every family's poll is run many times with its replies mutated on the wire (cut,
flooded with brackets, 4,301-digit numbers, bit flips) and after parsing (hostile
values, wrong types, missing keys, sources failing with exceptions of any type). Each
poll must end as data or as an ordinary "Error fetching" (the entities unavailable),
never as a traceback.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.asic_miner.driver import collect as collect_module
from custom_components.asic_miner.driver.contract import Backend, Source
from custom_components.asic_miner.driver.transports.http import HttpClient, HttpReply
from custom_components.asic_miner.driver.transports.rpc import RpcClient
from tests.driver import fuzzing

POLLS = 25
ODD_ERRORS = (
    RecursionError("deep"),
    OverflowError("int too large to convert to float"),
    ValueError("Exceeds the limit (4300 digits) for integer string conversion"),
    AttributeError("'list' object has no attribute 'get'"),
    TypeError("string indices must be integers"),
    RuntimeError("firmware bug"),
)


@pytest.mark.parametrize(
    "simulated_miner",
    [
        "antminer-s19pro",
        "braiins-s19",
        "whatsminer-m60s",
        "avalon-a1566",
        "bitaxe-gamma",
        "luxos-s21",
        "vnish-s19",
        "epic-s21",
    ],
    indirect=True,
)
async def test_no_reply_shape_is_an_unexpected_error(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rnd = random.Random(init_integration.entry_id)
    send_raw, request = RpcClient.send_raw, HttpClient.request
    fetch = collect_module.fetch_sources

    async def hostile_send_raw(self: RpcClient, payload: bytes) -> bytes:
        raw = await send_raw(self, payload)
        return fuzzing.mutate_bytes(raw, rnd) if rnd.random() < 0.3 else raw

    async def hostile_request(self: HttpClient, *args: Any, **kwargs: Any) -> HttpReply:
        reply = await request(self, *args, **kwargs)
        if rnd.random() < 0.3:
            return HttpReply(reply.status, reply.headers, fuzzing.mutate_bytes(reply.body, rnd))
        return reply

    async def hostile_fetch(backend: Backend, sources: set[Source]) -> dict[Source, Any]:
        replies = await fetch(backend, sources)
        mutated = fuzzing.mutate_poll(replies, rnd)
        for source in mutated:
            if rnd.random() < 0.1:
                mutated[source] = rnd.choice(ODD_ERRORS)
        return mutated

    monkeypatch.setattr(RpcClient, "send_raw", hostile_send_raw)
    monkeypatch.setattr(HttpClient, "request", hostile_request)
    monkeypatch.setattr(collect_module, "fetch_sources", hostile_fetch)
    coordinator = init_integration.runtime_data
    for _ in range(POLLS):
        await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert "Unexpected error" not in caplog.text
    # Failed polls are ordinary errors: no traceback above debug level.
    assert [r.getMessage() for r in caplog.records if r.levelno > 10 and r.exc_info] == []
