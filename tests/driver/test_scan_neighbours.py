"""The neighbour-table figures the scan sizes its sweep from, read as the kernel gives them."""

from __future__ import annotations

import importlib
import socket
import struct
from pathlib import Path

import pytest

from custom_components.asic_miner.driver.scan.neighbours import (
    DEFAULT_RESOLVE_TIME,
    DEFAULT_TABLE_SIZE,
    HEADROOM,
    MIN_BUDGET,
    NeighbourTable,
    local_addresses,
)

neighbours = importlib.import_module("custom_components.asic_miner.driver.scan.neighbours")


def _attr(kind: int, value: bytes) -> bytes:
    length = 4 + len(value)
    return struct.pack("=HH", length, kind) + value + b"\0" * (-length % 4)


def _table(name: bytes, thresh3: int, entries: int) -> bytes:
    config = struct.pack("=HHIIIIIII", 4, 336, entries, 0, 0, 0, 0, 0, 0)
    attrs = _attr(1, name + b"\0") + _attr(4, struct.pack("=I", thresh3)) + _attr(5, config)
    body = struct.pack("=B3x", socket.AF_INET) + attrs
    return struct.pack("=IHHII", 16 + len(body), 64, 2, 1, 0) + body


class FakeNetlink:
    def __init__(self, *chunks: bytes) -> None:
        self.chunks = list(chunks)

    def recv(self, _size: int) -> bytes:
        return self.chunks.pop(0)


def test_reads_the_arp_table_from_a_netlink_dump() -> None:
    done = struct.pack("=IHHII", 20, 3, 2, 1, 0) + b"\0" * 4
    dump = FakeNetlink(_table(b"ndisc_cache", 4096, 9) + _table(b"arp_cache", 2048, 17), done)
    assert neighbours._read_dump(dump) == (2048, 17)


def test_malformed_attributes_are_ignored() -> None:
    assert neighbours._table_attributes(b"\x00\x00\x01\x00") is None
    assert neighbours._table_attributes(_attr(1, b"arp_cache\0")) is None


def test_this_machine_is_read_or_assumed() -> None:
    table = NeighbourTable.read()
    assert table.source in {"netlink", "proc", "assumed"}
    assert table.size > 0
    assert table.entries >= 0
    assert table.room == max(MIN_BUDGET, table.size - max(table.entries, HEADROOM))
    assert table.resolve_time > 0


def test_falls_back_to_proc_then_to_the_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(neighbours, "_netlink_figures", lambda: None)
    (tmp_path / "sys/net/ipv4/neigh/default").mkdir(parents=True)
    (tmp_path / "sys/net/ipv4/neigh/eth0").mkdir(parents=True)
    (tmp_path / "net/stat").mkdir(parents=True)
    (tmp_path / "sys/net/ipv4/neigh/default/gc_thresh3").write_text("1000\n")
    (tmp_path / "sys/net/ipv4/neigh/eth0/mcast_solicit").write_text("2\n")
    (tmp_path / "sys/net/ipv4/neigh/eth0/retrans_time_ms").write_text("500\n")
    (tmp_path / "net/stat/arp_cache").write_text("entries  allocs\n0000000a 00000001\n")
    monkeypatch.setattr(neighbours, "_PROC", tmp_path)
    assert NeighbourTable.read() == NeighbourTable(1000, 10, 1.0, "proc")

    monkeypatch.setattr(neighbours, "_PROC", tmp_path / "missing")
    assert NeighbourTable.read() == NeighbourTable(
        DEFAULT_TABLE_SIZE, 0, DEFAULT_RESOLVE_TIME, "assumed"
    )
    assert local_addresses() == frozenset()


def test_a_full_table_still_leaves_a_minimum() -> None:
    assert NeighbourTable(1024, 1020).room == MIN_BUDGET


def test_the_kernel_keeps_a_few_entries_of_its_own() -> None:
    # An empty table is not all the sweep's: the kernel needs a few entries meanwhile,
    # which a table in use already holds.
    assert NeighbourTable(1024, 0).room == 1024 - HEADROOM
    assert NeighbourTable(1024, HEADROOM + 2).room == 1024 - HEADROOM - 2


def test_local_addresses_include_loopback() -> None:
    assert "127.0.0.1" in local_addresses()


def test_netlink_refused_is_no_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> socket.socket:
        raise PermissionError("netlink refused")

    monkeypatch.setattr(neighbours.socket, "socket", refuse)
    assert neighbours._netlink_figures() is None
