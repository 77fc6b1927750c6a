"""Avalon (Canaan) stock firmware: Canaan's cgminer 4.11.1 RPC on 4028, nothing else.

Models, one of each ``estats`` layout:

- ``A1566`` (rack): one flat ``MM ID0`` string, three boards (``MGHS``, ``MTmax``,
  ``PVT_T0..2``), ``WALLPOWER`` beside ``PS[]``, the ``Led`` locate light, ``WORKMODE``
  0 normal / 1 performance.
- ``Nano 3S`` (heater): flat ``MM ID0``, one board, power only in ``PS[6]``, no
  outlet sensor (``OTemp[-273]``), ``WORKMODE`` 0 low / 1 mid / 2 high.
- ``Q`` (home miner): ``MM ID0:Summary`` (``'STATS':{…}``) with the per-chip arrays
  in ``HBinfo`` (``'HB0':{…}``), air in/out of the board (``HBITemp``/``HBOTemp``),
  ``WORKMODE`` 0 eco / 1 standard / 2 super, and no ``version`` ``VERSION`` key (the
  release is in ``LVERSION``/``BVERSION``/``CGVERSION``).

Only the rack model has a locate light (the Q's ``ascset help`` lists no ``led``; the
Nano's ring light is a lamp, set with ``ledset``). The shared state's work modes are
``low``/``normal``/``high``; each profile maps the firmware's numbers onto them.

Quirks reproduced: a NUL after every reply; a bare ``nan`` and ``inf`` in ``devs``
(not JSON) in the first minute after cgminer starts, before the first share (later
replies carry numbers, as the captures taken after minutes of work show); values holding spaces, colons, commas and units in the bracket strings;
``softoff``/``softon`` take ``1:<unix time>`` and act when that time comes (on the
state's clock); ``softon`` hangs up without replying; ``restart`` answers the bare
string ``"RESTART"`` and restarts cgminer (uptime starts over);
``ascset 0,reboot,0`` reboots the unit; ``PS[0]`` carries the power supply's error
bits, from ``state.errors`` entries whose code is one of them.
"""

from __future__ import annotations

from ...servers.base import Server
from ...servers.tcp import RpcServer
from .. import register
from .base import _MODELS, PROFILES, AvalonBase
from .rpc import AvalonRpc


@register
class AvalonSim(AvalonRpc):
    """Modules: ``rpc`` (reads, ``ascset``) over ``estats`` over ``base``."""

    family = "avalon"
    models = _MODELS

    def build_servers(self) -> list[Server]:
        return [RpcServer(self.host, self.ports.rpc, self.state, self.handle_rpc)]


__all__ = ["PROFILES", "AvalonBase", "AvalonSim"]
