"""The RPC reply repairer and the STATUS reader, on every quirk real firmware shows.

Fixtures in ``fixtures/rpc/`` are hand-written replies in the shapes of protocols.md
§2.1 and §9: ``<name>.txt`` is the raw reply, ``<name>.json`` the parse we expect.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from custom_components.asic_miner.driver.exceptions import (
    MinerResponseError,
    MinerTruncatedError,
)
from custom_components.asic_miner.driver.transports.rpc_parse import (
    check_status,
    parse_rpc_reply,
    status_of,
)

FIXTURES = Path(__file__).parent / "fixtures" / "rpc"
REPLIES = sorted(p.stem for p in FIXTURES.glob("*.txt"))


def _fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.txt").read_bytes()


def _expected(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def test_fixture_folder_is_complete() -> None:
    assert len(REPLIES) >= 15
    for name in REPLIES:
        assert (FIXTURES / f"{name}.json").is_file(), name


@pytest.mark.parametrize("name", REPLIES)
def test_fixture_replies(name: str) -> None:
    if name.startswith("truncated"):
        # What the repair keeps, asked for explicitly; by default a cut reply fails.
        with pytest.raises(MinerTruncatedError):
            parse_rpc_reply(_fixture(name))
        assert parse_rpc_reply(_fixture(name), allow_truncated=True) == _expected(name)
        return
    assert parse_rpc_reply(_fixture(name)) == _expected(name)


# -- one quirk at a time -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # NUL terminators: one, several, and bytes after the first one
        (b'{"a":1}\x00', {"a": 1}),
        (b'{"a":1}\x00\x00\x00', {"a": 1}),
        (b'\x00{"a":1}\x00trailing junk', {"a": 1}),
        (b'{"a":1}\n', {"a": 1}),
        # `,}` and `,]`, also with whitespace and doubled commas
        (b'{"a":1,}', {"a": 1}),
        (b'{"a":[1,2,]}', {"a": [1, 2]}),
        (b'{"a":[1,2 , ] , }', {"a": [1, 2]}),
        (b'{"a":1,,"b":2}', {"a": 1, "b": 2}),
        # `}{` between array items
        (b'{"S":[{"a":1}{"b":2}{"c":3}]}', {"S": [{"a": 1}, {"b": 2}, {"c": 3}]}),
        (b'{"S":[{"a":1} {"b":2}]}', {"S": [{"a": 1}, {"b": 2}]}),
        (b'{"S":[[1][2]]}', {"S": [[1], [2]]}),
        # `[,{` leading comma, and `{,`
        (b'{"S":[,{"a":1}]}', {"S": [{"a": 1}]}),
        (b'{,"a":1}', {"a": 1}),
        # missing comma after a string value, a number, a literal, a container
        (b'{"a":"x""b":1}', {"a": "x", "b": 1}),
        (b'{"a":"""temp0":1}', {"a": "", "temp0": 1}),
        (b'{"a":1"b":2}', {"a": 1, "b": 2}),
        (b'{"a":true"b":null"c":false}', {"a": True, "b": None, "c": False}),
        (b'{"a":{"x":1}"b":[2]"c":3}', {"a": {"x": 1}, "b": [2], "c": 3}),
        (b'{"a":[1 2 3]}', {"a": [1, 2, 3]}),
        # a reply that starts with a comma (Avalon fragment)
        (b',"id":1}', {"id": 1}),
        (b',"STATUS":[{"STATUS":"S"}],"id":1}\x00', {"STATUS": [{"STATUS": "S"}], "id": 1}),
        # embedded newlines and carriage returns
        (b'{"a":\r\n1,\n"b":"v1\n.2"}', {"a": 1, "b": "v1.2"}),
        # raw control characters inside strings are tolerated
        (b'{"a":"tab\there"}', {"a": "tab\there"}),
        # a stray closer after the document
        (b'{"a":[1]}}', {"a": [1]}),
        # valid JSON is left exactly as it is
        (b'{"a":-1.5e3,"b":"\\u00e9\\"\\\\","c":[]}', {"a": -1500.0, "b": 'é"\\', "c": []}),
        (b"[1,2,3]", [1, 2, 3]),
    ],
)
def test_text_repairs(raw: bytes, expected: Any) -> None:
    assert parse_rpc_reply(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        b'{"v":inf}',
        b'{"v":-inf}',
        b'{"v":+inf}',
        b'{"v":nan}',
        b'{"v":-nan}',
        b'{"v":NaN}',
        b'{"v":Infinity}',
        b'{"v":-Infinity}',
        b'{"v": inf }',
        b'{"v":"inf"}',
        b'{"v":"-inf"}',
        b'{"v":"nan"}',
        b'{"v":"NaN"}',
        b'{"v":"INF"}',
    ],
)
def test_non_finite_numbers_become_none(raw: bytes) -> None:
    value = parse_rpc_reply(raw)["v"]
    assert value is None  # never 0, never float("nan")


def test_non_finite_in_lists_and_keys() -> None:
    reply = parse_rpc_reply(b'{"list":[inf,"nan",1.5,-nan],"nan":"inf","inf":2}')
    assert reply == {"list": [None, None, 1.5, None], "nan": None, "inf": 2}


def test_non_finite_words_inside_strings_are_kept() -> None:
    raw = b'{"a":"x,inf,y","b":"nan]","c":"[inf]","d":"infinity","e":"Best: inf","f":":\\"inf\\""}'
    assert parse_rpc_reply(raw) == {
        "a": "x,inf,y",
        "b": "nan]",
        "c": "[inf]",
        "d": "infinity",
        "e": "Best: inf",
        "f": ':"inf"',
    }


def test_whatsminer_error_code_written_with_brackets() -> None:
    raw = b'{"STATUS":"S","Msg":{"error_code":["110":"2024-01-01 00:00:00","2010":"x"]}}'
    assert parse_rpc_reply(raw)["Msg"]["error_code"] == {"110": "2024-01-01 00:00:00", "2010": "x"}
    # a proper list of codes (objects or strings) is left alone
    raw = b'{"STATUS":"S","Msg":{"error_code":[{"110":"t"},"111:t"]}}'
    assert parse_rpc_reply(raw)["Msg"]["error_code"] == [{"110": "t"}, "111:t"]


def test_multicommand_in_one_object() -> None:
    reply = parse_rpc_reply(_fixture("multicommand_joined"))
    assert set(reply) == {"summary", "pools", "id"}
    assert reply["summary"][0]["SUMMARY"][0]["MHS 5s"] == 1234.5


def test_multicommand_pieces_back_to_back() -> None:
    reply = parse_rpc_reply(b'{"summary":[{"S":1}]}{"stats":[{"T":2}]} {"pools":[]}\x00')
    assert reply == {"summary": [{"S": 1}], "stats": [{"T": 2}], "pools": []}


def test_back_to_back_pieces_must_be_objects() -> None:
    with pytest.raises(MinerResponseError, match="unexpected reply piece"):
        parse_rpc_reply(b"[1][2]")


def test_bare_string_reply() -> None:
    assert parse_rpc_reply(b'"RESTART"\x00') == "RESTART"


# -- truncation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"S":[{"a":1},{"b":12', {"S": [{"a": 1}]}),
        (b'{"S":[{"a":1},{"b":12}', {"S": [{"a": 1}, {"b": 12}]}),
        (b'{"S":[{"a":1},{"b":"ab', {"S": [{"a": 1}]}),
        (b'{"S":[{"a":1},{"b":"a}{,', {"S": [{"a": 1}]}),
        (b'{"a":1,"b":tr', {"a": 1}),
        (b'{"a":1,"b":', {"a": 1}),
        (b'{"a":1,"b"', {"a": 1}),
        (b'{"a":1,', {"a": 1}),
        (b'{"a":{"b":[1,2],"c":3', {"a": {"b": [1, 2]}}),
        (b"[1,2", [1]),
        # escaped quotes and brackets inside a kept string
        (b'{"a":"q\\"}]","b":12', {"a": 'q"}]'}),
        # cut inside a string right after a backslash
        (b'{"a":1,"b":"x\\', {"a": 1}),
    ],
)
def test_truncated_reply_keeps_complete_items(raw: bytes, expected: Any) -> None:
    assert parse_rpc_reply(raw, allow_truncated=True) == expected
    # Never a success by default: the shorter reply would pass for the whole truth.
    with pytest.raises(MinerTruncatedError, match="cut short"):
        parse_rpc_reply(raw)


@pytest.mark.parametrize("raw", [b"{", b'{"a"', b'{"a":', b'{"a":12', b'{"a":"x', b"["])
def test_truncated_before_any_complete_item(raw: bytes) -> None:
    with pytest.raises(MinerResponseError, match="unparseable"):
        parse_rpc_reply(raw)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], Any]:
    if isinstance(value, dict):
        out: dict[tuple[Any, ...], Any] = {}
        for key, item in value.items():
            out.update(_leaves(item, (*path, key)))
        return out
    if isinstance(value, list):
        out = {}
        for index, item in enumerate(value):
            out.update(_leaves(item, (*path, index)))
        return out
    return {path: value}


@pytest.mark.parametrize("name", ["bmminer_stats_missing_comma", "antminer_new_api"])
def test_every_cut_keeps_only_exact_values(name: str) -> None:
    """Cut a reply at every byte: whatever the repair keeps is exactly what was sent.

    By default every cut is an error; the repair is asked for explicitly here.
    """
    raw = _fixture(name).rstrip(b"\x00")
    full = _leaves(_expected(name))
    parsed = 0
    for cut in range(1, len(raw)):
        with pytest.raises(MinerResponseError):
            parse_rpc_reply(raw[:cut])
        try:
            reply = parse_rpc_reply(raw[:cut], allow_truncated=True)
        except MinerResponseError:
            continue
        parsed += 1
        for path, value in _leaves(reply).items():
            assert full[path] == value, (cut, path)
    assert parsed > len(raw) // 2


# -- never touch string contents ------------------------------------------------------

_TRICKY = ["}{", ",}", ",]", "[,{", '""', "inf", "nan", "\\", '"', ":", "{", "]", " ", "x", "9"]


def _tricky_string(rng: random.Random) -> str:
    text = "".join(rng.choice(_TRICKY) for _ in range(rng.randint(0, 6)))
    # a value that is exactly "inf" or "nan" is Avalon's sentinel, turned into None on purpose
    return f"{text}." if text in {"inf", "nan"} else text


def _tricky_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randint(0, 5 if depth < 3 else 2)
    if kind == 0:
        return _tricky_string(rng)
    if kind == 1:
        return rng.choice([0, -3, 12.25, True, False, None])
    if kind == 2:
        return f"v{_tricky_string(rng)}"
    if kind == 3:
        return [_tricky_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {
        f"k{i}{_tricky_string(rng)}": _tricky_value(rng, depth + 1)
        for i in range(rng.randint(0, 3))
    }


def test_repairs_never_alter_string_contents() -> None:
    rng = random.Random(20240601)
    for _ in range(400):
        doc = {"STATUS": [{"STATUS": "S", "Msg": _tricky_string(rng)}], "DATA": _tricky_value(rng)}
        text = json.dumps(doc, separators=(",", ":"))
        assert parse_rpc_reply(text.encode()) == doc
        # the same document with quirks outside its strings still parses to it
        quirky = text[:-1] + ',"extra":[{"a":1}{"b":2},]}\x00'
        assert parse_rpc_reply(quirky.encode()) == {**doc, "extra": [{"a": 1}, {"b": 2}]}


# -- not JSON at all ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (b"", "empty reply"),
        (b"\x00", "empty reply"),
        (b"  \r\n ", "empty reply"),
        (b"HTTP/1.1 400 Bad Request\r\nServer: ePIC\r\n\r\n", "not JSON"),
        (b"<html><body>Miner Web Dashboard</body></html>", "not JSON"),
        (b"Socket connect failed: Connection refused\n", "not JSON"),
        (b'{"a":"x"1}', "unparseable"),
    ],
)
def test_not_json(raw: bytes, match: str) -> None:
    with pytest.raises(MinerResponseError, match=match):
        parse_rpc_reply(raw)


def test_invalid_utf8_is_replaced() -> None:
    assert parse_rpc_reply(b'{"a":"\xff\xfe"}') == {"a": "\ufffd\ufffd"}


# -- STATUS -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # cgminer list
        (
            {"STATUS": [{"STATUS": "S", "When": 1, "Code": 11, "Msg": "Summary"}], "SUMMARY": []},
            ("S", "Summary"),
        ),
        ({"STATUS": [{"STATUS": "I", "Msg": "No pools"}]}, ("I", "No pools")),
        # Whatsminer flat, with a message that is text or an object
        ({"STATUS": "S", "Code": 131, "Msg": {"api_ver": "2.0.5"}}, ("S", '{"api_ver": "2.0.5"}')),
        ({"STATUS": "E", "Code": 23, "Msg": "invalid cmd"}, ("E", "invalid cmd")),
        # Antminer new_api object (lower-case "msg" on some builds)
        ({"STATUS": {"STATUS": "S", "when": 1, "Msg": "stats"}, "STATS": []}, ("S", "stats")),
        ({"STATUS": {"STATUS": "E", "msg": "bad"}}, ("E", "bad")),
        # Avalon restart: the word where the letter belongs, or the bare string
        ({"STATUS": "RESTART", "id": 1}, ("S", "RESTART")),
        ("RESTART", ("S", "RESTART")),
        # no STATUS at all (multicommand envelopes), empty list, lower-case letter
        ({"summary": [{}], "stats": [{}]}, ("S", "")),
        ({"STATUS": []}, ("S", "")),
        ({"STATUS": [{"STATUS": "e", "Msg": "x"}]}, ("E", "x")),
        ({"STATUS": [{"Msg": "no letter"}]}, ("S", "no letter")),
    ],
)
def test_status_of(reply: Any, expected: tuple[str, str]) -> None:
    assert status_of(reply) == expected


def test_status_of_rejects_non_objects() -> None:
    with pytest.raises(MinerResponseError, match="not an object"):
        status_of([1, 2])


@pytest.mark.parametrize("letter", ["E", "W", "F"])
@pytest.mark.parametrize("shape", ["list", "flat", "object"])
def test_check_status_errors(letter: str, shape: str) -> None:
    status = {"STATUS": letter, "Msg": "Invalid command"}
    reply: dict[str, Any] = {
        "list": {"STATUS": [status]},
        "flat": status,
        "object": {"STATUS": status},
    }[shape]
    with pytest.raises(MinerResponseError, match="Invalid command"):
        check_status(reply)


def test_check_status_without_message() -> None:
    with pytest.raises(MinerResponseError, match="status F"):
        check_status({"STATUS": [{"STATUS": "F"}]})


@pytest.mark.parametrize(
    "name",
    ["bmminer_stats_missing_comma", "antminer_new_api", "avalon_restart", "btminer_v1_newlines"],
)
def test_check_status_passes_success(name: str) -> None:
    reply = parse_rpc_reply(_fixture(name))
    assert check_status(reply) is reply
