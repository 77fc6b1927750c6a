"""Avalon (Canaan) stock firmware: Canaan's cgminer 4.11.1 RPC on 4028, nothing else.

Models, one of each ``estats`` layout:

- ``A1566`` (rack): one flat ``MM ID0`` string, three boards (``MGHS``, ``MTmax``,
  ``PVT_T0..2``), ``WALLPOWER`` beside ``PS[]``, the ``Led`` locate light, ``WORKMODE``
  0 normal / 1 performance.
- ``Nano 3S`` (heater): flat ``MM ID0``, one board, power only in ``PS[6]``, no
  outlet sensor (``OTemp[-273]``), ``WORKMODE`` 0 low / 1 mid / 2 high.
- ``Q`` (home miner): ``MM ID0:Summary`` (``'STATS':{…}``) with the per-chip arrays
  in ``HBinfo`` (``'HB0':{…}``), air in/out of the board (``HBITemp``/``HBOTemp``),
  ``WORKMODE`` 0 eco / 1 standard / 2 super, and no ``version`` ``VERSION`` key (the
  release is in ``LVERSION``/``BVERSION``/``CGVERSION``).

Only the rack model has a locate light (the Q's ``ascset help`` lists no ``led``; the
Nano's ring light is a lamp, set with ``ledset``). The shared state's work modes are
``low``/``normal``/``high``; each profile maps the firmware's numbers onto them.

Quirks reproduced: a NUL after every reply; a bare ``nan`` and ``inf`` in ``devs``
(not JSON) in the first minute after cgminer starts, before the first share (later
replies carry numbers, as the captures taken after minutes of work show); values holding spaces, colons, commas and units in the bracket strings;
``softoff``/``softon`` take ``1:<unix time>`` and act when that time comes (on the
state's clock); ``softon`` hangs up without replying; ``restart`` answers the bare
string ``"RESTART"`` and restarts cgminer (uptime starts over);
``ascset 0,reboot,0`` reboots the unit; ``PS[0]`` carries the power supply's error
bits, from ``state.errors`` entries whose code is one of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .. import cgminer
from ..cgminer import PoolRow
from ..miner import SimMiner
from ..models import models_of
from ..servers.base import Server
from ..servers.tcp import RpcServer
from . import register

DESCRIPTION = "cgminer 4.11.1"
_NAN = "\x00nan\x00"  # placeholders json.dumps keeps as strings; swapped for bare words
_INF = "\x00inf\x00"
FRESH_SECONDS = 60  # cgminer's rates are inf / nan until its first minute and share
PSU_ERROR_BITS = frozenset(1 << n for n in range(12))
HELP_OPTIONS = (
    "help|voltage|fan-spd|lcd|hash-sn-read|hash-sn-write|volt-tuning|workmode|worklevel|"
    "work_mode_lvl|reboot|softon|softoff|filter-clean|facopts|faclock|activate|"
    "solo-allowed|frequency|loop|password|qr_auth|time|"
)


@dataclass(frozen=True, slots=True)
class _Profile:
    prod: str  # VERSION PROD
    model: str  # VERSION MODEL, also the prefix of Ver[] in estats
    hwtype: str
    firmware: str
    summary_layout: bool  # "MM ID0:Summary" + "HBinfo" rather than one "MM ID0"
    modes: tuple[str, ...]  # the state's work mode for each firmware WORKMODE number
    led: bool
    split_version: bool  # LVERSION/BVERSION/CGVERSION instead of VERSION


_MODELS = models_of("avalon")


PROFILES = {
    # The one rack capture (pyasic's AvalonMiner 15-194 test data) names its product
    # by series and hashrate bin; pyasic and the driver file it as the A1566.
    "A1566": _Profile(
        "AvalonMiner 15-194",
        "15-194",
        "MM4v2_X3",
        _MODELS["A1566"].firmware,
        False,
        ("normal", "high"),
        True,
        False,
    ),
    "Nano 3S": _Profile(
        "Avalon Nano3s",
        "Nano3s",
        "Nano3s_MM1v1",
        _MODELS["Nano 3S"].firmware,
        False,
        ("low", "normal", "high"),
        False,
        False,
    ),
    "Q": _Profile(
        "Avalon Q",
        "Q",
        "Q_MM1v1_X1",
        _MODELS["Q"].firmware,
        True,
        ("low", "normal", "high"),
        False,
        True,
    ),
}


def _status(when: int, msg: str, code: int, letter: str = "S") -> list[dict[str, Any]]:
    return cgminer.status(msg, code, DESCRIPTION, letter, when)


def _reply(when: int, key: str, items: list[dict[str, Any]], msg: str, code: int) -> dict[str, Any]:
    return cgminer.reply(key, items, msg, code, DESCRIPTION, when=when)


def _pool_extra(row: PoolRow, uptime: int, password: bool) -> dict[str, Any]:
    """cgminer's full pool record; the Q adds the pool's ``Password`` (as captured)."""
    accepted, rejected, active = row.accepted, row.rejected, row.active
    diff = 262144.0 if active else 0.0
    item: dict[str, Any] = {
        "Priority": row.index,
        "Quota": 1,
        "Long Poll": "N",
        "Getworks": accepted // 4,
        "Works": accepted * 60,
        "Discarded": 0,
        "Stale": 0,
        "Get Failures": 0,
        "Remote Failures": 0,
        "Last Share Time": uptime if accepted else 0,
        "Diff1 Shares": int(accepted * diff),
        "Proxy Type": "",
        "Proxy": "",
        "Difficulty Accepted": accepted * diff,
        "Difficulty Rejected": rejected * diff,
        "Difficulty Stale": 0.0,
        "Last Share Difficulty": diff,
        "Work Difficulty": diff,
        "Has Stratum": True,
        "Stratum URL": row.stratum_host,
        "Stratum Difficulty": diff,
        "Has Vmask": True,
        "Has GBT": False,
        "Best Share": 24110932 if accepted else 0,
        "Pool Rejected%": _NAN if accepted + rejected == 0 else 0.5,
        "Pool Stale%": 0.0,
        "Bad Work": 0,
        "Current Block Height": 925410 if active else 0,
        "Current Block Version": 536870912,
    }
    if password:
        item["Password"] = row.pool.password
    return item


def _spaced(values: list[int]) -> str:
    """Per-chip arrays the way the firmware pads them: `` 63  70  70``."""
    return " ".join(f"{v:3d}" for v in values)


@register
class AvalonSim(SimMiner):
    family = "avalon"
    default_username = ""
    default_password = ""
    models = _MODELS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.soft_off_at: int | None = None  # pending softoff / softon, Unix time
        self.soft_on_at: int | None = None
        self.soft_off_time = 0  # last times asked for, as SoftOffTime / SoftOnTime show
        self.soft_on_time = 0
        self.work_level = 0
        self.requests: list[tuple[str, str | None]] = []  # every command, for tests

    @property
    def profile(self) -> _Profile:
        return PROFILES[self.state.spec.model]

    def build_servers(self) -> list[Server]:
        return [RpcServer(self.host, self.ports.rpc, self.state, self.handle_rpc)]

    # -- derived readings (tests compare against these) ---------------------------------

    @property
    def mode_number(self) -> int:
        modes = self.profile.modes
        if self.state.work_mode in modes:
            return modes.index(self.state.work_mode)
        return modes.index("normal")

    @property
    def load(self) -> float:
        return self.state.power / self.state.spec.nominal_power if self.state.hashing else 0.0

    def board_inlet(self) -> int:
        return round(self.state.environment_temperature + 2)

    def board_outlet(self) -> int:
        return round(self.state.environment_temperature + 2 + 18 * self.load)

    def fan_percent(self) -> int:
        rpms = self.state.fan_rpms()
        return min(100, round(rpms[0] / 60)) if rpms else 0

    def chip_max(self, board: int) -> int:
        return round(self.state.chip_temperature(board))

    def psu_error_code(self) -> int:
        code = 0
        for err, _ in self.state.errors:
            if err.isdigit() and int(err) in PSU_ERROR_BITS:
                code |= int(err)
        return code

    # -- time ------------------------------------------------------------------------

    def _tick(self) -> None:
        """Carry out a scheduled soft off / soft on whose time has come."""
        now = self.state.now()
        pending = sorted(
            (at, on)
            for at, on in ((self.soft_off_at, False), (self.soft_on_at, True))
            if at is not None and at <= now
        )
        for _, on in pending:
            self.state.mining = on
            if on:
                self.soft_on_at = None
            else:
                self.soft_off_at = None

    # -- RPC -------------------------------------------------------------------------

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

    def _encode(self, payload: dict[str, Any]) -> bytes:
        text = json.dumps(payload)
        text = text.replace(json.dumps(_NAN), "nan").replace(json.dumps(_INF), "inf")
        return text.encode() + b"\x00"

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
        accepted, rejected = s.shares(0)
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
        accepted, rejected = self.state.shares(0)
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

    # -- estats ------------------------------------------------------------------------

    def _chip_temps(self, board: int) -> list[int]:
        top = self.chip_max(board)
        chips = self.state.spec.chips_per_board
        return [top - (k * 3) % 7 for k in range(chips)]

    def _supply(self) -> list[int]:
        """PS[]: error bits, 12 V rail, board volts x100, amps, board watts, set volts, wall watts."""
        wall = round(self.state.power)
        board = round(wall * 0.94)
        return [self.psu_error_code(), 1209, 1187, round(board / 11.9), board, 1188, wall]

    def _common_mm(self) -> list[str]:
        s, spec = self.state, self.state.spec
        rates = s.board_hashrates()
        chip_max = [self.chip_max(b) for b in range(spec.boards)]
        parts = [f"Fan{i + 1}[{rpm}]" for i, rpm in enumerate(s.fan_rpms())]
        parts += [
            f"FanR[{self.fan_percent()}%]",
            f"PS[{' '.join(str(v) for v in self._supply())}]",
            f"GHSspd[{s.hashrate * 1000:.2f}]",
            "DHspd[nan%]" if not s.hashing else "DHspd[0.012%]",
            f"GHSmm[{s.expected_hashrate * 1000:.2f}]",
            f"GHSavg[{s.hashrate * 1000:.2f}]",
            f"Freq[{345.94 if s.hashing else 0:.2f}]",
            f"MGHS[{' '.join(f'{r * 1000:.2f}' for r in rates)}]",
        ]
        return [f"TMax[{max(chip_max)}]", f"TAvg[{max(chip_max) - 4}]", *parts]

    def _boards_mm(self) -> list[str]:
        spec = self.state.spec
        out = []
        for b in range(spec.boards):
            out.append(f"PVT_T{b}[{_spaced(self._chip_temps(b))}]")
            out.append(
                f"PVT_V{b}[{' '.join(str(282 + k % 5) for k in range(spec.chips_per_board))}]"
            )
            out.append(f"MW{b}[{' '.join(str(600 + k % 50) for k in range(spec.chips_per_board))}]")
        return out

    def _systemstatu(self) -> str:
        work = "In Work" if self.state.hashing else "In Idle"
        return f"SYSTEMSTATU[Work: {work}, Hash Board: {self.state.spec.boards} ]"

    def _mm_rack(self) -> str:
        s, p, spec = self.state, self.profile, self.state.spec
        boards = spec.boards
        zeros = " ".join("0" for _ in range(boards))
        chip_max = [self.chip_max(b) for b in range(boards)]
        parts = [
            f"Ver[{p.model}-{s.firmware_version}]",
            f"DNA[{s.serial}]",
            "MEMFREE[1392832.1381104]",
            "NETFAIL[0 0 0 0 0 0 0 0]",
            self._systemstatu(),
            f"Elapsed[{s.uptime}]",
            "BOOTBY[0x04.00000000]",
            f"MH[{zeros}]",
            "HW[0]",
            "DH[1.299%]",
            f"Temp[{round(s.environment_temperature)}]",
            *self._common_mm(),
            f"WALLPOWER[{round(s.power)}]",
            f"Led[{1 if s.fault_light else 0}]",
            f"MTmax[{' '.join(str(t) for t in chip_max)}]",
            f"MTavg[{' '.join(str(t - 6) for t in chip_max)}]",
            f"MVavg[{' '.join('285.7' for _ in range(boards))}]",
            "Core[A3197S]",
            f"HASHS[{zeros}]",
            f"SoftOFF[{0 if s.mining else 4}]",
            f"ECHU[{zeros}]",
            "ECMM[0]",
            *(f"SF{b}[300 318 339 360]" for b in range(boards)),
            *self._boards_mm(),
            *(f"FACOPTS{b}[]" for b in range(boards)),
            *(
                f"ATAOPTS{b}[--avalon10-freq 300:318:339:360 --avalon10-voltage-level 1188 "
                f"--hash-asic {spec.chips_per_board}]"
                for b in range(boards)
            ),
            f"MPO[{s.effective_power_limit}]",
            f"WORKMODE[{self.mode_number}]",
        ]
        return " ".join(parts)

    def _versions_mm(self) -> list[str]:
        """Release, loader and board versions: one string on the home models."""
        version = self.state.firmware_version
        return [f"Ver[{self.profile.model}-{version}]", f"LVer[{version}]", f"BVer[{version}]"]

    def _mm_nano(self) -> str:
        s = self.state
        parts = [
            *self._versions_mm(),
            "HVer[6002]",
            "FVer[0x0000]",
            f"DNA[{s.serial}]",
            self._systemstatu(),
            f"Elapsed[{s.uptime}]",
            f"ITemp[{round(s.environment_temperature)}]",
            "OTemp[-273]",  # no outlet sensor
            *self._common_mm(),
            "TarT[80]",
            "Core[A3197S]",
            "BIN[36]",
            f"SoftOFF[{0 if s.mining else 4}]",
            f"SoftOffTime[{self.soft_off_time}]",
            f"SoftOnTime[{self.soft_on_time}]",
            "ECHU[0]",
            "ECMM[0]",
            "SF0[475 500 525 550]",
            *self._boards_mm(),
            "ATA2[-5000-80-16-500-0]",
            f"WORKMODE[{self.mode_number}]",
            f"WORKLEVEL[{self.work_level}]",
            f"MPO[{s.effective_power_limit}]",
            "CALIALL[7]",
            "ADJ[1]",
            "Nonce Mask[25]",
        ]
        return " ".join(parts)

    def _mm_summary(self) -> str:
        s = self.state
        parts = [
            *self._versions_mm(),
            "HashMcu0Ver[Q_hb_v1.1]",
            "FanMcuVer[Q_fb_v1.2]",
            "CPU[K230]",
            "FW[Release]",
            f"DNA[{s.serial}]",
            f"STATE[{2 if s.hashing else 1}]",
            "MEMFREE[67892]",
            "NETFAIL[0 0 0 0 0 0 0 0]",
            "SSID[]",
            "RSSI[0]",
            self._systemstatu(),
            f"Elapsed[{s.uptime}]",
            "BOOTBY[0x01.00000000]",
            "DH[2.449%]",
            f"ITemp[{round(s.environment_temperature)}]",
            f"HBITemp[{self.board_inlet()}]",
            f"HBOTemp[{self.board_outlet()}]",
            *self._common_mm(),
            "TarT[65]",
            f"SoftOffTime[{self.soft_off_time}]",
            f"SoftOnTime[{self.soft_on_time}]",
            "FanErr[0]",
            "SoloAllowed[1]",
            f"SoftOFF[{0 if s.mining else 4}]",
            "ECHU[0]",
            "ECMM[0]",
            "ATA0[800-65-2264-258-20]",
            "LcdOnoff[1]",
            f"WORKMODE[{self.mode_number}]",
            f"WORKLEVEL[{self.work_level}]",
            f"MPO[{s.effective_power_limit}]",
            "Nonce Mask[25]",
        ]
        return "'STATS':{" + " ".join(parts) + "}"

    def _stats(self, when: int) -> dict[str, Any]:
        s, p = self.state, self.profile
        item: dict[str, Any] = {"STATS": 0, "ID": "AVA100", "Elapsed": s.uptime, "Calls": 0}
        item |= {"Wait": 0.0, "Max": 0.0, "Min": 99999999.0}
        if p.summary_layout:
            item["ID"] = "AVALON0"
            item["MM ID0:Summary"] = self._mm_summary()
            item["HBinfo"] = "'HB0':{" + " ".join(self._boards_mm()) + "}"
        else:
            item["MM ID0"] = self._mm_rack() if p.led else self._mm_nano()
            item |= {"MM Count": 1, "Smart Speed": 1}
            if not p.led:  # no Nano capture exists to say otherwise
                item["Connection Overloaded"] = False
            item |= {"Voltage Level Offset": 0, "Nonce Mask": 25}
        works = s.hashing
        diff = 262144.0 if works else 0.0
        pool = {"STATS": 1, "ID": "POOL0", "Elapsed": s.uptime, "Calls": 0}
        pool |= {"Wait": 0.0, "Max": 0.0, "Min": 99999999.0, "Pool Calls": 0, "Pool Attempts": 0}
        pool |= {"Pool Wait": 0.0, "Pool Max": 0.0, "Pool Min": 99999999.0, "Pool Av": 0.0}
        pool |= {"Work Had Roll Time": False, "Work Can Roll": False, "Work Had Expire": False}
        pool |= {"Work Roll Time": 0, "Work Diff": diff, "Min Diff": diff, "Max Diff": diff}
        pool |= {"Min Diff Count": int(works), "Max Diff Count": int(works)}
        pool |= {"Times Sent": 3 + s.uptime // 10, "Bytes Sent": 289 + s.uptime * 20}
        pool |= {"Times Recv": 7 + s.uptime // 8, "Bytes Recv": 4954 + s.uptime * 50}
        pool |= {"Net Bytes Sent": pool["Bytes Sent"], "Net Bytes Recv": pool["Bytes Recv"]}
        return _reply(when, "STATS", [item, pool], "CGMiner stats", 70)

    # -- controls ----------------------------------------------------------------------

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
        if option == "reboot":
            self.soft_off_at = self.soft_on_at = None
            self.state.reboot()
            return reply("ASC 0 set info: reboot", 118, "I")
        return failed(f"Unknown option: {option}")
