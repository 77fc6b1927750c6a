"""The command line against simulated miners on 127.0.26.0/24 to 127.0.29.0/24."""

from __future__ import annotations

import errno
import io
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import pytest_socket

from custom_components.asic_miner.driver import cli
from custom_components.asic_miner.driver.registry import FAMILIES
from custom_components.asic_miner.driver.scan import ScanProgress, ScanStage
from simulator.families import load_all
from simulator.miner import SimMiner
from tests.driver.conftest import SIM_PORTS

CLI_NETS = range(26, 30)
CLI_HOSTS = [f"127.0.{net}.{host}" for net in CLI_NETS for host in range(256)]
PORT_ARGS = [
    "--rpc-port",
    str(SIM_PORTS.rpc),
    "--web-port",
    str(SIM_PORTS.web),
    "--https-port",
    str(SIM_PORTS.https),
    "--whatsminer-v3-port",
    str(SIM_PORTS.whatsminer_v3),
]

type Start = Callable[..., Awaitable[list[SimMiner]]]


@pytest.fixture(autouse=True)
def cli_loopback(loopback: None) -> Iterator[None]:
    pytest_socket.socket_allow_hosts(["127.0.0.1", *CLI_HOSTS], allow_unix_socket=True)
    yield


@pytest.fixture
async def miners() -> AsyncIterator[Start]:
    """Start miners on ``.10``, ``.11``, ... of a free /24 of ours."""
    running: list[SimMiner] = []
    nets = random.sample(list(CLI_NETS), len(CLI_NETS))
    families = load_all()

    async def start(*specs: tuple[str, str, dict[str, Any]]) -> list[SimMiner]:
        for net in nets:
            sims = [
                families[family].create(f"127.0.{net}.{10 + i}", model, SIM_PORTS, **state)
                for i, (family, model, state) in enumerate(specs)
            ]
            started: list[SimMiner] = []
            try:
                for sim in sims:
                    await sim.start()
                    started.append(sim)
            except OSError as err:
                for sim in started:
                    await sim.stop()
                if err.errno != errno.EADDRINUSE:
                    raise
                continue
            nets.remove(net)
            running.extend(sims)
            return sims
        raise RuntimeError("no free loopback /24 for a CLI test")

    yield start
    for sim in running:
        await sim.stop()


async def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = await cli.async_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def registered(family: str) -> bool:
    return family in {f.key for f in FAMILIES} and family in load_all()


# -- scan --------------------------------------------------------------------------


async def test_scan_table(miners: Start, capsys: pytest.CaptureFixture[str]) -> None:
    sims = await miners(
        ("antminer", "S19 Pro", {}),
        ("antminer", "S9", {}),
        ("antminer", "S21", {"password": "changed"}),
    )
    prefix = sims[0].host.rsplit(".", 1)[0]

    code, out, err = await run(capsys, "scan", f"{prefix}.1-40", *PORT_ARGS)

    assert code == cli.EXIT_OK
    lines = out.strip().splitlines()
    assert lines[0].split() == [
        "HOST",
        "FAMILY",
        "MAKE",
        "MODEL",
        "FIRMWARE",
        "VERSION",
        "MAC",
        "STATUS",
    ]
    assert [line.split()[0] for line in lines[1:]] == [sim.host for sim in sims]
    assert "S19 Pro" in lines[1]
    assert sims[0].state.mac in lines[1]
    assert " S9 " in lines[2]
    assert lines[3].endswith("credentials refused")
    # Progress and a summary on stderr, never on stdout.
    assert "sweep: 40 hosts" in err
    assert f"found {sims[0].host}: antminer S19 Pro" in err
    assert "scanned 40 addresses" in err
    assert "3 miner(s) found" in err


async def test_scan_json(miners: Start, capsys: pytest.CaptureFixture[str]) -> None:
    specs: list[tuple[str, str, dict[str, Any]]] = [
        ("antminer", "S19 Pro", {}),
        ("antminer", "S21", {"password": "changed"}),
    ]
    if registered("braiins"):
        specs.append(("braiins", "S19", {}))
    sims = await miners(*specs)
    prefix = sims[0].host.rsplit(".", 1)[0]

    code, out, err = await run(
        capsys, "scan", f"{prefix}.10-20", "--json", "--no-progress", *PORT_ARGS
    )

    assert code == cli.EXIT_OK
    assert err == ""
    data = json.loads(out)
    assert [item["host"] for item in data] == [sim.host for sim in sims]
    assert data[0]["family"] == "antminer"
    assert data[0]["identity"]["model"] == "S19 Pro"
    assert data[0]["identity"]["mac"] == sims[0].state.mac
    assert data[0]["error"] is None
    assert data[1]["identity"] is None
    assert data[1]["error_type"] == "MinerAuthenticationError"
    assert data[1]["error"].startswith("credentials refused")
    if len(sims) > 2:
        assert data[2]["family"] == "braiins"
        assert data[2]["identity"]["model"] == "S19"


async def test_scan_password_option(miners: Start, capsys: pytest.CaptureFixture[str]) -> None:
    (sim,) = await miners(("antminer", "S21", {"password": "changed"}))

    code, out, _ = await run(
        capsys, "scan", sim.host, "--json", "--no-progress", "--password", "changed", *PORT_ARGS
    )

    assert code == cli.EXIT_OK
    (item,) = json.loads(out)
    assert item["identity"]["model"] == "S21"


async def test_scan_lists_unsupported(miners: Start, capsys: pytest.CaptureFixture[str]) -> None:
    sims = await miners(("antminer", "S19 Pro", {}), ("proto", "Rig", {}))
    prefix = sims[0].host.rsplit(".", 1)[0]

    code, out, err = await run(capsys, "scan", f"{prefix}.1-40", *PORT_ARGS)

    assert code == cli.EXIT_OK
    lines = out.strip().splitlines()
    assert lines[2].split()[:2] == [sims[1].host, "-"]
    assert lines[2].endswith("not supported: Proto OS")
    assert f"found {sims[1].host}: Proto OS (not supported)" in err
    assert "1 miner(s) found, 1 found but not supported, 38 address(es) answered nothing" in err

    code, out, _err = await run(capsys, "scan", f"{prefix}.1-40", "--json", *PORT_ARGS)
    listing = json.loads(out)
    assert listing[1]["host"] == sims[1].host
    assert listing[1]["unsupported"] == "Proto OS"


async def test_scan_nothing_found(capsys: pytest.CaptureFixture[str]) -> None:
    net = random.choice(CLI_NETS)
    code, out, err = await run(capsys, "scan", f"127.0.{net}.200-205", *PORT_ARGS)
    assert code == cli.EXIT_OK
    assert out.strip() == "no miners found"
    assert "0 miner(s) found" in err


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("127.0.0.0/8", "limited to 65,536"),
        ("192.168.1", "not an IPv4 address"),
        ("192.168.1.50-10", "ends before it starts"),
    ],
)
async def test_scan_bad_target(
    capsys: pytest.CaptureFixture[str], target: str, message: str
) -> None:
    code, out, err = await run(capsys, "scan", target)
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert message in one_line(err)


# -- read --------------------------------------------------------------------------


async def test_read(miners: Start, capsys: pytest.CaptureFixture[str]) -> None:
    (sim,) = await miners(("antminer", "S19 Pro", {}))

    code, out, err = await run(capsys, "read", sim.host, *PORT_ARGS)

    assert code == cli.EXIT_OK
    assert err == ""
    data = json.loads(out)
    assert data["host"] == sim.host
    assert data["identity"]["model"] == "S19 Pro"
    assert data["identity"]["family"] == "antminer"
    assert data["identity"]["serial"] == sim.state.serial
    assert data["hashrate"] == pytest.approx(sim.state.hashrate, rel=1e-3)
    assert len(data["boards"]) == sim.state.spec.boards
    assert [fan["rpm"] for fan in data["fans"]] == sim.state.fan_rpms()
    assert "fault_light" in data["controls"]


async def test_read_wrong_password(miners: Start, capsys: pytest.CaptureFixture[str]) -> None:
    (sim,) = await miners(("antminer", "S19 Pro", {"password": "changed"}))

    code, out, err = await run(capsys, "read", sim.host, *PORT_ARGS)
    assert code == cli.EXIT_AUTH
    assert out == ""
    assert "--password" in one_line(err)

    code, out, _ = await run(capsys, "read", sim.host, "--password", "changed", *PORT_ARGS)
    assert code == cli.EXIT_OK
    assert json.loads(out)["identity"]["model"] == "S19 Pro"


async def test_read_nothing_there(capsys: pytest.CaptureFixture[str]) -> None:
    host = f"127.0.{random.choice(CLI_NETS)}.{random.randint(210, 250)}"
    code, out, err = await run(capsys, "read", host, "--timeout", "1", *PORT_ARGS)
    assert code == cli.EXIT_ERROR
    assert out == ""
    assert one_line(err).startswith("error: ")


async def test_verbose_shows_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    host = f"127.0.{random.choice(CLI_NETS)}.{random.randint(210, 250)}"
    code, _, err = await run(capsys, "read", host, "--timeout", "1", "--verbose", *PORT_ARGS)
    assert code == cli.EXIT_ERROR
    assert "Traceback" in err
    assert err.strip().splitlines()[-1].startswith("error: ")


@pytest.mark.parametrize(
    "host", ["192.168.1.0/24", "10.0.0.1-5", "10.0.0", "a b", "::1", "miner_1"]
)
async def test_read_needs_one_host(capsys: pytest.CaptureFixture[str], host: str) -> None:
    code, out, err = await run(capsys, "read", host)
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert "HOST must be" in one_line(err)


# -- control -----------------------------------------------------------------------


async def test_controls_change_the_miner(miners: Start, capsys: pytest.CaptureFixture[str]) -> None:
    (sim,) = await miners(("antminer", "S19 Pro", {}))
    state = sim.state

    code, out, _ = await run(capsys, "control", sim.host, "fault-light", "on", *PORT_ARGS)
    assert code == cli.EXIT_OK
    assert out.strip() == f"ok: fault-light on on {sim.host} (Bitmain S19 Pro, Stock)"
    assert state.fault_light is True

    code, _, _ = await run(capsys, "control", sim.host, "mining", "off", *PORT_ARGS)
    assert code == cli.EXIT_OK
    assert state.mining is False

    code, _, _ = await run(capsys, "control", sim.host, "mining", "on", *PORT_ARGS)
    assert code == cli.EXIT_OK
    assert state.mining is True

    code, _, _ = await run(capsys, "control", sim.host, "work-mode", "low", *PORT_ARGS)
    assert code == cli.EXIT_OK
    assert state.work_mode == "low"

    code, _, _ = await run(capsys, "control", sim.host, "reboot", *PORT_ARGS)
    assert code == cli.EXIT_OK
    assert state.reboots == 1


async def test_control_refusals(miners: Start, capsys: pytest.CaptureFixture[str]) -> None:
    (sim,) = await miners(("antminer", "S19 Pro", {}))

    code, out, err = await run(capsys, "control", sim.host, "power-limit", "3000", *PORT_ARGS)
    assert code == cli.EXIT_ERROR
    assert out == ""
    assert "does not support power limit" in one_line(err)

    code, _, err = await run(capsys, "control", sim.host, "work-mode", "turbo", *PORT_ARGS)
    assert code == cli.EXIT_ERROR
    assert "unknown work mode" in one_line(err)
    assert sim.state.work_mode == "normal"


@pytest.mark.skipif(not registered("braiins"), reason="braiins family not registered")
async def test_power_limit_and_restart(miners: Start, capsys: pytest.CaptureFixture[str]) -> None:
    (sim,) = await miners(("braiins", "S19", {}))

    code, out, _ = await run(capsys, "control", sim.host, "power-limit", "2800W", *PORT_ARGS)
    assert code == cli.EXIT_OK, out
    assert sim.state.power_limit == 2800

    code, _, _ = await run(capsys, "control", sim.host, "restart-backend", *PORT_ARGS)
    assert code == cli.EXIT_OK
    assert sim.state.backend_restarts == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mining"], "needs a value (on|off)"),
        (["mining", "maybe"], "takes on or off"),
        (["fault-light", "2"], "takes on or off"),
        (["power-limit"], "needs a value (watts)"),
        (["power-limit", "lots"], "whole watts"),
        (["power-limit", "-5"], "must be positive"),
        (["work-mode"], "needs a value (name)"),
        (["reboot", "now"], "takes no value"),
    ],
)
async def test_control_bad_values(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    # Refused before any connection: the address need not exist.
    code, out, err = await run(capsys, "control", "127.0.26.1", *args)
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert message in one_line(err)


async def test_control_wrong_password(miners: Start, capsys: pytest.CaptureFixture[str]) -> None:
    (sim,) = await miners(("antminer", "S21", {"password": "changed"}))

    code, _, err = await run(capsys, "control", sim.host, "fault-light", "on", *PORT_ARGS)
    assert code == cli.EXIT_AUTH
    assert "credentials refused" in one_line(err)
    assert sim.state.fault_light is False

    code, _, _ = await run(
        capsys,
        "control",
        sim.host,
        "fault-light",
        "on",
        "--username",
        "root",
        "--password",
        "changed",
        *PORT_ARGS,
    )
    assert code == cli.EXIT_OK
    assert sim.state.fault_light is True


# -- argument errors, through the synchronous entry point ---------------------------


def test_main_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == cli.EXIT_USAGE
    assert "COMMAND" in capsys.readouterr().err
    assert cli.main(["control", "127.0.26.1", "explode"]) == cli.EXIT_USAGE
    assert "invalid choice" in capsys.readouterr().err
    assert cli.main(["scan", "300.1.1.1"]) == cli.EXIT_USAGE
    assert "not an IPv4 address" in one_line(capsys.readouterr().err)


def test_main_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    for command in ("scan", "read", "control"):
        assert command in out
    assert cli.main(["control", "--help"]) == cli.EXIT_OK
    assert "restart-backend" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["scan", "127.0.26.1", "--timeout", "0"], "--timeout must be positive"),
        (["scan", "127.0.26.1", "--concurrency", "0"], "--concurrency must be at least 1"),
        (["scan", "127.0.26.1", "--deadline", "-1"], "--deadline must be positive"),
    ],
)
def test_main_option_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert cli.main(argv) == cli.EXIT_USAGE
    assert message in one_line(capsys.readouterr().err)


def test_host_names_accepted() -> None:
    assert cli._host("miner-7.lan") == "miner-7.lan"
    assert cli._host(" 127.0.26.5 ") == "127.0.26.5"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal() -> None:
    out = _Terminal()
    printer = cli._ProgressPrinter(out)
    printer(ScanProgress(ScanStage.SWEEP, 0, 254, 0))
    printer(ScanProgress(ScanStage.SWEEP, 254, 254, 0, 1))
    printer(ScanProgress(ScanStage.DONE, 254, 254, 0, 1))
    printer.finish(254, 0, 0.5)
    text = out.getvalue()
    assert "\rsweep: 0/254, 0 found" in text
    assert "\rsweep: 254/254, 0 found" in text
    assert text.endswith(
        "scanned 254 addresses in 0.50 s: 0 miner(s) found, 0 found but not supported, "
        "254 address(es) answered nothing\n"
    )
