"""LuxOS (LUXminer) on Antminers: cgminer-style RPC on 4028 plus the LuxOS commands.

Reproduced: NUL-terminated replies, ``a+b+c`` multicommands for read commands, the
``version`` reply posing as stock firmware (``Type`` "Antminer …"; on the S19 XP also
``BMMiner`` and ``Miner`` "uart_trans.1.3"), dash-joined per-sensor temperature
strings and a fourth, empty chain slot full of zeros, chain rates as strings, a
lower-case MAC, profiles with estimated watts (including a user-made "eco"), ATM,
curtailment that outlives a reboot, and sessions: one at a time, shared through
``session``, created by ``logon`` (refused while another is active), ended after a
minute without use, by ``logoff``, a reboot or ``resetminer``. Privileged commands
name the session first in their parameter and are refused with a message about the
session when it is not the active one. The web root is the Luxor page.
"""

from __future__ import annotations

import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .. import cgminer
from ..cgminer import PoolRow
from ..miner import SimMiner, SimPorts
from ..models import LUXOS_VERSION, models_of
from ..servers.base import Server
from ..state import MinerState
from . import register

VERSION = LUXOS_VERSION
SESSION_SECONDS = 60.0
ROOT_HTML = (
    "<!DOCTYPE html><html><head><title>Luxor Firmware</title></head>"
    '<body><div id="app">Luxor Firmware - LuxOS</div></body></html>'
)
READ_COMMANDS = frozenset(
    {"version", "summary", "stats", "pools", "fans", "power", "config", "profiles", "atm"}
    | {"events", "temps", "devs"}
)
LED_MODES = frozenset({"on", "off", "blink", "auto"})


@dataclass(frozen=True, slots=True)
class SimProfile:
    name: str
    frequency: int  # MHz
    voltage: float
    watts: int
    step: str


def _ladder(eco: SimProfile, volts: float, watts: tuple[int, ...]) -> tuple[SimProfile, ...]:
    """LUXminer's frequency steps -2..+1 around the 465 MHz "default" (25 MHz and
    0.2 V a step, ``volts`` at the default), after the user-made ``eco``."""
    ladder = [eco]
    for step, watt in zip(range(-2, 2), watts, strict=True):
        mhz = 465 + 25 * step
        name = "default" if step == 0 else f"{mhz}MHz"
        label = "0" if step == 0 else f"{step:+d}"
        ladder.append(SimProfile(name, mhz, round(volts + 0.2 * step, 1), watt, label))
    return tuple(ladder)


# Listed lowest first, as LUXminer lists them; "eco" is a user-made profile. The
# "default" profile draws the model's nominal power.
PROFILES: dict[str, tuple[SimProfile, ...]] = {
    "S19 XP": _ladder(SimProfile("eco", 340, 12.9, 1950, ""), 13.7, (2480, 2720, 3010, 3290)),
    "S21": _ladder(SimProfile("eco", 380, 12.6, 2450, ""), 13.3, (2860, 3180, 3500, 3800)),
}
CONTROL_BOARDS = {"S19 XP": "xilinx", "S21": "amlogic"}
SPOOFING_MODELS = {"S19 XP"}  # older-style version reply posing as bmminer


DESCRIPTION = f"LUXminer {VERSION}"


def _pool_extra(row: PoolRow) -> dict[str, Any]:
    accepted, rejected, active = row.accepted, row.rejected, row.active
    return {
        "AsicBoost": True,
        "Bad Work": 0,
        "Best Share": 65536 if accepted else 0,
        "Current Block Height": 0,
        "Current Block Version": 536870912 if accepted else 0,
        "Diff": "32K" if active else "0",
        "Diff1 Shares": accepted * 32768,
        "Difficulty Accepted": accepted * 32768,
        "Difficulty Rejected": rejected * 32768,
        "Difficulty Stale": 0,
        "Discarded": 0,
        "GROUP": 0,
        "Get Failures": 0,
        "Getworks": accepted // 4,
        "Has GBT": False,
        "Has Stratum": True,
        "Has Vmask": True,
        "Last Share Difficulty": 32768 if accepted else 0,
        "Last Share Time": "00:00:02" if active else "00:00:00",
        "Long Pool": "N",
        "Pool Rejected%": 0.0,
        "Pool Stale%": 0.0,
        "Priority": row.index,
        "Proxy": "",
        "Proxy Type": "",
        "Quota": 1.0,
        "Remote Failures": 0,
        "Stale": 0,
        "Stratum Difficulty": 32768 if active else 0,
        "Stratum URL": row.pool.url.split("://")[-1],
        "Work Difficulty": 32768 if active else 0,
        "Works": 0,
    }


@register
class LuxosSim(SimMiner):
    family = "luxos"
    firmware_version = VERSION
    default_username = ""
    default_password = ""
    models = models_of("luxos")

    def __init__(self, host: str, state: MinerState, ports: SimPorts | None = None) -> None:
        super().__init__(host, state, ports)
        self.profiles = PROFILES[state.spec.model]
        self.atm_enabled = True
        self.red_led = "auto"  # the mode last set; state.fault_light is the truth
        self.session_seconds = SESSION_SECONDS
        self.refuse_sessions = False  # every session ID refused (a broken LUXminer)
        self.multicommand = True  # False: a release refusing ``a+b`` (one command each)
        self.logon_race = False  # another tool logs on just before our next ``logon``
        self.drop_on_reboot = False  # rebootdevice cuts the connection before answering
        self._session: str | None = None
        self._session_used = 0.0
        self._session_epoch = (0, 0)
        self.logons = 0
        self.refused = 0  # privileged commands refused for their session ID
        self.log: list[str] = []  # privileged commands run, without the session ID

    @classmethod
    def create(
        cls, host: str, model: str, ports: SimPorts | None = None, **overrides: Any
    ) -> SimMiner:
        """Like the base; the miner starts on the "default" profile unless told otherwise."""
        overrides.setdefault("work_mode", "default")
        sim = super().create(host, model, ports, **overrides)
        assert isinstance(sim, LuxosSim)
        profile = sim.profile(sim.state.work_mode)
        if profile is not None and "power_limit" not in overrides:
            sim.state.power_limit = profile.watts
        return sim

    def build_servers(self) -> list[Server]:
        return self.rpc_and_web(self.handle_rpc, self.routes)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "profile": self.state.work_mode}

    def profile(self, name: str) -> SimProfile | None:
        for profile in self.profiles:
            if profile.name == name:
                return profile
        return None

    # -- sessions ----------------------------------------------------------------------

    @property
    def _epoch(self) -> tuple[int, int]:
        return (self.state.reboots, self.state.backend_restarts)

    @property
    def active_session(self) -> str | None:
        """The session ID, until a minute without use, logoff, reboot or resetminer."""
        if self._session is None:
            return None
        if (
            time.monotonic() - self._session_used > self.session_seconds
            or self._session_epoch != self._epoch
        ):
            self._session = None
        return self._session

    def open_session(self) -> str:
        """What ``logon`` does; also lets a test play another tool holding the session."""
        self._session = "".join(
            secrets.choice(string.ascii_letters + string.digits) for _ in range(8)
        )
        self._session_used = time.monotonic()
        self._session_epoch = self._epoch
        return self._session

    def expire_session(self) -> None:
        """End the session as a minute without use would."""
        self._session = None

    # -- RPC -----------------------------------------------------------------------------

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

    def _encode(self, payload: dict[str, Any]) -> bytes:
        return cgminer.encode(payload)

    def _error(self, msg: str, code: int) -> dict[str, Any]:
        return cgminer.error(msg, code, DESCRIPTION)

    def _wrap(self, msg: str, code: int, key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        return cgminer.reply(key, items, msg, code, DESCRIPTION)

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
        accepted, rejected = s.shares(0)
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
            {"FAN": f"FAN{i + 1}", "ID": i, "RPM": rpm, "Speed": min(100, rpm // 60)}
            for i, rpm in enumerate(self.state.fan_rpms())
        ]
        return {
            "FANCTRL": [{"MinFans": len(items), "PowerOffSpeed": 20}],
            **self._wrap(f"{len(items)} Fan(s)", 202, "FANS", items),
        }

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
        accepted = s.shares(0)[0] // s.spec.boards
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

    # -- session and privileged commands -------------------------------------------------

    def _write(self, command: str, parameter: str) -> dict[str, Any]:
        if command == "session":
            return self._wrap(
                "Session information", 319, "SESSION", [{"SessionID": self.active_session or ""}]
            )
        if command == "logon":
            if self.logon_race:
                self.logon_race = False
                self.open_session()  # someone else was quicker
            if self.active_session is not None:
                return self._error("Another session is active", 402)
            self.logons += 1
            return self._wrap(
                "Session created", 316, "SESSION", [{"SessionID": self.open_session()}]
            )
        handler: Callable[[list[str]], dict[str, Any]] | None = {
            "logoff": self._logoff,
            "curtail": self._curtail,
            "ledset": self._ledset,
            "profileset": self._profileset,
            "atmset": self._atmset,
            "rebootdevice": self._rebootdevice,
            "resetminer": self._resetminer,
        }.get(command)
        if handler is None:
            return self._error(f"Invalid command: {command}", 14)
        session_id, *params = parameter.split(",") if parameter else [""]
        if self.refuse_sessions or not session_id or session_id != self.active_session:
            self.refused += 1
            return self._error("Invalid session id", 401)
        self._session_used = time.monotonic()
        self.log.append(" ".join([command, *params]).strip())
        return handler(params)

    def _logoff(self, params: list[str]) -> dict[str, Any]:
        self._session = None
        return self._wrap("Session terminated", 317, "SESSION", [{"SessionID": ""}])

    def _curtail(self, params: list[str]) -> dict[str, Any]:
        action = params[0] if params else ""
        if action == "sleep":
            self.state.mining = False
            text = "sleep mode"
        elif action == "wakeup":
            self.state.mining = True
            text = "wake up"
        else:
            return self._error(f"Invalid curtail action: {action}", 336)
        return self._wrap("Curtailment command sent", 335, "CURTAIL", [{"Action": text}])

    def _ledset(self, params: list[str]) -> dict[str, Any]:
        if len(params) != 2 or params[0] not in ("red", "green") or params[1] not in LED_MODES:
            return self._error("Invalid LED parameters", 343)
        color, mode = params
        if color == "red":
            self.red_led = mode
            self.state.fault_light = mode in ("on", "blink")
        return self._wrap("LED set", 342, "LED", [{"Color": color, "State": mode}])

    def _profileset(self, params: list[str]) -> dict[str, Any]:
        if len(params) >= 2 and params[0] in ("0", "1", "2", "3"):
            params = params[1:]  # the legacy board_id form: the profile is machine-wide
        name = params[0] if params else ""
        profile = self.profile(name)
        if profile is None:
            return self._error(f"Invalid profile: {name}", 322)
        self.state.work_mode = profile.name
        self.state.power_limit = profile.watts
        item = {"Board": 0, "FrequencyStep": 5, "Profile": profile.name, "VoltageStep": 0.05}
        return self._wrap("Profile Set", 321, "PROFILE", [item])

    def _atmset(self, params: list[str]) -> dict[str, Any]:
        for param in params:
            key, _, value = param.partition("=")
            if key != "enabled" or value not in ("true", "false"):
                return self._error(f"Invalid ATM parameter: {param}", 341)
            self.atm_enabled = value == "true"
        return self._wrap("ATM configuration updated", 340, "ATM", [{"Enabled": self.atm_enabled}])

    def _rebootdevice(self, params: list[str]) -> dict[str, Any]:
        self.state.reboot()  # answered first; the connection after this one is refused
        return self._wrap("Rebooting device", 332, "REBOOT", [{"Reboot": True}])

    def _resetminer(self, params: list[str]) -> dict[str, Any]:
        self.state.restart_backend()
        return self._wrap("Resetting LUXminer", 333, "RESET", [{"Reset": True}])

    # -- web -----------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._root)

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text=ROOT_HTML, content_type="text/html")
