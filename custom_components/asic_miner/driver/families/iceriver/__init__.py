"""IceRiver (KS0-KS5 kHeavyHash, AL3 Blake3): stock firmware with a web API only.

Recognised by its web page (the title ``用户界面``, "user interface", or the word
IceRiver: asic-rs's web fingerprint, protocols.md §3.2); named by the login-protected
``userpanel`` (``softver1``'s code, MAC, host) after the cookie login admin / 12345678.
The package: ``client`` (the web session), ``parse`` (the panel's extractors and the
model name), ``backends`` (the one backend).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...context import MinerContext
from ...contract import Family, ProbeResults
from .._identity import Naming, Reply
from .._probes import Marks
from .backends import IceRiverBackend
from .client import DEFAULT_CREDENTIALS, READ, IceRiverWeb
from .parse import data, model_name

__all__ = ["FAMILY"]


async def _panel(ctx: MinerContext, _results: ProbeResults) -> Mapping[str, Any]:
    """The panel, with the model named from ``model`` or ``softver1``'s code."""
    panel = data(await IceRiverWeb(ctx).panel(READ))
    return {**panel, "model": model_name(panel)}


FAMILY = Family(
    name="IceRiver",
    recognised_by=Marks(page=("<title>用户界面</title>", "IceRiver")),
    identify=Naming(
        replies=(
            Reply(_panel, model="model", firmware_version="softver1", mac="mac", hostname="host"),
        ),
    ),
    backends=(IceRiverBackend,),
    default_credentials=DEFAULT_CREDENTIALS,
)
