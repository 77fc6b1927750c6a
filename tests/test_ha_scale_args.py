"""benchmarks/ha_scale.py is a benchmark, not a test: only its arguments and fleet are checked."""

from __future__ import annotations

import tomllib

import pytest

from benchmarks import ha_scale


def test_defaults_are_the_issue_s_farm() -> None:
    args = ha_scale.parse_args([])
    assert (args.miners, args.window, args.dir) == (200, 300.0, None)


@pytest.mark.parametrize("argv", [["--miners", "0"], ["--miners", "300"], ["--window", "5"]])
def test_out_of_range_arguments_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        ha_scale.parse_args(argv)


def test_fleet_has_every_model_and_fits_one_24() -> None:
    fleet = tomllib.loads(ha_scale.fleet_toml(200))["miner"]
    models = tomllib.loads(ha_scale.FAMILIES_FLEET.read_text())["miner"]
    assert sum(m["count"] for m in fleet) == 200
    assert {(m["family"], m["model"]) for m in fleet} == {(m["family"], m["model"]) for m in models}
    assert all(m["host"].startswith("127.0.60.") for m in fleet)
