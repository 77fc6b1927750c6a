"""Braiins OS releases: what each firmware generation serves, as far as a client can tell.

A model's default release is the one whose ``full`` version the model table
(``simulator/models.py``) gives it; ``create(..., release="25.05.1")`` picks another.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Release:
    """What differs between firmware releases, as far as a client can tell."""

    full: str  # bos.info.version.full / bos_version.current
    rest: bool  # REST API under /api/v1 (25.07 and later)
    graphql_mac: bool  # bos.macAddress in the GraphQL schema (24.09+)
    rpc_key: str  # VERSION item key: "BOSminer" (old) or "BOSer"
    rpc_name: str
    default_password: str
    graphql_serials: bool = False  # bos.serialNumber, hwDetails.hbSerialNumber (25.03+)
    bosminer_uptime: bool = False  # bosminer.uptime (24.09+; not in the 21.09 schema)
    # Board sensor names in GraphQL: board, chip, inlet, outlet (None: no such sensor).
    temperature_names: tuple[str, str, str | None, str | None] = ("Board", "Chip", None, None)
    rest_api: tuple[int, int, int] = (1, 0, 0)  # GET /api/v1/version/
    rest_serials: bool = False  # miner/details serial_number filled, pool group uid (25.11+)
    best_share_str: bool = False  # best_share_str beside best_share (26.04)


_MAX_NAMES = ("MAX_BOARD", "MAX_CHIP", "INLET", "OUTLET")
RELEASES = {
    "26.04": Release(
        "2026-04-14-0-912d084c-26.04-plus",
        rest=True,
        graphql_mac=True,
        rpc_key="BOSer",
        rpc_name="boser-buildroot 0.1.0-912d084c",
        default_password="root",
        graphql_serials=True,
        bosminer_uptime=True,
        temperature_names=_MAX_NAMES,
        rest_api=(1, 3, 0),
        rest_serials=True,
        best_share_str=True,
    ),
    "25.11": Release(
        "2025-11-21-0-eb658dcd-25.11-plus",
        rest=True,
        graphql_mac=True,
        rpc_key="BOSer",
        rpc_name="boser-buildroot 0.1.0-eb658dcd",
        default_password="root",
        graphql_serials=True,
        bosminer_uptime=True,
        temperature_names=_MAX_NAMES,
        rest_api=(1, 1, 0),
        rest_serials=True,
    ),
    "25.07": Release(
        "2025-08-06-0-3881c51d-25.07-plus",
        rest=True,
        graphql_mac=True,
        rpc_key="BOSer",
        rpc_name="boser-buildroot 0.1.0-3881c51d",
        default_password="root",
        graphql_serials=True,
        bosminer_uptime=True,
        temperature_names=_MAX_NAMES,
    ),
    "25.05.1": Release(
        "2025-06-25-0-45f356ea-25.05.1-plus",
        rest=False,
        graphql_mac=True,
        rpc_key="BOSer",
        rpc_name="boser-buildroot 0.1.0-45f356ea",
        default_password="",
        graphql_serials=True,
        bosminer_uptime=True,
        temperature_names=_MAX_NAMES,
    ),
    "25.03": Release(
        "2025-04-07-0-424f9a7f-25.03-plus",
        rest=False,
        graphql_mac=True,
        rpc_key="BOSer",
        rpc_name="boser-buildroot 0.1.0-424f9a7f",
        default_password="",
        graphql_serials=True,
        bosminer_uptime=True,
        temperature_names=("Max Board", "Max Chip", "Inlet", "Outlet"),
    ),
    "24.09": Release(
        "2024-10-17-0-75912fc7-24.09-plus",
        rest=False,
        graphql_mac=True,
        rpc_key="BOSer",
        rpc_name="boser-buildroot 0.1.0-75912fc7",
        default_password="",
        bosminer_uptime=True,
    ),
    # BOS+ 22.08 still serves the 21.09 GraphQL schema, but RPC already says BOSer.
    "22.08": Release(
        "2022-09-13-0-11012d53-22.08-plus",
        rest=False,
        graphql_mac=False,
        rpc_key="BOSer",
        rpc_name="boser-openwrt 0.1.0-11012d53",
        default_password="",
    ),
    "21.09": Release(
        "2021-10-14-0-9b2a0d61-21.09-plus",
        rest=False,
        graphql_mac=False,
        rpc_key="BOSminer",
        rpc_name="bosminer-plus-tuner 0.2.0-9b2a0d61",
        default_password="",
    ),
}
BOSMINER_START_DELAY = 40  # s between the system booting and bosminer running
