"""The AnthillOS REST reads: ``info``, ``summary``, ``status``, ``chains``/``boards``,
presets and settings.
"""

from __future__ import annotations

import math
from typing import Any

from aiohttp import web

from .base import DEVFEE_URL, FAN_MAX_RPM, VnishBase, uptime_text


class VnishReads(VnishBase):
    def _info(self) -> dict[str, Any]:
        s = self.state
        return {
            "fw_name": "Vnish",
            "fw_version": self.release,
            "build_time": "2024-03-14 10:21:07",
            "build_uuid": "0d2c6a4e-sim",
            "install_type": "nand",
            "platform": self.profile.platform,
            "miner": f"Antminer {s.spec.model}",
            "model": s.spec.model.lower().replace(" ", ""),
            "algorithm": "sha256d",
            "hr_measure": "GH/s",
            "serial": s.serial,
            "system": {
                "os": "GNU/Linux",
                "miner_name": f"Antminer {s.spec.model}",
                "file_system_version": self.release,
                "mem_total": 245000,
                "mem_free": 120000,
                "mem_free_percent": 49,
                "mem_buf": 20000,
                "mem_buf_percent": 8,
                "network_status": {
                    "mac": s.mac.lower(),
                    "dhcp": True,
                    "ip": self.host,
                    "netmask": "255.255.255.0",
                    "gateway": "192.0.2.1",
                    "dns": ["192.0.2.1"],
                    "hostname": s.hostname,
                },
                "uptime": uptime_text(s.uptime),
            },
        }

    def _miner_status(self) -> dict[str, Any]:
        s = self.state
        status: dict[str, Any] = {
            "miner_state": self.miner_state,
            "miner_state_time": s.uptime if s.hashing else 0,
            "description": None,
            "failure_code": None,
        }
        if self.v1_3:
            status["throttled"] = self.state.throttle
        return status

    def _chain(self, index: int, rate: float) -> dict[str, Any]:
        s = self.state
        spec = s.spec
        chip = round(s.chip_temperature(index))
        pcb = round(s.board_temperature(index))
        failed = self._board_error(index)
        ideal = spec.nominal_hashrate / spec.boards * 1000
        return {
            "id": index + 1,
            "frequency": float(self.profile.frequency) if s.hashing else 0.0,
            "voltage": 1320,
            "power_consumption": round(s.power / spec.boards),
            "hashrate_ideal": round(ideal, 2),
            "hashrate_rt": round(rate * 1000, 2),
            "hashrate_percentage": round(rate * 1000 / ideal * 100, 2),
            "hr_error": 0.0,
            "hw_errors": 0,
            "pcb_temp": {"min": pcb - 4, "max": pcb},
            "chip_temp": {"min": chip - 5, "max": chip},
            "inlet_water_temp": None,
            "outlet_water_temp": None,
            "chip_statuses": {"red": 0, "orange": 0, "grey": 0},
            "status": {
                "state": "failure" if failed else ("mining" if s.hashing else "stopped"),
                "description": failed,
            },
        }

    def _board_error(self, index: int) -> str | None:
        """State errors land on boards in turn: error i on board i."""
        errors = self.state.errors
        return errors[index][1] if index < len(errors) else None

    def _pools(self) -> list[dict[str, Any]]:
        s = self.state
        pools = []
        for i, pool in enumerate(s.pools):
            accepted, rejected = s.shares(i)
            if not s.hashing or not pool.alive:
                status = "offline"
            else:
                status = "active" if i == s.current_pool() else "working"
            pools.append(
                {
                    "id": i,
                    "url": pool.url,
                    "user": pool.user,
                    "pool_type": "UserPool",
                    "status": status,
                    "accepted": accepted,
                    "rejected": rejected,
                    "stale": 0,
                    "diff": "65.5K",
                    "diffa": 65536.0,
                    "ls_diff": 65536.0,
                    "ls_time": "0:00:04",
                    "ping": 23,
                    "asic_boost": True,
                }
            )
        pools.append(
            {
                "id": len(pools),
                "url": DEVFEE_URL,
                "user": "anthill.devfee",
                "pool_type": "DevFee",
                "status": "working" if s.hashing else "offline",
                "accepted": 0,
                "rejected": 0,
                "stale": 0,
                "diff": "65.5K",
                "diffa": 65536.0,
                "ls_diff": 0.0,
                "ls_time": "0",
                "ping": 31,
                "asic_boost": True,
            }
        )
        return pools

    def _summary(self) -> dict[str, Any]:
        s = self.state
        spec = s.spec
        ghs = round(s.hashrate * 1000, 2)
        chains = [self._chain(i, rate) for i, rate in enumerate(s.board_hashrates())]
        efficiency = round(s.power / s.hashrate, 1) if s.hashrate else 0.0
        rpms = s.fan_rpms()
        preset = s.power_limit or spec.nominal_power
        miner: dict[str, Any] = {
            "miner_type": self.type_name,
            "miner_status": self._miner_status(),
            "hr_realtime": ghs,
            "hr_average": ghs,
            "hr_nominal": round(self.preset_hashrate(preset) * 1000, 2) if s.hashing else 0.0,
            "hr_stock": spec.nominal_hashrate * 1000,
            "hr_error": 0.0,
            "instant_hashrate": ghs * 1000,  # deprecated, MH/s
            "average_hashrate": ghs * 1000,
            "power_consumption": round(s.power),
            "power_efficiency": efficiency,
            "power_usage": round(efficiency),  # deprecated alias of the efficiency
            "hw_errors": 0,
            "hw_errors_percent": 0.0,
            "found_blocks": 0,
            "best_share": 123456789,
            "devfee": 2.8,
            "devfee_percent": 2.8,
            "chip_temp": {
                "min": min(c["chip_temp"]["min"] for c in chains),
                "max": max(c["chip_temp"]["max"] for c in chains),
            },
            "pcb_temp": {
                "min": min(c["pcb_temp"]["min"] for c in chains),
                "max": max(c["pcb_temp"]["max"] for c in chains),
            },
            "cooling": {
                "fan_num": spec.fans,
                "fan_duty": s.fan_percent() if rpms else 0,
                "fans": [
                    {"id": i + 1, "rpm": rpm, "max_rpm": FAN_MAX_RPM, "status": "ok"}
                    for i, rpm in enumerate(rpms)
                ],
                # 1.3 describes the mode with its parameter (FanSettingsMode); 1.2 without.
                "settings": {"mode": self.summary_fan_mode()},
            },
            "chains": chains,
            "pools": self._pools(),
        }
        if self.v1_3:
            miner["restart_count"] = s.backend_restarts
        return {"miner": miner}

    def _status(self) -> dict[str, Any]:
        now = self.state.now()
        return {
            **self._miner_status(),
            "find_miner": self.state.fault_light,
            "restart_required": False,
            "reboot_required": False,
            "unlocked": False,  # this request carried no token
            "unlock_timeout": math.ceil(self.locked_until - now)
            if now < self.locked_until
            else None,
            "warranty": "not_provided",
        }

    def _chip_boards(self) -> list[dict[str, Any]]:
        s = self.state
        boards = []
        for index, rate in enumerate(s.board_hashrates()):
            n = s.spec.chips_per_board
            per_chip = round(rate * 1000 / n, 3) if n else 0.0
            chip_temp = round(s.chip_temperature(index))
            failed = self._board_error(index)
            boards.append(
                {
                    "id": index + 1,
                    "freq": float(self.profile.frequency),
                    "hr_nominal": round(s.spec.nominal_hashrate / s.spec.boards * 1000, 2),
                    "hr_realtime": round(rate * 1000, 2),
                    "status": {
                        "state": "failure" if failed else ("mining" if s.hashing else "stopped"),
                        "failure_message": failed,
                    },
                    "sensors": [
                        {"board": index, "chip": c, "loc": c, "state": "measure"}
                        for c in (0, n // 2, n - 1)
                    ],
                    "chips": [
                        {
                            "id": c,
                            "freq": self.profile.frequency,
                            "volt": 1320,
                            "hr": per_chip,
                            "temp": float(chip_temp - (c % 3)),
                            "errs": 0,
                            "grade": "grey",
                            "throttled": False,
                        }
                        for c in range(n)
                    ],
                }
            )
        return boards

    async def _get_presets(self, request: web.Request) -> web.Response:
        items = []
        for preset in self.profile.presets:
            hashrate = self.preset_hashrate(preset.watts)
            item: dict[str, Any] = {
                "name": str(preset.watts),
                "pretty": f"{preset.watts} watt ~ {round(hashrate)} TH{preset.suffix}",
                "status": "tuned" if preset.tuned else "untuned",
                "modded_psu_required": preset.watts > self.state.spec.max_power,
            }
            if preset.tuned:
                item["tune_settings"] = {
                    "freq": self.profile.frequency,
                    "volt": 1320,
                    "hashrate": round(hashrate * 1000),
                    "modified": False,
                    "chains": [
                        {"serial": None, "freq": self.profile.frequency, "chips": []}
                        for _ in range(self.state.spec.boards)
                    ],
                }
            items.append(item)
        return web.json_response(items)

    def _settings(self) -> dict[str, Any]:
        s = self.state
        return {
            "miner": {
                "overclock": {
                    "preset": self.preset_name,
                    "modded_psu": False,
                    "globals": {"freq": 0, "volt": 0},
                    "chains": [
                        {"freq": 0, "disabled": False, "chips": None} for _ in range(s.spec.boards)
                    ],
                    "preset_switcher": {"enabled": False, "top_preset": None},
                },
                "pools": [
                    {"url": p.url, "user": p.user, "pass": p.password}
                    for i, p in enumerate(s.pools)
                ],
                "cooling": {"mode": self.settings_fan_mode(), "fan_min_count": s.spec.fans},
                "misc": {"asic_boost": True, "restart_hashrate": 0, "quiet_mode": False},
            },
            "network": {
                "dhcp": True,
                "hostname": s.hostname,
                "ipaddress": self.host,
                "netmask": "255.255.255.0",
                "gateway": "192.0.2.1",
                "dnsservers": ["192.0.2.1"],
            },
            "ui": {"locale": "en", "theme": "dark", "timezone": "GMT"},
            "regional": {"timezone": {"current": "GMT"}},
            "layout": None,
        }

    async def _get_settings(self, request: web.Request) -> web.Response:
        return web.json_response(self._settings())
