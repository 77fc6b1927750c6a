"""Linear, incremental checks of JSON-like bytes before anything parses them.

Anything on the LAN can answer on a miner's port, so a reply is checked before it is
parsed: its nesting depth is bounded (``json.loads`` on ``[[[[…`` raises
``RecursionError``, and a reply nested 900 levels deep would break every recursive
walk after it), and a reply read from a socket that stays open is known complete
without re-reading what was already checked. The scanner keeps its state (depth,
inside a string, a pending escape) between calls and looks only at new bytes; the
regular expressions it uses are possessive, so no input makes them backtrack.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..exceptions import MinerResponseError

MAX_DEPTH = 64
"""Deepest nesting any miner reply needs (real ones stay under 8)."""

# A whole string, an opener, a closer, or a quote whose string runs past the buffer:
# the only bytes whose meaning depends on what came before.
_TOKEN = re.compile(rb'("[^"\\]*+(?:\\.[^"\\]*+)*+")|([{\[])|([}\]])|(")', re.DOTALL)
# The rest of a string up to its closing quote, or up to a backslash that ends the
# buffer (its escaped character has not arrived yet), or to the end of the buffer.
_STRING_REST = re.compile(rb'[^"\\]*+(?:\\.[^"\\]*+)*+', re.DOTALL)
_QUOTE = 0x22
_OPENER, _CLOSER, _OPEN_STRING = 2, 3, 4


class JsonScanner:
    """Bracket depth and string state of a growing buffer, scanned once per byte.

    ``feed`` takes the whole buffer so far (the caller appends to it) and scans only
    what it has not seen. With ``stop_at_top`` it stops once the first top-level value
    closed: for strict JSON anything after that is an error ``json.loads`` reports.
    """

    __slots__ = (
        "_pos",
        "depth",
        "in_string",
        "limit",
        "opened",
        "stop_at_top",
        "stray",
        "too_deep",
        "top",
    )

    def __init__(self, limit: int = MAX_DEPTH, *, stop_at_top: bool = False) -> None:
        self.limit = limit
        self.stop_at_top = stop_at_top
        self.depth = 0
        self.in_string = False
        self.opened = False
        self.too_deep = False
        self.top = False  # a top-level value closed
        self.stray = False  # a closer without its opener
        self._pos = 0

    def feed(self, buf: bytes | bytearray) -> None:
        pos, end = self._pos, len(buf)
        depth, in_string = self.depth, self.in_string
        if in_string:  # finish the string the last call ended in
            rest = _STRING_REST.match(buf, pos)
            pos = rest.end() if rest is not None else pos
            if pos < end and buf[pos] == _QUOTE:
                in_string = False
                pos += 1
        if not in_string:
            for match in _TOKEN.finditer(buf, pos):
                kind = match.lastindex
                pos = match.end()
                if kind == _OPENER:
                    depth += 1
                    self.opened = True
                    if depth > self.limit:
                        self.too_deep = True
                        break
                elif kind == _CLOSER:
                    depth -= 1
                    if depth <= 0:
                        self.top = True
                        self.stray = self.stray or depth < 0
                        if self.stop_at_top:
                            break
                elif kind == _OPEN_STRING:
                    in_string = True  # it runs to the end of what has arrived
                    rest = _STRING_REST.match(buf, pos)
                    pos = rest.end() if rest is not None else pos
                    break
            else:
                pos = end
        self._pos, self.depth, self.in_string = pos, depth, in_string

    @property
    def balanced(self) -> bool:
        """Every bracket opened so far was closed, outside any string."""
        return self.opened and self.depth <= 0 and not self.in_string


_WHOLE_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_complete(raw: bytes | bytearray) -> bool:
    """Whether every bracket the reply opened was closed, outside strings, in order.

    Tolerates the known slips (a trailing or missing comma) because they leave the
    nesting intact; a reply cut short, a stray closer or control bytes outside a
    string (garbage, not JSON) do not. One pass at C speed plus one per bracket.
    """
    data = bytes(raw).rstrip(b"\x00 \r\n\t")
    scanner = JsonScanner(limit=1 << 30)
    scanner.feed(data)
    if not scanner.balanced or scanner.depth != 0 or scanner.stray:
        return False
    return _CONTROL.search(_WHOLE_STRING.sub(b"", data)) is None


def check_depth(data: bytes | bytearray, where: str, limit: int = MAX_DEPTH) -> None:
    """Raise ``MinerResponseError`` when ``data`` nests deeper than ``limit``."""
    scanner = JsonScanner(limit, stop_at_top=True)
    scanner.feed(data)
    if scanner.too_deep:
        raise MinerResponseError(f"{where}: reply nested deeper than {limit} levels")


def loads_bounded(data: bytes | bytearray | str, where: str, *, depth_checked: bool = False) -> Any:
    """Strict JSON with a depth bound; every failure is a ``MinerResponseError``.

    ``ValueError`` covers a syntax error and an integer longer than Python's
    int-string limit (4,300 digits); ``RecursionError`` cannot happen after the depth
    check but is caught all the same.
    """
    raw = data.encode("utf-8", errors="replace") if isinstance(data, str) else data
    if not depth_checked:
        check_depth(raw, where)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as err:
        text = bytes(raw[:60]).decode("utf-8", errors="replace")
        raise MinerResponseError(f"{where}: reply is not JSON: {text!r}") from err
