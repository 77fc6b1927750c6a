"""The demo's pure helpers (demo/): nothing here starts Home Assistant or a fleet."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from homeassistant import bootstrap
from homeassistant.components import onboarding
from homeassistant.components.http.config import (
    HTTP_STORAGE_SCHEMA,
    STORAGE_KEY,
    STORAGE_MINOR_VERSION,
    STORAGE_VERSION,
)

from demo.dashboard import (
    DASHBOARD_PATH,
    EXAMPLE_PREFIX,
    build_dashboard,
    entity_prefix,
    load_template,
)
from demo.extras import automations, energy_sensors, prepare_config
from demo.fleet import load_fleet, plan_fleet, scan_subnet
from demo.flow import login_for
from demo.run import FLEET_FILE, http_store, listening_addresses

REPO = Path(__file__).resolve().parent.parent
COMPONENTS = Path(bootstrap.__file__).parent / "components"
# What demo/run.py's configuration.yaml sets up besides the always-loaded integrations.
DEMO_CONFIGURED = {"history", "logbook", "logger", "energy", "automation", "input_number"}


def test_demo_fleet_plan() -> None:
    _data, plan = load_fleet(FLEET_FILE)
    assert plan.subnet == "127.0.1.0/24"
    assert plan.size == 30  # the Proto is scanned, never added
    assert "127.0.1.50" not in plan.hosts
    assert plan.passwords == {"127.0.1.14": "changed"}
    families = {entry["family"] for entry in _data["miner"] if entry.get("supported", True)}
    assert families == {
        "antminer", "braiins", "whatsminer", "luxos", "vnish", "epic", "avalon", "bitaxe",
        "hiveon", "mskminer", "hammer", "sealminer",
        "elphapex", "auradine", "innosilicon", "goldshell", "iceriver",
        "marafw",
    }  # fmt: skip
    assert set(plan.automations.values()) == {"price", "solar"}


def test_plan_expands_counts_and_widens_the_subnet() -> None:
    plan = plan_fleet(
        {
            "miner": [
                {"host": "127.0.1.250", "count": 3},
                {"host": "127.0.3.1", "password": "x"},
            ]
        }
    )
    assert plan.hosts == ("127.0.1.250", "127.0.1.251", "127.0.1.252", "127.0.3.1")
    assert plan.passwords == {"127.0.3.1": "x"}
    assert plan.subnet == "127.0.0.0/22"
    assert scan_subnet(["10.0.0.5"]) == "10.0.0.0/24"
    with pytest.raises(ValueError, match="no"):
        plan_fleet({})
    unsupported = plan_fleet(
        {"miner": [{"host": "127.0.1.5"}, {"host": "127.0.4.1", "supported": False}]}
    )
    assert unsupported.hosts == ("127.0.1.5",)
    assert unsupported.subnet == "127.0.0.0/21"  # the scan still covers it


def test_login_for_the_hosts_a_scan_login_names() -> None:
    passwords = {"127.0.1.14": "changed", "127.0.1.15": "changed"}
    assert login_for({"hosts": "127.0.1.14, 127.0.1.15"}, passwords) == {
        "username": "root",
        "password": "changed",
    }
    with pytest.raises(Exception, match="no single password"):
        login_for({"hosts": "127.0.1.99"}, passwords)


def test_http_store_is_what_home_assistant_would_write() -> None:
    """The hand-written store equals Home Assistant's own defaults, bound to one address."""
    store = http_store("127.0.0.1", 8123)
    assert (store["version"], store["minor_version"], store["key"]) == (
        STORAGE_VERSION,
        STORAGE_MINOR_VERSION,
        STORAGE_KEY,
    )
    stable = dict(store["data"]["stable"])
    for meta in ("created_at", "error", "error_message"):
        stable.pop(meta)
    assert stable == HTTP_STORAGE_SCHEMA({"server_host": ["127.0.0.1"], "server_port": 8123})
    assert store["data"]["pending"] is None
    assert store["data"]["yaml_migration_done"] is True
    json.dumps(store)


def test_listening_addresses() -> None:
    tcp = (
        "  sl  local_address rem_address   st\n"
        "   0: 0100007F:1FBB 00000000:0000 0A 0 0\n"  # 127.0.0.1:8123 LISTEN
        "   1: 00000000:1FBB 00000000:0000 0A 0 0\n"  # 0.0.0.0:8123 LISTEN
        "   2: 0100007F:1FBB 0100007F:9C40 01 0 0\n"  # an established connection
        "   3: 0100007F:0050 00000000:0000 0A 0 0\n"  # another port
    )
    assert listening_addresses(tcp, 8123) == {"127.0.0.1", "0.0.0.0"}
    tcp6 = (
        "  sl  local_address                         remote_address st\n"
        "   0: 00000000000000000000000000000000:1FBB 00000000000000000000000000000000:0000 0A\n"
        "   1: 00000000000000000000000001000000:1FBB 00000000000000000000000000000000:0000 0A\n"
    )
    assert listening_addresses(tcp6, 8123) == {"::", "::1"}


def _registry(prefix: str, device_id: str, model: str, host: str, keys: list[str]) -> Any:
    device = {
        "id": device_id,
        "identifiers": [["asic_miner", device_id]],
        "name": prefix.replace("_", "-"),
        "model": model,
        "configuration_url": f"http://{host}",
    }
    entities = [
        {"platform": "asic_miner", "device_id": device_id, "entity_id": k.format(prefix)}
        for k in keys
    ]
    entities.append(
        {
            "platform": "asic_miner",
            "device_id": device_id,
            "entity_id": f"sensor.{prefix}_board_1_chips",
            "disabled_by": "integration",
        }
    )
    return device, entities


def test_dashboard_fills_the_template_per_miner() -> None:
    braiins, braiins_entities = _registry(
        EXAMPLE_PREFIX.replace("20", "21"),
        "d2",
        "S19j Pro",
        "127.0.1.21",
        [
            "sensor.{}_hashrate",
            "sensor.{}_power",
            "number.{}_power_limit",
            "switch.{}_mining",
            "sensor.{}_fan_1_speed",
        ],
    )
    antminer, antminer_entities = _registry(
        "antminer_127_0_1_9",
        "d1",
        "S9",
        "127.0.1.9",
        ["sensor.{}_hashrate", "switch.{}_fault_light", "sensor.{}_chip_temperature"],
    )
    other = {"id": "x", "identifiers": [["hue", "x"]], "name": "lamp"}
    config = build_dashboard(
        [braiins, antminer, other],
        [*braiins_entities, *antminer_entities, {"platform": "hue", "device_id": "x"}],
    )
    fleet, first, second = config["views"]
    assert [v["title"] for v in config["views"]] == [
        "Fleet",
        "S9 · 127.0.1.9",
        "S19j Pro · 127.0.1.21",
    ]
    # The fleet view: one graph per figure someone has, then a card per miner.
    graphs = [c for c in fleet["cards"] if c["type"] == "history-graph"]
    assert [g["title"] for g in graphs] == ["Hashrate", "Power"]
    assert [e["entity"] for e in graphs[1]["entities"]] == ["sensor.braiins_127_0_1_21_power"]
    # A miner's view: only its own entities, never a disabled one, cards left empty dropped.
    used = json.dumps(first)
    assert "braiins" not in used
    assert "board_1_chips" not in used
    assert set(re.findall(r"\w+\.antminer_127_0_1_9_\w+", used)) == {
        "sensor.antminer_127_0_1_9_hashrate",
        "switch.antminer_127_0_1_9_fault_light",
        "sensor.antminer_127_0_1_9_chip_temperature",
    }
    assert not any(c["title"] == "Power" for c in first["cards"] if "title" in c)
    assert any(c.get("title") == "Power" for c in second["cards"])
    assert first["path"] == "antminer-127-0-1-9"
    assert all(c.get("hours_to_show", 0.1) == 0.1 for c in second["cards"])


def test_dashboard_template_names_only_the_example_miner() -> None:
    template = load_template()
    text = (REPO / "demo" / "dashboard.yaml").read_text()
    entity_ids = set(re.findall(r"\b[a-z_]+\.[a-z0-9_]+_[a-z0-9_]+\b", text))
    entity_ids = {e for e in entity_ids if not e.startswith(("sensor.garage", "demo."))}
    assert entity_ids
    assert all(f".{EXAMPLE_PREFIX}_" in e for e in entity_ids), entity_ids
    assert {card["type"] for card in template["views"][0]["cards"]} <= {
        "entities",
        "gauge",
        "history-graph",
        "tile",
    }
    assert "-" in DASHBOARD_PATH  # Home Assistant wants a hyphen in a dashboard's URL


def test_entity_prefix() -> None:
    assert entity_prefix(["sensor.s19_hashrate", "switch.s19_mining"]) == "s19"
    assert entity_prefix(["sensor.a_b_hashrate", "sensor.a_b_hashrate_2"]) == "a_b"


def _loaded_requirements() -> set[str]:
    """Requirements of what the demo's Home Assistant loads, after dependencies."""
    todo = [
        *bootstrap.CORE_INTEGRATIONS,
        *bootstrap.DEFAULT_INTEGRATIONS,
        "logger",
        "network",
        "system_log",
        "recorder",
        "zeroconf",
        *DEMO_CONFIGURED,
    ]
    seen: set[str] = set()
    requirements: set[str] = set()
    while todo:
        domain = todo.pop()
        manifest_path = COMPONENTS / domain / "manifest.json"
        if domain in seen or not manifest_path.exists():
            continue
        seen.add(domain)
        manifest = json.loads(manifest_path.read_text())
        requirements.update(manifest.get("requirements", []))
        todo += manifest.get("dependencies", []) + manifest.get("after_dependencies", [])
    return requirements


def test_requirements_demo_covers_what_home_assistant_loads() -> None:
    listed = {
        line.split("#")[0].strip().lower()
        for line in (REPO / "requirements_demo.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    }
    wanted = {r.lower() for r in _loaded_requirements()}
    assert wanted - listed == set()
    assert "homeassistant==2026.10.4" in listed


def test_demo_config_skips_onboarding_but_the_user_and_has_the_blueprints(tmp_path: Path) -> None:
    prepare_config(tmp_path)
    store = json.loads((tmp_path / ".storage" / "onboarding").read_text())
    assert store["version"] == onboarding.STORAGE_VERSION
    assert set(store["data"]["done"]) == set(onboarding.const.STEPS) - {"user"}
    copied = sorted(p.name for p in (tmp_path / "blueprints/automation/asic_miner").iterdir())
    assert copied == sorted(p.name for p in (REPO / "blueprints/automation/asic_miner").iterdir())
    assert yaml.safe_load((tmp_path / "automations.yaml").read_text()) == []


def test_demo_automations_use_each_blueprint_with_the_helpers() -> None:
    made = automations({"price": ["d1", "d2"], "solar": ["d3"]})
    by_path = {a["use_blueprint"]["path"]: a["use_blueprint"]["input"] for a in made}
    assert by_path["asic_miner/price_throttle.yaml"]["miners"] == ["d1", "d2"]
    assert by_path["asic_miner/price_throttle.yaml"]["price_entity"].startswith("input_number.")
    assert by_path["asic_miner/solar_surplus.yaml"]["miners"] == ["d3"]
    assert by_path["asic_miner/solar_surplus.yaml"]["grid_entity"].startswith("input_number.")
    for blueprint, given in by_path.items():
        inputs = _blueprint_inputs(REPO / "blueprints/automation" / blueprint)
        assert set(given) <= set(inputs), blueprint
    assert automations({}) == []


def _blueprint_inputs(path: Path) -> dict[str, Any]:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!input", lambda loader, node: node.value)
    data = yaml.load(path.read_text(), Loader=Loader)
    found: dict[str, Any] = {}
    for name, value in data["blueprint"]["input"].items():
        found.update(value.get("input", {name: value}))
    return found


def test_energy_sensors_are_the_integrations_enabled_energy_entities() -> None:
    entities = [
        {"entity_id": "sensor.b_energy", "platform": "asic_miner"},
        {"entity_id": "sensor.a_energy", "platform": "asic_miner"},
        {"entity_id": "sensor.c_energy", "platform": "asic_miner", "disabled_by": "user"},
        {"entity_id": "sensor.a_power", "platform": "asic_miner"},
        {"entity_id": "sensor.x_energy", "platform": "other"},
    ]
    assert energy_sensors(entities) == ["sensor.a_energy", "sensor.b_energy"]
