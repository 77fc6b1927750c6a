"""Identification as data: which reply names which identity detail, read by one function.

``details_from(item, mac="MAC", serial="DNA")`` instead of ``clean_str(item.get(...))``
in every family, so the cleaning is one rule: a detail takes the first of its keys with
a value, text is stripped of blanks and quotes, a MAC is normalised (``None`` for an
all-zero placeholder).

Most families name a miner the same way: read one or two replies (a probe's, a web
page, an API call), take the model, firmware version, MAC, serial, hostname from keys
of their own, pick the backend. Such a family declares a ``Naming`` (its replies as
``Reply(read, model="Model", mac="MAC", ...)``, in order of preference) and passes it as
its ``identify``; a function stays only where a family really needs logic (several API
generations, a version inside a description). What needs parsing of its own a reply's
``read`` adds to the reply under a key of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack, cast

from ..context import MinerContext
from ..contract import Backend, IdentityDetails, ProbeResults, identity_of
from ..models import Algorithm, Credentials, MinerIdentity
from ..values import clean_str, normalize_mac
from ._cgminer import probe_item
from ._probes import RPC_VERSION

type ReplyKeys = str | tuple[str, ...]
"""A reply's key for one identity detail, or its keys in order of preference."""

type ReadReply = Callable[[MinerContext, ProbeResults], Awaitable[Mapping[str, Any]]]
"""How identification gets one reply object (from the probes, or a request of its own)."""

type ChooseBackend = Callable[[MinerContext, str], Awaitable[type[Backend]]]
"""The backend for a model, where a family has several (may ask the miner once more)."""


class DetailKeys(TypedDict, total=False):
    """Which keys of one reply object name which identity detail (see ``details_from``)."""

    firmware_version: ReplyKeys
    api_version: ReplyKeys
    mac: ReplyKeys
    serial: ReplyKeys
    hostname: ReplyKeys
    control_board: ReplyKeys


class NameKeys(DetailKeys, total=False):
    """A ``Reply``'s keys: the identity details, and the model and make it names."""

    model: ReplyKeys
    make: ReplyKeys


def details_from(reply: Mapping[str, Any], **keys: Unpack[DetailKeys]) -> IdentityDetails:
    """The details ``keys`` names, read from one reply object (see the module)."""
    details: dict[str, str | None] = {}
    for detail, names in keys.items():
        details[detail] = _value(detail, reply, names, clean_str)
    return cast(IdentityDetails, details)


def _value(
    detail: str, reply: Mapping[str, Any], keys: object, name: Callable[[Any], str | None]
) -> str | None:
    raw = next((reply[key] for key in _names(keys) if reply.get(key)), None)
    if detail == "mac":
        return normalize_mac(raw)
    return name(raw) if detail == "model" else clean_str(raw)


def _names(keys: object) -> tuple[str, ...]:
    return (keys,) if isinstance(keys, str) else cast(tuple[str, ...], keys)


class Reply:
    """One reply identification reads, and which of its keys name what (``NameKeys``)."""

    __slots__ = ("keys", "read")

    def __init__(self, read: ReadReply, **keys: Unpack[NameKeys]) -> None:
        self.read = read
        self.keys = keys


async def _no_choice(ctx: MinerContext, model: str) -> type[Backend]:
    raise TypeError("a Naming needs a backend or choose_backend")


@dataclass(frozen=True, slots=True)
class Naming:
    """How a family names a miner, as data; called as the family's ``identify``.

    The replies are read in order; each detail (and the model, the make) takes the
    first reply with a value for it, so the order is the order of preference. The
    model passes through ``model_name`` (the family's own normalising); without one,
    ``unknown_model``. ``backend`` is the family's one backend; a family with several
    gives ``choose_backend`` instead (by model; it may ask the miner once more).
    """

    family: str
    make: str
    firmware: str
    unknown_model: str
    replies: tuple[Reply, ...]
    backend: type[Backend] | None = None
    choose_backend: ChooseBackend = _no_choice
    model_name: Callable[[Any], str | None] = clean_str
    algorithm: Algorithm | None = None  # only where the firmware says; else the table's

    async def __call__(self, ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
        found: dict[str, str | None] = {}
        for reply in self.replies:
            data = await reply.read(ctx, results)
            for detail, keys in reply.keys.items():
                if found.get(detail) is None:
                    found[detail] = _value(detail, data, keys, self.model_name)
        model = found.pop("model", None) or self.unknown_model
        make = found.pop("make", None) or self.make
        backend = self.backend or await self.choose_backend(ctx, model)
        details = cast(IdentityDetails, found)
        if self.algorithm is not None:
            details["algorithm"] = self.algorithm
        return identity_of(self.family, make, model, self.firmware, backend.name, **details)


async def probed_version(ctx: MinerContext, results: ProbeResults) -> Mapping[str, Any]:
    """The RPC ``version`` object the shared probe brought (empty where it failed)."""
    return probe_item(results, RPC_VERSION.key, "VERSION")


SYSTEM_INFO = "/cgi-bin/get_system_info.cgi"


def system_info(credentials: Credentials) -> ReadReply:
    """``get_system_info.cgi`` behind digest auth (Antminer's web UI and its clones)."""

    async def read(ctx: MinerContext, results: ProbeResults) -> Mapping[str, Any]:
        info: Mapping[str, Any] = await ctx.web(digest=ctx.login(credentials)).get_json(SYSTEM_INFO)
        return info

    return read
