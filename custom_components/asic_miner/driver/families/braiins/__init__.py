"""Braiins OS and BOS+ (bosminer / BOSer) on Antminers.

Recognised by ``BOSMINER`` / ``BOSER`` in any RPC reply or "Braiins OS" on the web
root. bosminer's RPC answers on every release (``parse.py``, with what both web APIs share); state and controls
go through the release's web API, which changed in 25.07. The package:

* ``base.py``: what both backends share (RPC fallbacks, refusals, power bounds);
* ``client_rest.py``, ``parse_rest.py``, ``rest.py``: BOS >= 25.07, REST under
  ``/api/v1`` with a token (session, pure reply functions, backend);
* ``client_graphql.py``, ``parse_graphql.py``, ``graphql.py``: older releases,
  GraphQL at ``/graphql`` with a session cookie (the same three parts).

Which one a miner speaks is found by logging in to the REST API first: the newest
API is the one future releases keep, a login proves the credentials in the same
round trip, and the login route is simply missing (404) on older releases, which
then answer GraphQL. The version the chosen API reports then picks the backend, so
a REST API reporting a pre-25.07 release is still driven through GraphQL. Each
generation has its own default password (REST ``root``, GraphQL empty), used when
the user gave none.
"""

from __future__ import annotations

import re

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...models import MinerIdentity
from ...values import clean_str
from .._cgminer import probe_item
from .._probes import RPC_DEVDETAILS, RPC_VERSION, Marks
from . import client_graphql, client_rest
from .client_graphql import GraphqlApi
from .client_rest import DEFAULT_CREDENTIALS, RestApi
from .graphql import GraphqlBackend
from .parse import make_of, normalize_model
from .rest import RestBackend

FIRMWARE = "Braiins OS"


def parse_version(full: str | None) -> str | None:
    """``2025-06-25-0-45f356ea-25.05.1-plus`` → ``25.05.1`` (last dashed part with a dot)."""
    if not full:
        return None
    for part in reversed(full.split("-")):
        if "." in part and re.fullmatch(r"\d+(\.\d+)+", part):
            return part
    return None


def version_tuple(version: str | None) -> tuple[int, ...] | None:
    if not version:
        return None
    return tuple(int(p) for p in version.split("."))


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    rest_api = RestApi(ctx)
    if await rest_api.available():
        info = await client_rest.read_identity(rest_api)
        has_rest = True
    else:
        info = await client_graphql.read_identity(GraphqlApi(ctx))
        has_rest = False
    version = parse_version(info["full_version"])
    numbers = version_tuple(version)
    backend = RestBackend if has_rest and RestBackend.accepts(numbers) else GraphqlBackend
    model = (
        normalize_model(probe_item(results, RPC_DEVDETAILS.key, "DEVDETAILS").get("Model"))
        or normalize_model(info["model"])
        or "Unknown"
    )
    make = make_of(model)
    full = info["full_version"] or ""
    return FAMILY.identity(
        make,
        model,
        FIRMWARE + ("+" if full.endswith("-plus") else ""),
        backend.name,
        firmware_version=version,
        api_version=clean_str(probe_item(results, RPC_VERSION.key, "VERSION").get("API")),
        mac=info["mac"],
        serial=info["serial"],
        hostname=info["hostname"],
    )


FAMILY = Family(
    name="Braiins OS",
    recognised_by=Marks(rpc=("bosminer", "boser"), page=("Braiins OS",), devdetails=True),
    identify=_identify,
    backends=(RestBackend, GraphqlBackend),
    stock=False,
    default_credentials=DEFAULT_CREDENTIALS,
    max_reply_bytes=512 * 1024,
)

__all__ = ["FAMILY", "parse_version"]
