"""Braiins OS GraphQL replies (releases before 25.07): the queries a poll sends and
the pure functions over their ``data``.

One query per concern, so a field one schema lacks fails alone (GraphQL refuses a
whole document over one unknown field); selections as real units are asked. A query
whose ``bosminer`` half failed still answers its ``bos`` half: the reply is then the
partial ``data`` with the firmware's error messages beside it (``GraphqlData``), and
those messages say why bosminer did not answer (see ``mining``). Nothing here does I/O.
"""

from __future__ import annotations

import re
from typing import Any

from ...contract import Call, Replies
from ...exceptions import MinerResponseError
from ...models import Board, Fan, MinerErrorEntry, Pool
from ...values import mhs_to_ths, positive, to_bool, to_float, to_int
from .parse import by_number, grouped_pools, hashboard, spinning_fans

# Telemetry queries: one per concern, so a field one schema lacks fails alone (GraphQL
# refuses a whole document over one unknown field). Selections as real units are asked.
SYSTEM_QUERY = (
    "{ bos { hostname faultLight info { version { full } } uptime { durationS } }"
    " bosminer { info { workSolver { realHashrate { mhs5S } nominalMhs }"
    " fans { name speed rpm } summary { power { limitW approxConsumptionW } } } } }"
)
_BOARDS_QUERY = (
    "{ bosminer { info { workSolver { childSolvers { name realHashrate { mhs5S } nominalMhs"
    " hwDetails { chips frequencyMhz voltageV%s } temperatures { name degreesC } } } } } }"
)
POOLS_QUERY = (
    "{ bosminer { config { ... on BosminerConfig { groups { id strategy"
    " { ... on QuotaStrategy { quota } } } } } info { poolGroups { name pools"
    " { url user status active shares { acceptedSolutions rejectedSolutions } } } } } }"
)
EVENTS_QUERY = "{ events { appeals { id kind message timestamp } } }"

SYSTEM = Call("graphql", SYSTEM_QUERY)
BOARDS = Call("graphql", _BOARDS_QUERY % "")
BOARDS_WITH_SERIAL = Call("graphql", _BOARDS_QUERY % " hbSerialNumber")
POOLS = Call("graphql", POOLS_QUERY)
EVENTS = Call("graphql", EVENTS_QUERY)

# What BOS says when bosminer was stopped (``bosminer.stop``, the pause of these
# releases; HTTP 412 / gRPC FailedPrecondition "BOSminer is not running"). A crashed
# or hung bosminer reads otherwise ("BOSminer API connection error: Connection
# refused", a timeout): the process should run and does not answer.
_STOPPED = re.compile(r"\bnot running\b", re.IGNORECASE)


class GraphqlData(dict[str, Any]):
    """A query's ``data``, with the error messages the firmware sent beside it."""

    errors: tuple[str, ...] = ()


def path(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            raise MinerResponseError(f"GraphQL reply lacks {'.'.join(keys)}")
        data = data.get(key)
    return data


def errors_of(data: Any) -> tuple[str, ...]:
    """The field errors a partial reply came with (none for a plain mapping)."""
    return data.errors if isinstance(data, GraphqlData) else ()


def bosminer_trouble(data: Any) -> str | None:
    """Why bosminer is silent although it should run (crashed, hung).

    ``None`` when it answered, when the firmware says it was stopped, or when the
    reply says nothing about it.
    """
    bosminer = data.get("bosminer") if isinstance(data, dict) else None
    if isinstance(bosminer, dict) and isinstance(bosminer.get("info"), dict):
        return None
    messages = errors_of(data)
    if not messages or any(_STOPPED.search(m) for m in messages):
        return None
    return messages[0]


# -- extractors ----------------------------------------------------------------------


def bosminer_info(replies: Replies, source: Call) -> dict[str, Any]:
    found = path(replies[source], "bosminer", "info")
    if not isinstance(found, dict):
        raise KeyError("bosminer did not answer")
    return found


def hashrate(replies: Replies) -> float | None:
    return mhs_to_ths(path(bosminer_info(replies, SYSTEM), "workSolver", "realHashrate", "mhs5S"))


def expected_hashrate(replies: Replies) -> float | None:
    return mhs_to_ths(path(bosminer_info(replies, SYSTEM), "workSolver", "nominalMhs"))


def power(replies: Replies) -> float | None:
    return to_float(path(bosminer_info(replies, SYSTEM), "summary", "power", "approxConsumptionW"))


def power_limit(replies: Replies) -> float | None:
    return positive(to_float(path(bosminer_info(replies, SYSTEM), "summary", "power", "limitW")))


def fans(replies: Replies) -> list[Fan]:
    items = bosminer_info(replies, SYSTEM)["fans"]
    return spinning_fans(items, "name", lambda item: to_int(item.get("speed")))


# Temperature sensor names: "Board"/"Chip" up to 24.09, "Max Board"/"Max Chip"/"Inlet"/
# "Outlet" in 25.03, "MAX_BOARD"/"MAX_CHIP"/"INLET"/"OUTLET" from 25.05; each to the
# ``hashboard`` keyword it fills.
_TEMPERATURE_FIELDS = {
    "BOARD": "board",
    "MAX_BOARD": "board",
    "CHIP": "chip",
    "MAX_CHIP": "chip",
    "INLET": "inlet",
    "OUTLET": "outlet",
}


def boards_from(replies: Replies, source: Call) -> list[Board]:
    solvers = path(bosminer_info(replies, source), "workSolver", "childSolvers")
    if not isinstance(solvers, list) or not solvers:
        raise KeyError("no chain data")
    boards = []
    for position, chain in enumerate(by_number(solvers, "name")):
        details = chain.get("hwDetails") or {}
        temps: dict[str, Any] = {}
        for item in chain.get("temperatures") or []:
            if not isinstance(item, dict):
                continue
            name = str(item.get("name", "")).upper().replace(" ", "_")
            if name in _TEMPERATURE_FIELDS:
                temps[_TEMPERATURE_FIELDS[name]] = item.get("degreesC")
        boards.append(
            hashboard(
                position,
                mhs_to_ths(path(chain, "realHashrate", "mhs5S")),
                expected=mhs_to_ths(chain.get("nominalMhs")),
                chips=details.get("chips"),
                frequency=positive(to_float(details.get("frequencyMhz"))),
                voltage=details.get("voltageV"),
                serial=details.get("hbSerialNumber"),
                **temps,
            )
        )
    return boards


def pools(replies: Replies) -> list[Pool]:
    groups = path(bosminer_info(replies, POOLS), "poolGroups")
    if not isinstance(groups, list):
        raise KeyError("no pool groups")  # unknown, not "no pools": RPC may say
    return grouped_pools(groups, _pool_state)


def _pool_state(item: dict[str, Any]) -> tuple[bool | None, Any, Any]:
    shares = item.get("shares") or {}
    alive = None if item.get("status") is None else item["status"] == "ALIVE"
    return alive, shares.get("acceptedSolutions"), shares.get("rejectedSolutions")


# Appeal kinds that are a problem; INFO and SUCCESS are news, not faults.
_PROBLEM_KINDS = frozenset({"ERROR", "WARNING"})


def errors(replies: Replies) -> list[MinerErrorEntry]:
    """The firmware's problem appeals, and a bosminer that should run but is silent."""
    appeals = path(replies[EVENTS], "events", "appeals")
    if not isinstance(appeals, list):
        raise KeyError("no appeals")
    found = [
        MinerErrorEntry(message=str(item.get("message")))
        for item in appeals
        if isinstance(item, dict) and str(item.get("kind", "")).upper() in _PROBLEM_KINDS
    ]
    trouble = bosminer_trouble(replies.get(SYSTEM))
    if trouble is not None:
        found.append(MinerErrorEntry(message=f"BOSminer is not answering: {trouble[:160]}"))
    return found


def uptime(replies: Replies) -> int | None:
    return to_int(path(replies[SYSTEM], "bos", "uptime", "durationS"))


def mining(replies: Replies) -> bool | None:
    """Mining while bosminer answers its half; paused only when the firmware says it
    was stopped.

    ``bosminer.stop`` (the pause of these releases) stops the process and BOS then
    says it "is not running". A bosminer that crashed or hangs is silent for another
    reason (its API connection is refused, it times out), and a reply without any
    message says nothing: both are unknown, never "paused on purpose"; ``errors``
    names the fault.
    """
    data = replies[SYSTEM]
    bosminer = data.get("bosminer")
    if isinstance(bosminer, dict) and isinstance(bosminer.get("info"), dict):
        return True
    if isinstance(data.get("bos"), dict) and any(_STOPPED.search(m) for m in errors_of(data)):
        return False
    return None


def fault_light(replies: Replies) -> bool | None:
    return to_bool(path(replies[SYSTEM], "bos", "faultLight"))
