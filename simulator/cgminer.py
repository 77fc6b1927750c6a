"""What every cgminer-speaking simulated firmware shares: envelopes, encoding, pools.

bmminer (stock Antminer, VNish), bosminer (Braiins), LUXminer, Canaan's cgminer
(Avalon), btminer (Whatsminer v1/v2) and GCMiner (Auradine) all answer a JSON
``{"command": ..., "parameter": ...}`` with ``{"STATUS": [{...}], "<KEY>": [...],
"id": 1}``; they differ in the ``Description``, in how they end a reply (a NUL byte or
nothing, compact JSON or not), in whether ``a+b`` multicommands are joined, and in how
many fields a pool record carries. Those differences are arguments here, so one change
to the envelope or the pool record reaches every family.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .state import MinerState, SimPool

type Payload = dict[str, Any]

# cgminer's own codes for the replies every family shares.
INVALID_JSON = 23
INVALID_COMMAND = 14


def status(
    msg: str, code: int, description: str, letter: str = "S", when: int | None = None
) -> list[dict[str, Any]]:
    """The ``STATUS`` list: one item, ``S``uccess, ``I``nfo or ``E``rror."""
    return [
        {
            "STATUS": letter,
            "When": int(time.time()) if when is None else when,
            "Code": code,
            "Msg": msg,
            "Description": description,
        }
    ]


def reply(
    key: str,
    items: list[dict[str, Any]],
    msg: str,
    code: int,
    description: str,
    *,
    when: int | None = None,
) -> Payload:
    """A successful reply: the STATUS envelope, the items under ``key``, ``id`` 1."""
    return {"STATUS": status(msg, code, description, when=when), key: items, "id": 1}


def error(msg: str, code: int, description: str, when: int | None = None) -> Payload:
    """A refusal: only the STATUS envelope, letter ``E``."""
    return {"STATUS": status(msg, code, description, "E", when), "id": 1}


def encode(payload: Any, *, nul: bool = True, compact: bool = False) -> bytes:
    """JSON as the firmware writes it: bmminer-style with a NUL after it, or bare."""
    separators = (",", ":") if compact else None
    data = json.dumps(payload, separators=separators).encode()
    return data + b"\x00" if nul else data


@dataclass(frozen=True, slots=True)
class Request:
    command: str
    parameter: Any = None

    @property
    def names(self) -> list[str]:
        """The commands of an ``a+b+c`` multicommand (one name for a plain command)."""
        return [name for name in self.command.split("+") if name]

    @property
    def joined(self) -> bool:
        return "+" in self.command


def parse_request(text: str) -> Request | None:
    """The command and parameter of a request; ``None`` when it is not a JSON object."""
    try:
        body = json.loads(text)
        return Request(str(body.get("command", "")), body.get("parameter"))
    except ValueError, AttributeError:
        return None


def answer(
    request: str,
    builders: Mapping[str, Callable[[], Payload]],
    description: str,
    encoder: Callable[[Payload], bytes] = encode,
) -> bytes:
    """The reply of the builder named by the request's command; cgminer's refusal else."""
    parsed = parse_request(request)
    builder = builders.get(parsed.command if parsed else "")
    if builder is None:
        return encode(error("Invalid command", INVALID_COMMAND, description))
    return encoder(builder())


def join(replies: dict[str, Payload]) -> Payload:
    """cgminer's multicommand reply: each command's whole reply in a list under its name."""
    return {name: [payload] for name, payload in replies.items()} | {"id": 1}


# -- pools ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PoolRow:
    """One configured pool with what the state derives for it."""

    index: int
    pool: SimPool
    accepted: int
    rejected: int
    active: bool  # the pool the miner is hashing on now
    priority: int  # its place in the failover order, 0 first

    @property
    def stratum_host(self) -> str:
        """``stratum+tcp://host:3333`` -> ``host`` (cgminer's ``Stratum URL``)."""
        return self.pool.url.split("://")[-1].rsplit(":", 1)[0]


def pool_rows(state: MinerState) -> Iterator[PoolRow]:
    current = state.current_pool()
    order = state.pool_order()
    for i, pool in enumerate(state.pools):
        accepted, rejected = state.shares(i)
        yield PoolRow(i, pool, accepted, rejected, i == current, order.index(i))


def pool_records(
    state: MinerState,
    extra: Callable[[PoolRow], dict[str, Any]] | None = None,
    *,
    first: int = 0,
) -> list[dict[str, Any]]:
    """``POOLS[]``: the fields every cgminer sends, plus the family's own (``extra``).

    ``first`` is the number of the first pool (btminer counts from 1).
    """
    records = []
    for row in pool_rows(state):
        record: dict[str, Any] = {
            "POOL": row.index + first,
            "URL": row.pool.url,
            "Status": "Alive" if row.pool.alive else "Dead",
            "Stratum Active": row.active,
            "User": row.pool.user,
            "Accepted": row.accepted,
            "Rejected": row.rejected,
        }
        if extra is not None:
            record |= extra(row)
        records.append(record)
    return records


def pools_reply(records: list[dict[str, Any]], description: str) -> Payload:
    return reply("POOLS", records, f"{len(records)} Pool(s)", 7, description)


# -- devs / stats helpers --------------------------------------------------------------


WINDOWS = ("av", "5s", "1m", "5m", "15m")  # the rate windows cgminer 4.x reports


def rates(mhs: float, *windows: str) -> dict[str, float]:
    """``MHS 5s``, ``MHS 1m``… all at one rate, as a steady simulated miner reports."""
    return {f"MHS {w}": mhs for w in windows}


def summary_item(state: MinerState, utility: float) -> dict[str, Any]:
    """cgminer 4.x's ``SUMMARY`` object up to ``Total MH``: rates in MH/s, share counts."""
    mhs = round(state.hashrate * 1_000_000, 2)
    accepted, rejected = state.shares(0)
    item: dict[str, Any] = {"Elapsed": state.uptime} | rates(mhs, *WINDOWS)
    item |= {"Found Blocks": 0, "Getworks": accepted, "Accepted": accepted}
    item |= {"Rejected": rejected, "Hardware Errors": 0, "Utility": utility, "Discarded": 0}
    item |= {"Stale": 0, "Get Failures": 0, "Local Work": 0, "Remote Failures": 0}
    return item | {"Network Blocks": 0, "Total MH": round(mhs * state.uptime, 4)}


def fan_fields(rpms: list[int], first: int = 1) -> dict[str, int]:
    """bmminer's ``fan1``… ``fanN`` in ``stats``."""
    return {f"fan{first + i}": rpm for i, rpm in enumerate(rpms)}


def empty_chain_slot(slot: int, rate: str = "", freq: float = 0) -> dict[str, Any]:
    """The spare hashboard connector an X19 control board lists, all zeros."""
    return {
        f"temp_pcb{slot}": "0-0-0-0",
        f"temp_chip{slot}": "0-0-0-0",
        f"temp_pic{slot}": "0-0-0-0",
        f"chain_acn{slot}": 0,
        f"chain_acs{slot}": "",
        f"chain_hw{slot}": 0,
        f"chain_rate{slot}": rate,
        f"freq{slot}": freq,
    }


def version_reply(item: dict[str, Any], msg: str, description: str) -> Payload:
    return reply("VERSION", [item], msg, 22, description)
