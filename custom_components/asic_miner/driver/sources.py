"""The data sources a backend's ``DATA_MAP`` names, and one poll's replies to them.

A source says what to ask (an RPC command, a web GET, or a call only the backend
knows); a ``Location`` says which sources one snapshot field needs and how to extract
it. ``contract.py`` re-exports these: families import them from there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .exceptions import MinerError
from .fields import Field


@dataclass(frozen=True, slots=True)
class Rpc:
    """A cgminer-style RPC command as a data source.

    How a poll's commands travel is the backend's to say, for all of them at once:
    combined into one multicommand (``RPC_MULTICOMMAND``), each reply used only when
    provably whole (``RPC_WHOLE_REPLIES``), single commands one at a time
    (``RPC_ONE_AT_A_TIME``); ``collect.py`` does the rest.
    """

    command: str
    parameter: str | None = None


@dataclass(frozen=True, slots=True)
class Web:
    """An HTTP GET on the miner's web port as a data source."""

    path: str


@dataclass(frozen=True, slots=True)
class Call:
    """A source only the backend knows how to fetch (a GraphQL query, a v3 command)."""

    name: str
    argument: str | None = None


type Source = Rpc | Web | Call


class Replies:
    """The answers to one poll's requests, keyed by source.

    Looking up a source that failed re-raises its error, so an extractor that needs it
    fails cleanly and its field stays ``None``.
    """

    def __init__(self, data: Mapping[Source, Any]) -> None:
        self._data = data
        self._views: dict[tuple[Source, Callable[[Any], Any]], Any] = {}

    def __getitem__(self, source: Source) -> Any:
        value = self._data[source]
        if isinstance(value, Exception):
            raise value
        return value

    def get(self, source: Source) -> Any | None:
        try:
            return self[source]
        except KeyError, MinerError:
            return None

    def __contains__(self, source: object) -> bool:
        value = self._data.get(source, KeyError)  # type: ignore[call-overload]
        return value is not KeyError and not isinstance(value, Exception)

    def parsed[T](self, source: Source, parse: Callable[[Any], T]) -> T:
        """``parse(self[source])`` built once per poll, for views several fields read
        (Avalon's MM text, LuxOS's profiles). Shared: read them, never change them. A
        view that failed to build is not kept: every caller gets the same error.
        """
        key = (source, parse)
        if key not in self._views:
            self._views[key] = parse(self[source])
        return self._views[key]  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Location:
    """Where one field comes from: the sources it needs and a function over them, and
    ``fallback`` sources read only where those leave it unknown (``first_of``)."""

    sources: tuple[Source, ...]
    extract: Callable[[Replies], Any]
    fallback: tuple[Source, ...] = ()

    @property
    def every_source(self) -> tuple[Source, ...]:
        """The sources and the fallback ones: what reading the field may take."""
        return self.sources + self.fallback


def read_from(source: Source, parse: ModuleType, *fields: Field) -> dict[Field, Location]:
    """Data-map rows for fields ``source`` holds alone, each read by the function of
    ``parse`` named after it (``parse.hashrate`` for ``Field.HASHRATE``): what one
    reply gives, in one line; a missing extractor fails at import, not at a poll."""
    return {field: Location((source,), getattr(parse, field.value)) for field in fields}


_FALLBACK_ERRORS = (
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    AttributeError,
    ZeroDivisionError,
    MinerError,
)


def first_of(*locations: Location) -> Location:
    """One field from several sources, in order of preference, each failing on its own.

    The first extractor that answers a value (not ``None``) wins; one whose source
    failed or lacks the data is skipped. The first location's sources are fetched
    every poll, the others' in the same poll where the field came out unknown
    (``collect``): a web API that answers costs no RPC, one that fails still has it.
    """

    def extract(replies: Replies) -> Any:
        last: Exception | None = None
        for location in locations:
            try:
                value = location.extract(replies)
            except _FALLBACK_ERRORS as err:
                last = err
                continue
            if value is not None:
                return value
        if last is not None:
            raise last
        return None

    first, *others = locations
    sources = tuple(dict.fromkeys(first.sources))
    later = (*first.fallback, *(s for loc in others for s in loc.every_source))
    return Location(sources, extract, tuple(dict.fromkeys(s for s in later if s not in sources)))
