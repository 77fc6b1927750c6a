"""The demo's dashboard: a fleet view, then one view per miner from dashboard.yaml.

``demo/dashboard.yaml`` is the example users copy: one miner's view with built-in cards
only. The demo fills it in for every simulated miner by swapping the example miner's
entity ID prefix for each miner's, leaving out what that miner does not have (a stock
Antminer reports no power and has no power limit).
"""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

DOMAIN = "asic_miner"
DASHBOARD_PATH = "asic-miners"
TEMPLATE = Path(__file__).with_name("dashboard.yaml")
# The miner whose entity IDs dashboard.yaml names: the demo fleet's Braiins OS S19.
EXAMPLE_PREFIX = "braiins_127_0_1_20"
# A demo runs for minutes, not days: its graphs show the last few minutes.
DEMO_HOURS_TO_SHOW = 0.1
# The fleet view: per miner, these entities when it has them (entity ID, row name).
FLEET_ROWS = (
    ("sensor.{}_hashrate", "Hashrate"),
    ("sensor.{}_power", "Power"),
    ("sensor.{}_chip_temperature", "Chip temperature"),
    ("binary_sensor.{}_problem", "Problem"),
    ("switch.{}_mining", "Mining"),
)


@dataclass(frozen=True, slots=True)
class MinerEntities:
    """One miner device as the dashboard needs it."""

    title: str  # "S19 Pro · 127.0.1.10"
    prefix: str  # its entity IDs' device part: "antminer_127_0_1_10"
    entity_ids: frozenset[str]  # enabled ones only
    address: str


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return data


def find_miners(
    devices: Iterable[Mapping[str, Any]], entities: Iterable[Mapping[str, Any]]
) -> list[MinerEntities]:
    """Every miner device with enabled entities, ordered by address."""
    by_device: dict[str, set[str]] = {}
    for entity in entities:
        if entity.get("platform") == DOMAIN and not entity.get("disabled_by"):
            by_device.setdefault(entity["device_id"], set()).add(entity["entity_id"])
    found = []
    for device in devices:
        ids = by_device.get(device["id"])
        idents = [tuple(ident) for ident in device.get("identifiers", [])]
        if not ids or not any(i[0] == DOMAIN for i in idents) or (DOMAIN, "farm") in idents:
            continue  # not ours, or the farm device (not a miner)
        address = urlsplit(device.get("configuration_url") or "").hostname or ""
        name = device.get("name_by_user") or device.get("name") or ""
        title = " · ".join(filter(None, (device.get("model"), address or name)))
        found.append(MinerEntities(title, entity_prefix(ids), frozenset(ids), address))
    return sorted(found, key=_order)


def _order(miner: MinerEntities) -> tuple[int, int, str]:
    try:
        return (0, int(ipaddress.ip_address(miner.address)), miner.title)
    except ValueError:
        return (1, 0, miner.title)


def entity_prefix(entity_ids: Iterable[str]) -> str:
    """The device part of a miner's entity IDs: ``sensor.s19_hashrate`` -> ``s19``."""
    object_ids = [eid.split(".", 1)[1] for eid in entity_ids]
    common = object_ids[0]
    for oid in object_ids[1:]:
        while not oid.startswith(common):
            common = common[:-1]
    return common[: common.rfind("_")] if "_" in common else common


def fill_view(
    view: Mapping[str, Any], miner: MinerEntities, hours_to_show: float | None = None
) -> dict[str, Any]:
    """The template view for one miner: its entity IDs, without what it lacks."""
    cards = []
    for card in view.get("cards", []):
        if (filled := _fill_card(card, miner, hours_to_show)) is not None:
            cards.append(filled)
    path = miner.prefix.replace("_", "-")
    return {**copy.deepcopy(dict(view)), "title": miner.title, "path": path, "cards": cards}


def _swap(entity_id: str, prefix: str) -> str:
    return entity_id.replace(f".{EXAMPLE_PREFIX}_", f".{prefix}_", 1)


def _fill_card(
    card: Mapping[str, Any], miner: MinerEntities, hours_to_show: float | None
) -> dict[str, Any] | None:
    filled = copy.deepcopy(dict(card))
    if "cards" in filled:  # stacks and grids
        inner = (_fill_card(c, miner, hours_to_show) for c in filled["cards"])
        filled["cards"] = [c for c in inner if c is not None]
        return filled if filled["cards"] else None
    if "entity" in filled:
        filled["entity"] = _swap(filled["entity"], miner.prefix)
        if filled["entity"] not in miner.entity_ids:
            return None
    if "entities" in filled:
        rows = []
        for original in filled["entities"]:
            row = {"entity": original} if isinstance(original, str) else dict(original)
            if "entity" in row:
                row["entity"] = _swap(row["entity"], miner.prefix)
                if row["entity"] not in miner.entity_ids:
                    continue
            rows.append(row)
        if not any("entity" in row for row in rows):
            return None
        filled["entities"] = rows
    if hours_to_show is not None and "hours_to_show" in filled:
        filled["hours_to_show"] = hours_to_show
    return filled


def fleet_view(found: list[MinerEntities], hours_to_show: float) -> dict[str, Any]:
    """Every miner at a glance: hashrate and power over time, then a card per miner."""
    cards: list[dict[str, Any]] = []
    for kind in ("hashrate", "power"):
        lines = [
            {"entity": f"sensor.{m.prefix}_{kind}", "name": m.title}
            for m in found
            if f"sensor.{m.prefix}_{kind}" in m.entity_ids
        ]
        if lines:
            cards.append(
                {
                    "type": "history-graph",
                    "title": kind.capitalize(),
                    "hours_to_show": hours_to_show,
                    "entities": lines,
                }
            )
    for miner in found:
        rows = [
            {"entity": entity_id, "name": name}
            for pattern, name in FLEET_ROWS
            if (entity_id := pattern.format(miner.prefix)) in miner.entity_ids
        ]
        cards.append(
            {
                "type": "entities",
                "title": miner.title,
                "entities": rows,
                "state_color": True,
                "show_header_toggle": False,
            }
        )
    return {"title": "Fleet", "path": "fleet", "icon": "mdi:server", "cards": cards}


def heating_view(
    miner: MinerEntities, climate: str, room: str, hours_to_show: float
) -> dict[str, Any]:
    """The heater's thermostat, the room it heats and what it draws for it."""
    cards: list[dict[str, Any]] = [
        {"type": "thermostat", "entity": climate, "name": f"Room heater ({miner.title})"},
        {
            "type": "history-graph",
            "title": "Room temperature",
            "hours_to_show": hours_to_show,
            "entities": [{"entity": room, "name": "Room"}],
        },
    ]
    if (power := f"sensor.{miner.prefix}_power") in miner.entity_ids:
        cards.append(
            {
                "type": "history-graph",
                "title": "Heater power",
                "hours_to_show": hours_to_show,
                "entities": [{"entity": power, "name": "Power"}],
            }
        )
    return {"title": "Heating", "path": "heating", "icon": "mdi:radiator", "cards": cards}


def build_dashboard(
    devices: Iterable[Mapping[str, Any]],
    entities: Iterable[Mapping[str, Any]],
    template: Mapping[str, Any] | None = None,
    hours_to_show: float = DEMO_HOURS_TO_SHOW,
    heater: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The Miners dashboard's config for ``lovelace/config/save``.

    ``heater`` is (the heater miner's address, its room sensor): a Heating view follows
    the fleet view.
    """
    template = template if template is not None else load_template()
    view = template["views"][0]
    entities = list(entities)
    found = find_miners(devices, entities)
    views = [fleet_view(found, hours_to_show)]
    if heater is not None:
        address, room = heater
        for miner in found:
            climate = next((e for e in sorted(miner.entity_ids) if e.startswith("climate.")), None)
            if miner.address == address and climate is not None:
                views.append(heating_view(miner, climate, room, hours_to_show))
    views += [fill_view(view, miner, hours_to_show) for miner in found]
    return {"title": "Miners", "views": views}
