"""Each notebook of notebooks/ is paired with a percent-format script (jupytext, notebooks/jupytext.toml):
the .py is the reviewed source, the .ipynb what Papermill runs. They must hold the same cells, and the
.ipynb no outputs."""
from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PAIRS = sorted(NOTEBOOKS.glob("*.ipynb"))


def _cells(nb) -> list[tuple]:
    return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", []))) for c in nb.cells]


def test_every_notebook_has_its_script_and_every_script_its_notebook():
    assert PAIRS, "no notebooks found"
    assert {p.stem for p in PAIRS} == {p.stem for p in NOTEBOOKS.glob("*.py")}


@pytest.mark.parametrize("ipynb", PAIRS, ids=lambda p: p.stem)
def test_pair_in_sync_and_without_outputs(ipynb):
    nb = nbformat.read(ipynb, as_version=4)
    script = jupytext.read(ipynb.with_suffix(".py"))
    assert _cells(nb) == _cells(script), (
        f"{ipynb.name} and {ipynb.with_suffix('.py').name} differ: run `jupytext --sync notebooks/{ipynb.stem}.py`")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not any(c.outputs or c.execution_count for c in code), f"{ipynb.name} is committed with outputs"
    assert sum("parameters" in c.metadata.get("tags", []) for c in code) <= 1


def test_notebooks_folder_holds_the_pages_notebooks_only():
    """What `make lab` opens is the analysts' notebooks: each is a page of reports/notebooks.yml;
    test notebooks (e.g. _smoke.ipynb) live in tests/fixtures/notebooks/."""
    import yaml

    config = yaml.safe_load((NOTEBOOKS.parent / "reports" / "notebooks.yml").read_text(encoding="utf-8"))
    pages = {Path((e.get("profiles") or e)["notebook"]).name for e in config["pages"]}
    assert {p.name for p in PAIRS} == pages
    assert (NOTEBOOKS.parent / "tests" / "fixtures" / "notebooks" / "_smoke.ipynb").exists()
