"""The Elphapex CGI: the read pages, blink, reboot and the miner configuration."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from ...servers.http import DigestGuard, Handler
from ...state import SimPool
from ..antminer.web import AntminerWeb

REALM = "Daoge Miner"
_MODES = {"normal": 0, "high": 2, "low": 3}
_MODE_NAMES = {v: k for k, v in _MODES.items()}
_SLOTS = 4  # chains listed, filled or not


class ElphapexWeb(AntminerWeb):
    """Bitmain's CGI as Elphapex adapted it: blink and reboot as Bitmain's, the rest its own."""

    def routes(self, app: web.Application) -> None:
        guard = DigestGuard(REALM, self.state)

        protected = guard.protect
        pages: dict[str, Handler] = {
            "get_system_info": self._system_info,
            "summary": self._summary,
            "stats": self._stats,
            "pools": self._pools,
            "get_miner_conf": self._get_conf,
            "get_blink_status": self._blink_status,
            "get_power": self._power,
            "reboot": self._reboot,
        }
        app.router.add_route("*", "/", protected(self._root))
        for name, handler in pages.items():
            app.router.add_get(f"/cgi-bin/{name}.cgi", protected(handler))
        app.router.add_post("/cgi-bin/reboot.cgi", protected(self._reboot))
        app.router.add_post("/cgi-bin/blink.cgi", protected(self._blink))
        app.router.add_post("/cgi-bin/set_miner_conf.cgi", protected(self._set_conf))

    # -- shapes ------------------------------------------------------------------------

    def _minertype(self) -> str:
        return {"DG Home 1": "DG-Home1"}.get(self.state.spec.model, self.state.spec.model)

    def _info(self) -> dict[str, Any]:
        kind = self._minertype()
        return {
            "CompileTime": "",
            "dev_sn": self.state.serial,
            "hw_version": f"{kind}_HW_V1.0",
            "miner_version": self.state.firmware_version,
            "type": kind,
        }

    def _status(self, msg: str) -> dict[str, Any]:
        now = int(time.time())
        return {"Msg": msg, "STATUS": "S", "api_version": "1.0.0", "timestamp": now, "when": 0}

    def _mhs(self, ths: float) -> float:
        return round(ths * 1_000_000, 2)

    def _rates(self, ths: float) -> dict[str, float]:
        rate = self._mhs(ths)
        return {"rate_15m": rate, "rate_30m": rate, "rate_5s": rate, "rate_avg": rate}

    # -- pages -------------------------------------------------------------------------

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(
            text="<html><title>Daoge Miner</title></html>", content_type="text/html"
        )

    async def _system_info(self, request: web.Request) -> web.Response:
        s = self.state
        return web.json_response(
            {
                "Algorithm": "Scrypt",
                "dnsservers": "",
                "firmware_type": "Release",
                "gateway": "",
                "hostname": s.hostname,
                "ipaddress": self.host,
                "macaddr": s.mac.lower(),
                "minertype": self._minertype(),
                "netdevice": "eth0",
                "netmask": "255.255.255.0",
                "nettype": "DHCP",
                "system_filesystem_version": s.firmware_version,
                "system_kernel_version": "4.4.194 #1 SMP",
                "system_mode": "GNU/Linux",
            }
        )

    async def _summary(self, request: web.Request) -> web.Response:
        s = self.state
        checks = [
            {"code": 0, "msg": "", "status": "s" if s.hashing else "", "type": kind}
            for kind in ("rate", "network", "fans", "temp")
        ]
        for code, msg in s.errors:
            checks.append({"code": code, "msg": msg, "status": "e", "type": "error"})
        item = {
            "bestshare": 0,
            "elapsed": s.uptime,
            "hw_all": 0,
            **self._rates(s.hashrate),
            "rate_ideal": self._mhs(s.expected_hashrate),
            "rate_unit": "MH/s",
            "status": checks,
        }
        return web.json_response(
            {"INFO": self._info(), "STATUS": self._status("summary"), "SUMMARY": [item]}
        )

    def _chain(self, slot: int) -> dict[str, Any]:
        s = self.state
        board = slot - (_SLOTS - s.spec.boards)  # the filled slots are the last ones
        if board < 0:  # an empty slot, as the DG-Home1 capture lists three
            zero = dict.fromkeys(("asic_num", "failrate", "freq_avg", "hashrate", "hw"), 0)
            zero |= dict.fromkeys(("rate_15m", "rate_ideal", "rate_real"), 0)
            temps = [41, 40, 52, 51]
            return {"asic": "oooooooo " * 4, **zero, "index": slot, "sn": ""} | {
                "temp_chip": ["", "", "", ""],
                "temp_pcb": temps,
                "temp_pic": temps,
            }
        chip = s.chip_temperature(board)
        pcb = round(s.board_temperature(board))
        rate = self._mhs(s.board_hashrates()[board])
        return {
            "asic": "oooooooo " * 4,
            "asic_num": s.spec.chips_per_board,
            "eeprom_loaded": True,
            "failrate": 0,
            "freq_avg": 89000,
            "hashrate": rate,
            "hw": 0,
            "index": slot,
            "rate_15m": rate,
            "rate_ideal": self._mhs(s.expected_hashrate / s.spec.boards),
            "rate_real": rate,
            "sn": f"{s.serial}B{board}",
            "temp_chip": [str(round(chip * 1000))] * 2 + [str(round(chip * 1000) - 500)] * 2,
            "temp_pcb": [pcb, pcb - 1, pcb - 2, pcb - 3],
            "temp_pic": [pcb, pcb - 1, pcb - 2, pcb - 3],
        }

    async def _stats(self, request: web.Request) -> web.Response:
        s = self.state
        item = {
            "chain": [self._chain(slot) for slot in range(max(_SLOTS, s.spec.boards))],
            "chain_num": max(_SLOTS, s.spec.boards),
            "elapsed": s.uptime,
            "fan": [str(rpm) for rpm in s.fan_rpms()],
            "fan_num": s.spec.fans,
            "hwp_total": 0.0,
            **self._rates(s.hashrate),
            "rate_ideal": self._mhs(s.expected_hashrate),
            "rate_unit": "MH/s",
        }
        return web.json_response({"INFO": self._info(), "STATS": [item]})

    async def _pools(self, request: web.Request) -> web.Response:
        s = self.state
        rows = []
        for index, pool in enumerate(s.pools):
            accepted, rejected = s.shares(index)
            alive = pool.alive and s.hashing
            rows.append(
                {
                    "accepted": accepted,
                    "diff": "",
                    "diff1": 0,
                    "diffa": 0,
                    "diffr": 0,
                    "diffs": 0,
                    "getworks": accepted,
                    "index": index,
                    "lsdiff": 0,
                    "lstime": "",
                    "priority": index,
                    "rejected": rejected,
                    "stale": 0,
                    "status": "Alive" if alive else "Unreachable",
                    "url": pool.url,
                    "user": pool.user,
                }
            )
        return web.json_response(
            {
                "Device Rejected%": 0,
                "Device Total Rejected": 0,
                "Device Total Work": 0,
                "INFO": self._info(),
                "POOLS": rows,
                "STATUS": self._status("pools"),
            }
        )

    def _conf(self) -> dict[str, Any]:
        s = self.state
        return {
            "algo": "ltc",
            "fc-fan-ctrl": False,
            "fc-fan-pwm": "20",
            "fc-freq": "1850",
            "fc-freq-level": "100",
            "fc-voltage": "1470",
            "fc-work-mode": _MODES.get(s.work_mode, 0),
            "pools": [{"pass": p.password, "url": p.url, "user": p.user} for p in s.pools],
        }

    async def _get_conf(self, request: web.Request) -> web.Response:
        return web.json_response(self._conf())

    async def _set_conf(self, request: web.Request) -> web.Response:
        body = await request.json()
        mode = _MODE_NAMES.get(int(body.get("fc-work-mode", 0)))
        if mode is None:
            return web.json_response({"code": "M001", "msg": "bad mode", "stats": "error"})
        self.state.work_mode = mode
        self._take_pools(body.get("pools"))
        return web.json_response({"code": "M000", "msg": "OK!", "stats": "success"})

    def _take_pools(self, sent: Any) -> None:
        """The ``pools`` list sent (pyasic's shape; asic-rs's ``pool<n>url`` keys are
        ignored here); empty entries pad it. A pool kept as it was keeps its state."""
        if not isinstance(sent, list):
            return
        now = {(p.url, p.user): p for p in self.state.pools}
        pools = []
        for item in sent:
            if isinstance(item, dict) and item.get("url"):
                url, user, password = (
                    str(item["url"]),
                    str(item.get("user", "")),
                    str(item.get("pass", "")),
                )
                kept = now.get((url, user))
                pool = SimPool(url, user, password, kept.alive if kept else True)
                pools.append(pool)
        if [(p.url, p.user, p.password) for p in pools] != [
            (p.url, p.user, p.password) for p in self.state.pools
        ]:
            self.state.pools = pools
            self.state.pool_choice = 0

    async def _power(self, request: web.Request) -> web.Response:
        s = self.state
        return web.json_response(
            {"power_output": str(round(s.power)), "power_sn": "SIMPSU0001", "power_temp": "270"}
        )
