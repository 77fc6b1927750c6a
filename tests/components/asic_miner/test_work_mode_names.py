"""Work modes a firmware names by a fixed key show translated, in English and German."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from custom_components.asic_miner.driver.contract import Backend
from custom_components.asic_miner.driver.families import antminer, avalon
from custom_components.asic_miner.driver.families.whatsminer import parse as whatsminer

ROOT = Path(__file__).parents[3] / "custom_components" / "asic_miner"
FIXED_MODES = sorted(
    {
        *antminer.WORK_MODES,
        *whatsminer.WORK_MODES,
        *(
            mode
            for backend in vars(avalon).values()
            if isinstance(backend, type) and issubclass(backend, Backend)
            for mode in getattr(backend, "WORK_MODES", ())
        ),
    }
)


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_fixed_work_mode_is_translated(language: str) -> None:
    strings = json.loads((ROOT / "translations" / f"{language}.json").read_text())
    states = strings["entity"]["select"]["work_mode"]["state"]
    assert FIXED_MODES, "the driver names no fixed work modes?"
    for mode in FIXED_MODES:
        assert states.get(mode), f"{language}: work mode {mode!r} has no name"
