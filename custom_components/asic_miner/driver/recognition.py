"""How a family recognises its firmware: shared probes, and the test of their replies.

Apart from ``contract.py`` (which re-exports all of it) because nothing here knows a
backend: the identification and the families' standard marks (``families._probes``)
need only this.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .context import MinerContext


@dataclass(frozen=True, slots=True)
class Probe:
    """One identification request; families share probes by ``key``, each runs once."""

    key: str
    run: Callable[[MinerContext], Coroutine[Any, Any, Any]]


type ProbeResults = Mapping[str, Any]
"""Probe key to its reply; a probe that failed or timed out is absent."""


class Recognition(Protocol):
    """How a family recognises its firmware: the probes it reads and a test of their replies.

    Most families pass the standard one, ``families._probes.Marks`` (substrings of the
    RPC probes, the digest realm, the web root); the others a ``Fingerprint``.
    """

    @property
    def probes(self) -> tuple[Probe, ...]: ...

    def matches(self, results: ProbeResults) -> bool: ...


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A family's own probes and test, where the standard marks cannot say it."""

    probes: tuple[Probe, ...]
    matches: Callable[[ProbeResults], bool]
