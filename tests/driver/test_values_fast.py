"""``to_float``'s short way for floats and plain number strings answers as the long way.

The long way (``_text_to_float``) strips, drops thousands separators and takes the
number a text starts with; the short way lets ``float`` read a string whole. Both must
give the same value, or both ``None``, for every string.
"""

from __future__ import annotations

import math
import random

import pytest

from custom_components.asic_miner.driver.values import _text_to_float, to_float

_SAMPLES = [
    "75.5",
    " 75.5 ",
    "-1",
    "+.5",
    "5.",
    "1.e5",
    "1e400",
    "-1e-400",
    "inf",
    "-Infinity",
    "nan",
    "1_000",
    "1,234.5",
    "12.5 GH/s",
    "0x10",
    "\u0661\u0662",  # Arabic-Indic digits: a decimal number to both
    "\u00a075\u2003",  # Unicode spaces around it
    "1" * 65,
    " " * 70 + "5",
    "",
    " ",
    "-",
    "e5",
]


@pytest.mark.parametrize("text", _SAMPLES)
def test_strings_agree(text: str) -> None:
    assert to_float(text) == _text_to_float(text)


def test_random_strings_agree() -> None:
    rnd = random.Random(7)
    alphabet = "0123456789.-+eE ,_xinfa\u0661\u00a0"
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 12)))
        assert to_float(text) == _text_to_float(text), text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.5, 1.5),
        (-0.0, 0.0),
        (math.inf, None),
        (-math.inf, None),
        (math.nan, None),
        (10**400, None),
        (True, None),
        (b"7", 7.0),
        (None, None),
    ],
)
def test_other_values(value: object, expected: float | None) -> None:
    assert to_float(value) == expected
