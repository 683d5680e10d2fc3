"""pyproject.toml (pip) and environment.yml (conda) must list the same dependencies."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONDA_ONLY = {"python", "pip", "quarto"}  # quarto is a binary: conda-forge only


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower()


def test_pyproject_and_environment_list_the_same_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_deps = {_name(d) for d in project["dependencies"]}
    pip_deps |= {_name(d) for d in project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    assert conda - CONDA_ONLY == pip_deps
    assert {"jupyterlab", "pandas", "altair", "papermill"} <= pip_deps
    assert "quarto" in conda and "conda-forge" in env["channels"]


def test_environment_installs_the_package_from_the_checkout():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_part = [d for d in env["dependencies"] if isinstance(d, dict)][0]["pip"]
    assert "-e ." in pip_part
