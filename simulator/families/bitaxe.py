"""AxeOS (ESP-Miner) on Bitaxe boards, and the NerdQAxe firmware on a NerdQAxe++.

One web server, no login, JSON under ``/api``. AxeOS releases differ in what they
serve; a Bitaxe runs its model's default release unless ``create(..., release="2.8.0")``
picks another:

* 2.4.5 (Supra): ``/api/system/info`` only; ``asicCount`` there; any unknown path,
  ``/api/system/asic`` included, is a 302 to the captive portal ``/``.
* 2.8.0: ``/api/system/asic`` with the frequency and voltage presets.
* 2.12.0 (Gamma Turbo): ``deviceModel`` and ``asicCount`` move to ``/api/system/asic``,
  ``expectedHashrate`` (GH/s) appears, ``temp2``/``fan2rpm``, ``POST /api/system/identify``.
* 2.14.2 (Gamma): ``POST /api/system/pause`` / ``resume`` and ``miningPaused``; the pause
  lives in RAM, so a restart resumes mining. ``actualFrequency`` beside the setting.

The NerdQAxe++ runs the NerdQAxe firmware (``v2.2.2``): the same legacy ``/api/system``
routes with its own info layout (``deviceModel``, ``asicTemps``, ``fanrpm2``,
``fanCount``, ``shutdown``, fallback state under ``stratum``), every reply with
``Connection: close``, a "Nerd* Dashboard" page, no pause and no identify. With
``create(..., otp=True)`` writes need an ``X-TOTP`` header (401 otherwise).
Setting ``refuse_clients`` makes every ``/api`` path answer 401, as AxeOS does for a
client outside the private networks. Its PATCH
takes only integer numbers for ``frequency``/``coreVoltage`` and ignores anything else.

Quirks reproduced: the web root is served gzip-encoded; hashrates in GH/s; a powered-
down Bitaxe chip (paused) reads -1 °C and 0 mV; PATCH answers an empty 200 (AxeOS:
400 "Wrong API input" for a bad type or range); the MAC is left out when the state's
MAC is empty, as some builds do. The frequency setting is ``state.work_mode`` (MHz as
text) and applies live, as on AxeOS 2.7 and later.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from aiohttp import web

from ..miner import SimMiner, SimPorts
from ..models import models_of
from ..servers.base import Server
from ..servers.http import HttpServer
from ..state import MinerState, ModelSpec, SimPool
from . import register

IDLE_W = 3.2  # a Bitaxe with its chip powered down: ESP32, display, fan
NERD_IDLE_W = 9.5
NERD_VERSION = models_of("bitaxe")["NerdQAxe++"].firmware
IDENTIFY_SECONDS = 30.0
ASIC_EFFICIENCY = 0.97  # measured hashrate against frequency * cores * chips


@dataclass(frozen=True, slots=True)
class Release:
    """What an AxeOS release serves, as far as a client can tell."""

    version: str
    asic_api: bool  # GET /api/system/asic (2.7)
    device_in_asic: bool  # deviceModel/asicCount there, expectedHashrate in info (2.9)
    newer_info: bool  # temp2, fan2rpm, identify (2.10-2.12)
    pause: bool  # pause / resume, miningPaused, actualFrequency (2.14)


RELEASES = {
    "2.4.5": Release("v2.4.5", False, False, False, False),
    "2.8.0": Release("v2.8.0", True, False, False, False),
    "2.12.0": Release("v2.12.0", True, True, True, False),
    "2.14.2": Release("v2.14.2", True, True, True, True),
}


@dataclass(frozen=True, slots=True)
class Device:
    """The board: chip, chip count, presets (ESP-Miner's device table)."""

    device_model: str
    asic: str
    board_version: str | None
    small_cores: int
    default_frequency: int
    frequency_options: tuple[float, ...]
    default_voltage: int
    voltage_options: tuple[int, ...]
    nerd: bool = False  # the NerdQAxe firmware, not AxeOS


_BM1370_FREQUENCIES = (400, 490, 525, 550, 600, 625)
_BM1370_VOLTAGES = (1000, 1060, 1100, 1150, 1200, 1250)
DEVICES = {
    "Gamma": Device(
        "Gamma", "BM1370", "601", 2040, 525, _BM1370_FREQUENCIES, 1150, _BM1370_VOLTAGES
    ),
    "Gamma Turbo": Device(
        "GammaTurbo",
        "BM1370",
        "801",
        2040,
        525,
        _BM1370_FREQUENCIES,
        1150,
        _BM1370_VOLTAGES,
    ),
    "Supra": Device(
        "Supra",
        "BM1368",
        "401",
        1276,
        490,
        (400, 425, 450, 475, 485, 490, 500, 525, 550, 575),
        1166,
        (1100, 1150, 1166, 1200, 1250, 1300),
    ),
    "NerdQAxe++": Device(
        "NerdQAxe++",
        "BM1370",
        None,
        2040,
        600,
        (500, 515, 525, 550, 575, 590, 600),
        1150,
        (1120, 1130, 1140, 1150, 1160, 1170, 1180, 1190, 1200),
        nerd=True,
    ),
}

_AXEOS_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AxeOS</title>'
    '<base href="/"></head><body><app-root></app-root></body></html>'
)
_NERD_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<title>Nerd* Dashboard</title><base href="/"></head><body><app-root></app-root>'
    "</body></html>"
)
_UINT16 = 65535


def _split_pool(url: str) -> tuple[str, int]:
    """``stratum+tcp://host:3333`` → ``("host", 3333)``: AxeOS stores them apart."""
    parts = urlsplit(url if "://" in url else f"stratum+tcp://{url}")
    return parts.hostname or "", parts.port or 3333


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@register
class BitaxeSim(SimMiner):
    family = "bitaxe"
    firmware_version = RELEASES["2.14.2"].version
    models: ClassVar[dict[str, ModelSpec]] = models_of("bitaxe")

    release: Release
    device: Device

    def __init__(self, host: str, state: MinerState, ports: SimPorts | None = None) -> None:
        super().__init__(host, state, ports)
        self.device = DEVICES[state.spec.model]
        # The AxeOS release the model table gives the model (the NerdQAxe's own
        # firmware serves the newest AxeOS routes it copies).
        self.release = RELEASES.get(state.spec.firmware.removeprefix("v"), RELEASES["2.14.2"])
        self.core_voltage = self.device.default_voltage
        self.otp = False  # NerdQAxe: writes need a one-time password
        self.refuse_clients = False  # AxeOS: the client is outside the private networks
        self.identify_until = 0.0
        self.patches: list[dict[str, Any]] = []  # every PATCH body, for tests

    @classmethod
    def create(
        cls, host: str, model: str, ports: SimPorts | None = None, **overrides: Any
    ) -> SimMiner:
        """Like the base, plus ``release="2.8.0"`` (AxeOS) and ``otp=True`` (NerdQAxe)."""
        release = overrides.pop("release", None)
        otp = bool(overrides.pop("otp", False))
        sim = super().create(host, model, ports, **overrides)
        assert isinstance(sim, BitaxeSim)
        if release is not None:
            sim.release = RELEASES[str(release)]
        sim.otp = otp
        if "work_mode" not in overrides:
            sim.state.work_mode = str(sim.device.default_frequency)
        sim.state.firmware_version = NERD_VERSION if sim.device.nerd else sim.release.version
        if "hostname" not in overrides:
            prefix = "nerdqaxe" if sim.device.nerd else "bitaxe"
            sim.state.hostname = f"{prefix}-{host.rsplit('.', maxsplit=1)[-1]}"
        return sim

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "firmware": self.state.firmware_version}

    def build_servers(self) -> list[Server]:
        return [HttpServer(self.host, self.ports.web, self.state, self.routes)]

    # -- physics (public: tests compare the driver's snapshot with these) ------------

    @property
    def chips(self) -> int:
        return self.state.spec.chips_per_board

    @property
    def frequency(self) -> float:
        """The frequency setting in MHz (``state.work_mode``), applied live."""
        try:
            return float(self.state.work_mode)
        except ValueError:
            return float(self.device.default_frequency)

    @property
    def load(self) -> float:
        return self.frequency / self.device.default_frequency if self.state.hashing else 0.0

    def expected_ghs(self) -> float:
        return round(self.frequency * self.device.small_cores * self.chips / 1000, 3)

    def hashrate_ghs(self) -> float:
        return round(self.expected_ghs() * ASIC_EFFICIENCY, 2) if self.state.hashing else 0.0

    def power_w(self) -> float:
        if not self.state.hashing:
            return NERD_IDLE_W if self.device.nerd else IDLE_W
        return round(float(self.state.spec.nominal_power * self.load**1.2), 2)

    def chip_temps(self) -> list[float]:
        """Per chip; -1 on a Bitaxe whose chip is powered down (its diode reads nothing)."""
        env = self.state.environment_temperature
        if not self.state.hashing:
            return [round(env + 2, 1) if self.device.nerd else -1.0] * self.chips
        return [round(env + 30 * self.load + 0.5 * i, 1) for i in range(self.chips)]

    def vr_temp(self) -> float:
        return round(self.state.environment_temperature + 3 + 22 * self.load, 1)

    def fan_rpms(self) -> list[int]:
        return [2400 + int(2600 * self.load) + 150 * i for i in range(self.state.spec.fans)]

    def fan_percent(self) -> int:
        return 35 + int(45 * self.load)

    def core_voltage_actual(self) -> int:
        return self.core_voltage - 6 if self.state.hashing else 0

    def shares(self) -> tuple[int, int]:
        accepted = int(self.state.uptime * self.hashrate_ghs() / 40)
        return accepted, accepted // 250

    def faults(self) -> dict[str, str]:
        return dict(self.state.errors)

    # -- replies ---------------------------------------------------------------------

    def _pool(self, index: int) -> tuple[str, int, str]:
        pools = self.state.pools
        if index >= len(pools):
            return "", 3333, ""
        host, port = _split_pool(pools[index].url)
        return host, port, pools[index].user

    def _axeos_info(self) -> dict[str, Any]:
        s = self.state
        rel = self.release
        temps = self.chip_temps()
        accepted, rejected = self.shares()
        url, port, user = self._pool(0)
        fb_url, fb_port, fb_user = self._pool(1)
        faults = self.faults()
        info: dict[str, Any] = {
            "power": self.power_w(),
            "voltage": 5112.5,
            "current": round(self.power_w() / 5.1125 * 1000, 1),
            "temp": round(sum(temps) / len(temps), 1) if self.chips == 1 else temps[0],
            "vrTemp": self.vr_temp(),
            "maxPower": s.spec.max_power,
            "nominalVoltage": 5,
            "hashRate": self.hashrate_ghs(),
            "bestDiff": "4.29M" if not rel.device_in_asic else 4290512,
            "bestSessionDiff": "1.02M" if not rel.device_in_asic else 1020334,
            "stratumDiff": 1000,
            "isUsingFallbackStratum": 0,
            "isPSRAMAvailable": 1,
            "freeHeap": 8123456,
            "coreVoltage": self.core_voltage,
            "coreVoltageActual": self.core_voltage_actual(),
            "frequency": self.frequency if rel.pause else int(self.frequency),
            "ssid": "SimNet",
            "hostname": s.hostname,
            "wifiStatus": "Connected!",
            "sharesAccepted": accepted,
            "sharesRejected": rejected,
            "uptimeSeconds": s.uptime,
            "smallCoreCount": self.device.small_cores,
            "ASICModel": self.device.asic,
            "stratumURL": url,
            "fallbackStratumURL": fb_url,
            "stratumPort": port,
            "fallbackStratumPort": fb_port,
            "stratumUser": user,
            "fallbackStratumUser": fb_user,
            "version": rel.version,
            "idfVersion": "v5.4.1",
            "boardVersion": self.device.board_version or "Unknown",
            "runningPartition": "ota_0",
            "flipscreen": 1,
            "overheat_mode": 1 if "overheat" in faults else 0,
            "invertscreen": 0,
            "invertfanpolarity": 1,
            "autofanspeed": 1,
            "fanspeed": self.fan_percent(),
            "fanrpm": self.fan_rpms()[0],
        }
        if self.state.mac:
            info["macAddr"] = self.state.mac
        if not rel.asic_api:
            # 2.4.5 (asic-rs capture) has no power budget and no PSRAM flag yet.
            for key in ("maxPower", "nominalVoltage", "isPSRAMAvailable"):
                del info[key]
        if not rel.device_in_asic:
            info["asicCount"] = self.chips
        else:
            info["expectedHashrate"] = self.expected_ghs()
            info["axeOSVersion"] = rel.version
        if rel.newer_info:
            info["temp2"] = temps[1] if self.chips > 1 else -1
            info["fan2rpm"] = self.fan_rpms()[1] if len(self.fan_rpms()) > 1 else 0
            info["hashRate_1m"] = self.hashrate_ghs()
        if rel.pause:
            info["miningPaused"] = not s.mining
            info["actualFrequency"] = self.frequency if s.hashing else 0
        if "power_fault" in faults:
            info["power_fault"] = faults["power_fault"]
        if "hardware_fault" in faults and rel.pause:
            info["hardware_fault"] = faults["hardware_fault"]
        return info

    def _nerd_info(self) -> dict[str, Any]:
        s = self.state
        temps = self.chip_temps()
        rpms = self.fan_rpms()
        accepted, rejected = self.shares()
        url, port, user = self._pool(0)
        fb_url, fb_port, fb_user = self._pool(1)
        shutdown = not s.mining
        info: dict[str, Any] = {
            "asicCount": self.chips,
            "smallCoreCount": self.device.small_cores,
            "deviceModel": self.device.device_model,
            "hostip": self.host,
            "wifiRSSI": -52,
            "power": self.power_w(),
            "maxPower": s.spec.max_power,
            "minPower": s.spec.min_power,
            "current": round(self.power_w() / 12.0 * 1000, 1),
            "currentA": round(self.power_w() / 12.0, 3),
            "temp": max(temps),
            "vrTemp": self.vr_temp(),
            "vrTempInt": self.vr_temp() + 4,
            "hashRateTimestamp": int(time.time() * 1000),
            "hashRate": 0.0 if shutdown else self.hashrate_ghs(),
            "hashRate_1m": 0.0 if shutdown else self.hashrate_ghs(),
            "coreVoltage": self.core_voltage,
            "defaultCoreVoltage": self.device.default_voltage,
            "coreVoltageActual": self.core_voltage_actual(),
            "fanspeed": self.fan_percent(),
            "manualFanSpeed": 100,
            "fanrpm": rpms[0],
            "fanrpm2": rpms[1] if len(rpms) > 1 else 0,
            "fanspeed2": self.fan_percent() if len(rpms) > 1 else 0,
            "fanCount": len(rpms),
            "shutdown": shutdown,
            "can": {"hasExtension": False, "enabled": False},
            "stratum": {
                "poolMode": 0,
                "activePoolMode": 0,
                "usingFallback": False,
                "pools": [{"connected": s.hashing, "accepted": accepted, "rejected": rejected}],
            },
            "sharesAccepted": accepted,
            "sharesRejected": rejected,
            "bestDiff": 123456789.0,
            "asicTemps": temps,
            "hostname": s.hostname,
            "ssid": "SimNet",
            "stratumURL": url,
            "stratumPort": port,
            "stratumUser": user,
            "stratumTLS": False,
            "fallbackStratumURL": fb_url,
            "fallbackStratumPort": fb_port,
            "fallbackStratumUser": fb_user,
            "voltage": 12010.0,
            "frequency": int(self.frequency),
            "defaultFrequency": self.device.default_frequency,
            "otp": self.otp,
            "ASICModel": self.device.asic,
            "uptimeSeconds": s.uptime,
            "version": NERD_VERSION,
            "runningPartition": "ota_1",
        }
        if self.state.mac:
            info["macAddr"] = self.state.mac
        return info

    def _asic(self) -> dict[str, Any]:
        d = self.device
        body: dict[str, Any] = {"ASICModel": d.asic}
        if d.nerd or self.release.device_in_asic:
            body["deviceModel"] = d.device_model
            body["swarmColor"] = "green"
            body["asicCount"] = self.chips
        if d.nerd:
            body["absMaxFrequency"] = 800
            body["absMaxVoltage"] = 1400
        body["defaultFrequency"] = d.default_frequency
        body["frequencyOptions"] = list(d.frequency_options)
        body["defaultVoltage"] = d.default_voltage
        body["voltageOptions"] = list(d.voltage_options)
        return body

    # -- web -------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        nerd = self.device.nerd
        app.middlewares.append(self._network_gate)
        if nerd:
            app.on_response_prepare.append(self._close_connection)
        app.router.add_get("/", self._root)
        app.router.add_get("/api/system/info", self._info)
        if nerd or self.release.asic_api:
            app.router.add_get("/api/system/asic", self._asic_route)
        app.router.add_route("PATCH", "/api/system", self._patch)
        app.router.add_post("/api/system/restart", self._restart)
        if not nerd and self.release.newer_info:
            app.router.add_post("/api/system/identify", self._identify)
        if not nerd and self.release.pause:
            app.router.add_post("/api/system/pause", self._pause)
            app.router.add_post("/api/system/resume", self._resume)
        app.router.add_get("/{tail:.*}", self._captive_portal)

    @web.middleware
    async def _network_gate(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        """``is_network_allowed``: the API answers clients on private networks only."""
        if self.refuse_clients and request.path.startswith("/api"):
            return web.Response(status=401, text="Unauthorized")
        return await handler(request)

    @staticmethod
    async def _close_connection(request: web.Request, response: web.StreamResponse) -> None:
        # The NerdQAxe firmware closes every connection after its reply, and says so.
        response.headers["Connection"] = "close"
        response.force_close()

    def _otp_refused(self, request: web.Request) -> web.Response | None:
        if self.device.nerd and self.otp and not request.headers.get("X-TOTP"):
            return web.Response(status=401, text="OTP/Session required")
        return None

    async def _root(self, request: web.Request) -> web.Response:
        page = _NERD_PAGE if self.device.nerd else _AXEOS_PAGE
        return web.Response(
            body=gzip.compress(page.encode()),
            headers={"Content-Encoding": "gzip"},
            content_type="text/html",
        )

    async def _captive_portal(self, request: web.Request) -> web.Response:
        return web.Response(
            status=302, headers={"Location": "/"}, text="Redirect to the captive portal"
        )

    async def _info(self, request: web.Request) -> web.Response:
        return web.json_response(self._nerd_info() if self.device.nerd else self._axeos_info())

    async def _asic_route(self, request: web.Request) -> web.Response:
        return web.json_response(self._asic())

    async def _patch(self, request: web.Request) -> web.Response:
        refused = self._otp_refused(request)
        if refused is not None:
            return refused
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400, text="Invalid JSON")
        if not isinstance(body, dict):
            return web.Response(status=400, text="Wrong API input")
        self.patches.append(body)
        if self.device.nerd:
            self._apply_nerd(body)
        elif not self._apply_axeos(body):
            return web.Response(status=400, text="Wrong API input")
        return web.Response(status=200)

    def _apply_axeos(self, body: dict[str, Any]) -> bool:
        """Check every known key first, then write them all (``check_settings_and_update``)."""
        numbers = ("frequency", "coreVoltage", "stratumPort", "fallbackStratumPort", "fanspeed")
        for key in numbers:
            if key in body and not (_is_number(body[key]) and 1 <= body[key] <= _UINT16):
                return False
        texts = ("stratumURL", "stratumUser", "fallbackStratumURL", "fallbackStratumUser")
        for key in (*texts, "hostname"):
            if key in body and not isinstance(body[key], str):
                return False
        self._apply(body, integers_only=False)
        return True

    def _apply_nerd(self, body: dict[str, Any]) -> None:
        """ArduinoJson ``is<uint16_t>()``: a non-integer number is silently skipped."""
        self._apply(body, integers_only=True)

    def _apply(self, body: dict[str, Any], *, integers_only: bool) -> None:
        def accepted(value: Any) -> bool:
            if not _is_number(value) or not 0 < value <= _UINT16:
                return False
            return isinstance(value, int) if integers_only else True

        if "frequency" in body and accepted(body["frequency"]):
            self.state.work_mode = f"{float(body['frequency']):g}"
        if "coreVoltage" in body and accepted(body["coreVoltage"]):
            self.core_voltage = int(body["coreVoltage"])
        if isinstance(body.get("hostname"), str):
            self.state.hostname = body["hostname"]
        for index, prefix in ((0, "stratum"), (1, "fallbackStratum")):
            keys = (f"{prefix}URL", f"{prefix}Port", f"{prefix}User", f"{prefix}Password")
            if not any(k in body for k in keys):
                continue
            while len(self.state.pools) <= index:
                self.state.pools.append(SimPool("", ""))
            pool = self.state.pools[index]
            host, port = _split_pool(pool.url) if pool.url else ("", 3333)
            host = str(body.get(f"{prefix}URL", host))
            port = int(body.get(f"{prefix}Port", port))
            pool.url = f"stratum+tcp://{host}:{port}"
            pool.user = str(body.get(f"{prefix}User", pool.user))
            pool.password = str(body.get(f"{prefix}Password", pool.password))

    async def _restart(self, request: web.Request) -> web.Response:
        refused = self._otp_refused(request)
        if refused is not None:
            return refused
        self.state.reboot()
        if not self.device.nerd:
            self.state.mining = True  # the pause flag lives in RAM
        if self.device.nerd or self.release.asic_api:
            return web.json_response({"message": "System will restart shortly."})
        return web.Response(text="System will restart shortly.")

    async def _identify(self, request: web.Request) -> web.Response:
        now = self.state.now()
        if self.identify_until > now:
            self.identify_until = 0.0
            return web.json_response({"message": 'The device no longer says "Hi!".'})
        self.identify_until = now + IDENTIFY_SECONDS
        return web.json_response({"message": 'The device says "Hi!" for 30 seconds.'})

    async def _pause(self, request: web.Request) -> web.Response:
        self.state.mining = False
        return web.json_response({"message": "Mining paused"})

    async def _resume(self, request: web.Request) -> web.Response:
        self.state.mining = True
        return web.json_response({"message": "Mining resumed"})
