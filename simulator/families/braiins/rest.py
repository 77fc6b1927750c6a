"""The REST API of BOS 25.07 and later, under ``/api/v1``.

Token login (``Authorization: <token>`` with no ``Bearer``), actions by ``PUT``; the
release pauses mining while bosminer keeps running.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from ...logs import log_text
from ...state import HASHRATE_EXPONENT, SimPool
from . import cooling_rest
from .base import BraiinsBase
from .releases import BOSMINER_START_DELAY

# Hashrate follows power to this power (``MinerState.hashrate``): the tuner's target in
# TH/s maps to the watts that give it.


class BraiinsRest(BraiinsBase):
    # TH/s while the tuner aims at a hashrate; ``None`` while it aims at watts.
    hashrate_target: float | None = None

    def _rest_routes(self, app: web.Application) -> None:
        api = "/api/v1"
        app.router.add_post(f"{api}/auth/login", self._rest_login)
        app.router.add_get(f"{api}/version/", self._rest_version)
        gets = {
            "/miner/details": self._rest_details,
            "/miner/stats": self._rest_stats,
            "/miner/hw/hashboards": self._rest_hashboards,
            "/miner/errors": self._rest_errors,
            "/cooling/state": self._rest_cooling,
            "/network/": self._rest_network,
            "/pools/": self._rest_pools,
            "/configuration/miner": self._rest_configuration,
            "/performance/tuner-state": self._rest_tuner_state,
            "/configuration/constraints": self._rest_constraints,
            "/actions/locate": lambda: self.state.fault_light,
        }
        for path, body in gets.items():
            app.router.add_get(api + path, self._rest_get(body))
        app.router.add_get(f"{api}/miner/log/bosminer", self._rest_log)
        app.router.add_put(f"{api}/actions/locate", self._rest_locate)
        app.router.add_put(f"{api}/performance/power-target", self._rest_power_target)
        app.router.add_put(f"{api}/performance/mode", self._rest_performance_mode)
        app.router.add_put(f"{api}/pools/batch", self._rest_pools_batch)
        app.router.add_put(f"{api}/cooling/mode", self._rest_cooling_mode)
        for action in ("pause", "resume", "start", "stop", "restart", "reboot"):
            app.router.add_put(f"{api}/actions/{action}", self._rest_action(action))

    def _rest_authorized(self, request: web.Request) -> bool:
        # The token goes in the header as it is; "Bearer <token>" is refused.
        return self._session_ok(request.headers.get("Authorization"))

    @staticmethod
    def _unauthorized() -> web.Response:
        return web.json_response({"message": "Unauthorized"}, status=401)

    async def _rest_log(self, request: web.Request) -> web.Response:
        """bosminer's log as text (26.04's OpenAPI ``miner/log/bosminer``)."""
        if not self._rest_authorized(request):
            return self._unauthorized()
        return web.Response(text=log_text(self.state, "bosminer"))

    async def _rest_login(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"message": "invalid JSON"}, status=400)
        if not isinstance(body, dict) or not self._credentials_ok(
            body.get("username"), body.get("password")
        ):
            return web.json_response({"message": "Invalid username or password"}, status=401)
        return web.json_response({"token": self._new_session(), "timeout_s": 3600})

    async def _rest_version(self, request: web.Request) -> web.Response:
        major, minor, patch = self.release.rest_api
        return web.json_response({"major": major, "minor": minor, "patch": patch})

    def _rest_get(self, body: Callable[[], Any]) -> Callable[[web.Request], Any]:
        async def handler(request: web.Request) -> web.Response:
            if not self._rest_authorized(request):
                return self._unauthorized()
            return web.json_response(body())

        return handler

    def _rest_details(self) -> dict[str, Any]:
        s = self.state
        return {
            "bos_mode": 4,
            "bos_version": {
                "bos_plus": True,
                "current": self.release.full,
                "major": "2022-09-13-0-11012d53-22.08-plus",
            },
            # bosminer starts a little after the system: its uptime is not the system's.
            "bosminer_uptime_s": max(0, s.uptime - BOSMINER_START_DELAY),
            "control_board_soc_family": 3,
            "hostname": s.hostname,
            "kernel_version": "4.9.113",
            "mac_address": s.mac.lower(),
            "miner_identity": {
                "brand": 1,
                "miner_model": f"Antminer {s.spec.model}",
                "model": 0,
                "name": f"Antminer {s.spec.model}",
            },
            "platform": 4,
            "psu_info": {
                "fw_version": 6920 if self.release.rest_serials else None,
                "max_voltage": {"volt": 15.2},
                "min_voltage": {"volt": 11.96},
                "model_name": "APW171215a/c",
                "serial_number": f"PSU{s.serial[3:]}" if self.release.rest_serials else None,
                "version": 117,
            },
            "serial_number": s.serial if self.release.rest_serials else None,
            "status": 2 if s.hashing else 3,
            "sticker_hashrate": {"gigahash_per_second": s.spec.nominal_hashrate * 1000},
            "system_uptime": s.uptime,
            "system_uptime_s": s.uptime,
            "uid": s.serial.lower()[:16],
        }

    def _rest_rates(self, ths: float) -> dict[str, Any]:
        ghs = ths * 1000
        windows = ("15m", "15s", "1h", "1m", "24h", "30m", "30s", "5m", "5s")
        rates = {f"last_{w}": {"gigahash_per_second": ghs} for w in windows}
        rates["since_restart"] = {"gigahash_per_second": ghs}
        return rates

    def _rest_best_share(self, best: int) -> dict[str, Any]:
        out: dict[str, Any] = {"best_share": best}
        if self.release.best_share_str:
            out["best_share_str"] = str(best)
        return out

    def _rest_share_stats(self, accepted: int, rejected: int) -> dict[str, Any]:
        now = int(self.state.now())
        return {
            "accepted_shares": accepted,
            **self._rest_best_share(accepted * 1000),
            "generated_work": accepted * 1_700_000,
            "last_difficulty": 262144,
            "last_share_time": {"nanos": 0, "seconds": now} if accepted else None,
            "rejected_shares": rejected,
            "stale_shares": 0,
        }

    def _rest_stats(self) -> dict[str, Any]:
        s = self.state
        accepted, rejected = s.session_shares()
        return {
            "miner_stats": {
                **self._rest_best_share(accepted * 1000),
                "error_hashrate": {"megahash_per_second": 0.0},
                "found_blocks": 0,
                "nominal_hashrate": {"gigahash_per_second": s.spec.nominal_hashrate * 1000},
                "real_hashrate": self._rest_rates(s.hashrate),
            },
            "pool_stats": self._rest_share_stats(accepted, rejected),
            "power_stats": {
                "approximated_consumption": {"watt": round(s.power)},
                "efficiency": {
                    "joule_per_terahash": round(s.power / s.hashrate, 2) if s.hashrate else 0.0
                },
            },
        }

    def _rest_hashboards(self) -> dict[str, Any]:
        s = self.state
        boards = []
        for i, rate in enumerate(s.board_hashrates()):
            boards.append(
                {
                    "board_name": "BHB56801",
                    "board_temp": {"degree_c": s.board_temperature(i)},
                    "chip_type": "BM1366",
                    "chips_count": s.spec.chips_per_board,
                    "current_frequency": {"hertz": float(self._frequency_hz(i))},
                    "current_voltage": {"volt": 13.2},
                    "enabled": True,
                    "highest_chip_temp": {
                        "id": i + 1,
                        "location": 1,
                        "temperature": {"degree_c": s.chip_temperature(i)},
                    },
                    "highest_outlet_temp": {"degree_c": s.board_temperature(i)},
                    "id": str(self.chain_ids[i]),
                    "lowest_inlet_temp": {"degree_c": s.environment_temperature + 12},
                    "model": "BHB56801",
                    "serial_number": self._board_serial(i),
                    "stats": {
                        **self._rest_best_share(1000),
                        "error_hashrate": {"megahash_per_second": 0.0},
                        "found_blocks": 0,
                        "nominal_hashrate": {
                            "gigahash_per_second": s.spec.nominal_hashrate * 1000 / s.spec.boards
                        },
                        "real_hashrate": self._rest_rates(rate),
                    },
                }
            )
        return {"hashboards": boards}

    def _rest_errors(self) -> dict[str, Any]:
        return {
            "errors": [
                {
                    "components": [],
                    "error_codes": [{"code": str(code), "hint": "", "reason": msg}],
                    "message": msg,
                    "timestamp": "2026-01-01T00:00:00.000000Z",
                }
                for code, msg in self.state.errors
            ]
        }

    def _hashrate_at(self, watts: float) -> float:
        spec = self.state.spec
        ratio: float = (watts / spec.nominal_power) ** HASHRATE_EXPONENT
        return round(spec.nominal_hashrate * ratio, 1)

    def _rest_constraints(self) -> dict[str, Any]:
        spec = self.state.spec
        return {
            "tuner_constraints": {
                "power_target": {
                    "min": {"watt": spec.min_power},
                    "default": {"watt": spec.nominal_power},
                    "max": {"watt": spec.max_power},
                },
                "hashrate_target": {
                    "min": {"terahash_per_second": self._hashrate_at(spec.min_power)},
                    "default": {"terahash_per_second": spec.nominal_hashrate},
                    "max": {"terahash_per_second": self._hashrate_at(spec.max_power)},
                },
            },
            "cooling_constraints": cooling_rest.constraints(),
        }

    def _set_hashrate_target(self, ths: Any) -> str | None:
        """Aim the tuner at ``ths`` TH/s: the watts that give it; why refused, or ``None``."""
        spec = self.state.spec
        low, high = self._hashrate_at(spec.min_power), self._hashrate_at(spec.max_power)
        if not isinstance(ths, int | float) or isinstance(ths, bool) or not low <= ths <= high:
            return f"hashrate target must be {low}-{high} TH/s"
        self.state.power_limit = self.state.watts_for_hashrate(ths)
        self.hashrate_target = float(ths)
        return None

    async def _rest_performance_mode(self, request: web.Request) -> web.Response:
        """``PUT performance/mode``: the tuner's mode and target in one."""
        if not self._rest_authorized(request):
            return self._unauthorized()
        body = await self._body(request)
        target = body.get("tunermode", {}).get("target") if isinstance(body, dict) else None
        if isinstance(target, dict) and "hashratetarget" in target:
            value = target["hashratetarget"].get("hashrate_target", {})
            refusal = self._set_hashrate_target(value.get("terahash_per_second"))
        elif isinstance(target, dict) and "powertarget" in target:
            value = target["powertarget"].get("power_target", {})
            refusal = self._set_power_target(value.get("watt"))
            if refusal is None:
                self.hashrate_target = None
        else:
            refusal = "expected tunermode.target.powertarget or hashratetarget"
        if refusal is not None:
            return web.json_response({"message": refusal}, status=400)
        return web.json_response(body)

    def _rest_tuner_state(self) -> dict[str, Any]:
        s = self.state
        if self.hashrate_target is not None:
            return {
                "mode_state": {
                    "hashratetargetmodestate": {
                        "current_target": {"terahash_per_second": self.hashrate_target}
                    }
                },
                "overall_tuner_state": 2,
            }
        return {
            "mode_state": {
                "powertargetmodestate": {
                    "current_target": {"watt": s.effective_power_limit},
                    "profile": {
                        "created": {"nanos": 0, "seconds": int(s.boot_time)},
                        "estimated_power_consumption": {"watt": round(s.power)},
                        "measured_hashrate": {
                            "gigahash_per_second": s.spec.nominal_hashrate * 1000
                        },
                        "target": {"watt": s.effective_power_limit},
                    },
                }
            },
            "overall_tuner_state": 2,
        }

    def _rest_cooling(self) -> dict[str, Any]:
        return {
            "fans": [
                {"position": i, "rpm": rpm, "target_speed_ratio": self.state.fan_percent() / 100}
                for i, rpm in enumerate(self.state.fan_rpms())
            ],
            "highest_temperature": {
                "id": None,
                "location": 1,
                "temperature": {
                    "degree_c": max(
                        self.state.chip_temperature(i) for i in range(self.state.spec.boards)
                    )
                },
            },
        }

    def _rest_network(self) -> dict[str, Any]:
        return {
            "default_gateway": "192.0.2.1",
            "dns_servers": ["192.0.2.53"],
            "hostname": self.state.hostname,
            "mac_address": self.state.mac.lower(),
            "name": "eth0",
            "networks": [{"address": self.host, "netmask": "255.255.255.0"}],
            "protocol": 1,
        }

    def _rest_pools(self) -> list[dict[str, Any]]:
        pools = []
        for i, pool in enumerate(self.state.pools):
            accepted, rejected = self.state.shares(i)
            pools.append(
                {
                    "active": i == self.state.current_pool(),
                    "alive": pool.alive,
                    "enabled": True,
                    "stats": self._rest_share_stats(accepted, rejected),
                    "uid": f"pool{i}",
                    "url": pool.url,
                    "user": pool.user,
                }
            )
        group: dict[str, Any] = {
            "name": "default",
            "pools": pools,
            "strategy": {"quota": {"value": 1}},
        }
        if self.release.rest_serials:
            group["uid"] = "group0"
        return [group]

    def _rest_configuration(self) -> dict[str, Any]:
        return {
            "pool_groups": [],
            "tuner": {
                "enabled": True,
                "tuner_mode": 1,
                "hashrate_target": None,
                "power_target": {"watt": self.state.effective_power_limit},
            },
            "temperature": {"mode": cooling_rest.configured_mode(self.state)},
        }

    async def _rest_cooling_mode(self, request: web.Request) -> web.Response:
        if not self._rest_authorized(request):
            return self._unauthorized()
        return await cooling_rest.put_mode(self.state, await self._body(request))

    @staticmethod
    async def _body(request: web.Request) -> Any:
        """The request's JSON, or ``None`` when it is not JSON."""
        try:
            return await request.json()
        except ValueError:
            return None

    async def _rest_locate(self, request: web.Request) -> web.Response:
        if not self._rest_authorized(request):
            return self._unauthorized()
        enable = await self._body(request)
        if not isinstance(enable, bool):
            return web.json_response({"message": "expected a boolean"}, status=400)
        self.state.fault_light = enable
        return web.json_response(enable)

    async def _rest_pools_batch(self, request: web.Request) -> web.Response:
        """``setBatchPools``: the groups sent replace every group; the reply echoes them
        with the uids the firmware gave (25.07's OpenAPI example). bosminer mines on
        the first pool listed at once."""
        if not self._rest_authorized(request):
            return self._unauthorized()
        groups = await self._body(request)
        if not isinstance(groups, list) or not all(
            isinstance(g, dict) and isinstance(g.get("pools"), list) for g in groups
        ):
            return web.json_response({"message": "expected a list of pool groups"}, status=400)
        sent = [p for g in groups for p in g["pools"]]
        if not all(isinstance(p, dict) and p.get("url") and p.get("user") for p in sent):
            return web.json_response({"message": "every pool needs url and user"}, status=400)
        self.state.pools = [
            SimPool(str(p["url"]), str(p["user"]), str(p.get("password") or "")) for p in sent
        ]
        self.state.pool_choice = 0
        echoed = [
            {
                **g,
                "uid": f"group{i}",
                "pools": [{**p, "uid": f"pool{i}-{j}"} for j, p in enumerate(g["pools"])],
            }
            for i, g in enumerate(groups)
        ]
        return web.json_response(echoed)

    async def _rest_power_target(self, request: web.Request) -> web.Response:
        if not self._rest_authorized(request):
            return self._unauthorized()
        body = await self._body(request)
        watt = body.get("watt") if isinstance(body, dict) else None
        refusal = self._set_power_target(watt)
        if refusal is not None:
            return web.json_response({"message": refusal}, status=400)
        return web.json_response({"watt": watt})

    def _rest_action(self, action: str) -> Callable[[web.Request], Any]:
        async def handler(request: web.Request) -> web.Response:
            if not self._rest_authorized(request):
                return self._unauthorized()
            s = self.state
            if action == "reboot":
                s.reboot()
                return web.Response(status=204)
            if action == "restart":
                s.restart_backend()
                return web.json_response(True)
            # 25.07 keeps bosminer running while paused; stop/start are the same here.
            was = s.mining
            s.mining = action in ("resume", "start")
            return web.json_response(was == s.mining)

        return handler
