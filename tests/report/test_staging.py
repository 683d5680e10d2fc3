"""analysis.report.staging: the site, its executed notebooks and their manifest are published as one
unit, and what a killed build leaves behind is removed by the next one (issue 12, Faults)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from conftest import copy_workspace, write_fake_processed

from analysis.report import build

KILLAT = Path(__file__).resolve().parents[1] / "fixtures" / "killat.py"

PROBE = """\
pages:
  - name: probe
    notebook: notebooks/_probe.ipynb
    title: Probe
    parameters: {{label: "{label}", seconds: {seconds}}}
"""


def _config(root: Path, label: str, seconds: float = 0) -> Path:
    path = root / "reports" / "probe.yml"
    path.write_text(PROBE.format(label=label, seconds=seconds), encoding="utf-8")
    return path


def _build(root: Path, label: str, lines: list | None = None):
    return build.build(root, config=_config(root, label), jobs=1, extract=False, publisher="nbconvert",
                       say=(lines.append if lines is not None else lambda _: None))


def published_labels(root: Path) -> tuple[str, str, str]:
    """The label of the published page, of its executed notebook and of the manifest entry."""
    reports = root / "reports"
    html = (reports / "_site" / "probe.html").read_text(encoding="utf-8")
    executed = (reports / "_executed" / "probe.ipynb").read_text(encoding="utf-8")
    manifest = json.loads((reports / "_executed" / "pages.json").read_text(encoding="utf-8"))
    return (re.search(r"label: '(\w+)'", html).group(1), re.search(r"label: '(\w+)'", executed).group(1),
            manifest["probe"]["parameters"]["label"])


def leftovers(root: Path) -> list[str]:
    found = [p for p in (root / "reports").iterdir() if p.name.startswith((".site-", ".published-"))]
    found += [p for p in (root / "data").iterdir() if p.name.startswith(".processed-")]
    return sorted(str(p.relative_to(root)) for p in found if p.name != ".site-failed")


def survivors(root: Path) -> list[psutil.Process]:
    """Processes (papermill, kernels) still working for a build of `root`."""
    out = []
    for proc in psutil.process_iter():
        try:
            if proc.pid != os.getpid() and proc.environ().get("ANALYSIS_ROOT") == str(root):
                out.append(proc)
        except psutil.Error:
            pass
    return out


def kill_survivors(root: Path) -> None:
    for proc in survivors(root):
        try:
            proc.kill()
        except psutil.Error:
            pass


def killed_build(root: Path, point: str, label: str, seconds: float = 0) -> subprocess.CompletedProcess:
    """`analysis build` of `label`, SIGKILLed at `point` (tests/fixtures/killat.py)."""
    cfg = _config(root, label, seconds)
    env = {**os.environ, "ANALYSIS_ROOT": str(root)}
    return subprocess.run([sys.executable, str(KILLAT), point, "--root", str(root), "build", "--no-extract",
                           "-j", "1", "--publisher", "nbconvert", "--config", str(cfg)],
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """A workspace with one published build (label 'first')."""
    root = copy_workspace(tmp_path_factory.mktemp("staging") / "ws", notebooks=("_probe.ipynb",))
    write_fake_processed(root)
    _build(root, "first")
    return root


@pytest.fixture
def ws(first, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(first, root, symlinks=True)
    yield root
    kill_survivors(root)


# --- the published unit -------------------------------------------------------------------

@pytest.mark.slow
def test_site_and_executed_notebooks_always_come_from_one_build(ws, monkeypatch):
    """At every rename (or exchange) of the publish step, reports/_site/ and reports/_executed/
    belong to the same build."""
    seen = []

    def check(what):
        seen.append((what, published_labels(ws)))
        site, executed, manifest = seen[-1][1]
        assert site == executed == manifest, f"after {what}: site {site}, executed {executed}, manifest {manifest}"

    from analysis.contract import folders
    for owner, name in ((os, "rename"), (os, "replace"), (Path, "rename"), (Path, "replace"),
                        (folders, "exchange")):
        real = getattr(owner, name)

        def wrapped(*a, _real=real, _name=name, **kw):
            out = _real(*a, **kw)
            if (ws / "reports" / "_site").exists():
                check(f"{_name}{tuple(str(x) for x in a)}")
            return out
        monkeypatch.setattr(owner, name, wrapped)
    _build(ws, "second")
    assert seen and seen[-1][1] == ("second", "second", "second")


@pytest.mark.slow
def test_a_build_replaces_an_old_layout_site_by_the_unit(ws):
    """A workspace built before the unit (reports/_site/ and _executed/ real folders) is converted."""
    reports = ws / "reports"
    unit = reports / ".published"
    for name, sub in (("_site", "site"), ("_executed", "executed")):
        (reports / name).unlink()
        shutil.copytree(unit / sub, reports / name)
    shutil.rmtree(unit)
    assert published_labels(ws) == ("first", "first", "first")
    _build(ws, "second")
    assert published_labels(ws) == ("second", "second", "second")
    assert (reports / "_site").is_symlink() and (reports / "_executed").is_symlink()
    assert leftovers(ws) == []


# --- kill -9 at each stage of publishing --------------------------------------------------

STAGES = [  # point, label published after the kill, a notebook still running when killed
    ("during-notebooks", "first", 30),
    ("before-site-swap", "first", 0),
    ("after-site-swap", "second", 0),
    ("in-old-site-removal", "second", 0),
]


@pytest.mark.slow
@pytest.mark.parametrize("point, after_kill, seconds", STAGES, ids=[s[0] for s in STAGES])
def test_kill_9_at_each_stage_of_publishing(ws, point, after_kill, seconds):
    run = killed_build(ws, point, "second", seconds)
    assert run.returncode == -9, run.stderr[-2000:]
    assert "[killat] SIGKILL" in run.stderr
    # no papermill or kernel keeps working for the dead build
    deadline = time.monotonic() + 10
    while survivors(ws) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert survivors(ws) == []
    # the published site and its executed notebooks belong together: the old build or the new one
    assert published_labels(ws) == (after_kill,) * 3
    left = leftovers(ws)
    assert left and all(name.startswith("reports/.site-") for name in left)
    time.sleep(1.0)
    assert leftovers(ws) == left                      # nothing writes into the stage any more

    # the next build removes what the killed one left, saying so in one line
    lines: list[str] = []
    _build(ws, "third", lines)
    notes = [ln for ln in lines if ln.startswith("note: removed")]
    assert len(notes) == 1, lines
    assert all(f"{name}/" in notes[0] for name in left) and "interrupted" in notes[0]
    assert leftovers(ws) == []
    assert published_labels(ws) == ("third",) * 3



# --- the unit without a build ---------------------------------------------------------------

def _unit(stage: Path, label: str) -> Path:
    for sub in ("site", "executed"):
        (stage / "unit" / sub).mkdir(parents=True)
        (stage / "unit" / sub / "label.txt").write_text(label)
    return stage / "unit"


def _published(reports: Path) -> tuple[str, str]:
    return ((reports / "_site" / "label.txt").read_text(), (reports / "_executed" / "label.txt").read_text())


def test_publish_unit_links_site_and_executed_into_one_folder(tmp_path):
    from analysis.report import staging
    reports = tmp_path / "reports"
    first = staging.new_stage(reports)
    staging.publish_unit(_unit(first, "a"), reports)
    assert _published(reports) == ("a", "a")
    stage = staging.new_stage(reports)
    staging.publish_unit(_unit(stage, "b"), reports)
    assert _published(reports) == ("b", "b")
    assert (stage / "unit" / "site" / "label.txt").read_text() == "a"   # the previous unit, removed with the stage
    assert os.readlink(reports / "_site") == ".published/site"
    assert set(staging.leftovers(reports)) == {first, stage}                 # the build removes its stage


def test_without_symbolic_links_site_and_executed_are_real_folders(tmp_path, monkeypatch):
    from analysis.report import staging
    monkeypatch.setattr(staging, "_links_work", lambda folder: False)
    reports = tmp_path / "reports"
    said = []
    for label in ("a", "b"):
        staging.publish_unit(_unit(staging.new_stage(reports), label), reports, said.append)
    assert _published(reports) == ("b", "b") and not (reports / "_site").is_symlink()
    assert said == [staging.NO_LINKS_NOTE] * 2
