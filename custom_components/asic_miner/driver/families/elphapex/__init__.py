"""Elphapex (DG1, DG1+, DG Home): Scrypt miners with an Antminer-like web UI.

Recognised by the digest realm of its web server ("Daoge Miner"; protocols.md §3.2);
everything is read and written over the CGI with the login root / root. The package:
``parse`` (sources, extractors, model names), ``client`` (the CGI writes),
``backends`` (the one backend).
"""

from __future__ import annotations

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...models import Algorithm, MinerIdentity
from ...values import clean_str, normalize_mac
from .._probes import WEB_ROOT, realm, web_reply
from .backends import ElphapexBackend
from .client import DEFAULT_CREDENTIALS
from .parse import model_name

__all__ = ["FAMILY"]

MAKE = "Elphapex"


def _matches(results: ProbeResults) -> bool:
    return realm(web_reply(results)).lower().startswith("daoge")


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    web = ctx.web(digest=ctx.login(DEFAULT_CREDENTIALS))
    info = await web.get_json("/cgi-bin/get_system_info.cgi")
    # Every Elphapex hashes Scrypt; the firmware says so too ("Algorithm": "Scrypt").
    return FAMILY.identity(
        MAKE,
        model_name(info.get("minertype")) or "Elphapex",
        "Stock",
        ElphapexBackend.name,
        firmware_version=clean_str(info.get("system_filesystem_version")),
        mac=normalize_mac(info.get("macaddr")),
        hostname=clean_str(info.get("hostname")),
        algorithm=Algorithm.SCRYPT,
    )


FAMILY = Family(
    key="elphapex",
    name="Elphapex",
    stock=True,
    probes=(WEB_ROOT,),
    matches=_matches,
    identify=_identify,
    backends=(ElphapexBackend,),
    default_credentials=DEFAULT_CREDENTIALS,
)
