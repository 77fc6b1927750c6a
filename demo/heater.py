"""The demo's heater: one miner heats a simulated room, through its thermostat.

The fleet file marks one miner ``heater = true`` (the Avalon Nano 3S, a home heater).
The demo keeps a small room model beside the simulated fleet (``Room``: a heater in a
room that loses heat to the rest of the house, ``C dT/dt = P - UA (T - T_out)``), fed
with the miner's simulated power, and writes its temperature into Home Assistant as
``sensor.demo_room_temperature`` every few seconds. The miner's options take that
sensor as the thermostat's room temperature; the thermostat is set to heat to 21 °C.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .client import DemoError, HomeAssistantClient
from .dashboard import find_miners

ROOM_ENTITY = "sensor.demo_room_temperature"
ROOM_ATTRIBUTES = {
    "friendly_name": "Demo room temperature",
    "unit_of_measurement": "°C",
    "device_class": "temperature",
    "state_class": "measurement",
}
TARGET = 21.0
ROOM_TICK = 5.0  # seconds between two room readings
# A demo lasts minutes: the thermostat may move every minute and switch after two.
HEATER_OPTIONS = {"min_on_minutes": 2, "min_off_minutes": 2, "step_minutes": 1}


@dataclass
class Room:
    """A small room a 140 W heater warms, inside a house kept at ``outside``."""

    temperature: float = 16.0
    ua: float = 12.0  # W/K lost to the rest of the house
    tau: float = 900.0  # s: C / UA, quick enough to watch during a demo
    outside: float = 15.0

    def advance(self, seconds: float, watts: float) -> None:
        settle = self.outside + watts / self.ua
        self.temperature = settle + (self.temperature - settle) * math.exp(-seconds / self.tau)


def heater_climate(entities: Iterable[Mapping[str, Any]], prefix: str) -> str | None:
    """The heater miner's climate entity, from the entity registry."""
    for entity in entities:
        entity_id = str(entity["entity_id"])
        if entity_id.startswith(f"climate.{prefix}_") and not entity.get("disabled_by"):
            return entity_id
    return None


def form_values(form: Mapping[str, Any]) -> dict[str, Any]:
    """What the options form shows filled in (its suggested values)."""
    values: dict[str, Any] = {}
    for field in form.get("data_schema", []):
        suggested = (field.get("description") or {}).get("suggested_value")
        if suggested is not None:
            values[field["name"]] = suggested
    return values


async def set_up_heater(ha: HomeAssistantClient, entry_id: str, climate: str) -> None:
    """The room sensor in the miner's options; the thermostat heating to ``TARGET``."""
    flow_path = "/api/config/config_entries/options/flow"
    form = await ha.request("POST", flow_path, {"handler": entry_id})
    values = {**form_values(form), **HEATER_OPTIONS, "temperature_sensor": ROOM_ENTITY}
    done = await ha.request("POST", f"{flow_path}/{form['flow_id']}", values)
    if done.get("type") != "create_entry":
        raise DemoError(f"the heater's options were refused: {done.get('errors')}")
    await ha.request(
        "POST",
        "/api/services/climate/set_temperature",
        {"entity_id": climate, "temperature": TARGET},
    )
    await ha.request(
        "POST", "/api/services/climate/set_hvac_mode", {"entity_id": climate, "hvac_mode": "heat"}
    )


async def write_room(ha: HomeAssistantClient, room: Room) -> None:
    state = {"state": f"{room.temperature:.1f}", "attributes": ROOM_ATTRIBUTES}
    # 201 the first time (the state is new), 200 afterwards.
    await ha.request("POST", f"/api/states/{ROOM_ENTITY}", state, ok=(200, 201))


async def run_room(
    ha: HomeAssistantClient,
    room: Room,
    watts: Callable[[], float],
    relogin: Callable[[], Awaitable[None]],
) -> None:
    """Advance the room and write it, forever; log in again when the token expires."""
    while True:
        room.advance(ROOM_TICK, watts())
        try:
            await write_room(ha, room)
        except DemoError:
            await relogin()  # an access token lasts 30 minutes
            await write_room(ha, room)
        await asyncio.sleep(ROOM_TICK)


async def ensure_heater(ha: HomeAssistantClient, address: str, room: Room) -> str:
    """The room sensor written, the heater set up once; what was done, to say."""
    await write_room(ha, room)
    devices = await ha.ws({"type": "config/device_registry/list"})
    entities = await ha.ws({"type": "config/entity_registry/list"})
    miner = next((m for m in find_miners(devices, entities) if m.address == address), None)
    climate = None if miner is None else heater_climate(entities, miner.prefix)
    if climate is None:
        raise DemoError(f"the heater {address} has no thermostat")
    state = await ha.request("GET", f"/api/states/{climate}")
    if state["state"] in ("heat", "off"):
        return f"{climate} heats {ROOM_ENTITY} (set up before)"
    entry_id = next(e["config_entry_id"] for e in entities if e["entity_id"] == climate)
    await set_up_heater(ha, entry_id, climate)
    return f"{climate} heats {ROOM_ENTITY} to {TARGET:g} °C"
