"""The ``stats`` reply of the ``4.11.1 rwglr`` bmminer fork Hiveon ships.

Sixteen chain slots, the unused ones as zeros, and the measured power per chain
(``chain_power<n>``, ``total_power``). Keys and order follow the public captures: asic-rs
``hiveon_s19x88_stats_captured.json`` (Hiveon) and pyasic's MSKMiner 2.6.0.39
``rpc_stats``, which list the same keys (the order here is pyasic's, bmminer's own
emission order; the asic-rs file was re-serialised with sorted keys).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ... import cgminer
from ...state import MinerState
from ..antminer.base import DESCRIPTION

SLOTS = 16
FANS = 8
BMMINER = "4.11.1 rwglr"
MINER = "0.0.1.3"


def _per_slot(prefix: str, values: Sequence[Any], empty: Any) -> dict[str, Any]:
    return {f"{prefix}{n + 1}": values[n] if n < len(values) else empty for n in range(SLOTS)}


def _temps(values: Sequence[float]) -> list[str]:
    return [f"{t:g}-{t:g}-{t:g}-{t:g}" for t in values]


def chain_item(state: MinerState) -> dict[str, Any]:
    """The object after the version one: the miner, its chains and fans."""
    s, spec = state, state.spec
    boards = range(spec.boards)
    rates = [round(r * 1000, 2) for r in s.board_hashrates()]
    pcb = [round(s.board_temperature(i)) for i in boards]
    chip = [round(s.chip_temperature(i)) for i in boards]
    ideal = round(spec.nominal_hashrate * 1000 / max(spec.boards, 1), 2)
    ghs = round(s.hashrate * 1000, 2)
    rpms = s.fan_rpms()
    item: dict[str, Any] = {
        "STATS": 0,
        "ID": "BC50",
        "Elapsed": s.uptime,
        "Calls": 0,
        "Wait": 0.0,
        "Max": 0.0,
        "Min": 99999999.0,
        "GHS 5s": ghs,
        "GHS av": ghs,
        "miner_count": spec.boards,
        "frequency": "",
        "fan_num": len(rpms),
    }
    item |= {f"fan{n + 1}": rpms[n] if n < len(rpms) else 0 for n in range(FANS)}
    item["temp_num"] = spec.boards
    item |= _per_slot("temp", pcb, 0)
    item |= _per_slot("temp2_", chip, 0)
    item |= _per_slot("temp3_", chip, 0)
    item |= _per_slot("temp_pcb", _temps(pcb), "0-0-0-0")
    item |= _per_slot("temp_chip", _temps(chip), "0-0-0-0")
    item |= {
        "total_rateideal": round(spec.nominal_hashrate * 1000, 2),
        "total_freqavg": 0.0,
        "total_acn": spec.chips_per_board * spec.boards,
        "total_rate": ghs,
    }
    item |= _per_slot("chain_rateideal", [ideal] * spec.boards, ideal)
    item |= {"temp_max": max(pcb, default=0), "no_matching_work": 0}
    item |= _per_slot("chain_acn", [spec.chips_per_board] * spec.boards, 0)
    item |= _per_slot("chain_acs", [" oo" * spec.chips_per_board] * spec.boards, "")
    item |= _per_slot("chain_hw", [0] * spec.boards, 0)
    item |= _per_slot("chain_rate", rates, 0.0)
    item |= {f"chain_xtime{n + 1}": "{}" for n in boards}
    item |= {f"chain_offside_{n + 1}": "" for n in boards}
    item |= {f"chain_opencore_{n}": "1" for n in boards}
    item |= _per_slot("freq", [525] * spec.boards, 0)
    item |= _per_slot("chain_avgrate", rates, 0.0)
    item |= {"miner_version": MINER, "miner_id": ""}
    share = round(s.power / max(spec.boards, 1))
    item |= {f"chain_power{n + 1}": share for n in boards}
    item["total_power"] = round(s.power)
    item |= _per_slot("chain_voltage", [], 14.2)
    item |= {"fan_pwm": 60, "bringup_temp": 20, "has_pic": "0", "tune_running": "0"}
    item |= {"psu_status": "PSU OK", "downscale_mode": "0", "has_hotel_fee": "0"}
    return item


def head(compile_time: str, kind: str) -> dict[str, Any]:
    """The version object first in ``stats`` (and, with ``API``, in ``version``)."""
    return {"BMMiner": BMMINER, "Miner": MINER, "CompileTime": compile_time, "Type": kind}


def stats_reply(state: MinerState, compile_time: str, kind: str) -> dict[str, Any]:
    status = cgminer.status("BMMiner stats", 70, DESCRIPTION)
    return {"STATUS": status, "STATS": [head(compile_time, kind), chain_item(state)], "id": 1}


def version_reply(compile_time: str, kind: str) -> dict[str, Any]:
    item = head(compile_time, kind) | {"API": "3.1"}
    return cgminer.version_reply(item, "BMMiner versions", DESCRIPTION)
