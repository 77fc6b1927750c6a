"""LUXminer's RPC on 4028: read commands (joined as ``a+b+c``) and the dispatch to the
privileged ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ... import cgminer
from .base import CONTROL_BOARDS, DESCRIPTION, READ_COMMANDS, SPOOFING_MODELS, VERSION, _pool_extra
from .commands import LuxosCommands
from .cooling import tempctrl_item


class LuxosRpc(LuxosCommands):
    async def handle_rpc(self, request: str) -> bytes | None:
        parsed = cgminer.parse_request(request)
        if parsed is None:
            return self._encode(self._error("Invalid JSON", cgminer.INVALID_JSON))
        command, parameter = parsed.command, parsed.parameter
        if parsed.joined and not self.multicommand:
            return self._encode(self._error(f"Invalid command: {command}", cgminer.INVALID_COMMAND))
        if parsed.joined:
            return self._encode(cgminer.join({n: self._joined(n) for n in parsed.names}))
        if command in READ_COMMANDS:
            return self._encode(self._read(command))
        reply = self._write(command, "" if parameter is None else str(parameter))
        if command == "rebootdevice" and self.drop_on_reboot and self.state.rebooting:
            return None  # gone before the answer left
        return self._encode(reply)

    def _joined(self, name: str) -> dict[str, Any]:
        """One part of a multicommand: only read commands may be joined."""
        if name in READ_COMMANDS:
            return self._read(name)
        return self._error(f"Command {name} not allowed in a multicommand", 45)

    def _read(self, command: str) -> dict[str, Any]:
        builder: Callable[[], dict[str, Any]] = {
            "version": self._version,
            "summary": self._summary,
            "stats": self._stats,
            "pools": self._pools,
            "fans": self._fans,
            "power": self._power,
            "config": self._config,
            "profiles": self._profiles,
            "atm": self._atm,
            "events": self._events,
            "temps": self._temps,
            "devs": self._devs,
            "tempctrl": self._tempctrl,
        }[command]
        return builder()

    def _type(self) -> str:
        return f"Antminer {self.state.spec.model}"

    def _version(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "API": "3.7",
            "CompileTime": "Thu Jun 12 18:45:12 UTC 2025",
            "LUXminer": VERSION,
            "Miner": VERSION.split("-", maxsplit=1)[0],
            "Type": self._type(),
        }
        if self.state.spec.model in SPOOFING_MODELS:
            item["BMMiner"] = "1.0.0"
            item["Miner"] = "uart_trans.1.3"
        return self._wrap("LUXminer versions", 22, "VERSION", [item])

    def _summary(self) -> dict[str, Any]:
        s = self.state
        ghs = round(s.hashrate * 1000, 2)
        accepted, rejected = s.session_shares()
        item = {
            "Accepted": accepted,
            "Best Share": 65536 if accepted else 0,
            "Device Hardware%": 0.0,
            "Device Rejected%": 0.0,
            "Difficulty Accepted": accepted * 32768,
            "Difficulty Rejected": rejected * 32768,
            "Difficulty Stale": 0,
            "Discarded": 0,
            "Elapsed": s.uptime,
            "Found Blocks": 0,
            "GHS 15m": ghs,
            "GHS 1m": ghs,
            "GHS 24h": ghs,
            "GHS 30m": ghs,
            "GHS 5m": ghs,
            "GHS 5s": ghs,
            "GHS av": ghs,
            "Get Failures": 0,
            "Getworks": s.uptime // 5,
            "Hardware Errors": 0,
            "Last getwork": int(s.now()),
            "Local Work": 0,
            "Network Blocks": 0,
            "Pool Rejected%": 0.0,
            "Pool Stale%": 0.0,
            "Rejected": rejected,
            "Remote Failures": 0,
            "Stale": 0,
            "Total MH": ghs * 1000 * s.uptime,
            "Utility": round(accepted / max(s.uptime, 1) * 60, 2),
            "Work Utility": 12.1 if s.hashing else 0.0,
        }
        return self._wrap("Summary", 11, "SUMMARY", [item])

    def _frequency(self) -> float:
        profile = self.profile(self.state.work_mode)
        return float(profile.frequency) if profile is not None and self.state.hashing else 0.0

    def _stats(self) -> dict[str, Any]:
        s = self.state
        spec = s.spec
        ghs = round(s.hashrate * 1000, 2)
        info: dict[str, Any] = {
            "Calls": 0,
            "Elapsed": s.uptime,
            "GHS 5s": ghs,
            "GHS av": ghs,
            "ID": "BTM_SOC0",
            "Max": 0,
            "Min": 99999999,
            "Mode": 2,
            "STATS": 0,
            "Wait": 0,
            "fan_num": spec.fans,
            "frequency": round(self._frequency()),
            "miner_count": spec.boards,
            "miner_id": s.mac.replace(":", "").lower(),
            "miner_version": VERSION.split("-", maxsplit=1)[0],
            "no_matching_work": 0,
            "rate_30m": ghs,
            "rate_unit": "GH",
            "total_rateideal": spec.nominal_hashrate * 1000,
            "temp_max": max((s.chip_temperature(i) for i in range(spec.boards)), default=0.0),
            "temp_num": spec.boards,
            "total rate": round(ghs / spec.boards, 2),
            "total_acn": spec.boards + 1,
            "total_freqavg": self._frequency(),
        }
        info |= cgminer.fan_fields(s.fan_rpms())
        for i, rate in enumerate(s.board_hashrates()):
            slot = i + 1
            pcb = s.board_temperature(i)
            chip = s.chip_temperature(i)
            info[f"chain_acn{slot}"] = spec.chips_per_board
            info[f"chain_acs{slot}"] = " " + " ".join(["oooo"] * (spec.chips_per_board // 4))
            info[f"chain_hw{slot}"] = 0
            info[f"chain_rate{slot}"] = f"{rate * 1000:.2f}"
            info[f"freq{slot}"] = self._frequency()
            info[f"temp{slot}"] = pcb
            info[f"temp2_{slot}"] = chip
            # Four sensors per board, inlet side cooler, dash-joined.
            info[f"temp_pcb{slot}"] = f"{pcb - 2:g}-{pcb:g}-{pcb:g}-{pcb - 2:g}"
            info[f"temp_chip{slot}"] = f"{chip - 4:g}-{chip:g}-{chip - 1:g}-{chip - 4:g}"
            info[f"temp_pic{slot}"] = info[f"temp_pcb{slot}"]
        info |= cgminer.empty_chain_slot(spec.boards + 1, rate="0", freq=0.0)  # spare connector
        head = {
            "CompileTime": "Thu Jun 12 18:45:12 UTC 2025",
            "Miner": VERSION.split("-", maxsplit=1)[0],
            "Type": self._type(),
        }
        return self._wrap("LUXminer stats", 70, "STATS", [head, info])

    def _pools(self) -> dict[str, Any]:
        return cgminer.pools_reply(cgminer.pool_records(self.state, _pool_extra), DESCRIPTION)

    def _fans(self) -> dict[str, Any]:
        items = [
            {"FAN": f"FAN{i + 1}", "ID": i, "RPM": rpm, "Speed": self.state.fan_percent()}
            for i, rpm in enumerate(self.state.fan_rpms())
        ]
        return {
            "FANCTRL": [{"MinFans": len(items), "PowerOffSpeed": 20}],
            **self._wrap(f"{len(items)} Fan(s)", 202, "FANS", items),
        }

    def _tempctrl(self) -> dict[str, Any]:
        return self._wrap("Temperature control", 331, "TEMPCTRL", [tempctrl_item(self.state)])

    def _power(self) -> dict[str, Any]:
        return self._wrap(
            "Power usage", 311, "POWER", [{"PSU": True, "Watts": round(self.state.power)}]
        )

    def _led(self) -> str:
        if self.state.fault_light:
            return self.red_led if self.red_led in ("on", "blink") else "blink"
        return self.red_led if self.red_led in ("off", "auto") else "auto"

    def _config(self) -> dict[str, Any]:
        s = self.state
        profile = self.profile(s.work_mode)
        item = {
            "ASC Count": s.spec.boards,
            "BcastAddr": "192.0.2.255",
            "ControlBoardType": CONTROL_BOARDS[s.spec.model],
            "Cooling": "Air",
            "CurtailMode": "None" if s.mining else "Sleep",
            "DHCP": True,
            "DNS Servers": "",
            "Device Code": "",
            "FPGABuildIdHex": "0x18351835",
            "FPGABuildIdStr": "2018-35-18 35:00",
            "FeeStatus": "Ok",
            "Gateway": "192.0.2.1",
            "GreenLed": "auto",
            "Hostname": s.hostname,
            "Hotplug": "None",
            "IPAddr": self.host,
            "ImmersionMode": False,
            "IsAtmEnabled": self.atm_enabled,
            "IsPowerSupplyOn": s.mining,
            "IsSingleVoltage": True,
            "IsTuning": False,
            "Log Interval": 0,
            "LogFileLevel": "info",
            "MACAddr": s.mac.lower(),
            "Model": self._type(),
            "NameplateTHS": s.spec.nominal_hashrate,
            "Netmask": "255.255.255.0",
            "OS": "LuxOS",
            "PGA Count": 0,
            "PSUHwVersion": "75",
            "PSULabel": "APW121215e",
            "Pool Count": len(s.pools),
            "Profile": s.work_mode,
            "ProfileStep": profile.step if profile is not None else "",
            "RedLed": self._led(),
            "SerialNumber": s.serial,
            "Strategy": "Failover",
            "SystemStatus": "Normal",
            "UpdateOnStartup": "off",
            "UpdateOnTimeout": "off",
            "UpdateOnUser": "full",
            "UpdateSource": "https://storage.googleapis.com/luxor-firmware/stable",
            "UpdateTimeout": 60,
        }
        return self._wrap("LUXminer config", 33, "CONFIG", [item])

    def _profile_hashrate(self, watts: int) -> float:
        spec = self.state.spec
        ratio: float = (watts / spec.nominal_power) ** 0.85
        return round(spec.nominal_hashrate * ratio, 1)

    def _profiles(self) -> dict[str, Any]:
        items = [
            {
                "CanRestore": True,
                "Frequency": p.frequency,
                "HasOverrides": False,
                "Hashrate": self._profile_hashrate(p.watts),
                "IsDynamic": bool(p.step),
                "IsTuned": p.name == self.state.work_mode,
                "Profile Name": p.name,
                "Step": p.step,
                "Voltage": p.voltage,
                "Watts": p.watts,
            }
            for p in self.profiles
        ]
        return self._wrap("Profiles", 327, "PROFILES", items)

    def _atm(self) -> dict[str, Any]:
        item = {
            "Enabled": self.atm_enabled,
            "MaxProfile": "default",
            "MinProfile": "",
            "PostRampMinutes": 15,
            "StartupMinutes": 15,
            "TempWindow": 5.0,
        }
        return self._wrap("ATM configuration values", 339, "ATM", [item])

    def _events(self) -> dict[str, Any]:
        created = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(self.state.boot_time))
        events = [
            {
                "Code": code,
                "CreatedAt": created,
                "Description": message,
                "Target": "MINER",
            }
            for code, message in self.state.errors
        ]
        if not self.state.mining:
            events.append(
                {
                    "Code": "SLEEP",
                    "CreatedAt": created,
                    "Description": "Miner is in Sleep mode.",
                    "Target": "MINER",
                }
            )
        return self._wrap("Miner Events", 357, "EVENTS", events)

    def _temps(self) -> dict[str, Any]:
        s = self.state
        items = [
            {
                "Board": i,
                "ID": i,
                "BottomLeft": s.board_temperature(i) - 2,
                "BottomRight": s.board_temperature(i),
                "TopLeft": s.board_temperature(i) - 2,
                "TopRight": s.board_temperature(i),
            }
            for i in range(s.spec.boards)
        ]
        return self._wrap(f"{len(items)} Temp(s)", 201, "TEMPS", items)

    def _devs(self) -> dict[str, Any]:
        """One record per board, in MH/s with ``Nominal MHS`` (LuxOS 2025.4 capture)."""
        s = self.state
        now = int(s.now())
        accepted = s.session_shares()[0] // s.spec.boards
        nominal = s.expected_hashrate * 1e6 / s.spec.boards if s.hashing else 0.0
        items = []
        for i, rate in enumerate(s.board_hashrates()):
            mhs = rate * 1e6
            items.append(
                {
                    "ASC": i,
                    "Accepted": accepted,
                    "Board": "BHB56903",
                    "Connector": f"J{i + 7}",
                    "ControllerIPVersionHex": "0x18351835",
                    "ControllerIPVersionStr": "N/A",
                    "Device Elapsed": s.uptime,
                    "Device Hardware%": 0,
                    "Device Rejected%": 0,
                    "Diff1 Work": accepted * 28640,
                    "Difficulty Accepted": accepted * 28640,
                    "Difficulty Rejected": 0,
                    "Enabled": "Y",
                    "Hardware Error MHS 15m": 0,
                    "Hardware Errors": 0,
                    "ID": i,
                    "IsRamping": False,
                    "IsUserShutdown": not s.mining,
                    "Last Share Difficulty": 32768 if accepted else 0,
                    "Last Share Pool": 0,
                    "Last Share Time": now if accepted else 0,
                    "Last Valid Work": now if accepted else 0,
                    "MHS 15m": mhs,
                    "MHS 1m": mhs,
                    "MHS 30m": mhs,
                    "MHS 5m": mhs,
                    "MHS 5s": mhs,
                    "MHS 60m": mhs,
                    "MHS av": mhs,
                    "Name": "",
                    "Nominal MHS": nominal,
                    "Profile": s.work_mode,
                    "Rejected": 0,
                    "SerialNumber": f"{s.serial[-9:]}B{i}",
                    "Status": "Alive",
                    "Temperature": s.board_temperature(i),
                    "Total MH": mhs,
                    "Utility": 0,
                }
            )
        return self._wrap(f"{len(items)} ASC(s)", 9, "DEVS", items)
