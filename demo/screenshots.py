"""The README's screenshots, taken from a demo in a real headless browser.

    scripts/screenshots            # installs what it needs, then runs this

Starts its own demo (state in .demo/screenshots, port 8124, so a running demo is left
alone) with the miners not added, then, in Debian's chromium driven by Playwright:
adds the fleet through the integration's config flow as a person would (Add
integration > Scan a network > the fleet's subnet) and takes the scan result; finishes
the flow (the changed Antminer password); lets the demo build its dashboard; takes a
device page and the dashboard's views; the heater's thermostat card and the farm
device page; the Energy dashboard (once the recorder has
compiled its first statistics) and the blueprints page; opens the price blueprint in the automation
editor (Settings > Automations > Blueprints), as a person creating an automation from
it would (``--only blueprint`` takes just that one, without the fleet). Writes
docs/images/*.png. Look at every picture before committing it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import BrowserContext, Page, async_playwright

from .client import DemoError, HomeAssistantClient
from .dashboard import DASHBOARD_PATH
from .extras import energy_sensors, ensure_automations, ensure_energy
from .fleet import load_fleet
from .flow import add_fleet_by_scan, wait_for_entries
from .heater import Room, ensure_heater
from .run import FLEET_FILE, REPO, die_with_parent, ensure_dashboard

STATE = REPO / ".demo" / "screenshots"
IMAGES = REPO / "docs" / "images"
BLUEPRINTS = REPO / "blueprints" / "automation" / "asic_miner"
PORT = 8124
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The miner the device page and the per-miner view show: the fleet's Braiins OS S19.
SHOWN_MINER = "braiins-127-0-1-20"
READY_TIMEOUT = 300.0
STEP_TIMEOUT = 60_000  # ms, for Playwright waits


def say(message: str) -> None:
    print(f"screenshots: {message}", flush=True)


async def start_demo() -> tuple[asyncio.subprocess.Process, dict[str, Any]]:
    """The demo, fresh, with its miners left to add; its login once it is ready."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "demo",
        "--fresh",
        "--no-miners",
        "--state",
        str(STATE),
        "--port",
        str(PORT),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=die_with_parent,
    )
    try:
        return proc, await _wait_until_ready(proc)
    except BaseException:
        await stop_demo(proc)
        raise


async def _wait_until_ready(proc: asyncio.subprocess.Process) -> dict[str, Any]:
    assert proc.stdout is not None
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), deadline - time.monotonic())
        except TimeoutError:
            break
        if not line:
            raise DemoError(f"the demo exited with {await proc.wait()} before it was ready")
        text = line.decode().rstrip()
        print(f"  {text}", flush=True)
        if text.startswith("Home Assistant is ready"):
            asyncio.create_task(_drain(proc))  # noqa: RUF006
            login: dict[str, Any] = json.loads((STATE / "login.json").read_text())
            return login
    raise DemoError(f"the demo was not ready within {READY_TIMEOUT:.0f} s")


async def _drain(proc: asyncio.subprocess.Process) -> None:
    assert proc.stdout is not None
    while line := await proc.stdout.readline():
        print(f"  {line.decode().rstrip()}", flush=True)


async def stop_demo(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGINT)  # the demo's own Ctrl-C: it stops what it started
        await proc.wait()


def auth_script(ha: HomeAssistantClient) -> str:
    """Put the tokens where the frontend keeps them, so the app opens logged in."""
    tokens = {
        "hassUrl": ha.base_url,
        "clientId": ha.client_id,
        "access_token": ha.token,
        "refresh_token": ha.refresh_token,
        "token_type": "Bearer",
        "expires_in": 1800,
        "expires": int(time.time() * 1000) + 1_800_000,
    }
    return f"window.localStorage.setItem('hassTokens', {json.dumps(json.dumps(tokens))});"


async def open_page(page: Page, url: str, text: str) -> None:
    """Go to a page of the app and wait until it shows ``text`` and settles."""
    await page.goto(url)
    await page.wait_for_function(
        "() => document.querySelector('home-assistant')?.hass?.connected === true",
        timeout=STEP_TIMEOUT,
    )
    await page.get_by_text(text, exact=False).first.wait_for(timeout=STEP_TIMEOUT)
    await page.wait_for_timeout(2500)  # charts and icons finish drawing


async def shoot(page: Page, name: str) -> None:
    await page.mouse.move(1, 1)  # no hover highlight where the last click was
    await page.wait_for_timeout(300)
    path = IMAGES / f"{name}.png"
    await page.screenshot(path=str(path))
    say(f"wrote {path.relative_to(REPO)}")


async def config_flow(
    page: Page, base: str, subnet: str, passwords: dict[str, str], size: dict[str, int]
) -> None:
    """Add the fleet the way a person does, and take the scan result.

    ``size`` is the viewport for the scan result: tall enough to show, below the
    miners to tick, what the scan found but cannot add.
    """
    await open_page(
        page, f"{base}/config/integrations/dashboard/add?domain=asic_miner", "set up ASIC Miner"
    )
    await page.get_by_role("button", name="OK").click()
    await page.get_by_text("Scan a network").first.click()
    field = page.locator("dialog-data-entry-flow").locator("input").first
    await field.wait_for(timeout=STEP_TIMEOUT)
    await field.fill(subnet)
    await page.get_by_role("button", name="Submit").click()
    await page.get_by_text("Miners found").first.wait_for(timeout=STEP_TIMEOUT)
    normal = page.viewport_size
    await page.set_viewport_size(size)
    await page.get_by_text("Found but not supported").first.wait_for(timeout=STEP_TIMEOUT)
    await page.wait_for_timeout(1500)
    await shoot(page, "config-flow-scan")
    if normal is not None:
        await page.set_viewport_size(normal)
    await page.get_by_role("button", name="Submit").click()
    await page.get_by_text("Log in to").first.wait_for(timeout=STEP_TIMEOUT)
    password = page.locator("dialog-data-entry-flow").locator("input[type=password]").first
    await password.fill(next(iter(set(passwords.values()))))
    await page.get_by_role("button", name="Submit").click()
    # The summary of every miner added; submitting creates the last one.
    await page.get_by_text("Add the miners").first.wait_for(timeout=STEP_TIMEOUT)
    await page.wait_for_timeout(1000)
    await shoot(page, "config-flow-added")
    await page.get_by_role("button", name="Submit").click()
    finish = page.get_by_role("button", name="Skip and finish")
    with contextlib.suppress(Exception):
        await finish.wait_for(timeout=STEP_TIMEOUT)
        await finish.click()


async def lower_power_limit(ha: HomeAssistantClient, entity_id: str) -> None:
    """Set the power limit to about 80 % of what it is, within the miner's bounds."""
    state = await ha.request("GET", f"/api/states/{entity_id}")
    attrs = state["attributes"]
    step = float(attrs.get("step", 1))
    target = round(float(state["state"]) * 0.8 / step) * step
    target = min(max(target, float(attrs["min"])), float(attrs["max"]))
    await ha.request(
        "POST", "/api/services/number/set_value", {"entity_id": entity_id, "value": target}
    )
    say(f"set {entity_id} from {state['state']} to {target:g}")


async def blueprint_editor(page: Page, base: str, args: argparse.Namespace) -> None:
    """Settings > Automations > Blueprints > the price blueprint: the editor it opens."""
    target = STATE / "config" / "blueprints" / "automation" / "asic_miner"
    target.mkdir(parents=True, exist_ok=True)
    for blueprint in BLUEPRINTS.glob("*.yaml"):
        shutil.copy(blueprint, target / blueprint.name)
    await open_page(page, f"{base}/config/blueprint/dashboard", "follow the electricity price")
    await page.get_by_text("ASIC miner - follow the electricity price").first.click()
    await page.get_by_text("Electricity price").first.wait_for(timeout=STEP_TIMEOUT)
    # Open the collapsed section too, so the picture shows every kind of input.
    with contextlib.suppress(Exception):
        await page.get_by_text("Timing", exact=True).first.click(timeout=5000)
    await page.wait_for_timeout(1500)
    await page.set_viewport_size({"width": args.width, "height": args.blueprint_height})
    await page.wait_for_timeout(1000)
    await shoot(page, "blueprint-editor")
    await page.set_viewport_size({"width": args.width, "height": args.height})


async def browse(
    context: BrowserContext, ha: HomeAssistantClient, args: argparse.Namespace
) -> None:
    _data, plan = load_fleet(FLEET_FILE)
    page = context.pages[0] if context.pages else await context.new_page()
    base = ha.base_url
    if args.only == ["blueprint"]:
        await blueprint_editor(page, base, args)
        return
    if "scan" in args.only:
        size = {"width": args.width, "height": args.scan_height}
        await config_flow(page, base, plan.subnet, plan.passwords, size)
    else:  # the miners are needed all the same: added over REST, as the demo does
        await add_fleet_by_scan(ha, plan.subnet, plan.passwords, say)
    await wait_for_entries(ha, plan.size)
    if plan.heater is not None:
        say(await ensure_heater(ha, plan.heater, Room()))
    await ensure_dashboard(ha, plan.heater)
    say(f"Energy dashboard: {await ensure_energy(ha)} Energy sensors")
    say(f"{await ensure_automations(ha, STATE / 'config', plan.automations)} automations")
    devices = await ha.ws({"type": "config/device_registry/list"})
    device = next(d for d in devices if d["name"] == SHOWN_MINER)
    # A few minutes of history for the graphs, with the power limit lowered halfway
    # through, as a person would with the dashboard's slider.
    await asyncio.sleep(args.settle / 2)
    await lower_power_limit(ha, f"number.{SHOWN_MINER.replace('-', '_')}_power_limit")
    await asyncio.sleep(args.settle / 2)
    if "device" in args.only:
        await page.set_viewport_size({"width": args.width, "height": args.device_height})
        await open_page(page, f"{base}/config/devices/device/{device['id']}", "Sensors")
        await shoot(page, "device-page")
        await page.set_viewport_size({"width": args.width, "height": args.height})
    if "dashboard" in args.only:
        await open_page(page, f"{base}/{DASHBOARD_PATH}/fleet", "Hashrate")
        await shoot(page, "dashboard-fleet")
        await page.set_viewport_size({"width": args.width, "height": args.miner_height})
        await open_page(page, f"{base}/{DASHBOARD_PATH}/{SHOWN_MINER}", "Control")
        await shoot(page, "dashboard-miner")
    if "heating" in args.only:
        await thermostat(page, base)
    if "farm" in args.only:
        farm = next(d for d in devices if ["asic_miner", "farm"] in d["identifiers"])
        await open_page(page, f"{base}/config/devices/device/{farm['id']}", "Sensors")
        await shoot(page, "farm-device")
    if "energy" in args.only:
        await energy_dashboard(page, ha, base, args)
    if "blueprint" in args.only:
        await blueprints_page(page, base)
        await blueprint_editor(page, base, args)


async def thermostat(page: Page, base: str) -> None:
    """The dashboard's Heating view: the heater's thermostat card, taken alone."""
    await open_page(page, f"{base}/{DASHBOARD_PATH}/heating", "Room heater")
    card = page.locator("hui-thermostat-card").first
    await page.mouse.move(1, 1)
    await page.wait_for_timeout(300)
    path = IMAGES / "thermostat.png"
    await card.screenshot(path=str(path))
    say(f"wrote {path.relative_to(REPO)}")


async def wait_for_statistics(ha: HomeAssistantClient, timeout: float = 480.0) -> None:
    """Until the recorder has compiled 5-minute statistics of the miners' energy (every 5 min)."""
    await ha.close()  # a fresh WebSocket: the last one sat idle through the settle time
    entities = await ha.ws({"type": "config/entity_registry/list"})
    sensors = energy_sensors(entities)
    deadline = time.monotonic() + timeout
    say("waiting for the first 5-minute energy statistics")
    while time.monotonic() < deadline:
        found = await ha.ws(
            {
                "type": "recorder/statistics_during_period",
                "start_time": "2000-01-01T00:00:00+00:00",
                "statistic_ids": sensors,
                "period": "5minute",
                "types": ["change"],
            }
        )
        if len(found) == len(sensors):
            return
        await asyncio.sleep(10)
    say("no energy statistics yet; the Energy dashboard may show no bars")


async def energy_dashboard(
    page: Page, ha: HomeAssistantClient, base: str, args: argparse.Namespace
) -> None:
    """The Energy dashboard with the miners as its devices."""
    await wait_for_statistics(ha)
    await page.set_viewport_size({"width": args.width, "height": args.energy_height})
    await open_page(page, f"{base}/energy", "Individual devices")
    # Every card has drawn once no spinner is left (the locator looks into shadow roots).
    spinners = page.locator("ha-spinner, ha-circular-progress")
    for _ in range(40):
        if await spinners.count() == 0:
            break
        await page.wait_for_timeout(500)
    await page.wait_for_timeout(1500)
    await shoot(page, "energy-dashboard")
    await page.set_viewport_size({"width": args.width, "height": args.height})


async def blueprints_page(page: Page, base: str) -> None:
    """Settings > Automations & scenes > Blueprints: both blueprints, each used once."""
    await open_page(page, f"{base}/config/blueprint/dashboard", "follow the electricity price")
    await shoot(page, "blueprints")


async def run(args: argparse.Namespace) -> int:
    IMAGES.mkdir(parents=True, exist_ok=True)
    if args.attach:  # a demo started with --state .demo/screenshots already runs
        proc, login = None, json.loads((STATE / "login.json").read_text())
    else:
        proc, login = await start_demo()
    try:
        async with aiohttp.ClientSession() as session:
            ha = HomeAssistantClient(session, login["url"])
            await ha.login(login["username"], login["password"])
            with tempfile.TemporaryDirectory(prefix="demo-chromium-") as profile:
                async with async_playwright() as pw:
                    context = await pw.chromium.launch_persistent_context(
                        profile,
                        executable_path=CHROMIUM,
                        headless=True,
                        args=CHROMIUM_FLAGS,
                        viewport={"width": args.width, "height": args.height},
                        locale="en-US",
                        color_scheme="light",
                    )
                    await context.add_init_script(auth_script(ha))
                    try:
                        await browse(context, ha, args)
                    except Exception:
                        for number, page in enumerate(context.pages):
                            shot = STATE / f"failure-{number}.png"
                            await page.screenshot(path=str(shot))
                            say(f"failed on {page.url}; the page is in {shot.relative_to(REPO)}")
                        raise
                    finally:
                        await context.close()
            await ha.close()
    finally:
        if proc is not None:
            await stop_demo(proc)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.screenshots", description=__doc__)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--device-height", type=int, default=1230)
    parser.add_argument("--scan-height", type=int, default=1500)
    parser.add_argument("--energy-height", type=int, default=1100)
    parser.add_argument("--miner-height", type=int, default=1000)
    parser.add_argument("--blueprint-height", type=int, default=1560)
    parser.add_argument("--settle", type=int, default=180, help="seconds of history first")
    parser.add_argument(
        "--only",
        nargs="+",
        default=["scan", "device", "dashboard", "heating", "farm", "energy", "blueprint"],
        choices=["scan", "device", "dashboard", "heating", "farm", "energy", "blueprint"],
    )
    parser.add_argument("--attach", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        say(f"{CHROMIUM} is missing: run scripts/demo_install --screenshots")
        return 1
    try:
        return asyncio.run(run(args))
    except DemoError as err:
        say(f"error: {err}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
