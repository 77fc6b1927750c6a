"""Home Assistant at farm scale: N simulated miners of every family in a real Home Assistant.

    sudo .venv-demo/bin/python benchmarks/ha_scale.py [--miners 200] [--window 300]

Not a test: it prints figures and asserts nothing. ``scripts/demo_install`` makes
``.venv-demo`` (Home Assistant 2026.10.4 with its frontend). Run as root: the script
re-runs itself inside ``scripts/isolated`` (a network namespace holding only loopback,
so Home Assistant reaches nothing outside), and the simulated miners listen on the
real ports (80, 443, 4028, 4433) that the config flow's scan looks at.

What it does, reusing the demo's pieces (``demo/``):

1. starts ``benchmarks/_fleet.py`` in a child process with N miners, every model of
   ``simulator/fleets/families.toml`` in turn, on 127.0.60.0/24 (the fleet process
   counts the TCP connections every miner accepts);
2. starts Home Assistant with a fresh configuration directory (recorder on SQLite,
   the integration linked from this working tree, and a loop-lag probe: a tiny
   custom integration that wakes every 50 ms and records how late it woke);
3. onboards, then adds the whole fleet through the integration's scan flow over the
   REST API, as a person would (scan, tick every miner, confirm);
4. lets the polls settle, then measures over a window: Home Assistant's CPU (from
   ``/proc/<pid>/stat``), RSS, state rows written (from the recorder database),
   connections per poll per family; then, with the probe running, the longest loop
   stall it saw (the probe pauses during the CPU windows, its wake-ups not counted);
5. prints the figures, and the entity registry's counts (enabled / with a
   state_class), then stops Home Assistant (one SIGTERM) and the fleet.

The machine's load average is printed at start and end: other work on the machine
inflates the CPU and stall figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ISOLATED = ROOT / "scripts" / "isolated"
INSIDE_ENV = "ASIC_MINER_HA_SCALE_INSIDE"
FAMILIES_FLEET = ROOT / "simulator" / "fleets" / "families.toml"
SUBNET_PREFIX = "127.0.60"
FIRST_HOST = 10
PORT = 18123
POLL_SECONDS = 15.0
# The slowest simulated reply the scan still identifies every family at: a stock
# Antminer's identification is four requests in turn (the probes, then the digest
# challenge, the system info and the blink page) inside the scan's 6 s per host.
MAX_REPLY_DELAY = 1.0
PROBE_PERIOD = 0.05
DAY = 86_400
JITTERING = 4  # hashrate, power, efficiency, hottest chip: enabled, and noisy on real miners

CONFIGURATION_YAML = """\
# Written by benchmarks/ha_scale.py for one run.
homeassistant:
  name: ASIC Miner scale benchmark
  country: DE
  unit_system: metric
  currency: EUR
  time_zone: UTC
  latitude: 52.52
  longitude: 13.40
  elevation: 34
recorder:
logger:
  default: warning
ha_scale_probe:
"""

PROBE_MANIFEST = {
    "domain": "ha_scale_probe",
    "name": "Loop-lag probe (benchmarks/ha_scale.py)",
    "codeowners": [],
    "documentation": "https://example.invalid",
    "iot_class": "local_push",
    "requirements": [],
    "version": "1.0.0",
}

# The probe: wakes every PROBE_PERIOD and records how late it woke, as the maximum per
# second; written to loop_probe.json every 5 s (by an executor job, off the loop). It
# sleeps (no wake-up at all) while paused: the CPU windows are measured without it,
# as its own wake-ups are the benchmark's cost, not Home Assistant's.
PROBE_INIT = '''\
"""Loop-lag probe for benchmarks/ha_scale.py: how late a 50 ms timer wakes."""

import asyncio
import cProfile
import gc
import json
import time

PERIOD = PROBE_PERIOD


async def async_setup(hass, config):
    path = hass.config.path("loop_probe.json")
    gc_path = hass.config.path("gc_probe.json")
    seconds = {}
    # Garbage collection: seconds spent collecting and collections, per wall second
    # (gc.callbacks run in whichever thread collects).
    collecting = {}
    began = [0.0]

    def on_gc(phase, info):
        if phase == "start":
            began[0] = time.perf_counter()
            return
        second = str(int(time.time()))
        spent, count = collecting.get(second, (0.0, 0))
        collecting[second] = (spent + time.perf_counter() - began[0], count + 1)

    gc.callbacks.append(on_gc)

    def write(data):
        with open(path, "w") as out:
            json.dump(data, out)
        with open(gc_path, "w") as out:
            json.dump(dict(collecting), out)

    running = asyncio.Event()
    running.set()

    async def probe():
        loop = asyncio.get_running_loop()
        last_write = time.time()
        while True:
            if not running.is_set():
                await hass.async_add_executor_job(write, dict(seconds))
                await running.wait()
            expected = loop.time() + PERIOD
            await asyncio.sleep(PERIOD)
            lag = loop.time() - expected
            second = int(time.time())
            seconds[second] = max(seconds.get(second, 0.0), lag)
            if time.time() - last_write > 5:
                last_write = time.time()
                await hass.async_add_executor_job(write, dict(seconds))

    hass.async_create_background_task(probe(), "ha_scale_probe")

    async def pause(call):
        running.clear()

    async def resume(call):
        running.set()

    hass.services.async_register("ha_scale_probe", "pause", pause)
    hass.services.async_register("ha_scale_probe", "resume", resume)

    # --profile: cProfile of the event loop's thread between two action calls.
    profiler = None

    async def profile_start(call):
        nonlocal profiler
        profiler = cProfile.Profile()
        profiler.enable()

    async def profile_stop(call):
        nonlocal profiler
        if profiler is not None:
            profiler.disable()
            path = call.data["path"]
            await hass.async_add_executor_job(profiler.dump_stats, path)
            profiler = None

    hass.services.async_register("ha_scale_probe", "profile_start", profile_start)
    hass.services.async_register("ha_scale_probe", "profile_stop", profile_stop)
    return True
'''.replace("PROBE_PERIOD", repr(PROBE_PERIOD))


def say(message: str) -> None:
    print(f"ha_scale: {message}", flush=True)


# -- the fleet -------------------------------------------------------------------------


def delay_shares(count: int) -> list[float]:
    """Where each of ``count`` models sits between the lowest and highest reply delay:
    every step 0, 1/(count-1) ... 1 once, neighbours in the list far apart (a stride of
    at least 7 that shares no factor with ``count``, so that every step is taken)."""
    stride = next(s for s in itertools.count(7) if math.gcd(s, count) == 1)
    return [(index * stride % count) / max(1, count - 1) for index in range(count)]


def fleet_toml(miners: int, reply_delay: tuple[float, float] | None = None) -> str:
    """N miners, every model of the families fleet in turn, on consecutive addresses.

    ``reply_delay`` (seconds, lowest and highest): each model's miners answer every
    request that much later, the models spread evenly between the two, as a LAN's
    miners do (real firmware takes milliseconds to a second), where loopback
    simulators answer at once.
    """
    models = tomllib.loads(FAMILIES_FLEET.read_text())["miner"]
    counts = [miners // len(models) + (i < miners % len(models)) for i in range(len(models))]
    shares = delay_shares(len(models))
    host = FIRST_HOST
    out = ["# Written by benchmarks/ha_scale.py for one run."]
    for index, (listed, count) in enumerate(zip(models, counts, strict=True)):
        if not count:
            continue
        model = dict(listed)
        if reply_delay is not None:
            low, high = reply_delay
            model["fault"] = f"delay:{low + (high - low) * shares[index]:.4f}"
        out += [
            "",
            "[[miner]]",
            f'family = "{model["family"]}"',
            f'model = "{model["model"]}"',
            f'host = "{SUBNET_PREFIX}.{host}"',
            f"count = {count}",
        ]
        for key, value in model.items():
            if key not in {"family", "model", "host", "count"}:
                out.append(f"{key} = {json.dumps(value)}")
        host += count
    if host > 255:
        raise SystemExit(f"{miners} miners do not fit one /24 from .{FIRST_HOST}")
    return "\n".join(out) + "\n"


def family_label(family: str, model: str) -> str:
    # Whatsminer API v3 (the M60S in the simulator) speaks another protocol than v2.
    if family == "whatsminer" and model.startswith("M6"):
        return "whatsminer (API v3)"
    if family == "whatsminer":
        return "whatsminer (API v2)"
    if family == "bitaxe" and "NerdQAxe" in model:
        return "bitaxe (NerdQAxe)"
    return family


# -- Home Assistant --------------------------------------------------------------------


def write_config(config: Path, integration: Path) -> None:
    from demo.run import http_store

    (config / ".storage").mkdir(parents=True, exist_ok=True)
    (config / "configuration.yaml").write_text(CONFIGURATION_YAML)
    (config / ".storage" / "http").write_text(json.dumps(http_store("127.0.0.1", PORT)))
    components = config / "custom_components"
    components.mkdir(exist_ok=True)
    (components / "asic_miner").symlink_to(integration.resolve())
    probe = components / "ha_scale_probe"
    probe.mkdir()
    (probe / "manifest.json").write_text(json.dumps(PROBE_MANIFEST))
    (probe / "__init__.py").write_text(PROBE_INIT)


@dataclass
class Sample:
    """One look at a process: CPU seconds used so far (user, system, per thread), RSS, when."""

    user: float
    system: float
    rss_mb: float
    at: float
    # CPU seconds per kind of thread: the event loop ("main"), "Recorder", executor
    # workers ("SyncWorker") and so on (thread names without their numbers).
    threads: dict[str, float] = field(default_factory=dict)

    @property
    def cpu(self) -> float:
        return self.user + self.system


def _cpu_seconds(stat: str) -> tuple[float, float]:
    """utime and stime (seconds) from a ``/proc/.../stat`` line."""
    fields = stat.rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks


def thread_kind(name: str, main: bool) -> str:
    """``SyncWorker_3`` -> ``SyncWorker``; the process's first thread runs the loop."""
    return "main (event loop)" if main else name.rstrip("0123456789_-") or name


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds per kind of thread; a thread that ended in between is left out."""
    kinds: dict[str, float] = defaultdict(float)
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            user, system = _cpu_seconds((task / "stat").read_text())
            name = (task / "comm").read_text().strip()
            kinds[thread_kind(name, task.name == str(pid))] += user + system
    return dict(kinds)


def sample(pid: int) -> Sample:
    user, system = _cpu_seconds(Path(f"/proc/{pid}/stat").read_text())
    rss_kb = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kb = int(line.split()[1])
    return Sample(user, system, rss_kb / 1024, time.monotonic(), thread_cpu(pid))


def cpu_lines(before: Sample, after: Sample) -> list[str]:
    """The window's CPU as % of one core: total, user and system, then per thread kind.

    Threads that ended during the window are missing from the per-thread figures.
    """
    window = after.at - before.at

    def pct(seconds: float) -> str:
        return f"{seconds / window * 100:6.2f} %"

    lines = [
        f"  Home Assistant CPU over {window:.0f} s:                  "
        f"{pct(after.cpu - before.cpu)} of one core",
        f"    user {pct(after.user - before.user).strip()}, "
        f"system {pct(after.system - before.system).strip()}",
    ]
    spent = {
        kind: seconds - before.threads.get(kind, 0.0) for kind, seconds in after.threads.items()
    }
    for kind, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        if seconds > 0:
            lines.append(f"    thread {kind:<28} {pct(seconds)}")
    return lines


def entity_counts(config: Path) -> dict[str, float]:
    """From the entity registry's file: the integration's entities, per miner too."""
    data = json.loads((config / ".storage" / "core.entity_registry").read_text())
    ours = [e for e in data["data"]["entities"] if e["platform"] == "asic_miner"]
    enabled = [e for e in ours if e.get("disabled_by") is None]
    stats = [e for e in ours if (e.get("capabilities") or {}).get("state_class")]
    enabled_stats = [e for e in stats if e.get("disabled_by") is None]
    return {
        "total": len(ours),
        "enabled": len(enabled),
        "state_class": len(stats),
        "enabled_state_class": len(enabled_stats),
    }


def recorder_figures(db: Path, start: float, end: float) -> dict[str, float]:
    """State rows written in [start, end] (wall clock) and bytes per row, from the DB.

    Bytes per row: the pages of the ``states`` table and its indexes (SQLite's dbstat)
    over its row count; likewise for the short-term statistics.
    """
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT COUNT(*) FROM states WHERE last_updated_ts BETWEEN ? AND ?", (start, end)
        ).fetchone()[0]
        out: dict[str, float] = {"rows": rows}
        for table in ("states", "statistics_short_term", "state_attributes"):
            count = con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            size = con.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name IN "
                "(SELECT name FROM sqlite_master WHERE tbl_name = ?)",
                (table,),
            ).fetchone()[0]
            out[f"{table}_rows"] = count
            out[f"{table}_bytes_per_row"] = (size or 0) / count if count else float("nan")
        return out
    finally:
        con.close()


def garbage_collection(config: Path, start: float, end: float) -> tuple[float, int]:
    """Seconds the garbage collector ran in the window, and its collections."""
    path = config / "gc_probe.json"
    if not path.exists():
        return float("nan"), 0
    seconds = json.loads(path.read_text())
    inside = [v for k, v in seconds.items() if start <= int(k) <= end]
    return sum(spent for spent, _ in inside), sum(count for _, count in inside)


def longest_stall(config: Path, start: float, end: float) -> tuple[float, float]:
    """Longest probe lag in the window, and the 99th percentile of per-second maxima."""
    path = config / "loop_probe.json"
    if not path.exists():
        return float("nan"), float("nan")
    seconds = {int(k): v for k, v in json.loads(path.read_text()).items()}
    lags = sorted(v for k, v in seconds.items() if start <= k <= end)
    if not lags:
        return float("nan"), float("nan")
    return lags[-1], lags[int(0.99 * (len(lags) - 1))]


class HomeAssistant:
    """hass in its own session; exactly one SIGTERM to stop it."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = (self.config / "ha.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "homeassistant", "--config", str(self.config), "--skip-pip"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            # Not the repository: its custom_components would hide the probe's.
            cwd=self.config,
        )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def stop(self) -> None:
        if not self.alive():
            return
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        for _ in range(600):
            if self.proc.poll() is not None:
                return
            await asyncio.sleep(0.1)
        self.proc.kill()
        self.proc.wait()


# -- the run ---------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> int:
    import aiohttp

    from benchmarks._common import FleetProcess, per_family
    from demo import flow
    from demo.client import HomeAssistantClient
    from demo.fleet import plan_fleet
    from demo.flow import add_fleet_by_scan, wait_for_entries
    from demo.run import USER, wait_for_setup

    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="ha_scale."))
    config = work / "config"
    config.mkdir(parents=True)
    fleet_path = work / "fleet.toml"
    fleet_path.write_text(fleet_toml(args.miners, args.reply_delay))
    say(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    say(f"working directory {work}")

    fleet = FleetProcess(fleet_path)
    await fleet.start()
    say(f"{len(fleet.miners)} simulated miners listen on {fleet.subnet}")
    write_config(config, Path(args.integration))
    hass = HomeAssistant(config)
    hass.start()
    try:
        async with aiohttp.ClientSession() as session:
            ha = HomeAssistantClient(session, f"http://127.0.0.1:{PORT}")
            await ha.wait_until_up(180, hass.alive)
            await ha.onboard(**USER)
            await wait_for_setup(ha, 120)
            await asyncio.sleep(args.settle)

            async def probe(action: str) -> None:
                await ha.request("POST", f"/api/services/ha_scale_probe/{action}", {})
                await asyncio.sleep(1)  # the service call's own work done

            idle = sample(hass.pid)
            if args.idle_window > 0:
                say(f"measuring Home Assistant without miners for {args.idle_window:.0f} s")
                await probe("pause")
                idle = sample(hass.pid)
                await asyncio.sleep(args.idle_window)
                idle_end = sample(hass.pid)
                await probe("resume")
            say(f"Home Assistant running, {idle.rss_mb:.0f} MB RSS; adding the fleet by scan")

            marks: dict[str, float] = {}

            async def profile(action: str, name: str = "") -> None:
                if args.profile:
                    path = {"path": str(Path(args.profile) / name)} if name else {}
                    await ha.request("POST", f"/api/services/ha_scale_probe/profile_{action}", path)

            starting: list[asyncio.Task[None]] = []

            def mark(message: str) -> None:
                say(message)
                if message.startswith("the scan lists"):
                    marks["listed"] = time.monotonic()
                    # Not during the scan: the profiler's cost would make it miss miners.
                    starting.append(asyncio.create_task(profile("start")))

            flow.POLL_EVERY = 0.1  # the add's figure not rounded up to half a second
            started = time.monotonic()
            passwords = plan_fleet(tomllib.loads(fleet_path.read_text())).passwords
            await add_fleet_by_scan(ha, fleet.subnet, passwords, mark)
            flow_done = time.monotonic()
            await wait_for_entries(ha, len(fleet.miners), timeout=900)
            loaded = time.monotonic()
            await asyncio.gather(*starting)
            await profile("stop", "add.prof")
            say(f"all {len(fleet.miners)} entries loaded; settling {args.settle:.0f} s")
            await asyncio.sleep(args.settle)

            await probe("pause")
            await fleet.reset()
            before = sample(hass.pid)
            wall_start = time.time()
            say(f"measuring for {args.window:.0f} s")
            await profile("start")
            await asyncio.sleep(args.window)
            after = sample(hass.pid)
            await profile("stop", "poll.prof")
            wall_end = time.time()
            counts = await fleet.counts()
            await probe("resume")
            say(f"measuring loop stalls for {args.stall_window:.0f} s (the probe running)")
            probed = sample(hass.pid)
            stall_start = time.time()
            await asyncio.sleep(args.stall_window)
            probed_end = sample(hass.pid)
            stall_end = time.time()
            await asyncio.sleep(12)  # the recorder commits every 5 s, the registry in 10 s
            load_end = os.getloadavg()
            entities = entity_counts(config)
            recorder = recorder_figures(config / "home-assistant_v2.db", wall_start, wall_end)
            stall, stall_p99 = longest_stall(config, stall_start, stall_end)
            gc_seconds, gc_count = garbage_collection(config, wall_start, wall_end)
            await ha.close()
    finally:
        await hass.stop()
        await fleet.stop()

    window = after.at - before.at
    polls = window / POLL_SECONDS
    by_label: dict[str, list[Any]] = defaultdict(list)
    for miner in fleet.miners:
        by_label[family_label(miner.family, miner.model)].append(miner)
    per_label = {
        label: (
            per_family(counts, miners, "connections", 1),
            per_family(counts, miners, "requests", 1),
        )
        for label, miners in sorted(by_label.items())
    }
    rows_per_s = recorder["rows"] / window
    state_bytes = recorder["states_bytes_per_row"]
    # Each entity with a state_class: a short-term row every 5 min and an hourly row.
    stats_rows_day = entities["enabled_state_class"] * (DAY / 300 + DAY / 3600)
    stats_bytes = recorder["statistics_short_term_bytes_per_row"]
    states_mb_day = rows_per_s * DAY * state_bytes / 1e6
    stats_mb_day = stats_rows_day * (0 if math.isnan(stats_bytes) else stats_bytes) / 1e6
    n = len(fleet.miners)

    print()
    print(f"Home Assistant at scale: {n} simulated miners, {len(by_label)} kinds of firmware")
    print(
        f"  add (scan flow, all ticked) until the flow returned: {flow_done - marks.get('listed', started):6.1f} s"
    )
    print(
        f"  add until every entry was loaded:                    {loaded - marks.get('listed', started):6.1f} s"
    )
    print(f"  scan + add, from the first request:                  {loaded - started:6.1f} s")
    print(*cpu_lines(before, after), sep="\n")
    if args.idle_window > 0:
        busy = (idle_end.user + idle_end.system) - (idle.user + idle.system)
        print(
            f"  the same Home Assistant before adding (no miners, {args.idle_window:.0f} s): "
            f"{100 * busy / (idle_end.at - idle.at):.2f} % of one core"
        )
    print(
        f"  RSS idle before adding / at the end:                 {idle.rss_mb:6.0f} / {after.rss_mb:.0f} MB"
    )
    print(
        f"  entities: {entities['total']:.0f} ({entities['total'] / n:.1f} per miner), "
        f"enabled {entities['enabled']:.0f} ({entities['enabled'] / n:.1f}), "
        f"with a state_class {entities['state_class']:.0f} "
        f"(enabled {entities['enabled_state_class']:.0f}, "
        f"{entities['enabled_state_class'] / n:.1f} per miner)"
    )
    print(
        f"  state rows written: {recorder['rows']:.0f} in {window:.0f} s = {rows_per_s:.2f}/s "
        f"({rows_per_s / n * POLL_SECONDS:.3f} per miner and poll)"
    )
    print(
        f"  bytes per state row (table + indexes): {state_bytes:.0f}; "
        f"per short-term statistics row: {stats_bytes:.0f}"
    )
    print(
        f"  recorder growth: states {states_mb_day:.1f} MB/day + statistics "
        f"{stats_mb_day:.1f} MB/day = {states_mb_day + stats_mb_day:.1f} MB/day"
    )
    # Real firmware's readings jitter: hashrate, power, efficiency and the hottest chip
    # would each be a new state on most polls (the simulator's stay still).
    jitter_rows = rows_per_s + JITTERING * n / POLL_SECONDS
    print(
        f"  if {JITTERING} enabled readings changed on every poll (real firmware jitters): "
        f"{jitter_rows:.1f} rows/s, "
        f"{jitter_rows * DAY * state_bytes / 1e6 + stats_mb_day:.0f} MB/day"
    )
    print(
        f"  longest loop stall seen by a {PROBE_PERIOD * 1000:.0f} ms probe over the next "
        f"{args.stall_window:.0f} s: {stall * 1000:.0f} ms (99th percentile of the "
        f"per-second maxima {stall_p99 * 1000:.0f} ms); HA CPU with the probe running: "
        f"{100 * (probed_end.cpu - probed.cpu) / (probed_end.at - probed.at):.2f} %"
    )
    print(
        f"  garbage collection: {100 * gc_seconds / window:.2f} % of one core "
        f"({gc_count} collections in {window:.0f} s)"
    )
    print(f"  per poll and miner ({polls:.1f} polls; keep-alive reuses HTTP connections):")
    for label, (connections, requests) in per_label.items():
        (conns,) = connections.values()
        (reqs,) = requests.values()
        print(
            f"    {label:22} {conns / polls:5.2f} new connections, {reqs / polls:5.2f} "
            f"requests or frames ({len(by_label[label])} miners)"
        )
    print(f"  load average at the end: {' '.join(f'{x:.2f}' for x in load_end)}")
    if not args.dir:
        with contextlib.suppress(OSError):
            import shutil

            shutil.rmtree(work)
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--miners", type=int, default=200, help="simulated miners (1-240)")
    parser.add_argument("--window", type=float, default=300.0, help="seconds measured")
    parser.add_argument("--settle", type=float, default=45.0, help="seconds before measuring")
    parser.add_argument("--dir", help="keep the run's files here (default: a temporary dir)")
    parser.add_argument(
        "--idle-window",
        type=float,
        default=30.0,
        help="seconds Home Assistant's own CPU is measured before any miner is added (0: not)",
    )
    parser.add_argument(
        "--reply-delay",
        metavar="LOW,HIGH",
        help="milliseconds every simulated miner waits before each answer, the models "
        "spread from LOW to HIGH (default: none, loopback answers at once)",
    )
    parser.add_argument(
        "--stall-window",
        type=float,
        default=60.0,
        help="seconds the loop-lag probe runs after the CPU window (paused during it)",
    )
    parser.add_argument(
        "--integration",
        default=str(ROOT / "custom_components" / "asic_miner"),
        help="the integration to load (another version, to compare; default: this tree's)",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="write cProfile files of the event loop (add.prof: scan and add until every "
        "entry loaded; poll.prof: the window) here; profiling inflates the CPU figure",
    )
    args = parser.parse_args(argv)
    if args.reply_delay is not None:
        try:
            low, high = (float(x) / 1000 for x in args.reply_delay.split(","))
        except ValueError:
            parser.error("--reply-delay takes LOW,HIGH in milliseconds")
        if not 0 <= low <= high <= MAX_REPLY_DELAY:
            parser.error(
                f"--reply-delay must be 0 <= LOW <= HIGH <= {MAX_REPLY_DELAY * 1000:.0f} ms"
            )
        args.reply_delay = (low, high)
    if args.profile:
        args.profile = str(Path(args.profile).resolve())
    if not 1 <= args.miners <= 255 - FIRST_HOST:
        parser.error(f"--miners must be 1 to {255 - FIRST_HOST}")
    if args.window < POLL_SECONDS:
        parser.error(f"--window must be at least one poll ({POLL_SECONDS:.0f} s)")
    if args.stall_window < POLL_SECONDS:  # shorter, it may hold no second with polls
        parser.error(f"--stall-window must be at least one poll ({POLL_SECONDS:.0f} s)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if INSIDE_ENV not in os.environ:
        if os.geteuid() != 0:
            raise SystemExit("run as root: it runs inside scripts/isolated, on real ports")
        env = {**os.environ, INSIDE_ENV: "1"}
        argv_ = [str(ISOLATED), "--", sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]]
        sys.stdout.flush()
        os.execve(str(ISOLATED), argv_, env)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
