"""Hammer D10 (Scrypt): ccminer 2.3.3's RPC and the Antminer-clone CGI.

As pyasic's capture of the 2023-05-28 firmware shows: the CGI's digest realm is
``blackMiner Configuration``; ``version`` and ``stats`` say ``CGMiner`` 2.3.3 with
``ccminer`` in the status; rates are MH/s strings (``MHS 5s``, ``chain_rate<n>``)
with the fourth chain slot empty; ``stats`` sends ``temp1``..``temp4`` four times each
in one object (duplicate keys, reproduced); share counts in ``summary`` are strings.
The S9-era web routes serve it (reboot, configuration), with no work modes.
"""

from __future__ import annotations

import json
import time
from typing import Any

from aiohttp import web

from ... import cgminer
from ...models import models_of
from .. import register
from ..antminer import ForkSim

REALM = "blackMiner Configuration"
DESCRIPTION = "ccminer 2.3.3"
CGMINER = "2.3.3"
MINER = "2.0.2.2"


@register
class HammerSim(ForkSim):
    family = "hammer"
    models = models_of("hammer")
    realm = REALM

    def _type(self) -> str:
        return f"{self.state.spec.make} {self.state.spec.model}"

    async def _system_info(self, request: web.Request) -> web.Response:
        """The capture's keys: no serial number, the control board's uptime and memory."""
        return web.json_response(
            self.network_info()
            | {
                "curtime": time.strftime("%H:%M:%S"),
                "uptime": str(self.state.uptime),
                "loadaverage": "1.06, 1.36, 1.48",
                "mem_total": "251180",
                "mem_used": "64392",
                "mem_free": "186788",
                "mem_buffers": "0",
                "mem_cached": "0",
                "system_mode": "GNU/Linux",
                "bb_hwv": MINER,
                "system_kernel_version": "Linux 3.8.13 #22 SMP Tue Dec 2 15:26:11 CST 2014",
                "system_filesystem_version": "2022-11-11 13-46-30 CST",
                "cgminer_version": CGMINER,
            }
        )

    def _head(self) -> dict[str, Any]:
        return {"CGMiner": CGMINER, "Miner": MINER, "CompileTime": self.compile_time}

    def _version(self) -> bytes:
        item = self._head() | {"API": "3.1", "Type": self._type()}
        return self._encode(cgminer.version_reply(item, "CGMiner versions", DESCRIPTION))

    def _summary(self) -> bytes:
        s = self.state
        mhs = f"{s.hashrate * 1_000_000:.4f}"
        accepted, rejected = s.shares(0)
        item = {"Elapsed": s.uptime, "MHS 5s": mhs, "MHS av": mhs}
        counters = self.summary_counters()
        counters["Getworks"] = counters.pop("Getwork")  # ccminer's spelling, shares as text
        item |= counters | {"Accepted": f"{accepted:.4f}", "Rejected": f"{rejected:.4f}"}
        return self._encode(cgminer.reply("SUMMARY", [item], "Summary", 11, DESCRIPTION))

    def _stats(self) -> bytes:
        """Written out by hand: ``temp1``..``temp4`` repeat, which a dict cannot hold."""
        s, spec = self.state, self.state.spec
        rates = [f"{r * 1_000_000:.4f}" for r in s.board_hashrates()]
        head: dict[str, Any] = {"STATS": 0, "ID": "A30", "Elapsed": s.uptime, "Calls": 0}
        head |= {"Wait": 0.0, "Max": 0.0, "Min": 99999999.0}
        mhs = f"{s.hashrate * 1_000_000:.4f}"
        head |= {"MHS 5s": mhs, "MHS av": mhs, "miner_count": spec.boards, "frequency": "810"}
        head |= {"fan_num": spec.fans} | cgminer.fan_fields(s.fan_rpms())
        head["temp_num"] = 4 * (spec.boards + 1)
        temps = []
        for slot in range(spec.boards + 1):
            pcb = round(s.board_temperature(slot)) if slot < spec.boards else 0
            for value in (
                pcb - 20 if pcb else 0,
                pcb,
                pcb - 18 if pcb else 0,
                pcb + 3 if pcb else 0,
            ):
                temps.append(f'"temp{slot + 1}":{value}')
        tail: dict[str, Any] = {"temp_max": 52, "Device Hardware%": 0.0, "no_matching_work": 0}
        for prefix, values, empty in (
            ("chain_acn", [spec.chips_per_board] * spec.boards, 0),
            ("chain_acs", [" oooooooo" * (spec.chips_per_board // 8)] * spec.boards, ""),
            ("chain_hw", [0] * spec.boards, 0),
            ("chain_rate", rates, ""),
        ):
            tail |= {
                f"{prefix}{n + 1}": values[n] if n < spec.boards else empty
                for n in range(spec.boards + 1)
            }
        body = json.dumps(head)[:-1] + "," + ",".join(temps) + "," + json.dumps(tail)[1:]
        status = json.dumps(cgminer.status("CGMiner stats", 70, DESCRIPTION))
        version = json.dumps(self._head() | {"Type": self._type()})
        text = f'{{"STATUS":{status},"STATS":[{version},{body}],"id":1}}'
        return text.encode() + b"\x00"
