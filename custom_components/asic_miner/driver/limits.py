"""How large one reply may be: a family's bound, and the one before a family is known.

Anything on the LAN can answer on a miner's ports; a bound keeps what one poll reads
(and parses) to a size real replies never come near. Real replies are a few kilobytes
(the largest, a Whatsminer listing hundreds of errors or a Braiins GraphQL dump, stay
well under 100 kB). A family whose replies run larger or smaller says so in its
``Family.max_reply_bytes``.
"""

from __future__ import annotations

from typing import Final

# Before the family is known (identification), the largest any family allows.
DEFAULT_MAX_REPLY_BYTES: Final = 512 * 1024
# A family that names no bound of its own.
FAMILY_MAX_REPLY_BYTES: Final = 256 * 1024
# Boards, fans, pools, errors, work modes: no miner has more; a reply that counts more
# is cut here, and a count in a reply never makes a parser loop further.
MAX_ITEMS: Final = 1_000
