"""Elphapex (DG1, DG1+, DG Home): Scrypt miners with an Antminer-like web UI.

Recognised by the digest realm of its web server ("Daoge Miner"; protocols.md §3.2);
everything is read and written over the CGI with the login root / root. The package:
``parse`` (sources, extractors, model names), ``client`` (the CGI writes),
``backends`` (the one backend).
"""

from __future__ import annotations

from ...contract import Family
from ...models import Algorithm
from .._identity import SYSTEM_INFO_KEYS, Naming, Reply, system_info
from .._probes import Marks
from .backends import ElphapexBackend
from .client import DEFAULT_CREDENTIALS
from .parse import model_name

__all__ = ["FAMILY"]


FAMILY = Family(
    name="Elphapex",
    recognised_by=Marks(realm=("Daoge",)),
    identify=Naming(
        replies=(
            # The Antminer web UI's own system info page and keys.
            Reply(system_info(DEFAULT_CREDENTIALS), model="minertype", **SYSTEM_INFO_KEYS),
        ),
        model_name=model_name,
        # Every Elphapex hashes Scrypt; the firmware says so too ("Algorithm": "Scrypt").
        algorithm=Algorithm.SCRYPT,
    ),
    backends=(ElphapexBackend,),
    default_credentials=DEFAULT_CREDENTIALS,
)
