"""btminer's cgminer-style reads on 4028 (API v1/v2): ``summary``, ``devs``, ``pools``.

They combine as ``a+b+c`` on one connection, as pyasic reads real units. Quirks: a
trailing comma after the last board in ``devs``, the firmware version in single quotes
in ``summary``, ``Power: -1`` (``power_unknown``); API 1.x carries cgminer's long
records, with the error codes counted and numbered in ``summary``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from ... import cgminer
from ...cgminer import PoolRow
from .base import WhatsminerBase

DESCRIPTION = "cgminer 4.9.2"


class CgminerReads(WhatsminerBase):
    @staticmethod
    def _encode(payload: dict[str, Any]) -> bytes:
        return cgminer.encode(payload, nul=False)

    def _version(self) -> bytes:
        item = {"BTMiner": self.profile.api, "API": self.profile.api}
        return self._encode(cgminer.version_reply(item, "BTMiner versions", DESCRIPTION))

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
        return self._encode(cgminer.reply("DEVDETAILS", details, "Device Details", 69, DESCRIPTION))

    def _summary(self) -> bytes:
        summary = self._summary_v1() if self.profile.v1 else self._summary_v2()
        return self._encode(cgminer.reply("SUMMARY", [summary], "Summary", 11, DESCRIPTION))

    def _summary_v2(self) -> dict[str, Any]:
        s = self.state
        mhs = round(s.hashrate * 1_000_000, 2)
        fans = s.fan_rpms()
        chip = [self.chip_temps(i) for i in range(s.spec.boards)]
        return {
            "Elapsed": s.uptime,
            **cgminer.rates(mhs, *cgminer.WINDOWS),
            "HS RT": mhs,
            "Accepted": s.session_shares()[0],
            "Rejected": s.session_shares()[1],
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
        accepted, rejected = s.session_shares()
        summary: dict[str, Any] = {
            "Elapsed": s.uptime,
            **cgminer.rates(mhs, *cgminer.WINDOWS),
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
                    "Accepted": s.session_shares()[0] // s.spec.boards,
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
                    "Difficulty Accepted": float((s.session_shares()[0] // s.spec.boards) * 65536),
                    "Difficulty Rejected": 0.0,
                    "Last Share Difficulty": 65536.0 if s.hashing else 0.0,
                    "Last Valid Work": int(time.time()) if s.hashing else 0,
                    "Device Hardware%": 0.0,
                    "Device Rejected%": 0.0,
                    "Upfreq Complete": 1,
                }
        text = json.dumps(cgminer.reply("DEVS", devs, f"{len(devs)} ASC(s)", 9, DESCRIPTION))
        end = text.rfind("}]")  # btminer leaves a comma after the last board's last member
        return (text[:end] + ",}]" + text[end + 2 :]).encode()

    def _pools_v2(self) -> bytes:
        def extra(row: PoolRow) -> dict[str, Any]:
            common = {"Priority": row.priority, "Quota": 1, "Get Failures": 0}
            if not self.profile.v1:
                return common
            return common | {
                "Long Poll": "N",
                "Getworks": 950 if row.accepted else 0,
                "Works": row.accepted * 34000,
                "Discarded": 0,
                "Stale": 0,
                "Remote Failures": 0,
                "Last Share Time": int(time.time()) if row.accepted else 0,
                "Diff1 Shares": row.accepted * 268,
                "Proxy Type": "",
                "Proxy": "",
                "Difficulty Accepted": float(row.accepted * 65536),
                "Difficulty Rejected": float(row.rejected * 65536),
                "Difficulty Stale": 0.0,
                "Last Share Difficulty": 65536.0 if row.accepted else 0.0,
                "Work Difficulty": 0.0,
                "Has Stratum": True,
                "Stratum URL": row.stratum_host,
                "Stratum Difficulty": 65536.0 if row.active else 0.0,
                "Has GBT": False,
                "Best Share": 41127493 if row.accepted else 0,
                "Pool Rejected%": 0.0,
                "Pool Stale%": 0.0,
                "Bad Work": 0,
                "Current Block Height": 920127 if row.accepted else 0,
                "Current Block Version": 536870912 if row.accepted else 0,
            }

        records = cgminer.pool_records(self.state, extra, first=1)  # btminer counts from 1
        return self._encode(cgminer.pools_reply(records, DESCRIPTION))
