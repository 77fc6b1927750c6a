"""A simulated fleet in its own process, counting what every miner is asked.

    python benchmarks/_fleet.py FLEET.toml [--web-port N ...]

Runs beside a benchmark so the scanner's CPU time is not mixed with the simulator's.
Counts, per miner and port, the TCP connections accepted (RPC, v3 and HTTP alike, a
bare connect from a sweep included) and the requests answered (one per RPC connection,
one per HTTP request, one per v3 frame). Talks over stdin/stdout, one line each:

    -> {"ready": [miner descriptions]}        once every server listens
    <- counts                                  -> {"host": {"connections": {port: n}, "requests": {port: n}}}
    <- reset                                   -> {"reset": true}
    <- cpu                                     -> {"cpu": seconds of CPU used so far}
    <- quit                                    (stops the fleet and exits)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402
from aiohttp.web_protocol import RequestHandler  # noqa: E402

from simulator.fleet import Fleet  # noqa: E402
from simulator.miner import SimMiner, SimPorts  # noqa: E402
from simulator.servers.http import HttpServer  # noqa: E402
from simulator.servers.tcp import _TcpServer  # noqa: E402

type Key = tuple[str, int]  # (host, port)

CONNECTIONS: Counter[Key] = Counter()
REQUESTS: Counter[Key] = Counter()


def _count_connections() -> None:
    """Count every accepted connection by the server address it arrived on."""
    for cls in (asyncio.StreamReaderProtocol, RequestHandler):
        original = cls.connection_made

        def connection_made(self: Any, transport: Any, _original: Any = original) -> None:
            sockname = transport.get_extra_info("sockname")
            if sockname:
                CONNECTIONS[(sockname[0], sockname[1])] += 1
            _original(self, transport)

        cls.connection_made = connection_made  # type: ignore[method-assign]


def _instrument(miner: SimMiner) -> None:
    """Wrap the miner's servers as they are built: count requests per port."""
    build = miner.build_servers

    def build_servers() -> list[Any]:
        servers = build()
        for server in servers:
            if isinstance(server, HttpServer):
                key = (server.host, server.port)
                server.app.middlewares.append(_http_counter(key))
            elif isinstance(server, _TcpServer):
                key = (server.host, server.port)
                server.handler = _tcp_counter(key, server.handler)
        return servers

    miner.build_servers = build_servers  # type: ignore[method-assign]


def _http_counter(key: Key) -> Any:
    @web.middleware
    async def counter(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        REQUESTS[key] += 1
        return await handler(request)

    return counter


def _tcp_counter(
    key: Key, handler: Callable[[str], Awaitable[bytes | None]]
) -> Callable[[str], Awaitable[bytes | None]]:
    async def counted(request: str) -> bytes | None:
        REQUESTS[key] += 1
        return await handler(request)

    return counted


def _counts(hosts: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {h: {"connections": {}, "requests": {}} for h in hosts}
    for (host, port), n in CONNECTIONS.items():
        if host in out:
            out[host]["connections"][str(port)] = n
    for (host, port), n in REQUESTS.items():
        if host in out:
            out[host]["requests"][str(port)] = n
    return out


async def _serve(path: str, overrides: dict[str, int]) -> None:
    import tomllib

    data = tomllib.loads(await asyncio.to_thread(Path(path).read_text))
    ports = SimPorts(**{**data.get("ports", {}), **overrides})
    fleet = Fleet.from_dict(data, ports)
    for miner in fleet.miners:
        _instrument(miner)
    _count_connections()
    await fleet.start()
    hosts = [m.host for m in fleet.miners]
    print(json.dumps({"ready": [m.describe() for m in fleet.miners]}), flush=True)
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            command = line.strip()
            if command in ("", "quit"):
                break
            if command == "counts":
                print(json.dumps(_counts(hosts)), flush=True)
            elif command == "cpu":
                usage = resource.getrusage(resource.RUSAGE_SELF)
                print(json.dumps({"cpu": usage.ru_utime + usage.ru_stime}), flush=True)
            elif command == "reset":
                CONNECTIONS.clear()
                REQUESTS.clear()
                print(json.dumps({"reset": True}), flush=True)
            else:
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
    finally:
        await fleet.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fleet")
    for name in ("rpc", "web", "https", "whatsminer-v3"):
        parser.add_argument(f"--{name}-port", type=int)
    args = parser.parse_args()
    overrides = {
        key: value
        for key, value in {
            "rpc": args.rpc_port,
            "web": args.web_port,
            "https": args.https_port,
            "whatsminer_v3": args.whatsminer_v3_port,
        }.items()
        if value is not None
    }
    asyncio.run(_serve(args.fleet, overrides))
    return 0


if __name__ == "__main__":
    sys.exit(main())
