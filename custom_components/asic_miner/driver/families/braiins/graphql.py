"""Braiins OS releases before 25.07: GraphQL at ``POST /graphql`` for state and controls.

Telemetry comes from GraphQL (``parse_graphql.py``), with bosminer's RPC filling in
wherever a query fails; many units answer only a few RPC commands. The 21.09 schema
has no ``bosminer.uptime``, so nothing asks for it: the system uptime is ``bos.uptime``.

Pause and resume are ``bosminer.stop`` / ``bosminer.start``: they stop the bosminer
process itself, and with it the RPC server on 4028, so a paused miner of this
generation answers only here: its ``bosminer`` half of a query fails with "not
running" while the ``bos`` half answers. A bosminer that crashed fails otherwise and
reads as a fault, not as a pause (``parse_graphql.mining``).
"""

from __future__ import annotations

from typing import Any

from ...context import MinerContext
from ...contract import Call, Field, Location
from ...exceptions import MinerControlRefusedError, MinerValueError
from ...logs import MinerLog, log_from_lines
from ...models import MinerIdentity
from ...values import to_bool
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
            Field.HASHRATE: Location((parse.SYSTEM,), parse.hashrate),
            Field.EXPECTED_HASHRATE: Location((parse.SYSTEM,), parse.expected_hashrate),
            Field.POWER: Location((parse.SYSTEM,), parse.power),
            Field.POWER_LIMIT: Location((parse.SYSTEM,), parse.power_limit),
            Field.FANS: Location((parse.SYSTEM,), parse.fans),
            Field.BOARDS: Location((boards,), lambda r: parse.boards_from(r, boards)),
            Field.POOLS: Location((parse.POOLS,), parse.pools),
            Field.ERRORS: Location((parse.EVENTS, parse.SYSTEM), parse.errors),
            Field.UPTIME: Location((parse.SYSTEM,), parse.uptime),
            Field.MINING: Location((parse.SYSTEM,), parse.mining),
            Field.FAULT_LIGHT: Location((parse.SYSTEM,), parse.fault_light),
        }
    )


class GraphqlBackend(BraiinsBackend):
    """BOS before 25.07: RPC for telemetry, GraphQL for state and controls."""

    name = "graphql"
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

    async def check_credentials(self) -> None:
        self.api.auth.invalidate()
        await self.api.auth.headers()

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

    async def reboot(self) -> None:
        async with self.control("reboot"):
            data = await self.api.execute(_REBOOT)
            _check_union(path(data, "bos", "reboot"), "VoidResult", "reboot")

    async def restart_backend(self) -> None:
        async with self.control("restart"):
            data = await self.api.execute(_RESTART)
            _check_union(path(data, "bosminer", "restart"), "VoidResult", "restart")
