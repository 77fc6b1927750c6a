"""``details_from``: the one way families read identity details from a reply."""

from __future__ import annotations

from custom_components.asic_miner.driver.families._identity import details_from


def test_first_key_with_a_value_wins_and_text_is_cleaned() -> None:
    reply = {"VERSION": "", "LVERSION": ' "24.1" ', "API": "3.7", "DNA": "  "}
    details = details_from(
        reply,
        firmware_version=("VERSION", "LVERSION", "CGVERSION"),
        api_version="API",
        serial="DNA",
    )
    assert details == {"firmware_version": "24.1", "api_version": "3.7", "serial": None}


def test_mac_is_normalised_and_a_placeholder_is_unknown() -> None:
    assert details_from({"MAC": "aa-bb-cc-dd-ee-ff"}, mac="MAC") == {"mac": "AA:BB:CC:DD:EE:FF"}
    assert details_from({"MAC": "00:00:00:00:00:00"}, mac="MAC") == {"mac": None}


def test_a_missing_key_is_unknown_and_only_named_details_are_set() -> None:
    assert details_from({}, hostname="Hostname", control_board="HWTYPE") == {
        "hostname": None,
        "control_board": None,
    }
    assert details_from({"Hostname": "rig"}) == {}
