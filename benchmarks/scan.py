"""Benchmark: find a 50-miner fleet on a loopback /24, ours against pyasic.

    sudo .venv/bin/python benchmarks/scan.py            # empty addresses refuse (RST)
    sudo .venv/bin/python benchmarks/scan.py --silent   # empty addresses drop SYNs

Starts ``simulator/fleets/bench50.toml`` (50 miners of every family, real ports 80,
4028 and 4433, so root) in a child process on 127.0.50.0/24, leaving 204 addresses
empty. Scans the /24 with ``driver.scan`` several times, then with pyasic 0.79 from
PyPI (``benchmarks/run_pyasic.py`` in ``benchmarks/.pyasic-venv``, created on first
use with the machine's python3). Prints wall and CPU time, misses, false finds and
the connections and requests each miner saw (counted by the simulator).

``--silent`` re-runs itself inside ``shared/tools/isolated`` (a network namespace with
only loopback) and there, and only there, adds an iptables rule that drops every SYN
to the empty addresses, as firewalled or absent hosts behave.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from benchmarks._common import (
    BENCH,
    DEFAULT_FLEET,
    ROOT,
    FleetProcess,
    SimInfo,
    fmt,
    median,
    per_family,
    raise_open_files,
)
from custom_components.asic_miner.driver.scan import scan_all

ISOLATED = ROOT.parent / "shared" / "tools" / "isolated"
PYASIC_VENV = BENCH / ".pyasic-venv"
PYASIC_SPEC = "pyasic==0.79.*"
INSIDE_ENV = "ASIC_MINER_BENCH_HOST_NETNS"  # host netns inode, set when re-executed inside


@dataclass
class Run:
    wall: float
    cpu: float
    found: dict[str, tuple[str, str]]  # host -> (family or class, model)
    counts: dict[str, Any]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the two scanners ----------------------------------------------------------------


async def run_ours(fleet: FleetProcess, subnet: str) -> Run:
    await fleet.reset()
    async with aiohttp.ClientSession() as session:
        start, cpu = time.perf_counter(), _cpu()
        results = await scan_all(subnet, session)
        wall, cpu = time.perf_counter() - start, _cpu() - cpu
    found: dict[str, tuple[str, str]] = {}
    for result in results:
        model = result.identity.model if result.identity else f"error: {result.error}"
        found[result.host] = (result.family.key, model)
    return Run(wall, cpu, found, await fleet.counts())


async def run_pyasic(fleet: FleetProcess, subnet: str, repeat: int) -> tuple[str, list[Run]]:
    python = PYASIC_VENV / "bin" / "python"
    await fleet.reset()
    proc = await asyncio.create_subprocess_exec(
        str(python),
        str(BENCH / "run_pyasic.py"),
        subnet,
        "--repeat",
        str(repeat),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"run_pyasic.py failed with status {proc.returncode}")
    data = json.loads(out)
    counts = await fleet.counts()  # all runs together: divided by `repeat` when shown
    runs = [
        Run(r["wall"], r["cpu"], {ip: (cls, model) for ip, cls, model in r["found"]}, counts)
        for r in data["runs"]
    ]
    return data["version"], runs


def ensure_pyasic_venv() -> None:
    python = PYASIC_VENV / "bin" / "python"
    if python.exists():
        return
    base = os.environ.get("PYASIC_PYTHON") or _system_python()
    print(f"creating {PYASIC_VENV.relative_to(ROOT)} with {base} and {PYASIC_SPEC}", flush=True)
    subprocess.run([base, "-m", "venv", str(PYASIC_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", PYASIC_SPEC],
        check=True,
    )


def _system_python() -> str:
    """The machine's python3, not this project's venv (pyasic may not support 3.14)."""
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(folder) / "python3"
        # Not resolved: a venv's python3 is a symlink to the interpreter it was made from.
        if candidate.exists() and ROOT not in candidate.absolute().parents:
            return str(candidate)
    raise SystemExit("no system python3 found; set PYASIC_PYTHON=/path/to/python3")


# -- checks and report ---------------------------------------------------------------


def check(found: dict[str, tuple[str, str]], miners: list[SimInfo], *, exact: bool) -> str:
    """Misses, false finds and (for our scan) wrong identifications, as one line."""
    expected = {m.host: m for m in miners}
    missed = sorted(set(expected) - set(found), key=_ip)
    false = sorted(set(found) - set(expected), key=_ip)
    wrong = []
    if exact:
        for host, (family, model) in found.items():
            sim = expected.get(host)
            if sim is not None and (family, model) != (sim.family, sim.model):
                wrong.append(f"{host}: {family} {model} (is {sim.family} {sim.model})")
    parts = [f"{len(found)} found", f"{len(missed)} missed", f"{len(false)} false"]
    if exact:
        parts.append(f"{len(wrong)} misidentified")
    line = ", ".join(parts)
    for label, items in (("missed", missed), ("false", false), ("wrong", wrong)):
        if items:
            line += f"\n      {label}: {', '.join(items[:8])}{' ...' if len(items) > 8 else ''}"
    return line


def _ip(host: str) -> tuple[int, ...]:
    return tuple(int(x) for x in host.split("."))


def report(name: str, runs: list[Run], miners: list[SimInfo], *, exact: bool, repeat: int) -> None:
    walls = [r.wall for r in runs]
    cpus = [r.cpu for r in runs]
    print(f"{name}")
    print(
        f"  wall: median {fmt(median(walls))}, min {fmt(min(walls))}, "
        f"max {fmt(max(walls))}, first {fmt(walls[0])}  ({len(runs)} runs)"
    )
    print(f"  CPU:  median {fmt(median(cpus))}, first {fmt(cpus[0])}")
    print(f"  result (every run): {check(runs[0].found, miners, exact=exact)}")
    for index, run in enumerate(runs[1:], start=2):
        if set(run.found) != set(runs[0].found):
            print(f"  result of run {index}: {check(run.found, miners, exact=exact)}")
    # Counters: ours are per run (the last), pyasic's cover all its runs.
    counts = runs[-1].counts
    divisor = repeat if not exact else 1
    conns = per_family(counts, miners, "connections", divisor)
    reqs = per_family(counts, miners, "requests", divisor)
    overall_c = sum(conns[m.family] for m in miners) / len(miners)
    overall_r = sum(reqs[m.family] for m in miners) / len(miners)
    print(
        f"  per miner and scan: {overall_c:.1f} TCP connections, {overall_r:.1f} requests  ("
        + ", ".join(f"{f} {conns[f]:.1f}/{reqs[f]:.1f}" for f in conns)
        + ")"
    )


# -- silent variant: inside a namespace of our own -------------------------------------


def _netns_inode() -> int:
    return Path("/proc/self/ns/net").stat().st_ino


def reexec_isolated() -> None:
    if not ISOLATED.exists():
        raise SystemExit(f"{ISOLATED} not found")
    env = {**os.environ, INSIDE_ENV: str(_netns_inode())}
    argv = [str(ISOLATED), "--", sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]]
    sys.stdout.flush()
    os.execve(str(ISOLATED), argv, env)


def drop_empty_addresses(subnet: str, miners: list[SimInfo]) -> None:
    """Inside our namespace only: SYNs to any address of ``subnet`` but a miner's vanish."""
    host_netns = os.environ.get(INSIDE_ENV)
    if host_netns is None or int(host_netns) == _netns_inode():
        raise SystemExit("refusing to add firewall rules outside the isolated namespace")
    iptables = shutil.which("iptables")
    if iptables is None:
        raise SystemExit("iptables is missing: apt-get install iptables")
    subprocess.run([iptables, "-w", "-A", "INPUT", "-d", subnet, "-j", "DROP"], check=True)
    for miner in miners:
        rule = ["-I", "INPUT", "-d", miner.host, "-j", "ACCEPT"]
        subprocess.run([iptables, "-w", *rule], check=True)


# -- main ----------------------------------------------------------------------------


async def bench(args: argparse.Namespace) -> int:
    fleet = FleetProcess(Path(args.fleet))
    await fleet.start()
    try:
        subnet = fleet.subnet
        miners = fleet.miners
        if args.silent:
            drop_empty_addresses(subnet, miners)
        families: dict[str, int] = {}
        for miner in miners:
            families[miner.family] = families.get(miner.family, 0) + 1
        empty = 254 - len(miners)
        behaviour = "drop SYNs (silent)" if args.silent else "refuse (RST)"
        print(
            f"scan of {subnet}: {len(miners)} simulated miners ("
            + ", ".join(f"{f} {n}" for f, n in sorted(families.items()))
            + f"), {empty} empty addresses that {behaviour}"
        )
        print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}\n")

        ours = [await run_ours(fleet, subnet) for _ in range(args.repeat)]
        report("asic_miner driver.scan", ours, miners, exact=True, repeat=args.repeat)
        if args.no_pyasic:
            return 0
        repeat = args.pyasic_repeat or args.repeat
        version, theirs = await run_pyasic(fleet, subnet, repeat)
        print()
        report(f"pyasic {version}", theirs, miners, exact=False, repeat=repeat)
        ratio = median([r.wall for r in ours]) / median([r.wall for r in theirs])
        print(f"\nwall-time ratio asic_miner / pyasic (medians): {ratio:.2f}")
        return 0
    finally:
        await fleet.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fleet", default=str(DEFAULT_FLEET), help="fleet file (one /24)")
    parser.add_argument("--repeat", type=int, default=5, help="scans per scanner")
    parser.add_argument("--pyasic-repeat", type=int, help="pyasic scans (default: --repeat)")
    parser.add_argument("--silent", action="store_true", help="empty addresses drop SYNs")
    parser.add_argument("--no-pyasic", action="store_true", help="only our scanner")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: the fleet listens on the real ports (80, 4028, 4433)")
    if not args.no_pyasic:
        ensure_pyasic_venv()
    if args.silent and INSIDE_ENV not in os.environ:
        reexec_isolated()
    raise_open_files()
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
