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


async def run_scans(
    subnet: str, live: set[str], repeat: int, pyasic: bool, concurrency: int | None
) -> int:
    from custom_components.asic_miner.driver.scan import ScanProgress, scan_all

    print(f"\n{subnet}: {len(live)} live miners, the rest absent (ARP gives up after ~3 s)")
    walls: list[float] = []
    for run in range(1, repeat + 1):
        events: list[ScanProgress] = []
        async with aiohttp.ClientSession() as session:
            start = time.perf_counter()
            options = {} if concurrency is None else {"concurrency": concurrency}
            results = await scan_all(subnet, session, progress=events.append, **options)
            wall = time.perf_counter() - start
        walls.append(wall)
        found = {r.host for r in results}
        wrong = [r.host for r in results if r.identity is None]
        print(
            f"asic_miner scan {run}: {fmt(wall)}, {check(found, live)}, "
            f"{events[-1].reachable} reachable, {len(wrong)} not identified"
        )
    print(f"asic_miner median: {fmt(median(walls))}")
    if not pyasic:
        return 0
    if not PYASIC_PYTHON.exists():
        print("pyasic: benchmarks/.pyasic-venv missing (run benchmarks/scan.py once)")
        return 0
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
    parser.add_argument("--_hosts", metavar="LIVE_FILE", help=argparse.SUPPRESS)
    parser.add_argument("--_scan", nargs=2, metavar=("SUBNET", "LIVE_FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._hosts:
        return asyncio.run(run_hosts(Path(args._hosts).read_text().split()))
    if args._scan:
        subnet, live_file = args._scan
        live = set(Path(live_file).read_text().split())
        pyasic = not args.no_pyasic
        return asyncio.run(run_scans(subnet, live, args.repeat, pyasic, args.concurrency))
    if os.geteuid() != 0:
        raise SystemExit("run as root: lan builds network namespaces")
    me = [sys.executable, str(Path(__file__).resolve())]
    hosts_cmd = shlex.join([*me, "--_hosts"]) + " {live_file}"
    scanner = [*me, "--_scan", "{subnet}", "{live_file}", "--repeat", str(args.repeat)]
    if args.no_pyasic:
        scanner.append("--no-pyasic")
    if args.concurrency:
        scanner += ["--concurrency", str(args.concurrency)]
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
        "--",
        *scanner,
    ]
    with contextlib.suppress(KeyboardInterrupt):
        return subprocess.run(command, check=False).returncode
    return 130


if __name__ == "__main__":
    sys.exit(main())
