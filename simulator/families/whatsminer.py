"""Whatsminer (MicroBT) stock firmware: btminer API v1/v2 on 4028, API v3 on 4433.

- ``M20S``: firmware from 2021, API ``whatsminer v1.4.0`` on 4028: no
  ``get_miner_info`` and no ``get_error_code``; the error codes are in ``summary``
  (``Error Code Count``, ``Error Code 0``…), ``status`` says ``btmineroff``.
- ``M30S+``: firmware from 2023, API 2.0.5 on 4028 only; plain reads, privileged
  commands in the encrypted envelope (admin password ``admin``).
- ``M60S``: firmware from December 2024, API 3.0.2 on 4433 (account ``super``,
  password ``super``). Port 4028 still answers the read-only remains (``get_version``,
  ``devdetails``), which pyasic and asic-rs use to tell v3 firmware by its date;
  ``rpc_4028=False`` holds the port closed instead.

cgminer-style reads (``summary``, ``devs``, ``pools``…) combine as ``a+b+c`` on one
connection, as pyasic reads real units; ``get_*`` and ``status`` do not combine.

Both redirect HTTP to HTTPS with a 307 and a LuCI page. Quirks reproduced: the flat
STATUS envelope of ``get_*``, a trailing comma in ``get_miner_info`` and ``devs``, the
firmware version in single quotes in ``summary``, ``Power: -1`` (``power_unknown``),
``factory-hash`` of -0.001 per board (``factory_hash_unknown``) and "can't access
write cmd" when the write API is off (``write_api_enabled=False``). The cryptography
is checked for real, with this package's own implementation.
"""

from __future__ import annotations

import json
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from aiohttp import web

from ..miner import SimMiner, SimPorts
from ..servers.base import Server
from ..servers.http import HttpServer
from ..servers.tcp import FramedServer, RpcServer
from ..state import MinerState, ModelSpec, SimPool
from ..whatsminer_crypto import SALT_CHARS, seal, unseal, v2_key, v2_sign, v3_hash, v3_token
from . import register

TOKEN_SECONDS = 30 * 60 + 60  # a little longer than a client keeps one
MAX_TOKENS = 16
TS_WINDOW = 300  # seconds a v3 write's ts may differ from the miner's clock
ERROR_TIME = "2024-06-15 10:30:00"
_MODES = ("low", "normal", "high")


@dataclass(frozen=True, slots=True)
class _Profile:
    type_name: str  # what btminer calls the model, variant included
    firmware: str
    api: str
    v3: bool
    frequency: int  # MHz per chip at nominal load
    psu: str
    v1: bool = False  # API 1.x: errors in summary, no get_miner_info / get_error_code


PROFILES = {
    "M20S": _Profile("M20S_V10", "20210322.22.REL", "1.4.0", False, 625, "P21", v1=True),
    "M30S+": _Profile("M30S+_VE40", "20230803.11.REL", "2.0.5", False, 595, "P221"),
    "M60S": _Profile("M60S_VK40", "20241210.17.Rel", "3.0.2", True, 625, "P221B"),
}


def _salt() -> str:
    return "".join(secrets.choice(SALT_CHARS) for _ in range(8))


class _HeldPort:
    """A port bound but never listened on: connections are refused, and no other
    simulated miner can take the address (the test runner skips busy addresses)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._sock: socket.socket | None = None

    async def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self._sock = sock

    async def stop(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


@register
class WhatsminerSim(SimMiner):
    family = "whatsminer"
    default_username = "admin"
    default_password = "admin"
    firmware_version = PROFILES["M30S+"].firmware
    models = {
        "M20S": ModelSpec(
            "MicroBT", "M20S", 68.0, 3360, 3360, 3360, boards=3, chips_per_board=105, fans=2
        ),
        "M30S+": ModelSpec(
            "MicroBT", "M30S+", 100.0, 3400, 1500, 3800, boards=3, chips_per_board=215, fans=2
        ),
        "M60S": ModelSpec(
            "MicroBT", "M60S", 186.0, 3441, 1500, 3900, boards=3, chips_per_board=111, fans=2
        ),
    }

    def __init__(self, host: str, state: MinerState, ports: SimPorts | None = None) -> None:
        super().__init__(host, state, ports)
        self.profile = PROFILES[state.spec.model]
        self.write_api_enabled = True
        self.rpc_4028 = True
        self.power_unknown = False
        self.factory_hash_unknown = False
        self.salt = _salt()  # the admin password entry's crypt salt (v2) / API salt (v3)
        self.tokens: dict[str, float] = {}  # v2 host_sign -> valid until (monotonic)
        self.privileged_commands: list[str] = []
        self.tokens_issued = 0

    @classmethod
    def create(
        cls,
        host: str,
        model: str,
        ports: SimPorts | None = None,
        *,
        write_api_enabled: bool = True,
        rpc_4028: bool | None = None,
        power_unknown: bool = False,
        factory_hash_unknown: bool = False,
        **overrides: Any,
    ) -> SimMiner:
        profile = PROFILES[model]
        login = ("super", "super") if profile.v3 else ("admin", "admin")
        defaults = {
            "username": login[0],
            "password": login[1],
            "firmware_version": profile.firmware,
        }
        miner = cast(WhatsminerSim, super().create(host, model, ports, **defaults | overrides))
        miner.write_api_enabled = write_api_enabled
        if rpc_4028 is not None:
            miner.rpc_4028 = rpc_4028
        miner.power_unknown = power_unknown
        miner.factory_hash_unknown = factory_hash_unknown
        return miner

    def build_servers(self) -> list[Server]:
        servers: list[Server] = [HttpServer(self.host, self.ports.web, self.state, self.routes)]
        if self.rpc_4028:
            servers.append(RpcServer(self.host, self.ports.rpc, self.state, self.handle_rpc))
        else:
            servers.append(_HeldPort(self.host, self.ports.rpc))
        if self.profile.v3:
            servers.append(
                FramedServer(self.host, self.ports.whatsminer_v3, self.state, self.handle_v3)
            )
        return servers

    def expire_tokens(self) -> None:
        """Forget every v2 token handed out, as a reboot or a long wait would."""
        self.tokens.clear()

    # -- shared readings -----------------------------------------------------------

    def frequency(self) -> int:
        return self.profile.frequency if self.state.hashing else 0

    def psu_fan(self) -> int:
        return 6300 if self.state.hashing else 2100

    def led_status(self) -> str:
        return "manual" if self.state.fault_light else "auto"

    def pcb_serial(self, board: int) -> str:
        return f"{self.state.serial[-8:]}PCB{board}"

    def chip_temps(self, board: int) -> tuple[float, float, float]:
        top = self.state.chip_temperature(board)
        return (round(top - 6, 1), round(top - 3, 1), top)

    # -- web -----------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self._redirect)

    async def _redirect(self, request: web.Request) -> web.Response:
        body = (
            "<html><head><title>WhatsMiner</title>"
            '<meta http-equiv="refresh" content="0; URL=/cgi-bin/luci" /></head>'
            '<body><a href="/cgi-bin/luci">LuCI - Lua Configuration Interface</a></body></html>'
        )
        return web.Response(
            status=307,
            headers={"Location": f"https://{self.host}/"},
            text=body,
            content_type="text/html",
        )

    # -- API v2 (4028) -------------------------------------------------------------

    async def handle_rpc(self, request: str) -> bytes:
        try:
            payload = json.loads(request)
        except ValueError:
            return self._flat_error(23, "invalid json message")
        if not isinstance(payload, dict):
            return self._flat_error(23, "invalid json message")
        if "enc" in payload:
            if self.profile.v3:
                return self._flat_error(14, "invalid cmd")
            return self._privileged(payload)
        command = str(payload.get("command", payload.get("cmd", "")))
        if "+" in command:
            return self._multicommand(command.split("+"))
        reader = self._readers().get(command)
        if reader is None:
            return self._flat_error(14, "invalid cmd")
        return reader()

    def _readers(self) -> dict[str, Callable[[], bytes]]:
        readers = {
            "get_version": self._get_version,
            "devdetails": self._devdetails,
            "version": self._version,
        }
        if not self.profile.v3:
            readers |= {
                "summary": self._summary,
                "devs": self._devs,
                "edevs": self._devs,
                "pools": self._pools_v2,
                "status": self._status,
                "get_psu": self._psu,
                "get_token": self._get_token,
            }
        if not (self.profile.v3 or self.profile.v1):
            readers |= {"get_miner_info": self._miner_info, "get_error_code": self._error_code}
        return readers

    def _multicommand(self, commands: list[str]) -> bytes:
        """``summary+devs+pools``: each reply whole under its name, as cgminer joins them.

        btminer keeps ``get_*`` and ``status`` apart (their envelope is not cgminer's),
        so a combination naming one of them, or an unknown command, is refused whole.
        """
        readers = self._readers()
        if any(c.startswith("get_") or c == "status" or c not in readers for c in commands):
            return self._flat_error(14, "invalid cmd")
        parts = [f'"{c}":[{readers[c]().decode()}]' for c in dict.fromkeys(commands)]
        return ("{" + ",".join(parts) + ',"id":1}').encode()

    @staticmethod
    def _encode(payload: dict[str, Any]) -> bytes:
        return json.dumps(payload).encode()

    @staticmethod
    def _cg_status(code: int, msg: str) -> list[dict[str, Any]]:
        return [
            {
                "STATUS": "S",
                "When": int(time.time()),
                "Code": code,
                "Msg": msg,
                "Description": "cgminer 4.9.2",
            }
        ]

    @property
    def flat_description(self) -> str:
        """API 1.x names itself in every flat reply; 2.x leaves the field empty."""
        return f"whatsminer v{self.profile.api}" if self.profile.v1 else ""

    def _flat(self, msg: Any, code: int = 131, *, trailing_comma: bool = False) -> bytes:
        body = json.dumps(msg)
        if trailing_comma and body.endswith("}"):
            body = body[:-1] + ",}"  # btminer leaves a comma after the last member
        description = json.dumps(self.flat_description)
        text = (
            f'{{"STATUS":"S","When":{int(time.time())},"Code":{code},"Msg":{body},'
            f'"Description":{description}}}'
        )
        return text.encode()

    @staticmethod
    def _flat_error(code: int, msg: str) -> bytes:
        return json.dumps(
            {"STATUS": "E", "When": int(time.time()), "Code": code, "Msg": msg, "Description": ""}
        ).encode()

    def _get_version(self) -> bytes:
        p = self.profile
        if p.v1:  # 1.x names the API in full and has no platform field
            return self._flat({"api_ver": f"whatsminer v{p.api}", "fw_ver": p.firmware})
        return self._flat({"api_ver": p.api, "fw_ver": p.firmware, "platform": "H616"})

    def _version(self) -> bytes:
        return self._encode(
            {
                "STATUS": self._cg_status(22, "BTMiner versions"),
                "VERSION": [{"BTMiner": self.profile.api, "API": self.profile.api}],
                "id": 1,
            }
        )

    def _devdetails(self) -> bytes:
        details = [
            {
                "DEVDETAILS": i,
                "Name": "SM",
                "ID": i,
                "Driver": "bitmicro",
                "Kernel": "",
                "Model": self.profile.type_name,
            }
            for i in range(self.state.spec.boards)
        ]
        return self._encode(
            {"STATUS": self._cg_status(69, "Device Details"), "DEVDETAILS": details, "id": 1}
        )

    def _summary(self) -> bytes:
        summary = self._summary_v1() if self.profile.v1 else self._summary_v2()
        return self._encode(
            {"STATUS": self._cg_status(11, "Summary"), "SUMMARY": [summary], "id": 1}
        )

    def _summary_v2(self) -> dict[str, Any]:
        s = self.state
        mhs = round(s.hashrate * 1_000_000, 2)
        fans = s.fan_rpms()
        chip = [self.chip_temps(i) for i in range(s.spec.boards)]
        return {
            "Elapsed": s.uptime,
            "MHS av": mhs,
            "MHS 5s": mhs,
            "MHS 1m": mhs,
            "MHS 5m": mhs,
            "MHS 15m": mhs,
            "HS RT": mhs,
            "Accepted": s.shares(0)[0],
            "Rejected": s.shares(0)[1],
            "Best Share": 82000000 if s.hashing else 0,
            "Pool Rejected%": 0.0,
            "Temperature": round(
                sum(s.board_temperature(i) for i in range(s.spec.boards)) / s.spec.boards, 1
            ),
            "freq_avg": self.frequency(),
            "Fan Speed In": fans[0],
            "Fan Speed Out": fans[1],
            "Power": -1 if self.power_unknown else round(s.power),
            "Power Rate": round(s.power / s.hashrate, 2) if s.hashrate else 0,
            "Uptime": s.uptime + 40,
            "Hash Stable": True,
            "Target Freq": self.frequency(),
            "Env Temp": s.environment_temperature,
            "Power Mode": s.work_mode.capitalize(),
            "Factory GHS": round(s.expected_hashrate * 1000),
            "Power Limit": s.effective_power_limit,
            "Chip Temp Min": min(c[0] for c in chip),
            "Chip Temp Max": max(c[2] for c in chip),
            "Chip Temp Avg": round(sum(c[1] for c in chip) / len(chip), 1),
            "Power Fanspeed": self.psu_fan(),
            "Btminer Fast Boot": "disable",
            "Firmware Version": f"'{self.profile.firmware}'",
            "MAC": s.mac,
        }

    def _summary_v1(self) -> dict[str, Any]:
        """API 1.x: the long cgminer summary, error codes counted and numbered in it."""
        s = self.state
        mhs = round(s.hashrate * 1_000_000, 2)
        fans = s.fan_rpms()
        chip = [self.chip_temps(i) for i in range(s.spec.boards)]
        accepted, rejected = s.shares(0)
        summary: dict[str, Any] = {
            "Elapsed": s.uptime,
            "MHS av": mhs,
            "MHS 5s": mhs,
            "MHS 1m": mhs,
            "MHS 5m": mhs,
            "MHS 15m": mhs,
            "HS RT": mhs,
            "Found Blocks": 0,
            "Getworks": s.uptime // 11,
            "Accepted": accepted,
            "Rejected": rejected,
            "Hardware Errors": 0,
            "Utility": round(accepted / max(s.uptime, 1) * 60, 2),
            "Discarded": 0,
            "Stale": 0,
            "Get Failures": 0,
            "Local Work": s.uptime * 7800,
            "Remote Failures": 0,
            "Network Blocks": s.uptime // 600,
            "Total MH": round(mhs * s.uptime, 1),
            "Work Utility": round(mhs / 18300, 2),
            "Difficulty Accepted": float(accepted * 65536),
            "Difficulty Rejected": float(rejected * 65536),
            "Difficulty Stale": 0.0,
            "Best Share": 41127493 if accepted else 0,
            "Temperature": round(
                sum(s.board_temperature(i) for i in range(s.spec.boards)) / s.spec.boards, 1
            ),
            "freq_avg": self.frequency(),
            "Fan Speed In": fans[0],
            "Fan Speed Out": fans[1],
            "Voltage": 1180 if s.hashing else 0,
            "Power": -1 if self.power_unknown else round(s.power),
            "Power_RT": -1 if self.power_unknown else round(s.power),
            "Device Hardware%": 0.0,
            "Device Rejected%": 0.0,
            "Pool Rejected%": 0.0,
            "Pool Stale%": 0.0,
            "Last getwork": 0,
            "Uptime": s.uptime + 40,
            "Chip Data": "HP5A01-19101436   BINV04-192101D",
            "Power Current": round(s.power / 13.1) if s.hashing else 0,
            "Power Fanspeed": self.psu_fan(),
            "Error Code Count": len(s.errors),
        }
        for i, (code, _text) in enumerate(s.errors):
            summary[f"Error Code {i}"] = int(code) if code.isdigit() else code
        summary |= {
            "Factory Error Code Count": 0,
            "Security Mode": 0,
            "Liquid Cooling": False,
            "Hash Stable": True,
            "Hash Stable Cost Seconds": 1538,
            "Hash Deviation%": 0.1061,
            "Target Freq": self.frequency(),
            "Target MHS": round(s.expected_hashrate * 1_000_000 * 0.95),
            "Power Mode": s.work_mode.capitalize(),
            "Firmware Version": f"'{self.profile.firmware}'",
            "CB Platform": "ALLWINNER_H3",
            "CB Version": "V8",
            "MAC": s.mac,
            "Factory GHS": round(s.expected_hashrate * 1000),
            "Power Limit": s.effective_power_limit,
            "Chip Temp Min": min(c[0] for c in chip),
            "Chip Temp Max": max(c[2] for c in chip),
            "Chip Temp Avg": round(sum(c[1] for c in chip) / len(chip), 2),
        }
        return summary

    def _devs(self) -> bytes:
        s = self.state
        fans = s.fan_rpms()
        per_board = s.expected_hashrate * 1000 / s.spec.boards
        devs = []
        for i, rate in enumerate(s.board_hashrates()):
            low, avg, top = self.chip_temps(i)
            mhs = round(rate * 1_000_000, 2)
            devs.append(
                {
                    "ASC": i,
                    "Slot": i,
                    "Name": "SM",
                    "ID": i,
                    "Enabled": "Y",
                    "Status": "Alive",
                    "Temperature": s.board_temperature(i),
                    "Chip Frequency": self.frequency(),
                    "Frequency": float(self.frequency()),
                    "Fan Speed In": fans[0],
                    "Fan Speed Out": fans[1],
                    "MHS av": mhs,
                    "MHS 5s": mhs,
                    "MHS 1m": mhs,
                    "Accepted": s.shares(0)[0] // s.spec.boards,
                    "Rejected": 0,
                    "Device Elapsed": s.uptime,
                    "Effective Chips": s.spec.chips_per_board,
                    "PCB SN": self.pcb_serial(i),
                    "Chip Temp Min": low,
                    "Chip Temp Max": top,
                    "Chip Temp Avg": avg,
                    "Factory GHS": round(per_board),
                }
            )
            if self.profile.v1:  # 1.x: the long cgminer device, no factory figure
                dev = devs[-1]
                for key in ("Factory GHS", "Frequency"):
                    del dev[key]
                dev |= {
                    "MHS 5m": mhs,
                    "MHS 15m": mhs,
                    "Hardware Errors": 0,
                    "Utility": 4.7 if s.hashing else 0.0,
                    "Last Share Pool": 0,
                    "Last Share Time": int(time.time()) if s.hashing else 0,
                    "Total MH": round(mhs * s.uptime, 1),
                    "Diff1 Work": s.uptime * 20,
                    "Difficulty Accepted": float((s.shares(0)[0] // s.spec.boards) * 65536),
                    "Difficulty Rejected": 0.0,
                    "Last Share Difficulty": 65536.0 if s.hashing else 0.0,
                    "Last Valid Work": int(time.time()) if s.hashing else 0,
                    "Device Hardware%": 0.0,
                    "Device Rejected%": 0.0,
                    "Upfreq Complete": 1,
                }
        text = json.dumps(
            {"STATUS": self._cg_status(9, f"{len(devs)} ASC(s)"), "DEVS": devs, "id": 1}
        )
        end = text.rfind("}]")  # btminer leaves a comma after the last board's last member
        return (text[:end] + ",}]" + text[end + 2 :]).encode()

    def _pools_v2(self) -> bytes:
        pools = []
        for i, pool in enumerate(self.state.pools):
            accepted, rejected = self.state.shares(i)
            pools.append(
                {
                    "POOL": i + 1,  # btminer counts pools from 1
                    "URL": pool.url,
                    "Status": "Alive" if pool.alive else "Dead",
                    "Priority": i,
                    "Quota": 1,
                    "Stratum Active": i == 0 and self.state.hashing,
                    "User": pool.user,
                    "Accepted": accepted,
                    "Rejected": rejected,
                    "Get Failures": 0,
                }
            )
            if self.profile.v1:  # 1.x: cgminer's full pool record
                pools[-1] |= {
                    "Long Poll": "N",
                    "Getworks": 950 if accepted else 0,
                    "Works": accepted * 34000,
                    "Discarded": 0,
                    "Stale": 0,
                    "Remote Failures": 0,
                    "Last Share Time": int(time.time()) if accepted else 0,
                    "Diff1 Shares": accepted * 268,
                    "Proxy Type": "",
                    "Proxy": "",
                    "Difficulty Accepted": float(accepted * 65536),
                    "Difficulty Rejected": float(rejected * 65536),
                    "Difficulty Stale": 0.0,
                    "Last Share Difficulty": 65536.0 if accepted else 0.0,
                    "Work Difficulty": 0.0,
                    "Has Stratum": True,
                    "Stratum URL": pool.url.split("://")[-1].rsplit(":", 1)[0],
                    "Stratum Difficulty": 65536.0 if i == 0 and self.state.hashing else 0.0,
                    "Has GBT": False,
                    "Best Share": 41127493 if accepted else 0,
                    "Pool Rejected%": 0.0,
                    "Pool Stale%": 0.0,
                    "Bad Work": 0,
                    "Current Block Height": 920127 if accepted else 0,
                    "Current Block Version": 536870912 if accepted else 0,
                }
        return self._encode(
            {"STATUS": self._cg_status(7, f"{len(pools)} Pool(s)"), "POOLS": pools, "id": 1}
        )

    def _status(self) -> bytes:
        s = self.state
        if self.profile.v1:  # 1.x names the switch after the btminer process
            return self._flat(
                {
                    "btmineroff": "false" if s.mining else "true",
                    "Firmware Version": f"'{self.profile.firmware}'",
                }
            )
        return self._flat(
            {
                "mineroff": "false" if s.mining else "true",
                "mineroff_reason": "" if s.mining else "power_off",
                "mineroff_time": "",
                "FirmwareVersion": f"'{self.profile.firmware}'",
                "power_mode": "",
                "hash_percent": "",
                "power_limit_set": str(s.effective_power_limit),
            }
        )

    def _miner_info(self) -> bytes:
        s = self.state
        return self._flat(
            {
                "ip": self.host,
                "proto": "dhcp",
                "netmask": "255.255.255.0",
                "hostname": s.hostname,
                "mac": s.mac,
                "ledstat": self.led_status(),
                "minersn": s.serial,
            },
            trailing_comma=True,
        )

    def _error_code(self) -> bytes:
        return self._flat({"error_code": [{code: ERROR_TIME} for code, _ in self.state.errors]})

    def _psu(self) -> bytes:
        psu: dict[str, Any] = {"name": self.profile.psu, "model": self.profile.psu}
        if not self.profile.v1:  # 1.x has no PSU fan here (summary's Power Fanspeed has it)
            psu["fan_speed"] = str(self.psu_fan())
        return self._flat(psu | {"hw_version": "", "sw_version": "230208.220429"})

    def _get_token(self) -> bytes:
        now = time.monotonic()
        self.tokens = {sign: until for sign, until in self.tokens.items() if until > now}
        if len(self.tokens) >= MAX_TOKENS:
            return self._flat_error(136, "token over max times")
        clock = f"{int(time.time()) % 10000:04d}"
        newsalt = _salt()
        self.tokens_issued += 1
        self.tokens[v2_sign(self.state.password, self.salt, clock, newsalt)] = now + TOKEN_SECONDS
        return self._flat({"time": clock, "salt": self.salt, "newsalt": newsalt}, code=134)

    def _privileged(self, payload: dict[str, Any]) -> bytes:
        if not self.write_api_enabled:
            return self._flat_error(45, "can't access write cmd")
        key = v2_key(self.state.password, self.salt)
        data = payload.get("data")
        plain = unseal(key, data) if isinstance(data, str) else None
        if plain is None:
            return self._flat_error(137, "base64 decode error")
        try:
            command = json.loads(plain)
        except ValueError:
            return self._flat_error(23, "invalid json message")  # what a wrong key gives
        if not isinstance(command, dict):
            return self._flat_error(23, "invalid json message")
        until = self.tokens.get(str(command.get("token")))
        if until is None or until < time.monotonic():
            return self._flat_error(135, "check token error")
        name = str(command.get("cmd", command.get("command", "")))
        self.privileged_commands.append(name)
        error = self._apply_v2(name, command)
        if error is None:
            reply = {
                "STATUS": "S",
                "When": int(time.time()),
                "Code": 131,
                "Msg": "API command OK",
                "Description": "",
            }
        else:
            reply = {
                "STATUS": "E",
                "When": int(time.time()),
                "Code": 132,
                "Msg": error,
                "Description": "",
            }
        return json.dumps({"enc": seal(key, json.dumps(reply).encode())}).encode()

    def _apply_v2(self, name: str, command: dict[str, Any]) -> str | None:
        """Change the state; return an error text, or ``None`` on success."""
        s = self.state
        if name == "power_off":
            if command.get("respbefore") not in ("true", "false"):
                return 'respbefore must be "true" or "false"'
            s.mining = False
        elif name == "power_on":
            s.mining = True
        elif name == "set_led":
            if command.get("param") == "auto":
                s.fault_light = False
            elif command.get("color") in ("red", "green") and all(
                isinstance(command.get(k), int) for k in ("period", "duration", "start")
            ):
                s.fault_light = True
            else:
                return "invalid led parameters"
        elif name == "adjust_power_limit":
            value = command.get("power_limit")
            if not isinstance(value, str) or not value.isdigit():
                return "power_limit must be a string of digits"
            watts = int(value)
            if not s.spec.min_power <= watts <= s.spec.max_power:
                return "power_limit out of range"
            s.power_limit = watts
            s.reboot()  # btminer restarts the machine to apply a new limit
        elif name in ("set_low_power", "set_normal_power", "set_high_power"):
            s.work_mode = name.split("_")[1]
        elif name == "reboot":
            s.reboot()
        elif name == "restart_btminer":
            s.restart_backend()
        elif name == "update_pools":
            pools = []
            for i in (1, 2, 3):
                url = str(command.get(f"pool{i}", ""))
                if url:
                    pools.append(
                        SimPool(
                            url,
                            str(command.get(f"worker{i}", "")),
                            str(command.get(f"passwd{i}", "")),
                        )
                    )
            s.pools = pools
        else:
            return "invalid cmd"
        return None

    # -- API v3 (4433) -------------------------------------------------------------

    def _v3(self, cmd: str, msg: Any, code: int = 0) -> bytes:
        return json.dumps(
            {"code": code, "when": int(time.time()), "msg": msg, "desc": cmd}
        ).encode()

    async def handle_v3(self, request: str) -> bytes | None:
        try:
            payload = json.loads(request)
        except ValueError:
            return self._v3("", "invalid json", -1)
        if not isinstance(payload, dict):
            return self._v3("", "invalid json", -1)
        cmd = str(payload.get("cmd", ""))
        if cmd.startswith("set."):
            return self._v3_set(cmd, payload)
        param = payload.get("param")
        if cmd == "get.device.info":
            info = self._device_info()
            if param is None:
                return self._v3(cmd, info)
            if param in info:
                return self._v3(cmd, {param: info[param]})
            return self._v3(cmd, "invalid param", -2)
        if cmd == "get.miner.status":
            builders = {
                "summary": self._v3_summary,
                "edevs": self._v3_edevs,
                "pools": self._v3_pools,
            }
            # Several sections joined by "+" answer together (the vendor's API docs).
            sections = str(param).split("+")
            if not all(section in builders for section in sections):
                return self._v3(cmd, "invalid param", -2)
            return self._v3(cmd, {section: builders[section]() for section in sections})
        if cmd == "get.miner.setting":
            return self._v3(
                cmd,
                {
                    "power-limit": self.state.power_limit or 0,
                    "power-mode": self.state.work_mode,
                    "upfreq-speed": 0,
                    "fast-boot": "disable",
                    "target-freq": 100,
                },
            )
        return self._v3(cmd, "invalid command", -1)

    def _device_info(self) -> dict[str, Any]:
        s = self.state
        miner: dict[str, Any] = {
            "type": self.profile.type_name,
            "miner-sn": s.serial,
            "working": "true" if s.mining else "false",
            "board-num": str(s.spec.boards),
            "hash-board": self.profile.type_name.rsplit("_V", 1)[-1],
            "pool-strategy": "FAILOVER",
            "fast-boot": "disable",
            "hash-percent": "0",
        }
        for i in range(s.spec.boards):
            miner[f"pcbsn{i}"] = self.pcb_serial(i)
            miner[f"chipdata{i}"] = "K8EC374-2426 BINVE6-197806A"
        per_board = s.expected_hashrate * 1000 / s.spec.boards
        miner["detect-hash-rate"] = ":".join(str(round(per_board)) for _ in range(s.spec.boards))
        info: dict[str, Any] = {}
        if s.errors:  # the firmware lists error-code only while there are errors
            info["error-code"] = [{code: ERROR_TIME, "reason": text} for code, text in s.errors]
        return info | {
            "miner": miner,
            "system": {
                "api": self.profile.api,
                "fwversion": self.profile.firmware,
                "platform": "H616",
                "control-board-version": "CB6V10",
                "ledstatus": self.led_status(),
                "apiswitch": "1" if self.write_api_enabled else "0",
            },
            "network": {
                "mac": s.mac,
                "hostname": s.hostname,
                "ip": self.host,
                "proto": "dhcp",
                "netmask": "255.255.255.0",
                "dns": "192.0.2.1",
                "gateway": "192.0.2.1",
            },
            "power": {
                "fanspeed": self.psu_fan(),
                "hwversion": "RT0159",
                "mode": "1",
                "model": self.profile.psu,
                "type": self.profile.psu,
                "sn": f"PSU{s.serial[-10:]}",
                "swversion": "230224.220429",
                "vendor": "1",
            },
            "salt": self.salt,
        }

    def _v3_summary(self) -> dict[str, Any]:
        s = self.state
        fans = s.fan_rpms()
        chip = [self.chip_temps(i) for i in range(s.spec.boards)]
        expected = -0.001 * s.spec.boards if self.factory_hash_unknown else s.expected_hashrate
        return {
            "elapsed": s.uptime,
            "bootup-time": s.uptime + 40,
            "hash-realtime": s.hashrate,
            "hash-1min": s.hashrate,
            "hash-15min": s.hashrate,
            "hash-average": s.hashrate,
            "factory-hash": round(expected, 3),
            "power-realtime": s.power,
            "power-5min": s.power,
            "power-limit": s.effective_power_limit,
            "power-rate": round(s.power / s.hashrate, 2) if s.hashrate else 0,
            "environment-temperature": s.environment_temperature,
            "board-temperature": [s.board_temperature(i) for i in range(s.spec.boards)],
            "chip-temp-min": min(c[0] for c in chip),
            "chip-temp-avg": round(sum(c[1] for c in chip) / len(chip), 1),
            "chip-temp-max": max(c[2] for c in chip),
            "fan-speed-in": fans[0],
            "fan-speed-out": fans[1],
            "freq-avg": self.frequency(),
            "up-freq-finish": 1,
        }

    def _v3_edevs(self) -> list[dict[str, Any]]:
        s = self.state
        edevs = []
        for i, rate in enumerate(s.board_hashrates()):
            low, avg, top = self.chip_temps(i)
            edevs.append(
                {
                    "id": i,
                    "hash-realtime": rate,
                    "hash-average": rate,
                    "factory-hash": round(s.expected_hashrate / s.spec.boards, 3),
                    "chip-temp-min": low,
                    "chip-temp-avg": avg,
                    "chip-temp-max": top,
                    "effective-chips": s.spec.chips_per_board,
                    "freq": float(self.frequency()),
                    "status": "alive",
                }
            )
        return edevs

    def _v3_pools(self) -> list[dict[str, Any]]:
        return [
            {
                "id": i,
                "url": pool.url,
                "account": pool.user,
                "status": "alive" if pool.alive else "dead",
                "stratum-active": i == 0 and self.state.hashing,
                "pool-priority": i,
            }
            for i, pool in enumerate(self.state.pools)
        ]

    def _v3_set(self, cmd: str, payload: dict[str, Any]) -> bytes | None:
        s = self.state
        if not self.write_api_enabled:
            return self._v3(cmd, "permission denied", -4)
        ts = payload.get("ts")
        if payload.get("account") != s.username:
            return self._v3(cmd, "invalid account", -3)
        if not isinstance(ts, int) or abs(ts - time.time()) > TS_WINDOW:
            return self._v3(cmd, "token expired", -3)
        if payload.get("token") != v3_token(cmd, s.password, self.salt, ts):
            return self._v3(cmd, "invalid token", -3)
        self.privileged_commands.append(cmd)
        param = payload.get("param")
        if cmd == "set.miner.service":
            if param == "start":
                s.mining = True
            elif param == "stop":
                s.mining = False
            elif param == "restart":
                s.restart_backend()
            else:
                return self._v3(cmd, "invalid param", -2)
        elif cmd == "set.system.led":
            if param == "auto":
                s.fault_light = False
            elif (
                isinstance(param, list)
                and param
                and all(isinstance(p, dict) and p.get("color") in ("red", "green") for p in param)
            ):
                s.fault_light = True
            else:
                return self._v3(cmd, "invalid param", -2)
        elif cmd == "set.miner.power_limit":
            if not isinstance(param, int) or isinstance(param, bool):
                return self._v3(cmd, "invalid param", -2)
            if not s.spec.min_power <= param <= s.spec.max_power:
                return self._v3(cmd, "power limit out of range", -2)
            s.power_limit = param
        elif cmd == "set.miner.power_mode":
            if param not in _MODES:
                return self._v3(cmd, "invalid param", -2)
            s.work_mode = str(param)
        elif cmd == "set.system.reboot":
            s.reboot()
            return None  # the firmware goes down before it answers
        elif cmd == "set.miner.pools":
            plain = unseal(v3_hash(cmd, s.password, self.salt, ts), str(param))
            try:
                pools = json.loads(plain) if plain is not None else None
            except ValueError:
                pools = None
            if not isinstance(pools, list) or not all(isinstance(p, dict) for p in pools):
                return self._v3(cmd, "invalid param", -2)
            s.pools = [
                SimPool(str(p.get("pool", "")), str(p.get("worker", "")), str(p.get("passwd", "")))
                for p in pools
                if p.get("pool")
            ]
        else:
            return self._v3(cmd, "invalid command", -1)
        return self._v3(cmd, "ok")
