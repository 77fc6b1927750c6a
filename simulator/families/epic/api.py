"""The HTTP API on 4028: routes, the "not ready" answers, and the password-checked POST
actions (``coin`` replaces the pools).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ...logs import log_text
from ...state import SimPool
from .base import BAD_PASSWORD, MISSING_PARAM
from .reads import EpicReads


class EpicApi(EpicReads):
    def api_routes(self, app: web.Application) -> None:
        for path, body in {
            "/summary": self._summary,
            "/capabilities": self._capabilities,
            "/network": self._network,
            "/temps": self._temps,
        }.items():
            app.router.add_get(path, self._getter(body))
        app.router.add_get("/log", self._log)
        for path, action in {
            "/authenticate": self._authenticate,
            "/miner": self._miner,
            "/identify": self._identify,
            "/reboot": self._reboot,
            "/softreboot": self._softreboot,
            "/perpetualtune": self._perpetualtune,
            "/perpetualtune/algo": self._perpetualtune_algo,
            "/coin": self._coin,
        }.items():
            app.router.add_post(path, self._poster(path, action))

    async def _log(self, request: web.Request) -> web.Response:
        """``/log``: the PowerPlay log as text, open like every GET."""
        return web.Response(text=log_text(self.state, "powerplay"))

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

    def _coin(self, param: Any) -> Any:
        """The coin and up to three stratum configs, mined on in order at once."""
        configs = param.get("stratum_configs") if isinstance(param, dict) else None
        if (
            not isinstance(configs, list)
            or not 0 < len(configs) <= 3
            or not all(isinstance(c, dict) and c.get("pool") for c in configs)
            or param.get("coin") not in ("BTC", "LTC")
        ):
            return MISSING_PARAM
        self.state.pools = [
            SimPool(str(c["pool"]), str(c.get("login") or ""), str(c.get("password") or ""))
            for c in configs
        ]
        self.state.pool_choice = 0
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
