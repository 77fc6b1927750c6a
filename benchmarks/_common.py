"""Shared by the benchmark scripts: the fleet process and a few figures helpers."""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
DEFAULT_FLEET = ROOT / "simulator" / "fleets" / "bench50.toml"


@dataclass(frozen=True, slots=True)
class SimInfo:
    host: str
    family: str
    model: str


@dataclass
class FleetProcess:
    """``benchmarks/_fleet.py`` in a child process; see its docstring for the protocol."""

    path: Path
    port_args: list[str] = field(default_factory=list)
    miners: list[SimInfo] = field(default_factory=list)
    _proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(BENCH / "_fleet.py"),
            str(self.path),
            *self.port_args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=16 * 1024 * 1024,
        )
        ready = await self._read()
        if "ready" not in ready:
            raise RuntimeError(f"fleet did not start: {ready}")
        self.miners = [SimInfo(m["host"], m["family"], m["model"]) for m in ready["ready"]]

    async def _read(self) -> dict[str, Any]:
        assert self._proc is not None
        assert self._proc.stdout is not None
        line = await asyncio.wait_for(self._proc.stdout.readline(), 60)
        if not line:
            raise RuntimeError("fleet process exited (see its output above)")
        data: dict[str, Any] = json.loads(line)
        return data

    async def _ask(self, command: str) -> dict[str, Any]:
        assert self._proc is not None
        assert self._proc.stdin is not None
        self._proc.stdin.write(command.encode() + b"\n")
        await self._proc.stdin.drain()
        return await self._read()

    async def reset(self) -> None:
        await self._ask("reset")

    async def counts(self) -> dict[str, Any]:
        return await self._ask("counts")

    async def cpu(self) -> float:
        """CPU seconds the fleet process has used so far."""
        return float((await self._ask("cpu"))["cpu"])

    async def stop(self) -> None:
        if self._proc is None:
            return
        if self._proc.returncode is None:
            assert self._proc.stdin is not None
            self._proc.stdin.write(b"quit\n")
            await self._proc.stdin.drain()
            self._proc.stdin.close()
            try:
                await asyncio.wait_for(self._proc.wait(), 15)
            except TimeoutError:
                self._proc.kill()
                await self._proc.wait()
        self._proc = None

    @property
    def by_host(self) -> dict[str, SimInfo]:
        return {m.host: m for m in self.miners}

    @property
    def subnet(self) -> str:
        """The /24 holding the fleet (the benchmarks keep a fleet inside one /24)."""
        prefixes = {m.host.rsplit(".", 1)[0] for m in self.miners}
        if len(prefixes) != 1:
            raise RuntimeError(f"the fleet spans several /24s: {sorted(prefixes)}")
        return f"{prefixes.pop()}.0/24"


def per_family(
    counts: dict[str, Any], miners: list[SimInfo], what: str, runs: int = 1
) -> dict[str, float]:
    """Average per miner and run of ``counts[host][what]`` (all ports added), by family."""
    totals: dict[str, float] = defaultdict(float)
    sizes: dict[str, int] = defaultdict(int)
    for miner in miners:
        totals[miner.family] += sum(counts[miner.host][what].values())
        sizes[miner.family] += 1
    return {family: totals[family] / sizes[family] / runs for family in sorted(totals)}


def total(counts: dict[str, Any], what: str) -> int:
    return sum(sum(entry[what].values()) for entry in counts.values())


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt(seconds: float) -> str:
    return f"{seconds:.3f} s"


def raise_open_files(wanted: int = 8192) -> None:
    """Lift this process's open-file limit toward ``wanted`` (up to the hard limit):
    a benchmark holds a socket per miner and request at once, past the usual 1,024."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, wanted), hard))
