"""btminer API v3 on 4433: length-prefixed JSON frames, ``get.*`` reads and signed
``set.*`` writes (account ``super``; a token from the command, password, salt and ts).
"""

from __future__ import annotations

import json
import time
from typing import Any

from ...state import SimPool
from .base import _MODES, ERROR_TIME, TS_WINDOW, WhatsminerBase
from .crypto import unseal, v3_hash, v3_token


class WhatsminerV3(WhatsminerBase):
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
        current, order = self.state.current_pool(), self.state.pool_order()
        return [
            {
                "id": i,
                "url": pool.url,
                "account": pool.user,
                "status": "alive" if pool.alive else "dead",
                "stratum-active": i == current,
                "pool-priority": order.index(i),
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
            s.pool_choice = 0
        else:
            return self._v3(cmd, "invalid command", -1)
        return self._v3(cmd, "ok")
