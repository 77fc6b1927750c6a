"""``estats``/``stats``: the bracket strings of the ``MM ID0`` record, one layout per
model generation (rack, Nano, the Q's ``Summary`` + ``HBinfo``).
"""

from __future__ import annotations

from typing import Any

from .base import AvalonBase, _reply, _spaced


class AvalonStats(AvalonBase):
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
