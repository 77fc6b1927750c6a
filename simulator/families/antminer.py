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

from .. import cgminer
from ..cgminer import PoolRow
from ..miner import SimMiner
from ..models import ANTMINER_S9_BUILD, ANTMINER_X19_BUILD, models_of
from ..servers.base import Server
from ..servers.http import DigestGuard
from . import register

REALM = "antMiner Configuration"
DESCRIPTION = "cgminer 1.0.0"
_MODES = {"normal": 0, "sleep": 1, "high": 2, "low": 3}
_MODE_NAMES = {v: k for k, v in _MODES.items()}
LEGACY_MODELS = {"S9"}
# bmminer's build date, by model (the X19 web UI and RPC print the same string).
COMPILE_TIMES = {"S9": ANTMINER_S9_BUILD, "S21": "Thu Oct  9 15:20:41 CST 2025"}


def _refusal(msg: str, code: int) -> bytes:
    return cgminer.encode(cgminer.error(msg, code, DESCRIPTION))


def _pool_extra(row: PoolRow) -> dict[str, Any]:
    accepted, rejected = row.accepted, row.rejected
    return {
        "Priority": row.index,
        "Get Failures": 0,
        "Quota": 1,
        "Long Poll": "N",
        "Getworks": accepted,
        "Discarded": 0,
        "Stale": 0,
        "Remote Failures": 0,
        "Last Share Time": "0:00:05" if accepted else "0",
        "Diff": "524K" if accepted else "",
        "Diff1 Shares": 0,
        "Proxy Type": "",
        "Proxy": "",
        "Difficulty Accepted": float(accepted * 65536),
        "Difficulty Rejected": float(rejected * 65536),
        "Difficulty Stale": 0.0,
        "Last Share Difficulty": 65536.0 if accepted else 0.0,
        "Has Stratum": True,
        "Stratum URL": row.pool.url.split("://")[-1].split(":")[0] if row.index == 0 else "",
        "Has GBT": False,
        "Best Share": 0.0,
        "Pool Rejected%": 0.0,
        "Pool Stale%%": 0.0,
    }


@register
class AntminerSim(SimMiner):
    family = "antminer"
    firmware_version = ANTMINER_X19_BUILD
    models = models_of("antminer")

    @property
    def legacy(self) -> bool:
        return self.state.spec.model in LEGACY_MODELS

    def build_servers(self) -> list[Server]:
        return self.rpc_and_web(self.handle_rpc, self.routes)

    # -- RPC -----------------------------------------------------------------------

    async def handle_rpc(self, request: str) -> bytes:
        parsed = cgminer.parse_request(request)
        if parsed is None:
            return _refusal("Invalid JSON", cgminer.INVALID_JSON)
        builder = {
            "version": self._version,
            "summary": self._summary,
            "stats": self._stats,
            "pools": self._pools,
            "devs": self._devs,
        }.get(parsed.command)  # stock bmminer refuses `a+b` multicommands too
        if builder is None:
            return _refusal("Invalid command", cgminer.INVALID_COMMAND)
        return builder()

    def _encode(self, payload: dict[str, Any]) -> bytes:
        return cgminer.encode(payload)

    def _type(self) -> str:
        return f"Antminer {self.state.spec.model}"

    @property
    def compile_time(self) -> str:
        return COMPILE_TIMES.get(self.state.spec.model, ANTMINER_X19_BUILD)

    def _version(self) -> bytes:
        item = {
            "BMMiner": "1.0.0",
            "API": "3.1",
            "Miner": "uart_trans.1.3",
            "CompileTime": self.compile_time,
            "Type": self._type(),
        }
        return self._encode(cgminer.version_reply(item, "CGMiner versions", DESCRIPTION))

    def _summary(self) -> bytes:
        s = self.state
        ghs = round(s.hashrate * 1000, 2)
        accepted, rejected = s.shares(0)
        # X19 bmminer sends numbers; the S9's sends the 5 s rate as a string.
        rate: Any = f"{ghs:.2f}" if self.legacy else ghs
        return self._encode(
            cgminer.reply(
                "SUMMARY",
                [
                    {
                        "Elapsed": s.uptime,
                        "GHS 5s": rate,
                        "GHS 30m": ghs,
                        "GHS av": ghs,
                        "Found Blocks": 0,
                        "Getwork": accepted,
                        "Accepted": accepted,
                        "Rejected": rejected,
                        "Hardware Errors": 0,
                        "Utility": 4.8,
                        "Discarded": 0,
                        "Stale": 0,
                        "Get Failures": 0,
                        "Local Work": 0,
                        "Remote Failures": 0,
                        "Network Blocks": 0,
                        "Total MH": round(ghs * 1000 * s.uptime, 1),
                        "Work Utility": 0.0,
                        "Difficulty Accepted": float(accepted * 65536),
                        "Difficulty Rejected": float(rejected * 65536),
                        "Difficulty Stale": 0.0,
                        "Best Share": 0,
                        "Device Hardware%": 0.0,
                        "Device Rejected%": 0.0,
                        "Pool Rejected%": 0.0,
                        "Pool Stale%": 0.0,
                        "Last getwork": int(time.time()),
                    }
                ],
                "Summary",
                11,
                DESCRIPTION,
            )
        )

    def _stats(self) -> bytes:
        s = self.state
        spec = s.spec
        ghs = round(s.hashrate * 1000, 2)
        info: dict[str, Any] = {
            "STATS": 0,
            "ID": "BTM_SOC0",
            "Elapsed": s.uptime,
            "Calls": 0,
            "Wait": 0,
            "Max": 0,
            "Min": 99999999,
            "GHS 5s": f"{ghs:.2f}" if self.legacy else ghs,
            "GHS av": ghs,
            "miner_count": spec.boards,
            "frequency": 525,
            "fan_num": spec.fans,
        }
        info |= cgminer.fan_fields(s.fan_rpms())
        first_chain = 6 if self.legacy else 1
        slots = spec.boards if self.legacy else spec.boards + 1  # X19 lists an empty slot
        info["temp_num"] = spec.boards
        chains: dict[str, Any] = {}
        for i in range(slots):
            slot = first_chain + i
            if i < spec.boards:
                rate = s.board_hashrates()[i]
                chip = s.chip_temperature(i)
                pcb = s.board_temperature(i)
                info[f"temp{slot}"] = int(pcb)
                info[f"temp2_{slot}"] = int(chip)
                chains[f"temp_pcb{slot}"] = f"{pcb:g}-{pcb:g}-{pcb - 2:g}-{pcb - 2:g}"
                chains[f"temp_chip{slot}"] = f"{chip - 3:g}-{chip - 3:g}-{chip:g}-{chip:g}"
                chains[f"temp_pic{slot}"] = f"{pcb - 10:g}-{pcb - 10:g}-{pcb - 12:g}-{pcb - 12:g}"
                chains[f"chain_acn{slot}"] = spec.chips_per_board
                chains[f"chain_acs{slot}"] = " ooo" * (spec.chips_per_board // 3)
                chains[f"chain_hw{slot}"] = 0
                chains[f"chain_rate{slot}"] = f"{rate * 1000:.2f}"
                chains[f"freq{slot}"] = 525
            else:
                chains |= cgminer.empty_chain_slot(slot)
        info.update(sorted(chains.items()))
        info.update(
            {
                "total_rateideal": spec.nominal_hashrate * 1000,
                "rate_unit": "GH",
                "total_freqavg": 525,
                "total_acn": spec.chips_per_board * spec.boards,
                "total rate": ghs,
                "rate_30m": ghs,
                "temp_max": 0,
                "no_matching_work": 0,
                "miner_version": "49.0.1.3",
                "miner_id": "80a1c3e27d6b4f19",
            }
        )
        head = {
            "BMMiner": "1.0.0",
            "Miner": "49.0.1.3",
            "CompileTime": self.compile_time,
            "Type": self._type(),
        }
        stats_status = cgminer.status("CGMiner stats", 70, DESCRIPTION)
        if self.legacy:
            # The S9 forgets the comma between the two STATS items.
            text = (
                '{"STATUS":'
                + json.dumps(stats_status)
                + ',"STATS":['
                + json.dumps(head)
                + json.dumps(info)
                + '],"id":1}'
            )
            return text.encode() + b"\x00"
        return self._encode({"STATUS": stats_status, "STATS": [head, info], "id": 1})

    def _devs(self) -> bytes:
        """One pseudo-device for the whole miner, all zeros; "Tenperature" as bmminer spells it."""
        s = self.state
        accepted, rejected = s.shares(0)
        dev = {
            "ASC": 0,
            "Name": "BTM_SOC",
            "ID": 0,
            "Enabled": "Y",
            "Status": "Alive",
            "Tenperature": 0.0,
            "MHS av": 0.0,
            "MHS 5s": 0.0,
            "Accepted": accepted,
            "Rejected": rejected,
            "Hardware Errors": 0,
            "Utility": 0.0,
            "Last Share Pool": 0,
            "Last Share Time": int(time.time()),
            "Total MH": 0.0,
            "Diff1 Work": 0,
            "Difficulty Accepted": accepted * 65536,
            "Difficulty Rejected": rejected * 65536,
            "Last Share Difficulty": 65536,
            "Last Valid Work": int(time.time()),
            "Device Hardware%": 0.0,
            "Device Rejected%": 0.0,
            "Device Elapsed": s.uptime,
        }
        return self._encode(cgminer.reply("DEVS", [dev], "1 ASC(s)", 9, DESCRIPTION))

    def _pools(self) -> bytes:
        records = cgminer.pool_records(self.state, _pool_extra)
        return self._encode(cgminer.pools_reply(records, DESCRIPTION))

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
                "netmask": "255.255.255.0",
                "gateway": "",
                "dnsservers": "",
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
            "api-groups": "A:stats:pools:devs:summary:version",
            "api-allow": "A:0/0,W:*",
            "bitmain-fan-ctrl": False,
            "bitmain-fan-pwm": "100",
            "bitmain-use-vil": True,
            "bitmain-freq": "675",
            "bitmain-voltage": "1400",
            "bitmain-ccdelay": "0",
            "bitmain-pwth": "0",
            "bitmain-work-mode": str(mode),
            "bitmain-freq-level": "100",
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
                    "CompileTime": self.compile_time,
                    "type": self._type(),
                },
                "SUMMARY": [
                    {
                        "elapsed": self.state.uptime,
                        "rate_5s": round(self.state.hashrate * 1000, 2),
                        "rate_30m": round(self.state.hashrate * 1000, 2),
                        "rate_avg": round(self.state.hashrate * 1000, 2),
                        "rate_ideal": self.state.spec.nominal_hashrate * 1000,
                        "rate_unit": "GH/s",
                        "hw_all": 0,
                        "bestshare": 0,
                        "status": status,
                    }
                ],
            }
        )
