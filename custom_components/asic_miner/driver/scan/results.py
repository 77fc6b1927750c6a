"""What a scan reports: the miners found, the unsupported ones, and its progress."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum

from ..contract import Family
from ..exceptions import MinerError
from ..models import MinerIdentity


@dataclass(frozen=True, slots=True)
class ScanResult:
    """One miner found.

    ``identity`` is ``None`` when the family answered but its identification failed;
    ``error`` then says why. A ``MinerAuthenticationError`` means the miner wants other
    credentials than the family's defaults (ask the user, then ``Miner.connect``).
    """

    host: str
    family: Family
    identity: MinerIdentity | None = None
    error: MinerError | None = None

    @property
    def address(self) -> ipaddress.IPv4Address:
        return ipaddress.IPv4Address(self.host)


@dataclass(frozen=True, slots=True)
class UnsupportedMiner:
    """A host where a miner answered that no supported family matched."""

    host: str
    answered: str  # what answered, e.g. "Auradine FluxOS"

    @property
    def address(self) -> ipaddress.IPv4Address:
        return ipaddress.IPv4Address(self.host)


@dataclass(frozen=True, slots=True)
class ScanReport:
    """Everything a finished scan found, for a caller that shows it all at once."""

    miners: list[ScanResult]  # supported miners, by address
    unsupported: list[UnsupportedMiner]  # miners no family supports, by address
    addresses: int  # addresses scanned
    reachable: int  # addresses where something accepted a connection

    @property
    def silent(self) -> int:
        """Addresses where nothing answered at all."""
        return self.addresses - self.reachable


class ScanStage(StrEnum):
    SWEEP = "sweep"  # done/total: hosts swept / targets
    IDENTIFY = "identify"  # done/total: reachable hosts identified / reachable hosts
    DONE = "done"  # done/total: hosts finished / targets (fewer when the deadline hit)


@dataclass(frozen=True, slots=True)
class ScanProgress:
    stage: ScanStage
    done: int
    total: int
    found: int  # miners reported so far
    reachable: int = 0  # hosts that accepted a connection so far

    @property
    def fraction(self) -> float:
        return 1.0 if self.total == 0 else self.done / self.total
