"""btminer API v1/v2 on 4028: the flat ``get_*`` reads and the encrypted writes.

``get_*`` and ``status`` answer in a flat STATUS envelope (``Msg`` holds the data) and
do not combine with other commands; privileged commands travel in the ``enc``
envelope, keyed by the admin password's md5-crypt, with a token from ``get_token``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from ...state import SimPool
from .api_v2_reads import CgminerReads
from .base import ERROR_TIME, MAX_TOKENS, TOKEN_SECONDS, _salt
from .crypto import seal, unseal, v2_key, v2_sign


class WhatsminerV2(CgminerReads):
    async def handle_rpc(self, request: str) -> bytes:
        try:
            payload = json.loads(request)
        except ValueError:
            return self._flat_error(23, "invalid json message")
        if not isinstance(payload, dict):
            return self._flat_error(23, "invalid json message")
        if "enc" in payload:
            if self.profile.v3:
                return self._flat_error(14, "invalid cmd")
            return self._privileged(payload)
        command = str(payload.get("command", payload.get("cmd", "")))
        if "+" in command:
            return self._multicommand(command.split("+"))
        reader = self._readers().get(command)
        if reader is None:
            return self._flat_error(14, "invalid cmd")
        return reader()

    def _readers(self) -> dict[str, Callable[[], bytes]]:
        readers = {
            "get_version": self._get_version,
            "devdetails": self._devdetails,
            "version": self._version,
        }
        if not self.profile.v3:
            readers |= {
                "summary": self._summary,
                "devs": self._devs,
                "edevs": self._devs,
                "pools": self._pools_v2,
                "status": self._status,
                "get_psu": self._psu,
                "get_token": self._get_token,
            }
        if not (self.profile.v3 or self.profile.v1):
            readers |= {"get_miner_info": self._miner_info, "get_error_code": self._error_code}
        return readers

    def _multicommand(self, commands: list[str]) -> bytes:
        """``summary+devs+pools``: each reply whole under its name, as cgminer joins them.

        btminer keeps ``get_*`` and ``status`` apart (their envelope is not cgminer's),
        so a combination naming one of them, or an unknown command, is refused whole.
        """
        readers = self._readers()
        if any(c.startswith("get_") or c == "status" or c not in readers for c in commands):
            return self._flat_error(14, "invalid cmd")
        parts = [f'"{c}":[{readers[c]().decode()}]' for c in dict.fromkeys(commands)]
        return ("{" + ",".join(parts) + ',"id":1}').encode()

    @property
    def flat_description(self) -> str:
        """API 1.x names itself in every flat reply; 2.x leaves the field empty."""
        return f"whatsminer v{self.profile.api}" if self.profile.v1 else ""

    def _flat(self, msg: Any, code: int = 131, *, trailing_comma: bool = False) -> bytes:
        body = json.dumps(msg)
        if trailing_comma and body.endswith("}"):
            body = body[:-1] + ",}"  # btminer leaves a comma after the last member
        description = json.dumps(self.flat_description)
        text = (
            f'{{"STATUS":"S","When":{int(time.time())},"Code":{code},"Msg":{body},'
            f'"Description":{description}}}'
        )
        return text.encode()

    @staticmethod
    def _flat_error(code: int, msg: str) -> bytes:
        return json.dumps(
            {"STATUS": "E", "When": int(time.time()), "Code": code, "Msg": msg, "Description": ""}
        ).encode()

    def _get_version(self) -> bytes:
        p = self.profile
        if p.v1:  # 1.x names the API in full and has no platform field
            return self._flat({"api_ver": f"whatsminer v{p.api}", "fw_ver": p.firmware})
        return self._flat({"api_ver": p.api, "fw_ver": p.firmware, "platform": "H616"})

    def _status(self) -> bytes:
        s = self.state
        if self.profile.v1:  # 1.x names the switch after the btminer process
            return self._flat(
                {
                    "btmineroff": "false" if s.mining else "true",
                    "Firmware Version": f"'{self.profile.firmware}'",
                }
            )
        return self._flat(
            {
                "mineroff": "false" if s.mining else "true",
                "mineroff_reason": "" if s.mining else "power_off",
                "mineroff_time": "",
                "FirmwareVersion": f"'{self.profile.firmware}'",
                "power_mode": "",
                "hash_percent": "",
                "power_limit_set": str(s.effective_power_limit),
            }
        )

    def _miner_info(self) -> bytes:
        s = self.state
        return self._flat(
            {
                "ip": self.host,
                "proto": "dhcp",
                "netmask": "255.255.255.0",
                "hostname": s.hostname,
                "mac": s.mac,
                "ledstat": self.led_status(),
                "minersn": s.serial,
            },
            trailing_comma=True,
        )

    def _error_code(self) -> bytes:
        return self._flat({"error_code": [{code: ERROR_TIME} for code, _ in self.state.errors]})

    def _psu(self) -> bytes:
        psu: dict[str, Any] = {"name": self.profile.psu, "model": self.profile.psu}
        if not self.profile.v1:  # 1.x has no PSU fan here (summary's Power Fanspeed has it)
            psu["fan_speed"] = str(self.psu_fan())
        return self._flat(psu | {"hw_version": "", "sw_version": "230208.220429"})

    def _get_token(self) -> bytes:
        now = time.monotonic()
        self.tokens = {sign: until for sign, until in self.tokens.items() if until > now}
        if len(self.tokens) >= MAX_TOKENS:
            return self._flat_error(136, "token over max times")
        clock = f"{int(time.time()) % 10000:04d}"
        newsalt = _salt()
        self.tokens_issued += 1
        self.tokens[v2_sign(self.state.password, self.salt, clock, newsalt)] = now + TOKEN_SECONDS
        return self._flat({"time": clock, "salt": self.salt, "newsalt": newsalt}, code=134)

    def _privileged(self, payload: dict[str, Any]) -> bytes:
        if not self.write_api_enabled:
            return self._flat_error(45, "can't access write cmd")
        key = v2_key(self.state.password, self.salt)
        data = payload.get("data")
        plain = unseal(key, data) if isinstance(data, str) else None
        if plain is None:
            return self._flat_error(137, "base64 decode error")
        try:
            command = json.loads(plain)
        except ValueError:
            return self._flat_error(23, "invalid json message")  # what a wrong key gives
        if not isinstance(command, dict):
            return self._flat_error(23, "invalid json message")
        until = self.tokens.get(str(command.get("token")))
        if until is None or until < time.monotonic():
            return self._flat_error(135, "check token error")
        name = str(command.get("cmd", command.get("command", "")))
        self.privileged_commands.append(name)
        error = self._apply_v2(name, command)
        if error is None:
            reply = {
                "STATUS": "S",
                "When": int(time.time()),
                "Code": 131,
                "Msg": "API command OK",
                "Description": "",
            }
        else:
            reply = {
                "STATUS": "E",
                "When": int(time.time()),
                "Code": 132,
                "Msg": error,
                "Description": "",
            }
        return json.dumps({"enc": seal(key, json.dumps(reply).encode())}).encode()

    def _apply_v2(self, name: str, command: dict[str, Any]) -> str | None:
        """Change the state; return an error text, or ``None`` on success."""
        s = self.state
        if name == "power_off":
            if command.get("respbefore") not in ("true", "false"):
                return 'respbefore must be "true" or "false"'
            s.mining = False
        elif name == "power_on":
            s.mining = True
        elif name == "set_led":
            if command.get("param") == "auto":
                s.fault_light = False
            elif command.get("color") in ("red", "green") and all(
                isinstance(command.get(k), int) for k in ("period", "duration", "start")
            ):
                s.fault_light = True
            else:
                return "invalid led parameters"
        elif name == "adjust_power_limit":
            value = command.get("power_limit")
            if not isinstance(value, str) or not value.isdigit():
                return "power_limit must be a string of digits"
            watts = int(value)
            if not s.spec.min_power <= watts <= s.spec.max_power:
                return "power_limit out of range"
            s.power_limit = watts
            s.reboot()  # btminer restarts the machine to apply a new limit
        elif name in ("set_low_power", "set_normal_power", "set_high_power"):
            s.work_mode = name.split("_")[1]
        elif name == "reboot":
            s.reboot()
        elif name == "restart_btminer":
            s.restart_backend()
        elif name == "update_pools":
            pools = []
            for i in (1, 2, 3):
                url = str(command.get(f"pool{i}", ""))
                if url:
                    pools.append(
                        SimPool(
                            url,
                            str(command.get(f"worker{i}", "")),
                            str(command.get(f"passwd{i}", "")),
                        )
                    )
            s.pools = pools
            s.pool_choice = 0
        else:
            return "invalid cmd"
        return None
