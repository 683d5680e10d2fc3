"""analysis.report.build: the notebook config, the build command and its all-or-nothing publishing."""
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli
from analysis.contract.errors import InputError
from analysis.report import build

ROOT = Path(__file__).resolve().parents[2]

ONE_PAGE = """\
pages:
  - name: smoke
    notebook: notebooks/_smoke.ipynb
    title: Smoke
"""

TWO_PAGES = ONE_PAGE + """\
  - name: other
    notebook: notebooks/_smoke.ipynb
    title: Other
    parameters: {factor: 5}
"""

WITH_FAILURE = ONE_PAGE + """\
  - name: broken
    notebook: notebooks/_smoke.ipynb
    title: Broken
    parameters: {fail: true, label: "in the build"}
"""


def _config(root: Path, text: str, name: str = "test.yml") -> Path:
    path = root / "reports" / name
    path.write_text(text, encoding="utf-8")
    return path


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the config ---------------------------------------------------------------------------

def test_the_checked_in_config_lists_the_site_pages():
    cfg = build.load_config(ROOT / "reports" / "notebooks.yml", ROOT)
    names = [p.name for p in cfg.site.pages]
    assert names[:3] == ["spending", "goals", "indicators"] and names[-1] == "methods"
    profiles = [p for p in cfg.site.pages if p.menu == "Municipality profiles"]
    assert {p.name for p in profiles} >= {"profile-peine", "profile-aalborg", "profile-berlin-neukoelln"}
    assert [i["text"] for i in cfg.site.nav][0] == "Overview" and cfg.site.nav[-1]["text"] == "Data downloads"


def test_profiles_follow_the_processed_municipalities(workspace):
    from conftest import write_fake_processed
    write_fake_processed(workspace)
    cfg = build.load_config(workspace / "reports" / "notebooks.yml", workspace)
    profiles = [p for p in cfg.site.pages if p.name.startswith("profile-")]
    assert [(p.name, p.title, p.parameters) for p in profiles] == [
        ("profile-aalborg", "Aalborg Kommune", {"municipality": "aalborg"}),
        ("profile-peine", "Landkreis Peine", {"municipality": "peine"})]
    # a new municipality: a page without a code change
    csv = workspace / "data" / "processed" / "municipalities.csv"
    df = pd.read_csv(csv, dtype=str)
    df.loc[len(df)] = {"municipality_id": "odense", "name": "Odense Kommune", "country": "DK", "region": "Syddanmark",
                       "admin_type": "Kommune", "currency": "DKK", "language": "da"}
    df.to_csv(csv, index=False)
    cfg = build.load_config(workspace / "reports" / "notebooks.yml", workspace)
    assert "profile-odense" in [p.name for p in cfg.site.pages]
    menu = [i for i in cfg.site.nav if i["text"] == "Municipality profiles"][0]["menu"]
    assert {"text": "Odense Kommune", "page": "profile-odense"} in menu and len(menu) == 3


def test_profiles_before_the_first_extract_come_from_municipality_yml(workspace):
    assert not (workspace / "data" / "processed").exists()
    cfg = build.load_config(workspace / "reports" / "notebooks.yml", workspace)
    titles = {p.name: p.title for p in cfg.site.pages if p.menu}
    assert titles["profile-peine"] == "Landkreis Peine" and titles["profile-magdeburg"] == "Landeshauptstadt Magdeburg"


def test_parameters_keep_their_yaml_types(workspace):
    path = _config(workspace, ONE_PAGE + '    parameters: {base_year: 2024, code: "2024", real: true, ids: [peine], none: ~}\n')
    page = build.load_config(path, workspace).site.pages[0]
    assert page.parameters == {"base_year": 2024, "code": "2024", "real": True, "ids": ["peine"], "none": None}


@pytest.mark.parametrize("text, found", [
    (ONE_PAGE + "    colour: red\n", ["test.yml:5", "column 'colour'", "unknown key"]),
    (ONE_PAGE.replace("title: Smoke\n", ""), ["test.yml:2", "column 'title'", "required key is missing"]),
    (ONE_PAGE + ONE_PAGE.split("pages:\n")[1], ["test.yml:5", "page name used twice", "'smoke'"]),
    (ONE_PAGE.replace("name: smoke", "name: Smoke Page"), ["test.yml:2", "bad page name"]),
    (ONE_PAGE.replace("name: smoke", "name: index"), ["bad page name", "'index'"]),
    ("pages:\n  - profiles:\n      name: p-{municipality_id}\n      notebook: n.ipynb\n      title: '{nme}'\n",
     ["test.yml:2", "unknown placeholder 'nme'", "municipality_id"]),
    (ONE_PAGE + "    parameters: [1, 2]\n", ["test.yml:5", "parameters must be a mapping"]),
    ("pages: [\n", ["test.yml", "not valid YAML"]),
])
def test_config_errors_name_file_line_and_key(workspace, text, found):
    with pytest.raises(InputError) as exc:
        build.load_config(_config(workspace, text), workspace)
    for part in found:
        assert part in str(exc.value)


def test_a_missing_notebook_is_named_with_its_config_line(workspace):
    path = _config(workspace, TWO_PAGES.replace("notebooks/_smoke.ipynb\n    title: Other", "notebooks/other.ipynb\n    title: Other"))
    with pytest.raises(InputError) as exc:
        build.build(workspace, config=path, extract=False, say=lambda _: None)
    assert "test.yml:6" in str(exc.value) and "notebooks/other.ipynb" in str(exc.value)
    assert not (workspace / "reports" / "_site").exists()


def test_only_selects_pages_by_name_or_pattern():
    cfg = build.load_config(ROOT / "reports" / "notebooks.yml", ROOT)
    assert [p.name for p in build.select(cfg.site.pages, ["goals"])] == ["goals"]
    assert all(p.name.startswith("profile-") for p in build.select(cfg.site.pages, ["profile-*"]))
    with pytest.raises(InputError, match="one of spending, goals"):
        build.select(cfg.site.pages, ["nothing"])


# --- builds -------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_failing_notebook_leaves_the_last_good_site(workspace, capsys):
    good = _config(workspace, ONE_PAGE, "good.yml")
    assert cli.main(["--root", str(workspace), "build", "--no-extract", "--config", str(good), "-j", "2",
                     "--publisher", "nbconvert"]) == 0
    out = capsys.readouterr().out
    assert "[1/1] smoke " in out and " ok" in out
    assert "notebook" in out and "parameters" in out and "reports/_site/smoke.html" in out   # the summary table
    site, executed = workspace / "reports" / "_site", workspace / "reports" / "_executed"
    before, executed_before = _hashes(site), _hashes(executed)
    assert "smoke.html" in before and "index.html" in before

    bad = _config(workspace, WITH_FAILURE, "bad.yml")
    code = cli.main(["--root", str(workspace), "build", "--no-extract", "--config", str(bad), "-j", "2",
                     "--publisher", "nbconvert"])
    err = capsys.readouterr().err
    assert code != 0
    assert "notebooks/_smoke.ipynb (page 'broken')" in err
    assert "cell 5 (counting cells from 1): if fail:" in err
    assert "ValueError: smoke notebook asked to fail (in the build)" in err
    assert "parameters: fail=True, label='in the build'" in err
    assert "previous outputs are kept" in err
    assert _hashes(site) == before and _hashes(executed) == executed_before
    leftovers = {p.name for p in (workspace / "reports").iterdir() if p.name.startswith(".site-")}
    assert leftovers == {".site-failed"}                                       # no stage left behind
    assert (workspace / "reports" / ".site-failed" / "broken.ipynb").exists()  # with the traceback


@pytest.mark.slow
def test_only_reruns_one_page_and_keeps_the_others(workspace):
    path = _config(workspace, TWO_PAGES)
    lines = []
    build.build(workspace, config=path, jobs=2, extract=False, publisher="nbconvert", say=lines.append)
    site = workspace / "reports" / "_site"
    other_before = (site / "other.html").read_text()
    assert "total amount: 30.00" in other_before                              # factor 5
    lines.clear()
    result = build.build(workspace, config=path, only=["smoke"], extract=False, publisher="nbconvert", say=lines.append)
    assert [ln for ln in lines if ln.startswith("[")] == [lines[1]] and lines[1].startswith("[1/1] smoke ")
    assert [(r.page.name, r.reused) for r in result.results] == [("smoke", False), ("other", True)]
    assert "reused" in result.summary(workspace)
    assert "total amount: 30.00" in (site / "other.html").read_text()
    assert (site / "downloads" / "other" / "smoke-amounts.csv").exists()
    # a changed parameter or changed data cannot be reused
    _config(workspace, TWO_PAGES.replace("factor: 5", "factor: 6"))
    with pytest.raises(InputError, match="other"):
        build.build(workspace, config=path, only=["smoke"], extract=False, publisher="nbconvert", say=lines.append)
    _config(workspace, TWO_PAGES)
    (workspace / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (workspace / "data" / "processed" / "metadata.json").write_text('{"fingerprint": "new data"}')
    with pytest.raises(InputError, match="changed since"):
        build.build(workspace, config=path, only=["smoke"], extract=False, publisher="nbconvert", say=lines.append)
    assert "total amount: 30.00" in (site / "other.html").read_text()


def test_a_municipality_with_errors_stops_the_build_before_any_notebook(workspace, capsys):
    # an analyst's mapping with a wrong sign rule: the same message as `analysis validate`
    yml = workspace / "data/municipalities/kiel/municipality.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("sign: expenditure_negative", "sign: minus", 1),
                   encoding="utf-8")
    assert cli.main(["--root", str(workspace), "validate", "kiel"]) == 1
    message = next(line for line in capsys.readouterr().out.splitlines() if "input.long[0].sign" in line)
    message = message.strip().removeprefix("error: ")
    assert cli.main(["--root", str(workspace), "build", "--publisher", "nbconvert"]) == 2
    err = capsys.readouterr().err
    assert message in err and "nothing was changed" in err
    assert not (workspace / "reports/_site").exists() and not (workspace / "reports/_executed").exists()
