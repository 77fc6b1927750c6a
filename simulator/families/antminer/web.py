"""lighttpd CGI behind digest auth: the X19 web UI (JSON blink, work modes, summary.cgi)
or the S9-era one (form-encoded blink, no work modes).
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from ...logs import log_text
from ...servers.http import DigestGuard
from ...state import SimPool
from .base import _MODE_NAMES, _MODES, AntminerBase


class AntminerWeb(AntminerBase):
    def routes(self, app: web.Application) -> None:
        guard = DigestGuard(self.realm, self.state)

        protected = guard.protect
        app.router.add_route("*", "/", protected(self._root))
        app.router.add_get("/cgi-bin/get_system_info.cgi", protected(self._system_info))
        app.router.add_get("/cgi-bin/get_miner_conf.cgi", protected(self._get_conf))
        app.router.add_post("/cgi-bin/reboot.cgi", protected(self._reboot))
        app.router.add_get("/cgi-bin/reboot.cgi", protected(self._reboot))
        app.router.add_get("/cgi-bin/log.cgi", protected(self._log))
        if self.legacy_web:
            app.router.add_post("/cgi-bin/blink.cgi", protected(self._legacy_blink))
        else:
            app.router.add_get("/cgi-bin/get_blink_status.cgi", protected(self._blink_status))
            app.router.add_post("/cgi-bin/blink.cgi", protected(self._blink))
            app.router.add_post("/cgi-bin/set_miner_conf.cgi", protected(self._set_conf))
            app.router.add_get("/cgi-bin/summary.cgi", protected(self._web_summary))

    async def _log(self, request: web.Request) -> web.Response:
        """``log.cgi``: the miner's log as plain text."""
        return web.Response(text=log_text(self.state, "bmminer" if not self.legacy else "cgminer"))

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text="<html><title>Antminer</title></html>", content_type="text/html")

    def network_info(self) -> dict[str, Any]:
        """The model and network fields ``get_system_info.cgi`` starts with (clones too)."""
        s = self.state
        return {
            "minertype": self._type(),
            "nettype": "DHCP",
            "netdevice": "eth0",
            "macaddr": s.mac,
            "hostname": s.hostname,
            "ipaddress": self.host,
            "netmask": "255.255.255.0",
            "gateway": "",
            "dnsservers": "",
        }

    async def _system_info(self, request: web.Request) -> web.Response:
        s = self.state
        return web.json_response(
            self.network_info()
            | {
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

        body = await request.json()
        s = self.state
        # Like the real CGI: whatever is not sent is reset.
        pools = [p for p in body.get("pools", []) if p.get("url")]
        sent = [SimPool(p["url"], p.get("user", ""), p.get("pass", "")) for p in pools]
        if [(p.url, p.user, p.password) for p in sent] != [
            (p.url, p.user, p.password) for p in s.pools
        ]:
            s.pools, s.pool_choice = sent, 0
            s.restart_backend()  # bmminer restarts to take new pools
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
