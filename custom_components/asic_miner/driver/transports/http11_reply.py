"""An HTTP/1.1 reply read incrementally, as its bytes arrive, with every part bounded.

``ReplyReader.feed`` takes whatever the socket delivered, in any cuts, and says when the
reply is whole; ``eof`` says whether the connection closing ends it (a body read to the
close) or cuts it short. The head is bounded (bytes and header lines), chunk-size and
trailer lines are bounded, and the body is bounded by ``limit`` unless a ``tail`` is
asked for, which keeps only the body's last bytes. Every byte is looked at a constant
number of times (the head's end is searched from where the last search stopped), so
the work is linear in the reply whatever its cuts.
"""

from __future__ import annotations

import re
import zlib
from typing import Final

from ..exceptions import MinerResponseError

MAX_HEAD_BYTES: Final = 32 * 1024
"""Status line and headers together; real miners send a few hundred bytes."""
MAX_HEADERS: Final = 100
MAX_LINE_BYTES: Final = 1024
"""A chunk-size line (with extensions) or one trailer line."""
MAX_TRAILER_BYTES: Final = 8 * 1024

# Body framings (RFC 9112 §6.3).
_NONE, _LENGTH, _CHUNKED, _TO_CLOSE = range(4)
# Where a chunked body is.
_SIZE, _DATA, _DATA_END, _TRAILER = range(4)

_HEX: Final = frozenset(b"0123456789abcdefABCDEF")
_WBITS: Final = {
    "gzip": 16 + zlib.MAX_WBITS,
    "x-gzip": 16 + zlib.MAX_WBITS,
    "deflate": zlib.MAX_WBITS,
}
_INFLATE_STEP: Final = 64 * 1024


# One header line: a token name, a colon, the value to the line's end (stripped after;
# a lazy value before optional blanks would backtrack on a line of blanks).
_FIELD: Final = re.compile(r"^([!#$%&'*+.^_`|~0-9A-Za-z-]+):([^\r\n]*)\r?$", re.MULTILINE)
_FRAMING: Final = frozenset(
    ("connection", "content-encoding", "content-length", "transfer-encoding")
)


def _fields_slowly(fields: str) -> list[tuple[str, str]]:
    """Header lines one by one, joining obsolete folded lines; a bad line is an error."""
    pairs: list[tuple[str, str]] = []
    for raw in fields.split("\n"):
        line = raw.removesuffix("\r")
        if line[:1] in (" ", "\t") and pairs:
            name, value = pairs[-1]
            pairs[-1] = (name, f"{value.strip()} {line.strip()}")
            continue
        match = _FIELD.fullmatch(line)
        if match is None:
            raise MalformedReplyError(f"bad header line {line[:40]!r}")
        pairs.append((match[1], match[2]))
    return pairs


class MalformedReplyError(Exception):
    """The peer's bytes are not an HTTP/1.x reply (the client maps it to a connection error,
    as aiohttp's parser errors were)."""


class ReplyReader:
    """One reply: ``feed`` bytes until it returns True, then read the fields."""

    __slots__ = (
        "_buf",
        "_chunk_state",
        "_framing",
        "_head_done",
        "_head_request",
        "_inflate",
        "_remaining",
        "_scanned",
        "_trailer_bytes",
        "body",
        "cut",
        "headers",
        "keep_alive",
        "limit",
        "status",
        "tail",
    )

    def __init__(self, *, head_request: bool, limit: int, tail: int | None) -> None:
        self._head_request = head_request
        self.limit = limit
        self.tail = tail
        self._buf = bytearray()
        self._scanned = 0
        self._head_done = False
        self._framing = _NONE
        self._remaining = 0
        self._chunk_state = _SIZE
        self._trailer_bytes = 0
        self._inflate: zlib._Decompress | None = None
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = bytearray()
        self.cut = False
        self.keep_alive = False

    # -- input ------------------------------------------------------------------------

    def feed(self, data: bytes) -> bool:
        """Take the next bytes; True once the reply is whole (bytes past it are an error)."""
        if not self._head_done:
            self._buf += data
            if not self._read_head():
                return False
            if self._framing == _CHUNKED:
                return self._feed_chunked()  # the rest of the buffer is the body
            data = bytes(self._buf)
            self._buf.clear()
            if self._framing == _NONE:
                return self._finish_extra(data)
        if self._framing == _LENGTH:
            return self._feed_length(data)
        if self._framing == _CHUNKED:
            self._buf += data
            return self._feed_chunked()
        self._add(data)  # read to the close
        return False

    def eof(self) -> bool:
        """The peer closed: True when that ends the reply, else it was cut short."""
        return self._head_done and self._framing == _TO_CLOSE

    # -- the head ---------------------------------------------------------------------

    def _read_head(self) -> bool:
        while True:
            buf = self._buf
            start = max(0, self._scanned - 3)
            # The first blank line, whichever its line ends: a bare-LF head's end comes
            # before a CRLF blank line in its body, whatever the cuts.
            end, skip = buf.find(b"\r\n\r\n", start), 4
            bare = buf.find(b"\n\n", start, None if end < 0 else end)
            if bare >= 0:
                end, skip = bare, 2
            if end < 0:
                if len(buf) > MAX_HEAD_BYTES:
                    raise MalformedReplyError(f"reply head longer than {MAX_HEAD_BYTES} bytes")
                self._scanned = len(buf)
                return False
            if end > MAX_HEAD_BYTES:
                raise MalformedReplyError(f"reply head longer than {MAX_HEAD_BYTES} bytes")
            head = bytes(buf[:end])
            del buf[: end + skip]
            self._scanned = 0
            if self._parse_head(head):
                self._head_done = True
                return True
            # an interim 1xx reply (100 Continue, 103): the real one follows

    def _parse_head(self, head: bytes) -> bool:
        text = head.decode("utf-8", "surrogateescape")
        status_line, _, fields = text.partition("\n")
        parts = status_line.split(None, 2)
        if (
            len(parts) < 2
            or parts[0] not in ("HTTP/1.1", "HTTP/1.0")
            or len(parts[1]) != 3
            or not (parts[1].isascii() and parts[1].isdigit())  # not "²", which int() refuses
        ):
            raise MalformedReplyError(f"not an HTTP/1.x status line: {status_line[:40]!r}")
        status = int(parts[1])
        lines = fields.count("\n") + 1 if fields else 0
        if lines > MAX_HEADERS:
            raise MalformedReplyError(f"more than {MAX_HEADERS} header lines")
        pairs = _FIELD.findall(fields)
        if len(pairs) != lines:
            pairs = _fields_slowly(fields)  # folded lines, or a bad one
        headers: dict[str, str] = {}
        framing: dict[str, str] = {}
        for name, raw in pairs:
            value = raw.strip()
            if name not in headers:  # the first of repeated headers, as aiohttp's dict()
                headers[name] = value
            lower = name.lower()
            if lower in _FRAMING:
                seen = framing.get(lower)
                if seen is None:
                    framing[lower] = value
                elif lower == "transfer-encoding":
                    framing[lower] = seen + "," + value
                elif lower == "content-length" and seen != value:
                    raise MalformedReplyError("two different Content-Length headers")
        if 100 <= status < 200:
            if status == 101:
                raise MalformedReplyError("101 Switching Protocols was never asked for")
            return False
        self.status = status
        self.headers = headers
        self._frame(parts[0] == "HTTP/1.1", framing)
        return True

    def _frame(self, http11: bool, values: dict[str, str]) -> None:
        connection = values.get("connection", "").lower()
        self.keep_alive = "close" not in connection if http11 else "keep-alive" in connection
        if self._head_request or self.status in (204, 304):
            self._framing = _NONE
            return
        encoding = values.get("content-encoding", "").lower()
        if encoding in _WBITS:  # sent even unasked (AxeOS serves its pages gzipped)
            self._inflate = zlib.decompressobj(_WBITS[encoding])
        coding = values.get("transfer-encoding")
        if coding is not None:
            if coding.lower().rsplit(",", 1)[-1].strip() != "chunked":
                self._framing = _TO_CLOSE  # RFC 9112 §6.3: read until the close
                self.keep_alive = False
                return
            self._framing = _CHUNKED
            if "content-length" in values:  # RFC 9112 §6.3: smuggling-shaped, not reused
                self.keep_alive = False
            return
        length = values.get("content-length")
        if length is not None:
            if not (length.isascii() and length.isdigit()) or len(length) > 18:
                raise MalformedReplyError(f"bad Content-Length {length[:20]!r}")
            self._remaining = int(length)
            if self.tail is None and self._remaining > self.limit:
                raise MinerResponseError(f"body larger than {self.limit} bytes")
            self._framing = _LENGTH if self._remaining else _NONE
            return
        self._framing = _TO_CLOSE
        self.keep_alive = False

    # -- the body ---------------------------------------------------------------------

    def _add(self, data: bytes | bytearray) -> None:
        """Body bytes as they came; a compressed body inflates a bounded step at a time,
        so a small bomb stops at the bound like a large body."""
        inflate = self._inflate
        if inflate is None:
            self._keep(data)
            return
        try:
            while data:
                self._keep(inflate.decompress(data, _INFLATE_STEP))
                data = inflate.unconsumed_tail
        except zlib.error as err:
            raise MalformedReplyError(f"bad compressed body: {err}") from None

    def _keep(self, data: bytes | bytearray) -> None:
        body = self.body
        body += data
        if self.tail is None:
            if len(body) > self.limit:
                raise MinerResponseError(f"body larger than {self.limit} bytes")
        elif len(body) > self.tail:
            del body[: len(body) - self.tail]
            self.cut = True

    def _feed_length(self, data: bytes) -> bool:
        remaining = self._remaining
        if len(data) > remaining:
            raise MalformedReplyError("bytes past the end of the reply")
        self._add(data)
        self._remaining = remaining - len(data)
        return self._remaining == 0

    def _finish_extra(self, data: bytes) -> bool:
        if data:
            raise MalformedReplyError("bytes past the end of the reply")
        return True

    def _feed_chunked(self) -> bool:
        buf = self._buf
        while True:
            state = self._chunk_state
            if state == _DATA:
                take = min(self._remaining, len(buf))
                if take:
                    self._add(buf[:take])
                    del buf[:take]
                    self._remaining -= take
                if self._remaining:
                    return False
                self._chunk_state = _DATA_END
            elif state == _DATA_END:
                if buf[:2] == b"\r\n":
                    del buf[:2]
                elif buf[:1] == b"\n":
                    del buf[:1]
                elif len(buf) < 2 and (not buf or buf[0] == 0x0D):
                    return False
                else:
                    raise MalformedReplyError("chunk not followed by its line end")
                self._chunk_state = _SIZE
            else:
                end = buf.find(b"\n", 0, MAX_LINE_BYTES + 1)
                if end < 0:
                    if len(buf) > MAX_LINE_BYTES:
                        raise MalformedReplyError("chunk-size or trailer line too long")
                    return False
                line = bytes(buf[:end]).rstrip(b"\r")
                del buf[: end + 1]
                if state == _SIZE:
                    self._chunk_size(line)
                elif not line:  # the empty line after the trailers: done
                    if buf:
                        raise MalformedReplyError("bytes past the end of the reply")
                    return True
                else:
                    self._trailer_bytes += len(line)
                    if self._trailer_bytes > MAX_TRAILER_BYTES:
                        raise MalformedReplyError("trailers too long")

    def _chunk_size(self, line: bytes) -> None:
        digits = line.split(b";", 1)[0].strip()
        if not digits or len(digits) > 15 or not _HEX.issuperset(digits):
            raise MalformedReplyError(f"bad chunk size {line[:20]!r}")
        size = int(digits, 16)
        if self.tail is None and size > self.limit:
            raise MinerResponseError(f"body larger than {self.limit} bytes")
        self._remaining = size
        self._chunk_state = _DATA if size else _TRAILER
