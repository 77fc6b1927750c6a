"""VNish / AnthillOS on Antminers: bmminer RPC on 4028, the AnthillOS REST API on the web port.

Releases (per model, overridable with ``create(..., release="1.3.4")``):

* ``1.2.x`` (S19 on 1.2.6, S19j Pro on 1.2.7): per-chip data at ``chains``, the locate
  LED at ``find-miner`` (reply ``{"on"}``).
* ``1.3.x`` (S21 on 1.3.4): ``chains`` is gone in favour of ``boards``; ``locate-miner``
  (reply ``{"is_enabled"}``) beside the deprecated ``find-miner`` (``find_miner=False``
  drops the latter, as a later build may); ``mining/throttle`` (the power and so the hashrate follow it live);
  ``miner_status.throttled`` and ``restart_count`` in the summary.

Auth as the OpenAPI document describes it: ``POST /api/v1/unlock {"pw"}`` returns a
token for ``Authorization: Bearer <token>`` (a bare token is refused); a wrong password
is 403; after ``MAX_UNLOCK_FAILURES`` wrong ones every unlock is 429 with
``unlock_timeout`` for ``LOCKOUT_SECONDS``. Tokens expire after ``token_ttl`` seconds
and on reboot. ``info``, ``summary``, ``status``, ``chains``/``boards`` and the LED
actions need no token; settings, presets and every other action do.

Quirks reproduced: the LED actions toggle; ``settings`` POST always answers
``{restart_required, reboot_required}`` and silently ignores an untuned or unknown
preset; presets are named by wattage with the hashrate in the pretty name and its unit
("3250 watt ~ 95 TH", one "... TH LC"); ``power_usage`` carries the efficiency (the
firmware's deprecated alias), the power is ``power_consumption``; temperatures are
integers; the summary lists the firmware's dev-fee pool beside the user's; uptime is
a text like "2 days, 3:07"; RPC ``version``/``stats`` say ``Antminer S19 (Vnish 1.2.6)``
and refuse multicommands, as bmminer does.

Modules: ``rpc`` (4028), ``web`` (routes, unlock, writes) over ``web_reads``; ``base``
holds the presets and what they share.
"""

from __future__ import annotations

from ...models import models_of
from ...servers.base import Server
from .. import register
from .base import LOCKOUT_SECONDS, MAX_UNLOCK_FAILURES, PROFILES, VnishBase, uptime_text
from .rpc import VnishRpc
from .web import VnishWeb


@register
class VnishSim(VnishRpc, VnishWeb):
    family = "vnish"
    models = models_of("vnish")
    firmware_version = models["S19"].firmware

    def build_servers(self) -> list[Server]:
        return self.rpc_and_web(self.handle_rpc, self.routes)


__all__ = [
    "LOCKOUT_SECONDS",
    "MAX_UNLOCK_FAILURES",
    "PROFILES",
    "VnishBase",
    "VnishSim",
    "uptime_text",
]
