"""Hiveon OS, MSKMiner and the Hammer clone: told apart from stock Antminer and the rest.

Hiveon shares stock's digest realm and ships the ``4.11.1 rwglr`` bmminer MSKMiner also
ships; only the ` Hiveon` tag of the model in ``version`` tells the two apart. These checks run
every family's fingerprint in registry order over probe replies shaped like the real
ones, so a new family cannot steal another's miners unnoticed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver.collect import extract
from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import Field
from custom_components.asic_miner.driver.families._cgminer import STATS
from custom_components.asic_miner.driver.families._probes import RPC_VERSION, WEB_ROOT
from custom_components.asic_miner.driver.families.hiveon.backends import HiveonBackend
from custom_components.asic_miner.driver.families.hiveon.parse import model_name
from custom_components.asic_miner.driver.families.mskminer.parse import model_and_release
from custom_components.asic_miner.driver.models import MinerIdentity
from custom_components.asic_miner.driver.registry import FAMILIES
from custom_components.asic_miner.driver.transports.http import HttpReply
from custom_components.asic_miner.driver.transports.rpc_parse import parse_rpc_reply

FIXTURES = Path(__file__).parent.parent / "fixtures"
ANTMINER_REALM = HttpReply(401, {"WWW-Authenticate": 'Digest realm="antMiner Configuration"'}, b"")


def _version(bmminer: str, kind: str) -> str:
    return (
        '{"STATUS":[{"STATUS":"S","Code":22,"Msg":"BMMiner versions"}],'
        f'"VERSION":[{{"BMMiner":"{bmminer}","API":"3.1","Type":"{kind}"}}],"id":1}}'
    )


def _winner(results: dict[str, Any]) -> str | None:
    """The family identification picks once every probe has answered."""
    return next((fam.key for fam in FAMILIES if fam.matches(results)), None)


@pytest.mark.parametrize(
    ("version", "family"),
    [
        (_version("4.11.1 rwglr", "Antminer S19x88 Hiveon"), "hiveon"),
        (_version("1.0.0", "Antminer S19j Pro HIVEON"), "hiveon"),
        (_version("1.0.0", "Antminer S19 Pro"), "antminer"),
        (_version("1.0.0", "Antminer S19 (Vnish 1.2.6)"), "vnish"),
        # MSKMiner's bmminer is Hiveon's, without the tag: MSKMiner, not stock's realm.
        (_version("4.11.1 rwglr", "S19-88 v.2.6.0.39 "), "mskminer"),
    ],
)
def test_hiveon_told_apart(version: str, family: str) -> None:
    results = {RPC_VERSION.key: version, WEB_ROOT.key: ANTMINER_REALM}
    assert _winner(results) == family


def test_stock_fixture_still_stock() -> None:
    raw = (FIXTURES / "antminer/x19_bmminer/rpc_version.json").read_text()
    assert _winner({RPC_VERSION.key: raw, WEB_ROOT.key: ANTMINER_REALM}) == "antminer"


@pytest.mark.parametrize(
    ("raw", "model"),
    [
        ("Antminer S19x88 Hiveon", "S19x88"),
        ("Antminer S19j Pro HIVEON", "S19j Pro"),
        ("Antminer T17 Hiveon (Hiveon 1.02)", "T17"),
        ("", None),
        (None, None),
    ],
)
def test_model_name(raw: str | None, model: str | None) -> None:
    assert model_name(raw) == model


async def test_power_and_unused_slots_from_the_capture_shape(
    session: aiohttp.ClientSession,
) -> None:
    identity = MinerIdentity("Bitmain", "S19x88", "hiveon", "Hiveon", HiveonBackend.name)
    backend = HiveonBackend(MinerContext("127.0.10.1", session), identity)
    raw = (FIXTURES / "hiveon/s19x88_2025/rpc_stats.json").read_bytes()
    reply = parse_rpc_reply(raw)
    values = extract(backend, {STATS: reply})
    assert values[Field.POWER] == 3320
    assert [b.chips for b in values[Field.BOARDS]] == [88, 88, 88]  # not sixteen slots
    del reply["STATS"][1]["total_power"]
    assert extract(backend, {STATS: reply})[Field.POWER] is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("S19-88 v.2.6.0.39 ", ("S19-88", "2.6.0.39")),
        ("S19-88", ("S19-88", None)),
        ("  ", (None, None)),
        (None, (None, None)),
    ],
)
def test_mskminer_model_and_release(raw: str | None, expected: tuple[str | None, ...]) -> None:
    assert model_and_release(raw) == expected


BLACKMINER_REALM = HttpReply(
    401, {"WWW-Authenticate": 'Digest realm="blackMiner Configuration"'}, b""
)


@pytest.mark.parametrize(
    ("results", "family"),
    [
        ({WEB_ROOT.key: BLACKMINER_REALM}, "hammer"),
        ({RPC_VERSION.key: _version("2.3.3", "Hammer D10")}, "hammer"),
        ({RPC_VERSION.key: _version("1.0.0", "Antminer S19 Pro")}, "antminer"),
        ({WEB_ROOT.key: ANTMINER_REALM}, "antminer"),
        ({RPC_VERSION.key: '{"VERSION":[{"BDMiner":"4.11.1","API":"3.7"}]}'}, "sealminer"),
    ],
)
def test_blackminer_clone_is_not_stock_antminer(results: dict[str, Any], family: str) -> None:
    assert _winner(results) == family
