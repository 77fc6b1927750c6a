"""What the command line prints: the scan's table, its JSON, its progress on stderr."""

from __future__ import annotations

import time
from typing import Any, TextIO

from .exceptions import MinerAuthenticationError, MinerError
from .scan import NeighbourTable, ScanProgress, ScanResult, ScanStage, UnsupportedMiner


def unsupported_dict(found: UnsupportedMiner) -> dict[str, Any]:
    return {
        "host": found.host,
        "family": None,
        "identity": None,
        "error": f"found but not supported: {found.answered}",
        "error_type": "MinerNotIdentifiedError",
        "unsupported": found.answered,
    }


def result_dict(result: ScanResult) -> dict[str, Any]:
    return {
        "host": result.host,
        "family": result.family.key,
        "identity": None if result.identity is None else result.identity.as_dict(),
        "error": None if result.error is None else error_text(result.error),
        "error_type": None if result.error is None else type(result.error).__name__,
    }


def error_text(error: MinerError) -> str:
    if isinstance(error, MinerAuthenticationError):
        return f"credentials refused: {error}"
    return str(error)


def print_table(
    found: list[ScanResult], out: TextIO, unsupported: list[UnsupportedMiner] | None = None
) -> None:
    """Supported miners, then those found but not supported (family ``-``)."""
    unsupported = unsupported or []
    if not found and not unsupported:
        print("no miners found", file=out)
        return
    header = ("HOST", "FAMILY", "MAKE", "MODEL", "FIRMWARE", "VERSION", "MAC", "STATUS")
    rows: list[tuple[str, ...]] = [header]
    for r in found:
        ident = r.identity
        if ident is None:
            status = "credentials refused" if isinstance(r.error, MinerAuthenticationError) else ""
            status = status or f"error: {r.error}"
            rows.append((r.host, r.family.key, "", "", "", "", "", status))
            continue
        rows.append(
            (
                r.host,
                r.family.key,
                ident.make,
                ident.model,
                ident.firmware,
                ident.firmware_version or "",
                ident.mac or "",
                "ok" if ident.supported else "ok (model not in hardware table)",
            )
        )
    for other in unsupported:
        rows.append((other.host, "-", "", "", "", "", "", f"not supported: {other.answered}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print(line.rstrip(), file=out)


class ProgressPrinter:
    """Progress on stderr: a live line on a terminal, a line per stage otherwise."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.live = out.isatty()
        self.last = 0.0
        self.stage: ScanStage | None = None

    def __call__(self, progress: ScanProgress) -> None:
        if progress.stage is ScanStage.DONE:
            return
        if self.live:
            now = time.monotonic()
            if now - self.last < 0.1 and progress.done != progress.total:
                return
            self.last = now
            self.out.write(
                f"\r{progress.stage.value}: {progress.done}/{progress.total}, "
                f"{progress.found} found\x1b[K"
            )
            self.out.flush()
        elif progress.stage is not self.stage:
            self.stage = progress.stage
            what = "hosts" if progress.stage is ScanStage.SWEEP else "reachable hosts"
            print(f"{progress.stage.value}: {progress.total} {what}", file=self.out, flush=True)

    def budget(self, table: NeighbourTable, chosen: int | None) -> None:
        """Say how many addresses the sweep keeps in the ARP table at once, and why."""
        where = "assumed" if table.source == "assumed" else f"read via {table.source}"
        size = table.room if chosen is None else chosen
        print(
            f"ARP budget {size}: table limit {table.size}, {table.entries} entries in use "
            f"({where}){'; set by --arp-budget' if chosen is not None else ''}",
            file=self.out,
            flush=True,
        )

    def found_unsupported(self, found: UnsupportedMiner) -> None:
        if self.live:
            self.out.write("\r\x1b[K")
        print(f"found {found.host}: {found.answered} (not supported)", file=self.out, flush=True)

    def found_one(self, result: ScanResult) -> None:
        if self.live:
            self.out.write("\r\x1b[K")
        name = result.identity.model if result.identity else "?"
        note = "" if result.error is None else f" ({error_text(result.error)})"
        print(f"found {result.host}: {result.family.key} {name}{note}", file=self.out, flush=True)

    def finish(
        self, hosts: int, found: int, elapsed: float, *, unsupported: int = 0, reachable: int = 0
    ) -> None:
        if self.live:
            self.out.write("\r\x1b[K")
        print(
            f"scanned {hosts} addresses in {elapsed:.2f} s: {found} miner(s) found, "
            f"{unsupported} found but not supported, "
            f"{hosts - reachable} address(es) answered nothing",
            file=self.out,
            flush=True,
        )
