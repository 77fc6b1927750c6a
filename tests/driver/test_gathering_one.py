"""``gather_dict`` with one read awaits it in place, answering as ``gather`` would."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from custom_components.asic_miner.driver.exceptions import MinerResponseError
from custom_components.asic_miner.driver.gathering import gather_dict


async def _read(outcome: Any) -> Any:
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


@pytest.mark.parametrize("outcome", [1, MinerResponseError("bad"), ValueError("odd")])
async def test_one_read_value_or_failure(outcome: Any) -> None:
    assert await gather_dict({"a": _read(outcome)}) == {"a": outcome}


async def test_one_read_cancelled_is_raised() -> None:
    with pytest.raises(asyncio.CancelledError):
        await gather_dict({"a": _read(asyncio.CancelledError())})
    assert await gather_dict({}) == {}
