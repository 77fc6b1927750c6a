"""Command-line edge cases: interruption, a closed pipe, a driver bug, scan errors,
progress on a terminal, and the open-file limit a /24 sweep needs.

Network tests use our own addresses in 127.0.26.0/24 to 127.0.29.0/24 (.200 and up,
where the other CLI tests start no miners).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import resource
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
import pytest_socket
from aiohttp import web

from custom_components.asic_miner.driver import cli
from custom_components.asic_miner.driver.exceptions import MinerNotIdentifiedError
from custom_components.asic_miner.driver.families.whatsminer import FAMILY as WHATSMINER
from custom_components.asic_miner.driver.scan import ScanProgress, ScanResult, ScanStage

CLI_NETS = range(26, 30)
CLI_HOSTS = [f"127.0.{net}.{host}" for net in CLI_NETS for host in range(256)]


@pytest.fixture(autouse=True)
def cli_loopback(loopback: None) -> Iterator[None]:
    pytest_socket.socket_allow_hosts(["127.0.0.1", *CLI_HOSTS], allow_unix_socket=True)
    yield


@pytest.fixture(autouse=True)
def file_limit(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Keep ``main`` from changing this process's real open-file limit."""
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(resource, "setrlimit", lambda which, limits: calls.append(limits))
    return calls


def _empty_host() -> str:
    return f"127.0.{random.choice(CLI_NETS)}.{random.randint(200, 250)}"


class Held:
    """Ports on one address that are bound but not listening: every connect is refused."""

    def __init__(self, host: str) -> None:
        self.host = host
        self._socks: list[socket.socket] = []

    def port(self) -> int:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, 0))
        self._socks.append(sock)
        return int(sock.getsockname()[1])

    def close(self) -> None:
        for sock in self._socks:
            sock.close()


@pytest.fixture
def held() -> Iterator[Held]:
    ports = Held(_empty_host())
    yield ports
    ports.close()


def _port_args(held: Held, web_port: int | None = None) -> list[str]:
    return [
        "--rpc-port",
        str(held.port()),
        "--web-port",
        str(web_port or held.port()),
        "--https-port",
        str(held.port()),
        "--whatsminer-v3-port",
        str(held.port()),
    ]


# -- the synchronous entry point ----------------------------------------------------------


def test_main_runs_a_command(held: Held, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["read", held.host, "--timeout", "1", *_port_args(held)])
    out, err = capsys.readouterr()
    assert code == cli.EXIT_ERROR
    assert out == ""
    assert err.startswith("error: ")
    assert len(err.strip().splitlines()) == 1


def test_ctrl_c_exits_130_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def interrupted(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run", interrupted)
    assert cli.main(["read", "127.0.26.1"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


@pytest.mark.parametrize(
    ("soft", "hard", "raised_to"),
    [
        (256, resource.RLIM_INFINITY, (8192, resource.RLIM_INFINITY)),
        (256, 4096, (4096, 4096)),  # never above the hard limit
        (65536, resource.RLIM_INFINITY, None),  # already enough: left alone
        (resource.RLIM_INFINITY, resource.RLIM_INFINITY, None),
    ],
    ids=["low-unlimited", "low-capped", "high", "unlimited"],
)
def test_open_file_limit_for_a_sweep(
    monkeypatch: pytest.MonkeyPatch,
    file_limit: list[tuple[int, int]],
    soft: int,
    hard: int,
    raised_to: tuple[int, int] | None,
) -> None:
    monkeypatch.setattr(resource, "getrlimit", lambda which: (soft, hard))
    cli._raise_file_limit()
    assert file_limit == ([] if raised_to is None else [raised_to])


def test_open_file_limit_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not allowed to raise it (a container): the sweep runs with what there is."""

    def refuse(which: int, limits: tuple[int, int]) -> None:
        raise ValueError("not allowed")

    monkeypatch.setattr(resource, "getrlimit", lambda which: (256, 4096))
    monkeypatch.setattr(resource, "setrlimit", refuse)
    cli._raise_file_limit()


# -- failures inside a command ------------------------------------------------------------


class _ClosedPipe(io.StringIO):
    """stdout of ``... | head`` after head exited."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self) -> int:
        raise io.UnsupportedOperation("no descriptor")  # never touch the real stdout


async def test_reader_gone_is_quiet(held: Held) -> None:
    """``scan ... | head``: the reader left; exit non-zero without a second error."""
    err = io.StringIO()
    with contextlib.redirect_stdout(_ClosedPipe()), contextlib.redirect_stderr(err):
        code = await cli.async_main(["scan", held.host, "--no-progress", *_port_args(held)])
    assert code == cli.EXIT_ERROR
    assert err.getvalue() == ""


@pytest.mark.parametrize("verbose", [False, True])
async def test_driver_bug_is_one_line_unless_verbose(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], verbose: bool
) -> None:
    async def buggy(args: argparse.Namespace, session: aiohttp.ClientSession) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "_connect", buggy)
    argv = ["read", "127.0.26.1", *(["--verbose"] if verbose else [])]
    assert await cli.async_main(argv) == cli.EXIT_ERROR
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    if verbose:
        assert "Traceback" in err
        assert last == "unexpected error: RuntimeError: boom"
    else:
        assert err == "unexpected error: RuntimeError: boom (--verbose shows details)\n"


# -- a miner found but not identified -------------------------------------------------------


@pytest.fixture
async def api_off_whatsminer(held: Held) -> AsyncIterator[int]:
    """A Whatsminer's web root (307 to HTTPS) with both API ports closed; its web port."""

    async def redirect(request: web.Request) -> web.Response:
        return web.Response(
            status=307,
            headers={"Location": f"https://{held.host}/"},
            text='<a href="/cgi-bin/luci">LuCI</a>',
            content_type="text/html",
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", redirect)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, held.host, 0).start()
    yield int(runner.addresses[0][1])
    await runner.cleanup()


async def test_scan_lists_a_miner_it_could_not_identify(
    held: Held,
    api_off_whatsminer: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A Whatsminer with its APIs closed is still listed, with the reason, and
    ``--timeout`` is the per-host identification limit."""
    seen: dict[str, Any] = {}
    real_scan = cli.scan_report

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return real_scan(*args, **kwargs)

    monkeypatch.setattr(cli, "scan_report", spy)
    ports = _port_args(held, api_off_whatsminer)
    code = await cli.async_main(["scan", held.host, "--json", "--timeout", "3", *ports])
    out, err = capsys.readouterr()
    assert code == cli.EXIT_OK
    assert seen["identify_timeout"] == 3.0
    (item,) = json.loads(out)
    assert (item["host"], item["family"], item["identity"]) == (held.host, "whatsminer", None)
    assert item["error_type"] == "MinerNotIdentifiedError"
    assert "neither API v2" in item["error"]
    assert f"found {held.host}: whatsminer ? (" in err

    assert await cli.async_main(["scan", held.host, "--no-progress", *ports]) == cli.EXIT_OK
    row = capsys.readouterr().out.strip().splitlines()[1]
    assert row.split()[:3] == [held.host, "whatsminer", "error:"]


# -- progress on a terminal -----------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_progress_is_throttled() -> None:
    """A live line redrawn at most ten times a second, but the last count always shows."""
    out = _Terminal()
    printer = cli._ProgressPrinter(out)
    printer(ScanProgress(ScanStage.SWEEP, 1, 254, 0))
    printer(ScanProgress(ScanStage.SWEEP, 2, 254, 0))  # too soon: skipped
    printer(ScanProgress(ScanStage.SWEEP, 254, 254, 0))  # complete: always drawn
    text = out.getvalue()
    assert "sweep: 1/254" in text
    assert "sweep: 2/254" not in text
    assert "sweep: 254/254" in text


def test_terminal_found_line_clears_the_live_line() -> None:
    out = _Terminal()
    printer = cli._ProgressPrinter(out)
    error = MinerNotIdentifiedError("127.0.26.9: neither API v2 nor API v3 answered")
    printer.found_one(ScanResult("127.0.26.9", WHATSMINER, None, error))
    assert out.getvalue() == (
        "\r\x1b[Kfound 127.0.26.9: whatsminer ? (127.0.26.9: neither API v2 nor API v3 answered)\n"
    )
