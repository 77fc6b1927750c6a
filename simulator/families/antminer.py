"""Stock Antminer firmware: bmminer RPC on 4028 and lighttpd CGI behind digest auth.

Modern models (S19, S21) serve the X19 web UI; S9-era models serve the old one
(form-encoded blink, no work modes). Quirks reproduced: NUL-terminated replies,
numbers as strings, an empty fourth chain slot, multicommands refused, and on the S9
the missing comma between STATS items.
"""

from __future__ import annotations

import json
import time
from typing import Any

from aiohttp import web

from ..miner import SimMiner
from ..servers.base import Server
from ..servers.http import DigestGuard, HttpServer
from ..servers.tcp import RpcServer
from ..state import ModelSpec
from . import register

REALM = "antMiner Configuration"
_MODES = {"normal": 0, "sleep": 1, "high": 2, "low": 3}
_MODE_NAMES = {v: k for k, v in _MODES.items()}
LEGACY_MODELS = {"S9"}


def _status(msg: str, code: int = 0, letter: str = "S") -> list[dict[str, Any]]:
    return [
        {
            "STATUS": letter,
            "When": int(time.time()),
            "Code": code,
            "Msg": msg,
            "Description": "bmminer 1.0.0",
        }
    ]


@register
class AntminerSim(SimMiner):
    family = "antminer"
    firmware_version = "Antminer-S19-20230731"
    models = {
        "S19 Pro": ModelSpec(
            "Bitmain", "S19 Pro", 110.0, 3250, 1400, 3600, boards=3, chips_per_board=114, fans=4
        ),
        "S21": ModelSpec(
            "Bitmain", "S21", 200.0, 3500, 1600, 4000, boards=3, chips_per_board=108, fans=4
        ),
        "S9": ModelSpec(
            "Bitmain", "S9", 13.5, 1323, 600, 1500, boards=3, chips_per_board=63, fans=2
        ),
    }

    @property
    def legacy(self) -> bool:
        return self.state.spec.model in LEGACY_MODELS

    def build_servers(self) -> list[Server]:
        return [
            RpcServer(self.host, self.ports.rpc, self.state, self.handle_rpc),
            HttpServer(self.host, self.ports.web, self.state, self.routes),
        ]

    # -- RPC -----------------------------------------------------------------------

    async def handle_rpc(self, request: str) -> bytes:
        try:
            command = str(json.loads(request).get("command", ""))
        except ValueError:
            return self._encode({"STATUS": _status("Invalid JSON", 23, "E"), "id": 1})
        if "+" in command:  # stock bmminer refuses multicommands
            return self._encode({"STATUS": _status("Invalid command", 14, "E"), "id": 1})
        builder = {
            "version": self._version,
            "summary": self._summary,
            "stats": self._stats,
            "pools": self._pools,
        }.get(command)
        if builder is None:
            return self._encode({"STATUS": _status("Invalid command", 14, "E"), "id": 1})
        return builder()

    def _encode(self, payload: dict[str, Any]) -> bytes:
        return json.dumps(payload).encode() + b"\x00"

    def _type(self) -> str:
        return f"Antminer {self.state.spec.model}"

    def _version(self) -> bytes:
        return self._encode(
            {
                "STATUS": _status("BMMiner versions", 22),
                "VERSION": [
                    {
                        "BMMiner": "1.0.0",
                        "API": "3.1",
                        "Miner": "uart_trans.1.3",
                        "CompileTime": "Mon Jul 31 16:12:30 CST 2023",
                        "Type": self._type(),
                    }
                ],
                "id": 1,
            }
        )

    def _summary(self) -> bytes:
        s = self.state
        ghs = round(s.hashrate * 1000, 2)
        return self._encode(
            {
                "STATUS": _status("Summary", 11),
                "SUMMARY": [
                    {
                        "Elapsed": s.uptime,
                        "GHS 5s": f"{ghs:.2f}",
                        "GHS av": ghs,
                        "Found Blocks": 0,
                        "Accepted": s.shares(0)[0],
                        "Rejected": s.shares(0)[1],
                        "Hardware Errors": 0,
                    }
                ],
                "id": 1,
            }
        )

    def _stats(self) -> bytes:
        s = self.state
        spec = s.spec
        info: dict[str, Any] = {
            "STATS": 0,
            "ID": "BC50",
            "Elapsed": s.uptime,
            "GHS 5s": f"{s.hashrate * 1000:.2f}",
            "rate_unit": "GH",
            "total_rateideal": spec.nominal_hashrate * 1000,
            "total_rate": round(s.hashrate * 1000, 2),
            "fan_num": spec.fans,
            "chain_num": spec.boards,
        }
        first_fan = 1
        for i, rpm in enumerate(s.fan_rpms()):
            info[f"fan{first_fan + i}"] = rpm
        first_chain = 6 if self.legacy else 1
        for i, rate in enumerate(s.board_hashrates()):
            slot = first_chain + i
            chip = s.chip_temperature(i)
            pcb = s.board_temperature(i)
            info[f"chain_acn{slot}"] = spec.chips_per_board
            info[f"chain_rate{slot}"] = f"{rate * 1000:.2f}"
            info[f"temp{slot}"] = int(pcb) if self.legacy else pcb
            info[f"temp2_{slot}"] = int(chip) if self.legacy else chip
            info[f"temp_pcb{slot}"] = f"{pcb:g}-{pcb:g}-{pcb - 2:g}-{pcb - 2:g}"
            info[f"temp_chip{slot}"] = f"{chip - 3:g}-{chip - 3:g}-{chip:g}-{chip:g}"
        if not self.legacy:  # X19 lists a fourth, empty slot
            slot = first_chain + spec.boards
            info[f"chain_acn{slot}"] = 0
            info[f"chain_rate{slot}"] = ""
        head = {
            "BMMiner": "1.0.0",
            "Miner": "uart_trans.1.3",
            "CompileTime": "2023",
            "Type": self._type(),
        }
        if self.legacy:
            # The S9 forgets the comma between the two STATS items.
            text = (
                '{"STATUS":'
                + json.dumps(_status("CGMiner stats", 70))
                + ',"STATS":['
                + json.dumps(head)
                + json.dumps(info)
                + '],"id":1}'
            )
            return text.encode() + b"\x00"
        return self._encode(
            {"STATUS": _status("CGMiner stats", 70), "STATS": [head, info], "id": 1}
        )

    def _pools(self) -> bytes:
        pools = []
        for i, pool in enumerate(self.state.pools):
            accepted, rejected = self.state.shares(i)
            pools.append(
                {
                    "POOL": i,
                    "URL": pool.url,
                    "Status": "Alive" if pool.alive else "Dead",
                    "Priority": i,
                    "Stratum Active": i == 0 and self.state.hashing,
                    "User": pool.user,
                    "Accepted": accepted,
                    "Rejected": rejected,
                    "Get Failures": 0,
                }
            )
        return self._encode(
            {"STATUS": _status(f"{len(pools)} Pool(s)", 7), "POOLS": pools, "id": 1}
        )

    # -- web -----------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        guard = DigestGuard(REALM, self.state)

        def protected(handler: Any) -> Any:
            async def wrapped(request: web.Request) -> web.StreamResponse:
                if not guard.check(request):
                    return guard.challenge()
                return await handler(request)

            return wrapped

        app.router.add_route("*", "/", protected(self._root))
        app.router.add_get("/cgi-bin/get_system_info.cgi", protected(self._system_info))
        app.router.add_get("/cgi-bin/get_miner_conf.cgi", protected(self._get_conf))
        app.router.add_post("/cgi-bin/reboot.cgi", protected(self._reboot))
        app.router.add_get("/cgi-bin/reboot.cgi", protected(self._reboot))
        if self.legacy:
            app.router.add_post("/cgi-bin/blink.cgi", protected(self._legacy_blink))
        else:
            app.router.add_get("/cgi-bin/get_blink_status.cgi", protected(self._blink_status))
            app.router.add_post("/cgi-bin/blink.cgi", protected(self._blink))
            app.router.add_post("/cgi-bin/set_miner_conf.cgi", protected(self._set_conf))
            app.router.add_get("/cgi-bin/summary.cgi", protected(self._web_summary))

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text="<html><title>Antminer</title></html>", content_type="text/html")

    async def _system_info(self, request: web.Request) -> web.Response:
        s = self.state
        return web.json_response(
            {
                "minertype": self._type(),
                "nettype": "DHCP",
                "netdevice": "eth0",
                "macaddr": s.mac,
                "hostname": s.hostname,
                "ipaddress": self.host,
                "serinum": s.serial,
                "system_mode": "GNU/Linux",
                "system_kernel_version": "Linux 4.9.38",
                "system_filesystem_version": s.firmware_version,
                "firmware_type": "Release",
            }
        )

    def _conf(self) -> dict[str, Any]:
        s = self.state
        mode = 1 if not s.mining else _MODES.get(s.work_mode, 0)
        return {
            "pools": [{"url": p.url, "user": p.user, "pass": p.password} for p in s.pools],
            "api-listen": True,
            "api-network": True,
            "api-allow": "A:0/0,W:*",
            "bitmain-fan-ctrl": False,
            "bitmain-fan-pwm": "100",
            "freq-level": "100",
            "bitmain-work-mode": str(mode),
            "miner-mode": mode,
        }

    async def _get_conf(self, request: web.Request) -> web.Response:
        return web.json_response(self._conf())

    async def _set_conf(self, request: web.Request) -> web.Response:
        from ..state import SimPool

        body = await request.json()
        s = self.state
        # Like the real CGI: whatever is not sent is reset.
        pools = [p for p in body.get("pools", []) if p.get("url")]
        s.pools = [SimPool(p["url"], p.get("user", ""), p.get("pass", "")) for p in pools]
        mode = int(body.get("miner-mode", body.get("bitmain-work-mode", 0)))
        s.mining = mode != 1
        if mode != 1:
            s.work_mode = _MODE_NAMES.get(mode, "normal")
        return web.json_response({"stats": "success", "code": "M000", "msg": "OK!"})

    async def _blink_status(self, request: web.Request) -> web.Response:
        return web.json_response({"blink": self.state.fault_light})

    async def _blink(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.state.fault_light = str(body.get("blink")).lower() == "true"
        return web.json_response({"code": "B000" if self.state.fault_light else "B100"})

    async def _legacy_blink(self, request: web.Request) -> web.Response:
        form = await request.post()
        action = form.get("action")
        if action == "startBlink":
            self.state.fault_light = True
        elif action == "stopBlink":
            self.state.fault_light = False
        return web.json_response({"isBlinking": self.state.fault_light})

    async def _reboot(self, request: web.Request) -> web.Response:
        self.state.reboot()
        return web.json_response({"code": "R000"})

    async def _web_summary(self, request: web.Request) -> web.Response:
        status = [{"type": "rate", "status": "s", "code": 0, "msg": ""}]
        for code, msg in self.state.errors:
            status.append({"type": "error", "status": "e", "code": code, "msg": msg})
        return web.json_response(
            {
                "STATUS": {
                    "STATUS": "S",
                    "when": int(time.time()),
                    "Msg": "summary",
                    "api_version": "1.0.0",
                },
                "INFO": {
                    "miner_version": "uart_trans.1.3",
                    "CompileTime": "Mon Jul 31 16:12:30 CST 2023",
                    "type": self._type(),
                },
                "SUMMARY": [
                    {
                        "elapsed": self.state.uptime,
                        "rate_5s": self.state.hashrate * 1000,
                        "status": status,
                    }
                ],
            }
        )
