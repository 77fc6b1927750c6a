"""Lenient conversions: every odd form firmware sends becomes a value or None, never 0."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.asic_miner.driver.values import (
    clean_str,
    ghs_to_ths,
    is_host_name,
    max_temp,
    mhs_to_ths,
    normalize_mac,
    positive,
    rate_to_ths,
    temps_from,
    ths,
    to_bool,
    to_float,
    to_int,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12.0),
        (12.5, 12.5),
        (-3, -3.0),
        ("34436.70", 34436.70),
        (" 41 ", 41.0),
        ("15,234.50", 15234.5),  # thousands separator (VolcMiner, Elphapex)
        ("1,234,567", 1234567.0),
        ("+7", 7.0),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("12.5 GH/s", 12.5),  # a unit suffix
        ("", None),
        ("   ", None),
        (None, None),
        (True, None),
        (False, None),
        ("N/A", None),
        ("-", None),
        ("inf", None),
        ("nan", None),
        (float("inf"), None),
        (float("-inf"), None),
        (float("nan"), None),
        ("1e999", None),
        ([1], None),
    ],
)
def test_to_float(value: Any, expected: float | None) -> None:
    assert to_float(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5400, 5400), ("5,400", 5400), ("62.6", 63), ("", None), (None, None), ("inf", None)],
)
def test_to_int(value: Any, expected: int | None) -> None:
    assert to_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        (0.0, False),
        ("true", True),
        (" On ", True),
        ("yes", True),
        ("1", True),
        ("enabled", True),
        ("false", False),
        ("OFF", False),
        ("no", False),
        ("0", False),
        ("disabled", False),
        ("maybe", None),
        ("", None),
        (None, None),
        ([True], None),
    ],
)
def test_to_bool(value: Any, expected: bool | None) -> None:
    assert to_bool(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), (0.0, None), (-1.0, None), (0.1, 0.1), (65.0, 65.0)]
)
def test_positive(value: float | None, expected: float | None) -> None:
    assert positive(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("62-62-74-74", [62.0, 62.0, 74.0, 74.0]),  # Antminer temp_chip
        ("0-0-0-0", []),  # zero means "no sensor"
        ("0-61-0-63", [61.0, 63.0]),
        (" 63  70 68 ", [63.0, 70.0, 68.0]),  # Avalon PVT_T, irregular spaces
        ("", []),
        ([60, 0, "65", "", None, "inf"], [60.0, 65.0]),
        ((55.5, 0), [55.5]),
        (71, [71.0]),
        (0, []),
        (None, []),
        ("-", []),
    ],
)
def test_temps_from(value: Any, expected: list[float]) -> None:
    assert temps_from(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("62-62-74-71", 74.0), ([0, 0], None), ("", None), (None, None), ([40, "80"], 80.0)],
)
def test_max_temp(value: Any, expected: float | None) -> None:
    assert max_temp(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("aabbccddeeff", "AA:BB:CC:DD:EE:FF"),  # Avalon: 12 hex digits
        ("AA:BB:CC:DD:EE:FF", "AA:BB:CC:DD:EE:FF"),
        ("aa:bb:cc:dd:ee:ff", "AA:BB:CC:DD:EE:FF"),
        ("AA-BB-CC-DD-EE-FF", "AA:BB:CC:DD:EE:FF"),  # IceRiver
        ("aabb.ccdd.eeff", "AA:BB:CC:DD:EE:FF"),
        (" 02:00:00:00:00:01 ", "02:00:00:00:00:01"),
        ("AA::BB:C:C::DD:EE:FF", "AA:BB:CC:DD:EE:FF"),  # a MAC already mangled by colons
        ("000000000000", None),  # booting miner, Bitaxe: no identity yet
        ("00:00:00:00:00:00", None),
        ("", None),
        ("AA:BB:CC:DD:EE", None),
        ("AA:BB:CC:DD:EE:FF:00", None),
        ("GG:BB:CC:DD:EE:FF", None),
        ("SIM000000001", None),  # a serial number is not a MAC
        ("SN1A2B3C4D5E6F", None),  # even one hiding 12 hex digits among its letters
        ("deadbeefcafe-serial", None),
        (None, None),
        (0xAABBCCDDEEFF, None),
    ],
)
def test_normalize_mac(value: Any, expected: str | None) -> None:
    assert normalize_mac(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("'20210322.22.REL'", "20210322.22.REL"),  # Whatsminer wraps fw_ver in quotes
        ('"x"', "x"),
        ("  name ", "name"),
        ("''", None),
        ("", None),
        (None, None),
        (5, "5"),
    ],
)
def test_clean_str(value: Any, expected: str | None) -> None:
    assert clean_str(value) == expected


def test_fixed_unit_conversions() -> None:
    assert mhs_to_ths("98,765,432.1") == pytest.approx(98.7654321)
    assert ghs_to_ths("110234.56") == pytest.approx(110.23456)
    assert ths(" 200 ") == 200.0
    assert mhs_to_ths("") is None
    assert ghs_to_ths(None) is None
    assert ths("nan") is None


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("H", 1e-9),
        ("H/s", 1e-9),
        ("KH/s", 1e-6),
        ("kh", 1e-6),
        ("MH/s", 1e-3),
        ("MHS", 1e-3),
        ("GH", 1.0),
        ("GH/s", 1.0),
        ("Gh/s", 1.0),
        ("GHS", 1.0),
        ("G", 1.0),
        (" TH/s ", 1000.0),
        ("THS", 1000.0),
        ("T", 1000.0),
        ("PH/s", 1e6),
        ("EH", 1e9),
        (None, 1.0),  # no unit: GH/s, the cgminer default
        ("", 1.0),
        ("Sol/s", None),  # unknown: no value rather than one off by a thousand
        ("S", None),
        ("XH", None),
    ],
)
def test_rate_to_ths(unit: str | None, expected: float | None) -> None:
    result = rate_to_ths(1000, unit)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


def test_rate_to_ths_bad_value() -> None:
    assert rate_to_ths("", "GH") is None
    assert rate_to_ths("inf", "TH") is None
    assert rate_to_ths("1,500", "GH/s") == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("miner-01", True),
        ("garage.miner.example.", True),
        ("999.1.1.1", False),  # a mistyped address, not a name to resolve
        ("10.0.0", False),
        ("a b", False),
        ("miner_1", False),
        ("", False),
    ],
)
def test_is_host_name(text: str, expected: bool) -> None:
    """One rule for the config flow and the CLI."""
    assert is_host_name(text) is expected
