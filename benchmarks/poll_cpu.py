"""Benchmark: the driver's own CPU per poll, per family backend, over many polls.

    sudo .venv/bin/python benchmarks/poll_cpu.py [--fleet FILE] [--rounds 40] [--profile OUT]

``poll.py`` counts round trips and times each poll with ``getrusage``, whose steps are
coarse next to a poll of about a millisecond. This one polls every miner of a backend
``--rounds`` times in a row (all of them at once each round, after two polls that log
in and open the connections) and divides the process's CPU time (``time.process_time``:
user and system, the simulator runs in its own process) by the polls. ``--profile``
writes a cProfile of those polls timed with the CPU clock, not the wall clock, so the
simulator preempting us on a busy machine does not show up as our time; read it with
``python -m pstats OUT``. The machine's load still matters (caches, a shared core):
compare runs made one right after the other.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from benchmarks._common import FleetProcess, raise_open_files
from custom_components.asic_miner.driver.context import POLL_KEEP_ALIVE
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.scan import scan_all

FAMILIES_FLEET = Path(__file__).resolve().parent.parent / "simulator/fleets/families.toml"


async def bench(args: argparse.Namespace) -> int:
    fleet = FleetProcess(Path(args.fleet))
    await fleet.start()
    groups: dict[tuple[str, str], list[Miner]] = defaultdict(list)
    try:
        async with aiohttp.ClientSession() as session:
            for result in await scan_all(fleet.subnet, session):
                if result.identity is None:
                    continue
                if args.family and result.family.key not in args.family:
                    continue
                miner = Miner.from_identity(
                    result.host, session, result.identity, keep_alive=POLL_KEEP_ALIVE
                )
                groups[(result.family.key, result.identity.backend)].append(miner)
            for miners in groups.values():  # logins, connections, slow sources read once
                for _ in range(2):
                    await asyncio.gather(*(m.read() for m in miners), return_exceptions=True)
            profile = cProfile.Profile(time.process_time) if args.profile else None
            per_backend: list[float] = []
            print(f"driver CPU per poll ({args.rounds} polls of each miner), ms")
            for (family, backend), miners in sorted(groups.items()):
                failed = 0
                cpu = time.process_time()
                if profile is not None:
                    profile.enable()
                for _ in range(args.rounds):
                    results = await asyncio.gather(
                        *(m.read() for m in miners), return_exceptions=True
                    )
                    failed += sum(isinstance(r, BaseException) for r in results)
                if profile is not None:
                    profile.disable()
                cpu = (time.process_time() - cpu) / (args.rounds * len(miners))
                per_backend.append(cpu)
                note = f"  ({failed} failed reads)" if failed else ""
                print(f"  {family} {backend}: {cpu * 1000:.3f}{note}")
            print(f"median of the backends: {statistics.median(per_backend) * 1000:.3f} ms")
            if profile is not None:
                profile.dump_stats(args.profile)
                print(f"profile (CPU clock): {args.profile}")
    finally:
        for miners in groups.values():
            for miner in miners:
                await miner.close()
        await fleet.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fleet", default=str(FAMILIES_FLEET), help="fleet file (one /24)")
    parser.add_argument("--rounds", type=int, default=40, help="polls of each miner timed")
    parser.add_argument("--family", action="append", help="only this family (repeatable)")
    parser.add_argument("--profile", help="write a cProfile (CPU clock) of the timed polls")
    args = parser.parse_args()
    raise_open_files()
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
