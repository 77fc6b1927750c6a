"""Identity details read from a reply by its own keys: the one way families name them.

``details_from(item, mac="MAC", serial="DNA")`` instead of ``clean_str(item.get(...))``
in every family, so the cleaning is one rule: a detail takes the first of its keys with
a value, text is stripped of blanks and quotes, a MAC is normalised (``None`` for an
all-zero placeholder). What needs parsing of its own (a version inside a description,
a MAC from a list) a family sets beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, Unpack, cast

from ..contract import IdentityDetails
from ..values import clean_str, normalize_mac

type ReplyKeys = str | tuple[str, ...]
"""A reply's key for one identity detail, or its keys in order of preference."""


class DetailKeys(TypedDict, total=False):
    """Which keys of one reply object name which identity detail (see ``details_from``)."""

    firmware_version: ReplyKeys
    api_version: ReplyKeys
    mac: ReplyKeys
    serial: ReplyKeys
    hostname: ReplyKeys
    control_board: ReplyKeys


def details_from(reply: Mapping[str, Any], **keys: Unpack[DetailKeys]) -> IdentityDetails:
    """The details ``keys`` names, read from one reply object (see the module)."""
    details: dict[str, str | None] = {}
    for detail, names in keys.items():
        raw = next((reply[name] for name in _names(names) if reply.get(name)), None)
        details[detail] = normalize_mac(raw) if detail == "mac" else clean_str(raw)
    return cast(IdentityDetails, details)


def _names(keys: object) -> tuple[str, ...]:
    return (keys,) if isinstance(keys, str) else cast(tuple[str, ...], keys)
