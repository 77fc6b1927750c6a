"""Scan a subnet with pyasic and print what it found and how long it took, as JSON.

Runs inside ``benchmarks/.pyasic-venv`` (pyasic 0.79 from PyPI, on the machine's
python3), never in the project's environment, and imports nothing from this project:

    benchmarks/.pyasic-venv/bin/python benchmarks/run_pyasic.py 127.0.50.0/24 --repeat 3

pyasic runs with its default settings (3 s ping timeout, unbounded concurrency).
Only loopback subnets (127.0.0.0/8) and the simulated LAN's benchmark range
(198.18.0.0/15, inside ``tools/lan``'s own namespaces) are accepted: nothing else is
ever scanned from here.
Output: {"version": ..., "runs": [{"wall": s, "cpu": s, "found": [[ip, class, model]]}]}
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import logging
import resource
import sys
import time
from importlib.metadata import version


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _scan(subnet: str) -> dict[str, object]:
    from pyasic.network import MinerNetwork

    network = MinerNetwork.from_subnet(subnet)
    start, cpu = time.perf_counter(), _cpu()
    miners = await network.scan()
    wall, cpu = time.perf_counter() - start, _cpu() - cpu
    found = [[str(m.ip), type(m).__name__, str(getattr(m, "model", None))] for m in miners]
    return {"wall": wall, "cpu": cpu, "found": sorted(found)}


async def _main(subnet: str, repeat: int) -> dict[str, object]:
    runs = [await _scan(subnet) for _ in range(repeat)]
    return {"version": version("pyasic"), "runs": runs}


ALLOWED = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("198.18.0.0/15"))


def contained(text: str) -> str:
    """A subnet inside the loopback or the simulated LAN's range, else a usage error."""
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err
    if not any(net.version == a.version and net.subnet_of(a) for a in ALLOWED):  # type: ignore[arg-type]
        raise argparse.ArgumentTypeError(f"{text!r} is outside 127.0.0.0/8 and 198.18.0.0/15")
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("subnet", type=contained)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    print(json.dumps(asyncio.run(_main(args.subnet, args.repeat))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
