"""The FluxOS API on 8080: token login, cgminer-style sections, the mode/led/restart and
updatepools writes."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from ... import cgminer
from ...miner import SimMiner
from ...state import SimPool

API_PORT = 8080


def api_port(web_port: int) -> int:
    """FluxOS's 8080 beside a web port of 80; else the web port (tests, forwarding)."""
    return API_PORT if web_port == 80 else web_port


FLUXOS = "FluxOS-2023-12.27-sim"
_MODE_FACTOR_NAMES = {"eco": "low", "normal": "normal", "turbo": "high"}
_STATE_MODES = {v: k for k, v in _MODE_FACTOR_NAMES.items()}


def _ok(key: str, items: list[dict[str, Any]], msg: str, code: int) -> web.Response:
    return web.json_response(cgminer.reply(key, items, msg, code, FLUXOS))


def _refused(msg: str, status: int = 200) -> web.Response:
    return web.json_response(cgminer.error(msg, 14, FLUXOS), status=status)


class FluxApiRoutes(SimMiner):
    _token: str | None = None

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/token", self._login)
        reads = {
            "ipreport": self._ipreport,
            "mode": self._mode,
            "psu": self._psu,
            "fan": self._fan,
            "led": self._led,
            "temperature": self._temperature,
        }
        for name, handler in reads.items():
            app.router.add_get(f"/{name}", self._guarded(handler))
        app.router.add_post("/mode", self._guarded(self._set_mode))
        app.router.add_post("/led", self._guarded(self._set_led))
        app.router.add_post("/restart", self._guarded(self._restart))
        app.router.add_post("/updatepools", self._guarded(self._update_pools))

    def _guarded(self, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.Response:
            token = request.headers.get("Token")
            if self._token is None or token != self._token:
                return _refused("Invalid token", 401)
            response: web.Response = await handler(request)
            return response

        return wrapped

    async def _login(self, request: web.Request) -> web.Response:
        body = await request.json()
        s = self.state
        if body.get("user") != s.username or body.get("password") != s.password:
            return _refused("Invalid user or password", 401)
        self._token = secrets.token_hex(16)
        return _ok("Token", [{"Token": self._token}], "Token", 610)

    # -- reads -------------------------------------------------------------------------

    async def _ipreport(self, request: web.Request) -> web.Response:
        s = self.state
        item = {
            "CBSerialNo": s.serial,
            "ChassisSerialNo": "000020",
            "HBSerialNo": [f"{s.serial}H{i}" for i in range(s.spec.boards)],
            "InternalType": "T0",
            "SerialNo": s.serial,
            "command": "ipreport",
            "hostname": s.hostname,
            "ip": self.host,
            "mac": s.mac.lower(),
            "model": s.spec.model,
            "version": s.firmware_version,
        }
        return _ok("IPReport", [item], "IP Report", 620)

    def _mode_name(self) -> str:
        s = self.state
        return "custom" if s.power_limit is not None else _STATE_MODES.get(s.work_mode, "normal")

    async def _mode(self, request: web.Request) -> web.Response:
        s = self.state
        item = {
            "Mode": self._mode_name(),
            "Power": s.effective_power_limit,
            "Sleep": "off" if s.mining else "on",
            "Ths": s.spec.nominal_hashrate,
        }
        msg = f"Operating mode: '{self._mode_name()}', sleep: '{str(not s.mining).lower()}'"
        return _ok("Mode", [item], msg, 540)

    async def _psu(self, request: web.Request) -> web.Response:
        s = self.state
        rpm = 4000 if s.hashing else 2000
        item = {
            "FanSpeed1": f"{rpm:.2f} RPM",
            "FanSpeed2": f"{rpm + 90:.2f} RPM",
            "Iin": f"{s.power / 245:.2f}A",
            "Iout": f"{s.power / 12.5:.2f}A",
            "PoutMax": "3452.00W",
            "PowerIn": f"{s.power:.2f}W",
            "PowerOut": f"{s.power * 0.95:.2f}W",
            "Vin": "245.00V",
            "Vout": "12.50V",
            "VoutSet": "12.50V",
        }
        return _ok("PSU", [item], "PSU status", 570)

    async def _fan(self, request: web.Request) -> web.Response:
        fans = [
            {"ID": i + 1, "Max": 7700, "Speed": rpm, "Target": rpm}
            for i, rpm in enumerate(self.state.fan_rpms())
        ]
        return _ok("Fan", fans, f"Total fans: {len(fans)}", 510)

    async def _led(self, request: web.Request) -> web.Response:
        on, faults = self.state.fault_light, self.state.errors
        code, msg = (3, "Locate") if on else (2, "Normal")
        if faults and not on:  # a fault shows as the LED's code (not from a capture)
            code, msg = int(faults[0][0]) if faults[0][0].isdigit() else 5, faults[0][1]
        item = {"Code": code, "LED1": 1, "LED2": 1, "Msg": msg}
        return _ok("LED", [item], "Total LEDs 2", 530)

    async def _temperature(self, request: web.Request) -> web.Response:
        s = self.state
        items: list[dict[str, Any]] = [
            {"BoardTemp": [{"ID": 0, "Temperature": 24.9375}], "ChipTemp": None, "ID": 0}
            | {"Name": "Control Board"}
        ]
        for board in range(s.spec.boards):
            pcb, chip = s.board_temperature(board), s.chip_temperature(board)
            items.append(
                {
                    "BoardTemp": [{"ID": i, "Temperature": pcb - i} for i in range(5)],
                    "ChipTemp": [{"ID": i, "Temperature": chip - i} for i in range(3)],
                    "ID": board + 1,
                    "Name": f"Hash Board {board + 1}",
                }
            )
        return _ok("Temperature", items, "System temperature", 590)

    # -- writes ------------------------------------------------------------------------

    async def _set_mode(self, request: web.Request) -> web.Response:
        body = await request.json()
        s = self.state
        if "sleep" in body:
            s.mining = body["sleep"] == "off"
        elif body.get("mode") == "custom" and body.get("tune") == "power":
            watts = int(body.get("power", 0))
            if not s.spec.min_power <= watts <= s.spec.max_power:
                return _refused(f"Power {watts} out of range")
            s.power_limit = watts
        elif body.get("mode") in _MODE_FACTOR_NAMES:
            s.work_mode = _MODE_FACTOR_NAMES[body["mode"]]
            s.power_limit = None
        else:
            return _refused("Invalid mode")
        return _ok("Mode", [], "Mode set", 541)

    async def _set_led(self, request: web.Request) -> web.Response:
        body = await request.json()
        code = body.get("code")
        if code not in (2, 3):
            return _refused("Invalid LED code")
        self.state.fault_light = code == 3
        return _ok("LED", [], "LED set", 531)

    async def _update_pools(self, request: web.Request) -> web.Response:
        """asic-rs's ``updatepools`` body; the reply and its refusal are ours (no capture)."""
        sent = (await request.json()).get("pools")
        if not isinstance(sent, list) or not sent or len(sent) > 3:
            return _refused("Invalid pools")
        if not all(isinstance(p, dict) and p.get("url") and p.get("user") for p in sent):
            return _refused("Invalid pools")
        self.state.pools = [
            SimPool(str(p["url"]), str(p["user"]), str(p.get("pass", ""))) for p in sent
        ]
        self.state.pool_choice = 0
        return _ok("UpdatePools", [], "Pools updated", 560)

    async def _restart(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("parameter") == "gcminer":
            self.state.restart_backend()
        else:
            self.state.reboot()
        return _ok("Restart", [], "Restarting", 580)
