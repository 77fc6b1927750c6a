"""What a snapshot reports, as one cheap key: the platforms' builders skip a poll that
reports the same things as the last one.

Every poll runs each platform's ``build`` (``entity.async_add_when_reported``) to find
boards, fans or controls that appeared. With 200 miners that was most of the
integration's work per poll, although a steady miner reports the same things every
time. The shape below is what the builders decide on: which values are reported at
all (not the readings), the boards and fans by index with which of their values are
reported, how many pools, the cooling settings reported, the controls and work modes,
and the identity. Two snapshots of one shape make every builder yield the same keys.

A builder that looks at a value itself (not only whether it is reported) must find
that value here; a field added to the snapshot counts by whether it is ``None`` without
a change here.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import fields
from operator import attrgetter
from typing import Any

from .driver import Board, Cooling, Fan, MinerSnapshot

# Looked at by value or by content rather than only whether it is reported.
_WHOLE = ("identity", "controls", "work_modes")
_NESTED = ("boards", "fans", "pools", "cooling")


def _reported_getter(kind: type, skip: tuple[str, ...] = ()) -> attrgetter[Any]:
    names = [f.name for f in fields(kind) if f.name not in skip]
    return attrgetter(*names)


_SNAPSHOT_VALUES = _reported_getter(MinerSnapshot, _WHOLE + _NESTED)
_SNAPSHOT_WHOLE = attrgetter(*_WHOLE)
_BOARD_VALUES = _reported_getter(Board)  # the index by value, beside this, in the key
_FAN_VALUES = _reported_getter(Fan)
_COOLING_VALUES = _reported_getter(Cooling, ("modes",))


def _reported(values: tuple[Any, ...]) -> tuple[bool, ...]:
    return tuple([value is None for value in values])


def reported_shape(snapshot: MinerSnapshot) -> Hashable:
    """The key: equal for two snapshots that report the same things."""
    cooling = snapshot.cooling
    return (
        _SNAPSHOT_WHOLE(snapshot),
        _reported(_SNAPSHOT_VALUES(snapshot)),
        tuple([(board.index, _reported(_BOARD_VALUES(board))) for board in snapshot.boards]),
        tuple([(fan.index, fan.psu, _reported(_FAN_VALUES(fan))) for fan in snapshot.fans]),
        len(snapshot.pools),
        None if cooling is None else (cooling.modes, _reported(_COOLING_VALUES(cooling))),
    )
