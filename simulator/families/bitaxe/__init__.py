"""AxeOS (ESP-Miner) on Bitaxe boards, and the NerdQAxe firmware on a NerdQAxe++.

One web server, no login, JSON under ``/api``. AxeOS releases differ in what they
serve; a Bitaxe runs its model's default release unless ``create(..., release="2.8.0")``
picks another:

* 2.4.5 (Supra): ``/api/system/info`` only; ``asicCount`` there; any unknown path,
  ``/api/system/asic`` included, is a 302 to the captive portal ``/``.
* 2.8.0: ``/api/system/asic`` with the frequency and voltage presets.
* 2.12.0 (Gamma Turbo): ``deviceModel`` and ``asicCount`` move to ``/api/system/asic``,
  ``expectedHashrate`` (GH/s) appears, ``temp2``/``fan2rpm``, ``POST /api/system/identify``.
* 2.14.2 (Gamma): ``POST /api/system/pause`` / ``resume`` and ``miningPaused``; the pause
  lives in RAM, so a restart resumes mining. ``actualFrequency`` beside the setting.

The NerdQAxe++ runs the NerdQAxe firmware (``v2.2.2``): the same legacy ``/api/system``
routes with its own info layout (``deviceModel``, ``asicTemps``, ``fanrpm2``,
``fanCount``, ``shutdown``, fallback state under ``stratum``), every reply with
``Connection: close``, a "Nerd* Dashboard" page, no pause and no identify. With
``create(..., otp=True)`` writes need an ``X-TOTP`` header (401 otherwise).
Setting ``refuse_clients`` makes every ``/api`` path answer 401, as AxeOS does for a
client outside the private networks. Its PATCH
takes only integer numbers for ``frequency``/``coreVoltage`` and ignores anything else.

Quirks reproduced: the web root is served gzip-encoded; hashrates in GH/s; a powered-
down Bitaxe chip (paused) reads -1 °C and 0 mV; PATCH answers an empty 200 (AxeOS:
400 "Wrong API input" for a bad type or range); the MAC is left out when the state's
MAC is empty, as some builds do. The frequency setting is ``state.work_mode`` (MHz as
text) and applies live, as on AxeOS 2.7 and later.
"""

from __future__ import annotations

from ...servers.base import Server
from ...servers.http import HttpServer
from .. import register
from .base import DEVICES, NERD_VERSION, RELEASES, BitaxeBase, Device, Release
from .web import BitaxeWeb


@register
class BitaxeSim(BitaxeWeb):
    """Modules: ``web`` over ``replies`` over ``base`` (releases, boards, physics)."""

    family = "bitaxe"

    def build_servers(self) -> list[Server]:
        return [HttpServer(self.host, self.ports.web, self.state, self.routes)]


__all__ = ["DEVICES", "NERD_VERSION", "RELEASES", "BitaxeBase", "BitaxeSim", "Device", "Release"]
