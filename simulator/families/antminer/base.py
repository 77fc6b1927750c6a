"""What stock bmminer's RPC and lighttpd's CGI share: model generation, names, dates."""

from __future__ import annotations

from typing import Any

from ... import cgminer
from ...cgminer import PoolRow
from ...miner import SimMiner
from ...models import ANTMINER_S9_BUILD, ANTMINER_X19_BUILD

REALM = "antMiner Configuration"
DESCRIPTION = "cgminer 1.0.0"
_MODES = {"normal": 0, "sleep": 1, "high": 2, "low": 3}
_MODE_NAMES = {v: k for k, v in _MODES.items()}
LEGACY_MODELS = {"S9"}
# bmminer's build date, by model (the X19 web UI and RPC print the same string).
COMPILE_TIMES = {"S9": ANTMINER_S9_BUILD, "S21": "Thu Oct  9 15:20:41 CST 2025"}


def _refusal(msg: str, code: int) -> bytes:
    return cgminer.encode(cgminer.error(msg, code, DESCRIPTION))


def _pool_extra(row: PoolRow) -> dict[str, Any]:
    accepted, rejected = row.accepted, row.rejected
    return {
        "Priority": row.priority,
        "Get Failures": 0,
        "Quota": 1,
        "Long Poll": "N",
        "Getworks": accepted,
        "Discarded": 0,
        "Stale": 0,
        "Remote Failures": 0,
        "Last Share Time": "0:00:05" if accepted else "0",
        "Diff": "524K" if accepted else "",
        "Diff1 Shares": 0,
        "Proxy Type": "",
        "Proxy": "",
        "Difficulty Accepted": float(accepted * 65536),
        "Difficulty Rejected": float(rejected * 65536),
        "Difficulty Stale": 0.0,
        "Last Share Difficulty": 65536.0 if accepted else 0.0,
        "Has Stratum": True,
        "Stratum URL": row.pool.url.split("://")[-1].split(":")[0] if row.index == 0 else "",
        "Has GBT": False,
        "Best Share": 0.0,
        "Pool Rejected%": 0.0,
        "Pool Stale%%": 0.0,
    }


class AntminerBase(SimMiner):
    firmware_version = ANTMINER_X19_BUILD
    realm = REALM  # the digest realm of the CGI (clones name their own)

    @property
    def legacy(self) -> bool:
        return self.state.spec.model in LEGACY_MODELS

    @property
    def legacy_web(self) -> bool:
        """Whether the web UI is the S9-era one (form-encoded blink, no work modes)."""
        return self.legacy

    def _type(self) -> str:
        return f"Antminer {self.state.spec.model}"

    @property
    def compile_time(self) -> str:
        return COMPILE_TIMES.get(self.state.spec.model, ANTMINER_X19_BUILD)
