"""The RPC parser's shortcuts answer exactly what the plain calls answered.

``_json`` decodes on one decoder built once instead of ``json.loads`` with options,
and ``_has_quoted_non_finite`` tests a lowered copy before the case-blind expression.
"""

from __future__ import annotations

import json

import pytest

from custom_components.asic_miner.driver.transports import rpc_parse
from custom_components.asic_miner.driver.transports.rpc_parse import parse_rpc_reply


@pytest.mark.parametrize(
    "text",
    [
        '{"a":NaN,"b":[Infinity,-Infinity]}',
        '{"a":"\x01"}',
        '\ufeff{"a":1}',
        '{"a":1} {"b":2}',
        "[1,]",
    ],
)
def test_decoder_answers_as_json_loads(text: str) -> None:
    def outcome(call: object) -> object:
        try:
            return ("ok", call())  # type: ignore[operator]
        except json.JSONDecodeError as err:
            return ("error", err.msg, err.pos)

    expected = outcome(lambda: json.loads(text, strict=False, parse_constant=lambda _: None))
    assert outcome(lambda: rpc_parse._json(text)) == expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('{"a":"inf"}', True),
        ('{"a":"-NaN"}', True),
        ('{"a":"+Inf"}', True),
        ('{"a":"\u0131nf"}', True),  # dotless i: the expression is case-blind in Unicode
        ('{"a":"info","b":"nano"}', False),
        ('{"a":"on","b":"off"}', False),
    ],
)
def test_quoted_non_finite_as_the_expression_finds_it(text: str, found: bool) -> None:
    assert rpc_parse._has_quoted_non_finite(text) is found
    assert (rpc_parse._HAS_QUOTED_NON_FINITE.search(text) is not None) is found


def test_quoted_non_finite_still_becomes_null() -> None:
    assert parse_rpc_reply(b'{"SUMMARY":[{"Temp":"-nan","MHS av":"inf"}]}') == {
        "SUMMARY": [{"Temp": None, "MHS av": None}]
    }
