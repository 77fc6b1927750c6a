"""Braiins OS releases before 25.07: GraphQL at ``POST /graphql`` for state and controls.

Telemetry comes from GraphQL (``parse_graphql.py``), with bosminer's RPC filling in
wherever a query fails; many units answer only a few RPC commands. The 21.09 schema
has no ``bosminer.uptime``, so nothing asks for it: the system uptime is ``bos.uptime``.

Pause and resume are ``bosminer.stop`` / ``bosminer.start``: they stop the bosminer
process itself, and with it the RPC server on 4028, so a paused miner of this
generation answers only here: its ``bosminer`` half of a query fails with "not
running" while the ``bos`` half answers. A bosminer that crashed fails otherwise and
reads as a fault, not as a pause (``parse_graphql.mining``).

Pools: ``updateGroups`` saves one group holding the pools in order (every release's
schema from 21.09 to 25.05.1 has it); the saved configuration, passwords included,
reads them back, and a bosminer restart puts them to work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...context import MinerContext
from ...contract import Call, Field, Location, read_from
from ...exceptions import MinerControlRefusedError, MinerResponseError, MinerValueError
from ...logs import MinerLog, log_from_lines
from ...models import Control, MinerIdentity, PoolConfig
from ...values import clean_str, to_bool
from .._session import LoginChecked
from . import parse_graphql as parse
from .base import BraiinsBackend, with_rpc_fallback
from .client_graphql import SERIALS_SINCE, GraphqlApi, version_numbers
from .parse_graphql import path

_MINING = """mutation { bosminer { %s {
  __typename ... on BosminerError { message } } } }"""
# bosminer's log, a list of lines (asic-rs reads it so on 21.09 to 25.07).
_LOG = "query { bos { log(target: BOSMINER) } }"
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

# Pools: the saved configuration (passwords included), written whole by updateGroups;
# bosminer mines on them after a restart (asic-rs restarts it the same way).
_POOL_CONFIG = (
    "{ bosminer { config { ... on BosminerConfig { groups { name pools { url user password } }"
    " } } } }"
)
_UPDATE_GROUPS = """mutation ($groups: [Group!]!) {
  bosminer { config { updateGroups(groups: $groups) {
    __typename
    ... on GroupListError { message }
    ... on AttributeError { message }
  } } }
}"""


def _check_union(result: Any, ok: str, what: str) -> None:
    """Raise for an error member of a result union (``BosminerError`` etc.)."""
    if not isinstance(result, dict):
        raise MinerControlRefusedError(what, "no result in the reply")
    typename = result.get("__typename")
    if typename is not None and typename != ok:
        raise MinerControlRefusedError(what, str(result.get("message") or typename))


def _data_map(boards: Call) -> dict[Field, Location]:
    return with_rpc_fallback(
        {
            **read_from(
                parse.SYSTEM,
                parse,
                Field.HASHRATE,
                Field.EXPECTED_HASHRATE,
                Field.POWER,
                Field.POWER_LIMIT,
                Field.FANS,
                Field.UPTIME,
                Field.MINING,
                Field.FAULT_LIGHT,
            ),
            Field.BOARDS: Location((boards,), lambda r: parse.boards_from(r, boards)),
            Field.POOLS: Location((parse.POOLS,), parse.pools),
            Field.ERRORS: Location((parse.EVENTS, parse.SYSTEM), parse.errors),
        }
    )


class GraphqlBackend(LoginChecked[GraphqlApi], BraiinsBackend):
    """BOS before 25.07: RPC for telemetry, GraphQL for state and controls."""

    name = "graphql"
    # Pools are saved by updateGroups and put to work by a bosminer restart.
    CONTROLS = BraiinsBackend.CONTROLS | {Control.POOLS}
    RESTARTS_AFTER = BraiinsBackend.RESTARTS_AFTER | {Control.POOLS}
    DATA_MAP = _data_map(parse.BOARDS)
    DATA_MAP_WITH_SERIALS = _data_map(parse.BOARDS_WITH_SERIAL)

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.api = GraphqlApi(ctx)
        version = version_numbers(identity.firmware_version)
        if version is not None and version >= SERIALS_SINCE:
            # Instance attribute: hashboard serials exist in the schema from 25.03.
            self.DATA_MAP = self.DATA_MAP_WITH_SERIALS  # type: ignore[misc]

    async def fetch_call(self, call: Call) -> Any:
        if call.name != "graphql" or call.argument is None:
            raise NotImplementedError(call.name)
        return await self.api.read(call.argument)

    async def read_log(self) -> MinerLog:
        data = await self.api.execute(_LOG)
        return log_from_lines("bos.log(BOSMINER)", path(data, "bos", "log"))

    async def set_mining(self, on: bool) -> None:
        what = "resume mining" if on else "pause mining"
        async with self.control(what):
            data = await self.api.execute(_MINING % ("start" if on else "stop"))
            _check_union(path(data, "bosminer", "start" if on else "stop"), "VoidResult", what)

    async def set_fault_light(self, on: bool) -> None:
        async with self.control("fault light"):
            data = await self.api.execute(_FAULT_LIGHT, {"enable": on})
            if to_bool(path(data, "bos", "setFaultLight", "enabled")) is not on:
                raise MinerControlRefusedError("fault light", f"it stayed {'off' if on else 'on'}")

    async def set_power_limit(self, watts: int) -> None:
        async with self.control("power limit"):
            data = await self.api.execute(_POWER_TARGET, {"watt": int(watts)})
            result = path(data, "bosminer", "config", "updateAutotuning")
            if isinstance(result, dict) and result.get("__typename") in (
                "AutotuningError",
                "AttributeError",
            ):
                raise MinerValueError(f"{watts} W: {result.get('message')}")
            _check_union(result, "AutotuningOut", "power limit")

    async def _config_groups(self) -> list[dict[str, Any]]:
        groups = path(await self.api.execute(_POOL_CONFIG), "bosminer", "config", "groups")
        if not isinstance(groups, list):
            raise MinerResponseError(f"{self.ctx.host}: no pool groups in the configuration")
        return [g for g in groups if isinstance(g, dict)]

    async def read_pool_configs(self) -> list[PoolConfig]:
        """The saved groups' pools in order, with their passwords (a restore is exact)."""
        return [
            PoolConfig(url, clean_str(pool.get("user")) or "", str(pool.get("password") or ""))
            for group in await self._config_groups()
            for pool in group.get("pools") or []
            if isinstance(pool, dict) and (url := clean_str(pool.get("url")))
        ]

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        """``updateGroups``: one group (named as the first one was) replacing every group."""
        async with self.control("pools"):
            groups = await self._config_groups()
            name = clean_str(groups[0].get("name")) if groups else None
            group = {
                "name": name or "Pools",
                "quota": 1,
                "pools": [
                    {"url": p.url, "user": p.user, "password": p.password or "x", "enabled": True}
                    for p in pools
                ],
            }
            data = await self.api.execute(_UPDATE_GROUPS, {"groups": [group]})
            result = path(data, "bosminer", "config", "updateGroups")
            if isinstance(result, dict) and result.get("__typename") in (
                "GroupListError",
                "AttributeError",
            ):
                raise MinerValueError(str(result.get("message")))
            _check_union(result, "GroupList", "pools")

    async def apply_pools(self) -> None:
        """The saved groups take effect when bosminer restarts."""
        await self.restart_backend()

    async def reboot(self) -> None:
        async with self.control("reboot"):
            data = await self.api.execute(_REBOOT)
            _check_union(path(data, "bos", "reboot"), "VoidResult", "reboot")

    async def restart_backend(self) -> None:
        async with self.control("restart"):
            data = await self.api.execute(_RESTART)
            _check_union(path(data, "bosminer", "restart"), "VoidResult", "restart")
