"""SealMiner A2: bdminer 4.11.1's cgminer-style RPC on 4028.

As the asic-rs capture of firmware 2025091001 shows: ``version`` carries only
``BDMiner`` and ``API``; ``stats`` is one object with the miner's identity, PSU,
fans (``<n> Speed``) and boards by number (``<n> MHS(Sample)``, ``<n> Temp 0..3``),
rates in MH/s; ``summary`` and ``pools`` are cgminer 4.x's with bdminer's extra pool
fields. The web UI (``login.php``) is not simulated: the driver reads none of it.
"""

from __future__ import annotations

import time
from typing import Any

from ... import cgminer
from ...cgminer import PoolRow
from ...miner import SimMiner
from ...models import models_of
from ...servers.base import Server
from ...servers.tcp import RpcServer
from .. import register

DESCRIPTION = "bdminer 4.11.1"
CONTROL_BOARD = "taurus_air_v1.1"


def _pool_extra(row: PoolRow) -> dict[str, Any]:
    accepted, rejected = row.accepted, row.rejected
    return {
        "Priority": row.index,
        "Quota": 1,
        "Long Poll": "N",
        "Getworks": accepted,
        "Works": accepted * 100,
        "Discarded": 0,
        "Stale": 0,
        "Get Failures": 0,
        "Remote Failures": 0,
        "Last Share Time": int(time.time()) if accepted else 0,
        "Diff1 Shares": accepted * 65536,
        "Proxy Type": "",
        "Proxy": "",
        "Difficulty Accepted": float(accepted * 65536),
        "Difficulty Rejected": float(rejected * 65536),
        "Difficulty Stale": 0.0,
        "Last Share Difficulty": 65536.0,
        "Work Difficulty": 65536.0,
        "Has Stratum": True,
        "Stratum URL": row.pool.url.split("://")[-1].split(":")[0],
        "Stratum Difficulty": 65536.0,
        "Has Vmask": True,
        "Has GBT": False,
        "Best Share": 0,
        "Pool Rejected%": 0.0,
        "Pool Stale%": 0.0,
        "Bad Work": 0,
        "Current Block Height": 941000,
        "Current Block Version": 536870912,
    }


def _encode(payload: dict[str, Any]) -> bytes:
    """bdminer's replies: compact, no NUL, a newline at the end (as captured)."""
    return cgminer.encode(payload, nul=False, compact=True) + b"\n"


@register
class SealSim(SimMiner):
    family = "sealminer"
    models = models_of("sealminer")

    def build_servers(self) -> list[Server]:
        return [RpcServer(self.host, self.ports.rpc, self.state, self.handle_rpc)]

    async def handle_rpc(self, request: str) -> bytes:
        builders = {
            "version": self._version,
            "summary": self._summary,
            "stats": self._stats,
            "pools": self._pools,
        }
        return cgminer.answer(request, builders, DESCRIPTION, _encode)

    def _version(self) -> dict[str, Any]:
        item = {"BDMiner": "4.11.1", "API": "3.7"}
        return cgminer.version_reply(item, "BDMiner versions", DESCRIPTION)

    def _summary(self) -> dict[str, Any]:
        accepted, rejected = self.state.shares(0)
        item = cgminer.summary_item(self.state, 34.0) | {"Work Utility": 0.0}
        item |= {"Difficulty Accepted": float(accepted * 65536)}
        item |= {"Difficulty Rejected": float(rejected * 65536), "Difficulty Stale": 0.0}
        item |= {"Best Share": 0, "Device Hardware%": 0.0, "Device Rejected%": 0.0}
        item |= {"Pool Rejected%": 0.0, "Pool Stale%": 0.0, "Last getwork": int(time.time())}
        return cgminer.reply("SUMMARY", [item], "Summary", 11, DESCRIPTION)

    def _pools(self) -> dict[str, Any]:
        return cgminer.pools_reply(cgminer.pool_records(self.state, _pool_extra), DESCRIPTION)

    def _stats(self) -> dict[str, Any]:
        s, spec = self.state, self.state.spec
        mhs = s.hashrate * 1_000_000
        ideal = spec.nominal_hashrate * 1_000_000
        item: dict[str, Any] = {"STATS": 0, "ID": "A20", "Elapsed": s.uptime, "Calls": 0}
        item |= {"Wait": 0.0, "Max": 0.0, "Min": 99999999.0, "Model": spec.model}
        item |= {"ASIC": "Seal02-V1", "Firmware": s.firmware_version}
        item |= {"Software Version": "4.11.1-08690-gd309fbe0", "IP": self.host, "MAC": s.mac}
        item |= {"Ctrl Board": CONTROL_BOARD, "Ctrl Board SN": s.serial, "Debug": False}
        item |= {"PM State": "Running" if s.hashing else "Idle", "BIN Version": 1}
        item |= {"BIN Number": 24, "Chip Count": spec.chips_per_board * spec.boards}
        item |= {"Bad Chip Count": 0, "Mining Mode": "Normal", "Temp": 70, "Error Chip": ""}
        item |= {"Stratum Disconnect": False, "Error Code": "", "Boot Time": 220.5}
        item |= {"Boot Temp": 39, "Coarse Tune Time": 620.1, "Fine Tune Time": 86.2}
        item |= {"Tune Status": "Fine Tuning Done", "Tune Time": 710.4}
        item |= {"Raise Freq Done Reason": "Input Power Limit", "Raise Freq Done": True}
        item |= {"Raise Freq Time": 570.2, "Fast Raise Freq": False, "Liquid Cooling": False}
        item |= {"System Uptime": s.uptime, "Target Ctrl Temp": 70, "MHS(Rated)": ideal}
        item |= {"Hashrate Boost Ratio": 0.0, "Profit Boost Ratio": 0.0}
        item |= {"Current Electric Price": 0.04, "Current BTC Price": 30000.0}
        item |= {"Current Network Hashrate": 339810000, "Current Block Reward": 6.58}
        item |= {"Profit Dayli": 0.0, "Power Limit": s.effective_power_limit}
        item |= {"Total Energy Consumption": 4.1, "Boot Count": 1, "MHS(Ideal)": ideal}
        item |= {"Freq": 346, "MHS(Sample)": mhs}
        item |= {f"MHS({w})": mhs for w in ("30s", "1m", "2m", "5m", "15m", "30m", "1h", "2h")}
        item |= {"MHS(Avg)": mhs} | self._psu() | self._fans() | self._boards()
        return cgminer.reply("STATS", [item], "BDMiner stats", 70, DESCRIPTION)

    def _psu(self) -> dict[str, Any]:
        power = round(self.state.power)
        return {
            "PSU Model": "BTPSU04KSA-03.00",
            "PSU Firmware": "222121",
            "PSU Error": "0x00000000",
            "PSU SN": "3C250000001",
            "PSU Input Voltage": 240.0,
            "PSU Output Voltage": 15.6,
            "PSU Output Current": round(power * 0.92 / 15.6, 1),
            "PSU Input Power": power,
            "PSU Output Power": round(power * 0.92),
            "PSU Fan Speed": 4400,
            "PSU Temp AMB": 26,
            "PSU Efficiency": 0.92,
            "Chip Voltage": 307,
        }

    def _fans(self) -> dict[str, Any]:
        rpms = self.state.fan_rpms()
        fields: dict[str, Any] = {"Fan Count": len(rpms)}
        for n, rpm in enumerate(rpms):
            fields |= {f"{n} PWM": 100, f"{n} Speed": rpm}
        return fields

    def _boards(self) -> dict[str, Any]:
        s, spec = self.state, self.state.spec
        fields: dict[str, Any] = {"Board Count": spec.boards}
        ideal = spec.nominal_hashrate * 1_000_000 / max(spec.boards, 1)
        for n, rate in enumerate(s.board_hashrates()):
            top = round(s.board_temperature(n))
            fields |= {f"{n} SN": f"S1246{n:011d}", f"{n} Online": True}
            fields |= {f"{n} Chip Count": spec.chips_per_board, f"{n} Bad Chip Count": 0}
            fields |= {f"{n} Tune Status": "Fine Tuning Done", f"{n} MHS(Ideal)": ideal}
            fields |= {f"{n} Freq": 346, f"{n} MHS(Sample)": rate * 1_000_000}
            temps = (top - 15, top - 18, top, top - 1)
            fields |= {f"{n} Temp {i}": t for i, t in enumerate(temps)}
        return fields
