"""Compare identities: what pyasic 0.79 and our driver say every simulated model is.

    sudo .venv/bin/python benchmarks/pyasic_identity.py [--fleet simulator/fleets/families.toml]

Starts the fleet (every simulated model of every family, two of each, real ports so
pyasic finds them; hence root) in a child process, identifies each miner with our
driver (``Miner.connect``) and with pyasic (``benchmarks/run_pyasic_identity.py`` in
``benchmarks/.pyasic-venv``, created on first use as ``scan.py`` does), and prints make,
model, firmware and firmware version side by side. Not a test: it asserts nothing.

The last column says whether the two name the same model once the naming conventions
are set aside (pyasic's make ``WhatsMiner`` is our ``MicroBT``, its ``Avalon Q`` our
``Q``, its ``M30S+ VE40`` our ``M30S+`` plus a variant we do not keep): ``yes``, or
``NO`` for a disagreement to fix in the simulator or to explain in benchmarks/README.md
with the real capture that shows pyasic is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from benchmarks._common import BENCH, ROOT, FleetProcess, SimInfo
from benchmarks.scan import PYASIC_VENV, ensure_pyasic_venv
from custom_components.asic_miner.driver.miner import Miner

FAMILIES_FLEET = ROOT / "simulator" / "fleets" / "families.toml"
# Words that only say whose product it is, not which one.
_MAKE_WORDS = re.compile(r"^(ANTMINER|AVALONMINER|AVALON|WHATSMINER|BITAXE|NERDAXE|AVALON)\s*")


def _key(model: str | None) -> str:
    """A model name reduced to what both libraries agree on: ``S19 XP`` ~ ``S19XP``."""
    text = (model or "").upper().strip()
    text = _MAKE_WORDS.sub("", text)
    text = re.sub(r"\s*\(.*\)$", "", text)  # pyasic's "(BOS+)"-style suffixes
    return re.sub(r"[^A-Z0-9+]", "", text)


# pyasic's product names where ours are Canaan's short ones.
_ALIASES = {"QHOME": "Q", "NANO3S": "NANO3S"}


def same_model(ours: str | None, theirs: str | None) -> bool:
    a, b = _key(ours), _key(theirs)
    b = _ALIASES.get(b, b)
    if not a or not b:
        return False
    if a in (b, f"A{b}"):  # Avalon racks: our "A1566" is pyasic's "Avalon 1566"
        return True
    # pyasic keeps the Whatsminer chip variant (M30S+VE40); we keep the base name.
    return re.fullmatch(re.escape(a) + r"V[A-Z]?\d+", b) is not None


async def ours(miners: list[SimInfo]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    async with aiohttp.ClientSession() as session:

        async def one(host: str) -> None:
            try:
                miner = await Miner.connect(host, session, timeout=5)
            except Exception as err:
                out[host] = {"error": f"{type(err).__name__}: {err}"}
                return
            identity = miner.identity
            out[host] = {
                "make": identity.make,
                "model": identity.model,
                "firmware": identity.firmware,
                "fw_ver": identity.firmware_version,
            }

        await asyncio.gather(*(one(m.host) for m in miners))
    return out


async def theirs(miners: list[SimInfo]) -> tuple[str, dict[str, dict[str, Any]]]:
    python = PYASIC_VENV / "bin" / "python"
    proc = await asyncio.create_subprocess_exec(
        str(python),
        str(BENCH / "run_pyasic_identity.py"),
        *(m.host for m in miners),
        stdout=asyncio.subprocess.PIPE,
    )
    stdout, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"run_pyasic_identity.py failed with status {proc.returncode}")
    data = json.loads(stdout)
    return str(data["version"]), data["miners"]


def _cell(entry: dict[str, Any], key: str) -> str:
    if "error" in entry:
        return entry["error"][:40] if key == "model" else "-"
    return str(entry.get(key))


def report(
    miners: list[SimInfo], mine: dict[str, dict[str, Any]], pyasic: dict[str, dict[str, Any]]
) -> int:
    seen: set[tuple[str, str]] = set()
    disagreements = 0
    header = (
        "| simulated | ours: make / model / firmware / version "
        "| pyasic: make / model / firmware / version (class) | same model |"
    )
    print(header)
    print("|---|---|---|---|")
    for sim in miners:
        if (sim.family, sim.model) in seen:
            continue  # two of each model: one row is enough when both agree
        seen.add((sim.family, sim.model))
        a, b = mine[sim.host], pyasic.get(sim.host, {"error": "no answer"})
        agree = same_model(a.get("model"), b.get("model"))
        disagreements += not agree
        left = " / ".join(_cell(a, k) for k in ("make", "model", "firmware", "fw_ver"))
        right = " / ".join(_cell(b, k) for k in ("make", "model", "firmware", "fw_ver"))
        right += f" ({b.get('class', '-')})"
        print(f"| {sim.family} {sim.model} | {left} | {right} | {'yes' if agree else 'NO'} |")
    return disagreements


async def main_async(args: argparse.Namespace) -> int:
    fleet = FleetProcess(Path(args.fleet))
    await fleet.start()
    try:
        mine = await ours(fleet.miners)
        version, pyasic = await theirs(fleet.miners)
    finally:
        await fleet.stop()
    print(f"pyasic {version} against our driver, {len(fleet.miners)} simulated miners\n")
    disagreements = report(fleet.miners, mine, pyasic)
    print(f"\nmodels named differently: {disagreements}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fleet", default=str(FAMILIES_FLEET), help="fleet file (one /24)")
    args = parser.parse_args()
    ensure_pyasic_venv()
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
