"""The demo's heater: the room model, the fleet file's heater, its dashboard view and
the options it sets (demo/heater.py, demo/dashboard.py)."""

from __future__ import annotations

from typing import Any

import pytest

from demo.dashboard import build_dashboard
from demo.fleet import load_fleet, plan_fleet
from demo.heater import ROOM_ENTITY, Room, form_values, heater_climate
from demo.run import FLEET_FILE


def test_demo_fleet_has_one_heater() -> None:
    _data, plan = load_fleet(FLEET_FILE)
    assert plan.heater == "127.0.1.43"  # the Avalon Nano 3S, a home heater
    assert plan_fleet({"miner": [{"host": "127.0.1.1"}]}).heater is None


def test_room_warms_towards_its_settling_point_and_cools_without_heat() -> None:
    room = Room()
    for _ in range(360):  # an hour with the heater at 140 W
        room.advance(10, 140)
    settle = room.outside + 140 / room.ua
    assert 21.0 < room.temperature < settle
    warm = room.temperature
    room.advance(600, 0)
    assert room.outside < room.temperature < warm
    assert room.temperature == pytest.approx(
        room.outside + (warm - room.outside) * 2.718281828 ** (-600 / room.tau), rel=1e-6
    )


def _heater_registry() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    prefix = "avalon_127_0_1_43"
    devices = [
        {
            "id": "d1",
            "identifiers": [["asic_miner", "d1"]],
            "name": "avalon-127-0-1-43",
            "model": "Nano 3S",
            "configuration_url": "http://127.0.1.43",
        }
    ]
    entities = [
        {"platform": "asic_miner", "device_id": "d1", "entity_id": f"{kind}.{prefix}_{key}"}
        for kind, key in (("sensor", "hashrate"), ("sensor", "power"), ("climate", "heating"))
    ]
    return devices, entities


def test_heating_view_shows_the_thermostat() -> None:
    devices, entities = _heater_registry()
    config = build_dashboard(devices, entities, heater=("127.0.1.43", ROOM_ENTITY))
    titles = [view["title"] for view in config["views"]]
    assert titles[:2] == ["Fleet", "Heating"]
    cards = config["views"][1]["cards"]
    assert cards[0] == {
        "type": "thermostat",
        "entity": "climate.avalon_127_0_1_43_heating",
        "name": "Room heater (Nano 3S · 127.0.1.43)",
    }
    graphed = [card["entities"][0]["entity"] for card in cards[1:]]
    assert graphed == [ROOM_ENTITY, "sensor.avalon_127_0_1_43_power"]
    # No heater, or one without a thermostat: no Heating view.
    assert "Heating" not in [v["title"] for v in build_dashboard(devices, entities)["views"]]
    without = [e for e in entities if not e["entity_id"].startswith("climate.")]
    config = build_dashboard(devices, without, heater=("127.0.1.43", ROOM_ENTITY))
    assert "Heating" not in [v["title"] for v in config["views"]]


def test_heater_climate_and_form_values() -> None:
    _devices, entities = _heater_registry()
    assert heater_climate(entities, "avalon_127_0_1_43") == "climate.avalon_127_0_1_43_heating"
    assert heater_climate(entities, "braiins_127_0_1_20") is None
    form = {
        "data_schema": [
            {"name": "temperature_sensor", "selector": {}},
            {"name": "deadband", "description": {"suggested_value": 0.5}},
            {"name": "min_on_minutes", "description": {"suggested_value": 15}},
        ]
    }
    assert form_values(form) == {"deadband": 0.5, "min_on_minutes": 15}
