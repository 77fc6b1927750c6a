"""Adding the fleet through the integration's own config flow, as a person would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any

from .client import DemoError, HomeAssistantClient

DOMAIN = "asic_miner"
FLOW = "/api/config/config_entries/flow"
SCAN_TIMEOUT = 120.0
# How often a progress step or the entries are asked again; a benchmark timing the add
# (benchmarks/ha_scale.py) asks more often, so its figure is not rounded up to this.
POLL_EVERY = 0.5


def login_for(placeholders: Mapping[str, str], passwords: Mapping[str, str]) -> dict[str, str]:
    """The answer to a ``scan_login`` step: the fleet file's password for those hosts.

    ``placeholders["hosts"]`` lists the miners of one family that refused the default
    login; the demo fleet gives them all the same changed password.
    """
    hosts = [h.strip() for h in placeholders.get("hosts", "").split(",") if h.strip()]
    known = {passwords[h] for h in hosts if h in passwords}
    if len(known) != 1:
        raise DemoError(f"no single password in the fleet file for {', '.join(hosts) or '?'}")
    return {"username": "root", "password": known.pop()}


async def add_fleet_by_scan(
    ha: HomeAssistantClient,
    subnet: str,
    passwords: Mapping[str, str],
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Menu > Scan a network > the subnet > tick every miner > logins; the last result."""
    result = await ha.request("POST", FLOW, {"handler": DOMAIN, "show_advanced_options": False})
    flow_id = result["flow_id"]
    url = f"{FLOW}/{flow_id}"
    if result["type"] != "menu" or "scan" not in result["menu_options"]:
        raise DemoError(f"the config flow did not offer a scan: {result}")
    result = await ha.request("POST", url, {"next_step_id": "scan"})
    if result.get("step_id") != "scan":
        raise DemoError(f"expected the scan form, got {result}")
    say(f"scanning {subnet} through the config flow")
    result = await ha.request("POST", url, {"subnet": subnet})
    result = await _after_progress(ha, url, result, f"the scan of {subnet}")
    if result.get("step_id") != "scan_select":
        raise DemoError(f"the scan found no miners to add: {result.get('errors') or result}")
    schema = {field["name"]: field for field in result["data_schema"]}
    options = schema["miners"]["selector"]["select"]["options"]
    say(f"the scan lists {len(options)} miners; adding them all")
    result = await ha.request("POST", url, {"miners": [o["value"] for o in options]})
    result = await _after_progress(ha, url, result, "adding the miners")
    while result["type"] == "form" and result["step_id"] == "scan_login":
        if result.get("errors"):
            raise DemoError(f"the fleet file's password was refused: {result['errors']}")
        placeholders = result.get("description_placeholders") or {}
        say(f"{placeholders.get('hosts')} refused the default login; answering with the fleet's")
        result = await ha.request("POST", url, login_for(placeholders, passwords))
        # The miners that login opens are added in the background, behind a progress step.
        result = await _after_progress(ha, url, result, "adding the miners")
    if result["type"] == "form" and result["step_id"] == "scan_done":
        # The summary of every miner added; confirming creates the last one.
        say(f"{result['description_placeholders']['count']} miners added")
        result = await ha.request("POST", url, {})
    if result["type"] != "create_entry":
        raise DemoError(f"the config flow ended with {result}")
    created: dict[str, Any] = result
    return created


async def _after_progress(
    ha: HomeAssistantClient, url: str, result: dict[str, Any], what: str
) -> dict[str, Any]:
    """The flow's next step once a progress step (the scan, the adding) is over."""
    deadline = time.monotonic() + SCAN_TIMEOUT
    while result["type"] == "progress":
        if time.monotonic() > deadline:
            raise DemoError(f"{what} did not finish within {SCAN_TIMEOUT:.0f} s")
        await asyncio.sleep(POLL_EVERY)
        result = await ha.request("GET", url)
    return result


async def wait_for_entries(
    ha: HomeAssistantClient, count: int, timeout: float = 60.0
) -> list[dict[str, Any]]:
    """Wait until ``count`` miner entries are set up (the scan adds all but one by sub-flows)."""
    deadline = time.monotonic() + timeout
    while True:
        entries = await ha.request("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
        loaded = [e for e in entries if e["state"] == "loaded" and e.get("source") != "farm"]
        if len(loaded) >= count:
            return loaded
        if time.monotonic() > deadline:
            states = ", ".join(f"{e['title']}: {e['state']}" for e in entries)
            raise DemoError(
                f"{len(loaded)} of {count} miners set up after {timeout:.0f} s ({states})"
            )
        await asyncio.sleep(2 * POLL_EVERY)
