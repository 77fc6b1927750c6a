"""Home Assistant's own CPU per miner and poll, in process, without the driver's read.

    .venv/bin/python benchmarks/ha_poll.py [--miners 200] [--window 20] [--profile FILE]

Not a test: it prints figures and asserts nothing. ``ha_scale.py`` measures a whole
Home Assistant process, where the driver's reads, aiohttp, the recorder and the
machine's other work all count; this one measures what the integration and Home
Assistant's coordinator machinery cost per poll, and nothing else:

1. reads two snapshots of every model of ``simulator/fleets/families.toml`` from the
   simulator on loopback (real replies through the real driver), the second with the
   hashrate and power moved a little, as real firmware's readings jitter;
2. starts Home Assistant's test instance (``pytest-homeassistant-custom-component``:
   the real core, no recorder, no HTTP) with N config entries of those models, each
   miner's ``read`` answering its snapshots in turn without a network;
3. lets every coordinator poll each ``--interval`` seconds on Home Assistant's own
   timers (1 s rather than 15 s, so a short window holds many polls) and divides the
   process's CPU time over the window (``time.process_time``) by the polls; with
   ``--profile``, a cProfile of the window on the same CPU clock.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import itertools
import sys
import time
import tomllib
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FAMILIES_FLEET = ROOT / "simulator" / "fleets" / "families.toml"


async def read_models(net: int) -> list[tuple[dict[str, Any], list[Any]]]:
    """Per model: the entry data the config flow would store, and two snapshots."""
    import aiohttp

    from custom_components.asic_miner.driver import Miner
    from tests.simhelpers import DRIVER_PORTS, SimRunner

    runner = SimRunner()
    models = tomllib.loads(FAMILIES_FLEET.read_text())["miner"]
    out = []
    try:
        async with aiohttp.ClientSession() as session:
            for i, model in enumerate(models):
                extra = {k: v for k, v in model.items() if k not in {"family", "model", "host"}}
                extra.pop("count", None)
                sim = await runner.start(
                    model["family"], model["model"], host=f"127.0.{net}.{10 + i}", **extra
                )
                miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
                first = await miner.read()
                await miner.close()
                second = replace(
                    first,
                    hashrate=None if first.hashrate is None else first.hashrate * 1.001,
                    power=None if first.power is None else first.power + 1.0,
                )
                out.append(({"family": model["family"]}, [first, second]))
    finally:
        await runner.stop()
    return out


async def run(args: argparse.Namespace) -> int:
    from homeassistant.helpers import entity_registry as er  # noqa: F401 (loads the core)
    from homeassistant.loader import DATA_CUSTOM_COMPONENTS
    from homeassistant.setup import async_setup_component
    from pytest_homeassistant_custom_component.common import (
        MockConfigEntry,
        async_test_home_assistant,
    )

    from custom_components.asic_miner.const import (
        CONF_IDENTITY,
        CONF_PORTS,
        DOMAIN,
        SCAN_INTERVAL,
    )
    from custom_components.asic_miner.driver import Miner
    from tests.simhelpers import DRIVER_PORTS

    models = await read_models(args.net)
    snapshots: dict[str, itertools.cycle[Any]] = {}
    reads = [0]

    async def read(self: Miner) -> Any:
        reads[0] += 1
        snapshot = next(snapshots[self.host])
        self.snapshot = snapshot
        return snapshot

    async def check_credentials(self: Miner) -> None:
        return None

    Miner.read = read  # type: ignore[method-assign]
    Miner.check_credentials = check_credentials  # type: ignore[method-assign]

    async with async_test_home_assistant() as hass:
        hass.data.pop(DATA_CUSTOM_COMPONENTS, None)
        for i in range(args.miners):
            _, (first, second) = models[i % len(models)]
            mac = f"02:00:00:00:{i // 256:02X}:{i % 256:02X}"
            identity = replace(first.identity, mac=mac, serial=f"BENCH{i:05d}")
            host = f"127.0.{64 + i // 250}.{i % 250 + 1}"  # never reached: ``read`` is ours
            snapshots[host] = itertools.cycle(
                [replace(first, identity=identity), replace(second, identity=identity)]
            )
            MockConfigEntry(
                domain=DOMAIN,
                title=f"{identity.make} {identity.model} {i}",
                unique_id=mac.replace(":", "").lower(),
                data={
                    "host": host,
                    "username": None,
                    "password": None,
                    CONF_PORTS: DRIVER_PORTS.as_dict(),
                    CONF_IDENTITY: identity.as_dict(),
                },
            ).add_to_hass(hass)
        started = time.process_time()
        await async_setup_component(hass, DOMAIN, {})  # sets up every entry
        await hass.async_block_till_done(wait_background_tasks=True)
        print(f"set up {args.miners} miners: {time.process_time() - started:.2f} s CPU")
        print(f"entities: {len(hass.states.async_all())} states")

        # The real timers, faster: every coordinator polls each ``--interval`` seconds
        # (all at once, as HA aligns them), the window's CPU is divided by the polls.
        for entry in hass.config_entries.async_entries(DOMAIN):
            entry.runtime_data.update_interval = timedelta(seconds=args.interval)
        # Settle: each coordinator's timer set at setup (15 s) fires once before the
        # faster one, and the registries' delayed saves after setup (10 s) are done.
        await asyncio.sleep(SCAN_INTERVAL.total_seconds() + 3 * args.interval)
        gc.collect()
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        if profiler:
            profiler.enable()
        reads[0] = 0
        before = time.process_time()
        await asyncio.sleep(args.window)
        spent = time.process_time() - before
        polls = reads[0]
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        per_poll = spent / polls
        print(f"{polls} polls in {args.window:.0f} s: {spent:.2f} s CPU")
        print(f"CPU per miner and poll (Home Assistant side): {per_poll * 1e6:.0f} us")
        interval = SCAN_INTERVAL.total_seconds()
        print(
            f"{args.miners} miners at the {interval:.0f} s interval: "
            f"{per_poll * args.miners / interval * 100:.2f} % of one core"
        )
        await hass.async_stop(force=True)
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--miners", type=int, default=200)
    parser.add_argument("--window", type=float, default=20.0, help="seconds measured")
    parser.add_argument("--interval", type=float, default=1.0, help="poll interval, seconds")
    parser.add_argument("--profile", help="write a cProfile (CPU clock) of the rounds here")
    parser.add_argument("--net", type=int, default=63, help="127.0.NET.0/24 for the simulator")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
