"""cgminer's RPC on 4028: the read commands (joined as ``a+b``), ``restart``,
``switchpool`` and ``ascset`` (softoff/softon, led, workmode, worklevel, fan-spd, reboot,
and the racks' setpool, ``setpool.py``).
"""

from __future__ import annotations

from typing import Any

from ... import cgminer, thermal
from .base import _INF, _NAN, DESCRIPTION, FRESH_SECONDS, HELP_OPTIONS, _pool_extra, _reply, _status
from .estats import AvalonStats
from .setpool import save_pool


class AvalonRpc(AvalonStats):
    async def handle_rpc(self, request: str) -> bytes | None:
        when = int(self.state.now())
        parsed = cgminer.parse_request(request)
        if parsed is None:
            return self._encode(cgminer.error("Invalid JSON", 23, DESCRIPTION, when))
        command, parameter = parsed.command, parsed.parameter
        self.requests.append((command, None if parameter is None else str(parameter)))
        self._tick()
        if command == "ascset":
            return self._ascset(when, str(parameter or ""))
        if command == "restart":
            self.state.restart_backend()
            return b'"RESTART"\x00'
        if command == "switchpool":
            return self._switchpool(when, str(parameter or ""))
        builders = {
            "version": self._version,
            "devdetails": self._devdetails,
            "summary": self._summary,
            "devs": self._devs,
            "estats": self._stats,
            "stats": self._stats,
            "pools": self._pools,
        }
        names = command.split("+")  # cgminer joins read commands: {"a":[reply],...,"id":1}
        if not all(n in builders for n in names):
            return self._encode(cgminer.error("Invalid command", 14, DESCRIPTION, when))
        if parsed.joined:
            return self._encode(cgminer.join({n: builders[n](when) for n in names}))
        return self._encode(builders[command](when))

    def _version(self, when: int) -> dict[str, Any]:
        s, p = self.state, self.profile
        item: dict[str, Any] = {"CGMiner": "4.11.1", "API": "3.7"}
        if not p.split_version:
            item["STM8"] = "20.08.01"
        item |= {"PROD": p.prod, "MODEL": p.model}
        item["HWTYPE"] = p.hwtype
        item["SWTYPE"] = "MM319"
        if p.split_version:  # the Q: release split by part, MCU versions, MAC with colons
            for key in ("BVERSION", "CGVERSION", "LVERSION"):
                item[key] = s.firmware_version
            item["FANMCUVERSION"] = "Q_fb_v1.2"
            item["HBMCUVERSION"] = "Q_hb_v1.1"
            item["DNA"] = s.serial
            item["MAC"] = s.mac.upper()
        else:
            item["VERSION"] = s.firmware_version
            item["LOADER"] = "d0d779de.00"
            item["DNA"] = s.serial
            item["MAC"] = s.mac.replace(":", "").lower()  # 12 digits, no separators
            item["UPAPI"] = "2"
        return _reply(when, "VERSION", [item], "CGMiner versions", 22)

    def _devdetails(self, when: int) -> dict[str, Any]:
        item = {
            "DEVDETAILS": 0,
            "Name": "AVALON",
            "ID": 0,
            "Driver": "avalon",
            "Kernel": "",
            "Model": "",
            "Device Path": "",
        }
        return _reply(when, "DEVDETAILS", [item], "Device Details", 69)

    def _rates(self) -> dict[str, Any]:
        """The Q's cgminer counts a 5 s rate, the A-series' a 30 s one (as captured)."""
        mhs = round(self.state.hashrate * 1e6, 2)
        short = "5s" if self.profile.split_version else "30s"
        return cgminer.rates(mhs, "av", short, "1m", "5m", "15m")

    def _summary(self, when: int) -> dict[str, Any]:
        s = self.state
        accepted, rejected = s.session_shares()
        mhs = round(s.hashrate * 1e6, 2)
        item = {"Elapsed": s.uptime, **self._rates()}
        item |= {"Found Blocks": 0, "Getworks": accepted // 4, "Accepted": accepted}
        item |= {"Rejected": rejected, "Hardware Errors": 0}
        item |= {"Utility": _INF if s.uptime == 0 else 1.42, "Discarded": 0, "Stale": 0}
        item |= {"Get Failures": 0, "Local Work": accepted * 200, "Remote Failures": 0}
        item |= {"Network Blocks": s.uptime // 600, "Total MH": mhs * s.uptime}
        item |= {"Work Utility": 563711.4 if s.hashing else 0.0}
        item |= {
            "Difficulty Accepted": accepted * 400000.0,
            "Difficulty Rejected": rejected * 400000.0,
        }
        item |= {"Difficulty Stale": 0.0, "Best Share": 219033817 if accepted else 0}
        item |= {"Device Hardware%": 0.0, "Device Rejected%": 0.0, "Pool Rejected%": 0.0}
        item |= {"Pool Stale%": 0.0, "Last getwork": 0}
        return _reply(when, "SUMMARY", [item], "Summary", 11)

    def _devs(self, when: int) -> dict[str, Any]:
        accepted, rejected = self.state.session_shares()
        fresh = self.state.uptime < FRESH_SECONDS
        item = {
            "ASC": 0,
            "Name": "AVALON",
            "ID": 0,
            "Enabled": "Y",
            "Status": "Alive",
            "Temperature": -273.0,
            **self._rates(),
            "Accepted": accepted,
            "Rejected": rejected,
            "Hardware Errors": 0,
            # Shares per minute and 0 / 0 before the first minute and the first share.
            "Utility": _INF if fresh else round(accepted / self.state.uptime * 60, 2),
            "Last Share Pool": 0,
            "Last Share Time": self.state.uptime if accepted else 0,
            "Total MH": round(self.state.hashrate * 1e6 * self.state.uptime, 1),
            "Diff1 Work": accepted * 262144,
            "Difficulty Accepted": accepted * 262144.0,
            "Difficulty Rejected": rejected * 262144.0,
            "Last Share Difficulty": 262144.0 if accepted else 0.0,
            "Last Valid Work": int(self.state.now()),
            "Device Hardware%": _NAN if fresh else 0.0,
            "Device Rejected%": 0.0,
            "Device Elapsed": self.state.uptime,
        }
        return _reply(when, "DEVS", [item], "1 ASC(s)", 9)

    def _pools(self, when: int) -> dict[str, Any]:
        uptime, password = self.state.uptime, self.profile.split_version
        records = cgminer.pool_records(self.state, lambda row: _pool_extra(row, uptime, password))
        return _reply(when, "POOLS", records, f"{len(records)} Pool(s)", 7)

    def _switchpool(self, when: int, parameter: str) -> bytes:
        """Stock cgminer's ``switchpool``: a STATUS only, codes 25-27 as in its API."""
        count = len(self.state.pools)
        if not parameter:
            status = _status(when, "Missing pool id parameter", 25, "E")
        elif not parameter.isdigit() or int(parameter) >= count:
            status = _status(
                when, f"Invalid pool id {parameter} - range is 0 - {count - 1}", 26, "E"
            )
        else:
            number = int(parameter)
            self.state.pool_choice = number
            url = self.state.pools[number].url
            status = _status(when, f"Switching to pool {number}:'{url}'", 27)
        return self._encode({"STATUS": status, "id": 1})

    def _ascset(self, when: int, parameter: str) -> bytes | None:
        def reply(msg: str, code: int, letter: str) -> bytes:
            return self._encode({"STATUS": _status(when, msg, code, letter), "id": 1})

        def failed(why: str) -> bytes:
            return reply(f"ASC 0 set failed: {why}", 120, "E")

        parts = parameter.split(",")
        if len(parts) < 2 or parts[0] != "0":
            return reply("Missing option after ASC number", 116, "E")
        option, args = parts[1], parts[2:]
        if option == "help":
            return reply(f"ASC 0 set info: {HELP_OPTIONS}", 118, "I")
        if option in ("softoff", "softon"):
            enable, _, at = (args[0] if args else "").partition(":")
            if enable != "1" or not at.isdigit():
                return failed(f"invalid {option} parameter")
            if option == "softoff":
                self.soft_off_at = self.soft_off_time = int(at)
                self._tick()
                return reply(f"ASC 0 set info: success softoff:{at}", 118, "I")
            self.soft_on_at = self.soft_on_time = int(at)
            self._tick()
            return None  # softon hangs up without a reply
        if option == "led" and self.profile.led:
            module, _, cmd = (args[0] if args else "").partition("-")
            if cmd == "255":
                return reply(f"ASC 0 set info: LED[{int(self.state.fault_light)}]", 118, "I")
            if module != "1" or cmd not in ("0", "1"):
                return failed("invalid led parameter")
            self.state.fault_light = cmd == "1"
            return reply("ASC 0 set OK", 119, "S")
        if option == "workmode":
            if args[:1] == ["get"]:
                return reply(f"ASC 0 set info: WORKMODE[{self.mode_number}]", 118, "I")
            value = args[1] if args[:1] == ["set"] and len(args) > 1 else None
            if value is None or not value.isdigit() or int(value) >= len(self.profile.modes):
                return failed(f"invalid workmode {','.join(args)}")
            self.state.work_mode = self.profile.modes[int(value)]
            return reply("ASC 0 set OK", 119, "S")
        if option == "worklevel":
            if args[:1] == ["get"]:
                return reply(f"ASC 0 set info: WORKLEVEL[{self.work_level}]", 118, "I")
            value = args[1] if args[:1] == ["set"] and len(args) > 1 else ""
            if value.lstrip("-") not in ("0", "1"):
                return failed(f"invalid worklevel {','.join(args)}")
            self.work_level = int(value)
            return reply("ASC 0 set OK", 119, "S")
        if option == "setpool" and self.profile.led:  # the racks: led and setpool
            return reply(*save_pool(self.saved_pools, self.state.pools, args))
        if option == "fan-spd":  # -1 the firmware's curve, else 15-100 % (Canaan's range)
            value = args[0] if args else ""
            if value != "-1" and not (value.isdigit() and 15 <= int(value) <= 100):
                return failed(f"invalid fan-spd {value}")
            manual = value != "-1"
            self.state.fan_mode = thermal.MANUAL if manual else thermal.AUTO
            self.state.fan_speed = int(value) if manual else self.state.fan_speed
            return reply("ASC 0 set OK", 119, "S")
        if option == "reboot":
            self.soft_off_at = self.soft_on_at = None
            if self.saved_pools:  # the boot puts the saved pools to work
                self.state.pools = [p for p in self.saved_pools if p.url]
                self.state.pool_choice = 0
                self.saved_pools = []
            self.state.reboot()
            return reply("ASC 0 set info: reboot", 118, "I")
        return failed(f"Unknown option: {option}")
