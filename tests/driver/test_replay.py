"""The replay server itself: it must answer exactly as the manifest and real firmware say."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import aiohttp
import pytest

from custom_components.asic_miner.driver.exceptions import MinerConnectionError
from custom_components.asic_miner.driver.transports.rpc import RpcClient
from tests.driver.replay import Fixture, ReplayServer
from tests.driver.shape import shape_differences
from tests.simhelpers import ALLOWED_HOSTS

SUMMARY = b'{"STATUS":[{"STATUS":"S","Code":11}],"SUMMARY":[{"Elapsed":5,}],"id":1}\x00'
INVALID = b'{"STATUS":[{"STATUS":"E","Code":14,"Msg":"Invalid command"}],"id":1}\x00'


def _fixture(tmp_path: Path, transports: dict[str, object], replies: list[object]) -> Fixture:
    (tmp_path / "summary.json").write_bytes(SUMMARY)
    (tmp_path / "pools.json").write_bytes(b'{"POOLS":[],"id":1}')
    (tmp_path / "invalid.json").write_bytes(INVALID)
    manifest = {"family": "x", "transports": transports, "replies": replies, "expected": {}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return Fixture.load(tmp_path)


async def _raw(host: str, port: int, payload: bytes) -> bytes:
    return await RpcClient(host, port, timeout=2).send_raw(payload)


async def test_rpc_replies_verbatim_multicommand_and_refusal(tmp_path: Path) -> None:
    fixture = _fixture(
        tmp_path,
        {"rpc": {"multicommand": True, "invalid": "invalid.json"}},
        [{"rpc": "pools", "file": "pools.json"}, {"rpc": "summary", "file": "summary.json"}],
    )
    async with ReplayServer(fixture, random.choice(ALLOWED_HOSTS)) as server:
        host, port = server.host, server.ports.rpc
        # Byte for byte, trailing comma and NUL included.
        assert await _raw(host, port, b'{"command":"summary"}') == SUMMARY.rstrip(b"\x00")
        assert await _raw(host, port, b"summary|") == SUMMARY.rstrip(b"\x00")
        combined = json.loads(await _raw(host, port, b'{"command":"pools+stats"}'))
        assert combined["pools"] == [{"POOLS": [], "id": 1}]
        assert combined["stats"][0]["STATUS"][0]["Msg"] == "Invalid command"
        assert b"Invalid command" in await _raw(host, port, b'{"command":"devs"}')
        assert server.log.unanswered == [("rpc", "stats"), ("rpc", "devs")]
        assert server.log.connections["rpc"] == 4
        # Transports the manifest does not use refuse connections like a closed port.
        with pytest.raises(MinerConnectionError):
            await _raw(host, server.ports.whatsminer_v3, b"{}")


async def test_rpc_without_multicommand_or_refusal(tmp_path: Path) -> None:
    fixture = _fixture(
        tmp_path, {"rpc": {"multicommand": False}}, [{"rpc": "pools", "file": "pools.json"}]
    )
    async with ReplayServer(fixture, random.choice(ALLOWED_HOSTS)) as server:
        with pytest.raises(MinerConnectionError):  # closed without a reply
            await _raw(server.host, server.ports.rpc, b'{"command":"pools+summary"}')


async def test_http_and_https(tmp_path: Path, session: aiohttp.ClientSession) -> None:
    fixture = _fixture(
        tmp_path,
        {"http": {"unknown": {"close": True}}},
        [
            {"http": "POST /graphql", "body_contains": ["modelName"], "body": {"data": 1}},
            {"http": "POST /graphql", "body": {"data": 2}, "headers": {"Set-Cookie": "s=1"}},
            {"http": "GET /x", "query": "a=1", "status": 418, "body": "teapot"},
            {"https": "GET /secure", "file": "pools.json"},
        ],
    )
    async with ReplayServer(fixture, random.choice(ALLOWED_HOSTS)) as server:
        base = f"http://{server.host}:{server.ports.web}"
        async with session.post(f"{base}/graphql", json={"query": "{ modelName }"}) as resp:
            assert await resp.json() == {"data": 1}
        async with session.post(f"{base}/graphql", json={"query": "{ other }"}) as resp:
            assert await resp.json() == {"data": 2}
            assert resp.headers["Set-Cookie"] == "s=1"
        async with session.get(f"{base}/x?a=1") as resp:
            assert (resp.status, await resp.text()) == (418, "teapot")
        with pytest.raises(aiohttp.ClientError):
            async with session.get(f"{base}/x?a=2") as resp:  # unknown: connection dropped
                await resp.read()
        secure = f"https://{server.host}:{server.ports.https}/secure"
        async with session.get(secure, ssl=False) as resp:
            assert await resp.json() == {"POOLS": [], "id": 1}
        await asyncio.sleep(0)
    assert ("http", "GET /x") in server.log.unanswered


def test_shape_rules() -> None:
    real = {"a": 1.5, "b": [{"c": "x"}, {"d": 1}], "n": None, "s": "t"}
    assert (
        shape_differences(real, {"a": 2, "b": [{"c": "y"}, {"d": 2}, {"d": 3}], "n": 5, "s": None})
        == []
    )
    problems = shape_differences(real, {"a": "1.5", "b": [{"c": 1}], "n": 1, "s": "t", "e": 1})
    assert problems == [
        "$: simulator adds ['e']",
        "$.a: string in the simulator, number in the capture",
        "$.b[].c: number in the simulator, string in the capture",
    ]
    assert shape_differences(real, {"b": []}, ignore=frozenset({"$.a", "$.n", "$.s"})) == []
