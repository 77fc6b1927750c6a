"""The session and the privileged commands: ``logon``/``logoff``, ``curtail``,
``ledset``, ``profileset``, ``atmset``, ``rebootdevice``, ``resetminer``, and the pool
commands ``addpool`` (url, user, password), ``removepool`` and ``switchpool`` (a pool
number), which refuse, as cgminer does, to remove the pool mined on.

Privileged commands name the session first in their parameter and are refused with a
message about the session when it is not the active one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ...state import SimPool
from . import cooling
from .base import LED_MODES, LuxosBase


class LuxosCommands(LuxosBase):
    def _write(self, command: str, parameter: str) -> dict[str, Any]:
        if command == "session":
            return self._wrap(
                "Session information", 319, "SESSION", [{"SessionID": self.active_session or ""}]
            )
        if command == "logon":
            if self.logon_race:
                self.logon_race = False
                self.open_session()  # someone else was quicker
            if self.active_session is not None:
                return self._error("Another session is active", 402)
            self.logons += 1
            return self._wrap(
                "Session created", 316, "SESSION", [{"SessionID": self.open_session()}]
            )
        handler: Callable[[list[str]], dict[str, Any]] | None = {
            "logoff": self._logoff,
            "curtail": self._curtail,
            "ledset": self._ledset,
            "profileset": self._profileset,
            "atmset": self._atmset,
            "rebootdevice": self._rebootdevice,
            "resetminer": self._resetminer,
            "addpool": self._addpool,
            "removepool": self._removepool,
            "switchpool": self._switchpool,
            "fanset": self._fanset,
        }.get(command)
        if handler is None:
            return self._error(f"Invalid command: {command}", 14)
        session_id, *params = parameter.split(",") if parameter else [""]
        if self.refuse_sessions or not session_id or session_id != self.active_session:
            self.refused += 1
            return self._error("Invalid session id", 401)
        self._session_used = time.monotonic()
        shown = params[:2] if command == "addpool" else params  # never the pool password
        self.log.append(" ".join([command, *shown]).strip())
        return handler(params)

    def _fanset(self, params: list[str]) -> dict[str, Any]:
        refusal = cooling.fanset(self.state, params)
        if refusal is not None:
            return self._error(refusal, 345)
        return self._wrap("Fan control set", 344, "FANSET", [{"Params": ",".join(params)}])

    def _logoff(self, params: list[str]) -> dict[str, Any]:
        self._session = None
        return self._wrap("Session terminated", 317, "SESSION", [{"SessionID": ""}])

    def _curtail(self, params: list[str]) -> dict[str, Any]:
        action = params[0] if params else ""
        if action == "sleep":
            self.state.mining = False
            text = "sleep mode"
        elif action == "wakeup":
            self.state.mining = True
            text = "wake up"
        else:
            return self._error(f"Invalid curtail action: {action}", 336)
        return self._wrap("Curtailment command sent", 335, "CURTAIL", [{"Action": text}])

    def _ledset(self, params: list[str]) -> dict[str, Any]:
        if len(params) != 2 or params[0] not in ("red", "green") or params[1] not in LED_MODES:
            return self._error("Invalid LED parameters", 343)
        color, mode = params
        if color == "red":
            self.red_led = mode
            self.state.fault_light = mode in ("on", "blink")
        return self._wrap("LED set", 342, "LED", [{"Color": color, "State": mode}])

    def _profileset(self, params: list[str]) -> dict[str, Any]:
        if len(params) >= 2 and params[0] in ("0", "1", "2", "3"):
            params = params[1:]  # the legacy board_id form: the profile is machine-wide
        name = params[0] if params else ""
        profile = self.profile(name)
        if profile is None:
            return self._error(f"Invalid profile: {name}", 322)
        self.state.work_mode = profile.name
        self.state.power_limit = profile.watts
        item = {"Board": 0, "FrequencyStep": 5, "Profile": profile.name, "VoltageStep": 0.05}
        return self._wrap("Profile Set", 321, "PROFILE", [item])

    def _atmset(self, params: list[str]) -> dict[str, Any]:
        for param in params:
            key, _, value = param.partition("=")
            if key != "enabled" or value not in ("true", "false"):
                return self._error(f"Invalid ATM parameter: {param}", 341)
            self.atm_enabled = value == "true"
        return self._wrap("ATM configuration updated", 340, "ATM", [{"Enabled": self.atm_enabled}])

    def _rebootdevice(self, params: list[str]) -> dict[str, Any]:
        self.state.reboot()  # answered first; the connection after this one is refused
        return self._wrap("Rebooting device", 332, "REBOOT", [{"Reboot": True}])

    def _resetminer(self, params: list[str]) -> dict[str, Any]:
        self.state.restart_backend()
        return self._wrap("Resetting LUXminer", 333, "RESET", [{"Reset": True}])

    def _addpool(self, params: list[str]) -> dict[str, Any]:
        if len(params) != 3 or "://" not in params[0]:
            return self._error("Invalid addpool parameters", 25)
        url, user, password = params
        self.state.pools.append(SimPool(url, user, password))
        number = len(self.state.pools) - 1
        return self._wrap(f"Added pool {number}: '{url}'", 55, "POOL", [{"POOL": number}])

    def _pool_number(self, params: list[str]) -> int | None:
        number = params[0] if len(params) == 1 else ""
        return int(number) if number.isdigit() and int(number) < len(self.state.pools) else None

    def _removepool(self, params: list[str]) -> dict[str, Any]:
        number = self._pool_number(params)
        if number is None:
            return self._error("Invalid pool number", 26)
        if number == self.state.current_pool() or len(self.state.pools) == 1:
            return self._error(f"Cannot remove active pool {number}", 67)
        self.state.remove_pool(number)
        return self._wrap(f"Removed pool {number}", 68, "POOL", [{"POOL": number}])

    def _switchpool(self, params: list[str]) -> dict[str, Any]:
        number = self._pool_number(params)
        if number is None:
            return self._error("Invalid pool number", 26)
        self.state.pool_choice = number
        return self._wrap(f"Switching to pool {number}", 27, "POOL", [{"POOL": number}])
