"""The shared cgminer layer (``families/_cgminer.py``): one reading of STATUS, sections,
POOLS, FANS and the version probe for every cgminer-speaking family.

Reply shapes mirror real cgminer/bmminer/bosminer captures (asic-rs and pyasic test
data): ``STATUS`` as a list of one object, ``POOLS`` numbered by ``POOL``, a section
sent as a bare object by some builds. Values are made up.
"""

from __future__ import annotations

import pytest

from custom_components.asic_miner.driver.exceptions import MinerResponseError
from custom_components.asic_miner.driver.families._cgminer import (
    fans,
    first,
    piece_or_error,
    pools,
    probe_item,
    refusal,
    section,
    slots,
    stats_item,
)
from custom_components.asic_miner.driver.families._probes import RPC_VERSION

OK = [{"STATUS": "S", "When": 1, "Code": 7, "Msg": "2 Pool(s)", "Description": "cgminer"}]
ERROR = [{"STATUS": "E", "When": 1, "Code": 14, "Msg": "Invalid command"}]


def _pool(number: int, url: str) -> dict[str, object]:
    return {
        "POOL": number,
        "URL": url,
        "User": "worker.1",
        "Status": "Alive",
        "Stratum Active": True,
        "Accepted": 10,
        "Rejected": 1,
    }


def test_refusal_and_pieces() -> None:
    assert refusal({"STATUS": OK}) is None
    assert refusal({"STATUS": ERROR}) == "Invalid command"
    assert piece_or_error([{"STATUS": OK, "SUMMARY": []}], "h summary") == {
        "STATUS": OK,
        "SUMMARY": [],
    }
    refused = piece_or_error([{"STATUS": ERROR}], "h pools")
    assert isinstance(refused, MinerResponseError)
    assert str(refused) == "h pools: Invalid command"
    garbage = piece_or_error(7, "h devs")
    assert isinstance(garbage, MinerResponseError)
    assert str(garbage) == "h devs: reply is not an object"


def test_sections_take_a_bare_object_as_one() -> None:
    assert section({"SUMMARY": {"Elapsed": 5}}, "SUMMARY") == [{"Elapsed": 5}]
    assert section({"DEVS": [{"ID": 0}, "junk", {"ID": 1}]}, "DEVS") == [{"ID": 0}, {"ID": 1}]
    assert first({"VERSION": [{"API": "3.7"}]}, "VERSION") == {"API": "3.7"}


def test_probe_item_is_empty_when_the_probe_brought_nothing() -> None:
    reply = '{"STATUS":[{"STATUS":"S"}],"VERSION":[{"API":"3.7","Type":"Antminer S19"}]}'
    assert probe_item({RPC_VERSION.key: reply}, RPC_VERSION.key, "VERSION")["API"] == "3.7"
    assert probe_item({}, RPC_VERSION.key, "VERSION") == {}  # the probe failed
    assert probe_item({RPC_VERSION.key: "not json"}, RPC_VERSION.key, "VERSION") == {}
    assert probe_item({RPC_VERSION.key: '{"STATUS":"S"}'}, RPC_VERSION.key, "VERSION") == {}


def test_pools_numbering() -> None:
    reply = {
        "STATUS": OK,
        "POOLS": [_pool(0, "stratum+tcp://a:3333"), _pool(1, ""), _pool(2, "stratum+tcp://b:3333")],
    }
    assert [(p.index, p.url) for p in pools(reply)] == [
        (0, "stratum+tcp://a:3333"),
        (2, "stratum+tcp://b:3333"),
    ]
    assert [p.index for p in pools(reply, renumber=True)] == [0, 1]
    unnumbered = {"POOLS": [{"URL": "stratum+tcp://c:3333"}]}
    (pool,) = pools(unnumbered)
    assert (pool.index, pool.alive, pool.active, pool.accepted) == (0, None, None, None)


def test_fans_spinning_only() -> None:
    reply = {"FANS": [{"ID": 0, "RPM": 4200, "Speed": 60}, {"ID": 1, "RPM": 0, "Speed": 0}]}
    assert [f.index for f in fans(reply)] == [0, 1]
    assert [(f.index, f.rpm, f.percent) for f in fans(reply, spinning_only=True)] == [(0, 4200, 60)]


def test_stats_item_and_slots() -> None:
    version = {"BMMiner": "2.0.0", "Type": "Antminer S19"}
    chains = {
        "chain_acn1": 76,
        "chain_rate1": "95.1",
        "chain_acn3": 76,
        "chain_rate3": "",
        "fan5": 1,
    }
    reply = {"STATS": [version, chains]}
    assert stats_item(reply, ("chain_acn", "chain_rate")) is chains
    assert slots(chains, "chain_acn") == [1, 3]
    assert slots(chains, "chain_acn", "chain_rate") == [1, 3]
    assert slots(chains, "fan") == [5]
    with pytest.raises(KeyError):
        stats_item({"STATS": [version]}, ("MM ID",))
