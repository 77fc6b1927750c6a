"""Hiveon OS on Antminers: bmminer's RPC and the stock-like CGI behind digest auth.

Hiveon's ``version`` names the model with ` Hiveon` after it (``Antminer S19x88
Hiveon``); that word is its only fingerprint, so this family comes before stock
Antminer (whose realm it shares) and before MSKMiner (whose ``rwglr`` bmminer it ships).
The package: ``parse`` (what differs from stock: model name, power, board slots),
``backends`` (the one release its public facts describe).
"""

from __future__ import annotations

from ...contract import Family
from .._identity import SYSTEM_INFO_KEYS, Naming, Reply, probed_version, system_info
from .._probes import Marks
from ..antminer.client import DEFAULT_CREDENTIALS
from .backends import HiveonBackend
from .parse import model_name

__all__ = ["FAMILY"]


FAMILY = Family(
    name="Hiveon OS (on Antminers)",
    recognised_by=Marks(rpc=("HIVEON",)),
    identify=Naming(
        make="Bitmain",
        firmware="Hiveon",
        unknown_model="Antminer",
        replies=(
            Reply(probed_version, model="Type"),
            Reply(system_info(DEFAULT_CREDENTIALS), model="minertype", **SYSTEM_INFO_KEYS),
            # The build date where the web UI names no file system version.
            Reply(probed_version, firmware_version="CompileTime"),
        ),
        model_name=model_name,
    ),
    backends=(HiveonBackend,),
    stock=False,
    default_credentials=DEFAULT_CREDENTIALS,
)
