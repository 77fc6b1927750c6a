"""The demo's run step: fleet, Home Assistant, onboarding, the scan, the dashboard.

Run with the demo environment's Python from the repository root (``scripts/demo`` does):
``python -m demo [--fresh]``. Everything it starts listens on loopback; Ctrl-C stops it
all. Home Assistant gets exactly one SIGTERM and is waited for (it drops its handler
after the first signal, so a second one would kill it mid-shutdown).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from simulator.fleet import Fleet

from .client import DemoError, HomeAssistantClient
from .dashboard import DASHBOARD_PATH, build_dashboard
from .extras import CONFIGURATION_EXTRAS, ensure_automations, ensure_energy, prepare_config
from .fleet import FleetPlan, load_fleet
from .flow import DOMAIN, add_fleet_by_scan, wait_for_entries
from .heater import ROOM_ENTITY, Room, ensure_heater, run_room

REPO = Path(__file__).resolve().parent.parent
STATE = REPO / ".demo"
FLEET_FILE = REPO / "simulator" / "fleets" / "demo.toml"
HOST = "127.0.0.1"
USER = {"name": "Demo", "username": "demo", "password": "demo", "language": "en"}
START_TIMEOUT = 180.0  # a first start creates the database; later ones take ~5 s
STOP_TIMEOUT = 60.0
RESTART_EXIT_CODE = 100  # what hass exits with when asked to restart
# Integrations onboarding sets up for a new home; their packages are not installed (the
# demo loads nothing it does not need), and the demo is about the miners.
ONBOARDING_EXTRAS = {"google_translate", "met", "radio_browser", "shopping_list"}

CONFIGURATION_YAML = (
    """\
# Written by the demo (demo/run.py) at every start.
# The integration comes from the working tree: custom_components links to it.
homeassistant:
  name: ASIC Miner demo
  country: DE
  unit_system: metric
  currency: EUR
  time_zone: Europe/Berlin
  # Onboarding's location step is skipped (demo/extras.py): a made-up place.
  latitude: 52.52
  longitude: 13.40
  elevation: 34
history:
logbook:
logger:
  default: warning
  logs:
    custom_components.asic_miner: info
  filters:
    # What a demo without ffmpeg and libturbojpeg logs at every start.
    haffmpeg.core: ["FFmpeg fails"]
    haffmpeg.tools: ["Error starting FFmpeg"]
    homeassistant.components.camera.img_util: ["libturbojpeg"]
"""
    + CONFIGURATION_EXTRAS
)


_STARTED = time.monotonic()


def say(message: str) -> None:
    with contextlib.suppress(OSError):  # a closed terminal or pipe must not stop a shutdown
        print(f"demo [{time.monotonic() - _STARTED:5.1f} s]: {message}", flush=True)


# -- the configuration directory -------------------------------------------------------


# Home Assistant 2026.10's HTTP settings store (.storage/http), listening on one address;
# the other values are its defaults (tests/test_demo_helpers.py checks them against it).
HTTP_DEFAULTS: dict[str, Any] = {
    "cors_allowed_origins": ["https://cast.home-assistant.io"],
    "login_attempts_threshold": -1,
    "ip_ban_enabled": True,
    "ssl_profile": "modern",
    "use_x_frame_options": True,
}


def http_store(host: str, port: int) -> dict[str, Any]:
    """Home Assistant's own HTTP settings store, listening on ``host`` only.

    Written before the first start, so Home Assistant binds only ``host`` from its first
    second. (An ``http:`` YAML block would be migrated into a *pending* config that
    Home Assistant reverts, restarting on the default 0.0.0.0, unless confirmed within
    five minutes; it raises a repair too.) Written by hand: importing Home Assistant's
    http component to build it takes seconds.
    """
    stable = {
        "server_host": [host],
        "server_port": port,
        **HTTP_DEFAULTS,
        "created_at": datetime.now(UTC).isoformat(),
        "error": None,
        "error_message": None,
    }
    return {
        "version": 2,
        "minor_version": 2,
        "key": "http",
        "data": {"stable": stable, "pending": None, "yaml_migration_done": True},
    }


def write_config(config: Path, port: int) -> None:
    """The configuration directory: YAML, the link to the integration, the HTTP store."""
    (config / ".storage").mkdir(parents=True, exist_ok=True)
    (config / "configuration.yaml").write_text(CONFIGURATION_YAML)
    link = config / "custom_components"
    target = os.path.relpath(REPO / "custom_components", config)
    if link.is_symlink() and str(link.readlink()) != target:
        link.unlink()
    if not link.is_symlink():
        link.symlink_to(target, target_is_directory=True)
    prepare_config(config)
    store = config / ".storage" / "http"
    current = json.loads(store.read_text()) if store.exists() else None
    wanted = http_store(HOST, port)
    if current is None or _http_settings(current) != _http_settings(wanted):
        store.write_text(json.dumps(wanted, indent=2))
        store.chmod(0o600)


def _http_settings(store: dict[str, Any]) -> tuple[Any, ...]:
    data = store.get("data", {})
    stable = data.get("stable", {})
    return (stable.get("server_host"), stable.get("server_port"), data.get("pending"))


def listening_addresses(proc_net_tcp: str, port: int) -> set[str]:
    """Local addresses listening on ``port`` in a /proc/net/tcp or tcp6 table."""
    found: set[str] = set()
    for line in proc_net_tcp.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 4 or fields[3] != "0A":  # 0A: LISTEN
            continue
        address, hex_port = fields[1].split(":")
        if int(hex_port, 16) != port:
            continue
        raw = bytes.fromhex(address)
        if len(raw) == 4:
            found.add(".".join(str(b) for b in reversed(raw)))
        else:  # IPv6: four little-endian 32-bit words
            words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]
            found.add(ipv6_text(b"".join(words)))
    return found


def ipv6_text(raw: bytes) -> str:
    import ipaddress

    return str(ipaddress.IPv6Address(raw))


def check_loopback_only(port: int) -> None:
    """Refuse to go on if Home Assistant listens on anything but 127.0.0.1."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            found |= listening_addresses(Path(table).read_text(), port)
    if found - {HOST}:
        raise DemoError(f"Home Assistant listens on {', '.join(sorted(found))}, not only {HOST}")


# -- processes --------------------------------------------------------------------------


def die_with_parent() -> None:
    """In the child: get SIGTERM if the demo itself dies (never left running alone)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class HomeAssistantProcess:
    """hass in its own session (Ctrl-C reaches the demo, not it), restarted on exit 100."""

    def __init__(self, config: Path, log: Path) -> None:
        self.config = config
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None
        self.exited = asyncio.Event()
        self.exit_code: int | None = None
        self._stopping = False
        self._watcher: asyncio.Task[None] | None = None

    def alive(self) -> bool:
        return not self.exited.is_set()

    async def start(self) -> None:
        self._watcher = asyncio.create_task(self._watch())
        await asyncio.sleep(0)

    async def _spawn(self) -> asyncio.subprocess.Process:
        with self.log.open("ab") as out:
            return await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "homeassistant",
                "--config",
                str(self.config),
                "--skip-pip",  # installing is scripts/demo_install's job, never the run's
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )

    async def _watch(self) -> None:
        while True:
            self.proc = await self._spawn()
            code = await self.proc.wait()
            if code == RESTART_EXIT_CODE and not self._stopping:
                say("Home Assistant asked for a restart; starting it again")
                continue
            self.exit_code = code
            self.exited.set()
            return

    async def stop(self) -> None:
        """Exactly one SIGTERM, then wait; SIGKILL only if it hangs."""
        self._stopping = True
        proc = self.proc
        if proc is not None and proc.returncode is None:
            say("stopping Home Assistant")
            proc.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(STOP_TIMEOUT):
                    await proc.wait()
            except TimeoutError:
                say(f"Home Assistant did not stop within {STOP_TIMEOUT:.0f} s; killing it")
                proc.kill()
                await proc.wait()
        if self._watcher is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher


async def start_fleet(data: dict[str, Any]) -> Fleet:
    fleet = Fleet.from_dict(data)  # the real ports: the config flow scans those
    try:
        await fleet.start()
    except PermissionError as err:
        raise DemoError(
            "the simulated miners listen on the miners' real ports (80, 443, 4028, 4433), "
            "the ones the integration scans, and ports below 1024 need root here: run "
            "`sudo scripts/demo`, or allow them with "
            "`sudo sysctl net.ipv4.ip_unprivileged_port_start=80`"
        ) from err
    except OSError as err:
        raise DemoError(f"the simulated fleet could not start: {err}") from err
    return fleet


# -- preparing Home Assistant ------------------------------------------------------------


async def prepare(
    ha: HomeAssistantClient,
    hass: HomeAssistantProcess,
    plan: FleetPlan,
    add_miners: bool,
    room: Room,
) -> None:
    """Everything after the start: login, the miners, the dashboard."""
    await ha.wait_until_up(START_TIMEOUT, hass.alive)
    say("Home Assistant answers")
    check_loopback_only(int(ha.base_url.rsplit(":", 1)[1]))
    if await ha.onboard(**USER):
        say(f"onboarded: created the user {USER['username']!r}")
    else:
        await ha.login(USER["username"], USER["password"])
        say(f"logged in as {USER['username']!r}")
    entries = await ha.request("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
    if not add_miners:
        await wait_for_setup(ha)
        await remove_onboarding_extras(ha)
        say("left the miners for you to add (--no-miners)")
        return
    if not entries:
        await wait_for_setup(ha)
        await add_fleet_by_scan(ha, plan.subnet, plan.passwords, say)
    entries = await wait_for_entries(ha, plan.size)
    say(f"{len(entries)} miners set up")
    if plan.heater is not None:
        say(await ensure_heater(ha, plan.heater, room))
    await ensure_dashboard(ha, plan.heater)
    say(f"Energy dashboard: {await ensure_energy(ha)} miners' Energy sensors as devices")
    made = await ensure_automations(ha, hass.config, plan.automations)
    say(f"{made} automations from the blueprints (helpers: demo electricity price, grid power)")
    await remove_onboarding_extras(ha)


async def wait_for_setup(ha: HomeAssistantClient, timeout: float = 60.0) -> None:
    """Wait until Home Assistant has finished starting (state RUNNING)."""
    deadline = time.monotonic() + timeout
    while (await ha.request("GET", "/api/config"))["state"] != "RUNNING":
        if time.monotonic() > deadline:
            raise DemoError(f"Home Assistant did not finish starting within {timeout:.0f} s")
        await asyncio.sleep(0.5)


async def ensure_dashboard(ha: HomeAssistantClient, heater: str | None = None) -> None:
    """The Miners dashboard (storage mode), made once, and the default for everyone."""
    dashboards = await ha.ws({"type": "lovelace/dashboards/list"})
    if any(d["url_path"] == DASHBOARD_PATH for d in dashboards):
        return
    devices = await ha.ws({"type": "config/device_registry/list"})
    entities = await ha.ws({"type": "config/entity_registry/list"})
    config = build_dashboard(
        devices, entities, heater=None if heater is None else (heater, ROOM_ENTITY)
    )
    await ha.ws(
        {
            "type": "lovelace/dashboards/create",
            "url_path": DASHBOARD_PATH,
            "title": "Miners",
            "icon": "mdi:pickaxe",
            "show_in_sidebar": True,
            "require_admin": False,
            "mode": "storage",
        }
    )
    await ha.ws({"type": "lovelace/config/save", "url_path": DASHBOARD_PATH, "config": config})
    system = await ha.ws({"type": "frontend/get_system_data", "key": "core"}) or {}
    await ha.ws(
        {
            "type": "frontend/set_system_data",
            "key": "core",
            "value": {**system, "default_panel": DASHBOARD_PATH},
        }
    )
    say(f"made the dashboard /{DASHBOARD_PATH} ({len(config['views']) - 1} miner views)")


async def remove_onboarding_extras(ha: HomeAssistantClient) -> None:
    for entry in await ha.request("GET", "/api/config/config_entries/entry"):
        if entry["domain"] in ONBOARDING_EXTRAS and entry["source"] == "onboarding":
            await ha.request("DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}")


# -- the whole run -------------------------------------------------------------------------


async def first_of(*aws: Any) -> None:
    """Wait until the first of these finishes; cancel the others."""
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(task, return_exceptions=True)


async def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if stop.is_set():
            return
        stop.set()
        say("stopping (Ctrl-C again does not hurry it)")

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)

    state: Path = args.state.resolve()
    config = state / "config"
    if args.fresh and state.exists():  # noqa: ASYNC240 (before anything runs)
        say(f"--fresh: removing {_shown(state)}/")
        shutil.rmtree(state)
    data, plan = load_fleet(FLEET_FILE)
    await asyncio.to_thread(write_config, config, args.port)
    base_url = f"http://{HOST}:{args.port}"
    log = state / "home-assistant.out"

    fleet = await start_fleet(data)
    say(f"{len(fleet.miners)} simulated miners on {plan.subnet} ({FLEET_FILE.relative_to(REPO)})")
    hass = HomeAssistantProcess(config, log)
    code = 0
    try:
        await hass.start()
        say(f"starting Home Assistant on {base_url} (log: {_shown(config)}/home-assistant.log)")
        async with aiohttp.ClientSession() as session:
            ha = HomeAssistantClient(session, base_url)
            room = Room()
            setup = asyncio.create_task(prepare(ha, hass, plan, not args.no_miners, room))
            await first_of(stop.wait(), hass.exited.wait(), asyncio.shield(setup))
            if not setup.done():
                setup.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await setup
            elif setup.exception() is None:
                await ha.close()
                banner(state, base_url, time.monotonic() - started, not args.no_miners)
                await first_of(stop.wait(), hass.exited.wait(), heat(ha, fleet, plan, room))
            else:
                raise setup.exception()  # type: ignore[misc]
            await ha.close()
        if hass.exited.is_set() and not stop.is_set():
            say(f"Home Assistant exited with {hass.exit_code}; see {_shown(log)}")
            code = 1
    except (DemoError, aiohttp.ClientError) as err:
        say(f"error: {err}")
        say(f"Home Assistant's log: {_shown(config / 'home-assistant.log')}")
        code = 1
    finally:
        await hass.stop()
        say("stopping the simulated fleet")
        await fleet.stop()
    say("stopped")
    return code


async def heat(ha: HomeAssistantClient, fleet: Fleet, plan: FleetPlan, room: Room) -> None:
    """The demo room, warmed by the heater miner's simulated power (none: wait forever)."""
    heater = next((m for m in fleet.miners if m.host == plan.heater), None)
    if heater is None:
        await asyncio.Event().wait()
        return

    async def relogin() -> None:
        await ha.login(USER["username"], USER["password"])

    await run_room(ha, room, lambda: heater.state.power, relogin)


def _shown(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(REPO))
    return str(path)


def banner(state: Path, base_url: str, seconds: float, dashboard: bool) -> None:
    url = f"{base_url}/{DASHBOARD_PATH}" if dashboard else base_url
    lines = [
        f"Home Assistant is ready ({seconds:.0f} s): {url}",
        f"log in as {USER['username']!r} with the password {USER['password']!r}",
        "Ctrl-C stops Home Assistant and the simulated fleet",
    ]
    login = {"url": base_url, "username": USER["username"], "password": USER["password"]}
    (state / "login.json").write_text(json.dumps(login, indent=2) + "\n")
    width = max(len(line) for line in lines)
    with contextlib.suppress(OSError):
        print("\n".join(["", "=" * width, *lines, "=" * width, ""]), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument("--fresh", action="store_true", help="start over: delete the state first")
    parser.add_argument(
        "--state", type=Path, default=STATE, help="where config and logs live (default: .demo)"
    )
    parser.add_argument(
        "--no-miners",
        action="store_true",
        help="onboard only: leave the config flow and the dashboard to the screenshot script",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("DEMO_PORT", "8123")),
        help="Home Assistant's port (default: $DEMO_PORT, else 8123)",
    )
    args = parser.parse_args(argv)
    try:
        return asyncio.run(run(args))
    except DemoError as err:
        say(f"error: {err}")
        return 1
