"""Turning what cgminer-family firmware sends into JSON.

Real miners send text that is only almost JSON: trailing NULs, missing or leading
commas, ``inf``/``nan``, several objects glued together, replies cut short. The repairs
here work on the structure (a tokenizer that knows strings from punctuation and how
deep it is) instead of blind text substitution, so a repair can never corrupt a value
that merely contains the pattern.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from ..exceptions import MinerResponseError, MinerTruncatedError
from .json_scan import INLINE_PARSE_BYTES, MAX_DEPTH, max_depth

OK_STATUS = frozenset({"S", "I"})
# Avalon (cgminer) answers `restart` with "RESTART" where the status letter belongs.
_RESTART = "RESTART"
# Strings (possibly cut short at the end), punctuation, bare words, whitespace.
# Possessive quantifiers: no input makes the tokenizer backtrack. Group 1 is the
# closing quote, absent when the reply was cut inside a string.
_TOKEN = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+(")?|[{}\[\]:,]|[^\s{}\[\]:,"]++|\s++', re.DOTALL)
# Bare words C's printf writes for non-finite numbers, and the quoted forms Avalon sends.
_BARE_NON_FINITE = frozenset(
    {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan", "+nan", "-nan"}
)
_QUOTED_NON_FINITE = frozenset({"inf", "+inf", "-inf", "nan", "-nan"})
_HAS_QUOTED_NON_FINITE = re.compile(r'"[-+]?(?:inf|nan)"', re.IGNORECASE)
_VALUE = "value"  # the previous significant token ended a value
# Largest reply the Python-level repairs run on (about 0.5 µs per character at
# worst); valid JSON of any size up to the transport's bound parses at C speed.
MAX_REPAIR_CHARS = 32 * 1024
# Most documents one reply may hold (multicommand pieces sent back to back).
MAX_PIECES = 64


def _repair(text: str) -> list[str]:
    """Fix comma, nesting and number mistakes; return one string per top-level document.

    - a missing comma between two items (`}{`, `"a":"x""b":1`, `1"b"`) is inserted;
    - a comma before a closer (`,}`, `,]`), after an opener (`[,{`) or doubled is dropped;
    - ``inf``/``nan``, bare or quoted, in a value position become ``null``;
    - an array holding ``"key": value`` pairs (Whatsminer API 2.0.4 ``error_code``)
      becomes the object it was meant to be;
    - a value that follows a complete top-level document starts a new document
      (multicommand pieces sent back to back).
    """
    out: list[str] = []
    docs: list[str] = []
    # Open containers: the opener as written and its index in `out` (to rewrite `[`).
    stack: list[tuple[str, int]] = []
    prev = ""  # "", "{", "[", ":", "," or _VALUE
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first.isspace():
            out.append(token)
            continue
        if first not in "}]:,":  # a value starts: an opener, a string or a bare word
            if prev == _VALUE:
                if stack:
                    out.append(",")  # missing comma between two items
                else:
                    docs.append("".join(out))  # a new top-level document starts
                    out = []
                    if len(docs) >= MAX_PIECES:
                        raise MinerResponseError(f"more than {MAX_PIECES} pieces in one reply")
            if first in "{[":
                if len(stack) >= MAX_DEPTH:
                    raise MinerResponseError(f"reply nested deeper than {MAX_DEPTH} levels")
                stack.append((first, len(out)))
                out.append(first)
                prev = first
                continue
            if first == '"' and match.group(1) is None:
                out.append(text[match.start() :])  # cut inside a string: leave to the closer
                break
            in_value = prev == ":" or (bool(stack) and stack[-1][0] == "[")
            if first == '"':
                non_finite = token[1:-1].lower() in _QUOTED_NON_FINITE
            else:
                non_finite = token.lower() in _BARE_NON_FINITE
            out.append("null" if in_value and non_finite else token)
            prev = _VALUE
        elif first in "}]":
            if prev == ",":
                _drop_last_comma(out)
            if not stack:
                continue  # a stray closer
            opener, _ = stack.pop()
            out.append("}" if opener == "{" else "]")
            prev = _VALUE
        elif first == ",":
            if prev in ("", "{", "[", ","):
                continue  # `[,{`, `{,` and doubled commas
            out.append(",")
            prev = ","
        else:  # ":"
            if stack and stack[-1][0] == "[":
                _, index = stack[-1]
                out[index] = "{"  # `["110":"…"]`: an object written with brackets
                stack[-1] = ("{", index)
            out.append(":")
            prev = ":"
    docs.append("".join(out))
    return [d for d in (d.strip() for d in docs) if d]


def _drop_last_comma(out: list[str]) -> None:
    """Drop the comma just written (only whitespace can follow it)."""
    for i in range(len(out) - 1, -1, -1):
        if out[i] == ",":
            del out[i]
            return


def _close_truncated(text: str) -> str:
    """Cut a reply that ends mid-way back to its last complete item and close it.

    A buggy btminer overflows its send buffer when it lists hundreds of errors and a
    dying miner can drop the connection mid-reply. Keeping only complete items means a
    half-sent number is dropped, never shown with missing digits. The caller treats
    the result as a truncation (``MinerTruncatedError``) unless it asked for the
    repair explicitly.

    Linear: after the last cut only openers can follow (a closer or a comma would be
    a later cut), so the containers open at the cut are the first ``cut_depth``
    entries of the final stack; nothing is copied per item.
    """
    stack: list[str] = []
    in_string = escape = False
    cut = cut_depth = -1
    for i, ch in enumerate(text):
        if in_string:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
            if len(stack) > MAX_DEPTH:  # pragma: no cover - the repair's own bound comes first
                raise MinerResponseError(f"reply nested deeper than {MAX_DEPTH} levels")
        elif ch in "}]":
            if stack:
                stack.pop()
            if not stack:
                return text[: i + 1]
            cut, cut_depth = i + 1, len(stack)
        elif ch == ",":
            cut, cut_depth = i, len(stack)
    if cut < 0:
        raise MinerResponseError("reply ended before any complete value")
    return text[:cut] + "".join(reversed(stack[:cut_depth]))


_BARE_WORD = re.compile(r'[^\s{}\[\]:,"]++')
# Most faults the decoder pinpoints that ``_quick_repair`` fixes before giving up.
MAX_QUICK_FIXES = 64


def _quick_repair(text: str) -> list[Any] | None:
    """The documents of a reply whose every fault the JSON decoder pinpoints; else None.

    The faults real firmware sends every poll (Avalon's bare ``inf``, Whatsminer's
    trailing commas, the S9's glued documents) are each found by the C decoder at an
    exact position outside any string: fixed there, the text is decoded again, at C
    speed, instead of running ``_repair``'s tokenizer over the whole reply (1-6 ms a
    poll). A fault it does not know, or too many, leaves the reply to ``_repair``,
    which does the same fixes and more, so what comes out never differs.
    """
    docs: list[Any] = []
    rest = text
    fixes = 0
    while fixes <= MAX_QUICK_FIXES:
        try:
            docs.append(_json(rest))
        except json.JSONDecodeError as err:
            if err.msg == "Extra data" and len(docs) < MAX_PIECES - 1:
                try:
                    docs.append(_json(rest[: err.pos]))  # a document ends, another starts
                except json.JSONDecodeError:  # pragma: no cover - the decoder just read it
                    return None
                rest = rest[err.pos :]
                continue
            fixed = _fix_at(rest, err)
            if fixed is None:
                return None
            rest = fixed
            fixes += 1
            continue
        except ValueError, RecursionError:
            return None
        return docs
    return None


def _fix_at(text: str, err: json.JSONDecodeError) -> str | None:
    """``text`` with the one fault at ``err.pos`` fixed, as ``_repair`` would; else None."""
    pos = err.pos
    if err.msg.startswith("Illegal trailing comma"):
        return text[:pos] + text[pos + 1 :]  # `,}` / `,]`: the comma goes
    if err.msg == "Expecting ',' delimiter" and text[pos : pos + 1] in ('"', "{", "["):
        return f"{text[:pos]},{text[pos:]}"  # two items without a comma between them
    if text[pos : pos + 1] == "," and text[:pos].rstrip()[-1:] in ("{", "[", ","):
        return text[:pos] + text[pos + 1 :]  # `{,` `[,` `,,`: the comma goes
    if err.msg == "Expecting value":
        word = _BARE_WORD.match(text, pos)
        if word is not None and word.group().lower() in _BARE_NON_FINITE:
            return f"{text[:pos]}null{text[word.end() :]}"
    return None


def _none(_: str) -> None:
    return None


# strict=False: raw control characters inside strings; NaN/Infinity become None. Built
# once: ``json.loads`` with options builds a decoder on every call.
_DECODER = json.JSONDecoder(strict=False, parse_constant=_none)


def _json(text: str) -> Any:
    """``json.loads(text, strict=False, parse_constant=_none)``, on the one decoder."""
    if text.startswith("\ufeff"):  # what ``json.loads`` refuses before decoding
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return _DECODER.decode(text)


def _has_quoted_non_finite(text: str) -> bool:
    """Whether ``text`` holds ``"inf"``, ``"-nan"``... in any case.

    Any match ends in ``nf"`` or ``nan"`` once lowered (its last letters are ASCII),
    so a plain substring test spares most replies the case-blind expression.
    """
    lowered = text.lower()
    if 'nf"' not in lowered and 'nan"' not in lowered:
        return False
    return _HAS_QUOTED_NON_FINITE.search(text) is not None


def _loads(doc: str) -> tuple[Any, bool]:
    """One document, and whether it had to be closed because it was cut short."""
    try:
        return _json(doc), False
    except json.JSONDecodeError:
        closed = _close_truncated(doc)
        return _json(closed), closed != doc


def parse_rpc_reply(
    data: bytes, *, allow_truncated: bool = False, depth_checked: bool = False
) -> Any:
    """Parse one RPC reply, applying every known repair; merge multicommand pieces.

    Every failure is a ``MinerResponseError``: a syntax error, a number longer than
    Python's int-string limit, nesting deeper than ``MAX_DEPTH``. A reply cut short
    raises ``MinerTruncatedError`` unless ``allow_truncated`` asks for what the repair
    keeps. ``depth_checked`` skips the depth scan when the transport already ran it
    while reading.
    """
    # The reply ends at the first NUL; anything after it is not part of it.
    text = data.decode("utf-8", errors="replace").lstrip("\x00").split("\x00", 1)[0]
    # Whatsminer v1 puts raw newlines inside version strings; drop them all.
    text = text.replace("\r", "").replace("\n", "").strip()
    if not text:
        raise MinerResponseError("empty reply")
    if text.startswith(","):
        text = "{" + text[1:]  # Avalon fragment such as `,"id":1}`
    if not text.startswith(("{", "[", '"')):
        raise MinerResponseError(f"reply is not JSON: {text[:40]!r}")
    if not depth_checked and max_depth(text.encode()) > MAX_DEPTH:
        raise MinerResponseError(f"reply nested deeper than {MAX_DEPTH} levels")
    quoted_non_finite = _has_quoted_non_finite(text)
    if not quoted_non_finite:
        try:
            return _json(text)  # most replies are valid JSON: skip the repairs
        except json.JSONDecodeError:
            pass
        except (ValueError, RecursionError) as err:  # a 4,301-digit integer
            raise MinerResponseError(f"unparseable reply: {err}") from err
    if len(text) > MAX_REPAIR_CHARS:
        # The repairs are Python code; real replies that need them are a few kB.
        raise MinerResponseError(
            f"reply of {len(text)} characters is not JSON and too large to repair"
        )
    docs = None if quoted_non_finite else _quick_repair(text)
    if docs is None:
        try:
            parsed = [_loads(doc) for doc in _repair(text)]
        except (ValueError, RecursionError, MinerResponseError) as err:
            raise MinerResponseError(f"unparseable reply: {err}") from err
        if not allow_truncated and any(cut for _, cut in parsed):
            raise MinerTruncatedError(f"reply cut short after {len(text)} characters")
        docs = [doc for doc, _ in parsed]
    if len(docs) == 1:
        return docs[0]
    merged: dict[str, Any] = {}
    for doc in docs:
        if not isinstance(doc, dict):
            raise MinerResponseError("unexpected reply piece")
        merged.update(doc)
    return merged


async def parse_rpc_reply_async(
    data: bytes, *, allow_truncated: bool = False, depth_checked: bool = False
) -> Any:
    """``parse_rpc_reply`` that keeps a large reply's repairs off the event loop."""
    if len(data) > INLINE_PARSE_BYTES:
        return await asyncio.to_thread(
            parse_rpc_reply, data, allow_truncated=allow_truncated, depth_checked=depth_checked
        )
    return parse_rpc_reply(data, allow_truncated=allow_truncated, depth_checked=depth_checked)


def status_of(reply: Any) -> tuple[str, str]:
    """Return (status letter, message) for any of the four STATUS shapes."""
    if isinstance(reply, str):
        return ("S", reply)  # a bare string such as Avalon's "RESTART"
    if not isinstance(reply, dict):
        raise MinerResponseError("reply is not an object")
    status = reply.get("STATUS")
    if isinstance(status, list) and status and isinstance(status[0], dict):
        status = status[0]
    if isinstance(status, dict):
        letter = str(status.get("STATUS", "S")).strip().upper()
        msg = status.get("Msg", status.get("msg", ""))
    elif isinstance(status, str):
        letter = status.strip().upper()
        msg = reply.get("Msg", reply.get("msg", ""))
    else:
        return ("S", "")  # multicommand envelopes and plain JSON carry no STATUS
    if letter == _RESTART:
        return ("S", _RESTART)
    return letter, msg if isinstance(msg, str) else json.dumps(msg)


def check_status(reply: Any) -> Any:
    """Raise ``MinerResponseError`` unless the reply's STATUS is success or info."""
    letter, msg = status_of(reply)
    if letter not in OK_STATUS:
        raise MinerResponseError(msg or f"status {letter}")
    return reply
