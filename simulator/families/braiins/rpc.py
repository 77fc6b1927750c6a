"""bosminer's cgminer-style RPC on 4028: joined multicommands, compact JSON, no NUL.

On the GraphQL releases ``bosminer.stop`` stops the bosminer process, so nothing
answers on 4028 until ``bosminer.start``; the REST release pauses mining while bosminer
keeps running. RPC still reports "BOSminer" rather than "BOSer" on 21.09.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import cgminer
from ...cgminer import PoolRow
from .base import BraiinsBase


def _pool_extra(row: PoolRow) -> dict[str, Any]:
    return {"Priority": row.priority, "Quota": 1, "Get Failures": 0, "Remote Failures": 0}


class BraiinsRpc(BraiinsBase):
    @property
    def _description(self) -> str:
        return f"{self.release.rpc_key} {self.release.rpc_name}"

    async def handle_rpc(self, request: str) -> bytes | None:
        if not self.bosminer_running:
            return None  # bosminer is stopped: nothing answers on 4028
        parsed = cgminer.parse_request(request)
        if parsed is None:
            return self._encode(self._error("Invalid JSON", cgminer.INVALID_JSON))
        if parsed.joined:
            return self._encode(cgminer.join({n: self._reply(n) for n in parsed.names}))
        return self._encode(self._reply(parsed.command))

    def _encode(self, payload: dict[str, Any]) -> bytes:
        return cgminer.encode(payload, nul=False, compact=True)

    def _error(self, msg: str, code: int) -> dict[str, Any]:
        return cgminer.error(msg, code, self._description)

    def _reply(self, command: str) -> dict[str, Any]:
        builder: Callable[[], dict[str, Any]] | None = {
            "version": self._version,
            "summary": self._summary,
            "devs": self._devs,
            "devdetails": self._devdetails,
            "temps": self._temps,
            "fans": self._fans,
            "tunerstatus": self._tunerstatus,
            "pools": self._pools,
            "pause": lambda: self._pause(True),
            "resume": lambda: self._pause(False),
        }.get(command)
        if builder is None:
            return self._error(f"Invalid command: {command}", cgminer.INVALID_COMMAND)
        return builder()

    def _wrap(self, msg: str, code: int, key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        return cgminer.reply(key, items, msg, code, self._description)

    def _version(self) -> dict[str, Any]:
        item = {self.release.rpc_key: self.release.rpc_name, "API": "3.7"}
        return self._wrap(f"{self.release.rpc_key} versions", 22, "VERSION", [item])

    def _summary(self) -> dict[str, Any]:
        s = self.state
        mhs = s.hashrate * 1e6
        accepted, rejected = s.session_shares()
        item = {
            "Elapsed": s.uptime,
            **cgminer.rates(mhs, *cgminer.WINDOWS),
            "Accepted": accepted,
            "Rejected": rejected,
            "Hardware Errors": 0,
            "Found Blocks": 0,
        }
        return self._wrap("Summary", 11, "SUMMARY", [item])

    def _devs(self) -> dict[str, Any]:
        s = self.state
        nominal = s.spec.nominal_hashrate * 1e6 / s.spec.boards
        devs = []
        for i, (chain, rate) in enumerate(zip(self.chain_ids, s.board_hashrates(), strict=True)):
            mhs = rate * 1e6
            devs.append(
                {
                    "ASC": i,
                    "ID": chain,
                    "Name": "BC5",
                    "Enabled": "Y",
                    "Status": "Alive",
                    **cgminer.rates(mhs, *cgminer.WINDOWS),
                    "Nominal MHS": nominal,
                    "Hardware Errors": 0,
                }
            )
        return self._wrap(f"{len(devs)} ASC(s)", 9, "DEVS", devs)

    def _devdetails(self) -> dict[str, Any]:
        spec = self.state.spec
        items = [
            {
                "DEVDETAILS": i,
                "ID": chain,
                "Name": f"Hash Chain {chain}",
                "Driver": "",
                "Kernel": "",
                "Model": self._model_name(),
                "Device Path": "",
                "Chips": spec.chips_per_board,
                "Cores": spec.chips_per_board * 114,
                "Frequency": self._frequency_hz(i),
                "Voltage": 8.4 if spec.model == "S9" else 13.2,
            }
            for i, chain in enumerate(self.chain_ids)
        ]
        return self._wrap("Device Details", 69, "DEVDETAILS", items)

    def _temps(self) -> dict[str, Any]:
        s = self.state
        items = [
            {
                "TEMP": i,
                "ID": chain,
                "Board": s.board_temperature(i),
                "Chip": s.chip_temperature(i),
            }
            for i, chain in enumerate(self.chain_ids)
        ]
        return self._wrap(f"{len(items)} Temp(s)", 201, "TEMPS", items)

    def _fans(self) -> dict[str, Any]:
        items = [
            {"FAN": i, "ID": i, "RPM": rpm, "Speed": 100 if rpm else 0}
            for i, rpm in enumerate(self._fan_slots())
        ]
        return self._wrap(f"{len(items)} Fan(s)", 202, "FANS", items)

    def _chain_status(self, position: int) -> str:
        errors = self.state.errors
        if position < len(errors):
            code, msg = errors[position]
            return f"{msg} {{code: {code}}}"
        return "Stable"

    def _tunerstatus(self) -> dict[str, Any]:
        s = self.state
        boards = s.spec.boards
        chains = [
            {
                "HashchainIndex": chain,
                "Iteration": 0,
                "LoadedProfileCreatedOn": int(s.boot_time),
                "ApproximatePowerConsumptionWatt": round(s.power / boards),
                "PowerLimitWatt": round(s.effective_power_limit / boards),
                "StageElapsed": s.uptime,
                "TunerRunning": s.hashing,
                "TuningElapsed": s.uptime,
                "Status": self._chain_status(i),
            }
            for i, chain in enumerate(self.chain_ids)
        ]
        item = {
            "ApproximateChainPowerConsumption": round(s.power * 0.95),
            "ApproximateMinerPowerConsumption": round(s.power),
            "DynamicPowerScaling": "Disabled",
            "PowerLimit": s.effective_power_limit,
            "TunerChainStatus": chains,
        }
        return self._wrap("Tuner Status", 203, "TUNERSTATUS", [item])

    def _pools(self) -> dict[str, Any]:
        return cgminer.pools_reply(cgminer.pool_records(self.state, _pool_extra), self._description)

    def _pause(self, pause: bool) -> dict[str, Any]:
        self.state.mining = not pause
        key = "PAUSE" if pause else "RESUME"
        return self._wrap(key.title(), 0, key, [{key: True}])
