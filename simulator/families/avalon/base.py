"""What Canaan's cgminer replies share: profiles, the envelope, derived readings, the
scheduled soft off / soft on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ... import cgminer
from ...cgminer import PoolRow
from ...miner import SimMiner
from ...models import models_of
from ...state import SimPool

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
        "Priority": row.priority,
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


class AvalonBase(SimMiner):
    default_username = ""
    default_password = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.soft_off_at: int | None = None  # pending softoff / softon, Unix time
        self.soft_on_at: int | None = None
        self.soft_off_time = 0  # last times asked for, as SoftOffTime / SoftOnTime show
        self.soft_on_time = 0
        self.work_level = 0
        self.saved_pools: list[SimPool] = []  # setpool's, for the next boot (racks)
        self.requests: list[tuple[str, str | None]] = []  # every command, for tests

    @property
    def profile(self) -> _Profile:
        return PROFILES[self.state.spec.model]

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

    def _encode(self, payload: dict[str, Any]) -> bytes:
        text = json.dumps(payload)
        text = text.replace(json.dumps(_NAN), "nan").replace(json.dumps(_INF), "inf")
        return text.encode() + b"\x00"
