"""What every Braiins OS generation reads alike: bosminer's cgminer-style RPC on 4028,
model names, the pool groups both web APIs list, and one ``hashboard`` rule set for
the boards all three APIs read.

bosminer (and its successor BOSer) answers the same RPC on every release, though
many units answer only some commands: hashrate in MH/s from ``summary`` and ``devs``,
chips and clocks from ``devdetails``, temperatures from ``temps``, fans from ``fans``,
power and the power target from ``tunerstatus``. The backends read the web API first
and fall back to these per field (``RPC_MAP``). bosminer accepts ``a+b+c``
multicommands, so the RPC half of a poll is one TCP connection. ``summary``'s
``Elapsed`` is bosminer's own uptime, not the system's, so it is not read. Nothing
here does I/O; the model-name helpers serve identification as well. Each web API's
own replies are in ``parse_graphql.py`` and ``parse_rest.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ...contract import Field, Location, Replies, Rpc, Source
from ...models import Board, Fan, MinerErrorEntry, Pool
from ...values import clean_str, mhs_to_ths, positive, to_bool, to_float, to_int
from .._cgminer import DEVS, FANS, POOLS, SUMMARY, fans, first, pools, section

DEVDETAILS = Rpc("devdetails")
TEMPS = Rpc("temps")
TUNERSTATUS = Rpc("tunerstatus")

# Tuner chain states that are normal operation; anything else is a fault worth showing.
_HEALTHY_CHAIN_STATES = frozenset(
    {"stable", "testing performance profile", "tuning individual chips"}
)


# -- model names ---------------------------------------------------------------------


def normalize_model(raw: Any) -> str | None:
    """``Bitmain Antminer S19XP`` → ``S19 XP``: the name the hardware table uses."""
    name = clean_str(raw)
    if name is None:
        return None
    name = re.sub(r"^(bitmain\s+)?(antminer\s+)?", "", name, flags=re.IGNORECASE).strip()
    name = re.sub(r"^S19XP\b", "S19 XP", name, flags=re.IGNORECASE)
    return name or None


def make_of(model: str) -> str:
    """BOS runs on Bitmain hardware, except Braiins' own BMM control boards."""
    return "Braiins" if model.upper().startswith("BMM") else "Bitmain"


# -- what the APIs share (the pools and fans: both web APIs; the boards: all three) ----


def grouped_pools(
    groups: Iterable[Any], state: Callable[[dict[str, Any]], tuple[Any, Any, Any]]
) -> list[Pool]:
    """The pools with a URL across the web API's pool groups, numbered as listed.

    ``state`` reads one pool's (alive, accepted, rejected), which each API names its
    own way; URL, user and ``active`` are spelled alike.
    """
    found: list[Pool] = []
    for group in groups:
        for item in (group.get("pools") or []) if isinstance(group, dict) else []:
            url = clean_str(item.get("url")) if isinstance(item, dict) else None
            if not url:
                continue
            alive, accepted, rejected = state(item)
            found.append(
                Pool(
                    index=len(found),
                    url=url,
                    user=clean_str(item.get("user")),
                    alive=alive,
                    active=to_bool(item.get("active")),
                    accepted=to_int(accepted),
                    rejected=to_int(rejected),
                )
            )
    return found


def spinning_fans(
    items: Any, index_key: str, percent: Callable[[dict[str, Any]], int | None]
) -> list[Fan]:
    """The fans with a speed in a web API's fan list (bosminer lists four slots even on
    a two-fan S9); ``KeyError`` when there is no list, as that is unknown, not "no fans"."""
    if not isinstance(items, list):
        raise KeyError("no fan list")
    found = []
    for position, item in enumerate(items):
        rpm = to_int(item.get("rpm")) if isinstance(item, dict) else None
        if not rpm:
            continue
        index = to_int(item.get(index_key))
        found.append(
            Fan(index=position if index is None else index, rpm=rpm, percent=percent(item))
        )
    return found


def by_number(items: Any, key: str) -> list[dict[str, Any]]:
    """A web API's chain list in the order of the chains' numbers (``id``, ``name``)."""
    chains = (item for item in items if isinstance(item, dict))
    return sorted(chains, key=lambda item: to_int(item.get(key)) or 0)


def megahertz(hertz: Any) -> float | None:
    """A chain clock bosminer sends in Hz (RPC ``Frequency``, REST ``hertz``), in MHz."""
    value = to_float(hertz)
    return None if value is None else round(value / 1e6, 2)


def hashboard(
    position: int,
    rate: float | None,
    *,
    expected: float | None,
    chips: Any,
    frequency: float | None,
    voltage: Any,
    board: Any,
    chip: Any,
    inlet: Any = None,
    outlet: Any = None,
    serial: Any = None,
    enabled: bool | None = None,
) -> Board:
    """One hashboard by the same rules whichever API (RPC, GraphQL, REST) read it.

    The rates come in TH/s and the clock in MHz (each API has its own units); the
    temperatures, voltage, chip count and serial as sent. A zero temperature or
    voltage is no reading; a board hashes when its rate is above zero, and one the
    firmware disabled (REST's ``enabled``) says nothing either way.
    """
    return Board(
        index=position,
        hashrate=rate,
        expected_hashrate=expected,
        board_temperature=positive(to_float(board)),
        chip_temperature=positive(to_float(chip)),
        inlet_temperature=positive(to_float(inlet)),
        outlet_temperature=positive(to_float(outlet)),
        chips=to_int(chips),
        frequency=frequency,
        voltage=positive(to_float(voltage)),
        serial=clean_str(serial),
        active=None if rate is None or enabled is False else rate > 0,
    )


# -- helpers ---------------------------------------------------------------------------


def _optional(replies: Replies, source: Source, key: str) -> list[dict[str, Any]]:
    """A section of a reply that may have failed: boards merge several, each optional."""
    if source not in replies:
        return []
    try:
        return section(replies[source], key)
    except KeyError, TypeError:
        return []


def _rate(item: dict[str, Any]) -> float | None:
    """Prefer the one-minute average: five-second figures jump with share luck."""
    return mhs_to_ths(item.get("MHS 1m", item.get("MHS 5s")))


# -- extractors ------------------------------------------------------------------------


def _hashrate(replies: Replies) -> float | None:
    return _rate(first(replies[SUMMARY], "SUMMARY"))


def _expected_hashrate(replies: Replies) -> float | None:
    rates = [mhs_to_ths(dev.get("Nominal MHS")) for dev in section(replies[DEVS], "DEVS")]
    known = [r for r in rates if r is not None]
    return round(sum(known), 6) if known else None


def _boards(replies: Replies) -> list[Board]:
    """Merge the three per-chain replies by chain ID (6, 7, 8 on an S9; 1, 2, 3 later)."""
    devs = {to_int(d.get("ID")): d for d in _optional(replies, DEVS, "DEVS")}
    details = {to_int(d.get("ID")): d for d in _optional(replies, DEVDETAILS, "DEVDETAILS")}
    temps = {to_int(t.get("ID")): t for t in _optional(replies, TEMPS, "TEMPS")}
    ids = sorted(i for i in {*devs, *details, *temps} if i is not None)
    if not ids:
        raise KeyError("no chain data")
    boards = []
    for position, chain in enumerate(ids):
        dev = devs.get(chain, {})
        detail = details.get(chain, {})
        temp = temps.get(chain, {})
        boards.append(
            hashboard(
                position,
                _rate(dev) if dev else None,
                expected=mhs_to_ths(dev.get("Nominal MHS")),
                chips=detail.get("Chips"),
                frequency=megahertz(detail.get("Frequency")),
                voltage=detail.get("Voltage"),
                board=temp.get("Board"),
                chip=temp.get("Chip"),
            )
        )
    return boards


def _fans(replies: Replies) -> list[Fan]:
    """Fans with a speed: bosminer lists four slots even on a two-fan S9."""
    return fans(replies[FANS], spinning_only=True)


def _tuner(replies: Replies) -> dict[str, Any]:
    return first(replies[TUNERSTATUS], "TUNERSTATUS")


def _power(replies: Replies) -> float | None:
    return to_float(_tuner(replies)["ApproximateMinerPowerConsumption"])


def _power_limit(replies: Replies) -> float | None:
    # 0 means "no power target" (the tuner is off or in hashrate mode).
    return positive(to_float(_tuner(replies)["PowerLimit"]))


def _errors(replies: Replies) -> list[MinerErrorEntry]:
    chains = [c for c in _tuner(replies).get("TunerChainStatus") or [] if isinstance(c, dict)]
    chains.sort(key=lambda c: to_int(c.get("HashchainIndex")) or 0)
    errors = []
    for position, chain in enumerate(chains):
        status = clean_str(chain.get("Status"))
        if status is None or status.lower() in _HEALTHY_CHAIN_STATES:
            continue
        # Statuses carry a debug payload after " {" that means nothing to a user.
        errors.append(MinerErrorEntry(message=f"Board {position}: {status.split(' {')[0]}"))
    return errors


def _pools(replies: Replies) -> list[Pool]:
    return pools(replies[POOLS])


RPC_MAP: dict[Field, Location] = {
    Field.HASHRATE: Location((SUMMARY,), _hashrate),
    Field.EXPECTED_HASHRATE: Location((DEVS,), _expected_hashrate),
    Field.BOARDS: Location((DEVS, DEVDETAILS, TEMPS), _boards),
    Field.FANS: Location((FANS,), _fans),
    Field.POWER: Location((TUNERSTATUS,), _power),
    Field.POWER_LIMIT: Location((TUNERSTATUS,), _power_limit),
    Field.ERRORS: Location((TUNERSTATUS,), _errors),
    Field.POOLS: Location((POOLS,), _pools),
}
