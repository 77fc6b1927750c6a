"""Benchmark: scan a simulated LAN with real ARP, where absent addresses cost ~3 s each.

    sudo .venv/bin/python benchmarks/lan.py [--live 50] [--subnet 198.18.0.0/24] [--repeat 3]

Runs inside ``shared/tools/lan``: two network namespaces of its own joined by a veth
pair, the subnet (RFC 2544 benchmarking range, nowhere else) existing only between
them. The live addresses run simulated miners of every family on the real ports; every
other address is absent, so a connect to it waits for ARP to fail, as on a real LAN.
Prints, per scan, the wall time and misses / false finds for ``driver.scan`` and,
unless ``--no-pyasic``, for pyasic 0.79 (``benchmarks/.pyasic-venv``, see ``scan.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from benchmarks._common import BENCH, ROOT, fmt, median

LAN = ROOT.parent / "shared" / "tools" / "lan"
PYASIC_PYTHON = BENCH / ".pyasic-venv" / "bin" / "python"
MIX = [
    ("antminer", "S19 Pro"),
    ("braiins", "S19"),
    ("whatsminer", "M30S+"),
    ("antminer", "S21"),
    ("braiins", "S19j Pro"),
    ("whatsminer", "M60S"),
    ("antminer", "S9"),
    ("braiins", "S9"),
]


# -- inside the hosts namespace: the miners ------------------------------------------


async def run_hosts(hosts: list[str]) -> int:
    from simulator.fleet import Fleet

    fleet = Fleet.from_dict(
        {
            "miner": [
                {"family": MIX[i % len(MIX)][0], "model": MIX[i % len(MIX)][1], "host": host}
                for i, host in enumerate(hosts)
            ]
        }
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    await fleet.start()
    print(f"{len(fleet.miners)} simulated miners listening", flush=True)
    await stop.wait()
    await fleet.stop()
    return 0


# -- inside the scanner namespace: the scans -------------------------------------------


def check(found: set[str], live: set[str]) -> str:
    missed, false = live - found, found - live
    line = f"{len(found)} found, {len(missed)} missed, {len(false)} false"
    if missed:
        line += f" (missed {', '.join(sorted(missed, key=ipaddress.IPv4Address)[:6])})"
    return line


def arp_stats() -> dict[str, int]:
    """The kernel's ARP table counters (lan passes their file in LAN_ARP_STATS)."""
    path = os.environ.get("LAN_ARP_STATS")
    if not path:
        return {}
    try:
        head, values = Path(path).read_text().split("\n")[:2]
    except OSError, ValueError:
        return {}
    return {k: int(v, 16) for k, v in zip(head.split(), values.split(), strict=False)}


def flush_arp() -> None:
    """Cold ARP for every run: forget what the previous run resolved (or gave up on).

    Entries still resolving survive a flush, so flush until the table holds no more
    than the scan leaves to the kernel anyway (``HEADROOM``): more would shrink its room.
    """
    from custom_components.asic_miner.driver import NeighbourTable
    from custom_components.asic_miner.driver.scan.neighbours import HEADROOM

    for _ in range(50):
        subprocess.run(["ip", "-4", "neigh", "flush", "all"], check=False, capture_output=True)
        time.sleep(0.2)
        if NeighbourTable.read().entries <= HEADROOM:
            return


async def one_scan(subnet: str, options: dict[str, Any]) -> tuple[float, float, list[Any], Any]:
    """One scan: wall time, sweep time, results, last progress event."""
    from custom_components.asic_miner.driver import ScanStage, scan_all

    events: list[Any] = []
    swept = 0.0
    start = time.perf_counter()

    def progress(update: Any) -> None:
        nonlocal swept
        events.append(update)
        if update.stage is ScanStage.SWEEP:
            swept = time.perf_counter() - start
            if os.environ.get("LAN_TRACE") and update.done % 100 == 0:
                print(f"  {swept:.2f} s: {update.done} swept, {update.reachable} reachable")

    async with aiohttp.ClientSession() as session:
        start = time.perf_counter()
        results = await scan_all(subnet, session, progress=progress, **options)
        wall = time.perf_counter() - start
    return wall, swept, results, events[-1]


async def run_scans(
    subnet: str, live: set[str], repeat: int, pyasic: bool, options: dict[str, Any]
) -> int:
    from custom_components.asic_miner.driver import NeighbourTable

    table = NeighbourTable.read()
    if os.environ.get("LAN_TRACE"):
        import logging

        logging.basicConfig(format="  %(relativeCreated)d ms %(message)s")
        logging.getLogger("custom_components.asic_miner.driver.scan").setLevel(logging.DEBUG)
    print(f"\n{subnet}: {len(live)} live miners, the rest absent (ARP gives up after ~3 s)")
    print(
        f"neighbour table ({table.source}): limit {table.size}, {table.entries} in use, "
        f"ARP gives up after {table.resolve_time:g} s; budget {options.get('arp_budget') or table.room}"
    )
    walls: list[float] = []
    for run in range(1, repeat + 1):
        flush_arp()
        before = arp_stats()
        load = os.getloadavg()[0]
        table = NeighbourTable.read()
        wall, swept, results, last = await one_scan(subnet, options)
        after = arp_stats()
        walls.append(wall)
        found = {r.host for r in results}
        wrong = [r.host for r in results if r.identity is None]
        fulls = after.get("table_fulls", 0) - before.get("table_fulls", 0)
        print(
            f"asic_miner scan {run}: {fmt(wall)} (sweep {fmt(swept)}), {check(found, live)}, "
            f"{last.reachable} reachable, {len(wrong)} not identified, "
            f"table_fulls +{fulls}, load {load:.2f}, {table.entries} entries at start"
        )
    print(f"asic_miner median: {fmt(median(walls))}")
    if not pyasic:
        return 0
    if not PYASIC_PYTHON.exists():
        print("pyasic: benchmarks/.pyasic-venv missing (run benchmarks/scan.py once)")
        return 0
    flush_arp()
    proc = await asyncio.create_subprocess_exec(
        str(PYASIC_PYTHON),
        str(BENCH / "run_pyasic.py"),
        subnet,
        "--repeat",
        str(repeat),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate()
    data = json.loads(out)
    pyasic_walls = []
    for run, result in enumerate(data["runs"], start=1):
        pyasic_walls.append(result["wall"])
        found = {ip for ip, _cls, _model in result["found"]}
        print(f"pyasic {data['version']} scan {run}: {fmt(result['wall'])}, {check(found, live)}")
    print(f"pyasic median: {fmt(median(pyasic_walls))}")
    return 0


# -- outside: start lan ----------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subnet", default="198.18.0.0/24")
    parser.add_argument("--live", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pyasic", action="store_true")
    parser.add_argument("--concurrency", type=int, help="driver.scan's (default: its own)")
    parser.add_argument("--arp-budget", type=int, help="driver.scan's (default: the table's room)")
    parser.add_argument("--gc-thresh3", type=int, help="the kernel's ARP table limit for the run")
    parser.add_argument("--_hosts", metavar="LIVE_FILE", help=argparse.SUPPRESS)
    parser.add_argument("--_scan", nargs=2, metavar=("SUBNET", "LIVE_FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._hosts:
        return asyncio.run(run_hosts(Path(args._hosts).read_text().split()))
    if args._scan:
        subnet, live_file = args._scan
        live = set(Path(live_file).read_text().split())
        pyasic = not args.no_pyasic
        options: dict[str, Any] = {}
        if args.concurrency:
            options["concurrency"] = args.concurrency
        if args.arp_budget:
            options["arp_budget"] = args.arp_budget
        return asyncio.run(run_scans(subnet, live, args.repeat, pyasic, options))
    if os.geteuid() != 0:
        raise SystemExit("run as root: lan builds network namespaces")
    me = [sys.executable, str(Path(__file__).resolve())]
    hosts_cmd = shlex.join([*me, "--_hosts"]) + " {live_file}"
    scanner = [*me, "--_scan", "{subnet}", "{live_file}", "--repeat", str(args.repeat)]
    if args.no_pyasic:
        scanner.append("--no-pyasic")
    if args.concurrency:
        scanner += ["--concurrency", str(args.concurrency)]
    if args.arp_budget:
        scanner += ["--arp-budget", str(args.arp_budget)]
    neighbour = [] if args.gc_thresh3 is None else ["--gc-thresh3", str(args.gc_thresh3)]
    command = [
        str(LAN),
        "--subnet",
        args.subnet,
        "--live",
        str(args.live),
        "--ready-port",
        "80",
        "--hosts-cmd",
        hosts_cmd,
        *neighbour,
        "--",
        *scanner,
    ]
    with contextlib.suppress(KeyboardInterrupt):
        return subprocess.run(command, check=False).returncode
    return 130


if __name__ == "__main__":
    sys.exit(main())
