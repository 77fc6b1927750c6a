"""Stock Antminer firmware (bmminer / cgminer) on X17 to X21 and the S9 era.

Reads come over RPC (``summary``, ``stats``, ``pools``); identity, errors, the work
mode and the fault light come from the digest-protected web CGI. Stock firmware has no
power limit, only work modes; sleeping is work mode 1. ``set_miner_conf.cgi`` resets
every field it is not sent, so every write re-sends the whole configuration it read.
"""

from __future__ import annotations

import re
from typing import Any

from ..context import MinerContext
from ..contract import Backend, Family, Field, Location, ProbeResults, Replies, Rpc, Web
from ..exceptions import MinerControlRefusedError, MinerResponseError, MinerValueError
from ..hardware import lookup
from ..models import (
    Board,
    Control,
    Credentials,
    Fan,
    MinerErrorEntry,
    MinerIdentity,
    Pool,
)
from ..transports.http import HttpClient, HttpReply
from ..values import (
    clean_str,
    ghs_to_ths,
    max_temp,
    normalize_mac,
    positive,
    rate_to_ths,
    to_bool,
    to_float,
    to_int,
)
from ._cgminer import first, pools, probe_item, slots, stats_item
from ._probes import RPC_VERSION, WEB_ROOT, realm, web_reply

DEFAULT_CREDENTIALS = Credentials("root", "root")
MAKE = "Bitmain"

SUMMARY = Rpc("summary")
STATS = Rpc("stats")
POOLS = Rpc("pools")
WEB_CONF = Web("/cgi-bin/get_miner_conf.cgi")
WEB_BLINK = Web("/cgi-bin/get_blink_status.cgi")
WEB_SUMMARY = Web("/cgi-bin/summary.cgi")

# bitmain-work-mode / miner-mode values
_MODE_NAMES = {0: "normal", 1: "sleep", 2: "high", 3: "low"}
_MODE_VALUES = {name: value for value, name in _MODE_NAMES.items()}
WORK_MODES = ("normal", "low", "high")


# -- extractors -------------------------------------------------------------------

# The STATS object that carries the chain data (the one after the version object).
_CHAIN_KEYS = ("chain_rate", "chain_acn", "fan")


def _hashrate(replies: Replies) -> float | None:
    return ghs_to_ths(first(replies[SUMMARY], "SUMMARY")["GHS 5s"])


def _expected_hashrate(replies: Replies) -> float | None:
    stats = stats_item(replies[STATS], _CHAIN_KEYS)
    return rate_to_ths(stats["total_rateideal"], stats.get("rate_unit"))


def _boards(replies: Replies) -> list[Board]:
    stats = stats_item(replies[STATS], _CHAIN_KEYS)
    boards = []
    for position, slot in enumerate(slots(stats, "chain_acn")):
        chips = to_int(stats.get(f"chain_acn{slot}"))
        rate = ghs_to_ths(stats.get(f"chain_rate{slot}"))
        if not chips and rate is None:
            continue  # empty slot: bmminer lists four even on three-board models
        boards.append(
            Board(
                index=position,
                hashrate=rate,
                chip_temperature=max_temp(
                    stats.get(f"temp_chip{slot}", stats.get(f"temp2_{slot}"))
                ),
                board_temperature=max_temp(stats.get(f"temp_pcb{slot}", stats.get(f"temp{slot}"))),
                chips=chips,
                frequency=positive(to_float(stats.get(f"freq{slot}"))),
                active=bool(rate),
            )
        )
    return boards


def _fans(replies: Replies) -> list[Fan]:
    stats = stats_item(replies[STATS], _CHAIN_KEYS)
    spinning = [s for s in slots(stats, "fan") if to_int(stats.get(f"fan{s}"))]
    if not spinning:
        return []
    lowest = spinning[0]  # fan1-4 on most models, fan5-8 on some
    return [Fan(index=s - lowest, rpm=to_int(stats[f"fan{s}"])) for s in spinning]


def _uptime(replies: Replies) -> int | None:
    return to_int(stats_item(replies[STATS], _CHAIN_KEYS)["Elapsed"])


def _pools(replies: Replies) -> list[Pool]:
    return pools(replies[POOLS])


def _work_mode_value(conf: dict[str, Any]) -> int | None:
    return to_int(conf.get("bitmain-work-mode", conf.get("miner-mode")))


def _mining(replies: Replies) -> bool | None:
    mode = _work_mode_value(replies[WEB_CONF])
    return None if mode is None else mode != 1


def _work_mode(replies: Replies) -> str | None:
    mode = _work_mode_value(replies[WEB_CONF])
    return None if mode is None or mode == 1 else _MODE_NAMES.get(mode)


def _fault_light(replies: Replies) -> bool | None:
    return to_bool(replies[WEB_BLINK]["blink"])


def _errors(replies: Replies) -> list[MinerErrorEntry]:
    items = first(replies[WEB_SUMMARY], "SUMMARY")["status"]
    return [
        MinerErrorEntry(
            message=str(item.get("msg") or item.get("type")), code=clean_str(item.get("code"))
        )
        for item in items
        if isinstance(item, dict) and item.get("status") not in ("s", None)
    ]


_COMMON_MAP = {
    Field.HASHRATE: Location((SUMMARY,), _hashrate),
    Field.EXPECTED_HASHRATE: Location((STATS,), _expected_hashrate),
    Field.BOARDS: Location((STATS,), _boards),
    Field.FANS: Location((STATS,), _fans),
    Field.UPTIME: Location((STATS,), _uptime),
    Field.POOLS: Location((POOLS,), _pools),
}


class _AntminerBackend(Backend):
    RPC_MULTICOMMAND = False  # stock bmminer refuses `a+b` multicommands

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        super().__init__(ctx, identity)
        self.web: HttpClient = ctx.web(digest=ctx.login(DEFAULT_CREDENTIALS))

    async def fetch_web(self, path: str) -> Any:
        return await self.web.get_json(path)

    async def check_credentials(self) -> None:
        await self.web.get_json("/cgi-bin/get_system_info.cgi")

    async def cgi(self, what: str, path: str, **kwargs: Any) -> HttpReply:
        """POST to a CGI and check its HTTP status: lighttpd answers 404 for a CGI the
        firmware lacks and 500 when it fails, and neither is a success; a redirect
        (to a login page, say) is not the CGI's answer either, so 3xx is refused too."""
        reply = await self.web.request("POST", path, **kwargs)
        if reply.status >= 300:
            raise MinerControlRefusedError(what, f"HTTP {reply.status} {reply.text[:80]!r}")
        return reply

    async def reboot(self) -> None:
        await self.cgi("reboot", "/cgi-bin/reboot.cgi")


class ModernBackend(_AntminerBackend):
    """X19 / X21 web UI: JSON CGI, work modes, blink status."""

    name = "modern"
    DATA_MAP = {
        **_COMMON_MAP,
        Field.MINING: Location((WEB_CONF,), _mining),
        Field.WORK_MODE: Location((WEB_CONF,), _work_mode),
        Field.WORK_MODES: Location((), lambda _: WORK_MODES),
        Field.FAULT_LIGHT: Location((WEB_BLINK,), _fault_light),
        Field.ERRORS: Location((WEB_SUMMARY,), _errors),
    }
    CONTROLS = frozenset({Control.MINING, Control.FAULT_LIGHT, Control.WORK_MODE, Control.REBOOT})

    async def _write_mode(self, mode: int, what: str) -> None:
        conf = await self.web.get_json(WEB_CONF.path)
        if not isinstance(conf, dict):
            raise MinerResponseError("miner configuration is not an object")
        # The CGI resets what it is not sent: send every field back unchanged.
        body = {
            "bitmain-fan-ctrl": conf.get("bitmain-fan-ctrl", False),
            "bitmain-fan-pwm": conf.get("bitmain-fan-pwm", "100"),
            "freq-level": conf.get("freq-level", conf.get("bitmain-freq-level", "100")),
            "miner-mode": mode,
            "bitmain-work-mode": str(mode),
            "pools": [
                {"url": p.get("url", ""), "user": p.get("user", ""), "pass": p.get("pass", "")}
                for p in conf.get("pools", [])
            ],
        }
        while len(body["pools"]) < 3:
            body["pools"].append({"url": "", "user": "", "pass": ""})
        reply = (await self.cgi(what, "/cgi-bin/set_miner_conf.cgi", json_body=body)).json()
        if not isinstance(reply, dict) or reply.get("stats") != "success":
            raise MinerControlRefusedError(what, repr(reply)[:120])

    async def set_mining(self, on: bool) -> None:
        await self._write_mode(0 if on else 1, "resume mining" if on else "pause mining")

    async def set_work_mode(self, mode: str) -> None:
        if mode not in WORK_MODES:
            raise MinerValueError(
                f"unknown work mode {mode!r}; choose from {', '.join(WORK_MODES)}"
            )
        await self._write_mode(_MODE_VALUES[mode], "work mode")

    async def set_fault_light(self, on: bool) -> None:
        sent = {"blink": "true" if on else "false"}
        reply = (await self.cgi("fault light", "/cgi-bin/blink.cgi", json_body=sent)).json()
        if isinstance(reply, dict) and reply.get("code") not in (None, "B000", "B100"):
            raise MinerControlRefusedError("fault light", repr(reply)[:120])


LEGACY_BLINK = Web("blink:onPageLoaded")  # old web reports the light through an action


def _legacy_fault_light(replies: Replies) -> bool | None:
    return to_bool(replies[LEGACY_BLINK]["isBlinking"])


class LegacyBackend(_AntminerBackend):
    """S9 / X17-era web UI: form-encoded CGI, blink by action, no work modes."""

    name = "legacy"
    DATA_MAP = {
        **_COMMON_MAP,
        Field.FAULT_LIGHT: Location((LEGACY_BLINK,), _legacy_fault_light),
    }
    CONTROLS = frozenset({Control.FAULT_LIGHT, Control.REBOOT})

    async def fetch_web(self, path: str) -> Any:
        if path.startswith("blink:"):
            return await self._blink(path.removeprefix("blink:"))
        return await super().fetch_web(path)

    async def _blink(self, action: str) -> Any:
        reply = await self.cgi("fault light", "/cgi-bin/blink.cgi", data={"action": action})
        return reply.json()

    async def set_fault_light(self, on: bool) -> None:
        reply = await self._blink("startBlink" if on else "stopBlink")
        state = to_bool(reply.get("isBlinking")) if isinstance(reply, dict) else None
        if state is not None and state is not on:
            raise MinerControlRefusedError("fault light", f"it stayed {'on' if state else 'off'}")


# -- identification ----------------------------------------------------------------


def _matches(results: ProbeResults) -> bool:
    if realm(web_reply(results)).lower().startswith("antminer"):
        return True
    text = str(results.get(RPC_VERSION.key, "")).upper()
    return "ANTMINER" in text


def _model_name(raw: str | None) -> str | None:
    if not raw:
        return None
    name = raw.split(" (")[0].strip()
    name = re.sub(r"^antminer\s+", "", name, flags=re.IGNORECASE)
    return name or None


async def _identify(ctx: MinerContext, results: ProbeResults) -> MinerIdentity:
    version_item = probe_item(results, RPC_VERSION.key, "VERSION")
    web = ctx.web(digest=ctx.login(DEFAULT_CREDENTIALS))
    info = await web.get_json("/cgi-bin/get_system_info.cgi")
    model = (
        _model_name(info.get("minertype")) or _model_name(version_item.get("Type")) or "Antminer"
    )
    blink = await web.request("GET", "/cgi-bin/get_blink_status.cgi")
    backend = LegacyBackend.name if blink.status == 404 else ModernBackend.name
    return MinerIdentity(
        make=MAKE,
        model=model,
        family=FAMILY.key,
        firmware="Stock",
        backend=backend,
        firmware_version=clean_str(info.get("system_filesystem_version"))
        or clean_str(version_item.get("CompileTime")),
        api_version=clean_str(version_item.get("API")),
        mac=normalize_mac(info.get("macaddr")),
        serial=clean_str(info.get("serinum") or info.get("serial_no")),
        hostname=clean_str(info.get("hostname")),
        supported=lookup(MAKE, model) is not None,
    )


FAMILY = Family(
    key="antminer",
    name="Antminer (stock firmware)",
    stock=True,
    probes=(RPC_VERSION, WEB_ROOT),
    matches=_matches,
    identify=_identify,
    backends=(ModernBackend, LegacyBackend),
    default_credentials=DEFAULT_CREDENTIALS,
)
