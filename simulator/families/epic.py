"""ePIC PowerPlay ("UMC OS"): an HTTP JSON API on TCP 4028 and a web dashboard.

PowerPlay replaces the stock firmware of Antminers, Whatsminers and ePIC's own
BlockMiners. Its API is plain HTTP on the port cgminer would use: ``GET /summary``,
``/capabilities``, ``/network``; every control is a ``POST`` whose JSON body carries
``{"param": <value>, "password": "<pw>"}`` (default ``letmein``), answered with
``{"result": true|false, "error": ...}``. Port 80 serves the "Miner Web Dashboard".

Quirks reproduced:

* a cgminer request sent to 4028 gets an HTTP error page back (it is an HTTP server);
* a GET answers ``{"result": false, "error": ...}`` while its data is not ready, for
  instance right after a soft reboot (``not_ready`` counts how many GETs do so);
* a wrong password is ``{"result": false, "error": "BadPassword"}`` with HTTP 200;
* the power tuning algorithm has a different name by release ("Power" in the API
  1.22/1.30 descriptions, "PowerTune" in 1.38), and some models offer none: the
  firmware lists its algorithms in ``/capabilities``;
* the model string's case is not the one the hardware tables use ("S19J Pro").
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ..miner import SimMiner, SimPorts
from ..models import models_of
from ..servers.base import Server
from ..servers.http import HttpServer
from ..state import MinerState
from . import register

DASHBOARD_HTML = (
    "<!DOCTYPE html><html><head><title>Miner Web Dashboard</title></head>"
    '<body><div id="app">ePIC Miner Web Dashboard</div></body></html>'
)
VOLTAGE_OPTIMIZER = "VoltageOptimizer"
FAN_SLOTS = 12
BAD_PASSWORD = "BadPassword"
MISSING_PARAM = "MissingParam"


@dataclass(frozen=True, slots=True)
class Hardware:
    """What the firmware says about the machine it runs on."""

    model: str  # capabilities "Model"
    subtype: str  # capabilities "Model Subtype"
    power_algorithm: str | None  # the power-target algorithm this release offers
    cpu: str  # "Control Board Version".cpuHardware


HARDWARE = {
    "S19j Pro": Hardware("Antminer S19J Pro", "BHB42801", "Power", "AMLogic A113D"),
    "S21": Hardware("Antminer S21", "BHB68606", "PowerTune", "AMLogic A113D"),
    "M30S++": Hardware("WhatsMiner M30S++", "VH40", None, "Allwinner H6"),
}


def _host_port(url: str) -> str:
    """``stratum+tcp://pool:3333`` → ``pool:3333``, as "Current Pool" shows it."""
    return url.split("://", 1)[-1]


@register
class EpicSim(SimMiner):
    family = "epic"
    default_username = ""
    default_password = "letmein"
    firmware_version = "1.8.2"
    models = models_of("epic")

    def __init__(self, host: str, state: MinerState, ports: SimPorts | None = None) -> None:
        super().__init__(host, state, ports)
        self.hardware = HARDWARE[state.spec.model]
        self.not_ready = 0  # how many of the next GETs answer "not ready"
        self.tune_running = True
        # Out of the box PowerPlay tunes for the nominal hashrate, not for a wattage.
        self.tune_algorithm = VOLTAGE_OPTIMIZER
        self.tune_target = int(state.spec.nominal_hashrate)
        self.posts: list[tuple[str, Any]] = []  # every accepted control, for tests

    def build_servers(self) -> list[Server]:
        return [
            HttpServer(self.host, self.ports.rpc, self.state, self.api_routes),
            HttpServer(self.host, self.ports.web, self.state, self.dashboard_routes),
        ]

    # -- the physics behind tuning ------------------------------------------------------

    @property
    def power_tuned(self) -> bool:
        return self.tune_running and self.tune_algorithm == self.hardware.power_algorithm

    def _apply_tuning(self) -> None:
        """Only a running power algorithm limits the power; otherwise stock power."""
        self.state.power_limit = self.tune_target if self.power_tuned else None

    def _algorithms(self) -> list[dict[str, Any]]:
        spec = self.state.spec
        options = [
            {
                "algorithm": VOLTAGE_OPTIMIZER,
                "name": "Voltage Optimizer",
                "description": "Hold a hashrate target at the lowest voltage.",
                "min": int(spec.nominal_hashrate * 0.5),
                "max": int(spec.nominal_hashrate * 1.2),
            }
        ]
        if self.hardware.power_algorithm is not None:
            options.append(
                {
                    "algorithm": self.hardware.power_algorithm,
                    "name": "Power Tune",
                    "description": "Hold a power target.",
                    "min": spec.min_power,
                    "max": spec.max_power,
                }
            )
        return options

    # -- web dashboard (port 80) ----------------------------------------------------------

    def dashboard_routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._dashboard)

    async def _dashboard(self, request: web.Request) -> web.Response:
        return web.Response(text=DASHBOARD_HTML, content_type="text/html")

    # -- API (port 4028) ------------------------------------------------------------------

    def api_routes(self, app: web.Application) -> None:
        for path, body in {
            "/summary": self._summary,
            "/capabilities": self._capabilities,
            "/network": self._network,
            "/temps": self._temps,
        }.items():
            app.router.add_get(path, self._getter(body))
        for path, action in {
            "/authenticate": self._authenticate,
            "/miner": self._miner,
            "/identify": self._identify,
            "/reboot": self._reboot,
            "/softreboot": self._softreboot,
            "/perpetualtune": self._perpetualtune,
            "/perpetualtune/algo": self._perpetualtune_algo,
        }.items():
            app.router.add_post(path, self._poster(path, action))

    def _getter(self, body: Any) -> Any:
        async def handler(request: web.Request) -> web.Response:
            if self.not_ready > 0:
                self.not_ready -= 1
                return web.json_response(
                    {"result": False, "error": {"UnknownError": "data not available yet"}}
                )
            return web.json_response(body())

        return handler

    def _poster(self, path: str, action: Any) -> Any:
        async def handler(request: web.Request) -> web.Response:
            try:
                body = await request.json()
            except ValueError:
                return web.json_response({"result": False, "error": MISSING_PARAM})
            if not isinstance(body, dict):
                return web.json_response({"result": False, "error": MISSING_PARAM})
            if body.get("password") != self.state.password:
                return web.json_response({"result": False, "error": BAD_PASSWORD})
            if "param" not in body:
                return web.json_response({"result": False, "error": MISSING_PARAM})
            error = action(body["param"])
            if error is not None:
                return web.json_response({"result": False, "error": error})
            self.posts.append((path, body["param"]))
            return web.json_response({"result": True, "error": None})

        return handler

    # GET bodies ----------------------------------------------------------------------

    def _summary(self) -> dict[str, Any]:
        s = self.state
        spec = s.spec
        per_board = spec.nominal_hashrate / spec.boards if spec.boards else 0.0
        boards = []
        load = s.power / spec.nominal_power
        for i, rate in enumerate(s.board_hashrates()):
            percent = round(rate / per_board * 100, 1) if per_board else 0.0
            boards.append(
                {
                    "Index": i,
                    "Hashrate": [round(rate * 1_000_000, 1), percent],
                    "Temperature": s.board_temperature(i),
                    "Core Clock": [],
                    "Core Clock Avg": round(500 * load, 1) if s.hashing else 0.0,
                    "Input Voltage": 12.6,
                    "Input Current": 0.0,
                    "Input Power": 0.0,
                    "Output Voltage": 0.0,
                    "Output Current": 0.0,
                    "Output Power": 0.0,
                }
            )
        fans: dict[str, int | None] = {f"Fans Speed {n}": None for n in range(1, FAN_SLOTS + 1)}
        for n, rpm in enumerate(s.fan_rpms(), start=1):
            fans[f"Fans Speed {n}"] = rpm
        accepted, rejected = s.shares(0)
        pool = s.pools[0] if s.pools else None
        option = next(o for o in self._algorithms() if o["algorithm"] == self.tune_algorithm)
        algorithm = {
            "Target": self.tune_target,
            "Optimized": s.hashing,
            "Unit": "W" if self.tune_algorithm == self.hardware.power_algorithm else "TH/s",
            "Throttle Step": 5,
            "Min Throttle Target": option["min"],
            "Throttle Target": None,
        }
        last_error: Any = None
        if s.errors:
            code, message = s.errors[-1]
            last_error = {code: message} if message else code
        return {
            "Hostname": s.hostname,
            "Software": f"PowerPlay-BMS v{s.firmware_version}",
            "OS Type": "umcOS",
            "Mining": {"Coin": "BTC", "Algorithm": "SHA-256"},
            "PresetInfo": {"Target Power": spec.nominal_power},
            "Status": {
                "Operating State": "Mining" if s.hashing else "Idling",
                "Last Error": last_error,
                "Last Command": None,
                "Last Command Result": None,
            },
            "Power Supply Stats": {
                "Input Power": s.power,
                "Input Voltage": 230.0,
                "Input Current": round(s.power / 230.0, 2),
                "Output Power": round(s.power * 0.94, 1),
                "Output Voltage": 12.6,
                "Output Current": round(s.power * 0.94 / 12.6, 2),
                "Target Voltage": 12600,
            },
            "HBStatus": [
                {"Index": i, "Detected": True, "Enabled": True} for i in range(spec.boards)
            ],
            "HBs": boards,
            "Fans": {
                "Fan Mode": {"Auto": {"Target Temperature": 60, "Idle Speed": 20}},
                "Fans Speed": 100 if s.hashing else 20,
                "Minimum Working Fans": 0,
            },
            "Fans Rpm": fans,
            "Misc": {
                "Locate Miner State": s.fault_light,
                "Shutdown Temp": 85.0,
                "Critical Temp": 100.0,
            },
            "Session": {
                "Startup Timestamp": int(s.boot_time),
                "Startup String": time.strftime(
                    "%a, %d %b %Y %H:%M:%S +0000", time.gmtime(s.boot_time)
                ),
                "Uptime": s.uptime,
                "Accepted": accepted,
                "Rejected": rejected,
                "Submitted": accepted + rejected,
                "Active HBs": spec.boards if s.hashing else 0,
                "Average MHs": round(s.hashrate * 1_000_000, 1),
                "Difficulty": 65536.0,
                "WorkReceived": accepted // 3,
                "Last Accepted Share Timer": 12,
                "Last Accepted Share Timestamp": int(s.now()) - 12,
                "Last Work Timer": 20,
                "Last Work Timestamp": int(s.now()) - 20,
                "LastAverageMHs": {
                    "Hashrate": round(s.hashrate * 1_000_000, 1),
                    "Timestamp": int(s.now()) // 3600 * 3600,
                },
            },
            "Stratum": {
                "Config Id": 0,
                "Current Pool": _host_port(pool.url) if pool else "",
                "Current User": pool.user if pool else "",
                "IsPoolConnected": bool(pool and pool.alive and s.hashing),
                "Average Latency": 0.04,
                "Worker Unique Id": False,
                "Worker Unique Id Variant": "IpAddress",
            },
            "StratumConfigs": [
                {"pool": p.url, "login": p.user, "password": p.password} for p in s.pools
            ],
            "PerpetualTune": {
                "Running": self.tune_running,
                "Algorithm": {self.tune_algorithm: algorithm},
            },
            "HwConfig": {"Boards Target Clock": []},
            "IdleOnConnectionLost": True,
            "Disable Board On Failure": True,
            "Enable Boards On Idle": False,
            "Overdrive": False,
            "Last License Error": None,
        }

    def _capabilities(self) -> dict[str, Any]:
        s = self.state
        spec = s.spec
        return {
            "Model": self.hardware.model,
            "Model Subtype": self.hardware.subtype,
            "Miner Serial Number": s.serial,
            "Board Serial Numbers": [f"{s.serial}B{i}" for i in range(spec.boards)],
            "Default Hashrate": int(spec.nominal_hashrate),
            "Default Voltage": 12900,
            "Default Clock": 500,
            "Chips Per Bank": 10,
            "Chip Type": "BM1366",
            "Psu Info": {"FW": 25, "Max Vout": 15182, "Min Vout": 11877, "PSU Type": 118},
            "Voltage Estimator": {"Slope": 0.0041, "Y Intercept": 11.0},
            "Max HBs": spec.boards,
            "Max Clock Configs": 1,
            "Coins": ["BTC"],
            "Display": ["ClksAndVoltage", "ShutdownTemp", "PerpetualTune"],
            "Performance Estimator": {
                "Chip Count": spec.chips_per_board,
                "Hashes Per Second Per Chip": 900.0,
            },
            "PerpetualTune": self._algorithms(),
            "Tune Presets": [],
            "Temp Sensor Info": {"Count": 2, "Type": "Board"},
            "Control Board Version": {
                "cpuHardware": self.hardware.cpu,
                "cpuSerial": s.serial.lower(),
                "somBoardVersion": "7.1.0",
                "carrierBoardVersion": "4.1.0",
            },
        }

    def _temps(self) -> list[dict[str, Any]]:
        """Two board sensors per slot, as ``/temps`` lists them (asic-rs ePIC capture)."""
        s = self.state
        return [
            {
                "Data": [round(s.board_temperature(i) - 22, 3), s.board_temperature(i)],
                "Index": i,
                "Total": 0.0,
            }
            for i in range(s.spec.boards)
        ]

    def _network(self) -> dict[str, Any]:
        return {
            "dhcp": {
                "address": self.host,
                "netmask": "255.255.255.0",
                "gateway": "127.0.0.1",
                "dns": "127.0.0.1",
                "mac_address": self.state.mac,
            }
        }

    # POST actions: return an error payload, or None when done ----------------------

    def _authenticate(self, param: Any) -> Any:
        return None

    def _miner(self, param: Any) -> Any:
        if param == "Stop":
            self.state.mining = False
        elif param == "Autostart":
            self.state.mining = True
        else:
            return {"UnknownError": f"unknown operating state {param!r}"}
        return None

    def _identify(self, param: Any) -> Any:
        if not isinstance(param, bool):
            return MISSING_PARAM
        self.state.fault_light = param
        return None

    def _reboot(self, param: Any) -> Any:
        if not isinstance(param, int) or isinstance(param, bool) or param < 0:
            return MISSING_PARAM
        self.state.reboot()
        return None

    def _softreboot(self, param: Any) -> Any:
        self.state.restart_backend()
        self.not_ready = 1  # the restarted miner needs a moment before its summary is back
        return None

    def _perpetualtune(self, param: Any) -> Any:
        if not isinstance(param, bool):
            return MISSING_PARAM
        self.tune_running = param
        self._apply_tuning()
        return None

    def _perpetualtune_algo(self, param: Any) -> Any:
        if not isinstance(param, dict):
            return MISSING_PARAM
        name, target = param.get("algo"), param.get("target")
        option = next((o for o in self._algorithms() if o["algorithm"] == name), None)
        if option is None:
            return {"UnknownError": f"unsupported algorithm {name!r}"}
        if not isinstance(target, int) or isinstance(target, bool):
            return MISSING_PARAM
        if not option["min"] <= target <= option["max"]:
            return {"UnknownError": f"target {target} outside {option['min']}-{option['max']}"}
        self.tune_algorithm = str(name)
        self.tune_target = target
        self.tune_running = True
        self._apply_tuning()
        return None
