"""Command line for the driver: scan a subnet, read a miner, run a control.

    python -m custom_components.asic_miner.driver scan 192.168.1.0/24
    python -m custom_components.asic_miner.driver read 192.168.1.20
    python -m custom_components.asic_miner.driver control 192.168.1.20 power-limit 3000

Errors print one line on stderr and exit non-zero (1: the miner or the network, 2: the
command line, 3: credentials refused); ``--verbose`` adds debug logging and tracebacks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import ipaddress
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Sequence
from typing import Any

import aiohttp

from .cli_args import (
    ACTIONS,
    DEFAULT_TIMEOUT,
    EXIT_AUTH,
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    PASSWORD_ENV,
    PROG,
    UsageError,
    build_parser,
)
from .cli_output import ProgressPrinter, print_table, result_dict, unsupported_dict
from .exceptions import MinerAuthenticationError, MinerError
from .miner import Miner
from .models import (
    Credentials,
    Ports,
)
from .registry import FAMILIES
from .scan import NeighbourTable, parse_targets, scan_report
from .units import shown
from .values import is_host_name

_ProgressPrinter = ProgressPrinter  # the name tests and older callers use
_ON = {"on", "true", "1", "yes", "start"}
_OFF = {"off", "false", "0", "no", "stop"}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    if isinstance(args, int):
        return args
    _raise_file_limit()
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130


async def async_main(argv: Sequence[str]) -> int:
    """Like :func:`main`, for callers that already run an event loop (tests)."""
    args = parse_args(argv)
    if isinstance(args, int):
        return args
    return await run(args)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace | int:
    """Parse and check the command line; an exit status when it is wrong (or --help)."""
    try:
        args = build_parser(PROG).parse_args(argv)
    except SystemExit as exit_:  # argparse printed its message already
        return int(exit_.code or 0)
    try:
        _check(args)
    except UsageError as err:
        _fail(f"{PROG} {args.command}: error: {err}")
        return EXIT_USAGE
    return args


def _check(args: argparse.Namespace) -> None:
    """Validate values argparse cannot, before any connection is made."""
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    args.password = _password(args)
    if args.command == "scan":
        try:
            args.targets = parse_targets(args.target)
        except MinerError as err:
            raise UsageError(str(err)) from None
        if args.concurrency < 1:
            raise UsageError("--concurrency must be at least 1")
        if args.arp_budget is not None and args.arp_budget < 1:
            raise UsageError("--arp-budget must be at least 1")
        if args.deadline is not None and args.deadline <= 0:
            raise UsageError("--deadline must be positive")
        return
    args.host = _host(args.host)
    if args.command == "control":
        action: str = args.action
        value: str | None = args.value
        kind = ACTIONS[action]
        if kind is None and value is not None:
            raise UsageError(f"{action} takes no value")
        if kind is not None and value is None:
            raise UsageError(f"{action} needs a value ({kind})")
        args.on = _on_off(action, value) if kind == "on|off" else False
        args.watts = _watts(value) if action == "power-limit" else 0


async def run(args: argparse.Namespace) -> int:
    verbose: bool = args.verbose
    _setup_logging(verbose)
    try:
        async with aiohttp.ClientSession() as session:
            if args.command == "scan":
                return await _scan(args, session)
            if args.command == "read":
                return await _read(args, session)
            return await _control(args, session)
    except BrokenPipeError:  # the reader went away (`... | head`): nothing left to say
        with contextlib.suppress(OSError, ValueError):  # and no second error at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except MinerAuthenticationError as err:
        _traceback(verbose)
        _fail(f"error: {err} (give --username/--password)")
        return EXIT_AUTH
    except MinerError as err:
        _traceback(verbose)
        _fail(f"error: {err}")
        return EXIT_ERROR
    except Exception as err:  # a driver bug: still one line unless asked for more
        _traceback(verbose)
        hint = "" if verbose else " (--verbose shows details)"
        _fail(f"unexpected error: {type(err).__name__}: {err}{hint}")
        return EXIT_ERROR


# -- commands ----------------------------------------------------------------------


def _ports(args: argparse.Namespace) -> Ports:
    return Ports(
        rpc=args.rpc_port,
        web=args.web_port,
        https=args.https_port,
        whatsminer_v3=args.whatsminer_v3_port,
    )


def _password(args: argparse.Namespace) -> str | None:
    """The flag, else a prompt (``--ask-password``), else ``$ASIC_MINER_PASSWORD``.

    A password on the command line is visible to every user in the process list; the
    variable and the prompt are not.
    """
    if args.ask_password:
        if args.password is not None:
            raise UsageError("give --password or --ask-password, not both")
        return getpass.getpass("password: ") or None
    if args.password is not None:
        return str(args.password)
    return os.environ.get(PASSWORD_ENV) or None


def _credentials(args: argparse.Namespace) -> Credentials | None:
    if args.username is None and args.password is None:
        return None
    return Credentials(args.username, args.password)


async def _connect(args: argparse.Namespace, session: aiohttp.ClientSession) -> Miner:
    timeout: float = args.timeout or DEFAULT_TIMEOUT
    return await Miner.connect(
        args.host,
        session,
        ports=_ports(args),
        credentials=_credentials(args),
        timeout=timeout,
        identify_timeout=timeout,
    )


def _host(text: str) -> str:
    """One IPv4 address or a host name."""
    text = text.strip()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        if is_host_name(text):
            return text  # a name; one whose last label is numeric is a mistyped address
        raise UsageError(f"HOST must be one IPv4 address or host name, not {text!r}") from None
    if not isinstance(address, ipaddress.IPv4Address):
        raise UsageError(f"HOST must be an IPv4 address, not {text!r}")
    return str(address)


async def _read(args: argparse.Namespace, session: aiohttp.ClientSession) -> int:
    miner = await _connect(args, session)
    snapshot = await miner.read()
    # Hashrates stay in TH/s as in the snapshot; "shown" says them in the algorithm's unit.
    data = {"host": miner.host, **snapshot.as_dict(), "shown": shown(snapshot)}
    print(json.dumps(data, indent=2, default=str))
    return EXIT_OK


async def _control(args: argparse.Namespace, session: aiohttp.ClientSession) -> int:
    action: str = args.action
    value: str | None = args.value
    on: bool = args.on
    watts: int = args.watts
    miner = await _connect(args, session)
    match action:
        case "mining":
            await miner.set_mining(on)
        case "fault-light":
            await miner.set_fault_light(on)
        case "power-limit":
            await miner.set_power_limit(watts)
        case "work-mode":
            await miner.set_work_mode(str(value))
        case "reboot":
            await miner.reboot()
        case _:
            await miner.restart_backend()
    ident = miner.identity
    done = action if value is None else f"{action} {value}"
    print(f"ok: {done} on {miner.host} ({ident.make} {ident.model}, {ident.firmware})")
    return EXIT_OK


def _on_off(action: str, value: str | None) -> bool:
    text = (value or "").strip().lower()
    if text in _ON:
        return True
    if text in _OFF:
        return False
    raise UsageError(f"{action} takes on or off, not {value!r}")


def _watts(value: str | None) -> int:
    text = (value or "").strip().lower().removesuffix("w").strip()
    try:
        watts = int(text)
    except ValueError:
        raise UsageError(f"power-limit takes whole watts, not {value!r}") from None
    if watts <= 0:
        raise UsageError(f"power-limit must be positive, not {watts}")
    return watts


async def _scan(args: argparse.Namespace, session: aiohttp.ClientSession) -> int:
    targets: list[ipaddress.IPv4Address] = args.targets
    creds = _credentials(args)
    credentials = {fam.key: creds for fam in FAMILIES} if creds is not None else None
    reporter = None if args.no_progress else ProgressPrinter(sys.stderr)
    if reporter is not None:
        reporter.budget(NeighbourTable.read(), args.arp_budget)
    started = time.monotonic()
    kwargs: dict[str, Any] = {}
    if args.timeout is not None:
        kwargs["identify_timeout"] = args.timeout
    report = await scan_report(
        targets,
        session,
        ports=_ports(args),
        credentials=credentials,
        concurrency=args.concurrency,
        arp_budget=args.arp_budget,
        deadline=args.deadline,
        progress=reporter,
        supported=None if reporter is None else reporter.found_one,
        unsupported=None if reporter is None else reporter.found_unsupported,
        **kwargs,
    )
    found, unsupported = report.miners, report.unsupported
    elapsed = time.monotonic() - started
    if reporter is not None:
        reporter.finish(
            report.addresses,
            len(found),
            elapsed,
            unsupported=len(unsupported),
            reachable=report.reachable,
        )
    if args.json:
        listing = [result_dict(r) for r in found] + [unsupported_dict(u) for u in unsupported]
        print(json.dumps(listing, indent=2))
    else:
        print_table(found, sys.stdout, unsupported)
    return EXIT_OK


def _traceback(verbose: bool) -> None:
    if verbose:
        traceback.print_exc(file=sys.stderr)


def _fail(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _setup_logging(verbose: bool) -> None:
    if verbose:
        logging.basicConfig(
            level=logging.DEBUG, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
        )


def _raise_file_limit() -> None:
    """A /24 sweep opens ~800 sockets at once: lift the soft open-file limit if it is low."""
    try:
        import resource
    except ImportError:  # pragma: no cover
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 8192 if hard == resource.RLIM_INFINITY else min(8192, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
