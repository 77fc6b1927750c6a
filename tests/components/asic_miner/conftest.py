"""Home Assistant tests run the integration against simulated miners over real sockets."""

from __future__ import annotations

import errno
import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from unittest.mock import AsyncMock, PropertyMock, patch

import aiohttp
import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME, Platform
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.asic_miner.const import CONF_IDENTITY, CONF_PORTS, DOMAIN, SCAN_INTERVAL
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Credentials
from simulator.miner import SimMiner
from tests.simhelpers import DRIVER_PORTS, SimRunner, allow_loopback

SIM_CLOCK = 1_795_000_000.0  # the simulated miners' frozen "now"
# (family, model) per simulated miner id; every family gets at least one.
SIMULATED = {
    "antminer-s19pro": ("antminer", "S19 Pro"),
    "antminer-s9": ("antminer", "S9"),
    "braiins-s19": ("braiins", "S19"),
    "braiins-s19jpro": ("braiins", "S19j Pro"),
    "whatsminer-m30splus": ("whatsminer", "M30S+"),
    "whatsminer-m60s": ("whatsminer", "M60S"),
    "avalon-nano3s": ("avalon", "Nano 3S"),
    "avalon-a1566": ("avalon", "A1566"),
    "bitaxe-gamma": ("bitaxe", "Gamma"),
    "bitaxe-nerdqaxe": ("bitaxe", "NerdQAxe++"),
    "luxos-s19xp": ("luxos", "S19 XP"),
    "luxos-s21": ("luxos", "S21"),
    "vnish-s19": ("vnish", "S19"),
    "vnish-s21": ("vnish", "S21"),
    "epic-s19jpro": ("epic", "S19j Pro"),
    "epic-s21": ("epic", "S21"),
    "hiveon-s19jpro": ("hiveon", "S19j Pro"),
    "mskminer-s1988": ("mskminer", "S19-88"),
    "hammer-d10": ("hammer", "D10"),
    "sealminer-a2": ("sealminer", "A2"),
    "elphapex-dghome1": ("elphapex", "DG Home 1"),
    "auradine-at1500": ("auradine", "AT1500"),
    "whatsminer-m20s": ("whatsminer", "M20S"),
    "innosilicon-t3hplus": ("innosilicon", "T3H+"),
    "goldshell-minidoge": ("goldshell", "Mini DOGE"),
    "iceriver-al3": ("iceriver", "AL3"),
    "marafw-ks5pro": ("marafw", "KS5 Pro"),
}
ALL_SIMULATED = list(SIMULATED)


@pytest.fixture(autouse=True)
def loopback(socket_enabled: None) -> Iterator[None]:
    allow_loopback()
    yield


@pytest.fixture
async def sim_runner() -> AsyncIterator[SimRunner]:
    runner = SimRunner()
    yield runner
    await runner.stop()


@pytest.fixture(params=["antminer-s19pro"])
async def simulated_miner(request: pytest.FixtureRequest, sim_runner: SimRunner) -> SimMiner:
    """A running simulated miner; parametrise indirectly with an id from ``SIMULATED``."""
    family, model = SIMULATED[request.param]
    index = list(SIMULATED).index(request.param)
    # A fixed identity, last octet and a frozen clock keep entity snapshots stable
    # across runs (a miner without a hostname is named after its model and the last
    # octet of its address); the /24 is any free one of ours.
    for net in random.sample(range(10, 20), 10):
        try:
            return await sim_runner.start(
                family,
                model,
                host=f"127.0.{net}.{200 + index}",
                mac=f"02:AA:BB:CC:00:{index:02X}",
                serial=f"SIMSERIAL{index:04d}",
                hostname=f"sim-{request.param}",
                clock=SIM_CLOCK,
                boot_time=SIM_CLOCK - 3600,
            )
        except OSError as err:
            if err.errno != errno.EADDRINUSE:
                raise
    raise AssertionError("no free loopback address for the simulated miner")


async def entry_data_for(
    sim: SimMiner, credentials: Credentials | None = None
) -> dict[str, object]:
    """The config entry data the config flow would store for this miner."""
    async with aiohttp.ClientSession() as session:
        miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS, credentials=credentials)
    creds = credentials or Credentials()
    return {
        CONF_HOST: sim.host,
        CONF_USERNAME: creds.username,
        CONF_PASSWORD: creds.password,
        CONF_PORTS: DRIVER_PORTS.as_dict(),
        CONF_IDENTITY: miner.identity.as_dict(),
    }


@pytest.fixture
async def mock_config_entry(simulated_miner: SimMiner) -> MockConfigEntry:
    data = await entry_data_for(simulated_miner)
    identity = data[CONF_IDENTITY]
    assert isinstance(identity, dict)
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"{identity['make']} {identity['model']}",
        unique_id=str(identity["mac"]).replace(":", "").lower(),
        data=data,
    )


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create entities that are disabled by default enabled, so snapshots cover them."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def platforms() -> list[Platform]:
    """Override to load only some platforms."""
    return list(Platform)


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    platforms: list[Platform],
    freezer: FrozenDateTimeFactory,
) -> MockConfigEntry:
    from custom_components.asic_miner import PLATFORMS

    freezer.move_to(datetime.fromtimestamp(SIM_CLOCK, UTC))
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.asic_miner.PLATFORMS", [p for p in PLATFORMS if p in platforms]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        # Includes the write-path check setup starts in the background.
        await hass.async_block_till_done(wait_background_tasks=True)
    return mock_config_entry


async def async_poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Move time one polling interval on and let the coordinator poll."""
    freezer.tick(SCAN_INTERVAL)
    async_fire_time_changed(hass, dt_util.utcnow() + SCAN_INTERVAL)
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.fixture
def mock_setup_entry() -> Iterator[AsyncMock]:
    with patch("custom_components.asic_miner.async_setup_entry", return_value=True) as mock_setup:
        yield mock_setup
