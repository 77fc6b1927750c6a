"""Identification declared as data (``families._identity.Naming``): the declaration errors.

Every family's naming is exercised against its simulator and fixtures elsewhere; here
only what a wrong declaration does: it fails when the family is built, not on a miner.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import Backend, Family, Fingerprint, ProbeResults
from custom_components.asic_miner.driver.families._identity import Naming, Reply


class _One(Backend):
    name = "one"
    DATA_MAP = {}


class _Two(Backend):
    name = "two"
    DATA_MAP = {}


async def _nothing(ctx: MinerContext, results: ProbeResults) -> Mapping[str, Any]:
    return {}


def _family(naming: Naming, backends: tuple[type[Backend], ...]) -> Family:
    return Family("X", Fingerprint((), lambda r: False), naming, backends, key="x")


def test_several_backends_need_a_choice() -> None:
    with pytest.raises(TypeError, match="several backends"):
        _family(Naming(make="X", replies=(Reply(_nothing, model="m"),)), (_One, _Two))
    named = Naming(make="X", replies=(Reply(_nothing, backend="b"),))
    assert _family(named, (_One, _Two)).identify is not named


async def test_a_naming_names_only_through_its_family() -> None:
    naming = Naming(make="X", replies=())
    with pytest.raises(TypeError, match="through the Family"):
        await naming(None, {})  # type: ignore[arg-type]
    identity = await _family(naming, (_One,)).identify(None, {})  # type: ignore[arg-type]
    assert (identity.make, identity.model, identity.firmware, identity.backend) == (
        "X",
        "X",
        "Stock",
        "one",
    )
