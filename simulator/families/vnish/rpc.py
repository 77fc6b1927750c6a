"""bmminer RPC on 4028 (Antminer layout): ``version``, ``summary``, ``stats``, ``pools``;
multicommands refused, as bmminer does.
"""

from __future__ import annotations

from typing import Any

from ... import cgminer
from .base import RPC_DESCRIPTION, VnishBase


class VnishRpc(VnishBase):
    async def handle_rpc(self, request: str) -> bytes:
        parsed = cgminer.parse_request(request)
        if parsed is None:
            return self._encode(cgminer.error("Invalid JSON", 23, RPC_DESCRIPTION))
        builder = {
            "version": self._rpc_version,
            "summary": self._rpc_summary,
            "stats": self._rpc_stats,
            "pools": self._rpc_pools,
        }.get(parsed.command)
        if builder is None:  # bmminer also refuses `a+b` multicommands this way
            return self._encode(cgminer.error("Invalid command", 14, RPC_DESCRIPTION))
        return self._encode(builder())

    @staticmethod
    def _encode(payload: dict[str, Any]) -> bytes:
        return cgminer.encode(payload)

    def _rpc_version(self) -> dict[str, Any]:
        item = {
            "BMMiner": "1.0.0",
            "API": "3.1",
            "Miner": self.release,
            "CompileTime": "Thu Mar 14 10:21:07 UTC 2024",
            "Type": self.type_name,
        }
        return cgminer.version_reply(item, "BMMiner versions", RPC_DESCRIPTION)

    def _rpc_summary(self) -> dict[str, Any]:
        s = self.state
        ghs = round(s.hashrate * 1000, 2)
        accepted, rejected = s.session_shares()
        item = {
            "Elapsed": s.uptime,
            "GHS 5s": f"{ghs:.2f}",
            "GHS av": ghs,
            "Accepted": accepted,
            "Rejected": rejected,
            "Hardware Errors": 0,
        }
        return cgminer.reply("SUMMARY", [item], "Summary", 11, RPC_DESCRIPTION)

    def _rpc_stats(self) -> dict[str, Any]:
        s = self.state
        spec = s.spec
        info: dict[str, Any] = {
            "STATS": 0,
            "ID": "BC50",
            "Elapsed": s.uptime,
            "GHS 5s": f"{s.hashrate * 1000:.2f}",
            "rate_unit": "GH",
            "total_rateideal": spec.nominal_hashrate * 1000,
            "fan_num": spec.fans,
            "chain_num": spec.boards,
        }
        info |= cgminer.fan_fields(s.fan_rpms())
        for i, rate in enumerate(s.board_hashrates()):
            info[f"chain_acn{i + 1}"] = spec.chips_per_board
            info[f"chain_rate{i + 1}"] = f"{rate * 1000:.2f}"
            info[f"temp_chip{i + 1}"] = str(round(s.chip_temperature(i)))
            info[f"temp_pcb{i + 1}"] = str(round(s.board_temperature(i)))
        head = {"BMMiner": "1.0.0", "Miner": self.release, "Type": self.type_name}
        return cgminer.reply("STATS", [head, info], "CGMiner stats", 70, RPC_DESCRIPTION)

    def _rpc_pools(self) -> dict[str, Any]:
        return cgminer.pools_reply(cgminer.pool_records(self.state), RPC_DESCRIPTION)
