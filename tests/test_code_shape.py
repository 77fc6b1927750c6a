"""The driver's shape rules (issue 11), checked on every run rather than remembered.

A newcomer reads one family package at a time; modules over 400 lines and functions
over 60 mix too much to read that way. Two exceptions stay by decision: the reply
repairer (one linear state machine) and the CLI's argument table (a flat list).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
DRIVER = ROOT / "custom_components" / "asic_miner" / "driver"
FAMILIES = DRIVER / "families"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
LONG_FUNCTIONS_KEPT = {
    ("transports/rpc_parse.py", "_repair"),
    ("cli_args.py", "build_parser"),
}
PACKAGE_FILES = {"__init__.py", "client.py", "parse.py", "backends.py"}


def _modules() -> list[Path]:
    return sorted(p for p in DRIVER.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(DRIVER)))
def test_module_size(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(DRIVER)}: {lines} lines"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(DRIVER)))
def test_function_size(path: Path) -> None:
    relative = path.relative_to(DRIVER).as_posix()
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"  # type: ignore[operator]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES  # type: ignore[operator]
        and (relative, node.name) not in LONG_FUNCTIONS_KEPT
    ]
    assert not long, f"{relative}: {', '.join(long)}"


def test_every_family_is_a_package() -> None:
    """One folder a family, with an ``__init__`` holding its ``FAMILY``."""
    modules = [p.name for p in FAMILIES.glob("*.py") if not p.name.startswith("_")]
    assert modules == [], f"family modules outside a package: {modules}"
    for package in (p for p in FAMILIES.iterdir() if p.is_dir() and p.name != "__pycache__"):
        source = (package / "__init__.py").read_text(encoding="utf-8")
        assert "FAMILY" in source, package.name
        assert (package / "parse.py").exists() or package.name.startswith("_"), package.name


def test_driver_never_imports_home_assistant() -> None:
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] == "homeassistant" for n in names), path


def test_glue_imports_only_the_public_face() -> None:
    """The Home Assistant glue uses ``driver/__init__.py`` alone, so the driver may move."""
    glue = sorted((DRIVER.parent).glob("*.py"))
    for path in glue:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                assert not node.module.startswith("driver."), f"{path.name}: {node.module}"
