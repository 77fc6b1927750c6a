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

import asyncio
import json
import re
from array import array
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from ..exceptions import MinerResponseError

MAX_DEPTH = 64
"""Deepest nesting any miner reply needs (real ones stay under 8)."""

INLINE_PARSE_BYTES = 32 * 1024
"""Replies up to this size are parsed on the event loop (well under a millisecond);
a larger one in a worker thread: at the 512 kB bound, checking and parsing a hostile
reply costs 20-40 ms of CPU (``scripts/fuzz`` prints the figures)."""

# A whole string, an opener, a closer, or a quote whose string runs past the buffer:
# the only bytes whose meaning depends on what came before.
_TOKEN = re.compile(rb'("[^"\\]*+(?:\\.[^"\\]*+)*+")|([{\[])|([}\]])|(")', re.DOTALL)
# The rest of a string up to its closing quote, or up to a backslash that ends the
# buffer (its escaped character has not arrived yet), or to the end of the buffer.
_STRING_REST = re.compile(rb'[^"\\]*+(?:\\.[^"\\]*+)*+', re.DOTALL)
_QUOTE = 0x22
_OPENER, _CLOSER, _OPEN_STRING = 2, 3, 4


# A string to its closing quote, or to the end of the data when it was cut short.
_ANY_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
# Openers to +1 and closers to -1 as signed bytes (``array("b")``).
_SIGNED = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def _outside_strings(data: bytes) -> tuple[bytes, int | None]:
    """The bytes of ``data`` outside its strings, at C speed; and the string left open.

    The second value is ``None`` when ``data`` ends outside any string, else the
    index of the quote that opens the string it ends in (``-1``: not known, for data
    with backslashes). Without a backslash no quote is escaped, so every other piece
    between quotes is a string (the common case: a split, no regular expression).
    With one, strings go by a regular expression; the sentinel NUL survives only
    outside one: data that ends inside a string swallows it, closed by the sentinel
    quote.
    """
    if b"\\" not in data:
        parts = data.split(b'"')
        outside = b"".join(parts[::2])
        return outside, (None if len(parts) % 2 else data.rfind(b'"'))
    outside = _ANY_STRING.sub(b"", data + b'\x00"')
    if outside.endswith(b"\x00"):
        return outside[:-1], None
    return outside, -1


def _running(brackets: bytes, start: int = 0) -> Iterator[int]:
    """The depth after each bracket of ``brackets`` (only ``[]{}``), from ``start``.

    At C speed: the brackets become signed bytes (+1, -1) summed by ``accumulate``.
    """
    return accumulate(array("b", brackets.translate(_SIGNED)), initial=start)


class JsonScanner:
    """Bracket depth and string state of a growing buffer, scanned once per byte.

    ``feed`` takes the whole buffer so far (the caller appends to it) and scans only
    what it has not seen; it stops for good once the nesting passes ``limit``.
    """

    __slots__ = (
        "_pos",
        "depth",
        "in_string",
        "limit",
        "opened",
        "stray",
        "too_deep",
    )

    def __init__(self, limit: int = MAX_DEPTH) -> None:
        self.limit = limit
        self.depth = 0
        self.in_string = False
        self.opened = False
        self.too_deep = False
        self.stray = False  # a closer without its opener
        self._pos = 0

    def feed(self, buf: bytes | bytearray) -> None:
        if self.too_deep:
            return
        pos, end = self._pos, len(buf)
        if self.in_string:  # finish the string the last call ended in
            rest = _STRING_REST.match(buf, pos)
            pos = rest.end() if rest is not None else pos
            if pos >= end or buf[pos] != _QUOTE:
                self._pos = pos  # still inside it (or before an escape yet to come)
                return
            self.in_string = False
            pos += 1
        outside, open_at = _outside_strings(bytes(buf[pos:end]))
        if open_at is None:
            self._count(outside.translate(None, _NOT_BRACKETS))
            self._pos = end
        elif open_at >= 0:  # a string runs past what has arrived: go on from its quote
            self._count(outside.translate(None, _NOT_BRACKETS))
            # Without a backslash the string holds no quote: it runs to the end.
            self.in_string, self._pos = not self.too_deep, end
        else:
            self._feed_tokens(buf, pos, end)

    def _count(self, brackets: bytes) -> None:
        """Take in the brackets of a stretch that ends outside any string."""
        if not brackets:
            return
        openers = brackets.count(b"[") + brackets.count(b"{")
        start = self.depth
        self.opened = self.opened or openers > 0
        if start + openers > self.limit and max(_running(brackets, start)) > self.limit:
            self.too_deep = True
            self.depth = self.limit + 1  # where a step-by-step scan stops
            return
        closers = len(brackets) - openers
        if closers > start and min(_running(brackets, start)) < 0:
            self.stray = True
        self.depth = start + openers - closers

    def _feed_tokens(self, buf: bytes | bytearray, pos: int, end: int) -> None:
        """Token by token, for a stretch that ends inside a string (a chunk cut there)."""
        depth, in_string = self.depth, False
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
                if depth < 0:
                    self.stray = True
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


_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def max_depth(data: bytes | bytearray) -> int:
    """The deepest nesting outside strings, at C speed (no Python loop per byte).

    Strings go first (``_outside_strings``), then every byte but a bracket; the
    running sum of +1/-1 over what is left is the depth. A 500 kB reply of nothing
    but brackets takes about 20 ms; a real one well under a millisecond.
    """
    brackets = _outside_strings(bytes(data))[0].translate(None, _NOT_BRACKETS)
    if len(brackets) <= 1:
        return len(brackets)
    return max(_running(brackets))


def check_depth(data: bytes | bytearray, where: str, limit: int = MAX_DEPTH) -> None:
    """Raise ``MinerResponseError`` when ``data`` nests deeper than ``limit``.

    A reply with no more openers than ``limit`` cannot nest deeper: counting them
    (a plain byte count) spares most replies the scan.
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return
    if max_depth(data) > limit:
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


def is_complete(raw: bytes | bytearray) -> bool:
    """Whether every bracket the reply opened was closed, outside strings, in order.

    Tolerates the known slips (a trailing or missing comma) because they leave the
    nesting intact; a reply cut short, a stray closer or control bytes outside a
    string (garbage, not JSON) do not. C speed: strings are removed
    (``_outside_strings``; a quote left over opens a string that never ends), then the
    running sum over the brackets must never go negative and must end at zero.
    """
    outside, open_at = _outside_strings(bytes(raw).rstrip(b"\x00 \r\n\t"))
    if open_at is not None:
        return False  # a string that never ends
    if _CONTROL.search(outside):
        return False
    brackets = outside.translate(None, _NOT_BRACKETS)
    if not brackets:
        return False
    if min(_running(brackets)) < 0:
        return False
    opened = brackets.count(b"[") + brackets.count(b"{")
    return 2 * opened == len(brackets)


async def is_complete_async(raw: bytes | bytearray) -> bool:
    """``is_complete``, off the event loop for a large reply (20-35 ms at 512 kB)."""
    if len(raw) > INLINE_PARSE_BYTES:
        return await asyncio.to_thread(is_complete, raw)
    return is_complete(raw)
