"""What the demo sets up around the miners: Energy dashboard, blueprints, helpers, automations.

A new user should see every part of the integration without typing anything: the
miners' Energy sensors in the Energy dashboard, both blueprints in the blueprint folder
(importing them by URL needs the internet, which the demo never has), and one
automation made from each, driven by two helpers the user can move: a demo electricity
price and a demo grid power. Which miners each automation drives comes from the fleet
file's ``automation = "price"`` / ``"solar"``.

Onboarding is cut to its user step: the other steps are marked done in Home Assistant's
onboarding store before the first start, so the integrations onboarding would set up
for a new home (met, radio_browser, google_translate, shopping_list: their packages are
not installed, and each logs an ERROR when it fails to load) are never started. The
home's settings come from configuration.yaml instead.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from .client import DemoError, HomeAssistantClient
from .dashboard import find_miners

REPO = Path(__file__).resolve().parent.parent
BLUEPRINTS = REPO / "blueprints" / "automation" / "asic_miner"
BLUEPRINT_FOLDER = Path("blueprints") / "automation" / "asic_miner"
AUTOMATIONS_FILE = "automations.yaml"
PRICE_ENTITY = "input_number.demo_electricity_price"
GRID_ENTITY = "input_number.demo_grid_power"
# Home Assistant 2026.10's onboarding store version (components/onboarding).
ONBOARDING_VERSION = 4
ONBOARDING_SKIPPED = ["core_config", "analytics", "integration"]

# Appended to the demo's configuration.yaml.
CONFIGURATION_EXTRAS = f"""\
energy:
automation: !include {AUTOMATIONS_FILE}
# The helpers the demo's automations follow: move them and watch the miners.
input_number:
  demo_electricity_price:
    name: Demo electricity price
    min: 0
    max: 0.6
    step: 0.01
    initial: 0.22
    unit_of_measurement: EUR/kWh
    icon: mdi:cash
  demo_grid_power:
    name: Demo grid power (negative is export)
    min: -8000
    max: 3000
    step: 100
    initial: -4000
    unit_of_measurement: W
    icon: mdi:transmission-tower
"""


def onboarding_store() -> dict[str, Any]:
    """Home Assistant's onboarding store with every step but creating the user done."""
    return {
        "version": ONBOARDING_VERSION,
        "minor_version": 1,
        "key": "onboarding",
        "data": {"done": list(ONBOARDING_SKIPPED)},
    }


def prepare_config(config: Path) -> None:
    """Before Home Assistant starts: onboarding store (first start only), blueprints, file."""
    store = config / ".storage" / "onboarding"
    if not store.exists():
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps(onboarding_store(), indent=2))
        store.chmod(0o600)
    target = config / BLUEPRINT_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    for blueprint in sorted(BLUEPRINTS.glob("*.yaml")):
        shutil.copyfile(blueprint, target / blueprint.name)
    automations = config / AUTOMATIONS_FILE
    if not automations.exists():
        automations.write_text("[]\n")


def automations(devices_by_role: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """One automation from each blueprint, for the miners the fleet file gives it."""
    made: list[dict[str, Any]] = []
    if devices := devices_by_role.get("price"):
        made.append(
            {
                "id": "demo_price_throttle",
                "alias": "Demo: miners follow the electricity price",
                "description": "Move the Demo electricity price helper to see it act.",
                "use_blueprint": {
                    "path": "asic_miner/price_throttle.yaml",
                    "input": {
                        "price_entity": PRICE_ENTITY,
                        "low_price": 0.15,
                        "high_price": 0.35,
                        "miners": devices,
                    },
                },
            }
        )
    if devices := devices_by_role.get("solar"):
        made.append(
            {
                "id": "demo_solar_surplus",
                "alias": "Demo: miners run on solar surplus",
                "description": "Move the Demo grid power helper (negative is export).",
                "use_blueprint": {
                    "path": "asic_miner/solar_surplus.yaml",
                    "input": {
                        "grid_entity": GRID_ENTITY,
                        "positive_is_import": True,
                        "miners": devices,
                    },
                },
            }
        )
    return made


def devices_by_role(
    devices: Iterable[Mapping[str, Any]],
    entities: Iterable[Mapping[str, Any]],
    roles: Mapping[str, str],
) -> dict[str, list[str]]:
    """Device IDs per automation ("price", "solar"), from the fleet file's host -> role."""
    entity_list = list(entities)
    owner = {e["entity_id"]: e["device_id"] for e in entity_list if e.get("device_id")}
    found: dict[str, list[str]] = {}
    for miner in find_miners(devices, entity_list):
        role = roles.get(miner.address)
        if role is None:
            continue
        device_id = next(owner[e] for e in sorted(miner.entity_ids) if e in owner)
        found.setdefault(role, []).append(device_id)
    return found


def energy_sensors(entities: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every enabled Energy sensor of the integration, in entity ID order."""
    return sorted(
        e["entity_id"]
        for e in entities
        if e.get("platform") == "asic_miner"
        and not e.get("disabled_by")
        and e["entity_id"].startswith("sensor.")
        and e["entity_id"].endswith("_energy")
        and e.get("unique_id") != "farm_energy"  # the farm's total would count them twice
    )


async def ensure_energy(ha: HomeAssistantClient) -> int:
    """The miners' Energy sensors as the Energy dashboard's devices (once); how many."""
    try:
        prefs = await ha.ws({"type": "energy/get_prefs"})
    except DemoError:  # "No prefs": the Energy dashboard was never set up
        prefs = None
    if prefs and prefs.get("device_consumption"):
        return len(prefs["device_consumption"])
    entities = await ha.ws({"type": "config/entity_registry/list"})
    sensors = energy_sensors(entities)
    await ha.ws(
        {
            "type": "energy/save_prefs",
            "device_consumption": [{"stat_consumption": s} for s in sensors],
        }
    )
    return len(sensors)


async def ensure_automations(
    ha: HomeAssistantClient, config: Path, roles: Mapping[str, str]
) -> int:
    """One automation per blueprint in automations.yaml (once), then reloaded; how many."""
    path = config / AUTOMATIONS_FILE
    current = yaml.safe_load(path.read_text()) if path.exists() else None
    if current:
        return len(current)
    devices = await ha.ws({"type": "config/device_registry/list"})
    entities = await ha.ws({"type": "config/entity_registry/list"})
    made = automations(devices_by_role(devices, entities, roles))
    path.write_text(yaml.safe_dump(made, sort_keys=False, allow_unicode=True))
    await ha.request("POST", "/api/services/automation/reload", {})
    return len(made)
