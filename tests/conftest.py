"""Shared fixtures: temporary copies of the workspace, so tests never touch the checkout's
data/processed/ or reports/_site/."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_NOTEBOOKS = ROOT / "tests" / "fixtures" / "notebooks"

# --- Quarto: the tests marked `quarto` need it on PATH -------------------------------------
# `make test` (scripts/with-quarto.sh) installs Quarto into .tools/quarto when
# ../shared/tools/quarto/install.sh exists and sets ANALYSIS_REQUIRE_QUARTO=1: a skipped Quarto
# test is then a failure (in CI every Quarto test must run).
QUARTO = shutil.which("quarto")
REQUIRE_QUARTO = os.environ.get("ANALYSIS_REQUIRE_QUARTO") == "1"
NO_QUARTO = ("quarto is not on PATH: `make test` installs it into .tools/quarto when "
             "../shared/tools/quarto/install.sh exists; conda users get it from environment.yml")


def pytest_report_header(config):
    return (f"quarto: {QUARTO or 'not on PATH (the Quarto tests skip)'}"
            + ("; ANALYSIS_REQUIRE_QUARTO=1: a skipped Quarto test fails" if REQUIRE_QUARTO else ""))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_QUARTO and report.skipped and item.get_closest_marker("quarto") is not None:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (f"Quarto test skipped although ANALYSIS_REQUIRE_QUARTO=1 (make test with "
                           f"../shared/tools/quarto): {reason}")


def copy_workspace(dest: Path, notebooks: tuple[str, ...] = ("_smoke.ipynb",),
                   data: tuple[str, ...] = ("raw", "municipalities", "reference", "curated")) -> Path:
    """Copy the inputs (data/<data>), the named notebooks and the files of reports/ (not its
    built folders) into `dest`; return `dest`. Point code at it with root=dest or ANALYSIS_ROOT."""
    dest = Path(dest)
    for sub in data:
        if (ROOT / "data" / sub).exists():
            shutil.copytree(ROOT / "data" / sub, dest / "data" / sub)
    (dest / "notebooks").mkdir(parents=True, exist_ok=True)
    for name in notebooks:  # the analysts' notebooks, or the test notebooks of tests/fixtures/notebooks/
        src = ROOT / "notebooks" / name
        shutil.copyfile(src if src.exists() else TEST_NOTEBOOKS / name, dest / "notebooks" / name)
    (dest / "reports").mkdir(parents=True, exist_ok=True)
    for f in (ROOT / "reports").iterdir():
        if f.is_file():
            shutil.copyfile(f, dest / "reports" / f.name)
    return dest


@pytest.fixture
def workspace(tmp_path) -> Path:
    """A fresh copy of the workspace inputs with notebooks/_smoke.ipynb (from tests/fixtures/notebooks/)."""
    return copy_workspace(tmp_path / "ws")


# --- a small published site, built once per session (test_publish, test_build, test_site_browser)

SMOKE_CONFIG = """\
site:
  title: Smoke site
pages:
  - name: smoke
    notebook: notebooks/_smoke.ipynb
    title: Smoke with defaults
    nav: Defaults
    section: Smoke
  - name: smoke-three
    notebook: notebooks/_smoke.ipynb
    title: Smoke with factor 3
    nav: Factor 3
    section: Smoke
    parameters: {factor: 3, label: "three"}
  - profiles:
      name: "profile-{municipality_id}"
      notebook: notebooks/_smoke.ipynb
      title: "{name}"
      menu: Municipality profiles
      section: Profiles
      parameters: {municipality_id: "{municipality_id}"}
  - name: methods
    notebook: notebooks/methods.ipynb
    title: Methods and sources
"""

SMOKE_QUALITY = """\
check,municipality_id,document_id,source_ref,expected,found,status,detail,tolerance
products sum to the area total,peine,peine-2024-143,peine_produktbericht_2024-06.txt:40,100,100,pass,,0.5
months sum to the result,peine,peine-2024-143,peine_produktbericht_2024-06.txt:220,"1,350","1,330",contradiction,SMOKE-CONTRADICTION difference -20,6
row repeats another year,aalborg,aalborg-regnskab-2014,aalborg_regnskab_2014_fb.txt:99,,,warning,SMOKE-WARNING,
"""


def write_fake_processed(root: Path) -> None:
    """Tiny data/processed/ tables (two municipalities) so the build needs no importers."""
    import pandas as pd

    out = Path(root) / "data" / "processed"
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame([
        {"municipality_id": "aalborg", "name": "Aalborg Kommune", "country": "DK", "region": "Nordjylland",
         "admin_type": "Kommune", "currency": "DKK", "language": "da"},
        {"municipality_id": "peine", "name": "Landkreis Peine", "country": "DE", "region": "Niedersachsen",
         "admin_type": "Landkreis", "currency": "EUR", "language": "de"},
    ]).to_csv(out / "municipalities.csv", index=False)
    shutil.copyfile(ROOT / "data" / "raw" / "documents.csv", out / "documents.csv")
    (out / "quality.csv").write_text(SMOKE_QUALITY, encoding="utf-8")


@pytest.fixture(scope="session")
def smoke_site(tmp_path_factory):
    """Build the smoke site once with nbconvert: (root, BuildResult, printed lines).

    Without quarto on PATH the publisher is "auto", so the fallback note is printed too."""
    from analysis.report import build

    root = copy_workspace(tmp_path_factory.mktemp("site") / "ws", notebooks=("_smoke.ipynb", "methods.ipynb"))
    write_fake_processed(root)
    config = root / "reports" / "smoke.yml"
    config.write_text(SMOKE_CONFIG, encoding="utf-8")
    lines: list[str] = []
    publisher = "nbconvert" if shutil.which("quarto") else "auto"
    result = build.build(root, config=config, jobs=2, extract=False, publisher=publisher, say=lines.append)
    return root, result, lines


@pytest.fixture(scope="session")
def quarto_smoke_site(smoke_site, tmp_path_factory):
    """The executed notebooks of `smoke_site` published again with Quarto: (root, site folder,
    the publisher's note). Skips without quarto on PATH (a failure under ANALYSIS_REQUIRE_QUARTO)."""
    if QUARTO is None:
        pytest.skip(NO_QUARTO)
    from analysis.report import build, publish

    root = smoke_site[0]
    site = build.load_config(root / "reports" / "smoke.yml", root).site
    notes: list[str] = []
    site_dir = publish.publish(root / "reports" / "_executed", site, tmp_path_factory.mktemp("quarto-site"), root,
                               publisher="quarto", say=notes.append)
    return root, site_dir, notes


# --- a minimal workspace around the fictitious municipality fixture (tests/fixtures/municipality)

FIXTURE_MUNICIPALITY = Path(__file__).parent / "fixtures" / "municipality"


def fixture_workspace(tmp_path: Path, with_musterstadt: bool = False) -> Path:
    """data/reference from the fixture (fictitious figures), an empty raw document list, and
    optionally the filled-in `musterstadt` folder; returns the workspace root."""
    root = Path(tmp_path) / "ws"
    (root / "data/municipalities").mkdir(parents=True)
    (root / "data/raw").mkdir(parents=True)
    shutil.copytree(FIXTURE_MUNICIPALITY / "reference", root / "data/reference")
    shutil.copy(FIXTURE_MUNICIPALITY / "raw_documents.csv", root / "data/raw/documents.csv")
    if with_musterstadt:
        shutil.copytree(FIXTURE_MUNICIPALITY / "musterstadt", root / "data/municipalities/musterstadt")
    return root
