"""The config flow, against simulated miners over real loopback sockets.

Every way in (scan, address, DHCP), every way back (reauth, reconfigure), each error
with its recovery, and each abort.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import random
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from homeassistant.config_entries import SOURCE_DHCP, SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.asic_miner.const import (
    CONF_IDENTITY,
    CONF_MINERS,
    CONF_PORTS,
    CONF_RPC_PORT,
    CONF_SUBNET,
    CONF_WEB_PORT,
    DOMAIN,
)
from custom_components.asic_miner.driver.exceptions import (
    MinerConnectionError,
    MinerResponseError,
    MinerTimeoutError,
)
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Credentials, MinerIdentity, Ports
from custom_components.asic_miner.driver.registry import family
from custom_components.asic_miner.driver.scan import ScanReport, ScanResult, UnsupportedMiner
from custom_components.asic_miner.flow_forms import CONF_DHCP_MAC, SOURCE_SCANNED
from custom_components.asic_miner.flow_scan_add import ADD_CONCURRENCY
from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import entry_data_for
from tests.simhelpers import ALLOWED_HOSTS, DRIVER_PORTS, SIM_PORTS, SimRunner

pytestmark = pytest.mark.usefixtures("mock_setup_entry")

FLOW = "custom_components.asic_miner.config_flow"
FLOW_SCAN = "custom_components.asic_miner.flow_scan"
FLOW_MINERS = "custom_components.asic_miner.flow_miners"


@contextlib.contextmanager
def default_ports(ports: Ports) -> Iterator[None]:
    """Where the flow looks for miners by default: by address and DHCP, and scans."""
    with patch(f"{FLOW}.DEFAULT_PORTS", ports), patch(f"{FLOW_SCAN}.DEFAULT_PORTS", ports):
        yield


PORT_FIELDS = {CONF_RPC_PORT: DRIVER_PORTS.rpc, CONF_WEB_PORT: DRIVER_PORTS.web}
ANTMINER = family("antminer")
NO_MAC = "00:00:00:00:00:00"  # what a firmware without a MAC reports; normalised to None

LAN_ADAPTER: dict[str, Any] = {
    "name": "eth0",
    "index": 2,
    "enabled": True,
    "auto": True,
    "default": True,
    # Documentation addresses (RFC 5737): the flow only reads them to prefill a form.
    "ipv4": [{"address": "192.0.2.37", "network_prefix": 24}],
    "ipv6": [],
}
DISABLED_ADAPTER: dict[str, Any] = {
    **LAN_ADAPTER,
    "name": "wlan0",
    "enabled": False,
    "ipv4": [{"address": "203.0.113.7", "network_prefix": 24}],
}


@pytest.fixture(autouse=True)
def adapters() -> Iterator[AsyncMock]:
    """Home Assistant's network adapters, as the scan step reads them."""
    with patch(
        f"{FLOW_SCAN}.async_get_adapters", return_value=[DISABLED_ADAPTER, LAN_ADAPTER]
    ) as mock:
        yield mock


@pytest.fixture
def sim_ports() -> Iterator[None]:
    """Scans and DHCP discovery look on the simulators' unprivileged ports."""
    with default_ports(DRIVER_PORTS):
        yield


def uid(sim: SimMiner) -> str:
    return sim.state.mac.replace(":", "").lower()


def free_host(sim_runner: SimRunner) -> str:
    """A loopback address no simulator of this test listens on."""
    used = {sim.host for sim in sim_runner.running}
    return random.choice([host for host in ALLOWED_HOSTS if host not in used])


async def entry_for(
    hass: HomeAssistant, sim: SimMiner, credentials: Credentials | None = None, **changes: Any
) -> MockConfigEntry:
    data = {**await entry_data_for(sim, credentials), **changes}
    entry = MockConfigEntry(domain=DOMAIN, title="Bitmain miner", unique_id=uid(sim), data=data)
    entry.add_to_hass(hass)
    return entry


async def start_in_subnet(
    sim_runner: SimRunner, *specs: tuple[str, str, dict[str, Any]]
) -> tuple[str, list[SimMiner]]:
    """Start simulators (family, model, overrides) side by side in one free loopback /24."""
    for _attempt in range(20):
        net = random.randrange(10, 20)
        octets = random.sample(range(1, 255), len(specs))
        started: list[SimMiner] = []
        try:
            for (fam, model, overrides), octet in zip(specs, octets, strict=True):
                host = f"127.0.{net}.{octet}"
                started.append(await sim_runner.start(fam, model, host=host, **overrides))
        except OSError as err:
            if err.errno != errno.EADDRINUSE:
                raise
            for sim in started:
                await sim.stop()
                sim_runner.running.remove(sim)
            continue
        return f"127.0.{net}.0/24", started
    raise AssertionError("no free loopback /24")


@asynccontextmanager
async def not_a_miner(host: str) -> AsyncIterator[None]:
    """A web server that answers, but is no miner."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, host, SIM_PORTS.web)
    try:
        yield
    finally:
        server.close()
        await server.wait_closed()


async def start_user_flow(hass: HomeAssistant, step: str) -> FlowResult:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": step})


async def add_ticked(hass: HomeAssistant, flow_id: str, hosts: list[str]) -> FlowResult:
    """Tick the miners; when several are added, let the adding finish: the step after."""
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_MINERS: hosts})
    if result["type"] is not FlowResultType.SHOW_PROGRESS:
        return result
    assert result["step_id"] == "scan_adding"
    assert result["progress_action"] == "add"
    await hass.async_block_till_done()
    return await hass.config_entries.flow.async_configure(flow_id)


async def run_scan(hass: HomeAssistant, flow_id: str, subnet: str) -> FlowResult:
    """Submit the subnet, let the scan finish, and return the step after the progress."""
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_SUBNET: subnet})
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["step_id"] == "scan_progress"
    assert result["progress_action"] == "scan"
    await hass.async_block_till_done()
    return await hass.config_entries.flow.async_configure(flow_id)


def listed(result: FlowResult) -> dict[str, str]:
    """The miners a scan listing offers: address to label."""
    selector = result["data_schema"].schema[CONF_MINERS]
    return {option["value"]: option["label"] for option in selector.config["options"]}


def domain_entries(hass: HomeAssistant) -> dict[str, Any]:
    return {entry.unique_id: entry for entry in hass.config_entries.async_entries(DOMAIN)}


# -- menu ---------------------------------------------------------------------------


async def test_user_menu(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
    assert result["menu_options"] == ["scan", "manual"]


# -- by address ---------------------------------------------------------------------


async def test_manual_success(
    hass: HomeAssistant, sim_runner: SimRunner, mock_setup_entry: AsyncMock
) -> None:
    sim = await sim_runner.start("antminer", "S19 Pro")
    result = await start_user_flow(hass, "manual")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "manual"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: f" {sim.host} ", **PORT_FIELDS}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == sim.state.hostname  # a hostname someone set names it
    assert result["result"].unique_id == uid(sim)
    data = result["data"]
    assert data[CONF_HOST] == sim.host
    assert data[CONF_USERNAME] is None
    assert data[CONF_PASSWORD] is None
    assert Ports.from_dict(data[CONF_PORTS]) == Ports(rpc=DRIVER_PORTS.rpc, web=DRIVER_PORTS.web)
    identity = MinerIdentity.from_dict(data[CONF_IDENTITY])
    assert (identity.family, identity.model, identity.mac) == ("antminer", "S19 Pro", sim.state.mac)
    assert len(mock_setup_entry.mock_calls) == 1


async def test_manual_cannot_connect_then_recover(
    hass: HomeAssistant, sim_runner: SimRunner
) -> None:
    """Nothing listening: the error sits on the host field; a good address then works."""
    sim = await sim_runner.start("antminer", "S9")
    result = await start_user_flow(hass, "manual")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: free_host(sim_runner), **PORT_FIELDS}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.host, **PORT_FIELDS}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == sim.state.hostname


async def test_manual_not_a_miner_then_recover(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    sim = await sim_runner.start("antminer", "S19 Pro")
    result = await start_user_flow(hass, "manual")
    host = free_host(sim_runner)
    async with not_a_miner(host):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: host, **PORT_FIELDS}
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "not_a_miner"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.host, **PORT_FIELDS}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("side_effect", "errors"),
    [
        (MinerTimeoutError("slow"), {CONF_HOST: "cannot_connect"}),
        (MinerResponseError("garbled"), {"base": "bad_reply"}),
        (RuntimeError("bug"), {"base": "unknown"}),
    ],
)
async def test_manual_other_errors_then_recover(
    hass: HomeAssistant,
    sim_runner: SimRunner,
    side_effect: Exception,
    errors: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim = await sim_runner.start("antminer", "S19 Pro")
    result = await start_user_flow(hass, "manual")
    with patch(f"{FLOW_MINERS}.identify_host", side_effect=side_effect):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: sim.host, **PORT_FIELDS}
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    # Only a truly unexpected exception is logged with its traceback.
    assert ("Traceback" in caplog.text) is isinstance(side_effect, RuntimeError)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.host, **PORT_FIELDS}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_manual_login_needed(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    """Defaults refused: ask for the login, naming the family; wrong, gone, then right."""
    sim = await sim_runner.start("antminer", "S19 Pro", password="secret")
    result = await start_user_flow(hass, "manual")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.host, **PORT_FIELDS}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "credentials"
    assert result["errors"] == {}
    assert result["description_placeholders"] == {"family": ANTMINER.name, "host": sim.host}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "root", CONF_PASSWORD: "wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}

    await sim.stop()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "root", CONF_PASSWORD: "secret"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}

    await sim.start()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "root", CONF_PASSWORD: "secret"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_USERNAME] == "root"
    assert result["data"][CONF_PASSWORD] == "secret"


@pytest.mark.usefixtures("sim_ports")
async def test_manual_duplicate(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    """Also: without port overrides the default ports are used (patched to the simulator's)."""
    sim = await sim_runner.start("antminer", "S19 Pro")
    await entry_for(hass, sim)
    result = await start_user_flow(hass, "manual")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.host}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_unique_id_falls_back_to_serial(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    sim = await sim_runner.start("antminer", "S19 Pro", mac=NO_MAC, serial="SERIAL-0042")
    result = await start_user_flow(hass, "manual")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.host, **PORT_FIELDS}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "SERIAL-0042"


async def test_unique_id_falls_back_to_hostname(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    """Neither MAC nor serial (a Bitaxe build without a MAC): family and hostname."""
    sim = await sim_runner.start("antminer", "S19 Pro", mac=NO_MAC, serial="", hostname="Rig-7")
    result = await start_user_flow(hass, "manual")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.host, **PORT_FIELDS}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "antminer-rig-7"


@pytest.mark.parametrize(
    ("mac", "hostname"),
    [(NO_MAC, ""), ("AA:BB:CC:DD:EE:FF", "Antminer"), ("FF:FF:FF:FF:FF:FF", "antMiner")],
)
async def test_unique_id_falls_back_to_host(
    hass: HomeAssistant, sim_runner: SimRunner, mac: str, hostname: str
) -> None:
    """No real MAC, no serial, a factory hostname: the address is all that tells it apart."""
    sim = await sim_runner.start("antminer", "S19 Pro", mac=mac, serial="", hostname=hostname)
    result = await start_user_flow(hass, "manual")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.host, **PORT_FIELDS}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == f"antminer-{sim.host}"
    assert result["title"] == f"S19 Pro .{sim.host.rsplit('.', 1)[1]}"


# -- scan ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("adapter_list", "subnet"),
    [
        ([DISABLED_ADAPTER, LAN_ADAPTER], "192.0.2.0/24"),
        (
            [{**LAN_ADAPTER, "ipv4": [{"address": "203.0.113.9", "network_prefix": 8}]}],
            "203.0.113.0/24",
        ),
        (
            [{**LAN_ADAPTER, "ipv4": [{"address": "198.51.100.9", "network_prefix": 20}]}],
            "198.51.96.0/20",
        ),
        (
            [
                {
                    **LAN_ADAPTER,
                    "ipv4": [
                        {"address": "127.0.0.1", "network_prefix": 8},
                        {"address": "169.254.3.4", "network_prefix": 16},
                        {"address": "198.51.101.2", "network_prefix": 23},
                    ],
                }
            ],
            "198.51.100.0/23",
        ),
        ([{**LAN_ADAPTER, "ipv4": []}], ""),
        ([], ""),
    ],
    ids=["first-enabled", "too-wide", "prefix-kept", "skip-loopback", "no-ipv4", "no-adapter"],
)
async def test_scan_form_prefilled(
    hass: HomeAssistant, adapters: AsyncMock, adapter_list: list[Any], subnet: str
) -> None:
    adapters.return_value = adapter_list
    result = await start_user_flow(hass, "scan")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "scan"
    [field] = result["data_schema"].schema
    assert field == CONF_SUBNET
    assert field.default() == subnet


@pytest.mark.parametrize(
    ("subnet", "error"),
    [
        ("not a network", "invalid_subnet"),
        ("127.0.9.0/33", "invalid_subnet"),
        ("", "invalid_subnet"),
        ("127.0.0.0/8", "subnet_too_large"),  # refused before any address is tried
        ("127.0.0.0/15", "subnet_too_large"),
    ],
)
async def test_scan_bad_subnet(hass: HomeAssistant, subnet: str, error: str) -> None:
    result = await start_user_flow(hass, "scan")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SUBNET: subnet}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "scan"
    assert result["errors"] == {CONF_SUBNET: error}


@pytest.mark.usefixtures("sim_ports")
async def test_scan_adds_every_ticked_miner(
    hass: HomeAssistant, sim_runner: SimRunner, mock_setup_entry: AsyncMock
) -> None:
    """Two families found and ticked: both entries are created in this one pass."""
    subnet, (braiins, s9) = await start_in_subnet(
        sim_runner, ("braiins", "S19", {}), ("antminer", "S9", {})
    )
    result = await start_user_flow(hass, "scan")
    result = await run_scan(hass, result["flow_id"], subnet)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "scan_select", result.get("errors")
    options = listed(result)
    assert options[braiins.host] == f"Bitmain S19 · Braiins OS+ 25.07 · {braiins.host}"
    assert options[s9.host].startswith("Bitmain S9 · Stock ")

    result = await add_ticked(hass, result["flow_id"], [braiins.host, s9.host])
    # Every miner added reaches the user: a summary lists them, then the last is created.
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "scan_done"
    placeholders = result["description_placeholders"]
    assert placeholders["count"] == "2"
    assert placeholders["added"] == (
        f"- {braiins.state.hostname} ({braiins.host})\n- {s9.state.hostname} ({s9.host})"
    )
    assert placeholders["last"] == s9.state.hostname
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == s9.state.hostname
    await hass.async_block_till_done()
    entries = domain_entries(hass)
    assert set(entries) == {uid(braiins), uid(s9)}
    assert entries[uid(braiins)].title == braiins.state.hostname
    assert entries[uid(s9)].title == s9.state.hostname
    assert {entry.source for entry in entries.values()} == {SOURCE_USER, SOURCE_SCANNED}
    for sim in (braiins, s9):
        data = entries[uid(sim)].data
        assert data[CONF_HOST] == sim.host
        assert data[CONF_PASSWORD] is None
        assert data[CONF_PORTS] == DRIVER_PORTS.as_dict()
    assert len(mock_setup_entry.mock_calls) == 2


@pytest.mark.usefixtures("sim_ports")
async def test_scan_asks_login_once_per_family(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    """Two Braiins miners refuse the default login: one question covers both."""
    subnet, (stock, bos1, bos2) = await start_in_subnet(
        sim_runner,
        ("antminer", "S19 Pro", {}),
        ("braiins", "S19", {"password": "secret"}),
        ("braiins", "S19j Pro", {"password": "secret"}),
    )
    result = await start_user_flow(hass, "scan")
    result = await run_scan(hass, result["flow_id"], subnet)
    assert listed(result)[bos1.host] == f"Braiins OS · {bos1.host}"

    result = await add_ticked(hass, result["flow_id"], [stock.host, bos1.host, bos2.host])
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "scan_login"
    placeholders = result["description_placeholders"]
    assert placeholders["family"] == "Braiins OS"
    assert set(placeholders["hosts"].split(", ")) == {bos1.host, bos2.host}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "root", CONF_PASSWORD: "wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "root", CONF_PASSWORD: "secret"}
    )
    assert result["step_id"] == "scan_adding"  # the entries are created in the background
    await hass.async_block_till_done()
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["step_id"] == "scan_done"
    assert result["description_placeholders"]["count"] == "3"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entries = domain_entries(hass)
    assert set(entries) == {uid(stock), uid(bos1), uid(bos2)}
    assert entries[uid(stock)].data[CONF_PASSWORD] is None
    for sim in (bos1, bos2):
        assert entries[uid(sim)].data[CONF_USERNAME] == "root"
        assert entries[uid(sim)].data[CONF_PASSWORD] == "secret"


@pytest.mark.usefixtures("sim_ports")
@pytest.mark.parametrize(
    ("family_key", "model", "state"),
    [
        # Whatsminer: the admin password was changed, or the write API is off.
        ("whatsminer", "M30S+", {"password": "changed"}),
        ("whatsminer", "M60S", {"password": "changed"}),
        ("whatsminer", "M30S+", {"write_api_enabled": False}),
        # ePIC: the password was changed; reads need none.
        ("epic", "S21", {"password": "changed"}),
    ],
    ids=["whatsminer-v2-admin", "whatsminer-v3-admin", "whatsminer-write-off", "epic"],
)
async def test_read_access_is_enough_to_add(
    hass: HomeAssistant,
    sim_runner: SimRunner,
    family_key: str,
    model: str,
    state: dict[str, Any],
) -> None:
    """Identified and read with the defaults; the controls' login is not asked for."""
    write_api = state.pop("write_api_enabled", True)
    subnet, (sim,) = await start_in_subnet(sim_runner, (family_key, model, state))
    if not write_api:
        sim.write_api_enabled = False  # type: ignore[attr-defined]
    result = await start_user_flow(hass, "scan")
    result = await run_scan(hass, result["flow_id"], subnet)
    assert result["step_id"] == "scan_select", result.get("errors")
    with patch.object(Miner, "check_credentials") as check:
        result = await add_ticked(hass, result["flow_id"], [sim.host])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PASSWORD] is None
    check.assert_not_called()  # setup checks the write path, and opens a repair

    result = await start_user_flow(hass, "manual")
    await hass.config_entries.async_remove(hass.config_entries.async_entries(DOMAIN)[0].entry_id)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.host, **PORT_FIELDS}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.usefixtures("sim_ports")
async def test_scan_listing_excludes_configured(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    subnet, (configured, locked, new) = await start_in_subnet(
        sim_runner,
        ("antminer", "S19 Pro", {}),
        ("antminer", "S9", {"password": "secret"}),
        ("antminer", "S9", {}),
    )
    await entry_for(hass, configured)
    # A miner whose login the scan could not pass is known by its address only.
    locked_entry = MockConfigEntry(
        domain=DOMAIN, unique_id="locked", data={CONF_HOST: locked.host, CONF_IDENTITY: {}}
    )
    locked_entry.add_to_hass(hass)
    result = await start_user_flow(hass, "scan")
    result = await run_scan(hass, result["flow_id"], subnet)
    options = listed(result)
    assert new.host in options
    assert configured.host not in options
    assert locked.host not in options
    assert result["description_placeholders"]["subnet"] == subnet


@pytest.mark.usefixtures("sim_ports")
async def test_scan_all_configured(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    _subnet, (sim,) = await start_in_subnet(sim_runner, ("antminer", "S19 Pro", {}))
    await entry_for(hass, sim)
    result = await start_user_flow(hass, "scan")
    # Its address only: other test runs on this machine may have miners on the same /24.
    result = await run_scan(hass, result["flow_id"], sim.host)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_SUBNET: "no_new_miners"}


async def test_scan_reports_what_cannot_be_added(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """No MAC or serial, or found but not identified: not listed, and logged."""
    caplog.set_level(logging.INFO, logger="custom_components.asic_miner")
    report = ScanReport(
        miners=[ScanResult("127.0.10.2", ANTMINER, None, MinerResponseError("garbled"))],
        unsupported=[UnsupportedMiner("127.0.10.3", "Auradine FluxOS")],
        addresses=6,
        reachable=3,
    )
    result = await start_user_flow(hass, "scan")
    with patch(f"{FLOW_SCAN}.scan_report", return_value=report):
        result = await run_scan(hass, result["flow_id"], "127.0.10.0/29")
    assert result["errors"] == {CONF_SUBNET: "no_miners_found"}
    assert result["description_placeholders"] == {
        "limit": "65,536",
        "not_addable": (
            f"{ANTMINER.name} at 127.0.10.2 (not identified), Auradine FluxOS at 127.0.10.3"
        ),
        "silent": "3",
    }
    assert "127.0.10.2 looks like Antminer (stock firmware) but could not be identified" in (
        caplog.text
    )


async def test_scan_finds_nothing_then_scans_again(
    hass: HomeAssistant, sim_runner: SimRunner
) -> None:
    """Nothing answers on the miner ports: say so on the subnet field; a rescan works."""
    subnet, (sim,) = await start_in_subnet(sim_runner, ("antminer", "S19 Pro", {}))
    result = await start_user_flow(hass, "scan")
    with default_ports(Ports(rpc=1, web=1, https=1, whatsminer_v3=1)):
        result = await run_scan(hass, result["flow_id"], subnet)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "scan"
    assert result["errors"] == {CONF_SUBNET: "no_miners_found"}
    [field] = result["data_schema"].schema
    assert field.default() == subnet  # what the user typed stays

    with default_ports(DRIVER_PORTS):
        result = await run_scan(hass, result["flow_id"], subnet)
        assert result["step_id"] == "scan_select"
        result = await add_ticked(hass, result["flow_id"], [sim.host])
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("side_effect", "error"),
    [(MinerConnectionError("network down"), "cannot_connect"), (RuntimeError("bug"), "unknown")],
)
async def test_scan_fails(hass: HomeAssistant, side_effect: Exception, error: str) -> None:
    result = await start_user_flow(hass, "scan")
    with patch(f"{FLOW_SCAN}.scan_report", side_effect=side_effect):
        result = await run_scan(hass, result["flow_id"], "127.0.10.0/24")
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_SUBNET: error}


@pytest.mark.usefixtures("sim_ports")
async def test_scan_select_errors_then_finish(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    """Nothing ticked, then a ticked miner gone quiet: both explained; then it finishes."""
    subnet, (gone, stays) = await start_in_subnet(
        sim_runner, ("antminer", "S19 Pro", {}), ("antminer", "S9", {})
    )
    result = await start_user_flow(hass, "scan")
    result = await run_scan(hass, result["flow_id"], subnet)
    assert result["step_id"] == "scan_select"

    result = await add_ticked(hass, result["flow_id"], [])
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_MINERS: "no_selection"}

    await gone.stop()
    result = await add_ticked(hass, result["flow_id"], [gone.host, stays.host])
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "miner_failed"}
    assert result["description_placeholders"]["failed"] == gone.host

    result = await add_ticked(hass, result["flow_id"], [stays.host])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == uid(stays)


@pytest.mark.usefixtures("sim_ports")
@pytest.mark.parametrize(
    ("overrides", "configured", "reason"),
    [
        ({}, True, "already_configured"),
    ],
    ids=["configured-at-another-address"],
)
async def test_scan_login_reveals_unaddable_miner(
    hass: HomeAssistant,
    sim_runner: SimRunner,
    overrides: dict[str, Any],
    configured: bool,
    reason: str,
) -> None:
    """Which miner a login-protected one is shows only after login; it may not be addable."""
    subnet, (sim,) = await start_in_subnet(
        sim_runner, ("antminer", "S19 Pro", {"password": "secret", **overrides})
    )
    if configured:
        await entry_for(hass, sim, Credentials("root", "secret"), host="127.0.0.2")
    result = await start_user_flow(hass, "scan")
    result = await run_scan(hass, result["flow_id"], subnet)
    result = await add_ticked(hass, result["flow_id"], [sim.host])
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "root", CONF_PASSWORD: "secret"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason


async def test_scanned_subflow_aborts_when_configured(
    hass: HomeAssistant, sim_runner: SimRunner
) -> None:
    sim = await sim_runner.start("antminer", "S19 Pro")
    entry = await entry_for(hass, sim)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_SCANNED}, data=dict(entry.data)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


# -- DHCP ---------------------------------------------------------------------------


def dhcp_info(ip: str, mac: str, hostname: str = "antminer") -> DhcpServiceInfo:
    return DhcpServiceInfo(ip=ip, hostname=hostname, macaddress=mac.replace(":", "").lower())


@pytest.mark.usefixtures("sim_ports")
async def test_dhcp_new_miner_confirm(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    sim = await sim_runner.start("antminer", "S19 Pro")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(sim.host, sim.state.mac)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {
        "name": sim.state.hostname,
        "family": ANTMINER.name,
        "host": sim.host,
    }
    [flow] = hass.config_entries.flow.async_progress()
    assert flow["context"]["title_placeholders"] == {"name": sim.state.hostname}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == uid(sim)
    assert result["data"][CONF_PORTS] == DRIVER_PORTS.as_dict()


@pytest.mark.usefixtures("sim_ports")
async def test_dhcp_new_miner_needs_login(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    sim = await sim_runner.start("antminer", "S9", password="secret")
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_DHCP},
        data=dhcp_info(sim.host, sim.state.mac, "antminer-s9"),
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {"family": ANTMINER.name, "host": sim.host}
    [flow] = hass.config_entries.flow.async_progress()
    assert flow["context"]["title_placeholders"] == {"name": "antminer-s9"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "root", CONF_PASSWORD: "wrong"}
    )
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "root", CONF_PASSWORD: "secret"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PASSWORD] == "secret"


async def test_dhcp_known_miner_new_address(hass: HomeAssistant) -> None:
    """A known MAC at a new address: the entry follows it; nothing is asked, no network."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id="02aabbcc0001", data={CONF_HOST: "127.0.10.1", CONF_IDENTITY: {}}
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info("127.0.10.9", "02:AA:BB:CC:00:01")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.10.9"


@pytest.mark.usefixtures("sim_ports")
async def test_dhcp_known_by_serial_new_address(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    """An entry keyed on the serial (no MAC reported) still follows DHCP to a new address."""
    sim = await sim_runner.start("antminer", "S19 Pro", mac=NO_MAC, serial="SERIAL-7")
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id="SERIAL-7", data={CONF_HOST: "127.0.10.1", CONF_IDENTITY: {}}
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(sim.host, "02:11:22:33:44:55")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == sim.host


@pytest.mark.usefixtures("sim_ports")
async def test_dhcp_without_ids_keys_on_host(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    sim = await sim_runner.start("antminer", "S19 Pro", mac=NO_MAC, serial="", hostname="")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(sim.host, NO_MAC)
    )
    assert result["step_id"] == "discovery_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == f"antminer-{sim.host}"


@pytest.mark.usefixtures("sim_ports")
async def test_dhcp_not_a_miner(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    host = free_host(sim_runner)
    async with not_a_miner(host):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(host, "02:11:22:33:44:56")
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_a_miner"


# -- reauthentication ---------------------------------------------------------------


async def test_reauth(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    sim = await sim_runner.start("antminer", "S19 Pro")
    entry = await entry_for(hass, sim)
    sim.state.password = "changed"  # someone changed it on the miner

    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"] == {
        "family": ANTMINER.name,
        "host": sim.host,
        "name": entry.title,
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "root", CONF_PASSWORD: "wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "root", CONF_PASSWORD: "changed"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_USERNAME] == "root"
    assert entry.data[CONF_PASSWORD] == "changed"
    assert entry.data[CONF_HOST] == sim.host


async def test_reauth_miner_unreachable(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    sim = await sim_runner.start("antminer", "S19 Pro")
    entry = await entry_for(hass, sim)
    await sim.stop()
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "root", CONF_PASSWORD: "root"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert entry.data[CONF_PASSWORD] is None


# -- reconfiguration ----------------------------------------------------------------


async def test_reconfigure(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    """The miner moved: nothing at the typed address first, then the right one."""
    sim = await sim_runner.start("antminer", "S19 Pro")
    entry = await entry_for(hass, sim, host="127.0.0.3", ports=Ports().as_dict())

    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested == {
        CONF_HOST: "127.0.0.3",
        CONF_RPC_PORT: 4028,
        CONF_WEB_PORT: 80,
        CONF_USERNAME: None,
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: free_host(sim_runner), **PORT_FIELDS}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.host, **PORT_FIELDS}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_HOST] == sim.host
    assert Ports.from_dict(entry.data[CONF_PORTS]) == Ports(
        rpc=DRIVER_PORTS.rpc, web=DRIVER_PORTS.web
    )
    assert entry.unique_id == uid(sim)


async def test_reconfigure_login(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    sim = await sim_runner.start("antminer", "S9", password="secret")
    entry = await entry_for(hass, sim, Credentials("root", "secret"))
    result = await entry.start_reconfigure_flow(hass)
    fields = {CONF_HOST: sim.host, **PORT_FIELDS, CONF_USERNAME: "root"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**fields, CONF_PASSWORD: "wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}

    sim.state.password = "newer"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**fields, CONF_PASSWORD: "newer"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PASSWORD] == "newer"


def _suggested(result: Any) -> dict[str, Any]:
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


async def test_reconfigure_never_sends_a_password_back(
    hass: HomeAssistant, sim_runner: SimRunner
) -> None:
    """The form never pre-fills a password; left empty, the stored one is kept."""
    sim = await sim_runner.start("antminer", "S9", password="secret")
    entry = await entry_for(hass, sim, Credentials("root", "secret"))
    result = await entry.start_reconfigure_flow(hass)
    assert CONF_PASSWORD not in _suggested(result)
    assert "secret" not in repr(result)
    fields = {CONF_HOST: sim.host, **PORT_FIELDS, CONF_USERNAME: "root"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**fields, CONF_PASSWORD: "typo-secret"}
    )
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}
    assert CONF_PASSWORD not in _suggested(result)  # not even the one just typed
    assert "typo-secret" not in repr(result)

    result = await hass.config_entries.flow.async_configure(result["flow_id"], fields)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PASSWORD] == "secret"


async def test_reconfigure_to_another_miner(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    mine = await sim_runner.start("antminer", "S19 Pro")
    other = await sim_runner.start("antminer", "S19 Pro")
    entry = await entry_for(hass, mine)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: other.host, **PORT_FIELDS}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_miner"
    assert entry.data[CONF_HOST] == mine.host


# -- translations -------------------------------------------------------------------


def test_strings_cover_the_flow() -> None:
    """Every error and abort the flow can show is translated; every field is described."""
    root = Path(__file__).parents[3] / "custom_components" / DOMAIN
    strings = json.loads((root / "strings.json").read_text())
    assert json.loads((root / "translations" / "en.json").read_text()) == strings
    config = strings["config"]
    assert set(config["error"]) >= {
        "cannot_connect",
        "not_a_miner",
        "invalid_auth",
        "unknown",
        "invalid_subnet",
        "subnet_too_large",
        "no_miners_found",
        "no_new_miners",
        "no_selection",
        "miner_failed",
        "miner_bad_reply",
        "unsupported_miner",
        "invalid_host",
        "bad_reply",
    }
    assert set(config["abort"]) >= {
        "already_configured",
        "cannot_connect",
        "not_a_miner",
        "unknown",
        "unsupported_miner",
        "bad_reply",
        "wrong_miner",
    }
    assert set(config["step"]["user"]["menu_options"]) == {"scan", "manual"}
    assert "scan" in config["progress"]
    for step in config["step"].values():
        assert set(step.get("data", {})) == set(step.get("data_description", {}))


# -- issue 9: names, unsupported miners, every miner shown ---------------------------


@pytest.mark.usefixtures("sim_ports")
async def test_six_factory_named_miners_get_names_apart(
    hass: HomeAssistant, sim_runner: SimRunner
) -> None:
    """Six Antminers on the factory hostname, two sharing a placeholder MAC: six entries."""
    placeholder = {"mac": "AA:BB:CC:DD:EE:FF", "serial": ""}
    specs = [
        ("antminer", "S19 Pro", {"hostname": "Antminer", **placeholder}),
        ("antminer", "S19 Pro", {"hostname": "Antminer", **placeholder}),
        ("antminer", "S21", {"hostname": "antMiner"}),
        ("antminer", "S21", {"hostname": "Antminer"}),
        ("antminer", "S9", {"hostname": "Antminer", "mac": NO_MAC}),
        ("antminer", "S9", {"hostname": "Antminer"}),
    ]
    subnet, sims = await start_in_subnet(sim_runner, *specs)
    result = await start_user_flow(hass, "scan")
    result = await run_scan(hass, result["flow_id"], subnet)
    # ">=": other test runs on this machine may put miners on the same loopback /24.
    assert set(listed(result)) >= {sim.host for sim in sims}

    result = await add_ticked(hass, result["flow_id"], [sim.host for sim in sims])
    assert result["step_id"] == "scan_done"
    assert result["description_placeholders"]["count"] == "6"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    entries = hass.config_entries.async_entries(DOMAIN)
    by_host = {entry.data[CONF_HOST]: entry for entry in entries}
    assert set(by_host) == {sim.host for sim in sims}
    assert {entry.title for entry in entries} == {
        f"{sim.state.spec.model} .{sim.host.rsplit('.', 1)[1]}" for sim in sims
    }
    for sim in sims:
        octet = sim.host.rsplit(".", 1)[1]
        assert by_host[sim.host].title == f"{sim.state.spec.model} .{octet}"
    assert len({entry.unique_id for entry in entries}) == 6
    # The placeholder MAC is no unique ID: the serial-less pair is told apart by address.
    assert by_host[sims[0].host].unique_id == f"antminer-{sims[0].host}"
    assert by_host[sims[2].host].unique_id == uid(sims[2])


@pytest.mark.usefixtures("sim_ports")
async def test_scan_lists_unsupported_miners(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    """Supported miners to tick (an Auradine is one now); below them what answered but
    is not supported."""
    subnet, (s19, auradine, proto) = await start_in_subnet(
        sim_runner,
        ("antminer", "S19 Pro", {}),
        ("auradine", "AT1500", {}),
        ("proto", "Rig", {}),
    )
    result = await start_user_flow(hass, "scan")
    result = await run_scan(hass, result["flow_id"], subnet)
    assert result["step_id"] == "scan_select"
    # Other test runs on this machine may share the /24: check ours, not the total.
    assert s19.host in listed(result)
    assert auradine.host in listed(result)
    placeholders = result["description_placeholders"]
    lines = placeholders["not_addable"].splitlines()
    assert f"- Proto OS at {proto.host}" in lines
    # Whole addresses: 127.0.13.5 is a prefix of a Proto at 127.0.13.57.
    assert not any(auradine.host in line.split() for line in lines)
    assert 0 < int(placeholders["silent"]) <= 251  # a /24 has 254 hosts; three answered

    # Only unsupported ones: the scan says so, naming them, instead of "nothing found".
    await s19.stop()
    await auradine.stop()
    result = await start_user_flow(hass, "scan")
    result = await run_scan(hass, result["flow_id"], f"{proto.host}")
    assert result["errors"] == {CONF_SUBNET: "no_miners_found"}
    assert result["description_placeholders"]["not_addable"] == f"Proto OS at {proto.host}"
    assert result["description_placeholders"]["silent"] == "0"


async def test_manual_unsupported_and_invalid_address(
    hass: HomeAssistant, sim_runner: SimRunner
) -> None:
    proto = await sim_runner.start("proto", "Rig")
    result = await start_user_flow(hass, "manual")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "999.1.1.1", **PORT_FIELDS}
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: proto.host, **PORT_FIELDS}
    )
    assert result["errors"] == {CONF_HOST: "unsupported_miner"}
    assert result["description_placeholders"] == {"answered": "Proto OS"}


@pytest.mark.usefixtures("sim_ports")
async def test_scan_select_reports_a_bad_reply(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    """A ticked miner that answers garbage is named on the list, apart from silent ones."""
    subnet, (garbled, gone) = await start_in_subnet(
        sim_runner, ("antminer", "S19 Pro", {}), ("antminer", "S9", {})
    )
    result = await start_user_flow(hass, "scan")
    result = await run_scan(hass, result["flow_id"], subnet)
    await gone.stop()
    with patch.object(Miner, "read", side_effect=[MinerResponseError("garbled")]):
        result = await add_ticked(hass, result["flow_id"], [garbled.host])
    assert result["errors"] == {CONF_MINERS: "miner_bad_reply"}
    assert result["description_placeholders"]["bad_reply"] == garbled.host
    result = await add_ticked(hass, result["flow_id"], [garbled.host, gone.host])
    assert result["errors"] == {"base": "miner_failed"}
    assert result["description_placeholders"]["failed"] == gone.host


@pytest.mark.usefixtures("sim_ports")
async def test_scan_adds_many_miners_concurrently(
    hass: HomeAssistant, sim_runner: SimRunner, mock_setup_entry: AsyncMock
) -> None:
    """30 miners from one scan: every entry exists, none twice, set up a bounded few at once."""
    count = 30
    subnet, sims = await start_in_subnet(sim_runner, *[("bitaxe", "Gamma", {})] * count)
    running = peak = 0

    async def slow_setup(*_args: Any) -> bool:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05)  # a setup's first read takes a while
        running -= 1
        return True

    mock_setup_entry.side_effect = slow_setup
    result = await start_user_flow(hass, "scan")
    result = await run_scan(hass, result["flow_id"], subnet)
    assert result["step_id"] == "scan_select", result.get("errors")
    result = await add_ticked(hass, result["flow_id"], [sim.host for sim in sims])
    assert result["step_id"] == "scan_done"
    assert result["description_placeholders"]["count"] == str(count)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY

    entries = hass.config_entries.async_entries(DOMAIN)
    assert sorted(entry.data[CONF_HOST] for entry in entries) == sorted(s.host for s in sims)
    assert len({entry.unique_id for entry in entries}) == count
    assert 1 < peak <= ADD_CONCURRENCY


# -- a miner that moved (DHCP gave it another address) --------------------------------


@pytest.mark.usefixtures("sim_ports")
async def test_scan_finds_a_set_up_miner_at_a_new_address(
    hass: HomeAssistant, sim_runner: SimRunner
) -> None:
    """Known by its MAC: not listed again, and its entry follows it to the new address."""
    subnet, (moved, new) = await start_in_subnet(
        sim_runner, ("antminer", "S19 Pro", {}), ("antminer", "S9", {})
    )
    entry = await entry_for(hass, moved, host="127.0.9.250")  # where it was before
    result = await start_user_flow(hass, "scan")
    result = await run_scan(hass, result["flow_id"], subnet)
    options = listed(result)  # (a simulator another test left in the /24 may show too)
    assert new.host in options
    assert moved.host not in options
    assert entry.data[CONF_HOST] == moved.host


@pytest.mark.usefixtures("sim_ports")
async def test_address_keyed_entry_follows_by_serial(
    hass: HomeAssistant, sim_runner: SimRunner
) -> None:
    """An entry keyed on its old address is found by the serial its identity stored."""
    sim = await sim_runner.start("antminer", "S19 Pro", mac=NO_MAC, serial="SERIAL-9")
    data = await entry_data_for(sim, None)
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id="antminer-127.0.9.251", data={**data, CONF_HOST: "127.0.9.251"}
    )
    entry.add_to_hass(hass)
    result = await start_user_flow(hass, "manual")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.host, **PORT_FIELDS}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == sim.host
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_dhcp_follows_an_entry_by_the_mac_dhcp_showed(hass: HomeAssistant) -> None:
    """Firmware without a MAC: the DHCP MAC stored at discovery finds the entry again."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="antminer-127.0.10.1",
        data={CONF_HOST: "127.0.10.1", CONF_IDENTITY: {}, CONF_DHCP_MAC: "02:11:22:33:44:57"},
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info("127.0.10.8", "02:11:22:33:44:57")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.10.8"


@pytest.mark.usefixtures("sim_ports")
async def test_dhcp_discovery_records_the_mac(hass: HomeAssistant, sim_runner: SimRunner) -> None:
    sim = await sim_runner.start("antminer", "S19 Pro", mac=NO_MAC, serial="", hostname="")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(sim.host, "02:11:22:33:44:58")
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_DHCP_MAC] == "02:11:22:33:44:58"
