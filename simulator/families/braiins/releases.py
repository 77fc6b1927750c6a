"""Braiins OS releases: what each firmware generation serves, as far as a client can tell.

A model's default release is the one whose ``full`` version the model table
(``simulator/models.py``) gives it; ``create(..., release="25.05.1")`` picks another.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...models import BOS_21_09, BOS_25_05_1, BOS_25_07


@dataclass(frozen=True, slots=True)
class Release:
    """What differs between firmware releases, as far as a client can tell."""

    full: str  # bos.info.version.full / bos_version.current
    rest: bool  # REST API under /api/v1 (25.07 and later)
    graphql_mac: bool  # bos.macAddress in the GraphQL schema (24.09+)
    rpc_name: str  # VERSION item value: "<build> <version>-<commit>"
    graphql_serials: bool = False  # bos.serialNumber, hwDetails.hbSerialNumber (25.03+)
    bosminer_uptime: bool = False  # bosminer.uptime (24.09+; not in the 21.09 schema)
    # Board sensor names in GraphQL: board, chip, inlet, outlet (None: no such sensor).
    temperature_names: tuple[str, str, str | None, str | None] = ("Board", "Chip", None, None)
    rest_api: tuple[int, int, int] = (1, 0, 0)  # GET /api/v1/version/
    rest_serials: bool = False  # miner/details serial_number filled, pool group uid (25.11+)
    best_share_str: bool = False  # best_share_str beside best_share (26.04)

    @property
    def rpc_key(self) -> str:
        """VERSION item key: "BOSminer" on the old bosminer, "BOSer" since 22.08."""
        return "BOSminer" if self.rpc_name.startswith("bosminer") else "BOSer"

    @property
    def default_password(self) -> str:
        """``root`` since the REST releases; empty before."""
        return "root" if self.rest else ""


_MAX = ("MAX_BOARD", "MAX_CHIP", "INLET", "OUTLET")
_25_03 = ("Max Board", "Max Chip", "Inlet", "Outlet")
_BUILDROOT = "boser-buildroot 0.1.0-"

# fmt: off
RELEASES = {
    # key:     full version                       REST   MAC    RPC build name                   serials uptime temps   REST API   REST serials, best_share_str
    "26.04":   Release("2026-04-14-0-912d084c-26.04-plus", True, True, _BUILDROOT + "912d084c", True, True, _MAX, (1, 3, 0), True, True),
    "25.11":   Release("2025-11-21-0-eb658dcd-25.11-plus", True, True, _BUILDROOT + "eb658dcd", True, True, _MAX, (1, 1, 0), True),
    "25.07":   Release(BOS_25_07, True, True, _BUILDROOT + "3881c51d", True, True, _MAX),
    "25.05.1": Release(BOS_25_05_1, False, True, _BUILDROOT + "45f356ea", True, True, _MAX),
    "25.03":   Release("2025-04-07-0-424f9a7f-25.03-plus", False, True, _BUILDROOT + "424f9a7f", True, True, _25_03),
    "24.09":   Release("2024-10-17-0-75912fc7-24.09-plus", False, True, _BUILDROOT + "75912fc7", False, True),
    # BOS+ 22.08 still serves the 21.09 GraphQL schema, but RPC already says BOSer.
    "22.08":   Release("2022-09-13-0-11012d53-22.08-plus", False, False, "boser-openwrt 0.1.0-11012d53"),
    "21.09":   Release(BOS_21_09, False, False, "bosminer-plus-tuner 0.2.0-9b2a0d61"),
}
# fmt: on
BOSMINER_START_DELAY = 40  # s between the system booting and bosminer running
