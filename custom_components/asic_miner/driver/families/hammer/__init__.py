"""Hammer D10 (Scrypt): a ccminer RPC and an Antminer-clone CGI behind digest auth.

The web UI answers with the digest realm ``blackMiner Configuration`` (VolcMiner shares
it) and its RPC ``version`` names the model (``Hammer D10``, pyasic's capture of the
2023-05-28 firmware). The default login is root / root; a VolcMiner answers the same
realm but wants another password, so it is found and asks for its login. The
package: ``parse`` (sources, extractors, model names), ``backends`` (the one release
known).
"""

from __future__ import annotations

from ...context import MinerContext
from ...contract import Family, ProbeResults
from ...models import MinerIdentity
from ...values import clean_str
from .._cgminer import probe_item
from .._probes import RPC_VERSION, WEB_ROOT, realm, rpc_text, web_reply
from ..antminer.client import DEFAULT_CREDENTIALS
from ..antminer.parse import web_details
from .backends import HammerBackend
from .parse import make_and_model


def _matches(results: ProbeResults) -> bool:
    if realm(web_reply(results)).lower().startswith("blackminer"):
        return True
    return "HAMMER" in rpc_text(results)


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    version_item = probe_item(results, RPC_VERSION.key, "VERSION")
    web = ctx.web(digest=ctx.login(DEFAULT_CREDENTIALS))
    info = await web.get_json("/cgi-bin/get_system_info.cgi")
    make, model = make_and_model(info.get("minertype") or version_item.get("Type"))
    details = web_details(info, version_item)
    # The firmware's build (RPC CompileTime) is what pyasic reports, not the file system's.
    details["firmware_version"] = clean_str(version_item.get("CompileTime")) or details.get(
        "firmware_version"
    )
    return FAMILY.identity(make, model, "Stock", HammerBackend.name, **details)


FAMILY = Family(
    key="hammer",
    name="Hammer (blackMiner web UI)",
    stock=True,
    probes=(RPC_VERSION, WEB_ROOT),
    matches=_matches,
    identify=_identify,
    backends=(HammerBackend,),
    default_credentials=DEFAULT_CREDENTIALS,
)
