"""Braiins OS releases before 25.07: the GraphQL API at ``POST /graphql``.

Login is the ``auth.login`` mutation; it answers ``VoidResult`` and sets a session
cookie, or ``AuthError`` for a wrong password (HTTP 200 either way, so the union
type, not the status, says which). The cookie goes back on every later request. The
default password of these releases is empty.

Pause and resume are ``bosminer.stop`` / ``bosminer.start``: they stop the bosminer
process itself, and with it the RPC server on 4028, so a paused miner of this
generation answers only here. That is why the mining state and the locate LED come
from one GraphQL query rather than from RPC.

The MAC address is in the schema only from about 24.09 (``bos.macAddress``); older
releases give it through LuCI, which needs its own form login and answers only to
the ``BTC Tools v0.1`` user agent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ...context import MinerContext
from ...exceptions import (
    MinerAuthenticationError,
    MinerError,
    MinerResponseError,
    MinerUnsupportedError,
    MinerValueError,
)
from ...models import Credentials, MinerIdentity
from ...transports.http import HttpReply, TokenAuth
from ...values import clean_str, normalize_mac, to_bool
from .._base import Call, Field, Location, Replies
from ._rpc import RPC_MAP, BraiinsBackend

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
IDENTITY = "{ bos { hostname info { version { full } } } bosminer { info { modelName } } }"
# Fields added in later releases; an older schema refuses the whole query.
IDENTITY_EXTRA = "{ bos { macAddress serialNumber } }"
STATUS = Call("graphql", "{ bos { faultLight } bosminer { uptime { durationS } } }")

_MINING = """mutation { bosminer { %s {
  __typename ... on BosminerError { message } } } }"""
_RESTART = "mutation { bosminer { restart { __typename ... on BosminerError { message } } } }"
_REBOOT = "mutation { bos { reboot { __typename ... on BosError { message } } } }"
_FAULT_LIGHT = """mutation ($enable: Boolean!) {
  bos { setFaultLight(enable: $enable) { enabled } }
}"""
_POWER_TARGET = """mutation ($watt: Int!) {
  bosminer { config { updateAutotuning(input: {powerTarget: $watt}, apply: true) {
    __typename
    ... on AutotuningOut { autotuning { powerTarget } }
    ... on AutotuningError { message }
    ... on AttributeError { message }
  } } }
}"""

_AUTH_WORDS = ("unauthori", "unauthenticated", "forbidden", "not logged", "login required")


def _cookie(headers: Mapping[str, str]) -> str | None:
    """``name=value`` of the session cookie a login set (header case varies)."""
    for key, value in headers.items():
        if key.lower() == "set-cookie":
            pair = value.split(";", 1)[0].strip()
            if "=" in pair and pair.split("=", 1)[1]:
                return pair
    return None


def _path(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            raise MinerResponseError(f"GraphQL reply lacks {'.'.join(keys)}")
        data = data.get(key)
    return data


def _check_union(result: Any, ok: str, what: str) -> None:
    """Raise for an error member of a result union (``BosminerError`` etc.)."""
    if not isinstance(result, dict):
        raise MinerResponseError(f"{what}: no result")
    typename = result.get("__typename")
    if typename is not None and typename != ok:
        raise MinerResponseError(f"{what}: {result.get('message') or typename}")


class GraphqlApi:
    """Cookie session on the GraphQL API; shared by identification and the backend."""

    def __init__(self, ctx: MinerContext) -> None:
        self.ctx = ctx
        self.auth = TokenAuth(self._login)

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
        result = _path(data, "auth", "login")
        if isinstance(result, dict) and result.get("__typename") == "AuthError":
            raise MinerAuthenticationError(f"{self.ctx.host}: login refused")
        cookie = _cookie(reply.headers)
        if cookie is None:
            raise MinerResponseError(f"{self.ctx.host}: login set no session cookie")
        return {"Cookie": cookie}

    def _data(self, reply: HttpReply, *, partial: bool = False) -> dict[str, Any]:
        """The reply's ``data``; errors raise unless ``partial`` and some data came back.

        A stopped bosminer makes its half of a query fail while the ``bos`` half still
        answers, so status reads accept partial data.
        """
        if reply.status >= 400:
            raise MinerResponseError(f"{PATH}: HTTP {reply.status}")
        body = reply.json()
        if not isinstance(body, dict):
            raise MinerResponseError(f"{PATH}: reply is not an object")
        errors = body.get("errors")
        if errors:
            text = "; ".join(
                str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors
            )
            if any(word in text.lower() for word in _AUTH_WORDS):
                raise MinerAuthenticationError(f"{self.ctx.host}: {text[:120]}")
            if not (partial and isinstance(body.get("data"), dict)):
                raise MinerResponseError(f"{PATH}: {text[:200]}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise MinerResponseError(f"{PATH}: reply has no data")
        return data

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, partial: bool = False
    ) -> dict[str, Any]:
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
    cookie = _cookie(reply.headers)
    if cookie is None:
        return None
    page = await web.get_json(LUCI_MAC_PATH, headers={**agent, "Cookie": cookie})
    if isinstance(page, list) and page and isinstance(page[0], dict):
        return normalize_mac(page[0].get("macaddr"))
    return None


async def read_identity(api: GraphqlApi) -> dict[str, Any]:
    """The identity fields this generation has, as plain values."""
    # Partial: a stopped bosminer cannot name the model, the rest still identifies.
    data = await api.execute(IDENTITY, partial=True)
    bos = data.get("bos") or {}
    bosminer = data.get("bosminer") or {}
    info = bosminer.get("info") if isinstance(bosminer, dict) else None
    out: dict[str, Any] = {
        "full_version": clean_str(_path(bos, "info", "version", "full")),
        "model": clean_str(info.get("modelName")) if isinstance(info, dict) else None,
        "hostname": clean_str(bos.get("hostname")) if isinstance(bos, dict) else None,
        "mac": None,
        "serial": None,
    }
    try:
        extra = _path(await api.execute(IDENTITY_EXTRA), "bos") or {}
    except MinerAuthenticationError:
        raise
    except MinerResponseError:
        extra = {}  # an older schema without these fields
    if isinstance(extra, dict):
        out["mac"] = normalize_mac(extra.get("macAddress"))
        out["serial"] = clean_str(extra.get("serialNumber"))
    if out["mac"] is None:
        try:
            out["mac"] = await luci_mac(api.ctx)
        except MinerError as err:
            _LOGGER.debug("%s: no MAC from LuCI: %s", api.ctx.host, err)
    return out


def _mining(replies: Replies) -> bool | None:
    # bosminer reports an uptime only while it runs; `bosminer.stop` ends it.
    bosminer = replies[STATUS].get("bosminer")
    return isinstance(bosminer, dict) and bosminer.get("uptime") is not None


def _fault_light(replies: Replies) -> bool | None:
    return to_bool(_path(replies[STATUS], "bos", "faultLight"))


class GraphqlBackend(BraiinsBackend):
    """BOS before 25.07: RPC for telemetry, GraphQL for state and controls."""

    name = "graphql"
    DATA_MAP = {
        **RPC_MAP,
        Field.MINING: Location((STATUS,), _mining),
        Field.FAULT_LIGHT: Location((STATUS,), _fault_light),
    }

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = GraphqlApi(ctx)

    async def fetch_call(self, call: Call) -> Any:
        if call.name != "graphql" or call.argument is None:
            raise NotImplementedError(call.name)
        return await self.api.execute(call.argument, partial=True)

    async def check_credentials(self) -> None:
        self.api.auth.invalidate()
        await self.api.auth.headers()

    async def set_mining(self, on: bool) -> None:
        data = await self.api.execute(_MINING % ("start" if on else "stop"))
        _check_union(_path(data, "bosminer", "start" if on else "stop"), "VoidResult", "mining")

    async def set_fault_light(self, on: bool) -> None:
        data = await self.api.execute(_FAULT_LIGHT, {"enable": on})
        if to_bool(_path(data, "bos", "setFaultLight", "enabled")) is not on:
            raise MinerResponseError(f"fault light stayed {'off' if on else 'on'}")

    async def set_power_limit(self, watts: int) -> None:
        data = await self.api.execute(_POWER_TARGET, {"watt": int(watts)})
        result = _path(data, "bosminer", "config", "updateAutotuning")
        if isinstance(result, dict) and result.get("__typename") in (
            "AutotuningError",
            "AttributeError",
        ):
            raise MinerValueError(f"power target {watts} W refused: {result.get('message')}")
        _check_union(result, "AutotuningOut", "power target")

    async def reboot(self) -> None:
        data = await self.api.execute(_REBOOT)
        _check_union(_path(data, "bos", "reboot"), "VoidResult", "reboot")

    async def restart_backend(self) -> None:
        data = await self.api.execute(_RESTART)
        _check_union(_path(data, "bosminer", "restart"), "VoidResult", "restart")
