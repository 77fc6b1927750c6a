"""What every cgminer-speaking family reads the same way: STATUS, sections, pools, version.

Antminer, Braiins (RPC), LuxOS, Whatsminer (API v2) and Avalon all answer cgminer's
JSON RPC: a ``STATUS`` section saying whether the command worked, then sections of
objects (``SUMMARY``, ``POOLS``, ``VERSION``) that some firmware sends as a bare
object where a list belongs. Reading them once, here, means a fix to pools parsing
or to a STATUS shape is made in one place for every family.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypedDict

from ..contract import ProbeResults, Rpc
from ..exceptions import MinerError, MinerResponseError
from ..models import Fan, Pool
from ..transports.rpc_parse import OK_STATUS, status_of
from ..values import clean_str, max_temp, positive, to_bool, to_float, to_int
from ._probes import parsed

# The read commands most cgminer-speaking families poll, as data sources.
SUMMARY = Rpc("summary")
STATS = Rpc("stats")
POOLS = Rpc("pools")
DEVS = Rpc("devs")
FANS = Rpc("fans")

# -- STATUS ------------------------------------------------------------------------------


def refusal(reply: Any) -> str | None:
    """The miner's words when a reply's STATUS is an error; ``None`` when it worked.

    Raises ``MinerResponseError`` for a reply that is not an object at all.
    """
    letter, msg = status_of(reply)
    return None if letter in OK_STATUS else (msg or f"status {letter}")


def one_piece(value: Any) -> Any:
    """A command's reply out of a multicommand: cgminer wraps each in a list of one."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def piece_or_error(value: Any, where: str) -> Any:
    """A multicommand piece when its STATUS worked, else its refusal as a value."""
    value = one_piece(value)
    try:
        said = refusal(value)
    except MinerResponseError as err:
        return MinerResponseError(f"{where}: {err}")
    return value if said is None else MinerResponseError(f"{where}: {said}")


# -- sections ----------------------------------------------------------------------------


def section(reply: Any, key: str) -> list[dict[str, Any]]:
    """The objects under ``key``; a bare object where a list belongs counts as one.

    Raises ``KeyError`` / ``TypeError`` when the section is missing or the reply is
    not an object: collection reads that as "this field is unknown".
    """
    found = reply[key]
    if isinstance(found, dict):
        return [found]
    return [item for item in found if isinstance(item, dict)]


def first(reply: Any, key: str) -> dict[str, Any]:
    """The first object under ``key`` (``SUMMARY``, ``VERSION``); ``IndexError`` if none."""
    return section(reply, key)[0]


def probe_item(results: ProbeResults, key: str, name: str) -> dict[str, Any]:
    """The first ``name`` object of a probe's reply; empty when the probe failed.

    Identification uses what the shared probes (``version``, ``devdetails``) already
    brought; a probe that failed, did not parse or lacks the section gives nothing.
    """
    try:
        return first(parsed(results, key), name)
    except MinerError, KeyError, IndexError, TypeError:
        return {}


# -- stats -----------------------------------------------------------------------------


def stats_item(reply: Any, prefixes: tuple[str, ...]) -> dict[str, Any]:
    """The ``STATS`` object holding the hardware figures, found by its keys' prefixes.

    bmminer and LUXminer put a version object first and the chains after it; Avalon's
    ``estats`` puts the ``MM ID`` object among others. ``KeyError`` when none has them.
    """
    for item in section(reply, "STATS"):
        if any(str(key).startswith(prefixes) for key in item):
            return item
    raise KeyError(f"no STATS object with {' or '.join(prefixes)}")


def slots(stats: dict[str, Any], *prefixes: str) -> list[int]:
    """The slot numbers present as ``<prefix><n>`` keys (chains start at 1, 6 or 11)."""
    pattern = _slot_pattern(prefixes)
    # ``startswith`` first: a STATS object has a hundred keys, most of them no slot.
    found = {
        int(match.group(1))
        for key in stats
        if key.startswith(prefixes) and (match := pattern.fullmatch(key))
    }
    return sorted(found)


@functools.cache
def _slot_pattern(prefixes: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(map(re.escape, prefixes)) + r")(\d+)")


def chains(
    stats: dict[str, Any], to_ths: Callable[[Any], float | None], *prefixes: str
) -> list[tuple[int, int | None, float | None]]:
    """A bmminer-style ``stats`` object's chain slots: (number, chips, rate in TH/s).

    The chips are ``chain_acn<n>``, the rate ``chain_rate<n>`` in the firmware's own
    unit (``to_ths`` converts it); the slots are those keyed by ``prefixes``
    (``chain_acn`` unless said). Antminer, LuxOS and the Antminer clones list them so.
    """
    return [
        (slot, to_int(stats.get(f"chain_acn{slot}")), to_ths(stats.get(f"chain_rate{slot}")))
        for slot in slots(stats, *(prefixes or ("chain_acn",)))
    ]


class ChainSensors(TypedDict):
    """What bmminer's ``stats`` says of a chain besides chips and rate (``Board`` keywords)."""

    chip_temperature: float | None
    board_temperature: float | None
    frequency: float | None


def chain_sensors(stats: dict[str, Any], slot: int) -> ChainSensors:
    """Chain ``slot``'s hottest chip and board sensor and its clock (MHz) in ``stats``.

    ``temp_chip<n>`` and ``temp_pcb<n>`` (dash-joined per-sensor lists), ``temp2_<n>``
    and ``temp<n>`` on older releases; ``freq<n>``. Stock bmminer and LuxOS, its fork,
    name them alike.
    """
    return ChainSensors(
        chip_temperature=max_temp(stats.get(f"temp_chip{slot}", stats.get(f"temp2_{slot}"))),
        board_temperature=max_temp(stats.get(f"temp_pcb{slot}", stats.get(f"temp{slot}"))),
        frequency=positive(to_float(stats.get(f"freq{slot}"))),
    )


# -- fans ------------------------------------------------------------------------------


def fans(reply: Any, *, spinning_only: bool = False) -> list[Fan]:
    """The ``FANS`` section (bosminer, LUXminer): ``ID``, ``RPM`` and ``Speed`` per fan.

    With ``spinning_only`` a fan at 0 RPM or without a reading is left out (bosminer
    lists four slots even on a two-fan S9).
    """
    found: list[Fan] = []
    for position, item in enumerate(section(reply, "FANS")):
        rpm = to_int(item.get("RPM"))
        if spinning_only and not rpm:
            continue
        index = to_int(item.get("ID"))
        found.append(
            Fan(
                index=position if index is None else index,
                rpm=rpm,
                percent=to_int(item.get("Speed")),
            )
        )
    return found


# -- pools -------------------------------------------------------------------------------


class PoolKeys(NamedTuple):
    """Where a pool object keeps its URL, user, status, stratum-active flag, share
    counters and failover priority: cgminer's names, or a firmware's own."""

    url: str
    user: str
    status: str
    active: str
    accepted: str
    rejected: str
    priority: str = "Priority"
    stale: str = "Stale"


CGMINER_POOL = PoolKeys("URL", "User", "Status", "Stratum Active", "Accepted", "Rejected")


def pool_of(item: Mapping[str, Any], index: int, keys: PoolKeys = CGMINER_POOL) -> Pool | None:
    """One pool object as a ``Pool``; ``None`` for a slot without a URL."""
    url = clean_str(item.get(keys.url))
    if not url:
        return None
    status = clean_str(item.get(keys.status))
    return Pool(
        index=index,
        url=url,
        user=clean_str(item.get(keys.user)),
        alive=None if status is None else status.lower() == "alive",
        active=to_bool(item.get(keys.active)),
        accepted=to_int(item.get(keys.accepted)),
        rejected=to_int(item.get(keys.rejected)),
        priority=to_int(item.get(keys.priority)),
        stale=to_int(item.get(keys.stale)),
        status=status,
    )


def pools(reply: Any, *, renumber: bool = False) -> list[Pool]:
    """The ``POOLS`` section: pools with a URL, in the miner's order.

    A pool's index is the miner's ``POOL`` number (its position when missing), or
    with ``renumber`` its position among the pools kept (firmware whose numbers are
    not the order it uses them in).
    """
    found: list[Pool] = []
    for position, item in enumerate(section(reply, "POOLS")):
        number = None if renumber else to_int(item.get("POOL"))
        pool = pool_of(item, (len(found) if renumber else position) if number is None else number)
        if pool is not None:
            found.append(pool)
    return found
