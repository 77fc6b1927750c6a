"""The largest reply a family may send per request, unless its ``Family`` says less.

Each family sets its own bound (``Family.max_reply_bytes``); this default serves a
connection made before the family is known (identification) and a family that names
none.
"""

from __future__ import annotations

from typing import Final

DEFAULT_MAX_REPLY_BYTES: Final = 512 * 1024
