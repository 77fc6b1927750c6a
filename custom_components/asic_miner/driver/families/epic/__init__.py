"""ePIC PowerPlay ("UMC OS") on Antminer, Whatsminer and ePIC BlockMiner hardware.

PowerPlay speaks **HTTP JSON on TCP 4028**, the port cgminer firmware uses for its
socket API, so the shared cgminer probes get an HTTP error page there. ePIC's own
probe first asks 4028 the cgminer way: a JSON reply is some cgminer, ruled out at
once; an HTTP status line means an HTTP server, which then gets ``GET /summary``.
The web dashboard on port 80 ("Miner Web Dashboard") is a second fingerprint.

``client.py`` talks to the API (the "not ready" quirk, the password per control),
``parse.py`` reads its replies, ``backends.py`` maps them to fields and controls.
"""

from __future__ import annotations

from typing import Any

from ...context import MinerContext
from ...contract import Family, Fingerprint, Probe, ProbeResults
from ...exceptions import MinerConnectionError, MinerResponseError, MinerTimeoutError
from ...gathering import gather_dict
from ...models import MinerIdentity
from .._identity import details_from
from .._probes import WEB_ROOT, web_reply
from .backends import FIRMWARE, PowerPlayBackend
from .client import DEFAULT_CREDENTIALS, api_client, get_json
from .parse import CAPABILITIES, NETWORK_PATH, SUMMARY, first_mac, parse_model, parse_software


async def _api_probe(ctx: MinerContext) -> Any:
    """``/summary`` when 4028 is an HTTP server; ``None`` when it is a cgminer API."""
    try:
        raw = await ctx.rpc().send_raw(b'{"command":"version"}')
    except MinerTimeoutError:
        raise  # silent: the HTTP request would only wait as long again
    except MinerConnectionError:
        raw = b""  # hung up without a word: could be an HTTP server, ask it properly
    if raw and not raw.lstrip().upper().startswith(b"HTTP/"):
        return None  # cgminer answered: not PowerPlay, decided without another request
    client = api_client(ctx)
    reply = await client.request("GET", SUMMARY.path, auth_required=False)
    return reply.json() if reply.status == 200 else None


API_PROBE = Probe("epic_api", _api_probe)


def _api_matches(summary: Any) -> bool:
    if not isinstance(summary, dict):
        return False
    software = str(summary.get("Software", "")).upper()
    if "POWERPLAY" in software or "UMC" in str(summary.get("OS Type", "")).upper():
        return True
    # Not ready yet: the PowerPlay error shape, served over HTTP on the cgminer port.
    return summary.get("result") is False and "error" in summary


def _matches(results: ProbeResults) -> bool:
    if _api_matches(results.get(API_PROBE.key)):
        return True
    reply = web_reply(results)
    return reply is not None and reply.status == 200 and "MINER WEB DASHBOARD" in reply.text.upper()


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    client = api_client(ctx)
    probed = results.get(API_PROBE.key)
    tasks: dict[str, Any] = {
        "capabilities": get_json(client, CAPABILITIES.path),
        "network": get_json(client, NETWORK_PATH),
    }
    if not (isinstance(probed, dict) and "Software" in probed):
        tasks["summary"] = get_json(client, SUMMARY.path)
    got = await gather_dict(tasks)
    capabilities = got["capabilities"]
    if isinstance(capabilities, Exception):
        raise capabilities  # the model comes from here alone
    if not isinstance(capabilities, dict):
        raise MinerResponseError(f"{ctx.host} {CAPABILITIES.path}: not an object")
    summary = got.get("summary", probed)
    summary = summary if isinstance(summary, dict) else {}
    network = got["network"]
    make, model = parse_model(capabilities.get("Model"), capabilities.get("Model Subtype"))
    board = capabilities.get("Control Board Version")
    details = details_from(capabilities, serial="Miner Serial Number")
    details |= details_from(summary, hostname="Hostname")
    details |= details_from(board if isinstance(board, dict) else {}, control_board="cpuHardware")
    details["firmware_version"] = parse_software(summary.get("Software"))
    details["mac"] = None if isinstance(network, Exception) else first_mac(network)
    return FAMILY.identity(make, model, FIRMWARE, PowerPlayBackend.name, **details)


FAMILY = Family(
    name="ePIC PowerPlay",
    recognised_by=Fingerprint((API_PROBE, WEB_ROOT), _matches),
    identify=_identify,
    backends=(PowerPlayBackend,),
    stock=False,
    default_credentials=DEFAULT_CREDENTIALS,
)

__all__ = ["API_PROBE", "FAMILY"]
