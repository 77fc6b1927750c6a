"""Turning what cgminer-family firmware sends into JSON.

Real miners send text that is only almost JSON: trailing NULs, missing or leading
commas, ``inf``/``nan``, several objects glued together, replies cut short. The repairs
here work on the structure (a scanner that knows whether it is inside a string and how
deep it is) instead of blind text substitution, so a repair can never corrupt a value
that merely contains the pattern.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..exceptions import MinerResponseError

_OK_STATUS = frozenset({"S", "I"})
_BARE_NON_FINITE = re.compile(r"(?<=[:\[,])\s*(-?inf|nan|-?Infinity|NaN)\s*(?=[,\]}])")
_QUOTED_NON_FINITE = re.compile(r'(?<=:)\s*"(-?inf|nan)"', re.IGNORECASE)


def _repair(text: str) -> list[str]:
    """Fix comma and nesting mistakes; return one string per top-level JSON document."""
    out: list[str] = []
    docs: list[str] = []
    stack: list[str] = []
    in_string = escape = False
    last_sig = ""  # last significant (non-space) character emitted outside strings
    for ch in text:
        if in_string:
            out.append(ch)
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
                last_sig = '"'
            continue
        if ch.isspace():
            out.append(ch)
            continue
        if ch in "{[":
            if not stack and last_sig == "}":
                # A new top-level document starts: split multicommand pieces.
                docs.append("".join(out))
                out = []
            elif stack and last_sig in "}]" and stack[-1] == "[":
                out.append(",")  # `}{` inside an array (bmminer, VolcMiner)
            stack.append(ch)
        elif ch in "}]":
            if last_sig == ",":
                _drop_last_comma(out)  # `,}` and `,]`
            if stack:
                stack.pop()
        elif ch == ",":
            if last_sig in "[{,":
                continue  # `[,{` and doubled commas
        elif ch == '"':
            in_string = True
            if last_sig in '"}]' or (last_sig.isalnum() and stack):
                out.append(",")  # missing comma between two items
        out.append(ch)
        last_sig = ch
    docs.append("".join(out))
    return [d for d in (d.strip() for d in docs) if d]


def _drop_last_comma(out: list[str]) -> None:
    for i in range(len(out) - 1, -1, -1):
        if out[i] == ",":
            del out[i]
            return
        if not out[i].isspace():
            return


def _close_truncated(text: str) -> str:
    """Cut a reply that ends mid-way back to its last complete item and close it.

    A buggy btminer overflows its send buffer when it lists hundreds of errors and a
    dying miner can drop the connection mid-reply. Keeping only complete items means a
    half-sent number is dropped, never shown with missing digits.
    """
    stack: list[str] = []
    in_string = escape = False
    cut = -1
    cut_stack: list[str] = []
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
        elif ch in "}]":
            if stack:
                stack.pop()
            if not stack:
                return text[: i + 1]
            cut, cut_stack = i + 1, list(stack)
        elif ch == ",":
            cut, cut_stack = i, list(stack)
    if cut < 0:
        raise MinerResponseError("reply ended before any complete value")
    return text[:cut] + "".join(reversed(cut_stack))


def _loads(doc: str) -> Any:
    try:
        return json.loads(doc)
    except json.JSONDecodeError:
        return json.loads(_close_truncated(doc))


def parse_rpc_reply(data: bytes) -> Any:
    """Parse one RPC reply, applying every known repair; merge multicommand pieces."""
    text = data.decode("utf-8", errors="replace").replace("\x00", "")
    text = text.replace("\r", "").replace("\n", "").strip()
    if not text:
        raise MinerResponseError("empty reply")
    if text.startswith(","):
        text = "{" + text[1:]  # Avalon fragment such as `,"id":1}`
    if not text.startswith(("{", "[", '"')):
        raise MinerResponseError(f"reply is not JSON: {text[:40]!r}")
    text = _QUOTED_NON_FINITE.sub("null", text)
    text = _BARE_NON_FINITE.sub("null", text)
    try:
        docs = [_loads(doc) for doc in _repair(text)]
    except (json.JSONDecodeError, MinerResponseError) as err:
        raise MinerResponseError(f"unparseable reply: {err}") from err
    if len(docs) == 1:
        return docs[0]
    merged: dict[str, Any] = {}
    for doc in docs:
        if not isinstance(doc, dict):
            raise MinerResponseError("unexpected reply piece")
        merged.update(doc)
    return merged


def status_of(reply: Any) -> tuple[str, str]:
    """Return (status letter, message) for any of the four STATUS shapes."""
    if isinstance(reply, str):
        return ("S", reply)  # Avalon answers `restart` with the bare string "RESTART"
    if not isinstance(reply, dict):
        raise MinerResponseError("reply is not an object")
    status = reply.get("STATUS")
    if isinstance(status, list) and status and isinstance(status[0], dict):
        status = status[0]
    if isinstance(status, dict):
        letter = str(status.get("STATUS", "S"))
        return letter, str(status.get("Msg", status.get("msg", "")))
    if isinstance(status, str):
        msg = reply.get("Msg", "")
        return status, msg if isinstance(msg, str) else json.dumps(msg)
    return ("S", "")  # multicommand envelopes and plain JSON carry no STATUS


def check_status(reply: Any) -> Any:
    """Raise ``MinerResponseError`` unless the reply's STATUS is success or info."""
    letter, msg = status_of(reply)
    if letter not in _OK_STATUS:
        raise MinerResponseError(msg or f"status {letter}")
    return reply
