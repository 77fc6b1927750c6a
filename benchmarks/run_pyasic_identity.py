"""Ask pyasic what each given address is: make, model, firmware and version, as JSON.

Runs inside ``benchmarks/.pyasic-venv`` (pyasic 0.79 from PyPI), never in the project's
environment, and imports nothing from this project:

    benchmarks/.pyasic-venv/bin/python benchmarks/run_pyasic_identity.py 127.0.51.10 ...

For every address: ``pyasic.get_miner`` (pyasic's own identification), then the
miner's class attributes ``make``, ``model``, ``firmware`` and the firmware version
as ``get_data`` reads it. Output: {"version": ..., "miners": {ip: {...} or {"error": ...}}}.
Only loopback addresses (127.0.0.0/8) are accepted: the simulators live there, and a
benchmark never sends a packet anywhere else.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import logging
import sys
from importlib.metadata import version
from typing import Any


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


async def _one(ip: str) -> dict[str, Any]:
    from pyasic import get_miner

    try:
        miner = await asyncio.wait_for(get_miner(ip), 30)
    except Exception as err:
        return {"error": f"{type(err).__name__}: {err}"}
    if miner is None:
        return {"error": "not identified"}
    from pyasic.miners.data import DataOptions

    try:  # through pyasic's data locations, as get_data reads it (v3 has no get_fw_ver)
        data = await asyncio.wait_for(miner.get_data(include=[DataOptions.FW_VERSION]), 30)
        fw_ver = data.fw_ver
    except Exception as err:
        fw_ver = f"error: {type(err).__name__}"
    return {
        "class": type(miner).__name__,
        "make": _text(getattr(miner, "make", None)),
        "model": _text(getattr(miner, "model", None)),
        "firmware": _text(getattr(miner, "firmware", None)),
        "fw_ver": _text(fw_ver),
    }


async def _main(ips: list[str]) -> dict[str, Any]:
    results = await asyncio.gather(*(_one(ip) for ip in ips))
    return {"version": version("pyasic"), "miners": dict(zip(ips, results, strict=True))}


def loopback(text: str) -> str:
    """An IPv4 loopback address, else a usage error (nothing is sent anywhere else)."""
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise argparse.ArgumentTypeError(f"{text!r} is not a 127.0.0.0/8 address")
    return str(address)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ips", nargs="+", type=loopback)
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    print(json.dumps(asyncio.run(_main(args.ips))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
