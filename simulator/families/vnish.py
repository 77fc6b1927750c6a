"""VNish / AnthillOS on Antminers: bmminer RPC on 4028, the AnthillOS REST API on the web port.

Releases (per model, overridable with ``create(..., release="1.3.4")``):

* ``1.2.x`` (S19 on 1.2.6, S19j Pro on 1.2.7): per-chip data at ``chains``, the locate
  LED at ``find-miner`` (reply ``{"on"}``).
* ``1.3.x`` (S21 on 1.3.4): ``chains`` is gone in favour of ``boards``; ``locate-miner``
  (reply ``{"is_enabled"}``) beside the deprecated ``find-miner`` (``find_miner=False``
  drops the latter, as a later build may); ``mining/throttle``;
  ``miner_status.throttled`` and ``restart_count`` in the summary.

Auth as the OpenAPI document describes it: ``POST /api/v1/unlock {"pw"}`` returns a
token for ``Authorization: Bearer <token>`` (a bare token is refused); a wrong password
is 403; after ``MAX_UNLOCK_FAILURES`` wrong ones every unlock is 429 with
``unlock_timeout`` for ``LOCKOUT_SECONDS``. Tokens expire after ``token_ttl`` seconds
and on reboot. ``info``, ``summary``, ``status``, ``chains``/``boards`` and the LED
actions need no token; settings, presets and every other action do.

Quirks reproduced: the LED actions toggle; ``settings`` POST always answers
``{restart_required, reboot_required}`` and silently ignores an untuned or unknown
preset; presets are named by wattage with the hashrate in the pretty name and its unit
("3250 watt ~ 95 TH", one "... TH LC"); ``power_usage`` carries the efficiency (the
firmware's deprecated alias), the power is ``power_consumption``; temperatures are
integers; the summary lists the firmware's dev-fee pool beside the user's; uptime is
a text like "2 days, 3:07"; RPC ``version``/``stats`` say ``Antminer S19 (Vnish 1.2.6)``
and refuse multicommands, as bmminer does.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from aiohttp import web

from .. import cgminer
from ..miner import SimMiner, SimPorts
from ..models import models_of
from ..servers.base import Server
from ..state import MinerState
from . import register

API = "/api/v1"
ROOT_HTML = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>AnthillOS</title></head>"
    '<body><div id="app"></div><script src="/assets/index.js"></script></body></html>'
)
MAX_UNLOCK_FAILURES = 5
LOCKOUT_SECONDS = 60
TOKEN_TTL = 3600.0
DEVFEE_URL = "stratum+tcp://devfee.anthill.example:3333"
FAN_MAX_RPM = 6000

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class PresetSpec:
    watts: int
    tuned: bool
    suffix: str = ""  # " LC" on some firmware builds


@dataclass(frozen=True, slots=True)
class Profile:
    """What the model's firmware build offers (its release is in simulator/models.py)."""

    presets: tuple[PresetSpec, ...]
    default_preset: int  # watts of the preset running out of the box
    platform: str  # control board: aml, bb, cv, xil
    frequency: int  # MHz at nominal power


def _presets(tuned: dict[int, bool], lc: int | None = None) -> tuple[PresetSpec, ...]:
    return tuple(PresetSpec(w, t, " LC" if w == lc else "") for w, t in sorted(tuned.items()))


PROFILES = {
    "S19": Profile(
        _presets(
            {2200: False, 2500: True, 2800: True, 3000: True, 3250: True, 3400: True, 3600: False}
        ),
        3250,
        "xil",
        525,
    ),
    "S19j Pro": Profile(
        _presets({2400: True, 2700: True, 3068: True, 3300: False, 3500: True}),
        3068,
        "aml",
        500,
    ),
    "S21": Profile(
        _presets(
            {2600: True, 3000: True, 3300: False, 3500: True, 3800: True, 4000: False}, lc=4000
        ),
        3500,
        "cv",
        490,
    ),
}


RPC_DESCRIPTION = "bmminer 1.0.0"


def uptime_text(seconds: int) -> str:
    """The way the firmware prints system uptime: minute resolution, busybox style."""
    days, rest = divmod(max(0, seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    clock = f"{minutes} min" if hours == 0 else f"{hours}:{minutes:02d}"
    if days:
        return f"{days} day{'s' if days > 1 else ''}, {clock}"
    return clock


@register
class VnishSim(SimMiner):
    family = "vnish"
    default_username = "admin"
    default_password = "admin"
    models = models_of("vnish")
    firmware_version = models["S19"].firmware

    def __init__(self, host: str, state: MinerState, ports: SimPorts | None = None) -> None:
        super().__init__(host, state, ports)
        self.profile = PROFILES[state.spec.model]
        self.release = state.spec.firmware
        self.tokens: dict[str, tuple[float, int]] = {}  # token -> (issued, reboots)
        self.token_ttl = TOKEN_TTL
        self.unlocks = 0  # successful unlocks, for tests counting logins
        self.failed_unlocks = 0
        self.locked_until = 0.0
        self.throttle = 100
        self.toggles = 0  # LED actions received
        self.find_miner = True  # False: a 1.3 build that dropped the deprecated action
        self.screen_lock = False  # True: the public endpoints want a token too

    @classmethod
    def create(
        cls, host: str, model: str, ports: SimPorts | None = None, **overrides: Any
    ) -> SimMiner:
        """Like the base, plus ``release=`` to run another firmware release and
        ``find_miner=False`` for a 1.3 build without the deprecated ``find-miner``."""
        profile = PROFILES[model]
        release = str(overrides.pop("release", cls.models[model].firmware))
        find_miner = bool(overrides.pop("find_miner", True))
        defaults: dict[str, Any] = {
            "firmware_version": release,
            "power_limit": profile.default_preset,
        }
        sim = cast(VnishSim, super().create(host, model, ports, **defaults | overrides))
        sim.release = release
        sim.find_miner = find_miner or not sim.v1_3
        return sim

    def build_servers(self) -> list[Server]:
        return self.rpc_and_web(self.handle_rpc, self.routes)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "release": self.release}

    # -- model of the firmware ---------------------------------------------------------

    @property
    def v1_3(self) -> bool:
        major, minor = (int(p) for p in self.release.split("-")[0].split(".")[:2])
        return (major, minor) >= (1, 3)

    @property
    def type_name(self) -> str:
        return f"Antminer {self.state.spec.model} (Vnish {self.release})"

    @property
    def preset_name(self) -> str:
        limit = self.state.power_limit
        return "disabled" if limit is None else str(limit)

    def preset_hashrate(self, watts: int) -> float:
        """TH/s the physics gives at this power (what the firmware tuned it to)."""
        spec = self.state.spec
        return spec.nominal_hashrate * (min(watts, spec.max_power) / spec.nominal_power) ** 0.85

    def tuned_watts(self) -> set[int]:
        return {p.watts for p in self.profile.presets if p.tuned}

    def expire_tokens(self) -> None:
        """Forget every token, as their expiry or a firmware restart does."""
        self.tokens.clear()

    def _token_ok(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return False  # the bare token pyasic once sent is not what the API takes
        issued = self.tokens.get(header[len("Bearer ") :].strip())
        if issued is None:
            return False
        at, reboots = issued
        return reboots == self.state.reboots and self.state.now() - at < self.token_ttl

    @property
    def miner_state(self) -> str:
        return "mining" if self.state.mining else "stopped"

    # -- RPC (bmminer, Antminer layout) ------------------------------------------------

    async def handle_rpc(self, request: str) -> bytes:
        parsed = cgminer.parse_request(request)
        if parsed is None:
            return self._encode(cgminer.error("Invalid JSON", 23, RPC_DESCRIPTION))
        builder = {
            "version": self._rpc_version,
            "summary": self._rpc_summary,
            "stats": self._rpc_stats,
            "pools": self._rpc_pools,
        }.get(parsed.command)
        if builder is None:  # bmminer also refuses `a+b` multicommands this way
            return self._encode(cgminer.error("Invalid command", 14, RPC_DESCRIPTION))
        return self._encode(builder())

    @staticmethod
    def _encode(payload: dict[str, Any]) -> bytes:
        return cgminer.encode(payload)

    def _rpc_version(self) -> dict[str, Any]:
        item = {
            "BMMiner": "1.0.0",
            "API": "3.1",
            "Miner": self.release,
            "CompileTime": "Thu Mar 14 10:21:07 UTC 2024",
            "Type": self.type_name,
        }
        return cgminer.version_reply(item, "BMMiner versions", RPC_DESCRIPTION)

    def _rpc_summary(self) -> dict[str, Any]:
        s = self.state
        ghs = round(s.hashrate * 1000, 2)
        accepted, rejected = s.shares(0)
        item = {
            "Elapsed": s.uptime,
            "GHS 5s": f"{ghs:.2f}",
            "GHS av": ghs,
            "Accepted": accepted,
            "Rejected": rejected,
            "Hardware Errors": 0,
        }
        return cgminer.reply("SUMMARY", [item], "Summary", 11, RPC_DESCRIPTION)

    def _rpc_stats(self) -> dict[str, Any]:
        s = self.state
        spec = s.spec
        info: dict[str, Any] = {
            "STATS": 0,
            "ID": "BC50",
            "Elapsed": s.uptime,
            "GHS 5s": f"{s.hashrate * 1000:.2f}",
            "rate_unit": "GH",
            "total_rateideal": spec.nominal_hashrate * 1000,
            "fan_num": spec.fans,
            "chain_num": spec.boards,
        }
        info |= cgminer.fan_fields(s.fan_rpms())
        for i, rate in enumerate(s.board_hashrates()):
            info[f"chain_acn{i + 1}"] = spec.chips_per_board
            info[f"chain_rate{i + 1}"] = f"{rate * 1000:.2f}"
            info[f"temp_chip{i + 1}"] = str(round(s.chip_temperature(i)))
            info[f"temp_pcb{i + 1}"] = str(round(s.board_temperature(i)))
        head = {"BMMiner": "1.0.0", "Miner": self.release, "Type": self.type_name}
        return cgminer.reply("STATS", [head, info], "CGMiner stats", 70, RPC_DESCRIPTION)

    def _rpc_pools(self) -> dict[str, Any]:
        return cgminer.pools_reply(cgminer.pool_records(self.state), RPC_DESCRIPTION)

    # -- web: routes ---------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._root)
        app.router.add_post(f"{API}/unlock", self._unlock)
        public = {
            "/info": self._info,
            "/summary": self._summary,
            "/status": self._status,
            "/boards" if self.v1_3 else "/chains": self._chip_boards,
        }
        for path, body in public.items():
            app.router.add_get(API + path, self._json(body))
        app.router.add_get(f"{API}/auth-check", self._protected(self._auth_check))
        app.router.add_get(f"{API}/autotune/presets", self._protected(self._get_presets))
        app.router.add_get(f"{API}/settings", self._protected(self._get_settings))
        app.router.add_post(f"{API}/settings", self._protected(self._post_settings))
        if self.find_miner:
            app.router.add_post(f"{API}/find-miner", self._locate("on"))
        if self.v1_3:
            app.router.add_post(f"{API}/locate-miner", self._locate("is_enabled"))
            app.router.add_post(f"{API}/mining/throttle", self._protected(self._throttle))
        for action in ("start", "stop", "pause", "resume", "restart"):
            app.router.add_post(f"{API}/mining/{action}", self._protected(self._mining(action)))
        app.router.add_post(f"{API}/system/reboot", self._protected(self._reboot))

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text=ROOT_HTML, content_type="text/html")

    def _json(self, body: Callable[[], Any]) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            if self.screen_lock and not self._token_ok(request):
                return web.Response(status=401)
            return web.json_response(body())

        return handler

    def _protected(self, handler: Handler) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            if not self._token_ok(request):
                return web.Response(status=401)
            return await handler(request)

        return wrapped

    # -- web: auth ----------------------------------------------------------------------

    async def _unlock(self, request: web.Request) -> web.Response:
        now = self.state.now()
        if now < self.locked_until:
            wait = math.ceil(self.locked_until - now)
            return web.json_response({"unlock_timeout": wait}, status=429)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"err": "invalid JSON"}, status=500)
        password = body.get("pw") if isinstance(body, dict) else None
        if password != self.state.password:
            self.failed_unlocks += 1
            if self.failed_unlocks >= MAX_UNLOCK_FAILURES:
                self.locked_until = now + LOCKOUT_SECONDS
                self.failed_unlocks = 0
            return web.json_response({"unlock_timeout": None}, status=403)
        self.failed_unlocks = 0
        token = ".".join(secrets.token_urlsafe(12) for _ in range(3))  # JWT-shaped
        self.tokens[token] = (now, self.state.reboots)
        self.unlocks += 1
        return web.json_response({"token": token})

    async def _auth_check(self, request: web.Request) -> web.Response:
        return web.json_response({"unlock_timeout": None})

    # -- web: reads ---------------------------------------------------------------------

    def _info(self) -> dict[str, Any]:
        s = self.state
        return {
            "fw_name": "Vnish",
            "fw_version": self.release,
            "build_time": "2024-03-14 10:21:07",
            "build_uuid": "0d2c6a4e-sim",
            "install_type": "nand",
            "platform": self.profile.platform,
            "miner": f"Antminer {s.spec.model}",
            "model": s.spec.model.lower().replace(" ", ""),
            "algorithm": "sha256d",
            "hr_measure": "GH/s",
            "serial": s.serial,
            "system": {
                "os": "GNU/Linux",
                "miner_name": f"Antminer {s.spec.model}",
                "file_system_version": self.release,
                "mem_total": 245000,
                "mem_free": 120000,
                "mem_free_percent": 49,
                "mem_buf": 20000,
                "mem_buf_percent": 8,
                "network_status": {
                    "mac": s.mac.lower(),
                    "dhcp": True,
                    "ip": self.host,
                    "netmask": "255.255.255.0",
                    "gateway": "192.0.2.1",
                    "dns": ["192.0.2.1"],
                    "hostname": s.hostname,
                },
                "uptime": uptime_text(s.uptime),
            },
        }

    def _miner_status(self) -> dict[str, Any]:
        s = self.state
        status: dict[str, Any] = {
            "miner_state": self.miner_state,
            "miner_state_time": s.uptime if s.hashing else 0,
            "description": None,
            "failure_code": None,
        }
        if self.v1_3:
            status["throttled"] = self.throttle
        return status

    def _chain(self, index: int, rate: float) -> dict[str, Any]:
        s = self.state
        spec = s.spec
        chip = round(s.chip_temperature(index))
        pcb = round(s.board_temperature(index))
        failed = self._board_error(index)
        ideal = spec.nominal_hashrate / spec.boards * 1000
        return {
            "id": index + 1,
            "frequency": float(self.profile.frequency) if s.hashing else 0.0,
            "voltage": 1320,
            "power_consumption": round(s.power / spec.boards),
            "hashrate_ideal": round(ideal, 2),
            "hashrate_rt": round(rate * 1000, 2),
            "hashrate_percentage": round(rate * 1000 / ideal * 100, 2),
            "hr_error": 0.0,
            "hw_errors": 0,
            "pcb_temp": {"min": pcb - 4, "max": pcb},
            "chip_temp": {"min": chip - 5, "max": chip},
            "inlet_water_temp": None,
            "outlet_water_temp": None,
            "chip_statuses": {"red": 0, "orange": 0, "grey": 0},
            "status": {
                "state": "failure" if failed else ("mining" if s.hashing else "stopped"),
                "description": failed,
            },
        }

    def _board_error(self, index: int) -> str | None:
        """State errors land on boards in turn: error i on board i."""
        errors = self.state.errors
        return errors[index][1] if index < len(errors) else None

    def _pools(self) -> list[dict[str, Any]]:
        s = self.state
        pools = []
        for i, pool in enumerate(s.pools):
            accepted, rejected = s.shares(i)
            if not s.hashing or not pool.alive:
                status = "offline"
            else:
                status = "active" if i == 0 else "working"
            pools.append(
                {
                    "id": i,
                    "url": pool.url,
                    "user": pool.user,
                    "pool_type": "UserPool",
                    "status": status,
                    "accepted": accepted,
                    "rejected": rejected,
                    "stale": 0,
                    "diff": "65.5K",
                    "diffa": 65536.0,
                    "ls_diff": 65536.0,
                    "ls_time": "0:00:04",
                    "ping": 23,
                    "asic_boost": True,
                }
            )
        pools.append(
            {
                "id": len(pools),
                "url": DEVFEE_URL,
                "user": "anthill.devfee",
                "pool_type": "DevFee",
                "status": "working" if s.hashing else "offline",
                "accepted": 0,
                "rejected": 0,
                "stale": 0,
                "diff": "65.5K",
                "diffa": 65536.0,
                "ls_diff": 0.0,
                "ls_time": "0",
                "ping": 31,
                "asic_boost": True,
            }
        )
        return pools

    def _summary(self) -> dict[str, Any]:
        s = self.state
        spec = s.spec
        ghs = round(s.hashrate * 1000, 2)
        chains = [self._chain(i, rate) for i, rate in enumerate(s.board_hashrates())]
        efficiency = round(s.power / s.hashrate, 1) if s.hashrate else 0.0
        rpms = s.fan_rpms()
        preset = s.power_limit or spec.nominal_power
        miner: dict[str, Any] = {
            "miner_type": self.type_name,
            "miner_status": self._miner_status(),
            "hr_realtime": ghs,
            "hr_average": ghs,
            "hr_nominal": round(self.preset_hashrate(preset) * 1000, 2) if s.hashing else 0.0,
            "hr_stock": spec.nominal_hashrate * 1000,
            "hr_error": 0.0,
            "instant_hashrate": ghs * 1000,  # deprecated, MH/s
            "average_hashrate": ghs * 1000,
            "power_consumption": round(s.power),
            "power_efficiency": efficiency,
            "power_usage": round(efficiency),  # deprecated alias of the efficiency
            "hw_errors": 0,
            "hw_errors_percent": 0.0,
            "found_blocks": 0,
            "best_share": 123456789,
            "devfee": 2.8,
            "devfee_percent": 2.8,
            "chip_temp": {
                "min": min(c["chip_temp"]["min"] for c in chains),
                "max": max(c["chip_temp"]["max"] for c in chains),
            },
            "pcb_temp": {
                "min": min(c["pcb_temp"]["min"] for c in chains),
                "max": max(c["pcb_temp"]["max"] for c in chains),
            },
            "cooling": {
                "fan_num": spec.fans,
                "fan_duty": round(max(rpms) / FAN_MAX_RPM * 100) if rpms else 0,
                "fans": [
                    {"id": i + 1, "rpm": rpm, "max_rpm": FAN_MAX_RPM, "status": "ok"}
                    for i, rpm in enumerate(rpms)
                ],
                # 1.3 describes the mode with its parameter (FanSettingsMode); 1.2 without.
                "settings": {"mode": {"name": "auto", "param": 75}}
                if not self.release.startswith("1.2")
                else {"mode": {"name": "auto"}},
            },
            "chains": chains,
            "pools": self._pools(),
        }
        if self.v1_3:
            miner["restart_count"] = s.backend_restarts
        return {"miner": miner}

    def _status(self) -> dict[str, Any]:
        now = self.state.now()
        return {
            **self._miner_status(),
            "find_miner": self.state.fault_light,
            "restart_required": False,
            "reboot_required": False,
            "unlocked": False,  # this request carried no token
            "unlock_timeout": math.ceil(self.locked_until - now)
            if now < self.locked_until
            else None,
            "warranty": "not_provided",
        }

    def _chip_boards(self) -> list[dict[str, Any]]:
        s = self.state
        boards = []
        for index, rate in enumerate(s.board_hashrates()):
            n = s.spec.chips_per_board
            per_chip = round(rate * 1000 / n, 3) if n else 0.0
            chip_temp = round(s.chip_temperature(index))
            failed = self._board_error(index)
            boards.append(
                {
                    "id": index + 1,
                    "freq": float(self.profile.frequency),
                    "hr_nominal": round(s.spec.nominal_hashrate / s.spec.boards * 1000, 2),
                    "hr_realtime": round(rate * 1000, 2),
                    "status": {
                        "state": "failure" if failed else ("mining" if s.hashing else "stopped"),
                        "failure_message": failed,
                    },
                    "sensors": [
                        {"board": index, "chip": c, "loc": c, "state": "measure"}
                        for c in (0, n // 2, n - 1)
                    ],
                    "chips": [
                        {
                            "id": c,
                            "freq": self.profile.frequency,
                            "volt": 1320,
                            "hr": per_chip,
                            "temp": float(chip_temp - (c % 3)),
                            "errs": 0,
                            "grade": "grey",
                            "throttled": False,
                        }
                        for c in range(n)
                    ],
                }
            )
        return boards

    async def _get_presets(self, request: web.Request) -> web.Response:
        items = []
        for preset in self.profile.presets:
            hashrate = self.preset_hashrate(preset.watts)
            item: dict[str, Any] = {
                "name": str(preset.watts),
                "pretty": f"{preset.watts} watt ~ {round(hashrate)} TH{preset.suffix}",
                "status": "tuned" if preset.tuned else "untuned",
                "modded_psu_required": preset.watts > self.state.spec.max_power,
            }
            if preset.tuned:
                item["tune_settings"] = {
                    "freq": self.profile.frequency,
                    "volt": 1320,
                    "hashrate": round(hashrate * 1000),
                    "modified": False,
                    "chains": [
                        {"serial": None, "freq": self.profile.frequency, "chips": []}
                        for _ in range(self.state.spec.boards)
                    ],
                }
            items.append(item)
        return web.json_response(items)

    def _settings(self) -> dict[str, Any]:
        s = self.state
        return {
            "miner": {
                "overclock": {
                    "preset": self.preset_name,
                    "modded_psu": False,
                    "globals": {"freq": 0, "volt": 0},
                    "chains": [
                        {"freq": 0, "disabled": False, "chips": None} for _ in range(s.spec.boards)
                    ],
                    "preset_switcher": {"enabled": False, "top_preset": None},
                },
                "pools": [
                    {"url": p.url, "user": p.user, "pass": p.password}
                    for i, p in enumerate(s.pools)
                ],
                "cooling": {"mode": {"name": "auto", "param": 75}, "fan_min_count": s.spec.fans},
                "misc": {"asic_boost": True, "restart_hashrate": 0, "quiet_mode": False},
            },
            "network": {
                "dhcp": True,
                "hostname": s.hostname,
                "ipaddress": self.host,
                "netmask": "255.255.255.0",
                "gateway": "192.0.2.1",
                "dnsservers": ["192.0.2.1"],
            },
            "ui": {"locale": "en", "theme": "dark", "timezone": "GMT"},
            "regional": {"timezone": {"current": "GMT"}},
            "layout": None,
        }

    async def _get_settings(self, request: web.Request) -> web.Response:
        return web.json_response(self._settings())

    # -- web: writes --------------------------------------------------------------------

    async def _post_settings(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"err": "invalid JSON"}, status=500)
        miner = body.get("miner") if isinstance(body, dict) else None
        overclock = miner.get("overclock") if isinstance(miner, dict) else None
        preset = overclock.get("preset") if isinstance(overclock, dict) else None
        if preset == "disabled":
            self.state.power_limit = None
        elif isinstance(preset, str) and preset.isdigit() and int(preset) in self.tuned_watts():
            self.state.power_limit = int(preset)
        # An untuned or unknown preset changes nothing, and the reply says the same.
        return web.json_response({"restart_required": False, "reboot_required": False})

    def _locate(self, key: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            self.toggles += 1
            self.state.fault_light = not self.state.fault_light
            return web.json_response({key: self.state.fault_light})

        return handler

    def _mining(self, action: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            if action == "restart":
                self.state.restart_backend()
            else:
                self.state.mining = action in ("start", "resume")
            return web.Response(status=200)

        return handler

    async def _throttle(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        percent = body.get("percent") if isinstance(body, dict) else None
        if not isinstance(percent, int) or isinstance(percent, bool) or not 20 <= percent <= 100:
            return web.json_response({"err": "percent must be 20..100"}, status=500)
        self.throttle = percent
        return web.json_response({"restart_required": False, "reboot_required": False})

    async def _reboot(self, request: web.Request) -> web.Response:
        self.state.reboot()
        return web.json_response({"after": 3})


__all__ = ["PROFILES", "VnishSim", "uptime_text"]
