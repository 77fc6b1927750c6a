"""The decoder-guided repair gives what the tokenizer repair gives, at C speed.

Real firmware sends the same few faults in every poll (Avalon's bare ``inf``,
Whatsminer's trailing commas, the S9's glued documents): ``_quick_repair`` fixes each
where the JSON decoder points, and leaves anything else to ``_repair``.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.asic_miner.driver.transports import rpc_parse
from custom_components.asic_miner.driver.transports.rpc_parse import (
    MAX_QUICK_FIXES,
    parse_rpc_reply,
)


def _by_tokenizer(text: str) -> Any:
    docs = [rpc_parse._loads(doc)[0] for doc in rpc_parse._repair(text)]
    if len(docs) == 1:
        return docs[0]
    merged: dict[str, Any] = {}
    for doc in docs:
        merged.update(doc)
    return merged


QUICK = [
    '{"Utility": inf, "a": -nan, "b": [nan, +inf, Infinity], "s": "inf, nan,}"}',
    '{"SUMMARY": [{"Upfreq Complete": 1,}], "id": 1}',
    "[1, 2,]",
    '{"STATUS": "S"}{"STATS": 0, "Type": "Antminer S9"}',
    '{"a": "x""b": 1}',
    '{,"a": 1}',
    "[,1]",
    '{"a": 1,,"b": 2}',
    '{"a": inf,}  {"b": [1,], "c": {}}',
]
FALLBACK = [
    '{"a": ["k": 1]}',  # key-value pairs in an array: only the tokenizer turns them over
    "[1 2]",
    '{"a": ' + "[" + ", ".join(["inf"] * (MAX_QUICK_FIXES + 1)) + "]}",
]


@pytest.mark.parametrize("text", QUICK)
def test_quick_repair_matches_the_tokenizer(text: str) -> None:
    assert rpc_parse._quick_repair(text) is not None
    assert parse_rpc_reply(text.encode()) == _by_tokenizer(text)


@pytest.mark.parametrize("text", FALLBACK)
def test_other_faults_are_left_to_the_tokenizer(text: str) -> None:
    assert rpc_parse._quick_repair(text) is None
    assert parse_rpc_reply(text.encode()) == _by_tokenizer(text)


def test_quick_repair_gives_up_on_what_it_cannot_place() -> None:
    assert rpc_parse._quick_repair('{"a": 1} xyz') is None
    assert rpc_parse._quick_repair('{"a": 1}}') is None
    assert rpc_parse._quick_repair('{"a": {"x": 1}{"y": 2}}') is None  # no object here
    assert rpc_parse._quick_repair('{"a": 1' + "9" * 5000 + "}") is None  # int limit
    glued = "".join(f'{{"k{i}": {i}}}' for i in range(rpc_parse.MAX_PIECES + 1))
    assert rpc_parse._quick_repair(glued) is None
