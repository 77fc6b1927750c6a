"""The scanner's C-speed paths agree with a byte-by-byte reading of the same bytes.

``JsonScanner.feed`` splits a stretch on its quotes when it holds no backslash, uses a
regular expression when it does, and goes token by token only for a stretch with
backslashes that ends inside a string. Whatever the path and wherever a socket cuts
the reply, depth, string state, stray closers and the depth bound must come out as a
plain reading of every byte gives them; ``is_complete`` and ``max_depth`` share the
string removal.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from custom_components.asic_miner.driver.transports.json_scan import (
    JsonScanner,
    is_complete,
    max_depth,
)


@dataclass
class _Plain:
    """The reference: one byte at a time, stopping at the first level past the limit."""

    limit: int
    depth: int = 0
    in_string: bool = False
    escape: bool = False
    opened: bool = False
    stray: bool = False
    too_deep: bool = False

    def feed(self, data: bytes) -> None:
        for byte in data:
            if self.too_deep:
                return
            char = chr(byte)
            if self.in_string:
                if self.escape:
                    self.escape = False
                elif char == "\\":
                    self.escape = True
                elif char == '"':
                    self.in_string = False
            elif char == '"':
                self.in_string = True
            elif char in "[{":
                self.depth += 1
                self.opened = True
                self.too_deep = self.depth > self.limit
            elif char in "]}":
                self.depth -= 1
                self.stray = self.stray or self.depth < 0


def _state(scanner: JsonScanner | _Plain) -> tuple[object, ...]:
    if scanner.too_deep:
        return (True, scanner.depth)
    return (False, scanner.depth, scanner.in_string, scanner.opened, scanner.stray)


def _fed(data: bytes, cuts: list[int], limit: int) -> JsonScanner:
    scanner = JsonScanner(limit)
    buf = bytearray()
    start = 0
    for cut in [*cuts, len(data)]:
        buf += data[start:cut]
        start = cut
        scanner.feed(buf)
    return scanner


@pytest.mark.parametrize(
    ("data", "cuts"),
    [
        (b'{"a":"x\\"}","b":[1,{"c":"]"}]}', [7, 8, 9]),  # escaped quote, cut at it
        (b'{"a":"x\\\\"}', [8]),  # an escaped backslash, then the quote ends the string
        (b'{"path":"a\\/b","v":[1,2]}', [11]),  # cut inside a string with backslashes
        (b'{"a":"[[[[","b":{}}', [3, 6]),  # brackets inside a string, cut inside it
        (b'{"a":1}}{', []),  # a stray closer, then a new opener
        (b'"cut [[[', [2]),  # a string that never ends
        (b"[" * 70 + b"]" * 70, [30, 66]),  # past the bound in the second chunk
        (b'["\\', [2]),  # ends on a backslash: its character has not arrived
    ],
)
def test_cases_agree_with_a_plain_reading(data: bytes, cuts: list[int]) -> None:
    plain = _Plain(64)
    plain.feed(data)
    assert _state(_fed(data, cuts, 64)) == _state(plain)
    assert _state(_fed(data, [], 64)) == _state(plain)


def test_random_replies_agree_with_a_plain_reading() -> None:
    rnd = random.Random(12)
    alphabet = b'{}[]"\\:,a1 '
    for _ in range(400):
        data = bytes(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 60)))
        cuts = sorted(rnd.sample(range(len(data) + 1), min(len(data), rnd.randrange(4))))
        limit = rnd.choice((2, 4, 64))
        plain = _Plain(limit)
        plain.feed(data)
        assert _state(_fed(data, cuts, limit)) == _state(plain), (data, cuts)


def test_whole_reply_checks_with_and_without_backslashes() -> None:
    for escaped in (False, True):
        text = b'{"a":"x\\"}","b":[1]}' if escaped else b'{"a":"x}","b":[1]}'
        assert is_complete(text + b"\x00")
        assert not is_complete(text[:-1])  # cut short
        assert not is_complete(text[:8])  # cut inside a string
        assert not is_complete(text + b"]")  # a stray closer
        assert max_depth(text) == 2
