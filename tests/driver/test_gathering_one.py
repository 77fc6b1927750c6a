"""``gather_dict`` with one read awaits it in place, answering as ``gather`` would."""

from __future__ import annotations

import asyncio

import pytest

from custom_components.asic_miner.driver.exceptions import MinerResponseError
from custom_components.asic_miner.driver.gathering import gather_dict


async def test_gather_dict_of_one_awaits_it_in_place() -> None:
    async def value() -> int:
        return 1

    async def fails() -> int:
        raise MinerResponseError("bad")

    async def cancelled() -> int:
        raise asyncio.CancelledError

    assert await gather_dict({"a": value()}) == {"a": 1}
    assert isinstance((await gather_dict({"a": fails()}))["a"], MinerResponseError)
    with pytest.raises(asyncio.CancelledError):
        await gather_dict({"a": cancelled()})
    assert await gather_dict({}) == {}
