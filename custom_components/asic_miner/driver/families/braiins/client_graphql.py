"""The GraphQL session of Braiins OS releases before 25.07, and identification over it.

Login is the ``auth.login`` mutation; it answers ``VoidResult`` and sets a session
cookie, or ``AuthError`` for a wrong password (HTTP 200 either way, so the union
type, not the status, says which). The cookie goes back on every later request. The
default password of these releases is empty.

The MAC address is in the schema only from 24.09 (``bos.macAddress``), serials from
25.03; otherwise the MAC comes through LuCI, which needs its own form login and answers
only to the ``BTC Tools v0.1`` user agent.
"""

from __future__ import annotations

import logging
from typing import Any

from ...context import MinerContext
from ...exceptions import (
    MinerAuthenticationError,
    MinerError,
    MinerResponseError,
    MinerUnsupportedError,
)
from ...models import Credentials
from ...transports.http import HttpReply
from ...values import clean_str, normalize_mac
from .._session import LoginSession, session_cookie
from .parse_graphql import SYSTEM_QUERY, GraphqlData, path

_LOGGER = logging.getLogger(__name__)

PATH = "/graphql"
DEFAULT_CREDENTIALS = Credentials("root", "")
LUCI_PATH = "/cgi-bin/luci"
LUCI_MAC_PATH = "/cgi-bin/luci/admin/network/iface_status/lan"
LUCI_USER_AGENT = "BTC Tools v0.1"

LOGIN = """mutation ($username: String!, $password: String!) {
  auth { login(username: $username, password: $password) {
    __typename ... on AuthError { message } } }
}"""
MODEL_QUERY = "{ bosminer { info { modelName } } }"
# Identity fields added in later schemas: the MAC in 24.09, serials in 25.03.
MAC_QUERY = "{ bos { macAddress } }"
MAC_SERIAL_QUERY = "{ bos { macAddress serialNumber } }"
MAC_SINCE = (24, 9)
SERIALS_SINCE = (25, 3)

_AUTH_WORDS = ("unauthori", "unauthenticated", "forbidden", "not logged", "login required")


class GraphqlApi(LoginSession):
    """Cookie session on the GraphQL API; shared by identification and the backend."""

    async def _login(self) -> dict[str, str]:
        user, password = self.ctx.login(DEFAULT_CREDENTIALS)
        reply = await self.ctx.web().request(
            "POST",
            PATH,
            json_body={"query": LOGIN, "variables": {"username": user, "password": password}},
        )
        if reply.status == 404:
            raise MinerUnsupportedError(
                f"{self.ctx.host}: Braiins OS without a GraphQL or REST API (before 21.09)"
            )
        data = self._data(reply)
        result = path(data, "auth", "login")
        if isinstance(result, dict) and result.get("__typename") == "AuthError":
            raise MinerAuthenticationError(f"{self.ctx.host}: login refused")
        cookie = session_cookie(reply.headers)
        if cookie is None:
            raise MinerResponseError(f"{self.ctx.host}: login set no session cookie")
        return {"Cookie": cookie}

    def _data(self, reply: HttpReply, *, partial: bool = False) -> GraphqlData:
        """The reply's ``data``; errors raise unless ``partial`` and some data came back.

        A stopped bosminer makes its half of a query fail while the ``bos`` half still
        answers, so status reads accept partial data and keep the firmware's messages
        beside it: they tell a pause from a crash.
        """
        if reply.status >= 400:
            raise MinerResponseError(f"{PATH}: HTTP {reply.status}")
        body = reply.json()
        if not isinstance(body, dict):
            raise MinerResponseError(f"{PATH}: reply is not an object")
        messages: tuple[str, ...] = ()
        errors = body.get("errors")
        if errors:
            listed = errors if isinstance(errors, list) else [errors]
            messages = tuple(
                str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in listed
            )
            text = "; ".join(messages)
            if any(word in text.lower() for word in _AUTH_WORDS):
                raise MinerAuthenticationError(f"{self.ctx.host}: {text[:120]}")
            if not (partial and isinstance(body.get("data"), dict)):
                raise MinerResponseError(f"{PATH}: {text[:200]}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise MinerResponseError(f"{PATH}: reply has no data")
        found = GraphqlData(data)
        found.errors = messages
        return found

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, partial: bool = False
    ) -> GraphqlData:
        body: dict[str, Any] = {"query": query}
        if variables:
            body["variables"] = variables
        for attempt in (1, 2):
            reply = await self.auth.request(self.ctx.web(), "POST", PATH, json_body=body)
            try:
                return self._data(reply, partial=partial)
            except MinerAuthenticationError:
                # A session the firmware forgot (it restarted): log in again, once.
                self.auth.invalidate()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def read(self, query: str) -> GraphqlData:
        """A status query: partial data is an answer, with the firmware's messages."""
        return await self.execute(query, partial=True)


async def luci_mac(ctx: MinerContext) -> str | None:
    """The LAN MAC from LuCI, for releases whose GraphQL schema lacks it."""
    user, password = ctx.login(DEFAULT_CREDENTIALS)
    web = ctx.web()
    agent = {"User-Agent": LUCI_USER_AGENT}
    reply = await web.request(
        "POST",
        LUCI_PATH,
        data={"luci_username": user, "luci_password": password},
        headers=agent,
    )
    cookie = session_cookie(reply.headers)
    if cookie is None:
        return None
    page = await web.get_json(LUCI_MAC_PATH, headers={**agent, "Cookie": cookie})
    if isinstance(page, list) and page and isinstance(page[0], dict):
        return normalize_mac(page[0].get("macaddr"))
    return None


async def read_identity(api: GraphqlApi) -> dict[str, Any]:
    """The identity fields this generation has, as plain values."""
    # Partial: a stopped bosminer cannot name the model, the rest still identifies.
    system = await api.execute(SYSTEM_QUERY, partial=True)
    bos = system.get("bos") or {}
    full = clean_str(path(bos, "info", "version", "full"))
    out: dict[str, Any] = {
        "full_version": full,
        "model": None,
        "hostname": clean_str(bos.get("hostname")) if isinstance(bos, dict) else None,
        "mac": None,
        "serial": None,
    }
    try:
        out["model"] = clean_str(
            path(await api.execute(MODEL_QUERY), "bosminer", "info", "modelName")
        )
    except MinerAuthenticationError:
        raise
    except MinerError as err:
        _LOGGER.debug("%s: no model name over GraphQL: %s", api.ctx.host, err)
    version = version_numbers(full)
    if version is not None and version >= MAC_SINCE:
        query = MAC_SERIAL_QUERY if version >= SERIALS_SINCE else MAC_QUERY
        try:
            extra = path(await api.execute(query), "bos") or {}
        except MinerAuthenticationError:
            raise
        except MinerError:
            extra = {}
        if isinstance(extra, dict):
            out["mac"] = normalize_mac(extra.get("macAddress"))
            out["serial"] = clean_str(extra.get("serialNumber"))
    if out["mac"] is None:
        try:
            out["mac"] = await luci_mac(api.ctx)
        except MinerError as err:
            _LOGGER.debug("%s: no MAC from LuCI: %s", api.ctx.host, err)
    return out


def version_numbers(full: str | None) -> tuple[int, ...] | None:
    """``...-25.05.1-plus`` → ``(25, 5, 1)``; ``None`` when the string has no release."""
    for part in reversed((full or "").split("-")):
        numbers = part.split(".")
        if len(numbers) > 1 and all(n.isdigit() for n in numbers):
            return tuple(int(n) for n in numbers)
    return None
