"""Benchmark: what one poll (``Miner.read()``) costs each backend, in round trips and CPU.

    sudo .venv/bin/python benchmarks/poll.py [--rounds 5]

Starts ``simulator/fleets/bench50.toml`` in a child process (real ports, so root),
finds the miners with ``driver.scan`` and builds each ``Miner`` from its stored
identity, as Home Assistant does after setup. Then, per family backend, polls all
of its miners at once: the first poll (cold: logins, new HTTP connections) and
``--rounds`` more (steady state: tokens cached, HTTP keep-alive). Round trips are
counted by the simulator per port: TCP connections, RPC requests, HTTP requests and
Whatsminer v3 frames.

Each miner gets its own HTTP pool kept ``POLL_KEEP_ALIVE`` seconds, as Home Assistant
builds it; ``--shared-session`` polls through the one shared session instead (aiohttp's
15 s keep-alive, what Home Assistant's shared session does). ``--interval 15`` waits
Home Assistant's poll interval between steady polls (slow: use ``--family``), which is
where the two differ: a shared session's idle connection expires just as the next
poll starts.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from benchmarks._common import DEFAULT_FLEET, FleetProcess, SimInfo, median, raise_open_files
from custom_components.asic_miner.driver.context import POLL_KEEP_ALIVE
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import Ports
from custom_components.asic_miner.driver.scan import scan_all

PORTS = Ports()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _per_port(counts: dict[str, Any], miners: list[SimInfo], what: str) -> dict[int, float]:
    """Average ``what`` per miner, by port."""
    sums: dict[int, float] = defaultdict(float)
    for miner in miners:
        for port, n in counts[miner.host][what].items():
            sums[int(port)] += n
    return {port: n / len(miners) for port, n in sums.items()}


async def _poll(
    fleet: FleetProcess, miners: list[Miner], sims: list[SimInfo]
) -> tuple[float, float, dict[str, dict[int, float]], int]:
    """Poll every miner once, concurrently: wall, CPU per miner, counts per miner, failures."""
    await fleet.reset()
    start, cpu = time.perf_counter(), _cpu()
    results = await asyncio.gather(*(m.read() for m in miners), return_exceptions=True)
    wall, cpu = time.perf_counter() - start, _cpu() - cpu
    failures = 0
    for result in results:
        if isinstance(result, BaseException) or result.hashrate is None:
            failures += 1
    counts = await fleet.counts()
    per_port = {
        "connections": _per_port(counts, sims, "connections"),
        "requests": _per_port(counts, sims, "requests"),
    }
    return wall, cpu / len(miners), per_port, failures


def _line(label: str, per_port: dict[str, dict[int, float]]) -> str:
    conns, reqs = per_port["connections"], per_port["requests"]
    rpc_c, web_c, v3_c = (conns.get(p, 0.0) for p in (PORTS.rpc, PORTS.web, PORTS.whatsminer_v3))
    rpc_r, web_r, v3_r = (reqs.get(p, 0.0) for p in (PORTS.rpc, PORTS.web, PORTS.whatsminer_v3))
    tcp = rpc_c + web_c + v3_c
    return (
        f"{label}: {tcp:.1f} TCP connections (RPC {rpc_c:.1f}, HTTP {web_c:.1f}, v3 {v3_c:.1f}); "
        f"round trips: RPC {rpc_r:.1f}, HTTP {web_r:.1f}, v3 {v3_r:.1f}"
    )


async def bench(args: argparse.Namespace) -> int:
    fleet = FleetProcess(Path(args.fleet))
    await fleet.start()
    try:
        async with aiohttp.ClientSession() as session:
            found = await scan_all(fleet.subnet, session)
            by_host = fleet.by_host
            missing = set(by_host) - {r.host for r in found if r.identity is not None}
            if missing:
                print(f"scan missed {sorted(missing)}; polling the rest")
            groups: dict[tuple[str, str], list[tuple[Miner, SimInfo]]] = defaultdict(list)
            for result in found:
                if result.identity is None or result.host not in by_host:
                    continue
                if args.family and result.family.key not in args.family:
                    continue
                keep_alive = None if args.shared_session else POLL_KEEP_ALIVE
                miner = Miner.from_identity(
                    result.host, session, result.identity, keep_alive=keep_alive
                )
                key = (result.family.key, result.identity.backend)
                groups[key].append((miner, by_host[result.host]))
            print(
                f"one poll per miner ({fleet.subnet}, {len(found)} miners), all miners of a "
                f"backend at once; figures per miner and poll\n"
            )
            total_cpu: list[float] = []
            for (family, backend), pairs in sorted(groups.items()):
                miners = [m for m, _ in pairs]
                sims = [s for _, s in pairs]
                models = sorted({s.model for s in sims})
                multicommand = sorted({str(m.backend.RPC_MULTICOMMAND) for m in miners})
                print(f"{family} {backend}: {len(miners)} miners ({', '.join(models)})")
                wall, cpu, first, failures = await _poll(fleet, miners, sims)
                print(f"  {_line('first poll ', first)}")
                print(f"  first poll: wall {wall * 1000:.0f} ms, CPU {cpu * 1000:.2f} ms per miner")
                walls, cpus = [], []
                steady = first
                connections, requests = [], []
                for _ in range(args.rounds):
                    await asyncio.sleep(args.interval)
                    wall, cpu, steady, more = await _poll(fleet, miners, sims)
                    connections.append(sum(steady["connections"].values()))
                    requests.append(sum(steady["requests"].values()))
                    failures += more
                    walls.append(wall)
                    cpus.append(cpu)
                total_cpu.extend(cpus)
                print(f"  {_line('steady poll', steady)}")
                print(
                    "  TCP connections per steady poll, each round: "
                    + ", ".join(f"{n:.1f}" for n in connections)
                )
                print(
                    "  requests per steady poll, each round: "
                    + ", ".join(f"{n:.1f}" for n in requests)
                    + f" (mean {sum(requests) / len(requests):.2f}, "
                    f"connections mean {sum(connections) / len(connections):.2f})"
                )
                print(
                    f"  steady poll: wall {median(walls) * 1000:.0f} ms for all of them, "
                    f"CPU {median(cpus) * 1000:.2f} ms per miner (median of {args.rounds})"
                )
                rpc_only = all(
                    steady["requests"].get(p, 0.0) == 0 for p in (PORTS.web, PORTS.whatsminer_v3)
                )
                print(
                    f"  reads RPC-only: {'yes' if rpc_only else 'no'}; "
                    f"multicommand: {'/'.join(multicommand)}; failed reads: {failures}\n"
                )
            print(f"CPU per poll, all backends: median {median(total_cpu) * 1000:.2f} ms per miner")
            for pairs in groups.values():
                for miner, _ in pairs:
                    await miner.close()
    finally:
        await fleet.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fleet", default=str(DEFAULT_FLEET), help="fleet file (one /24)")
    parser.add_argument("--rounds", type=int, default=5, help="steady-state polls per backend")
    parser.add_argument(
        "--interval", type=float, default=0.0, help="seconds between steady polls (HA: 15)"
    )
    parser.add_argument(
        "--family", action="append", help="only this family (repeatable), e.g. antminer"
    )
    parser.add_argument(
        "--shared-session",
        action="store_true",
        help="poll through the shared session (aiohttp's 15 s keep-alive), no own pools",
    )
    args = parser.parse_args()
    raise_open_files()
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
