"""The family/backend contract's safety nets: what happens when a backend or a stored
identity does not hold up its end."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import (
    Backend,
    Family,
    Field,
    Fingerprint,
    Location,
    Web,
)
from custom_components.asic_miner.driver.exceptions import MinerUnsupportedError
from custom_components.asic_miner.driver.gathering import gather_dict
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Control, MinerIdentity, Ports
from tests.driver.conftest import ALLOWED_HOSTS

PAGE = Web("/status.json")
IDENTITY = MinerIdentity("Bitmain", "S19", "plain", "Plain OS", "plain")


class PlainBackend(Backend):
    """A backend that reads one web page and claims every control without writing any."""

    name = "plain"
    DATA_MAP = {Field.HASHRATE: Location((PAGE,), lambda r: float(r[PAGE]["ths"]))}
    CONTROLS = frozenset(Control)


async def _identify(ctx: MinerContext, results: Any) -> MinerIdentity:
    return IDENTITY  # pragma: no cover - never identified, only restored


PLAIN = Family(
    name="Plain OS",
    recognised_by=Fingerprint((), lambda results: False),
    identify=_identify,
    backends=(PlainBackend,),
    key="plain",
)


@pytest.fixture
async def page(session: aiohttp.ClientSession) -> AsyncIterator[MinerContext]:
    """A miner whose web port serves ``/status.json``."""

    async def status(request: web.Request) -> web.Response:
        return web.json_response({"ths": "104.5"})

    app = web.Application()
    app.router.add_get(PAGE.path, status)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    for host in random.sample(ALLOWED_HOSTS, 40):
        try:
            await web.TCPSite(runner, host, 0).start()
        except OSError:  # pragma: no cover - another run holds the address
            continue
        yield MinerContext(host, session, Ports(web=int(runner.addresses[0][1])), timeout=2.0)
        break
    await runner.cleanup()


async def test_web_source_read_as_json_by_default(page: MinerContext) -> None:
    """A backend needs no code to read an unauthenticated JSON page."""
    miner = Miner(page, PLAIN, IDENTITY)
    snap = await miner.read()
    assert snap.hashrate == pytest.approx(104.5)


async def test_miner_moved_by_dhcp_keeps_its_identity(page: MinerContext) -> None:
    moved = Miner(page, PLAIN, IDENTITY).with_host("127.0.10.99")
    assert (moved.host, moved.identity, moved.family) == ("127.0.10.99", IDENTITY, PLAIN)
    assert moved.ctx.ports == page.ports


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda m: m.set_mining(False), "cannot mining"),
        (lambda m: m.set_fault_light(True), "cannot fault light"),
        (lambda m: m.set_power_limit(3000), "cannot power limit"),
        (lambda m: m.set_work_mode("low"), "cannot work mode"),
        (lambda m: m.reboot(), "cannot reboot"),
        (lambda m: m.restart_backend(), "cannot restart backend"),
    ],
    ids=["mining", "fault-light", "power-limit", "work-mode", "reboot", "restart"],
)
async def test_control_claimed_but_missing(
    session: aiohttp.ClientSession, call: Any, words: str
) -> None:
    """A backend advertising a control it does not implement fails with the driver's
    "unsupported" error naming the model and firmware, never NotImplementedError."""
    miner = Miner(MinerContext("127.0.10.1", session), PLAIN, IDENTITY)
    with pytest.raises(MinerUnsupportedError, match=f"S19 on Plain OS {words}"):
        await call(miner)


async def test_stored_identity_with_a_backend_that_no_longer_exists(
    session: aiohttp.ClientSession,
) -> None:
    """An identity saved by another driver version names a backend this one lacks."""
    gone = MinerIdentity("MicroBT", "M30S+", "whatsminer", "Stock", "api_v1_removed")
    with pytest.raises(MinerUnsupportedError, match="no backend 'api_v1_removed'"):
        Miner.from_identity("127.0.10.1", session, gone)


async def test_gather_dict_keeps_failures_as_values_but_not_cancellation() -> None:
    async def value() -> int:
        return 1

    async def fails() -> int:
        raise ValueError("bad reply")

    async def cancelled() -> int:
        raise asyncio.CancelledError

    got = await gather_dict({"a": value(), "b": fails()})
    assert got["a"] == 1
    assert isinstance(got["b"], ValueError)
    # A cancelled poll (Home Assistant shutting down) must not become a field's value.
    with pytest.raises(asyncio.CancelledError):
        await gather_dict({"a": value(), "b": cancelled()})


async def test_backend_contract_defaults(session: aiohttp.ClientSession) -> None:
    """Every backend answers ``accepts`` and ``check_credentials``: no getattr needed."""
    assert PlainBackend.accepts(None)
    assert PlainBackend.accepts((1, 2, 3))
    miner = Miner(MinerContext("127.0.10.1", session), PLAIN, IDENTITY)
    await miner.check_credentials()  # no login to prove: nothing sent, nothing raised
