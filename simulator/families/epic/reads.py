"""The GET bodies of the API on 4028: ``summary``, ``capabilities``, ``temps``,
``network``.
"""

from __future__ import annotations

import time
from typing import Any

from .base import FAN_SLOTS, EpicBase, _host_port


class EpicReads(EpicBase):
    def _summary(self) -> dict[str, Any]:
        s = self.state
        spec = s.spec
        per_board = spec.nominal_hashrate / spec.boards if spec.boards else 0.0
        boards = []
        load = s.power / spec.nominal_power
        for i, rate in enumerate(s.board_hashrates()):
            percent = round(rate / per_board * 100, 1) if per_board else 0.0
            boards.append(
                {
                    "Index": i,
                    "Hashrate": [round(rate * 1_000_000, 1), percent],
                    "Temperature": s.board_temperature(i),
                    "Core Clock": [],
                    "Core Clock Avg": round(500 * load, 1) if s.hashing else 0.0,
                    "Input Voltage": 12.6,
                    "Input Current": 0.0,
                    "Input Power": 0.0,
                    "Output Voltage": 0.0,
                    "Output Current": 0.0,
                    "Output Power": 0.0,
                }
            )
        fans: dict[str, int | None] = {f"Fans Speed {n}": None for n in range(1, FAN_SLOTS + 1)}
        for n, rpm in enumerate(s.fan_rpms(), start=1):
            fans[f"Fans Speed {n}"] = rpm
        accepted, rejected = s.session_shares()
        current = s.current_pool()
        pool = s.pools[s.pool_order()[0] if current is None else current] if s.pools else None
        option = next(o for o in self._algorithms() if o["algorithm"] == self.tune_algorithm)
        algorithm = {
            "Target": self.tune_target,
            "Optimized": s.hashing,
            "Unit": "W" if self.tune_algorithm == self.hardware.power_algorithm else "TH/s",
            "Throttle Step": 5,
            "Min Throttle Target": option["min"],
            "Throttle Target": None,
        }
        last_error: Any = None
        if s.errors:
            code, message = s.errors[-1]
            last_error = {code: message} if message else code
        return {
            "Hostname": s.hostname,
            "Software": f"PowerPlay-BMS v{s.firmware_version}",
            "OS Type": "umcOS",
            "Mining": {"Coin": "BTC", "Algorithm": "SHA-256"},
            "PresetInfo": {"Target Power": spec.nominal_power},
            "Status": {
                "Operating State": "Mining" if s.hashing else "Idling",
                "Last Error": last_error,
                "Last Command": None,
                "Last Command Result": None,
            },
            "Power Supply Stats": {
                "Input Power": s.power,
                "Input Voltage": 230.0,
                "Input Current": round(s.power / 230.0, 2),
                "Output Power": round(s.power * 0.94, 1),
                "Output Voltage": 12.6,
                "Output Current": round(s.power * 0.94 / 12.6, 2),
                "Target Voltage": 12600,
            },
            "HBStatus": [
                {"Index": i, "Detected": True, "Enabled": True} for i in range(spec.boards)
            ],
            "HBs": boards,
            "Fans": {
                "Fan Mode": {"Auto": {"Target Temperature": 60, "Idle Speed": 20}},
                "Fans Speed": 100 if s.hashing else 20,
                "Minimum Working Fans": 0,
            },
            "Fans Rpm": fans,
            "Misc": {
                "Locate Miner State": s.fault_light,
                "Shutdown Temp": 85.0,
                "Critical Temp": 100.0,
            },
            "Session": {
                "Startup Timestamp": int(s.boot_time),
                "Startup String": time.strftime(
                    "%a, %d %b %Y %H:%M:%S +0000", time.gmtime(s.boot_time)
                ),
                "Uptime": s.uptime,
                "Accepted": accepted,
                "Rejected": rejected,
                "Submitted": accepted + rejected,
                "Active HBs": spec.boards if s.hashing else 0,
                "Average MHs": round(s.hashrate * 1_000_000, 1),
                "Difficulty": 65536.0,
                "WorkReceived": accepted // 3,
                "Last Accepted Share Timer": 12,
                "Last Accepted Share Timestamp": int(s.now()) - 12,
                "Last Work Timer": 20,
                "Last Work Timestamp": int(s.now()) - 20,
                "LastAverageMHs": {
                    "Hashrate": round(s.hashrate * 1_000_000, 1),
                    "Timestamp": int(s.now()) // 3600 * 3600,
                },
            },
            "Stratum": {
                "Config Id": 0,
                "Current Pool": _host_port(pool.url) if pool else "",
                "Current User": pool.user if pool else "",
                "IsPoolConnected": bool(pool and pool.alive and s.hashing),
                "Average Latency": 0.04,
                "Worker Unique Id": False,
                "Worker Unique Id Variant": "IpAddress",
            },
            "StratumConfigs": [
                {"pool": p.url, "login": p.user, "password": p.password} for p in s.pools
            ],
            "PerpetualTune": {
                "Running": self.tune_running,
                "Algorithm": {self.tune_algorithm: algorithm},
            },
            "HwConfig": {"Boards Target Clock": []},
            "IdleOnConnectionLost": True,
            "Disable Board On Failure": True,
            "Enable Boards On Idle": False,
            "Overdrive": False,
            "Last License Error": None,
        }

    def _capabilities(self) -> dict[str, Any]:
        s = self.state
        spec = s.spec
        return {
            "Model": self.hardware.model,
            "Model Subtype": self.hardware.subtype,
            "Miner Serial Number": s.serial,
            "Board Serial Numbers": [f"{s.serial}B{i}" for i in range(spec.boards)],
            "Default Hashrate": int(spec.nominal_hashrate),
            "Default Voltage": 12900,
            "Default Clock": 500,
            "Chips Per Bank": 10,
            "Chip Type": "BM1366",
            "Psu Info": {"FW": 25, "Max Vout": 15182, "Min Vout": 11877, "PSU Type": 118},
            "Voltage Estimator": {"Slope": 0.0041, "Y Intercept": 11.0},
            "Max HBs": spec.boards,
            "Max Clock Configs": 1,
            "Coins": ["BTC"],
            "Display": ["ClksAndVoltage", "ShutdownTemp", "PerpetualTune"],
            "Performance Estimator": {
                "Chip Count": spec.chips_per_board,
                "Hashes Per Second Per Chip": 900.0,
            },
            "PerpetualTune": self._algorithms(),
            "Tune Presets": [],
            "Temp Sensor Info": {"Count": 2, "Type": "Board"},
            "Control Board Version": {
                "cpuHardware": self.hardware.cpu,
                "cpuSerial": s.serial.lower(),
                "somBoardVersion": "7.1.0",
                "carrierBoardVersion": "4.1.0",
            },
        }

    def _temps(self) -> list[dict[str, Any]]:
        """Two board sensors per slot, as ``/temps`` lists them (asic-rs ePIC capture)."""
        s = self.state
        return [
            {
                "Data": [round(s.board_temperature(i) - 22, 3), s.board_temperature(i)],
                "Index": i,
                "Total": 0.0,
            }
            for i in range(s.spec.boards)
        ]

    def _network(self) -> dict[str, Any]:
        return {
            "dhcp": {
                "address": self.host,
                "netmask": "255.255.255.0",
                "gateway": "127.0.0.1",
                "dns": "127.0.0.1",
                "mac_address": self.state.mac,
            }
        }
