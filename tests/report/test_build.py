"""analysis.report.build: the notebook config, the build command and its all-or-nothing publishing."""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
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
    progress = [ln for ln in lines if ln.startswith("[")]
    assert len(progress) == 1 and progress[0].startswith("[1/1] smoke ")
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


def test_yaml_aliases_in_the_config_are_refused(workspace):
    """Issue 12: reports/notebooks.yml is analysts' YAML too: no anchors or aliases."""
    text = (workspace / "reports" / "notebooks.yml").read_text(encoding="utf-8")
    path = workspace / "reports" / "aliased.yml"
    path.write_text(text.replace("site:\n", "site: &s\n", 1) + "\nagain: *s\n", encoding="utf-8")
    line = text.split("\n").index("site:") + 1
    with pytest.raises(InputError) as exc:
        build.load_config(path, workspace)
    assert str(exc.value).startswith(f"{path}:{line}: YAML anchors and aliases (&s at line {line}, *s at line")


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


# --- faults (issue 12) ----------------------------------------------------------------------

PROBE_PAGE = """\
  - name: {name}
    notebook: notebooks/_probe.ipynb
    title: {name}
    parameters: {params}
"""


def _probe_config(root: Path, *pages: tuple[str, str], name: str = "probe.yml") -> Path:
    text = "pages:\n" + "".join(PROBE_PAGE.format(name=n, params=p) for n, p in pages)
    return _config(root, text, name)


def _probe_workspace(tmp_path) -> Path:
    """A small workspace with a fresh data/processed/ (the fictitious musterstadt) and the probe notebook."""
    from conftest import fixture_workspace
    from analysis.sources import extract
    root = fixture_workspace(tmp_path, with_musterstadt=True)
    shutil.rmtree(root / "data/reference")
    shutil.copytree(ROOT / "data/reference", root / "data/reference")
    (root / "notebooks").mkdir()
    shutil.copy(ROOT / "tests/fixtures/notebooks/_probe.ipynb", root / "notebooks/_probe.ipynb")
    (root / "reports").mkdir()
    for f in ("index.qmd", "styles.css"):
        if (ROOT / "reports" / f).exists():
            shutil.copy(ROOT / "reports" / f, root / "reports" / f)
    extract.run(root)
    return root


def _change_an_input(root: Path) -> None:
    pop = root / "data/reference/population.csv"
    pop.write_text(pop.read_text(encoding="utf-8") + "\n", encoding="utf-8")


def _cli(root: Path, *args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "ANALYSIS_ROOT": str(root)}
    kw = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kw}
    return subprocess.Popen([sys.executable, "-m", "analysis.cli", "--root", str(root), *args], env=env,
                            text=True, **kw)


def _wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _kernels(root: Path) -> list:
    from test_staging import survivors
    return survivors(root)


def _cmd(proc) -> str:
    import psutil
    try:
        return " ".join(proc.cmdline())
    except psutil.Error:
        return ""


def test_a_misspelled_parameter_is_named_with_line_and_the_valid_names(workspace):
    path = _config(workspace, TWO_PAGES.replace("{factor: 5}", "{factor: 5, lable: x}"))
    with pytest.raises(InputError) as exc:
        build.build(workspace, config=path, extract=False, say=lambda _: None)
    text = str(exc.value)
    assert text.startswith(f"{path}:8, column 'parameters': unknown parameter of notebooks/_smoke.ipynb "
                           "(did you mean label?)")
    assert "expected one of municipality_id, factor, label, fail" in text and "found 'lable'" in text
    assert not (workspace / "reports" / "_site").exists()


def test_a_misspelled_profile_parameter_is_named_too(workspace):
    cfg = (ROOT / "reports" / "notebooks.yml").read_text(encoding="utf-8")
    assert "municipality: \"{municipality_id}\"" in cfg
    path = _config(workspace, cfg.replace("municipality: \"{municipality_id}\"", "municipalty: \"{municipality_id}\""))
    line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if "municipalty:" in ln)
    (workspace / "notebooks" / "municipality_profile.ipynb").write_bytes(
        (ROOT / "notebooks" / "municipality_profile.ipynb").read_bytes())
    for nb in ("spending_structure", "goal_agreements", "service_indicators", "methods"):
        (workspace / "notebooks" / f"{nb}.ipynb").write_bytes((ROOT / "notebooks" / f"{nb}.ipynb").read_bytes())
    with pytest.raises(InputError) as exc:
        build.build(workspace, config=path, extract=False, say=lambda _: None)
    assert f"test.yml:{line}, column 'parameters': unknown parameter of notebooks/municipality_profile.ipynb " \
           "(did you mean municipality?)" in str(exc.value) and "found 'municipalty'" in str(exc.value)


def test_the_checked_in_config_uses_only_known_parameters():
    cfg = build.load_config(ROOT / "reports" / "notebooks.yml", ROOT)
    build.check_parameters(cfg, cfg.site.pages, ROOT)  # raises on an unknown name


@pytest.mark.slow
def test_no_extract_is_kept_by_the_notebooks_of_the_build(tmp_path):
    """X1: with --no-extract the notebooks read data/processed/ as the build left it."""
    root = _probe_workspace(tmp_path)
    meta = root / "data/processed/metadata.json"
    before = meta.read_bytes()
    _change_an_input(root)
    path = _probe_config(root, ("probe", "{load: true}"))
    lines = []
    build.build(root, config=path, extract=False, publisher="nbconvert", say=lines.append)
    assert meta.read_bytes() == before                       # no kernel re-extracted
    assert "note: data/processed/ is older than its inputs (--no-extract): the pages show it as it was extracted" in lines
    assert "budget rows: 22" in (root / "reports/_site/probe.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_failed_build_says_that_data_processed_was_rebuilt(tmp_path, capsys):
    """F5: the build's extract replaced data/processed/, then a notebook failed."""
    root = _probe_workspace(tmp_path)
    good = _probe_config(root, ("probe", "{}"), name="good.yml")
    assert cli.main(["--root", str(root), "build", "--config", str(good), "--publisher", "nbconvert"]) == 0
    site = _hashes(root / "reports/_site")
    capsys.readouterr()
    _change_an_input(root)
    bad = _probe_config(root, ("probe", "{fail: true}"), name="bad.yml")
    assert cli.main(["--root", str(root), "build", "--config", str(bad), "--publisher", "nbconvert"]) == 2
    err = capsys.readouterr().err
    assert "ValueError: probe asked to fail" in err
    assert ("data/processed/ was rebuilt from the changed inputs; reports/_site/ is unchanged (the last good site)"
            in err)
    assert "nothing was changed" not in err
    assert _hashes(root / "reports/_site") == site


@pytest.mark.slow
def test_a_failure_stops_the_notebook_running_in_parallel_before_the_cleanup(tmp_path, capsys):
    root = _probe_workspace(tmp_path)
    path = _probe_config(root, ("broken", "{fail: true, seconds: 3}"), ("busy", "{seconds: 60}"))
    assert cli.main(["--root", str(root), "build", "--no-extract", "--config", str(path), "-j", "2",
                     "--publisher", "nbconvert"]) == 2
    err = capsys.readouterr().err
    assert "stopped 1 running notebook (busy)" in err
    assert _kernels(root) == []                               # papermill and its kernel are gone, at once
    time.sleep(1.5)
    assert [p.name for p in (root / "reports").iterdir() if p.name.startswith(".site-")] == [".site-failed"]


@pytest.mark.slow
def test_ctrl_c_says_what_was_stopped_and_kept(tmp_path):
    root = _probe_workspace(tmp_path)
    path = _probe_config(root, ("busy", "{seconds: 60}"))
    proc = _cli(root, "build", "--no-extract", "--config", str(path), "--publisher", "nbconvert",
                start_new_session=True)
    try:
        _wait_for(lambda: any("kernelapp" in _cmd(p) for p in _kernels(root)))
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert ("interrupted: stopped 1 running notebook (busy); nothing was changed: the previous outputs are kept "
            "(data/processed/ as it was; there is no site yet)") in err
    assert _kernels(root) == []
    assert not [p for p in (root / "reports").iterdir() if p.name.startswith(".site-")]


@pytest.mark.slow
def test_two_builds_at_once_the_second_waits_or_exits(tmp_path):
    """F6: a lock (pid, start time); the second build says who holds it and waits, or exits with --no-wait."""
    root = _probe_workspace(tmp_path)
    release = root / "release-the-first-build"
    path = _probe_config(root, ("busy", f"{{seconds: 120, until: '{release}'}}"))
    args = ("build", "--no-extract", "--config", str(path), "--publisher", "nbconvert", "-j", "1")
    first = _cli(root, *args)
    try:
        lock_file = root / ".analysis.lock"
        _wait_for(lambda: lock_file.exists() and str(first.pid) in lock_file.read_text())
        holder = json.loads(lock_file.read_text())
        assert holder["pid"] == first.pid and holder["command"] == "analysis build" and holder["started"]

        refused = _cli(root, *args, "--no-wait")
        out, err = refused.communicate(timeout=60)
        assert refused.returncode == 1
        assert (f"error: another analysis build is running in this workspace (pid {first.pid}, "
                f"since {holder['started']}; lock .analysis.lock)") in err
        assert "running 1 notebooks" not in out

        extract = _cli(root, "extract", "--no-wait")
        _, err = extract.communicate(timeout=60)
        assert extract.returncode == 1 and f"(pid {first.pid}" in err

        second_err = tmp_path / "second.err"
        with open(second_err, "w") as fh:  # --force: the page runs again though nothing changed
            second = _cli(root, *args, "--force", stderr=fh)
        _wait_for(lambda: "waiting:" in second_err.read_text())
        release.touch()   # the first build's notebook ends now
        most = 0  # page-running children (papermill or a batch of pages) at once while the first build runs: never two
        while first.poll() is None:
            papermills = [p for p in _kernels(root) if "papermill" in _cmd(p) or "analysis.report.batch" in _cmd(p)]
            most = max(most, len(papermills))
            time.sleep(0.1)
        out1, err1 = first.communicate(timeout=120)
        out2, _ = second.communicate(timeout=120)
        err2 = second_err.read_text()
    finally:
        first.kill()
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert most == 1
    assert f"waiting: another analysis build is running in this workspace (pid {first.pid}" in err2
    assert "[1/1] busy" in out1 and "[1/1] busy" in out2
    assert not lock_file.exists()


# --- profiles in batches (issue 13d) --------------------------------------------------------

BATCHED = """\
pages:
  - profiles:
      name: "leak-{{municipality_id}}"
      notebook: notebooks/_leak.ipynb
      title: "{{name}}"
      reads: municipality
      parameters: {{municipality_id: "{{municipality_id}}", fail_for: "{fail_for}"}}
"""


@pytest.mark.slow
def test_a_failing_page_of_a_batch_fails_the_build_and_keeps_the_last_good_site(workspace, capsys):
    shutil.copy(ROOT / "tests/fixtures/notebooks/_leak.ipynb", workspace / "notebooks/_leak.ipynb")
    good = _config(workspace, BATCHED.format(fail_for=""), "good.yml")
    assert cli.main(["--root", str(workspace), "build", "--config", str(good), "-j", "2",
                     "--publisher", "nbconvert"]) == 0
    out = capsys.readouterr().out
    pages = sorted(p.name for p in (workspace / "reports" / "_site").glob("leak-*.html"))
    assert "leak-peine.html" in pages and "leak-aalborg.html" in pages
    assert sum(ln.startswith("[") and ln.endswith(" ok") for ln in out.splitlines()) == len(pages)
    site, executed = workspace / "reports" / "_site", workspace / "reports" / "_executed"
    before, executed_before = _hashes(site), _hashes(executed)

    bad = _config(workspace, BATCHED.format(fail_for="peine"), "bad.yml")
    code = cli.main(["--root", str(workspace), "build", "--no-extract", "--config", str(bad), "-j", "2",
                     "--publisher", "nbconvert"])
    captured = capsys.readouterr()
    assert code == 2
    assert "notebooks/_leak.ipynb (page 'leak-peine')" in captured.err
    assert "ValueError: leak probe asked to fail for peine" in captured.err
    assert "[" in captured.out and "leak-peine" in captured.out and "FAILED" in captured.out
    assert _hashes(site) == before and _hashes(executed) == executed_before
    assert (workspace / "reports" / ".site-failed" / "leak-peine.ipynb").exists()
    assert _kernels(workspace) == []


BATCHED_PROBES = """\
pages:
  - name: busy-a
    notebook: notebooks/_probe.ipynb
    title: A
    reads: municipality
    parameters: {seconds: 0.1}
  - name: busy-b
    notebook: notebooks/_probe.ipynb
    title: B
    reads: municipality
    parameters: {seconds: 60}
"""


@pytest.mark.slow
def test_ctrl_c_stops_a_batch_with_its_kernel(tmp_path):
    root = _probe_workspace(tmp_path)
    path = _config(root, BATCHED_PROBES)
    proc = _cli(root, "build", "--no-extract", "--config", str(path), "--publisher", "nbconvert", "-j", "1",
                start_new_session=True)
    try:
        _wait_for(lambda: (root / "reports").exists() and any(root.glob("reports/.site-*/unit/executed/downloads/busy-b/tick.txt")))
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "[1/2] busy-a " in out                                      # one batch: a ran, b was running
    assert "interrupted: stopped 1 running notebook (busy-b)" in err
    assert _kernels(root) == []
    assert not [p for p in (root / "reports").iterdir() if p.name.startswith(".site-")]
