"""A GraphQL subset for the simulated BOS web API: selections, arguments, variables,
inline fragments.

The endpoint is a small interpreter over a resolver tree (nested dicts whose values may
be callables taking the field's arguments): it answers any selection of the fields it
has and refuses unknown ones the way a real schema does, so a query the driver sends to
the wrong release fails here too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


class GraphqlError(Exception):
    """A query the schema refuses; answered as ``{"errors": [...]}``."""


class FieldError(Exception):
    """A field that fails at run time: it becomes ``null`` plus an error entry."""


_TOKEN = re.compile(
    r'\s+|#[^\n]*|(?P<tok>\.\.\.|[{}():,\[\]!=$@]|"(?:\\.|[^"\\])*"|-?\d+(?:\.\d+)?|[A-Za-z_]\w*)'
)


@dataclass(slots=True)
class Field:
    name: str
    args: dict[str, Any]
    selections: list[Any] | None


@dataclass(slots=True)
class Fragment:
    type_name: str
    selections: list[Any]


class Parser:
    """Tokens to ``(operation, selections)``; types of variables are not checked."""

    def __init__(self, text: str, variables: dict[str, Any]) -> None:
        self.tokens = [m.group("tok") for m in _TOKEN.finditer(text) if m.group("tok")]
        self.pos = 0
        self.variables = variables

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise GraphqlError(f"Syntax Error: expected {expected or 'a token'}, found {token}")
        self.pos += 1
        return token

    def document(self) -> tuple[str, list[Any]]:
        operation = "query"
        if self.peek() in ("query", "mutation"):
            operation = self.take()
            if self.peek() not in ("{", "("):
                self.take()  # operation name
            if self.peek() == "(":
                depth = 0
                while True:  # variable definitions: types are not checked
                    token = self.take()
                    depth += token == "("
                    depth -= token == ")"
                    if depth == 0:
                        break
        return operation, self.selection_set()

    def members(self, close: str) -> Iterator[None]:
        """Once per member of a bracketed list, up to ``close`` (which it takes).

        Commas between members are optional in GraphQL; the loop's body reads the
        member. At the end of the text the body's ``take`` raises the syntax error.
        """
        while self.peek() != close:
            if self.peek() == ",":
                self.take()
                continue
            yield
        self.take(close)

    def entry(self, into: dict[str, Any]) -> None:
        """``name: value``, an argument or an input object's member."""
        key = self.take()
        self.take(":")
        into[key] = self.value()

    def selection_set(self) -> list[Any]:
        self.take("{")
        selections: list[Any] = []
        for _ in self.members("}"):
            if self.peek() == "...":
                self.take()
                self.take("on")
                type_name = self.take()
                selections.append(Fragment(type_name, self.selection_set()))
                continue
            name = self.take()
            args: dict[str, Any] = {}
            if self.peek() == "(":
                self.take()
                for _ in self.members(")"):
                    self.entry(args)
            sub = self.selection_set() if self.peek() == "{" else None
            selections.append(Field(name, args, sub))
        return selections

    def value(self) -> Any:
        token = self.take()
        if token == "$":
            name = self.take()
            if name not in self.variables:
                raise GraphqlError(f'Variable "${name}" is not defined')
            return self.variables[name]
        if token == "{":
            obj: dict[str, Any] = {}
            for _ in self.members("}"):
                self.entry(obj)
            return obj
        if token == "[":
            return [self.value() for _ in self.members("]")]
        if token.startswith('"'):
            return json.loads(token)
        if re.fullmatch(r"-?\d+", token):
            return int(token)
        if re.fullmatch(r"-?\d+\.\d+", token):
            return float(token)
        return {"true": True, "false": False, "null": None}.get(token, token)


def resolve(node: Any, selections: list[Any], errors: list[str], path: str) -> Any:
    if node is None:
        return None
    if isinstance(node, list):
        return [resolve(item, selections, errors, path) for item in node]
    if not isinstance(node, dict):
        raise GraphqlError(f"Field {path!r} must not have a selection")
    out: dict[str, Any] = {}
    for selection in selections:
        if isinstance(selection, Fragment):
            if node.get("__typename", selection.type_name) == selection.type_name:
                out.update(resolve(node, selection.selections, errors, path))
            continue
        if selection.name not in node:
            type_name = node.get("__typename", path or "Query")
            raise GraphqlError(f'Cannot query field "{selection.name}" on type "{type_name}"')
        value = node[selection.name]
        try:
            if callable(value):
                value = value(selection.args)
        except FieldError as err:
            errors.append(str(err))
            out[selection.name] = None
            continue
        if selection.selections is None:
            if isinstance(value, dict | list) and value and not _scalar_list(value):
                raise GraphqlError(f'Field "{selection.name}" needs a selection')
            out[selection.name] = value
        else:
            out[selection.name] = resolve(value, selection.selections, errors, selection.name)
    return out


def _scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, dict) for v in value)


def void() -> dict[str, Any]:
    return {"__typename": "VoidResult", "void": None}
