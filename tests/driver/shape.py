"""Compare the shape of two JSON values: the simulator's reply against a real capture.

Shape means the key sets of objects and the JSON type of every value, recursively.
Allowed differences (values the simulator cannot know, not shapes it gets wrong):

* list lengths (a simulated miner may have another number of boards, fans or pools);
  simulator item ``i`` is compared with fixture item ``i``, or with the last fixture
  item past the fixture's end (so ``STATS[0]``, the version item, stays apart);
* ``null`` on either side matches anything (a value the firmware did not know then);
* integers and floats are one JSON number type (real firmware prints ``37.0`` and ``37``
  for the same field depending on the value);
* the keys listed in the manifest entry's ``shape_ignore`` (dotted paths with ``[]``
  for list items, each with its reason in the folder's SOURCE.md).
"""

from __future__ import annotations

from typing import Any


def json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def shape_differences(
    fixture: Any, simulated: Any, path: str = "$", ignore: frozenset[str] = frozenset()
) -> list[str]:
    """Every place the simulated value's shape differs from the fixture's."""
    if path in ignore or fixture is None or simulated is None:
        return []
    kind, sim_kind = json_kind(fixture), json_kind(simulated)
    if kind != sim_kind:
        return [f"{path}: {sim_kind} in the simulator, {kind} in the capture"]
    out: list[str] = []
    if isinstance(fixture, dict):
        missing = [k for k in fixture if k not in simulated and f"{path}.{k}" not in ignore]
        extra = [k for k in simulated if k not in fixture and f"{path}.{k}" not in ignore]
        if missing:
            out.append(f"{path}: simulator lacks {missing}")
        if extra:
            out.append(f"{path}: simulator adds {extra}")
        for key in fixture:
            if key in simulated:
                out += shape_differences(fixture[key], simulated[key], f"{path}.{key}", ignore)
    elif isinstance(fixture, list) and fixture:
        for index, item in enumerate(simulated):
            model = fixture[min(index, len(fixture) - 1)]
            out += shape_differences(model, item, f"{path}[]", ignore)
    return out
