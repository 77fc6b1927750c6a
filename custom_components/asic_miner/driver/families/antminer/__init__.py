"""Stock Antminer firmware (bmminer / cgminer) on X17 to X21 and the S9 era.

Reads come over RPC and the digest-protected web CGI (default login root / root).
The package: ``parse`` (the sources, extractors, model names), ``client`` (the CGI
writes), ``backends`` (the X19/X21 web UI and the S9/X17-era one).
"""

from __future__ import annotations

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...models import MinerIdentity
from .._cgminer import probe_item
from .._probes import RPC_VERSION, WEB_ROOT, realm, web_reply
from .backends import LegacyBackend, ModernBackend
from .client import DEFAULT_CREDENTIALS
from .parse import WORK_MODES, model_name, web_details

__all__ = ["FAMILY", "WORK_MODES"]

MAKE = "Bitmain"


# -- identification ----------------------------------------------------------------


def _matches(results: ProbeResults) -> bool:
    if realm(web_reply(results)).lower().startswith("antminer"):
        return True
    text = str(results.get(RPC_VERSION.key, "")).upper()
    return "ANTMINER" in text


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    version_item = probe_item(results, RPC_VERSION.key, "VERSION")
    web = ctx.web(digest=ctx.login(DEFAULT_CREDENTIALS))
    info = await web.get_json("/cgi-bin/get_system_info.cgi")
    model = model_name(info.get("minertype")) or model_name(version_item.get("Type")) or "Antminer"
    blink = await web.request("GET", "/cgi-bin/get_blink_status.cgi")
    backend = LegacyBackend.name if blink.status == 404 else ModernBackend.name
    return FAMILY.identity(MAKE, model, "Stock", backend, **web_details(info, version_item))


FAMILY = Family(
    key="antminer",
    name="Antminer (stock firmware)",
    stock=True,
    probes=(RPC_VERSION, WEB_ROOT),
    matches=_matches,
    identify=_identify,
    backends=(ModernBackend, LegacyBackend),
    default_credentials=DEFAULT_CREDENTIALS,
)
