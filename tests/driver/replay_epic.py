"""Replay transport for ePIC PowerPlay: HTTP JSON on the cgminer port (4028).

PowerPlay serves its API over HTTP on TCP 4028, where cgminer firmware has its socket
API (protocol reference, §5.3). Entries ``{"http_rpc": "GET /summary", "file": ...}``
work exactly like ``http`` ones (``Http`` in ``replay.py``), on the RPC port instead of
the web port. A cgminer-style JSON request sent there gets aiohttp's own
``400 Bad Request``: an HTTP status line, which is how the driver tells PowerPlay from
cgminer.
"""

from __future__ import annotations

from tests.driver.replay import Http


class HttpOnRpcPort(Http):
    key = "http_rpc"
    port_field = "rpc"
