"""Miners no family supports are named, by address and in a scan, never silently dropped."""

from __future__ import annotations

import random

import aiohttp
import pytest

from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.exceptions import MinerNotIdentifiedError
from custom_components.asic_miner.driver.families._probes import (
    RPC_DEVDETAILS,
    RPC_VERSION,
    WEB_ROOT,
)
from custom_components.asic_miner.driver.identify import detect_family
from custom_components.asic_miner.driver.scan import scan_report
from custom_components.asic_miner.driver.transports.http import HttpReply
from custom_components.asic_miner.driver.unsupported import describe_unsupported
from tests.driver.conftest import DRIVER_PORTS, SimFactory

FAST = {"connect_timeout": 0.2, "retry_timeout": 0.3}


@pytest.mark.parametrize(
    ("family", "model", "answered"),
    [
        ("proto", "Rig", "Proto OS"),
    ],
)
async def test_unsupported_miner_is_named(
    simulate: SimFactory, session: aiohttp.ClientSession, family: str, model: str, answered: str
) -> None:
    sim = await simulate(family, model)
    ctx = MinerContext(sim.host, session, DRIVER_PORTS)
    with pytest.raises(MinerNotIdentifiedError) as err:
        await detect_family(ctx, timeout=3.0)
    assert err.value.answered == answered
    assert answered in str(err.value)


async def test_nothing_there_names_nothing(session: aiohttp.ClientSession) -> None:
    ctx = MinerContext(f"127.0.19.{random.randrange(1, 100)}", session, DRIVER_PORTS)
    with pytest.raises(MinerNotIdentifiedError) as err:
        await detect_family(ctx, timeout=1.0)
    assert err.value.answered is None
    assert "no known miner firmware answered" in str(err.value)


@pytest.mark.parametrize(
    ("results", "answered"),
    [
        ({}, None),
        ({WEB_ROOT.key: HttpReply(200, {}, b"<html>router</html>")}, None),
        ({RPC_VERSION.key: "not json"}, None),
        (
            {RPC_VERSION.key: '{"STATUS":[{"STATUS":"S"}],"VERSION":[{"Type":"Foo X1"}]}'},
            "Foo X1 (cgminer-style API)",
        ),
        (
            {RPC_DEVDETAILS.key: '{"STATUS":[{"STATUS":"S"}],"VERSION":[{"CGMiner":"4.11"}]}\x00'},
            "CGMiner 4.11 (cgminer-style API)",
        ),
        (
            {RPC_VERSION.key: '{"STATUS":[{"STATUS":"S"}],"VERSION":[7]}'},
            "a miner (cgminer-style API)",
        ),
        (
            {RPC_VERSION.key: '{"STATUS":"S","VERSION":[{"Type":"<>"}]}'},
            "a miner (cgminer-style API)",
        ),
        ({RPC_VERSION.key: '["STATUS"]'}, None),
        ({RPC_VERSION.key: "VERSION HIVEON"}, "Hiveon OS"),
        (
            {
                WEB_ROOT.key: HttpReply(
                    401, {"WWW-Authenticate": 'Digest realm="blackMiner Configuration"'}, b""
                )
            },
            "VolcMiner / Hammer (blackMiner web UI)",
        ),
        (
            {
                WEB_ROOT.key: HttpReply(
                    200,
                    {},
                    b"<html><title>IceRiver</title>\xe7\x94\xa8\xe6\x88\xb7\xe7\x95\x8c\xe9\x9d\xa2</html>",
                )
            },
            None,
        ),
        ({WEB_ROOT.key: HttpReply(200, {}, b"<div>Proto OS</div>")}, "Proto OS"),
    ],
)
def test_describe_unsupported(results: dict[str, object], answered: str | None) -> None:
    assert describe_unsupported(results) == answered


async def test_scan_report_lists_unsupported_and_silent(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    net = random.randrange(10, 20)
    octets = random.sample(range(1, 255), 3)
    hosts = [f"127.0.{net}.{octet}" for octet in octets]
    await simulate("antminer", "S19 Pro", host=hosts[0])
    await simulate("auradine", "AT1500", host=hosts[1])
    await simulate("proto", "Rig", host=hosts[2])
    silent = f"127.0.{net}.{next(o for o in range(1, 255) if o not in octets)}"
    report = await scan_report([*hosts, silent], session, ports=DRIVER_PORTS, **FAST)
    # The Auradine is a supported family now: listed with the miners.
    assert sorted(r.host for r in report.miners) == sorted(hosts[:2])
    assert {(u.host, u.answered) for u in report.unsupported} == {(hosts[2], "Proto OS")}
    assert (report.addresses, report.reachable, report.silent) == (4, 3, 1)
