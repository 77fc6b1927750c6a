"""The driver against replies captured from real firmware, one test for every folder.

Each ``fixtures/<family>/<release>/`` folder is served by the replay server over real
loopback sockets; the driver identifies the miner and reads one snapshot exactly as it
would a real unit, and every field is compared with the folder's ``expected`` block.
Every field must be listed there: a value the replies carry is asserted equal (floats
within 1 %), a value they do not carry is asserted ``None`` (or empty for lists), so a
driver that invents a zero fails here.
"""

from __future__ import annotations

import random
from dataclasses import asdict
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import MinerSnapshot
from tests.driver.replay import Fixture, ReplayServer, fixture_folders
from tests.simhelpers import ALLOWED_HOSTS

IDENTITY_FIELDS = ("make", "model", "firmware", "firmware_version", "mac", "hostname", "serial")
SNAPSHOT_FIELDS = (
    "hashrate",
    "expected_hashrate",
    "power",
    "power_limit",
    "environment_temperature",
    "chip_temperature",
    "board_temperature",
    "uptime",
    "errors",
    "mining",
    "fans",
    "boards",
)
# Checked when the manifest lists them; not every firmware has them.
OPTIONAL_FIELDS = ("fault_light", "work_mode", "pools", "throttle")
REL = 0.01


def _close(actual: Any, expected: Any, where: str) -> None:
    """Equal, with floats (and ints compared to floats) within 1 %."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r} is not an object"
        assert set(actual) == set(expected), f"{where}: keys {sorted(actual)} != {sorted(expected)}"
        for key, value in expected.items():
            _close(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list | tuple), f"{where}: {actual!r} is not a list"
        assert len(actual) == len(expected), (
            f"{where}: {len(actual)} items, expected {len(expected)}"
        )
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _close(a, e, f"{where}[{index}]")
    elif isinstance(expected, float) and not isinstance(actual, bool):
        assert isinstance(actual, int | float), f"{where}: {actual!r} is not a number"
        assert actual == pytest.approx(expected, rel=REL), f"{where}: {actual} != {expected}"
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"
        assert type(actual) is type(expected) or (
            isinstance(actual, float) and isinstance(expected, int)
        ), f"{where}: {type(actual).__name__} != {type(expected).__name__}"


def _snapshot_value(snapshot: MinerSnapshot, name: str) -> Any:
    value = getattr(snapshot, name)
    if name in ("fans", "boards", "pools"):
        return [asdict(item) for item in value]
    if name == "errors":
        return None if value is None else [asdict(item) for item in value]
    return value


@pytest.mark.parametrize(
    "folder", fixture_folders(), ids=lambda p: f"{Path(p).parent.name}/{Path(p).name}"
)
async def test_driver_reads_real_replies(folder: Path, session: aiohttp.ClientSession) -> None:
    fixture = Fixture.load(folder)
    expected = fixture.manifest["expected"]
    missing = [f for f in IDENTITY_FIELDS if f not in expected["identity"]]
    missing += [f for f in SNAPSHOT_FIELDS if f not in expected["snapshot"]]
    assert not missing, f"{fixture.name}: expected block lacks {missing} (write null if absent)"

    async with ReplayServer(fixture, random.choice(ALLOWED_HOSTS)) as server:
        miner = await Miner.connect(server.host, session, ports=server.ports, timeout=3)
        server.log.reset()
        snapshot = await miner.read()

    identity = miner.identity.as_dict()
    assert identity["family"] == fixture.manifest["family"]
    for name, value in expected["identity"].items():
        _close(identity[name], value, f"{fixture.name} identity.{name}")
    for name, value in expected["snapshot"].items():
        assert name in (*SNAPSHOT_FIELDS, *OPTIONAL_FIELDS), f"unknown field {name}"
        _close(_snapshot_value(snapshot, name), value, f"{fixture.name} snapshot.{name}")
    for name, count in expected.get("poll_connections", {}).items():
        assert server.log.connections.get(name, 0) <= count, (
            f"{fixture.name}: a poll took {server.log.connections}, at most {count} {name}"
        )


def dump(snapshot: MinerSnapshot, identity: dict[str, Any]) -> dict[str, Any]:  # pragma: no cover
    """The expected block a read gives: a starting point for a new folder, to check by hand."""
    return {
        "identity": {f: identity[f] for f in IDENTITY_FIELDS},
        "snapshot": {f: _snapshot_value(snapshot, f) for f in (*SNAPSHOT_FIELDS, *OPTIONAL_FIELDS)},
    }
