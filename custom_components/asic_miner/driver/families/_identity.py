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
from functools import partial
from typing import Any, TypedDict, Unpack, cast

from ..context import MinerContext
from ..contract import Backend, Family, IdentifyFn, IdentityDetails, ProbeResults
from ..models import Algorithm, Credentials, MinerIdentity
from ..values import clean_str, normalize_mac
from ._cgminer import probe_item
from ._probes import RPC_VERSION

type ReplyKeys = str | tuple[str, ...]
"""A reply's key for one identity detail, or its keys in order of preference."""

type ReadReply = Callable[[MinerContext, ProbeResults], Awaitable[Mapping[str, Any]]]
"""How identification gets one reply object (from the probes, or a request of its own)."""


class DetailKeys(TypedDict, total=False):
    """Which keys of one reply object name which identity detail (see ``details_from``)."""

    firmware_version: ReplyKeys
    api_version: ReplyKeys
    mac: ReplyKeys
    serial: ReplyKeys
    hostname: ReplyKeys
    control_board: ReplyKeys


class NameKeys(DetailKeys, total=False):
    """A ``Reply``'s keys: the identity details, the model and make, the backend's name."""

    model: ReplyKeys
    make: ReplyKeys
    backend: ReplyKeys


def details_from(reply: Mapping[str, Any], **keys: Unpack[DetailKeys]) -> IdentityDetails:
    """The details ``keys`` names, read from one reply object (see the module)."""
    details: dict[str, str | None] = {}
    for detail, names in keys.items():
        details[detail] = _value(detail, reply, names, clean_str)
    return cast(IdentityDetails, details)


def _value(
    detail: str, reply: Mapping[str, Any], keys: object, name: Callable[[Any], str | None]
) -> str | None:
    if detail == "model":  # the first key the family's normalising makes a name of
        return next(filter(None, (name(reply.get(key)) for key in _names(keys))), None)
    raw = next((reply[key] for key in _names(keys) if reply.get(key)), None)
    return normalize_mac(raw) if detail == "mac" else clean_str(raw)


def _names(keys: object) -> tuple[str, ...]:
    return (keys,) if isinstance(keys, str) else cast(tuple[str, ...], keys)


class Reply:
    """One reply identification reads, and which of its keys name what (``NameKeys``)."""

    __slots__ = ("keys", "read")

    def __init__(self, read: ReadReply, **keys: Unpack[NameKeys]) -> None:
        self.read = read
        self.keys = keys


@dataclass(frozen=True, slots=True)
class Naming:
    """How a family names a miner, as data: passed as its ``identify``, bound to it.

    The replies are read in order; each detail (and the model, the make) takes the
    first reply with a value for it, so the order is the order of preference. The
    model passes through ``model_name`` (the family's own normalising); without one,
    ``unknown_model`` (the make, unless said). The make is the family's name unless
    said (Elphapex, Goldshell...); ``firmware`` is ``Stock`` unless said. A family that
    probes the RPC ``version`` takes the API version from its ``API`` unless a reply
    names it (cgminer's own field, the same in every such firmware).
    The backend: the one a reply names (by its ``name``), else ``backend_for(model)``
    where the model decides, else the family's only one.
    """

    replies: tuple[Reply, ...]
    make: str | None = None
    firmware: str = "Stock"
    unknown_model: str | None = None
    model_name: Callable[[Any], str | None] = clean_str
    backend_for: Callable[[str], type[Backend]] | None = None
    algorithm: Algorithm | None = None  # only where the firmware says; else the table's

    def bind(self, family: Family) -> IdentifyFn:
        """The family's ``identify``; a family of several backends must say how to choose."""
        chosen = self.backend_for is not None or any("backend" in r.keys for r in self.replies)
        if not chosen and len(family.backends) != 1:
            raise TypeError(f"{family.key}: several backends and no way to choose one")
        return partial(self.identify, family)

    async def __call__(self, ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
        raise TypeError("a Naming names miners through the Family it is given to")

    async def identify(
        self, family: Family, ctx: MinerContext, results: ProbeResults
    ) -> MinerIdentity:
        found: dict[str, str | None] = {}
        for reply in self.replies:
            data = await reply.read(ctx, results)
            for detail, keys in reply.keys.items():
                if found.get(detail) is None:
                    found[detail] = _value(detail, data, keys, self.model_name)
        make = found.pop("make", None) or self.make or family.name
        model = found.pop("model", None) or self.unknown_model or self.make or family.name
        if found.get("api_version") is None and RPC_VERSION in family.probes:
            found["api_version"] = _value("api_version", probed(results), "API", clean_str)
        backend = found.pop("backend", None) or self._backend(family, model).name
        details = cast(IdentityDetails, found)
        if self.algorithm is not None:
            details["algorithm"] = self.algorithm
        return family.identity(make, model, self.firmware, backend, **details)

    def _backend(self, family: Family, model: str) -> type[Backend]:
        if self.backend_for is not None:
            return self.backend_for(model)
        return family.backends[0]  # the only one (``bind`` made sure)


def probed(results: ProbeResults) -> Mapping[str, Any]:
    """The RPC ``version`` object the shared probe brought (empty where it failed)."""
    return probe_item(results, RPC_VERSION.key, "VERSION")


async def probed_version(ctx: MinerContext, results: ProbeResults) -> Mapping[str, Any]:
    """``probed`` as a ``Reply``'s read: free, the probe already brought it."""
    return probed(results)


SYSTEM_INFO = "/cgi-bin/get_system_info.cgi"


SYSTEM_INFO_KEYS = DetailKeys(
    firmware_version="system_filesystem_version",
    mac="macaddr",
    serial=("serinum", "serial_no"),
    hostname="hostname",
)
"""What ``get_system_info.cgi`` names, the same on every Antminer-like web UI."""


def system_info(credentials: Credentials) -> ReadReply:
    """``get_system_info.cgi`` behind digest auth (Antminer's web UI and its clones)."""

    async def read(ctx: MinerContext, results: ProbeResults) -> Mapping[str, Any]:
        info: Mapping[str, Any] = await ctx.web(digest=ctx.login(credentials)).get_json(SYSTEM_INFO)
        return info

    return read
