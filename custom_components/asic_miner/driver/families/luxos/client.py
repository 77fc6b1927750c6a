"""Talking to LUXminer: one command per connection, and the session privileged commands need.

Privileged commands (``curtail``, ``ledset``, ``profileset``, ``atmset``,
``rebootdevice``, ``resetminer``) need a session: ``session`` names the active one
(LuxOS has at most one, shared by whoever asks), else ``logon`` creates it; the ID
goes first in the comma-separated parameter. ``logon`` takes no credentials, so the
family has none. The ID is kept (LuxOS ends an idle session after a minute); a reply
refusing it makes the client open a fresh session once and retry once.
"""

from __future__ import annotations

from typing import Any

from ...context import MinerContext
from ...exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerResponseError,
    MinerTimeoutError,
)
from ...values import clean_str
from .._cgminer import first, refusal


class SessionRefusedError(MinerResponseError):
    """LUXminer refused a session ID (expired, ended, or another session is active)."""


async def request(ctx: MinerContext, command: str, parameter: str | None = None) -> dict[str, Any]:
    """One command on its own connection; the reply checked whole and successful.

    LUXminer ends each reply with a NUL; a connection cut mid-reply is refused by the
    transport's completeness check rather than parsed as a shorter, valid-looking reply.
    A refused session is told apart (``SessionRefusedError``), so the caller can renew it.
    """
    payload: dict[str, str] = {"command": command}
    if parameter is not None:
        payload["parameter"] = parameter
    client = ctx.rpc()
    reply = await client.request(payload, whole=True)
    where = f"{ctx.host} {command}"
    if not isinstance(reply, dict):
        raise MinerResponseError(f"{where}: reply is not an object")
    said = refusal(reply)
    if said is not None:
        if "session" in said.lower():
            raise SessionRefusedError(f"{where}: {said}")
        raise MinerResponseError(f"{where}: {said}")
    return reply


class LuxSession:
    """The session ID privileged commands carry, kept between commands."""

    def __init__(self, ctx: MinerContext) -> None:
        self.ctx = ctx
        self._id: str | None = None

    def forget(self) -> None:
        """Drop the kept ID (a restart ends every session)."""
        self._id = None

    async def _active(self) -> str | None:
        reply = await request(self.ctx, "session")
        try:
            return clean_str(first(reply, "SESSION").get("SessionID"))
        except (KeyError, IndexError, TypeError) as err:
            raise MinerResponseError(f"{self.ctx.host}: session reply without SESSION") from err

    async def open(self, *, fresh: bool = False) -> str:
        """The kept session ID, else the active one, else a new one from ``logon``."""
        if self._id is not None and not fresh:
            return self._id
        self._id = None
        session_id = await self._active()
        if session_id is None:
            try:
                reply = await request(self.ctx, "logon")
                session_id = clean_str(first(reply, "SESSION").get("SessionID"))
            except SessionRefusedError:
                # Someone logged on between our two questions: share their session.
                session_id = await self._active()
            except (KeyError, IndexError, TypeError) as err:
                raise MinerResponseError(f"{self.ctx.host}: logon reply without SESSION") from err
        if session_id is None:
            raise MinerAuthenticationError(f"{self.ctx.host}: LuxOS would not open a session")
        self._id = session_id
        return session_id

    async def run(
        self, command: str, *params: str, may_drop: bool = False
    ) -> dict[str, Any] | None:
        """Run a session command; a refused session is replaced once, then retried once.

        With ``may_drop`` a connection the miner drops before answering (``reboot``
        taking it down) counts as done.
        """
        for attempt in range(2):
            session_id = await self.open(fresh=attempt > 0)
            try:
                return await request(self.ctx, command, ",".join((session_id, *params)))
            except SessionRefusedError as err:
                self._id = None
                if attempt:
                    raise MinerAuthenticationError(
                        f"{self.ctx.host}: LuxOS refused a fresh session for {command}: {err}"
                    ) from err
            except MinerConnectionError as err:
                if may_drop and not isinstance(err, MinerTimeoutError):
                    return None
                raise
        raise AssertionError("unreachable")
