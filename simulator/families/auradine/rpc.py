"""gcminer's RPC: version, devdetails, summary, devs, pools (MH/s)."""

from __future__ import annotations

from typing import Any

from ... import cgminer
from ...miner import SimMiner

GCMINER = "GCMiner-0.5-sim"


class GcminerRpc(SimMiner):
    async def handle(self, request: str) -> bytes | None:
        parsed = cgminer.parse_request(request)
        if parsed is None:
            return None
        handler = {
            "version": self._version,
            "devdetails": self._devdetails,
            "summary": self._summary,
            "devs": self._devs,
            "pools": self._pools,
        }.get(parsed.command)
        if handler is None:
            reply = cgminer.error("Invalid command", cgminer.INVALID_COMMAND, GCMINER)
        else:
            reply = handler()
        return cgminer.encode(reply)

    def _version(self) -> dict[str, Any]:
        return cgminer.version_reply({"API": "1.0", "GCMiner": "0.5"}, "GCMiner versions", GCMINER)

    def _devdetails(self) -> dict[str, Any]:
        details = {
            "DEVDETAILS": 0,
            "Name": "GCM",
            "ID": 0,
            "Driver": "gcminer",
            "Model": self.state.spec.model,
            "Device Path": "",
        }
        return cgminer.reply("DEVDETAILS", [details], "Device Details", 69, GCMINER)

    def _summary(self) -> dict[str, Any]:
        s = self.state
        mhs = s.hashrate * 1_000_000
        accepted, rejected = s.shares(0)
        item = {
            "Accepted": accepted,
            "Difficulty Accepted": accepted * 65536,
            "Difficulty Rejected": rejected * 65536,
            "Elapsed": s.uptime,
            "Hardware Errors": 0,
            "Last getwork": 0,
            **cgminer.rates(mhs, "15m", "1m", "5m", "5s", "av"),
            "Rejected": rejected,
            "Total MH": mhs * s.uptime,
            "Utility": 3.5,
        }
        return cgminer.reply("SUMMARY", [item], "Summary", 11, GCMINER)

    def _devs(self) -> dict[str, Any]:
        s = self.state
        devs = [
            {
                "DEV": board + 1,
                "Enabled": True,
                "ID": board + 1,
                "MHS 5s": rate * 1_000_000,
                "Name": "ASICBoard",
                "Status": "Alive",
                "Temperature": s.board_temperature(board),
            }
            for board, rate in enumerate(s.board_hashrates())
        ]
        return cgminer.reply("DEVS", devs, f"{len(devs)} Dev(s)", 9, GCMINER)

    def _pools(self) -> dict[str, Any]:
        def extra(row: cgminer.PoolRow) -> dict[str, Any]:
            return {"Priority": row.index, "Quota": 1}

        return cgminer.pools_reply(cgminer.pool_records(self.state, extra), GCMINER)
