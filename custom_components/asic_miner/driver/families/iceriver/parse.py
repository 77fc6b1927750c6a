"""IceRiver's one reply, ``userpanel`` (``post=4``): pure extractors and the model name.

Shapes as in the BlockOps asic-rs fork's AL3 fixtures (a live ``10306`` capture with
float counts, and a pyasic-derived one with string numbers) and pyasic's IceRiver
reader for the KS models (protocols.md §7.6): everything sits under ``data``. Rates
are text with a unit letter (``"14762G"``, board ``"5153.04G"``) or a bare number in
the panel's ``unit``; ``runtime`` is ``D:HH:MM:SS``; ``boards[]`` carry ``no`` (from
1), ``intmp`` and ``outtmp`` (board and chip temperature, as pyasic and asic-rs read
them), ``chipnum``, ``freq`` and ``state``; ``pools[]`` carry ``no``, ``addr``,
``user``, ``connect`` (mined on), ``state`` (1: alive) and the share counters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...contract import Replies, Web
from ...exceptions import MinerResponseError
from ...models import Board, Fan, Pool, PoolConfig
from ...values import clean_str, positive, rate_to_ths, to_bool, to_float, to_int

PANEL = Web("/user/userpanel?post=4")
# The model the firmware's code names, where it is not the model's own name.
_CODES = {"10306": "AL3", "KS0PRO": "KS0 Pro", "KS0ULTRA": "KS0 Ultra"}
# Matched on the stripped text, at most _RATE_CHARS long, with possessive quantifiers:
# linear in the reply, whatever a hostile peer sends (no backtracking over blanks).
_RATE = re.compile(r"([0-9]++(?:\.[0-9]++)?+)\s*+([KMGTP]?)(?:H(?:/S)?)?", re.IGNORECASE)
_RATE_CHARS = 32
_RUNTIME_PARTS = 4


def data(reply: Any) -> Mapping[str, Any]:
    """The panel's ``data`` object, else ``MinerResponseError``."""
    found = reply.get("data") if isinstance(reply, dict) else None
    if not isinstance(found, dict):
        raise MinerResponseError("userpanel: no data object")
    return found


def model_name(panel: Mapping[str, Any]) -> str | None:
    """``model`` where the firmware fills it, else the code in ``softver1``.

    ``softver1`` ends in ``_<code>_miner`` (``ICM168_04_02_1810_10306_miner``) or
    ``_<code>miner`` (``…_KS5Lminer``); the AL3's code is ``10306``.
    """
    named = clean_str(panel.get("model"))
    if named and named.lower() != "none":
        return _CODES.get(named.upper().replace(" ", ""), named)
    parts = (clean_str(panel.get("softver1")) or "").split("_")
    last = parts[-1]
    code = parts[-2] if last.lower() == "miner" and len(parts) > 1 else last
    code = code.upper().removesuffix("MINER")
    return _CODES.get(code, code) or None


def rate(value: Any, unit: Any) -> float | None:
    """``"14762G"``, ``"15.0T"`` or a bare number in ``unit``, in TH/s."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return rate_to_ths(value, clean_str(unit))
    text = value.strip() if isinstance(value, str) and len(value) <= 4 * _RATE_CHARS else None
    match = _RATE.fullmatch(text) if text is not None and len(text) <= _RATE_CHARS else None
    if match is None:
        return None
    return rate_to_ths(match[1], match[2] or clean_str(unit))


def hashrate(replies: Replies) -> float | None:
    panel = data(replies[PANEL])
    return rate(panel["rtpow"], panel.get("unit"))


def uptime(replies: Replies) -> int | None:
    """``runtime`` ``D:HH:MM:SS`` in seconds; any other shape is unknown."""
    parts = str(data(replies[PANEL])["runtime"]).split(":")
    values = [int(p) if p.isdigit() else -1 for p in parts]
    if len(values) != _RUNTIME_PARTS or min(values) < 0 or max(values[1:]) >= 60:
        return None
    days, hours, minutes, seconds = values
    return None if hours >= 24 else ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def mining(replies: Replies) -> bool | None:
    return to_bool(data(replies[PANEL])["powstate"])


def fault_light(replies: Replies) -> bool | None:
    return to_bool(data(replies[PANEL])["locate"])


def fans(replies: Replies) -> list[Fan]:
    """Each fan's RPM in order; a slot without a number ("unavailable") is left out."""
    found = [Fan(index=n, rpm=to_int(rpm)) for n, rpm in enumerate(data(replies[PANEL])["fans"])]
    return [fan for fan in found if fan.rpm is not None and fan.rpm >= 0]


def _index(item: Mapping[str, Any], position: int) -> int:
    """The item's own ``no`` (counted from 1) from 0, else its place in the list."""
    number = to_int(item.get("no"))
    return position if number is None or number < 1 else number - 1


def boards(replies: Replies) -> list[Board]:
    panel = data(replies[PANEL])
    paused = to_bool(panel.get("powstate")) is False
    found = []
    for position, item in enumerate(panel["boards"]):
        found.append(
            Board(
                index=_index(item, position),
                hashrate=rate(item.get("rtpow"), panel.get("unit")),
                board_temperature=positive(to_float(item.get("intmp"))),
                chip_temperature=positive(to_float(item.get("outtmp"))),
                chips=to_int(item.get("chipnum")),
                frequency=positive(to_float(item.get("freq"))),
                active=None if paused else to_bool(item.get("state")),
            )
        )
    return found


def pool_list(replies: Replies) -> list[Pool]:
    """The configured pools; an empty ``addr`` is an unused slot."""
    found = []
    for position, item in enumerate(data(replies[PANEL]).get("pools") or []):
        url = clean_str(item.get("addr"))
        if not url:
            continue
        state = to_int(item.get("state"))
        found.append(
            Pool(
                index=_index(item, position),
                url=url,
                user=clean_str(item.get("user")),
                alive=None if state is None else state == 1,
                active=to_bool(item.get("connect")),
                accepted=to_int(item.get("accepted")),
                rejected=to_int(item.get("rejected")),
            )
        )
    return found


# ``machineconfig``'s ``mode`` as its write takes it back (``fanmode``), bitcap-ipr's reading.
_CONFIG_MODES = {0: "sleep", 1: "normal"}
_POOL_SLOTS = 3


def pool_configs(config: Mapping[str, Any]) -> list[PoolConfig]:
    """The saved pools of ``machineconfig`` (``post=1``), passwords included."""
    items = config.get("pools")
    if not isinstance(items, list):
        raise MinerResponseError("machineconfig: no pool list")
    return [
        PoolConfig(str(item["addr"]), str(item.get("user") or ""), str(item.get("pass") or ""))
        for item in items
        if isinstance(item, dict) and clean_str(item.get("addr"))
    ]


def config_form(config: Mapping[str, Any], pools: list[PoolConfig]) -> dict[str, str]:
    """The ``post=2`` form: ``pools`` in the three slots (unused ones empty), the fan
    ratio and mode sent back as read, so the write changes the pools only."""
    ratio = to_int(config.get("ratio"))
    mode = to_int(config.get("mode"))
    if ratio is None or mode not in _CONFIG_MODES:
        # Unsent, the firmware might reset them: no pool write rather than a fan change.
        raise MinerResponseError("machineconfig: fan ratio or mode unreadable; pools not sent")
    form = {"fanratio": str(ratio), "fanmode": _CONFIG_MODES[mode]}
    for slot in range(_POOL_SLOTS):
        pool = pools[slot] if slot < len(pools) else PoolConfig("", "", "")
        number = slot + 1
        form |= {f"pool{number}address": pool.url, f"pool{number}miner": pool.user}
        form[f"pool{number}pwd"] = pool.password
    return form
