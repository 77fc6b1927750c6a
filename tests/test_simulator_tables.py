"""The simulator's shared tables and cgminer layer (simulator/models.py, simulator/cgminer.py).

Nothing here opens a socket: the handlers are called directly.
"""

from __future__ import annotations

import json
import re

import pytest

from simulator import cgminer
from simulator.families import load_all
from simulator.families.antminer import AntminerSim
from simulator.models import MODELS, models_of
from simulator.state import MinerState, SimPool


def test_every_family_serves_exactly_its_table_rows() -> None:
    families = load_all()
    assert {spec.family for spec in MODELS} == set(families)
    for key, sim in families.items():
        assert sim.models == models_of(key)
        assert all(spec.firmware for spec in sim.models.values())


@pytest.mark.parametrize(
    ("model", "form"),
    [
        ("S19 Pro", r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d CST \d{4}"),  # X19 build date
        ("S9", r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d CST \d{4}"),
        ("S21", r"FR-\d+\.\d+\(\d{6}-S21\)"),  # the S21's release tag
    ],
)
async def test_stock_antminer_reports_its_models_firmware(model: str, form: str) -> None:
    """Each model's firmware string has the form its real firmware reports (SOURCE.md)."""
    sim = AntminerSim.create("127.0.0.1", model)
    assert isinstance(sim, AntminerSim)
    assert re.fullmatch(form, sim.state.firmware_version)
    version = json.loads((await sim.handle_rpc('{"command":"version"}')).rstrip(b"\x00"))
    compile_time = version["VERSION"][0]["CompileTime"]
    if model != "S21":  # the date-form firmware is bmminer's build date
        assert compile_time == sim.state.firmware_version


def test_encoding_per_firmware() -> None:
    payload = cgminer.reply("SUMMARY", [{"A": 1}], "Summary", 11, "cgminer 1.0.0", when=7)
    assert cgminer.encode(payload).endswith(b"}\x00")
    compact = cgminer.encode(payload, nul=False, compact=True)
    assert b" " not in compact.replace(b"cgminer 1.0.0", b"")
    assert json.loads(compact)["STATUS"][0] == {
        "STATUS": "S",
        "When": 7,
        "Code": 11,
        "Msg": "Summary",
        "Description": "cgminer 1.0.0",
    }


def test_requests_and_multicommands() -> None:
    assert cgminer.parse_request("not json") is None
    assert cgminer.parse_request("[1]") is None
    request = cgminer.parse_request('{"command":"summary+pools","parameter":"0"}')
    assert request is not None
    assert (request.joined, request.names, request.parameter) == (True, ["summary", "pools"], "0")
    joined = cgminer.join({"summary": {"id": 1}, "pools": {"id": 1}})
    assert joined == {"summary": [{"id": 1}], "pools": [{"id": 1}], "id": 1}


def test_pool_records_count_from_the_given_number() -> None:
    state = MinerState(spec=models_of("whatsminer")["M30S+"], mining=False)
    state.pools = [SimPool("stratum+tcp://pool.example.com:3333", "w1", alive=False)]
    (record,) = cgminer.pool_records(state, lambda row: {"Stratum URL": row.stratum_host}, first=1)
    assert record["POOL"] == 1
    assert record["Status"] == "Dead"
    assert record["Stratum Active"] is False
    assert record["Stratum URL"] == "pool.example.com"
