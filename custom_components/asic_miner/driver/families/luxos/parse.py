"""LUXminer's replies read: the read commands as sources, parsers and extractors.

Temperatures are dash-joined per-sensor strings (``temp_pcb1: "47-34-34-47"``, zeros
for missing sensors); a fourth, empty chain slot is listed with zeros and skipped.
``devs`` adds each board's serial and nominal rate. The profiles (frequency/voltage
presets, each with an estimated ``Watts``) are the work modes, and their wattages the
only power limits LuxOS runs at.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

from ...contract import Replies, Rpc
from ...exceptions import MinerValueError
from ...models import Board, Fan, MinerErrorEntry, Pool, PowerLimitRange
from ...values import clean_str, ghs_to_ths, positive, rate_to_ths, ths, to_float, to_int
from .._cgminer import (
    DEVS,
    FANS,
    POOLS,
    STATS,
    SUMMARY,
    chain_sensors,
    chains,
    fans,
    first,
    pools,
    section,
    stats_item,
)

POWER = Rpc("power")
CONFIG = Rpc("config")
EVENTS = Rpc("events")
PROFILES = Rpc("profiles")
# The STATS object with the chains (the one after the version object).
_CHAIN_KEYS = ("chain_acn", "chain_rate")

# Events that describe a state the owner chose or normal operation, not a fault.
_INFO_EVENTS = frozenset(
    {"SLEEP", "IDLE", "REBOOT_USER", "SHUTDOWN_USER", "MINER_TUNED", "MINER_TUNING"}
)
_LED_LIT = frozenset({"on", "blink"})


@dataclass(frozen=True, slots=True)
class Profile:
    """One power profile as the miner lists it."""

    name: str
    watts: int | None = None
    hashrate: float | None = None  # TH/s, the firmware's estimate
    frequency: float | None = None  # MHz


def parse_profiles(reply: Any) -> list[Profile]:
    """Profiles in the order the miner lists them; nameless entries dropped."""
    profiles = []
    for item in section(reply, "PROFILES"):
        name = clean_str(item.get("Profile Name", item.get("Name")))
        if name is None:
            continue
        profiles.append(
            Profile(
                name=name,
                watts=to_int(positive(to_float(item.get("Watts")))),
                hashrate=positive(ths(item.get("Hashrate"))),
                frequency=positive(to_float(item.get("Frequency"))),
            )
        )
    return profiles


def choose_profile(profiles: list[Profile], watts: int) -> Profile:
    """The highest profile drawing at most ``watts`` (the faster one on a tie)."""
    fitting = [p for p in profiles if p.watts is not None and p.watts <= watts]
    if not fitting:
        known = [p.watts for p in profiles if p.watts is not None]
        lowest = f"; the lowest profile draws {min(known)} W" if known else ""
        raise MinerValueError(f"no LuxOS profile draws {watts} W or less{lowest}")
    return max(fitting, key=lambda p: (p.watts or 0, p.hashrate or 0.0))


def normalize_model(raw: Any) -> str | None:
    """``Antminer S19 XP`` (or ``Antminer S19XP (…)``) -> ``S19 XP``."""
    name = clean_str(raw)
    if name is None:
        return None
    name = name.split(" (")[0]
    name = re.sub(r"^(bitmain\s+)?antminer\s+", "", name, flags=re.IGNORECASE).strip()
    name = re.sub(r"^S19XP\b", "S19 XP", name, flags=re.IGNORECASE)
    return name or None


def parse_firmware_version(version: dict[str, Any], description: Any = None) -> str | None:
    """``2025.4.8.220305`` from ``LUXminer`` (``…-57b389c7``), ``Miner`` or the STATUS text.

    ``Miner`` is spoofed as ``uart_trans.1.3`` on some releases, so it only counts when
    it looks like a LuxOS release (a dotted date).
    """
    candidates = [
        version.get("LUXminer"),
        version.get("Miner"),
        re.sub(r"^luxminer\s+", "", clean_str(description) or "", flags=re.IGNORECASE),
    ]
    for candidate in candidates:
        text = clean_str(candidate)
        if text is None:
            continue
        match = re.match(r"(\d{4}\.\d+\.\d+(?:\.\d+)?)", text)
        if match:
            return match.group(1)
    return None


def event_entries(reply: Any) -> list[MinerErrorEntry]:
    """Faults from ``events``; state notices such as SLEEP are not faults."""
    entries = []
    for event in section(reply, "EVENTS"):
        code = clean_str(event.get("Code"))
        if code is not None and code.upper() in _INFO_EVENTS:
            continue
        text = clean_str(event.get("Description")) or code
        if text is None:
            continue
        target = (clean_str(event.get("Target")) or "").upper()
        index = to_int(event.get("ID"))
        if target == "BOARD" and index is not None:
            text = f"Board {index}: {text}"
        entries.append(MinerErrorEntry(message=text, code=code))
    return entries


# -- extractors --------------------------------------------------------------------------


def _config(replies: Replies) -> dict[str, Any]:
    return first(replies[CONFIG], "CONFIG")


def hashrate(replies: Replies) -> float | None:
    return ghs_to_ths(first(replies[SUMMARY], "SUMMARY")["GHS 5s"])


def expected_hashrate(replies: Replies) -> float | None:
    stats = stats_item(replies[STATS], _CHAIN_KEYS)
    return positive(rate_to_ths(stats["total_rateideal"], stats.get("rate_unit")))


def _devs_by_slot(replies: Replies) -> dict[int, dict[str, Any]]:
    """``devs`` records by stats slot (ASC n is chain slot n+1); empty where it failed."""
    reply = replies.get(DEVS)
    if not isinstance(reply, dict):
        return {}
    out: dict[int, dict[str, Any]] = {}
    for item in section(reply, "DEVS"):
        asc = to_int(item.get("ASC"))
        if asc is not None:
            out[asc + 1] = item
    return out


def boards(replies: Replies) -> list[Board]:
    stats = stats_item(replies[STATS], _CHAIN_KEYS)
    devs = _devs_by_slot(replies)
    found: list[Board] = []
    for slot, chips, rate in chains(stats, ghs_to_ths, "chain_acn", "chain_rate"):
        sensors = chain_sensors(stats, slot)
        temperatures = (sensors["chip_temperature"], sensors["board_temperature"])
        if not chips and not rate and temperatures == (None, None):
            continue  # an empty connector: LuxOS lists it with zeros
        dev = devs.get(slot, {})
        found.append(
            Board(
                index=len(found),
                hashrate=rate,
                expected_hashrate=positive(rate_to_ths(dev.get("Nominal MHS"), "MH")),
                chips=chips,
                serial=clean_str(dev.get("SerialNumber")),
                active=None if rate is None else rate > 0,
                **sensors,
            )
        )
    return found


def fan_list(replies: Replies) -> list[Fan]:
    return fans(replies[FANS])


def power(replies: Replies) -> float | None:
    value = to_float(first(replies[POWER], "POWER")["Watts"])
    return None if value is None or value < 0 else value


def active_profile(replies: Replies) -> str | None:
    return clean_str(_config(replies).get("Profile"))


def power_limit(replies: Replies) -> float | None:
    name = active_profile(replies)
    for profile in replies.parsed(PROFILES, parse_profiles):
        if profile.name == name:
            return None if profile.watts is None else float(profile.watts)
    return None  # a profile the list does not know has no wattage to show


def work_modes(replies: Replies) -> list[str]:
    return [p.name for p in replies.parsed(PROFILES, parse_profiles)]


def power_limit_range(replies: Replies) -> PowerLimitRange | None:
    """The only wattages LuxOS runs at: its profiles'."""
    return PowerLimitRange.from_levels(p.watts for p in replies.parsed(PROFILES, parse_profiles))


def mining(replies: Replies) -> bool | None:
    mode = clean_str(_config(replies).get("CurtailMode"))
    if mode is None:
        return None
    return mode.lower() == "none"  # "Sleep" / "Idle" while curtailed


def fault_light(replies: Replies) -> bool | None:
    led = clean_str(_config(replies).get("RedLed"))
    return None if led is None else led.lower() in _LED_LIT  # "auto"/"off": not ours


def errors(replies: Replies) -> list[MinerErrorEntry]:
    return event_entries(replies[EVENTS])


def uptime(replies: Replies) -> int | None:
    if STATS in replies:
        with contextlib.suppress(KeyError, IndexError, TypeError):
            return to_int(stats_item(replies[STATS], _CHAIN_KEYS)["Elapsed"])
    return to_int(first(replies[SUMMARY], "SUMMARY")["Elapsed"])


def pool_list(replies: Replies) -> list[Pool]:
    return pools(replies[POOLS])
