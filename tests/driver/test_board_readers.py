"""The board readers several families share, row by row.

``_cgminer.chains`` / ``chain_sensors`` read bmminer's ``stats`` chain keys for stock
Antminer, LuxOS and Hammer (current names and the older releases' ``temp2_<n>`` /
``temp<n>``); ``braiins.parse.hashboard`` applies one set of rules to the boards all
three Braiins APIs read. Key names mirror bmminer and bosminer captures (asic-rs and
pyasic test data); the values are made up.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.asic_miner.driver.families._cgminer import chain_sensors, chains
from custom_components.asic_miner.driver.families.braiins.parse import hashboard, megahertz
from custom_components.asic_miner.driver.models import Board
from custom_components.asic_miner.driver.values import ghs_to_ths


@pytest.mark.parametrize(
    ("stats", "expected"),
    [
        pytest.param(
            {"temp_chip1": "62-71-0-68", "temp_pcb1": "48-50", "freq1": 525},
            (71.0, 50.0, 525.0),
            id="current names, dash-joined, zero sensor dropped",
        ),
        pytest.param(
            {"temp2_6": 80, "temp6": 55, "freq6": "650"}, (80.0, 55.0, 650.0), id="older names"
        ),
        pytest.param(
            {"temp_chip1": "0-0", "temp1": 0, "freq1": 0}, (None, None, None), id="zeros unknown"
        ),
        pytest.param({}, (None, None, None), id="nothing said"),
    ],
)
def test_chain_sensors(stats: dict[str, Any], expected: tuple[Any, ...]) -> None:
    slot = 6 if "temp6" in stats else 1
    sensors = chain_sensors(stats, slot)
    got = (sensors["chip_temperature"], sensors["board_temperature"], sensors["frequency"])
    assert got == expected


def test_chains_slots_and_units() -> None:
    stats = {"chain_acn1": 76, "chain_rate1": "13500.5", "chain_rate2": "0", "chain_acn3": ""}
    assert chains(stats, ghs_to_ths) == [(1, 76, 13.5005), (3, None, None)]
    both = chains(stats, ghs_to_ths, "chain_acn", "chain_rate")
    assert [slot for slot, _chips, _rate in both] == [1, 2, 3]


@pytest.mark.parametrize(
    ("rate", "enabled", "active"),
    [(12.5, None, True), (0.0, True, False), (None, None, None), (3.0, False, None)],
)
def test_hashboard_rules(rate: float | None, enabled: bool | None, active: bool | None) -> None:
    board = hashboard(
        2,
        rate,
        expected=14.0,
        chips="63",
        frequency=megahertz(650_000_000),
        voltage=0,
        board=" 55.5 ",
        chip=0,
        serial=" HB1 ",
        enabled=enabled,
    )
    assert board == Board(
        index=2,
        hashrate=rate,
        expected_hashrate=14.0,
        board_temperature=55.5,
        chips=63,
        frequency=650.0,
        serial="HB1",
        active=active,
    )
