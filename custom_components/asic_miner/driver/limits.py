"""The largest reply each firmware family may send, per request.

Anything on the LAN can answer on a miner's ports; a bound per family keeps what one
poll reads (and parses) to a size its real replies never come near. Real replies are
a few kilobytes (the largest, a Whatsminer listing hundreds of errors or a Braiins
GraphQL dump, stay well under 100 kB); the bounds leave several times that.
"""

from __future__ import annotations

from typing import Final

DEFAULT_MAX_REPLY_BYTES: Final = 512 * 1024

MAX_REPLY_BYTES: Final[dict[str, int]] = {
    "antminer": 256 * 1024,
    "avalon": 256 * 1024,
    "bitaxe": 128 * 1024,
    "braiins": 512 * 1024,
    "epic": 256 * 1024,
    "luxos": 256 * 1024,
    "vnish": 256 * 1024,
    "whatsminer": 512 * 1024,
}


def max_reply_bytes(family: str) -> int:
    """The bound for one family's replies (RPC reply, HTTP body)."""
    return MAX_REPLY_BYTES.get(family, DEFAULT_MAX_REPLY_BYTES)
