"""The GraphQL web API (every release; the only web API before 25.07) and LuCI.

Cookie login; 24.09+ has ``bos.macAddress``; on 21.09/22.08 the MAC comes from LuCI,
which wants the ``BTC Tools v0.1`` user agent. Real units name their model and release
to anyone; everything else needs the session. ``updateGroups`` saves pools that the next
bosminer restart puts to work, as on a real unit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from ...logs import log_lines
from ...state import SimPool
from .base import LUCI_USER_AGENT, ROOT_HTML, BraiinsBase
from .gql_parser import Field, FieldError, GraphqlError, Parser, resolve, void


class BraiinsGraphql(BraiinsBase):
    # Pools saved by updateGroups, put to work by the next bosminer restart.
    saved_pools: list[SimPool] | None = None

    async def _graphql(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            query = str(body["query"])
            variables = body.get("variables") or {}
            operation, selections = Parser(query, variables).document()
        except (ValueError, KeyError, TypeError) as err:
            return web.json_response({"errors": [{"message": f"bad request: {err}"}]}, status=400)
        except GraphqlError as err:
            return web.json_response({"errors": [{"message": str(err)}], "data": None})
        cookie = request.cookies.get("session_id")
        logging_in = operation == "mutation" and [
            s.name for s in selections if isinstance(s, Field)
        ] == ["auth"]
        if not logging_in and not self._session_ok(cookie):
            # Real units name their model and release to anyone (asic-rs identifies
            # them so); everything else needs the session.
            public = self._public(operation, selections)
            if public is None:
                return web.json_response(
                    {"errors": [{"message": "Forbidden"}], "data": None}, status=403
                )
            return web.json_response({"data": public})
        issued: list[str] = []
        root = self._mutation_root(issued) if operation == "mutation" else self._query_root()
        errors: list[str] = []
        try:
            data = resolve(root, selections, errors, "")
        except GraphqlError as err:
            return web.json_response({"errors": [{"message": str(err)}], "data": None})
        payload: dict[str, Any] = {"data": data}
        if errors:
            payload["errors"] = [{"message": e} for e in errors]
        response = web.json_response(payload)
        for token in issued:
            response.set_cookie("session_id", token, httponly=True, path="/")
        return response

    def _bosminer_info(self, _args: dict[str, Any]) -> dict[str, Any]:
        if not self.bosminer_running:
            raise FieldError("BOSminer is not running")
        s = self.state
        boards = []
        board_name, chip_name, inlet_name, outlet_name = self.release.temperature_names
        for i, rate in enumerate(s.board_hashrates()):
            details: dict[str, Any] = {
                "chips": s.spec.chips_per_board,
                "frequencyMhz": self._frequency_hz(i) / 1e6,
                "voltageV": 8.4 if s.spec.model == "S9" else 13.2,
            }
            if self.release.graphql_serials:
                details["hbSerialNumber"] = self._board_serial(i)
            temps = [
                {"name": board_name, "degreesC": s.board_temperature(i)},
                {"name": chip_name, "degreesC": s.chip_temperature(i)},
            ]
            if inlet_name is not None and outlet_name is not None:
                temps.append({"name": inlet_name, "degreesC": s.environment_temperature + 12})
                temps.append({"name": outlet_name, "degreesC": s.board_temperature(i)})
            boards.append(
                {
                    "name": str(self.chain_ids[i]),
                    "nominalMhs": s.spec.nominal_hashrate * 1e6 / s.spec.boards,
                    "realHashrate": {"mhs5S": rate * 1e6, "mhs1M": rate * 1e6},
                    "hwDetails": details,
                    "temperatures": temps,
                }
            )
        pools = []
        for i, pool in enumerate(s.pools):
            accepted, rejected = s.shares(i)
            pools.append(
                {
                    "url": pool.url,
                    "user": pool.user,
                    "status": "ALIVE" if pool.alive else "DEAD",
                    "active": i == s.current_pool(),
                    "shares": {"acceptedSolutions": accepted, "rejectedSolutions": rejected},
                }
            )
        return {
            "modelName": self._model_name(),
            "poolGroups": [{"name": "default", "pools": pools}],
            "fans": [
                {"name": str(i), "rpm": rpm, "speed": 100 if rpm else 0}
                for i, rpm in enumerate(self._fan_slots())
            ],
            "summary": {
                "power": {
                    "limitW": s.effective_power_limit,
                    "approxConsumptionW": round(s.power),
                }
            },
            "workSolver": {
                "nominalMhs": s.spec.nominal_hashrate * 1e6,
                "realHashrate": {"mhs5S": s.hashrate * 1e6, "mhs1M": s.hashrate * 1e6},
                "childSolvers": boards,
            },
        }

    def _query_root(self) -> dict[str, Any]:
        s = self.state
        bos: dict[str, Any] = {
            "__typename": "BosQuery",
            "hostname": s.hostname,
            "faultLight": s.fault_light,
            "info": {"version": {"full": self.release.full, "isPlus": True}},
            "uptime": {"durationS": s.uptime},
            "log": lambda _args: log_lines(s, "bosminer"),
        }
        if self.release.graphql_mac:
            bos["macAddress"] = s.mac.lower()
        if self.release.graphql_serials:
            bos["serialNumber"] = s.serial
        bosminer: dict[str, Any] = {
            "__typename": "BosminerQuery",
            "info": self._bosminer_info,
            "config": {
                "__typename": "BosminerConfig",
                "autotuning": {
                    "enabled": True,
                    "mode": "POWER_TARGET",
                    "powerTarget": s.effective_power_limit,
                    "hashrateTarget": None,
                },
                "groups": [
                    {
                        "id": "0",
                        "name": "default",
                        "strategy": {"__typename": "QuotaStrategy", "quota": 1},
                        "pools": [
                            {
                                "id": str(i),
                                "enabled": True,
                                "url": p.url,
                                "user": p.user,
                                "password": p.password,
                            }
                            for i, p in enumerate(self.saved_pools or s.pools)
                        ],
                    }
                ],
            },
        }
        if self.release.bosminer_uptime:  # not in the 21.09 schema
            bosminer["uptime"] = {"durationS": s.uptime} if self.bosminer_running else None
        appeals = [
            {"id": str(n), "kind": "ERROR", "message": msg, "timestamp": int(s.boot_time)}
            for n, (_code, msg) in enumerate(s.errors)
        ]
        return {
            "__typename": "Query",
            "bos": bos,
            "bosminer": bosminer,
            "events": {"__typename": "EventQuery", "appeals": appeals},
        }

    def _public(self, operation: str, selections: list[Any]) -> dict[str, Any] | None:
        """The answer to a query that needs no session, or ``None`` when it needs one."""
        if operation != "query":
            return None
        try:
            result: dict[str, Any] = resolve(self._public_root(), selections, [], "")
        except GraphqlError:
            return None
        return result

    def _public_root(self) -> dict[str, Any]:
        """What a unit answers without a session: its model and its release."""

        def info(_args: dict[str, Any]) -> dict[str, Any]:
            return {"__typename": "BosminerInfo", "modelName": self._model_name()}

        return {
            "__typename": "Query",
            "bos": {
                "__typename": "BosQuery",
                "info": {"version": {"full": self.release.full}},
            },
            "bosminer": {"__typename": "BosminerQuery", "info": info},
        }

    def _mutation_root(self, issued: list[str]) -> dict[str, Any]:
        s = self.state

        def login(args: dict[str, Any]) -> dict[str, Any]:
            if not self._credentials_ok(args.get("username"), args.get("password")):
                return {"__typename": "AuthError", "message": "Invalid username or password"}
            issued.append(self._new_session())
            return void()

        def set_mining(on: bool) -> Callable[[dict[str, Any]], dict[str, Any]]:
            def apply(_args: dict[str, Any]) -> dict[str, Any]:
                s.mining = on
                return void()

            return apply

        def restart(_args: dict[str, Any]) -> dict[str, Any]:
            if not self.bosminer_running:
                return {"__typename": "BosminerError", "message": "BOSminer is not running"}
            s.restart_backend()
            if self.saved_pools is not None:
                s.pools, s.pool_choice, self.saved_pools = self.saved_pools, 0, None
            return void()

        def update_groups(args: dict[str, Any]) -> dict[str, Any]:
            groups = args.get("groups")
            sent = [p for g in groups or [] if isinstance(g, dict) for p in g.get("pools") or []]
            if not sent or not all(isinstance(p, dict) and p.get("url") for p in sent):
                return {"__typename": "GroupListError", "message": "a group needs a pool"}
            self.saved_pools = [
                SimPool(str(p["url"]), str(p.get("user") or ""), str(p.get("password") or ""))
                for p in sent
            ]
            return {"__typename": "GroupList", "groups": [{"id": "0"}]}

        def reboot(_args: dict[str, Any]) -> dict[str, Any]:
            s.reboot()
            return void()

        def fault_light(args: dict[str, Any]) -> dict[str, Any]:
            s.fault_light = bool(args.get("enable"))
            return {"enabled": s.fault_light}

        def autotuning(args: dict[str, Any]) -> dict[str, Any]:
            target = (args.get("input") or {}).get("powerTarget")
            refusal = self._set_power_target(target)
            if refusal is not None:
                return {"__typename": "AutotuningError", "message": refusal}
            return {
                "__typename": "AutotuningOut",
                "autotuning": {"enabled": True, "powerTarget": s.power_limit},
            }

        return {
            "__typename": "Mutation",
            "auth": {"__typename": "Auth", "login": login},
            "bos": {
                "__typename": "BosMutation",
                "reboot": reboot,
                "setFaultLight": fault_light,
            },
            "bosminer": {
                "__typename": "BosminerMutation",
                "start": set_mining(True),
                "stop": set_mining(False),
                "restart": restart,
                "config": {
                    "__typename": "BosminerConfigurator",
                    "updateAutotuning": autotuning,
                    "updateGroups": update_groups,
                },
            },
        }

    # -- LuCI (releases whose GraphQL has no MAC) ------------------------------------

    async def _luci_login(self, request: web.Request) -> web.Response:
        if request.headers.get("User-Agent") != LUCI_USER_AGENT:
            return web.Response(text=ROOT_HTML, content_type="text/html")
        form = await request.post()
        if not self._credentials_ok(form.get("luci_username"), form.get("luci_password")):
            return web.Response(status=403, text=ROOT_HTML, content_type="text/html")
        response = web.Response(status=302, headers={"Location": "/cgi-bin/luci/"})
        response.set_cookie("sysauth", self._new_session(), httponly=True, path="/cgi-bin/luci")
        return response

    async def _luci_lan(self, request: web.Request) -> web.Response:
        if request.headers.get("User-Agent") != LUCI_USER_AGENT:
            return web.Response(text=ROOT_HTML, content_type="text/html")
        if not self._session_ok(request.cookies.get("sysauth")):
            return web.Response(status=403, text=ROOT_HTML, content_type="text/html")
        return web.json_response([{"macaddr": self.state.mac}])  # as captured (asic-rs)
