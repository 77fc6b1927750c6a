"""scripts/asic-miner: the driver's command line without Home Assistant (issue 9).

Startup time is measured, not asserted (see docs/cli.md); these tests prove what makes
it fast and safe: Home Assistant is never imported, and running from inside the
integration's folder does not let its ``select.py`` shadow the standard library.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
LAUNCHER = ROOT / "scripts" / "asic-miner"
INTEGRATION = ROOT / "custom_components" / "asic_miner"

PROBE = """
import runpy, sys
sys.argv = ["asic-miner", *sys.argv[1:]]
try:
    runpy.run_path({launcher!r}, run_name="__main__")
except SystemExit as exit_:
    code = exit_.code
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("homeassistant", "custom_components"))
print("IMPORTED:", ",".join(heavy) or "-")
print("EXIT:", code)
"""


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE.format(launcher=str(LAUNCHER)), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_without_home_assistant() -> None:
    result = run("--help")
    assert "usage: asic-miner" in result.stdout
    assert "IMPORTED: -" in result.stdout
    assert "EXIT: 0" in result.stdout


def test_runs_from_inside_the_integration_folder() -> None:
    """The folder holding select.py is the working directory: nothing is shadowed."""
    result = run("read", "999.1.1.1", cwd=INTEGRATION)
    assert "HOST must be one IPv4 address or host name" in result.stderr
    assert "EXIT: 2" in result.stdout
    assert "Traceback" not in result.stderr


def test_driver_not_found(tmp_path: Path) -> None:
    copy = tmp_path / "asic-miner"
    copy.write_text(LAUNCHER.read_text())
    result = subprocess.run(
        [sys.executable, str(copy), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert "ASIC_MINER_DRIVER" in result.stderr


LOAD_BY_PATH = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location(
    "some_driver", {init!r}, submodule_search_locations=[{folder!r}]
)
module = importlib.util.module_from_spec(spec)
sys.modules["some_driver"] = module
spec.loader.exec_module(module)
missing = [name for name in module.__all__ if not hasattr(module, name)]
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("homeassistant", "custom_components"))
print("MISSING:", ",".join(missing) or "-")
print("IMPORTED:", ",".join(heavy) or "-")
print("MINER:", module.Miner.__module__)
"""


def test_public_face_loads_by_path_without_home_assistant() -> None:
    """driver/__init__.py, run as a package of another name: all it exports, no HA."""
    folder = INTEGRATION / "driver"
    code = LOAD_BY_PATH.format(init=str(folder / "__init__.py"), folder=str(folder))
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "MISSING: -" in result.stdout, result.stderr
    assert "IMPORTED: -" in result.stdout
    assert "MINER: some_driver.miner" in result.stdout


def test_glue_imports_the_driver_only_through_its_public_face() -> None:
    """The HA glue names ``.driver`` and nothing below it (the driver may move inside)."""
    for module in INTEGRATION.glob("*.py"):
        text = module.read_text()
        assert "from .driver." not in text, module.name
        assert "import driver." not in text, module.name


OLD_PYTHON = Path("/usr/bin/python3")  # Debian 12's 3.11, the system python3 here


def _old_python_or_skip() -> Path:
    if not OLD_PYTHON.is_file():
        pytest.skip("no system python3 to start the launcher with")
    check = subprocess.run(
        [str(OLD_PYTHON), "-c", "import sys; sys.exit(sys.version_info >= (3, 14))"],
        check=False,
    )
    if check.returncode != 0:
        pytest.skip("the system python3 can run the driver itself")
    return OLD_PYTHON


def _layout(tmp_path: Path, *, venv: bool) -> Path:
    """A repository-shaped folder: scripts/asic-miner, and .venv/bin/python if asked."""
    (tmp_path / "scripts").mkdir()
    copy = tmp_path / "scripts" / "asic-miner"
    copy.write_text(LAUNCHER.read_text())
    if venv:
        (tmp_path / ".venv" / "bin").mkdir(parents=True)
        python = tmp_path / ".venv" / "bin" / "python"  # this test run's environment
        python.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
        python.chmod(0o755)
    return copy


def test_an_old_python3_reruns_with_the_repository_venv(tmp_path: Path) -> None:
    """`scripts/asic-miner` started by a system python3 too old for the driver."""
    copy = _layout(tmp_path, venv=True)
    result = subprocess.run(
        [str(_old_python_or_skip()), str(copy), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "ASIC_MINER_DRIVER": str(INTEGRATION / "driver")},
    )
    assert result.returncode == 0, result.stderr
    assert "usage: asic-miner" in result.stdout


def test_an_old_python3_without_a_venv_says_what_to_do(tmp_path: Path) -> None:
    copy = _layout(tmp_path, venv=False)
    result = subprocess.run(
        [str(_old_python_or_skip()), str(copy), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "ASIC_MINER_DRIVER": str(INTEGRATION / "driver")},
    )
    assert result.returncode == 2
    assert "run scripts/setup once" in result.stderr
    assert "Traceback" not in result.stderr
