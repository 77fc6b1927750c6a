"""Benchmark: add N miners from one scan in a real Home Assistant core, and time it.

    .venv/bin/python benchmarks/add_many.py [--miners 200] [--repeat 3]

Starts a simulated fleet of N miners (Antminer, Braiins OS, Whatsminer, Bitaxe) in its
own process on 127.0.77.0/24, a Home Assistant core in this process (the test harness
of pytest-homeassistant-custom-component, no frontend, no recorder), scans the /24
through the config flow, ticks every miner and prints how long the request that adds
them takes (every entry created and set up: a first read, its entities) and how many
entries exist afterwards. Issue 12's target: 200 miners in under 3 s on a quiet
machine; the load average is printed with each run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from unittest.mock import AsyncMock, patch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import FleetProcess, fmt, median, total

SUBNET_PREFIX = "127.0.77"
MIX = [
    ("antminer", "S19 Pro"),
    ("braiins", "S19"),
    ("whatsminer", "M60S"),
    ("bitaxe", "Gamma"),
]
PORTS = [
    "--rpc-port",
    "14028",
    "--web-port",
    "18080",
    "--https-port",
    "18443",
    "--whatsminer-v3-port",
    "14433",
]


def fleet_file(count: int) -> Path:
    lines = []
    for index in range(count):
        family, model = MIX[index % len(MIX)]
        host = f"{SUBNET_PREFIX}.{10 + index}"
        lines += ["[[miner]]", f'family = "{family}"', f'model = "{model}"', f'host = "{host}"', ""]
    path = Path(tempfile.mkstemp(prefix="add_many-", suffix=".toml")[1])
    path.write_text("\n".join(lines))
    return path


async def add_all(count: int, pool: int | None) -> tuple[float, float, float, int]:
    """One Home Assistant: scan, tick all, add.

    Returns the add request's time (it returns at once with a progress step), the time
    until every entry is created and set up, the CPU time Home Assistant's process
    spent meanwhile (the simulator runs in another), and the entries afterwards.
    """
    from homeassistant import loader
    from pytest_homeassistant_custom_component.common import async_test_home_assistant

    from custom_components.asic_miner.const import CONF_MINERS, CONF_SUBNET, DOMAIN
    from custom_components.asic_miner.driver import Ports

    ports = Ports(rpc=14028, web=18080, https=18443, whatsminer_v3=14433)
    async with async_test_home_assistant() as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        with (
            patch("custom_components.asic_miner.flow_scan.DEFAULT_PORTS", ports),
            patch(
                "custom_components.asic_miner.flow_scan_add.ADD_CONCURRENCY",
                pool or 16,
            ),
            patch(
                "custom_components.asic_miner.flow_scan.async_get_adapters",
                AsyncMock(return_value=[]),
            ),
        ):
            flows = hass.config_entries.flow
            result = await flows.async_init(DOMAIN, context={"source": "user"})
            result = await flows.async_configure(result["flow_id"], {"next_step_id": "scan"})
            flow_id = result["flow_id"]
            await flows.async_configure(flow_id, {CONF_SUBNET: f"{SUBNET_PREFIX}.0/24"})
            await hass.async_block_till_done()
            result = await flows.async_configure(flow_id)
            assert result["step_id"] == "scan_select", result
            hosts = list(result["data_schema"].schema[CONF_MINERS].config["options"])
            profiler = None
            if os.environ.get("ADD_MANY_PROFILE"):
                import cProfile

                profiler = cProfile.Profile(time.process_time)  # CPU, not wall clock
                profiler.enable()
            start = time.perf_counter()
            cpu = time.process_time()
            result = await flows.async_configure(
                flow_id, {CONF_MINERS: [option["value"] for option in hosts]}
            )
            request = time.perf_counter() - start
            assert result["step_id"] == "scan_adding", result.get("errors")
            await hass.async_block_till_done()
            result = await flows.async_configure(flow_id)
            wall = time.perf_counter() - start
            cpu = time.process_time() - cpu
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(os.environ["ADD_MANY_PROFILE"])
            assert result["step_id"] == "scan_done", result.get("errors")
            await flows.async_configure(flow_id, {})
            await hass.async_block_till_done()
            entries = len(hass.config_entries.async_entries(DOMAIN))
            for entry in hass.config_entries.async_entries(DOMAIN):
                await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_stop(force=True)
    return request, wall, cpu, entries


async def main(count: int, repeat: int, pool: int | None) -> int:
    """Start the fleet once; each run is a fresh process with a fresh Home Assistant."""
    fleet = FleetProcess(fleet_file(count), PORTS)
    await fleet.start()
    walls = []
    try:
        for run in range(1, repeat + 1):
            load = os.getloadavg()[0]
            await fleet.reset()
            fleet_cpu = await fleet.cpu()
            args = [sys.executable, __file__, "--_one", "--miners", str(count)]
            if pool:
                args += ["--pool", str(pool)]
            proc = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE)
            out, _ = await proc.communicate()
            request, wall, cpu, entries = json.loads(out.decode().strip().splitlines()[-1])
            walls.append(wall)
            counts = await fleet.counts()
            fleet_cpu = await fleet.cpu() - fleet_cpu
            print(
                f"run {run}: {count} ticked; the request returned after {fmt(request)}, "
                f"all added and set up after {fmt(wall)} (CPU {fmt(cpu)}); {entries} entries; "
                f"load {load:.2f}; the fleet answered {total(counts, 'requests')} requests on "
                f"{total(counts, 'connections')} connections (scan included) with "
                f"{fmt(fleet_cpu)} of CPU",
                flush=True,
            )
    finally:
        await fleet.stop()
        fleet.path.unlink(missing_ok=True)
    print(f"median: {fmt(median(walls))} until all {count} miners were added")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--miners", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pool", type=int, help="entries created at once (default: the flow's)")
    parser.add_argument("--_one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._one:
        print(json.dumps(asyncio.run(add_all(args.miners, args.pool))))
        sys.exit(0)
    sys.exit(asyncio.run(main(args.miners, args.repeat, args.pool)))
