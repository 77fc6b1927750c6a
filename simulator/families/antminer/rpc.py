"""bmminer RPC on 4028: NUL-terminated replies, numbers as strings, an empty fourth
chain slot, multicommands refused, and on the S9 the missing comma between STATS items.
"""

from __future__ import annotations

import json
import time
from typing import Any

from ... import cgminer
from .base import DESCRIPTION, AntminerBase, _pool_extra, _refusal


class AntminerRpc(AntminerBase):
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
        # X19 bmminer sends numbers; the S9's sends the 5 s rate as a string.
        rate: Any = f"{ghs:.2f}" if self.legacy else ghs
        item = {"Elapsed": s.uptime, "GHS 5s": rate, "GHS 30m": ghs, "GHS av": ghs}
        item |= self.summary_counters()
        return self._encode(cgminer.reply("SUMMARY", [item], "Summary", 11, DESCRIPTION))

    def summary_counters(self) -> dict[str, Any]:
        """The ``SUMMARY`` fields after the rates, which bmminer's forks share."""
        s = self.state
        ghs = round(s.hashrate * 1000, 2)
        accepted, rejected = s.shares(0)
        return {
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
        accepted, rejected = s.session_shares()
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
