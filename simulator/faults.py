"""Faults a simulated miner can be told to show, on every port it serves."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FaultKind(StrEnum):
    DELAY = "delay"  # answer, but only after `seconds`
    SILENCE = "silence"  # accept the connection and never answer
    RESET = "reset"  # drop the connection as soon as the request arrives
    TRUNCATE = "truncate"  # send part of the reply, then close
    MALFORMED = "malformed"  # send bytes that are not the protocol


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    seconds: float = 0.0

    @classmethod
    def parse(cls, text: str) -> Fault:
        """``delay:2.5``, ``silence``, ... as used on the command line and in fleet files."""
        kind, _, seconds = text.partition(":")
        return cls(FaultKind(kind), float(seconds or 0))


MALFORMED_BYTES = b'{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"GHS 5s":<<garbage>>\x01\x02'


def truncate(reply: bytes) -> bytes:
    """The first 40 % of a reply: enough to look like the start of a good one."""
    return reply[: max(1, len(reply) * 2 // 5)]
