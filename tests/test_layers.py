"""The layers contract of pyproject.toml ([tool.importlinter], see ARCHITECTURE.md), checked with
import-linter's `lint-imports`: it passes on the package and fails when a module imports across
the layers the wrong way, draws below the report layer, or closes an import circle."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(src: Path, config: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(src)}  # the copy's package comes before the installed one
    return subprocess.run([str(LINT), "--no-cache", str(config)], cwd=config.parent, env=env,
                          capture_output=True, text=True)


def test_the_package_keeps_its_layers():
    run = _lint(ROOT / "src", ROOT / "pyproject.toml")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 kept, 0 broken" in run.stdout


@pytest.fixture
def copy(tmp_path):
    shutil.copytree(ROOT / "src" / "analysis", tmp_path / "src" / "analysis",
                    ignore=shutil.ignore_patterns("__pycache__", "assets"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize("module, line, broken", [
    ("contract/schema.py", "from analysis.compare import spending", "The flow"),          # contract imports nothing above it
    ("sources/extract.py", "from analysis.report import charts", "The flow"),              # sources below report
    ("sources/wide.py", "from analysis.compare import harmonise", "The flow"),             # sources and compare independent
    ("compare/spending.py", "import altair", "Only the report layer draws"),              # analyses know no Altair
    ("contract/errors.py", "from analysis.contract import codes", "No import circles"),    # codes imports errors
])
def test_a_forbidden_import_breaks_the_contract(copy, module, line, broken):
    path = copy / "src" / "analysis" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # added by the test\n", encoding="utf-8")
    run = _lint(copy / "src", copy / "pyproject.toml")
    assert run.returncode == 1, run.stdout
    assert broken in run.stdout and "BROKEN" in run.stdout
