"""The miner's own recent log, as its firmware offers it over its API.

Read only on request (a diagnostics download), never in a poll. Real logs grow to
megabytes, so a text log is read as a tail (``HttpClient.request(tail=...)`` keeps the
last ``MAX_LOG_BYTES`` while the rest streams past) and cut to the last
``MAX_LOG_LINES`` lines; a log the firmware sends as JSON lines (Braiins GraphQL) is
read under the family's reply bound and cut the same way. A reply that is not a log
(binary, not a list of strings) is ``MinerResponseError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .exceptions import MinerResponseError
from .transports.http import HttpReply

MAX_LOG_BYTES: Final = 64 * 1024
MAX_LOG_LINES: Final = 200
NOT_OFFERED: Final = "not offered by this firmware"


@dataclass(frozen=True, slots=True)
class MinerLog:
    """The last lines of one log; ``truncated`` when older lines were left out."""

    source: str
    lines: tuple[str, ...]
    truncated: bool

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "truncated": self.truncated, "lines": list(self.lines)}


def _tail(source: str, lines: list[str], cut: bool) -> MinerLog:
    kept = lines[-MAX_LOG_LINES:]
    total = 0
    start = len(kept)
    # Newest first until the byte bound, so a few huge lines cannot pass it.
    while start > 0 and total + len(kept[start - 1]) + 1 <= MAX_LOG_BYTES:
        start -= 1
        total += len(kept[start]) + 1
    kept = kept[start:]
    return MinerLog(source, tuple(kept), cut or len(kept) < len(lines))


def log_from_text(source: str, body: bytes, *, cut: bool = False) -> MinerLog:
    """A text log's last lines; ``cut`` when the transport dropped its beginning."""
    if b"\x00" in body:
        raise MinerResponseError(f"{source}: not a text log")
    text = body.decode("utf-8", errors="replace")
    lines = text.splitlines()
    if cut and lines:
        lines = lines[1:]  # the first line kept started mid-line
    return _tail(source, [line.rstrip() for line in lines], cut)


def log_from_lines(source: str, value: Any) -> MinerLog:
    """A log sent as a JSON list of lines, each a string."""
    if not isinstance(value, list) or not all(isinstance(line, str) for line in value):
        raise MinerResponseError(f"{source}: the log is not a list of lines")
    lines: list[str] = []
    for entry in value[-MAX_LOG_LINES:]:
        lines.extend(entry.splitlines() or [""])
    return _tail(source, lines, len(value) > MAX_LOG_LINES)


def log_from_reply(source: str, reply: HttpReply) -> MinerLog:
    """A text log read with ``HttpClient.request(tail=MAX_LOG_BYTES)``."""
    if reply.status >= 300:
        raise MinerResponseError(f"{source}: HTTP {reply.status}")
    return log_from_text(source, reply.body, cut=reply.cut)
