"""Where the CLI takes a password from: the flag, a prompt, or an environment variable.

A password on the command line is visible in the process list; the prompt and the
variable keep it out (docs/cli.md).
"""

from __future__ import annotations

import json

import pytest

from custom_components.asic_miner.driver import cli
from tests.driver.test_cli import PORT_ARGS, Start, cli_loopback, miners, one_line, run

__all__ = ["cli_loopback", "miners"]  # fixtures shared with test_cli


async def test_password_from_the_environment(
    miners: Start, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (sim,) = await miners(("antminer", "S19 Pro", {"password": "changed"}))
    monkeypatch.setenv(cli.PASSWORD_ENV, "changed")
    code, out, _ = await run(capsys, "read", sim.host, *PORT_ARGS)
    assert code == cli.EXIT_OK
    assert json.loads(out)["identity"]["model"] == "S19 Pro"

    # The flag wins over the variable.
    code, _, err = await run(capsys, "read", sim.host, "--password", "wrong", *PORT_ARGS)
    assert code == cli.EXIT_AUTH
    assert "wrong" not in err


async def test_password_from_a_prompt(
    miners: Start, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (sim,) = await miners(("antminer", "S19 Pro", {"password": "changed"}))
    monkeypatch.setenv(cli.PASSWORD_ENV, "not this one")
    prompts: list[str] = []

    def prompt(text: str) -> str:
        prompts.append(text)
        return "changed"

    monkeypatch.setattr(cli.getpass, "getpass", prompt)
    code, out, _ = await run(capsys, "read", sim.host, "--ask-password", *PORT_ARGS)
    assert code == cli.EXIT_OK
    assert prompts == ["password: "]
    assert "changed" not in out


def test_prompt_and_flag_together_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["read", "127.0.0.1", "--password", "x", "--ask-password"]
    assert cli.parse_args(args) == cli.EXIT_USAGE
    assert "not both" in one_line(capsys.readouterr().err)


def test_empty_prompt_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cli.PASSWORD_ENV, raising=False)
    monkeypatch.setattr(cli.getpass, "getpass", lambda text: "")
    args = cli.parse_args(["read", "127.0.0.1", "--ask-password"])
    assert not isinstance(args, int)
    assert args.password is None
    args = cli.parse_args(["read", "127.0.0.1"])
    assert not isinstance(args, int)
    assert args.password is None
