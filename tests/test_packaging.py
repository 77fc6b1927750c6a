"""Offline checks of what hassfest and the HACS action check on GitHub."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml
from awesomeversion import AwesomeVersion

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "asic_miner"

RULES = {
    "bronze": [
        "action-setup", "appropriate-polling", "brands", "common-modules", "config-flow",
        "config-flow-test-coverage", "dependency-transparency", "docs-actions",
        "docs-conditions", "docs-high-level-description", "docs-installation-instructions",
        "docs-removal-instructions", "docs-triggers", "entity-event-setup", "entity-unique-id",
        "has-entity-name", "runtime-data", "test-before-configure", "test-before-setup",
        "unique-config-entry",
    ],
    "silver": [
        "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
        "docs-installation-parameters", "entity-unavailable", "integration-owner",
        "log-when-unavailable", "parallel-updates", "reauthentication-flow", "test-coverage",
    ],
    "gold": [
        "devices", "diagnostics", "discovery", "discovery-update-info", "docs-data-update",
        "docs-examples", "docs-known-limitations", "docs-supported-devices",
        "docs-supported-functions", "docs-troubleshooting", "docs-use-cases",
        "dynamic-devices", "entity-category", "entity-device-class",
        "entity-disabled-by-default", "entity-translations", "exception-translations",
        "icon-translations", "reconfiguration-flow", "repair-issues", "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}  # fmt: skip
TIERS = list(RULES)
HACS_KEYS = {
    "name", "content_in_root", "zip_release", "filename", "hide_default_branch", "country",
    "homeassistant", "hacs", "persistent_directory", "render_readme",
}  # fmt: skip
MANIFEST_KEYS = {
    "domain", "name", "codeowners", "config_flow", "single_config_entry", "requirements",
    "dependencies", "after_dependencies", "loggers", "quality_scale", "import_executor",
    "disabled", "preview_features", "documentation", "issue_tracker", "version",
    "iot_class", "integration_type", "zeroconf", "dhcp", "ssdp", "usb", "bluetooth",
    "homekit", "mqtt",
}  # fmt: skip


def _manifest() -> dict[str, object]:
    return json.loads((INTEGRATION / "manifest.json").read_text())


def test_quality_scale_lists_every_rule_honestly() -> None:
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    every = {rule for tier in RULES.values() for rule in tier}
    assert len(every) == 54
    assert set(rules) == every
    for rule, value in rules.items():
        status = value["status"] if isinstance(value, dict) else value
        assert status in {"done", "todo", "exempt"}, rule
        if status == "exempt":
            assert isinstance(value, dict), f"{rule}: exempt needs a comment"
            assert value.get("comment"), f"{rule}: exempt needs a comment"
    claimed = _manifest().get("quality_scale")
    if claimed in TIERS:
        for tier in TIERS[: TIERS.index(str(claimed)) + 1]:
            for rule in RULES[tier]:
                value = rules[rule]
                status = value["status"] if isinstance(value, dict) else value
                assert status in {"done", "exempt"}, f"claimed {claimed} but {rule} is {status}"


def test_manifest_matches_hassfest_rules() -> None:
    manifest = _manifest()
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:]), "manifest keys must be domain, name, then sorted"
    assert set(keys) <= MANIFEST_KEYS
    assert manifest["domain"] == INTEGRATION.name
    assert str(manifest["documentation"]).startswith("https://")
    assert str(manifest["issue_tracker"]).startswith("https://")
    assert manifest["iot_class"] == "local_polling"
    assert manifest["integration_type"] == "device"
    assert manifest["requirements"] == []  # aiohttp and cryptography ship with HA
    codeowners = manifest["codeowners"]
    assert isinstance(codeowners, list)
    assert codeowners
    assert all(str(o).startswith("@") for o in codeowners)
    assert AwesomeVersion(str(manifest["version"])).valid


def test_hacs_json() -> None:
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert set(hacs) <= HACS_KEYS
    assert hacs["name"]
    assert AwesomeVersion(hacs["homeassistant"]) <= AwesomeVersion("2026.10.4")


def _keys(data: object, prefix: str = "") -> set[str]:
    if not isinstance(data, dict):
        return {prefix}
    out: set[str] = set()
    for key, value in data.items():
        out |= _keys(value, f"{prefix}.{key}" if prefix else key)
    return out


def test_translations_match_strings() -> None:
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    english = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    assert english == strings, "translations/en.json must be a copy of strings.json"
    for path in (INTEGRATION / "translations").glob("*.json"):
        other = json.loads(path.read_text())
        assert _keys(other) == _keys(strings), f"{path.name} keys differ from strings.json"


def test_icons_use_known_translation_keys() -> None:
    icons = json.loads((INTEGRATION / "icons.json").read_text())
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    for platform, entities in icons["entity"].items():
        for key in entities:
            assert key in strings["entity"].get(platform, {}), f"{platform}.{key}"


def test_brand_images() -> None:
    from PIL import Image

    brand = INTEGRATION / "brand"
    for prefix in ("", "dark_"):
        for name, size in ((f"{prefix}icon.png", 256), (f"{prefix}icon@2x.png", 512)):
            with Image.open(brand / name) as image:
                assert image.format == "PNG"
                assert image.size == (size, size), name
        for name, shortest in (
            (f"{prefix}logo.png", (128, 256)),
            (f"{prefix}logo@2x.png", (256, 512)),
        ):
            with Image.open(brand / name) as image:
                assert shortest[0] <= min(image.size) <= shortest[1], name
                assert image.width >= image.height, "logos are landscape"


def _repository() -> tuple[str, str]:
    """Owner and name of the repository the manifest names (its documentation URL)."""
    url = str(_manifest()["documentation"])
    owner, name = url.removeprefix("https://github.com/").split("/")[:2]
    return owner, name


def test_readme_my_links_point_at_the_manifests_repository() -> None:
    """The HACS, add-integration and blueprint-import buttons open this repository."""
    readme = (ROOT / "README.md").read_text()
    owner, name = _repository()
    assert str(_manifest()["issue_tracker"]) == f"https://github.com/{owner}/{name}/issues"
    links = re.findall(r"\]\((https://my\.home-assistant\.io/redirect/[^)]+)\)", readme)
    kinds = {urlsplit(link).path.strip("/").split("/")[-1] for link in links}
    assert {"hacs_repository", "config_flow_start", "blueprint_import"} <= kinds
    blueprints = sorted((ROOT / "blueprints" / "automation" / "asic_miner").glob("*.yaml"))
    imported: set[str] = set()
    for link in links:
        kind = urlsplit(link).path.strip("/").split("/")[-1]
        query = parse_qs(urlsplit(link).query)
        if kind == "hacs_repository":
            assert query == {"owner": [owner], "repository": [name], "category": ["integration"]}
        elif kind == "config_flow_start":
            assert query == {"domain": [_manifest()["domain"]]}
        elif kind == "blueprint_import":
            raw = f"https://raw.githubusercontent.com/{owner}/{name}/main/"
            (url,) = query["blueprint_url"]
            assert url.startswith(raw), url
            assert (ROOT / url.removeprefix(raw)).is_file(), url
            imported.add(url.removeprefix(raw))
    assert imported == {str(path.relative_to(ROOT)) for path in blueprints}


def test_bug_report_template_asks_for_firmware_model_and_the_read_output() -> None:
    template = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "bug_report.yml").read_text())
    fields = {item["id"]: item for item in template["body"] if "id" in item}
    for required in ("model", "firmware", "read"):
        assert fields[required]["validations"]["required"] is True
    assert "asic-miner read" in fields["read"]["attributes"]["description"]
    assert "diagnostics" in fields
