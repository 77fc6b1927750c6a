"""Whatsminer edge cases: what a miner owner sees when btminer misbehaves.

The simulator covers the ordinary firmware; the quirks it does not reproduce (API v1
without ``get_miner_info``, a heartbeat frame, a port that accepts and never answers,
replies that are JSON but not the expected shape) are played by tiny loopback servers
written here, each doing one thing wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

import aiohttp
import pytest

from custom_components.asic_miner.driver.collect import extract
from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.contract import Field
from custom_components.asic_miner.driver.exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerNotIdentifiedError,
    MinerResponseError,
    MinerTimeoutError,
    MinerWriteDisabledError,
)
from custom_components.asic_miner.driver.families import whatsminer
from custom_components.asic_miner.driver.families.whatsminer import (
    FAMILY,
    parse_v2,
    parse_v3,
    v2,
    v3,
)
from custom_components.asic_miner.driver.families.whatsminer.client_v2 import (
    WhatsminerV2Client,
    status_code,
)
from custom_components.asic_miner.driver.families.whatsminer.client_v3 import (
    WhatsminerV3Client,
    reply_code,
    reply_text,
)
from custom_components.asic_miner.driver.families.whatsminer.parse import (
    api_version,
    firmware_date,
    parse_model,
    power_limit_range,
)
from custom_components.asic_miner.driver.miner import Miner
from custom_components.asic_miner.driver.models import MinerIdentity, Ports
from custom_components.asic_miner.driver.transports.http import HttpReply
from custom_components.asic_miner.driver.transports.json_scan import is_complete
from custom_components.asic_miner.driver.transports.rpc import RpcClient
from simulator.families.whatsminer import WhatsminerSim
from simulator.faults import Fault, FaultKind
from simulator.servers.tcp import FramedServer
from simulator.whatsminer_crypto import seal, v2_key
from tests.driver.conftest import ALLOWED_HOSTS, DRIVER_PORTS, SimFactory

type Handler = Callable[[dict[str, Any], asyncio.StreamWriter], Awaitable[None]]

SALT = "abcdefgh"
TOKEN_REPLY = json.dumps(
    {
        "STATUS": "S",
        "When": 1,
        "Code": 134,
        "Msg": {"time": "1234", "salt": SALT, "newsalt": "ijklmnop"},
        "Description": "",
    }
).encode()
KEY = v2_key("admin", SALT)  # what the fake miner encrypts with (the default password)


def _flat(status: str, code: int, msg: Any) -> bytes:
    """btminer's flat STATUS envelope."""
    return json.dumps(
        {"STATUS": status, "When": 1, "Code": code, "Msg": msg, "Description": ""}
    ).encode()


def _sealed(reply: Any) -> bytes:
    return json.dumps({"enc": seal(KEY, json.dumps(reply).encode())}).encode()


def _v3_frame(reply: Any) -> bytes:
    body = json.dumps(reply).encode()
    return struct.pack("<I", len(body)) + body


class Loopback:
    """Tiny servers on one loopback address, each answering with a test's handler.

    ``framed`` servers speak the API v3 length prefix; the others read one JSON request
    as btminer does. A handler that must keep its socket open awaits :meth:`hold`.
    """

    def __init__(self) -> None:
        self.host = ""
        self.requests: list[dict[str, Any]] = []
        self._servers: list[asyncio.Server] = []
        self._held: list[socket.socket] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stop = asyncio.Event()

    async def hold(self) -> None:
        await self._stop.wait()

    async def serve(self, handler: Handler, *, framed: bool = False) -> int:
        async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._tasks.add(task)
            try:
                request = await (_read_frame(reader) if framed else _read_json(reader))
                self.requests.append(request)
                await handler(request, writer)
            except OSError, asyncio.IncompleteReadError:
                pass
            finally:
                self._tasks.discard(task)
                writer.close()

        hosts = [self.host] if self.host else random.sample(ALLOWED_HOSTS, 40)
        for host in hosts:
            try:
                server = await asyncio.start_server(session, host, 0)
            except OSError:  # pragma: no cover - another run holds the address
                continue
            self.host = host
            self._servers.append(server)
            return int(server.sockets[0].getsockname()[1])
        raise AssertionError("no free loopback address")  # pragma: no cover

    def refused_port(self) -> int:
        """A port on this address that is bound but not listening: connections are refused."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.host = self.host or random.choice(ALLOWED_HOSTS)
        sock.bind((self.host, 0))
        self._held.append(sock)
        return int(sock.getsockname()[1])

    async def close(self) -> None:
        self._stop.set()
        for server in self._servers:
            server.close()
            server.abort_clients()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()
        for sock in self._held:
            sock.close()


async def _read_json(reader: asyncio.StreamReader) -> dict[str, Any]:
    buf = b""
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            raise asyncio.IncompleteReadError(buf, None)
        buf += chunk
        with contextlib.suppress(ValueError):
            return cast(dict[str, Any], json.loads(buf))


async def _read_frame(reader: asyncio.StreamReader) -> dict[str, Any]:
    (length,) = struct.unpack("<I", await reader.readexactly(4))
    return cast(dict[str, Any], json.loads(await reader.readexactly(length)))


@pytest.fixture
async def fakes() -> AsyncIterator[Loopback]:
    servers = Loopback()
    yield servers
    await servers.close()


def _writes(data: bytes) -> Handler:
    async def handler(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        writer.write(data)
        await writer.drain()

    return handler


def _btminer(answers: dict[str, bytes], privileged: Handler | None = None) -> Handler:
    """A v2 miner: plain commands from ``answers`` ("invalid cmd" otherwise)."""

    async def handler(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        if "enc" in request and privileged is not None:
            await privileged(request, writer)
            return
        reply = answers.get(str(request.get("command")), _flat("E", 14, "invalid cmd"))
        writer.write(reply)
        await writer.drain()

    return handler


def _v2_client(host: str, port: int, *, timeout: float = 2.0, **kwargs: Any) -> WhatsminerV2Client:
    return WhatsminerV2Client(lambda: RpcClient(host, port, timeout=timeout), **kwargs)


async def _start(simulate: SimFactory, model: str, **overrides: Any) -> WhatsminerSim:
    return cast(WhatsminerSim, await simulate("whatsminer", model, **overrides))


def _sim_v2(sim: WhatsminerSim, *, timeout: float = 2.0, **kwargs: Any) -> WhatsminerV2Client:
    return _v2_client(sim.host, DRIVER_PORTS.rpc, timeout=timeout, **kwargs)


# -- API v2 transport: reading ---------------------------------------------------------


def test_escaped_quotes_inside_strings_do_not_end_the_reply() -> None:
    """A pool password or worker name with ``\\"`` in it must not fool the completeness check."""
    assert is_complete(b'{"Msg":{"worker":"farm\\"}{\\"w1"}}')
    assert is_complete(b'{"path":"C:\\\\"}')  # an escaped backslash, then the real quote
    # The quote is escaped, so the string (and the reply) is still open: cut off.
    assert not is_complete(b'{"Msg":"abc\\"}')


def test_status_code_shapes() -> None:
    assert status_code({"STATUS": "E", "Code": 135, "Msg": "check token error"}) == 135
    assert status_code({"STATUS": [{"STATUS": "E", "Code": "23"}]}) == 23
    assert status_code({"STATUS": "E", "Code": "n/a"}) is None  # not a number: no code
    assert status_code({"STATUS": "E", "Code": [1]}) is None
    assert status_code({"STATUS": "E"}) is None
    assert status_code(["STATUS", "E"]) is None
    assert status_code("RESTART") is None


async def test_unknown_command_is_a_response_error(simulate: SimFactory) -> None:
    sim = await _start(simulate, "M30S+")
    with pytest.raises(MinerResponseError, match="invalid cmd"):
        await _sim_v2(sim).read("no_such_command")


async def test_write_api_off_refusing_get_token(fakes: Loopback) -> None:
    """Firmware that refuses the token itself with "can't access write cmd" gets the
    write-API hint, not an authentication error the owner cannot fix with a password."""
    port = await fakes.serve(_btminer({"get_token": _flat("E", 45, "can't access write cmd")}))
    with pytest.raises(MinerWriteDisabledError, match="WhatsMinerTool"):
        await _v2_client(fakes.host, port).write("set_led", {"param": "auto"})


@pytest.mark.parametrize(
    ("reply", "match"),
    [
        (b'{"STATUS":"S","Msg":{"fw_ver":20230803.11.REL}}', "unparseable"),
        (b'[{"STATUS":"S","Msg":"ok"}]', "not an object"),
        (b'{"STATUS":"S","Msg":{"fw_ver":"2023', "incomplete"),
    ],
    ids=["bare-word-value", "list", "cut-off"],
)
async def test_reply_that_is_not_a_usable_object(fakes: Loopback, reply: bytes, match: str) -> None:
    port = await fakes.serve(_writes(reply))
    with pytest.raises(MinerResponseError, match=match):
        await _v2_client(fakes.host, port).read("get_version")


async def test_token_reply_without_salt(fakes: Loopback) -> None:
    port = await fakes.serve(_btminer({"get_token": _flat("S", 134, {"time": "1234"})}))
    client = _v2_client(fakes.host, port)
    with pytest.raises(MinerResponseError, match="salt"):
        await client.write("set_led", {"param": "auto"})
    assert client._token is None


# -- API v2 transport: privileged commands ---------------------------------------------


async def test_refused_value_is_not_an_auth_error(simulate: SimFactory) -> None:
    """btminer refusing a value (code 132) says why; the token stays good for the next write."""
    sim = await _start(simulate, "M30S+")
    client = _sim_v2(sim)
    with pytest.raises(MinerResponseError, match="out of range"):
        await client.write("adjust_power_limit", {"power_limit": "99999"})
    assert client._token is not None
    assert sim.state.power_limit is None
    await client.write("set_led", {"param": "auto"})
    assert sim.tokens_issued == 1


async def test_reboot_drop_after_sending_counts_as_done(simulate: SimFactory) -> None:
    """A miner that resets the connection as it reboots has done what was asked."""
    sim = await _start(simulate, "M30S+")
    client = _sim_v2(sim)
    await client.token()
    sim.state.fault = Fault(FaultKind.RESET)
    assert await client.write("reboot", may_drop=True) is None
    # The same drop on an ordinary command is a failure the owner must see.
    with pytest.raises(MinerConnectionError):
        await client.write("set_led", {"param": "auto"})


async def test_connection_reset_after_sending(fakes: Loopback) -> None:
    """A hard reset once the request is out: success for a reboot, an error otherwise."""

    async def reset(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    port = await fakes.serve(_btminer({"get_token": TOKEN_REPLY}, privileged=reset))
    client = _v2_client(fakes.host, port)
    assert await client.write("reboot", may_drop=True) is None
    with pytest.raises(MinerConnectionError):
        await client.write("set_led", {"param": "auto"})


async def test_refused_connection_is_never_a_successful_reboot(fakes: Loopback) -> None:
    port = await fakes.serve(_btminer({"get_token": TOKEN_REPLY}))
    client = _v2_client(fakes.host, port)
    await client.token()
    client.rpc = lambda: RpcClient(fakes.host, fakes.refused_port(), timeout=2.0)
    with pytest.raises(MinerConnectionError):
        await client.write("reboot", may_drop=True)


async def test_closed_without_reply(fakes: Loopback) -> None:
    async def hang_up(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        return None  # read the request, close without a word

    port = await fakes.serve(_btminer({"get_token": TOKEN_REPLY}, privileged=hang_up))
    client = _v2_client(fakes.host, port)
    assert await client.write("reboot", may_drop=True) is None
    with pytest.raises(MinerConnectionError, match="closed without reply"):
        await client.write("set_led", {"param": "auto"})


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        (FaultKind.SILENCE, MinerTimeoutError),
        (FaultKind.TRUNCATE, MinerResponseError),
        (FaultKind.MALFORMED, MinerResponseError),
    ],
)
async def test_privileged_reply_faults(
    simulate: SimFactory, kind: FaultKind, error: type[Exception]
) -> None:
    """Once the token is held, a write meeting a broken reply fails within one deadline."""
    sim = await _start(simulate, "M30S+")
    client = _sim_v2(sim, timeout=0.5)
    await client.token()
    sim.state.fault = Fault(kind)
    started = time.monotonic()
    with pytest.raises(error):
        await client.write("set_led", {"param": "auto"}, may_drop=True)
    assert time.monotonic() - started < 2.0


async def test_reply_ended_by_nul_with_socket_left_open(fakes: Loopback) -> None:
    """btminer may end a reply with NUL and keep the socket: the write returns at once."""
    ok = {"STATUS": "S", "When": 1, "Code": 131, "Msg": "API command OK", "Description": ""}

    async def nul_then_hold(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        writer.write(_sealed(ok) + b"\x00trailing")
        await writer.drain()
        await fakes.hold()

    port = await fakes.serve(_btminer({"get_token": TOKEN_REPLY}, privileged=nul_then_hold))
    client = _v2_client(fakes.host, port, timeout=3.0)
    started = time.monotonic()
    assert await client.write("set_led", {"param": "auto"}) == ok
    assert time.monotonic() - started < 1.0


async def test_oversized_privileged_reply(simulate: SimFactory) -> None:
    sim = await _start(simulate, "M30S+")
    client = _sim_v2(sim, max_reply_bytes=32)
    with pytest.raises(MinerResponseError, match="larger than 32"):
        await client.write("set_led", {"param": "auto"})


@pytest.mark.parametrize(
    ("reply", "match"),
    [
        (json.dumps({"enc": "not*base64*at*all"}).encode(), "could not be decrypted"),
        (json.dumps({"enc": seal(v2_key("other", SALT), b'{"a":1}')}).encode(), "decrypted"),
        (_sealed(["API command OK"]), "not an object"),
    ],
    ids=["not-base64", "other-key", "list"],
)
async def test_encrypted_reply_that_cannot_be_used(
    fakes: Loopback, reply: bytes, match: str
) -> None:
    port = await fakes.serve(_btminer({"get_token": TOKEN_REPLY}, privileged=_writes(reply)))
    with pytest.raises(MinerResponseError, match=match):
        await _v2_client(fakes.host, port).write("set_led", {"param": "auto"})


# -- API v3 transport -------------------------------------------------------------------


def test_v3_reply_code_and_text() -> None:
    assert reply_code({"code": "0"}) == 0
    assert reply_code({"code": "ok"}) is None
    assert reply_code({"code": None}) is None
    assert reply_code({"msg": "no code"}) is None
    assert reply_code([0]) is None
    assert reply_text({"msg": "invalid token"}) == "invalid token"
    assert reply_text({"msg": {"err": 1}}) == '{"err": 1}'
    assert reply_text(None) == ""


async def test_v3_heartbeat_frames_are_skipped(fakes: Loopback) -> None:
    """Empty frames before the answer are keep-alives, not an empty reply."""

    async def heartbeat_first(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        writer.write(b"\x00\x00\x00\x00" * 2 + _v3_frame({"code": 0, "msg": {"salt": "s4lt"}}))
        await writer.drain()

    port = await fakes.serve(heartbeat_first, framed=True)
    client = WhatsminerV3Client(fakes.host, port, timeout=2.0)
    assert await client.get("get.device.info", "salt") == {"salt": "s4lt"}


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (struct.pack("<I", 9) + b"not json!", "not JSON"),
        (_v3_frame([0, "ok"]), "not an object"),
    ],
)
async def test_v3_reply_that_is_not_an_object(fakes: Loopback, frame: bytes, match: str) -> None:
    port = await fakes.serve(_writes(frame), framed=True)
    with pytest.raises(MinerResponseError, match=match):
        await WhatsminerV3Client(fakes.host, port, timeout=2.0).get("get.device.info")


async def test_v3_read_refused_with_code(simulate: SimFactory) -> None:
    sim = await _start(simulate, "M60S")
    client = WhatsminerV3Client(sim.host, DRIVER_PORTS.whatsminer_v3, timeout=2.0)
    with pytest.raises(MinerResponseError, match=r"invalid param \(code -2\)"):
        await client.get("get.device.info", "nonsense")


def _v3_miner(answers: dict[tuple[str, Any], Any]) -> Handler:
    async def handler(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        key = (str(request.get("cmd")), request.get("param"))
        if key not in answers and key[0].startswith("set."):
            key = (key[0], "*")
        reply = answers.get(key, {"code": -1, "msg": "invalid command"})
        writer.write(_v3_frame(reply))
        await writer.drain()

    return handler


async def test_v3_miner_without_salt(fakes: Loopback) -> None:
    port = await fakes.serve(
        _v3_miner({("get.device.info", "salt"): {"code": 0, "msg": {"salt": ""}}}), framed=True
    )
    client = WhatsminerV3Client(fakes.host, port, timeout=2.0)
    with pytest.raises(MinerResponseError, match="no salt"):
        await client.set("set.system.led", "auto")


async def test_v3_write_disabled_said_in_words(fakes: Loopback) -> None:
    port = await fakes.serve(
        _v3_miner(
            {
                ("get.device.info", "salt"): {"code": 0, "msg": {"salt": "s4lt"}},
                ("set.system.led", "*"): {"code": -4, "msg": "can't access write cmd"},
            }
        ),
        framed=True,
    )
    client = WhatsminerV3Client(fakes.host, port, timeout=2.0)
    with pytest.raises(MinerWriteDisabledError, match="WhatsMinerTool"):
        await client.set("set.system.led", "auto")


async def test_v3_refused_login_when_switch_state_is_unknown(fakes: Loopback) -> None:
    """Firmware that will not report its API switch still gets the password blamed."""
    port = await fakes.serve(
        _v3_miner(
            {
                ("get.device.info", "salt"): {"code": 0, "msg": {"salt": "s4lt"}},
                ("set.system.led", "*"): {"code": -3, "msg": "invalid token"},
            }
        ),
        framed=True,
    )
    client = WhatsminerV3Client(fakes.host, port, timeout=2.0)
    assert await client.write_api_enabled() is None
    with pytest.raises(MinerAuthenticationError, match="super"):
        await client.set("set.system.led", "auto")


async def test_v3_refused_value_is_not_an_auth_error(simulate: SimFactory) -> None:
    sim = await _start(simulate, "M60S")
    client = WhatsminerV3Client(sim.host, DRIVER_PORTS.whatsminer_v3, timeout=2.0)
    with pytest.raises(MinerResponseError, match="out of range"):
        await client.set("set.miner.power_limit", sim.state.spec.max_power + 1000)
    assert sim.state.power_limit is None


# -- identification ---------------------------------------------------------------------


def test_fingerprint_needs_an_https_redirect() -> None:
    def web(status: int, headers: dict[str, str], body: bytes = b"") -> dict[str, Any]:
        return {"web_root": HttpReply(status, headers, body)}

    assert FAMILY.matches(web(307, {"location": "https://127.0.10.5/"}))  # any header case
    assert not FAMILY.matches(web(307, {}))  # a redirect without a target
    assert not FAMILY.matches(web(307, {"Location": "http://127.0.10.5/admin"}))
    assert not FAMILY.matches(web(200, {}, b"<a href='/cgi-bin/luci'>Braiins OS</a>"))
    assert FAMILY.matches({"rpc_version": '{"VERSION":[{"BTMiner":"2.0.5"}]}'})
    assert not FAMILY.matches({"rpc_version": '{"VERSION":[{"CGMiner":"4.9"}]}'})  # no web


def _ctx(
    session: aiohttp.ClientSession, host: str, ports: Ports, timeout: float = 3.0
) -> MinerContext:
    return MinerContext(host, session, ports, timeout=timeout)


async def test_old_firmware_with_silent_4433(
    simulate: SimFactory, session: aiohttp.ClientSession, fakes: Loopback
) -> None:
    """An API v2 miner whose 4433 accepts and never answers is identified by its 4028
    date at once; the silent port costs nothing. Without a devdetails probe result the
    model is asked for again."""
    sim = await _start(simulate, "M30S+")
    fakes.host = sim.host
    silent = await fakes.serve(lambda request, writer: fakes.hold(), framed=True)
    ports = Ports(rpc=DRIVER_PORTS.rpc, web=DRIVER_PORTS.web, whatsminer_v3=silent)
    started = time.monotonic()
    identity = await FAMILY.identify(_ctx(session, sim.host, ports), {})
    assert time.monotonic() - started < 1.5
    assert (identity.model, identity.backend) == ("M30S+", "api_v2")
    assert identity.mac == sim.state.mac


async def test_garbled_devdetails_probe_is_asked_again(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await _start(simulate, "M30S+")
    identity = await FAMILY.identify(
        _ctx(session, sim.host, DRIVER_PORTS), {"rpc_devdetails": "<html>busy</html>"}
    )
    assert identity.model == "M30S+"
    assert identity.supported


async def test_new_firmware_with_silent_4028(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    fakes: Loopback,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A v3 miner whose 4028 hangs is identified after the short grace, not the timeout."""
    monkeypatch.setattr(whatsminer, "V2_GRACE", 0.2)
    sim = await _start(simulate, "M60S")
    fakes.host = sim.host
    silent = await fakes.serve(lambda request, writer: fakes.hold())
    ports = Ports(rpc=silent, web=DRIVER_PORTS.web, whatsminer_v3=DRIVER_PORTS.whatsminer_v3)
    started = time.monotonic()
    identity = await FAMILY.identify(_ctx(session, sim.host, ports, timeout=5.0), {})
    assert time.monotonic() - started < 2.0
    assert (identity.model, identity.backend) == ("M60S", "api_v3")
    assert identity.serial == sim.state.serial


async def test_new_firmware_with_4028_answering_within_grace(
    simulate: SimFactory,
    session: aiohttp.ClientSession,
    fakes: Loopback,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """v3 answers first; 4028 answers a moment later with a v3-era date: still API v3."""
    monkeypatch.setattr(whatsminer, "V2_GRACE", 2.0)
    sim = await _start(simulate, "M60S")
    fakes.host = sim.host

    async def late_version(request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.3)
        writer.write(_flat("S", 131, {"api_ver": "whatsminer v3.0.2", "fw_ver": "20241210.17.Rel"}))
        await writer.drain()

    late = await fakes.serve(late_version)
    ports = Ports(rpc=late, web=DRIVER_PORTS.web, whatsminer_v3=DRIVER_PORTS.whatsminer_v3)
    identity = await FAMILY.identify(_ctx(session, sim.host, ports), {})
    assert (identity.model, identity.backend) == ("M60S", "api_v3")
    assert [r.get("command") for r in fakes.requests] == ["get_version"]


V1_VERSION = _flat("S", 131, {"api_ver": "1.4.0", "fw_ver": "20200917.22.REL", "platform": "H3"})
V1_SUMMARY = json.dumps(
    {
        "STATUS": [{"STATUS": "S", "Msg": "Summary"}],
        "SUMMARY": [{"MHS av": 1.0, "MAC": "C4:08:28:00:AB:CD"}],
    }
).encode()


def _devdetails(model: str | None) -> bytes:
    items = [] if model is None else [{"DEVDETAILS": 0, "Model": model}]
    return json.dumps({"STATUS": [{"STATUS": "S"}], "DEVDETAILS": items}).encode()


async def test_api_v1_firmware_takes_the_mac_from_summary(
    session: aiohttp.ClientSession, fakes: Loopback
) -> None:
    """API v1 has no ``get_miner_info``: the MAC still comes from ``summary``."""
    port = await fakes.serve(
        _btminer(
            {
                "get_version": V1_VERSION,
                "devdetails": _devdetails("M20S_V10"),
                "summary": V1_SUMMARY,
            }
        )
    )
    ports = Ports(rpc=port, whatsminer_v3=fakes.refused_port())
    identity = await FAMILY.identify(_ctx(session, fakes.host, ports), {})
    assert (identity.model, identity.backend) == ("M20S", "api_v1")
    assert identity.mac == "C4:08:28:00:AB:CD"
    assert identity.api_version == "1.4.0"
    assert identity.serial is None  # not invented
    assert identity.control_board == "H3"


@pytest.mark.parametrize(
    ("devdetails", "summary"),
    [
        (None, None),
        (_devdetails(None), json.dumps({"STATUS": [{"STATUS": "S"}], "SUMMARY": {}}).encode()),
    ],
    ids=["both-refused", "both-empty"],
)
async def test_unknown_model_and_no_mac_stay_unknown(
    session: aiohttp.ClientSession,
    fakes: Loopback,
    devdetails: bytes | None,
    summary: bytes | None,
) -> None:
    """Nothing usable in devdetails or summary: a generic, unsupported Whatsminer with no
    MAC, rather than a made-up model or a crash."""
    answers = {"get_version": V1_VERSION}
    for command, reply in (("devdetails", devdetails), ("summary", summary)):
        if reply is not None:
            answers[command] = reply
    port = await fakes.serve(_btminer(answers))
    ports = Ports(rpc=port, whatsminer_v3=fakes.refused_port())
    identity = await FAMILY.identify(_ctx(session, fakes.host, ports), {})
    assert identity.model == "Whatsminer"
    assert identity.supported is False
    assert identity.mac is None


async def test_neither_api_answers(session: aiohttp.ClientSession, fakes: Loopback) -> None:
    """Only the web page looked like a Whatsminer: a clear not-identified error."""
    ports = Ports(rpc=fakes.refused_port(), whatsminer_v3=fakes.refused_port())
    with pytest.raises(MinerNotIdentifiedError, match="neither API v2"):
        await FAMILY.identify(_ctx(session, fakes.host, ports), {})


# -- model and version strings ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "base", "variant"),
    [("M20S_V10", "M20S", "V10"), ("M30S+_V40", "M30S+", "V40"), ("M20P_V30", "M20P", "V30")],
)
def test_variants_without_a_chip_letter(raw: str, base: str, variant: str) -> None:
    """Older boards are named ``V10``..``V90`` with no letter: still only the variant."""
    parsed = parse_model(raw)
    assert parsed is not None
    assert (parsed.base, parsed.variant) == (base, variant)
    if base == "M30S+":  # so the model is found in the hardware table
        assert power_limit_range(parsed.base) is not None


def test_model_strings_that_name_nothing() -> None:
    assert parse_model(None) is None
    assert parse_model("   ") is None
    assert parse_model("_ _") is None
    other = parse_model("WhatsMiner")  # no M-number: kept whole, no variant
    assert other is not None
    assert (other.key, other.base, other.variant) == ("WHATSMINER", "WHATSMINER", None)


def test_versions_that_say_nothing() -> None:
    assert firmware_date(None) is None
    assert api_version(None) is None
    assert api_version("whatsminer v") is None
    assert api_version("Whatsminer v2.0.5") == "2.0.5"


def test_no_power_range_for_an_unknown_model() -> None:
    assert power_limit_range("M999") is None
    bounds = power_limit_range("M30S+")
    assert bounds is not None
    assert bounds.minimum < bounds.maximum


# -- reading odd replies ----------------------------------------------------------------


async def test_v2_replies_in_unusual_shapes(session: aiohttp.ClientSession) -> None:
    """SUMMARY as a bare object still reads; a summary without a hashrate, a status
    whose Msg is text and an empty pool slot give unknowns, never zeros or ghosts."""
    identity = MinerIdentity("MicroBT", "M30S+", "whatsminer", "Stock", "api_v2")
    backend = v2.ApiV2Backend(MinerContext("127.0.10.1", session), identity)
    pools = [
        {"POOL": 1, "URL": "stratum+tcp://main:3333", "Status": "Alive", "User": "w"},
        {"POOL": 2, "URL": "", "Status": "Dead", "User": ""},
    ]
    values = extract(
        backend,
        {
            parse_v2.SUMMARY: {"SUMMARY": {"Elapsed": 120, "Power": 3300}},
            parse_v2.STATUS: {"STATUS": "S", "Msg": "btminer is starting"},
            parse_v2.POOLS: {"POOLS": pools},
        },
    )
    assert values[Field.UPTIME] == 120
    assert values[Field.POWER] == 3300
    assert values[Field.HASHRATE] is None  # no hashrate reported yet: unknown, not 0
    assert values[Field.MINING] is None
    assert [p.url for p in values[Field.POOLS]] == ["stratum+tcp://main:3333"]


async def test_v3_replies_in_unusual_shapes(session: aiohttp.ClientSession) -> None:
    identity = MinerIdentity("MicroBT", "M60S", "whatsminer", "Stock", "api_v3")
    backend = v3.ApiV3Backend(MinerContext("127.0.10.1", session), identity)
    pools = [
        {"id": 0, "url": "", "status": "dead", "pool-priority": 0},
        {"id": 1, "url": "stratum+tcp://b:3333", "status": "alive", "pool-priority": 1},
    ]
    values = extract(
        backend,
        {
            parse_v3.SUMMARY: {"summary": "miner is starting"},
            parse_v3.DEVICE: {"miner": "n/a", "system": {"ledstatus": "auto"}},
            parse_v3.POOLS: {"pools": pools},
        },
    )
    for field in (Field.HASHRATE, Field.POWER, Field.UPTIME, Field.FANS, Field.MINING):
        assert values[field] is None
    assert values[Field.FAULT_LIGHT] is False
    assert [(p.index, p.url) for p in values[Field.POOLS]] == [(0, "stratum+tcp://b:3333")]


# -- API v3: a poll's frames on one connection ------------------------------------------


def _v3_server(sim: WhatsminerSim) -> FramedServer:
    return next(s for s in sim.servers if isinstance(s, FramedServer))


def _record(server: FramedServer, refuse_combined: bool = False) -> list[str]:
    """Log each v3 request as ``cmd|param``; optionally refuse joined status sections."""
    seen: list[str] = []
    answer = server.handler

    async def handler(request: str) -> bytes | None:
        payload = json.loads(request)
        cmd, param = payload.get("cmd"), payload.get("param")
        seen.append(f"{cmd}|{param}" if param is not None else str(cmd))
        if refuse_combined and "+" in str(param):
            return json.dumps({"code": -2, "when": 1, "msg": "invalid param"}).encode()
        return await answer(request)

    server.handler = handler
    return seen


async def _polled_v3(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> tuple[WhatsminerSim, Miner]:
    sim = await _start(simulate, "M60S")
    miner = await Miner.connect(sim.host, session, ports=DRIVER_PORTS)
    assert isinstance(miner.backend, v3.ApiV3Backend)
    return sim, miner


async def test_v3_poll_is_one_connection(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """The status sections come in one request, and the poll's frames share one
    connection: 1 connection and 2 frames per poll (5 connections before), 3 when the
    setting (the work mode, ``SLOW_SOURCES``) is due."""
    sim, miner = await _polled_v3(simulate, session)
    seen = _record(_v3_server(sim))
    backend = cast(v3.ApiV3Backend, miner.backend)
    for setting in (["get.miner.setting"], []):
        seen.clear()
        before = backend.api.connections
        snap = await miner.read()
        assert backend.api.connections - before == 1
        assert seen == ["get.miner.status|summary+edevs+pools", "get.device.info", *setting]
        assert snap.hashrate == pytest.approx(sim.state.hashrate)
        assert snap.boards is not None
        assert len(snap.boards) == len(sim.state.board_hashrates())
        assert snap.pools
        assert snap.work_mode is not None
        assert snap.mining is True


async def test_v3_combined_status_refused_reads_sections_apart(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """A release refusing ``summary+edevs+pools`` costs one more request once, then
    its sections are read one by one, still on one connection."""
    sim, miner = await _polled_v3(simulate, session)
    seen = _record(_v3_server(sim), refuse_combined=True)
    backend = cast(v3.ApiV3Backend, miner.backend)
    first = await miner.read()
    assert not backend.status_combined
    assert seen[0] == "get.miner.status|summary+edevs+pools"
    assert first.hashrate == pytest.approx(sim.state.hashrate)
    assert first.pools
    seen.clear()
    before = backend.api.connections
    snap = await miner.read()
    assert backend.api.connections - before == 1
    assert len(seen) == 4  # the setting is kept a few polls
    assert not any("+" in s for s in seen)
    assert snap.boards
    assert snap.pools
    assert snap.work_mode is not None


async def test_v3_firmware_closing_after_each_frame(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """A release that hangs up after every reply gets a connection per frame, at no
    cost in data: the frame it did not answer goes again on a new connection."""
    sim, miner = await _polled_v3(simulate, session)
    server = _v3_server(sim)

    async def one_frame(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        (length,) = struct.unpack("<I", await reader.readexactly(4))
        await server._answer(writer, (await reader.readexactly(length)).decode())

    server._session = one_frame  # type: ignore[method-assign]
    backend = cast(v3.ApiV3Backend, miner.backend)
    before = backend.api.connections
    first = await miner.read()
    assert backend.api.one_per_connection
    assert backend.api.connections - before == 3  # the unanswered frame goes again
    assert first.hashrate == pytest.approx(sim.state.hashrate)
    assert first.work_mode is not None
    before = backend.api.connections
    assert (await miner.read()).pools
    assert backend.api.connections - before == 2  # the setting is kept a few polls


async def test_v3_silent_miner_costs_one_deadline(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """A miner that accepts the connection and never answers fails the whole poll once."""
    sim, miner = await _polled_v3(simulate, session)
    miner.ctx.timeout = 0.3
    sim.state.fault = Fault(FaultKind.SILENCE)
    start = time.monotonic()
    with pytest.raises(MinerTimeoutError):
        await miner.read()
    assert time.monotonic() - start < 1.5


async def test_v3_slow_frames_keep_what_came_within_the_read(
    simulate: SimFactory, session: aiohttp.ClientSession
) -> None:
    """Frames answered in turn never outlive the read's deadline: the ones that came in
    time are kept, the one cut off leaves its fields unknown."""
    sim, miner = await _polled_v3(simulate, session)
    miner.ctx.timeout = 0.5  # a read may take 1 s
    sim.state.fault = Fault(FaultKind.DELAY, 0.4)
    start = time.monotonic()
    snap = await miner.read()
    assert time.monotonic() - start < 1.4
    assert snap.hashrate == pytest.approx(sim.state.hashrate)  # first frame
    assert snap.work_mode is None  # get.miner.setting came too late


async def test_v3_frames_to_a_closed_port(fakes: Loopback) -> None:
    """Nothing listening: every request of the batch fails alike, after one try."""
    port = fakes.refused_port()
    client = WhatsminerV3Client(fakes.host, port, timeout=1.0)
    results = await client.get_many([("get.device.info", None), ("get.miner.setting", None)])
    assert [type(r) for r in results] == [MinerConnectionError, MinerConnectionError]
    assert client.connections == 1
