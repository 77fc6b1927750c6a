"""Canaan's ``setpool``: pools saved for the next boot, confirmed in the reply.

Facts (Canaan's A10 API manual §2.5, a user report to Canaan and two public clients):

- ``ascset|0,setpool,<user>,<password>,<n>,<url>,<worker>,<workerpasswd>``: the web
  login (``root`` / ``root`` out of the box) comes first, then the pool slot ``n``
  (0 first). The manual's example leaves the slot out and sets one pool; firmware
  since then answers that form with "we need 6 arguments" (Canaan-Creative/
  avalon10-docs issue 2), and the clients that set three pools send the slot.
- The reply is STATUS "I" (code 118) with ``pool success set to <url>``,
  ``worker is <worker>``, ``workerpassword is <password>`` and "Please reboot miner to
  make config work." in its text: the pool is saved, not in use. ``pools`` keeps
  showing the old ones until the reboot (``ascset|0,reboot,0``, which the manual says
  to send after a pool change).
- Nothing reads the saved pools back before that reboot, so the reply's own echo of the
  URL and worker is the read-back; ``pools`` after the reboot shows what took.
- The Avalon Q's ``ascset help`` (asic-rs capture) lists no ``setpool``: the home units
  are set up in Canaan's app, and only the A-series racks are offered the write.

⚠ Unverified on hardware: the slot numbering (one client of the Nano 3 counts from 1),
and the reply of firmware that takes the slot. The reply text repeats the pool
password, so no error here ever quotes it.
"""

from __future__ import annotations

import re
from typing import Any

from ...exceptions import MinerControlRefusedError, MinerValueError
from ...models import Credentials, PoolConfig

DEFAULT_LOGIN = Credentials("root", "root")
_SAVED_URL = re.compile(r"pool success set to\s*(\S+)", re.IGNORECASE)
_SAVED_WORKER = re.compile(r"worker is\s*(\S+)", re.IGNORECASE)
_LOGIN_FORBIDDEN = re.compile(r"[,|\s]")


def setpool_option(login: tuple[str, str], slot: int, pool: PoolConfig) -> str:
    """The ``ascset`` option saving ``pool`` (checked already) in ``slot``."""
    user, password = login
    if not user or _LOGIN_FORBIDDEN.search(user) or _LOGIN_FORBIDDEN.search(password):
        # ascset splits its parameter at commas: such a login cannot be sent.
        raise MinerValueError(
            "the miner's web login must be set and hold no commas or spaces to save pools"
        )
    return f"setpool,{user},{password},{slot},{pool.url},{pool.user},{pool.password or 'x'}"


def saved_pool(reply: Any, where: str) -> PoolConfig:
    """The URL and worker the reply says were saved (no password: it is not repeated)."""
    status = reply.get("STATUS") if isinstance(reply, dict) else None
    item = status[0] if isinstance(status, list) and status else status
    msg = item.get("Msg") if isinstance(item, dict) else None
    text = msg if isinstance(msg, str) else ""
    url, worker = _SAVED_URL.search(text), _SAVED_WORKER.search(text)
    if url is None or worker is None:
        code = item.get("Code") if isinstance(item, dict) else None
        # The text may hold the password: only its code is named.
        raise MinerControlRefusedError(where, f"no pool saved (reply code {code})")
    return PoolConfig(url.group(1), worker.group(1), "")
