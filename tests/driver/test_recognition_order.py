"""Which family the registry picks for replies several fingerprints could claim.

Firmware on Antminer hardware names the model in its RPC replies, so an ``ANTMINER``
word alone must not win over the firmware's own mark; and, as pyasic decides, only a
``version`` reply makes a stock Antminer (another firmware's ``devdetails`` may name
the Antminer it imitates). The replies are short stand-ins with the words that matter.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.asic_miner.driver.families._probes import (
    RPC_DEVDETAILS,
    RPC_VERSION,
    WEB_ROOT,
)
from custom_components.asic_miner.driver.identify import _decide
from custom_components.asic_miner.driver.registry import FAMILIES
from custom_components.asic_miner.driver.transports.http import HttpReply


def _challenge(realm: str) -> HttpReply:
    return HttpReply(401, {"WWW-Authenticate": f'Digest realm="{realm}", nonce="n"'}, b"")


def _version(text: str) -> str:
    return '{"STATUS":[{"STATUS":"S"}],"VERSION":[{' + text + "}]}"


def _devdetails(model: str) -> str:
    return '{"STATUS":[{"STATUS":"S"}],"DEVDETAILS":[{"Model":"' + model + '"}]}'


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ({RPC_VERSION.key: _version('"Type":"Antminer S19"')}, "antminer"),
        ({WEB_ROOT.key: _challenge("antMiner Configuration")}, "antminer"),
        ({RPC_VERSION.key: _version('"Type":"Antminer S19 (vnish 1.2.6)"')}, "vnish"),
        ({RPC_VERSION.key: _version('"LUXminer":"2024.1","Type":"Antminer S19"')}, "luxos"),
        ({RPC_VERSION.key: _version('"Type":"Antminer S9 Hiveon","Miner":"rwglr"')}, "hiveon"),
        ({RPC_VERSION.key: _version('"Type":"Antminer S19","Miner":"rwglr"')}, "mskminer"),
        ({RPC_VERSION.key: _version('"Type":"Antminer S19","Miner":"kaonsu"')}, "marafw"),
        ({RPC_DEVDETAILS.key: _devdetails("Antminer S9 BOSminer")}, "braiins"),
        # An Antminer clone whose devdetails names the Antminer it imitates: its realm says.
        (
            {
                RPC_VERSION.key: _version('"CGMiner":"2.3.3","Type":"D10"'),
                RPC_DEVDETAILS.key: _devdetails("Antminer L3+"),
                WEB_ROOT.key: _challenge("blackMiner Configuration"),
            },
            "hammer",
        ),
        # An Antminer named only in devdetails is nobody's stock Antminer.
        ({RPC_DEVDETAILS.key: _devdetails("Antminer S9")}, None),
    ],
)
def test_the_firmware_mark_wins(results: dict[str, Any], expected: str | None) -> None:
    every_probe = {p.key for fam in FAMILIES for p in fam.probes}
    found = _decide(FAMILIES, results, every_probe, final=True)
    assert (found.key if found else None) == expected
