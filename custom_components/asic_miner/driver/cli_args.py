"""The command line's words: its argument table, exit codes and actions.

Apart from ``cli.py`` so the table (one flat list, longer than a function should be)
reads on its own.
"""

from __future__ import annotations

import argparse

from .identify import DEFAULT_IDENTIFY_TIMEOUT
from .models import (
    DEFAULT_HTTPS_PORT,
    DEFAULT_RPC_PORT,
    DEFAULT_WEB_PORT,
    DEFAULT_WHATSMINER_V3_PORT,
)
from .scan import DEFAULT_CONCURRENCY

PROG = f"python -m {__package__ or 'custom_components.asic_miner.driver'}"
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
PASSWORD_ENV = "ASIC_MINER_PASSWORD"
DEFAULT_TIMEOUT = 10.0

ACTIONS: dict[str, str | None] = {
    # action: what its VALUE is (None: it takes none)
    "mining": "on|off",
    "fault-light": "on|off",
    "power-limit": "watts",
    "work-mode": "name",
    "reboot": None,
    "restart-backend": None,
}


class UsageError(Exception):
    """A command-line mistake found after argparse (a bad value for an action)."""


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The argument table; ``prog`` is the name help and errors show (a launcher sets it)."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("connection")
    group.add_argument("--rpc-port", type=int, default=DEFAULT_RPC_PORT, metavar="PORT")
    group.add_argument("--web-port", type=int, default=DEFAULT_WEB_PORT, metavar="PORT")
    group.add_argument("--https-port", type=int, default=DEFAULT_HTTPS_PORT, metavar="PORT")
    group.add_argument(
        "--whatsminer-v3-port", type=int, default=DEFAULT_WHATSMINER_V3_PORT, metavar="PORT"
    )
    group.add_argument("--username", help="login (default: the firmware's default)")
    group.add_argument(
        "--password",
        help=f"password (default: ${PASSWORD_ENV}, else the firmware's default); "
        "visible in the process list, prefer the variable or --ask-password",
    )
    group.add_argument(
        "--ask-password", action="store_true", help="prompt for the password (not echoed)"
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help=f"per-miner time limit (read/control: {DEFAULT_TIMEOUT:g}, "
        f"scan: {DEFAULT_IDENTIFY_TIMEOUT:g} per host)",
    )
    group.add_argument(
        "-v", "--verbose", action="store_true", help="debug logging and full tracebacks"
    )

    parser = argparse.ArgumentParser(
        prog=prog, description="Talk to ASIC miners: find them, read them, control them."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p_scan = sub.add_parser(
        "scan",
        parents=[common],
        help="find miners on a subnet",
        description="Find miners: TARGET is a CIDR (192.168.1.0/24), a range "
        "(192.168.1.10-50 or 192.168.1.10-192.168.1.50), an address, or a comma-separated "
        "list of those; at most 65,536 addresses.",
    )
    p_scan.add_argument("target", metavar="TARGET")
    p_scan.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    p_scan.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"hosts swept at once (default {DEFAULT_CONCURRENCY})",
    )
    p_scan.add_argument(
        "--arp-budget",
        type=int,
        metavar="N",
        help="addresses in the kernel's ARP table at once (default: the table's room, "
        "gc_thresh3 minus the entries in use, read at start; raise gc_thresh3 first)",
    )
    p_scan.add_argument(
        "--deadline", type=float, metavar="SECONDS", help="stop the whole scan after this long"
    )
    p_scan.add_argument(
        "--no-progress", action="store_true", help="do not report progress on stderr"
    )

    p_read = sub.add_parser("read", parents=[common], help="print one miner's data as JSON")
    p_read.add_argument("host", metavar="HOST")

    actions = ", ".join(f"{a} {v.upper()}" if v else a for a, v in ACTIONS.items())
    p_control = sub.add_parser(
        "control",
        parents=[common],
        help="run a control on one miner",
        description=f"Actions: {actions}.",
    )
    p_control.add_argument("host", metavar="HOST")
    p_control.add_argument("action", choices=list(ACTIONS), metavar="ACTION")
    p_control.add_argument("value", nargs="?", metavar="VALUE")
    return parser
