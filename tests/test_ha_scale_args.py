"""benchmarks/ha_scale.py is a benchmark, not a test: only its arguments and fleet are checked."""

from __future__ import annotations

import tomllib

import pytest

from benchmarks import ha_scale


def test_defaults_are_the_issue_s_farm() -> None:
    args = ha_scale.parse_args([])
    assert (args.miners, args.window, args.dir) == (200, 300.0, None)


@pytest.mark.parametrize(
    "argv",
    [["--miners", "0"], ["--miners", "300"], ["--window", "5"], ["--stall-window", "0"]],
)
def test_out_of_range_arguments_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        ha_scale.parse_args(argv)


def test_fleet_has_every_model_and_fits_one_24() -> None:
    fleet = tomllib.loads(ha_scale.fleet_toml(200))["miner"]
    models = tomllib.loads(ha_scale.FAMILIES_FLEET.read_text())["miner"]
    assert sum(m["count"] for m in fleet) == 200
    assert {(m["family"], m["model"]) for m in fleet} == {(m["family"], m["model"]) for m in models}
    assert all(m["host"].startswith("127.0.60.") for m in fleet)


def test_reply_delay_spreads_the_models_between_its_bounds() -> None:
    args = ha_scale.parse_args(["--reply-delay", "10,200"])
    assert args.reply_delay == (0.01, 0.2)
    fleet = tomllib.loads(ha_scale.fleet_toml(200, args.reply_delay))["miner"]
    delays = sorted(float(m["fault"].removeprefix("delay:")) for m in fleet)
    assert delays[0] == 0.01
    assert delays[-1] == 0.2
    assert len(set(delays)) == len(delays)
    assert "fault" not in tomllib.loads(ha_scale.fleet_toml(200))["miner"][0]


@pytest.mark.parametrize("value", ["10", "a,b", "200,10", "0,5000", "0,1500", "nan,nan"])
def test_a_wrong_reply_delay_is_refused(value: str) -> None:
    with pytest.raises(SystemExit):
        ha_scale.parse_args(["--reply-delay", value])


@pytest.mark.parametrize("count", [1, 2, 7, 41, 42, 49])
def test_reply_delays_take_every_step_once_whatever_the_number_of_models(count: int) -> None:
    """A stride sharing a factor with the number of models would skip steps (42 models
    with a stride of 7: six delays, the highest never used)."""
    shares = ha_scale.delay_shares(count)
    assert sorted(shares) == [i / max(1, count - 1) for i in range(count)]


def test_the_slowest_reply_delay_the_scan_copes_with_is_accepted() -> None:
    assert ha_scale.parse_args(["--reply-delay", "0,1000"]).reply_delay == (0.0, 1.0)
