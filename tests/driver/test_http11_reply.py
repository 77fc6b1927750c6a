"""The lean client's reply parser, fed valid and hostile replies in every kind of cut.

Whatever the cuts (one byte at a time, random pieces, all at once) a valid reply reads
the same; a hostile one fails with the same error at its first bad byte, and no bound
(head, header count, chunk-size line, trailers, body) is passed on the way.
"""

from __future__ import annotations

import gzip
import random
import zlib

import pytest

from custom_components.asic_miner.driver.exceptions import MinerResponseError
from custom_components.asic_miner.driver.transports.http11_reply import (
    MAX_HEAD_BYTES,
    MAX_HEADERS,
    MalformedReplyError,
    ReplyReader,
)

JSON = b'{"STATUS":"S","hashrate":[1,2,3]}'

VALID: list[tuple[str, bytes, bool, int, bytes, bool]] = [
    # (name, reply, HEAD request, status, body, kept alive)
    (
        "length",
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 33\r\n\r\n" + JSON,
        False,
        200,
        JSON,
        True,
    ),
    (
        "chunked with extensions and trailers",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"a;name=x\r\n" + JSON[:10] + b"\r\n17\r\n" + JSON[10:] + b"\r\n"
        b"0\r\nX-Trailer: 1\r\n\r\n",
        False,
        200,
        JSON,
        True,
    ),
    (
        "chunked, bare line feeds",
        b"HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n21\n" + JSON + b"\n0\n\n",
        False,
        200,
        JSON,
        True,
    ),
    (
        "read to the close (HTTP/1.0)",
        b"HTTP/1.0 200 OK\r\nServer: tiny\r\n\r\n" + JSON,
        False,
        200,
        JSON,
        False,
    ),
    (
        "Connection: close with a length",
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 33\r\n\r\n" + JSON,
        False,
        200,
        JSON,
        False,
    ),
    ("204", b"HTTP/1.1 204 No Content\r\n\r\n", False, 204, b"", True),
    ("304", b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", False, 304, b"", True),
    ("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", True, 200, b"", True),
    (
        "100 Continue first",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
        False,
        201,
        b"ok",
        True,
    ),
    (
        "bare line feeds, a CRLF blank line in the body",
        b"HTTP/1.1 200 OK\nContent-Length: 6\n\na\r\n\r\nb",
        False,
        200,
        b"a\r\n\r\nb",
        True,
    ),
    (
        "chunked and a length: chunked, not kept",
        b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"21\r\n" + JSON + b"\r\n0\r\n\r\n",
        False,
        200,
        JSON,
        False,
    ),
    (
        "HTTP/1.0 keep-alive, folded header",
        b"HTTP/1.0 302 Found\r\nConnection: keep-alive\r\nX-Long: a\r\n b\r\n"
        b"Location: /x\r\nContent-Length: 0\r\n\r\n",
        False,
        302,
        b"",
        True,
    ),
]


def _read(
    reply: bytes, cuts: list[int], *, head: bool = False, tail: int | None = None
) -> ReplyReader:
    reader = ReplyReader(head_request=head, limit=1000, tail=tail)
    start = 0
    done = False
    for end in [*cuts, len(reply)]:
        assert not done, "bytes after the reply was whole"
        done = reader.feed(reply[start:end])
        start = end
    if not done:
        assert reader.eof()
    return reader


def _cuts(rng: random.Random, size: int) -> list[int]:
    return sorted(rng.sample(range(1, size), rng.randint(0, min(size - 1, 12))))


@pytest.mark.parametrize("row", VALID, ids=[row[0] for row in VALID])
def test_valid_replies_read_the_same_whatever_the_cuts(
    row: tuple[str, bytes, bool, int, bytes, bool],
) -> None:
    name, reply, head, status, body, alive = row
    rng = random.Random(name)
    every_byte = list(range(1, len(reply)))
    for cuts in [[], every_byte, *(_cuts(rng, len(reply)) for _ in range(40))]:
        reader = _read(reply, cuts, head=head)
        assert (reader.status, bytes(reader.body), reader.keep_alive) == (status, body, alive)
        assert not reader.cut


def test_headers_keep_their_case_and_the_first_of_repeats() -> None:
    reply = (
        b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: b=2\r\n"
        b"WWW-Authenticate: Digest x\r\nContent-Length: 0\r\n\r\n"
    )
    headers = _read(reply, []).headers
    assert headers == {
        "Set-Cookie": "a=1; Path=/",
        "WWW-Authenticate": "Digest x",
        "Content-Length": "0",
    }


def test_tail_keeps_the_last_bytes_in_every_framing() -> None:
    body = bytes(range(256)) * 20
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 700]), body[i : i + 700])
        for i in range(0, len(body), 700)
    )
    replies = [
        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked + b"0\r\n\r\n",
        b"HTTP/1.0 200 OK\r\n\r\n" + body,
    ]
    rng = random.Random(7)
    for reply in replies:
        reader = _read(reply, _cuts(rng, len(reply)), tail=300)
        assert bytes(reader.body) == body[-300:]
        assert reader.cut
        short = _read(reply, [], tail=len(body))
        assert bytes(short.body) == body
        assert not short.cut


HOSTILE: list[tuple[str, bytes, type[Exception], str]] = [
    ("garbage status line", b"SSH-2.0-OpenSSH_9.6\r\n\r\n", MalformedReplyError, "status line"),
    ("no status code", b"HTTP/1.1 OK\r\n\r\n", MalformedReplyError, "status line"),
    ("HTTP/2 preface", b"HTTP/2 200\r\n\r\n", MalformedReplyError, "status line"),
    (
        "endless head",
        b"HTTP/1.1 200 OK\r\nX: " + b"a" * (MAX_HEAD_BYTES + 10),
        MalformedReplyError,
        "head longer",
    ),
    (
        "too many headers",
        b"HTTP/1.1 200 OK\r\n" + b"X: 1\r\n" * (MAX_HEADERS + 1) + b"\r\n",
        MalformedReplyError,
        "header lines",
    ),
    (
        "header without colon",
        b"HTTP/1.1 200 OK\r\nnonsense\r\n\r\n",
        MalformedReplyError,
        "header line",
    ),
    (
        "bad length",
        b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
        MalformedReplyError,
        "Content-Length",
    ),
    (
        "two lengths",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        MalformedReplyError,
        "two different",
    ),
    (
        "length past the bound",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n",
        MinerResponseError,
        "larger",
    ),
    (
        "bad chunk size",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        MalformedReplyError,
        "chunk size",
    ),
    (
        "endless chunk-size line",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"0" * 5000,
        MalformedReplyError,
        "line too long",
    ),
    (
        "huge chunk size",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n",
        MinerResponseError,
        "larger",
    ),
    (
        "chunks past the bound",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"200\r\n"
        + b"x" * 512
        + b"\r\n"
        + b"200\r\n"
        + b"x" * 512,
        MinerResponseError,
        "larger",
    ),
    (
        "chunk without its line end",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX",
        MalformedReplyError,
        "line end",
    ),
    (
        "endless trailers",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + b"X: 1234567\r\n" * 1000,
        MalformedReplyError,
        "trailers",
    ),
    # Digits outside ASCII ("²", fullwidth) pass str.isdigit but not int(): still malformed.
    (
        "superscript length",
        "HTTP/1.1 200 OK\r\nContent-Length: ²\r\n\r\n".encode(),
        MalformedReplyError,
        "Content-Length",
    ),
    ("superscript status", "HTTP/1.1 ²²² OK\r\n\r\n".encode(), MalformedReplyError, "status"),
    ("upgrade", b"HTTP/1.1 101 Switching Protocols\r\n\r\n", MalformedReplyError, "101"),
]


@pytest.mark.parametrize(("name", "reply", "error", "match"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_replies_fail_whatever_the_cuts(
    name: str, reply: bytes, error: type[Exception], match: str
) -> None:
    rng = random.Random(name)
    for cuts in [[], *(_cuts(rng, len(reply)) for _ in range(10))]:
        with pytest.raises(error, match=match):
            _read(reply, cuts)


def test_bytes_past_the_reply_in_the_same_read() -> None:
    """Extra bytes in a later read reach no reader: the connection is dropped instead."""
    reader = ReplyReader(head_request=False, limit=1000, tail=None)
    with pytest.raises(MalformedReplyError, match="past the end"):
        reader.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA")
    reader = ReplyReader(head_request=False, limit=1000, tail=None)
    with pytest.raises(MalformedReplyError, match="past the end"):
        reader.feed(b"HTTP/1.1 204 No Content\r\n\r\nEXTRA")
    reader = ReplyReader(head_request=False, limit=1000, tail=None)
    with pytest.raises(MalformedReplyError, match="past the end"):
        reader.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nEXTRA")


def test_a_reply_cut_short_is_not_whole() -> None:
    for reply in (
        b"HTTP/1.1 200 OK\r\nContent-Length: 33\r\n\r\n" + JSON[:10],
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n21\r\n" + JSON,
        b"HTTP/1.1 200 OK\r\nContent-",
    ):
        reader = ReplyReader(head_request=False, limit=1000, tail=None)
        assert not reader.feed(reply)
        assert not reader.eof()


def test_compressed_bodies_inflate_within_the_bound() -> None:
    """AxeOS sends its pages gzipped even unasked; a bomb stops at the body bound."""
    page = b"<html>" + b"AxeOS " * 100 + b"</html>"
    rng = random.Random(3)
    for encoding, packed in (
        (b"gzip", gzip.compress(page)),
        (b"deflate", zlib.compress(page)),
    ):
        reply = (
            b"HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n"
            % (encoding, len(packed))
            + packed
        )
        for cuts in [[], *(_cuts(rng, len(reply)) for _ in range(10))]:
            reader = _read(reply, cuts)
            assert bytes(reader.body) == page
            assert reader.headers["Content-Encoding"] == encoding.decode()
    bomb = gzip.compress(b"\0" * 10_000_000)
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb)
    reader = ReplyReader(head_request=False, limit=len(bomb) + 1000, tail=None)
    with pytest.raises(MinerResponseError, match="larger than"):
        reader.feed(head + bomb)
    assert len(reader.body) < len(bomb) + 1000 + 65536
    reader = ReplyReader(head_request=False, limit=1000, tail=None)
    with pytest.raises(MalformedReplyError, match="bad compressed body"):
        reader.feed(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nnope!")
