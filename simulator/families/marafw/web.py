"""``/kaonsu/v1/``: the read pages, ``miner_config``, ``locate_miner``, ``maintenance``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ...miner import SimMiner
from ...servers.http import DigestGuard, Handler
from ...state import SimPool

REALM = "KaonSu"  # asic-rs's fork keys on the marker in the digest challenge
API = "/kaonsu/v1/"
AUTO, SLEEP, STOCK = "Auto", "Sleep", "Stock"


def _ghs(ths: float) -> float:
    return round(ths * 1000, 3)


class MaraWeb(SimMiner):
    """MaraFW's web API over the shared simulated state."""

    def routes(self, app: web.Application) -> None:
        guard = DigestGuard(REALM, self.state)
        pages: dict[str, Handler] = {
            "brief": self._brief,
            "overview": self._overview,
            "hashboards": self._hashboards,
            "fans": self._fans,
            "miner_config": self._get_config,
            "network_config": self._network,
            "locate_miner": self._get_locate,
        }
        app.router.add_route("*", "/", guard.protect(self._root))
        for name, handler in pages.items():
            app.router.add_get(API + name, guard.protect(handler))
        app.router.add_post(API + "miner_config", guard.protect(self._set_config))
        app.router.add_post(API + "locate_miner", guard.protect(self._set_locate))
        app.router.add_post(API + "maintenance", guard.protect(self._maintenance))

    # -- shapes ------------------------------------------------------------------------

    def _selector(self) -> str:
        s = self.state
        if not s.mining:
            return SLEEP
        return AUTO if s.power_limit is not None else STOCK

    # -- pages -------------------------------------------------------------------------

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text="<html><title>MaraFW</title></html>", content_type="text/html")

    async def _brief(self, request: web.Request) -> web.Response:
        s = self.state
        temps = [s.chip_temperature(i) for i in range(s.spec.boards)] or [0.0]
        fault = next(iter(s.errors), None)
        rate = _ghs(s.hashrate)
        return web.json_response(
            {
                "elapsed": s.uptime,
                "hashrate_average": rate,
                "hashrate_ideal": _ghs(s.expected_hashrate),
                "hashrate_realtime": rate,
                "hashrate_realtime_1d": rate,
                "hashrate_realtime_1h": rate,
                "hashrate_sales": _ghs(s.spec.nominal_hashrate),
                "hashrate_stock": _ghs(s.spec.nominal_hashrate * 1.035),
                "hashrate_unit": "GH/s",
                "indicator": "Fully functional" if fault is None else "Degraded",
                "indicator_long": "" if fault is None else fault[1],
                "power_consumption_estimated": round(s.power),
                "power_indicator": 0,
                "power_source": "PSU" if s.hashing else "EST",
                "status": "Mining" if s.hashing else SLEEP,
                "status_long": "Mining..." if s.hashing else "Sleeping...",
                "temperature_average": round(sum(temps) / len(temps), 6),
                "temperature_max": max(temps),
                "temperature_min": min(temps),
                "work_mode": self._selector(),
            }
        )

    async def _overview(self, request: web.Request) -> web.Response:
        s = self.state
        model = f"Antminer {s.spec.model}"
        return web.json_response(
            {
                "control_board": "CVCtrl",
                "is_one_shot_firmware": False,
                "mac": s.mac.lower(),
                "model": model,
                "model_extended": f"{model} ({s.spec.nominal_hashrate:.1f}TH)",
                "version_firmware": s.firmware_version,
            }
        )

    def _board(self, index: int, rate: float) -> dict[str, Any]:
        s, spec = self.state, self.state.spec
        chip = s.chip_temperature(index)
        pcb = s.board_temperature(index)
        ideal = _ghs(s.expected_hashrate / spec.boards)
        return {
            "asic_num": spec.chips_per_board,
            "asic_num_ideal": spec.chips_per_board,
            "frequency_average": 599.7 if s.hashing else 50,
            "hashrate_average": _ghs(rate),
            "hashrate_ideal": ideal,
            "hashrate_realtime_10m": _ghs(rate),
            "index": index,
            "power_consumption_estimated": round(s.power / spec.boards, 4),
            "present": True,
            "serial_number": f"{s.serial}B{index}",
            "temperature_chip": [round(chip - 11, 4), chip],
            "temperature_pcb": [round(pcb - 11, 4), pcb],
            "temperature_raw": [round(pcb - 21, 4), round(pcb - 10, 4)],
        }

    async def _hashboards(self, request: web.Request) -> web.Response:
        s = self.state
        rates = s.board_hashrates()
        boards = [self._board(i, rate) for i, rate in enumerate(rates)]
        return web.json_response(
            {
                "frequency_average": 599.7 if s.hashing else 50,
                "hashboard_num": len(boards),
                "hashboard_num_ideal": s.spec.boards,
                "hashboards": boards,
            }
        )

    async def _fans(self, request: web.Request) -> web.Response:
        rpms = self.state.fan_rpms()
        fans = [
            {"current_speed": rpm, "index": i, "max_speed": 6956, "power_consumption": 19.7}
            for i, rpm in enumerate(rpms)
        ]
        return web.json_response(
            {
                "error": False,
                "error_description": "",
                "fans": fans,
                "percent": round(100 * max(rpms, default=0) / 6956),
                "profile": "AirCooling",
                "total_power_consumption": round(19.7 * len(fans), 3),
            }
        )

    def _config(self) -> dict[str, Any]:
        s = self.state
        mode: dict[str, Any] = {"work-mode-selector": self._selector()}
        if s.power_limit is not None:  # a tuner target once set stays configured
            mode["concorde"] = {"mode-select": "PowerTarget", "power-target": s.power_limit}
        mode["fixed"] = {"frequency": "600", "voltage": 13.2}
        return {
            "general-config": {"environment-profile": "AirCooling"},
            "advance-config": {"override-fan-control": False, "fan-fixed-percent": 0},
            "mode": mode,
            "pools": [{"url": p.url, "user": p.user, "pass": p.password} for p in s.pools],
        }

    async def _get_config(self, request: web.Request) -> web.Response:
        return web.json_response(self._config())

    async def _set_config(self, request: web.Request) -> web.Response:
        body = await request.json()
        s, spec = self.state, self.state.spec
        mode = body.get("mode") if isinstance(body, dict) else None
        if not isinstance(mode, dict):
            return web.json_response({"error": True, "msg": "invalid config"})
        selector = mode.get("work-mode-selector")
        concorde = mode.get("concorde") or {}
        target = concorde.get("power-target")
        if selector == AUTO and concorde.get("mode-select") == "PowerTarget":
            if not isinstance(target, int) or not spec.min_power <= target <= spec.max_power:
                return web.json_response({"error": True, "msg": "power target out of range"})
        elif selector not in (SLEEP, STOCK, AUTO, "Fixed"):
            return web.json_response({"error": True, "msg": "invalid work mode"})
        s.mining = selector != SLEEP
        if selector == STOCK:
            s.power_limit = None
        elif selector == AUTO:
            s.power_limit = target
        sent = [
            SimPool(p["url"], p.get("user", ""), p.get("pass", ""))
            for p in body.get("pools", [])
            if isinstance(p, dict) and p.get("url")
        ]
        if [(p.url, p.user, p.password) for p in sent] != [
            (p.url, p.user, p.password) for p in s.pools
        ]:
            s.pools, s.pool_choice = sent, 0
        return web.json_response({"error": False, "msg": "success"})

    async def _network(self, request: web.Request) -> web.Response:
        s = self.state
        return web.json_response(
            {"dhcp": True, "hostname": s.hostname, "ipaddress": self.host, "netmask": ""}
        )

    async def _get_locate(self, request: web.Request) -> web.Response:
        return web.json_response({"blinking": self.state.fault_light})

    async def _set_locate(self, request: web.Request) -> web.Response:
        body = await request.json()
        on = body.get("blinking") if isinstance(body, dict) else None
        if isinstance(on, bool):
            self.state.fault_light = on
        return web.json_response({"blinking": self.state.fault_light})

    async def _maintenance(self, request: web.Request) -> web.Response:
        body = await request.json()
        kind = body.get("type") if isinstance(body, dict) else None
        if kind == "reboot":
            self.state.reboot()
        elif kind == "reload":
            self.state.restart_backend()
        else:
            return web.json_response({"error": True, "msg": "invalid type"}, status=400)
        return web.json_response({"error": False, "msg": "success"})
