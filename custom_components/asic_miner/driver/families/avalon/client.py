"""Commands to Canaan's cgminer for the controls: one at a time, replies checked whole.

Canaan's API manual says the API is single-threaded and takes one command at a time,
so controls wait their turn. Controls are ``ascset`` options and ``restart``:
``softoff``/``softon`` take a Unix time a few seconds ahead and act then; ``softon``
may close the socket without a reply, which looks like a dropped connection;
``restart`` answers ``RESTART`` where a status belongs (in whichever of the shapes
cgminer builds: a bare string, ``{"STATUS":"RESTART"}`` or the invalid
``{"RESTART",…}``). Every ``ascset`` it handles comes back with STATUS "I" (code 118,
"ASC 0 set info: …") or "S"; an option it cannot take may come back as "I" too, with
the reason as text.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from ...context import MinerContext
from ...exceptions import MinerConnectionError, MinerResponseError, MinerTimeoutError
from ...transports.rpc import parse_whole
from ...transports.rpc_parse import check_status

_ASCSET_FAILED = re.compile(r"fail|invalid|unknown|error|not support", re.IGNORECASE)


def check_ascset(reply: Any, where: str) -> None:
    """Raise when an ``ascset`` reply with a success letter reports a failure in its text."""
    if reply is None:
        return
    status = reply.get("STATUS") if isinstance(reply, dict) else None
    item = status[0] if isinstance(status, list) and status else status
    msg = item.get("Msg") if isinstance(item, dict) else None
    if isinstance(msg, str) and _ASCSET_FAILED.search(msg):
        raise MinerResponseError(f"{where}: the miner refused it: {msg}")


def restart_accepted(raw: bytes) -> bool:
    """Whether a ``restart`` reply says RESTART, in any shape cgminer builds it."""
    text = raw.decode("utf-8", errors="replace").strip("\x00 \r\n\t")
    return re.fullmatch(r'\{?\s*(?:"STATUS"\s*:\s*)?"?RESTART"?.*', text, re.DOTALL) is not None


class AvalonClient:
    """One miner's command line: each command on its own connection, in turn."""

    def __init__(self, ctx: MinerContext) -> None:
        self.ctx = ctx
        self._turn = asyncio.Lock()  # the API takes one command at a time

    async def send(self, command: str, parameter: str | None = None) -> bytes | None:
        """The raw reply; ``None``: the miner hung up without a word, the socket was fine."""
        payload: dict[str, Any] = {"command": command}
        if parameter is not None:
            payload["parameter"] = parameter
        data = json.dumps(payload, separators=(",", ":")).encode()
        async with self._turn:
            try:
                return await self.ctx.rpc().send_raw(data)
            except MinerTimeoutError:
                raise
            except MinerConnectionError as err:
                if err.__cause__ is None:
                    return None
                raise

    async def command(
        self, command: str, parameter: str | None = None, *, may_close: bool = False
    ) -> Any:
        """One command's parsed reply; an error STATUS raises."""
        raw = await self.send(command, parameter)
        where = f"{self.ctx.host}:{self.ctx.ports.rpc} {command}"
        if raw is None:
            if may_close:
                return None
            raise MinerConnectionError(f"{where}: connection closed without reply")
        reply = await parse_whole(raw, where)
        try:
            return check_status(reply)
        except MinerResponseError as err:
            raise MinerResponseError(f"{where}: {err}") from err

    async def ascset(self, option: str, *, may_close: bool = False) -> Any:
        """``ascset 0,<option>``; an "info" reply that reports a failure is a refusal."""
        reply = await self.command("ascset", f"0,{option}", may_close=may_close)
        check_ascset(reply, f"{self.ctx.host} ascset {option.split(',', maxsplit=1)[0]}")
        return reply
