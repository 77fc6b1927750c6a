"""Run a simulated fleet until Ctrl-C: ``python -m simulator fleet.toml``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys

from .families import load_all
from .fleet import Fleet
from .miner import SimPorts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("fleet", nargs="?", help="fleet description (TOML)")
    parser.add_argument("--rpc-port", type=int)
    parser.add_argument("--web-port", type=int)
    parser.add_argument("--https-port", type=int)
    parser.add_argument("--whatsminer-v3-port", type=int)
    parser.add_argument("--list-models", action="store_true", help="print families and models")
    args = parser.parse_args(argv)
    if args.list_models:
        for key, sim in sorted(load_all().items()):
            print(f"{key}: {', '.join(sim.models)}")
        return 0
    if not args.fleet:
        parser.error("a fleet file is required")
    overrides = {
        k: v
        for k, v in {
            "rpc": args.rpc_port,
            "web": args.web_port,
            "https": args.https_port,
            "whatsminer_v3": args.whatsminer_v3_port,
        }.items()
        if v is not None
    }
    return asyncio.run(_run(args.fleet, overrides))


async def _run(path: str, overrides: dict[str, int]) -> int:
    import tomllib
    from pathlib import Path

    data = tomllib.loads(await asyncio.to_thread(Path(path).read_text))
    ports = SimPorts(**{**data.get("ports", {}), **overrides})
    fleet = Fleet.from_dict(data, ports)
    await fleet.start()
    for miner in fleet.miners:
        print(json.dumps(miner.describe()), flush=True)
    print(
        f"simulator: {len(fleet.miners)} miners running; Ctrl-C stops", file=sys.stderr, flush=True
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await fleet.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
