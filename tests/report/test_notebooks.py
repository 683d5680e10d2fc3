"""The four report notebooks, executed with Papermill against data extracted from data/raw/.

Each notebook runs with its defaults and with a non-default parameter set (given the way the
command line gives them: JSON lists as strings), and must show figures read from the documents,
formatted as the page shows them; unknown parameter values must stop it in the validation cell
right after the parameters, with the list of valid choices. Runs happen in a temporary copy of
the workspace (ANALYSIS_ROOT), so data/processed/ and reports/ of the checkout are not touched.
"""
from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
from conftest import ROOT, copy_workspace

pytestmark = pytest.mark.slow

NOTEBOOKS = ["spending_structure.ipynb", "goal_agreements.ipynb", "service_indicators.ipynb",
             "municipality_profile.ipynb", "methods.ipynb"]
VALID = "aalborg, berlin-neukoelln, freiburg, kiel, magdeburg, peine, segeberg"

# run name -> (notebook, papermill arguments)
RUNS = {
    "spending-default": ("spending_structure.ipynb", []),
    "spending-nominal": ("spending_structure.ipynb", ["-p", "municipalities", '["peine","aalborg"]', "-p", "base_year",
                                                     "2014", "-p", "price_basis", "nominal", "-p", "per", "total",
                                                     "-r", "category_level", "group"]),
    "spending-invalid": ("spending_structure.ipynb", ["-p", "municipalities", '["nowhere"]']),
    "goals-default": ("goal_agreements.ipynb", []),
    "goals-client-outcome": ("goal_agreements.ipynb", ["-r", "perspectives", '["client"]', "-r", "goal_types",
                                                       "outcome"]),
    "goals-invalid": ("goal_agreements.ipynb", ["-p", "municipalities", '["nowhere"]']),
    "indicators-default": ("service_indicators.ipynb", []),
    "indicators-aalborg": ("service_indicators.ipynb", ["-r", "municipalities", '["aalborg"]', "-r", "categories",
                                                        '["10.4"]']),
    "indicators-invalid": ("service_indicators.ipynb", ["-p", "municipalities", '["nowhere"]']),
    "profile-default": ("municipality_profile.ipynb", []),
    "profile-aalborg": ("municipality_profile.ipynb", ["-p", "municipality", "aalborg"]),
    "profile-invalid": ("municipality_profile.ipynb", ["-p", "municipality", "nowhere"]),
    "methods": ("methods.ipynb", []),
}


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Extract into a workspace copy, then run every entry of RUNS (two at a time).

    Returns {run name: (returncode, executed notebook path, stderr)}."""
    root = copy_workspace(tmp_path_factory.mktemp("nb") / "ws", notebooks=tuple(NOTEBOOKS))
    from analysis.sources import extract
    extract.run(root)  # a failing extract fails these tests: the notebooks would have no data
    out = root / "executed"
    out.mkdir()
    env = {**os.environ, "ANALYSIS_ROOT": str(root), "ANALYSIS_DOWNLOADS_DIR": str(root / "downloads")}

    def run(item):
        name, (notebook, args) = item
        target = out / f"{name}.ipynb"
        proc = subprocess.run([sys.executable, "-m", "papermill", str(root / "notebooks" / notebook), str(target),
                               "--cwd", str(root / "notebooks"), "-k", "python3", "--no-progress-bar", *args],
                              env=env, capture_output=True, text=True, timeout=600)
        return name, (proc.returncode, target, proc.stderr)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, RUNS.items()))


def _ok(executed, name) -> nbformat.NotebookNode:
    code, path, stderr = executed[name]
    assert code == 0, f"{name} failed:\n{stderr[-3000:]}"
    return nbformat.read(path, as_version=4)


def rows(nb) -> list[str]:
    """Every table row of the outputs as 'cell | cell | ...', plus every text output line."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                out += o["text"].splitlines()
                continue
            data = o.get("data", {})
            if "text/markdown" in data:
                out += data["text/markdown"].splitlines()
            for tr in re.findall(r"<tr.*?</tr>", data.get("text/html", ""), re.S):
                tags = re.findall(r"<t[hd].*?</t[hd]>", tr, re.S)
                cells = [html.unescape(re.sub(r"<.*?>", "", c)).strip() for c in tags]
                # text shown on hover (the full source reference of a shortened one) follows the row
                hover = [html.unescape(t) for c in tags for t in re.findall(r'^<t[hd][^>]*\btitle="([^"]*)"', c)]
                out.append(" | ".join(cells + hover))
    return out


def row_with(nb, *parts) -> str:
    """The first row that contains every part (each as a whole cell when it starts with '|')."""
    for r in rows(nb):
        cells = [c.strip() for c in r.split("|")]
        if all((p[1:].strip() in cells) if p.startswith("|") else (p in r) for p in parts):
            return r
    raise AssertionError(f"no output row contains {parts}")


def charts_of(nb) -> list[dict]:
    return [o["data"][k] for c in nb.cells for o in c.get("outputs", []) for k in o.get("data", {})
            if k.startswith("application/vnd.vegalite")]


# --- spending structure ---------------------------------------------------------------------------

def test_spending_defaults(executed):
    nb = _ok(executed, "spending-default")
    # Peine's 2024 plan net total (line 268: -90.820.300) and Aalborg's 2014 net operating total (line 25)
    row_with(nb, "Landkreis Peine", "| 2024", "| original budget", "| 90.820.300")
    row_with(nb, "Aalborg Kommune", "| 2014", "| actual", "| I alt Drift", "| 5.083.000.000")
    # no budget figures in the prose documents: said so, never 0
    row_with(nb, "Landeshauptstadt Magdeburg", "| no figures in source")
    # real terms at 2024 prices: DKK at the 2024 rate, read from the harmonised rows
    assert "- Aalborg Kommune: DKK converted at 7,4589 DKK/EUR (2024 annual mean, ECB)." in rows(nb)
    assert any(r.startswith("- Per inhabitant: ") and "139.170 inhabitants (2023-12-31)" in r for r in rows(nb))
    # scope: Peine's product table itemises only part of Dezernat III's total (forecast net 92.577.700)
    assert any(r.startswith("- Scope: ") and "Landkreis Peine 2024 (forecast)" in r and "= 36 % of" in r
               and "92,6 Mio. EUR" in r for r in rows(nb))
    # fixed colours: Peine and Aalborg keep their palette colours in every chart
    fixed = {"Landkreis Peine": "#4e79a7", "Aalborg Kommune": "#76b7b2"}
    seen = 0
    for spec in charts_of(nb):
        scale = spec.get("encoding", {}).get("color", {}).get("scale") or {}
        for name, colour in zip(scale.get("domain", []), scale.get("range", [])):
            if name in fixed:
                assert colour == fixed[name]
                seen += 1
    assert seen >= 4
    assert all(spec["config"]["locale"]["number"]["decimal"] == "," for spec in charts_of(nb))


def test_spending_nominal_totals_for_two_municipalities(executed):
    nb = _ok(executed, "spending-nominal")
    assert "municipalities: peine, aalborg | base year 2014 | nominal | per total | categories by COFOG group | " \
           "fiscal year latest | phase most realised" in rows(nb)
    # 5.083.000.000 DKK / 7,4548 = 681.842.571 EUR
    row_with(nb, "Aalborg Kommune", "| actual", "| 5.083.000.000", "| 681.842.571")
    row_with(nb, "Landkreis Peine", "| original budget", "| 90.820.300")
    assert "- Aalborg Kommune: DKK converted at 7,4548 DKK/EUR (2014 annual mean, ECB)." in rows(nb)
    assert not any("Magdeburg" in r for r in rows(nb))
    # category_level group: COFOG groups such as 10.7 (Peine 3111 Hilfe zum Lebensunterhalt), not division 10
    row_with(nb, "Landkreis Peine", "| 2024", "| forecast", "| 10.7", "| Social exclusion n.e.c.")
    assert not any(r.startswith("Landkreis Peine | 2024 | forecast | 10 | Social protection") for r in rows(nb))


# --- goal agreements ------------------------------------------------------------------------------

def test_goals_defaults_show_missed_goals(executed):
    nb = _ok(executed, "goals-default")
    # Peine 3118 'Hilfe zur Pflege': decisions within 14 days, target 90, forecast 76, printed 84 % (line 293)
    row_with(nb, "Landkreis Peine", "| 3118", "Hilfe zur Pflege", "| 90", "| 76", "| -14", "| 84", "| missed")
    # Aalborg: young people on public support, target 4.585, result 4.632 (line 497)
    row_with(nb, "Aalborg Kommune", "4.585 fuldtidspersoner", "| 4.585", "| 4.632", "| missed")
    # qualitative goals keep their verbatim quote and line
    row_with(nb, "Bezirk Berlin-Neukölln", "Sofortiges Tätigwerden bei Räumungsklagen",
             "neukoelln_zielvereinbarung_soziale_wohnhilfen_2024.txt:51")


def test_goals_filtered_by_perspective_and_type(executed):
    nb = _ok(executed, "goals-client-outcome")
    assert any(r.startswith("municipalities: ") and r.endswith("perspectives: client | goal types: outcome")
               for r in rows(nb))
    row_with(nb, "Aalborg Kommune", "| 4.585", "| 4.632")
    assert not any("| 3118 |" in r for r in rows(nb))      # a process goal: filtered out


# --- service indicators ---------------------------------------------------------------------------

def test_indicators_defaults(executed):
    nb = _ok(executed, "indicators-default")
    row_with(nb, "Landkreis Peine", "| 3118", "| 90", "| 76", "| -14", "| forecast")          # timeliness
    row_with(nb, "Aalborg Kommune", "Dækningsgrad 0-2 år", "| 71,9", "| 72,6", "| 0,7")       # coverage rate
    # Peine 3118 cases: plan 417, forecast 452 (line 293)
    row_with(nb, "Landkreis Peine", "| 3118", "| Fälle", "| 417", "| 452", "| 35")


def test_indicators_for_aalborg_family_and_children(executed):
    nb = _ok(executed, "indicators-aalborg")
    row_with(nb, "Aalborg Kommune", "Dækningsgrad 3-5 år", "| 100,2", "| 101")
    assert not any("Landkreis Peine |" in r for r in rows(nb))
    assert not any("Substitutionsbehandling" in r for r in rows(nb))   # 10.7, not 10.4


# --- municipality profile -------------------------------------------------------------------------

def test_profile_default_is_peine(executed):
    nb = _ok(executed, "profile-default")
    row_with(nb, "Name", "Landkreis Peine")
    row_with(nb, "peine-2024-143", "Informationsvorlage 2024/143")
    row_with(nb, "Landkreis Peine", "| 2024", "| original budget", "| 90.820.300")
    row_with(nb, "▶ Landkreis Peine")                                      # marked in the standing table
    row_with(nb, "Landeshauptstadt Magdeburg", "| no figures in source")    # the others, also without figures


def test_profile_of_aalborg(executed):
    nb = _ok(executed, "profile-aalborg")
    row_with(nb, "Aalborg Kommune", "| actual", "| 5.083.000.000", "| 681.842.571")
    row_with(nb, "Aalborg Kommune", "| 4.585", "| 4.632", "| missed")
    row_with(nb, "▶ Aalborg Kommune")


# --- invalid parameters stop the notebook in its first cell after the parameters -----------------

@pytest.mark.parametrize("name, parameter", [("spending-invalid", "municipalities"), ("goals-invalid", "municipalities"),
                                             ("indicators-invalid", "municipalities"),
                                             ("profile-invalid", "municipality")])
def test_invalid_parameters_fail_in_the_validation_cell(executed, name, parameter):
    code, path, stderr = executed[name]
    assert code != 0
    nb = nbformat.read(path, as_version=4)
    ignored = {"injected-parameters", "papermill-error-cell-tag"}     # cells papermill adds
    cells = [c for c in nb.cells if not ignored & set(c.metadata.get("tags", []))]
    failed = [i for i, c in enumerate(cells) for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert failed, stderr[-2000:]
    assert "parameters" in cells[failed[0] - 1].metadata.get("tags", [])     # the cell right after the parameters
    error = next(o for o in cells[failed[0]].outputs if o.get("output_type") == "error")
    assert error["ename"] == "ParameterError"
    assert f"Valid choices for {parameter}: {VALID}" in error["evalue"]
    assert "nowhere" in error["evalue"]


# --- honest comparisons: year and phase in every chart, no ordering across unlike scopes ---------

YEAR = re.compile(r"\b(19|20)\d{2}\b")
PHASE_WORDS = ("original budget", "adjusted budget", "forecast", "actual", "outturn", "plan", "no result given")
PAGE_RUNS = ["spending-default", "spending-nominal", "goals-default", "goals-client-outcome", "indicators-default",
             "indicators-aalborg", "profile-default", "profile-aalborg"]


def _title_text(spec) -> str:
    t = spec.get("title")
    if isinstance(t, dict):
        sub = t.get("subtitle") or []
        return " ".join([str(t.get("text", ""))] + ([sub] if isinstance(sub, str) else list(sub)))
    return str(t or "")


def _is_note(spec) -> bool:
    """charts.empty_note: a text mark that only says why there is nothing to draw."""
    mark = spec.get("mark")
    return (mark == "text" or isinstance(mark, dict) and mark.get("type") == "text") and "title" not in spec


def _value_sorts(spec) -> list:
    """Positional sorts by a value (another channel or a field) anywhere in the spec."""
    found = []
    if isinstance(spec, dict):
        enc = spec.get("encoding") or {}
        for ch in ("x", "y"):
            s = (enc.get(ch) or {}).get("sort") if isinstance(enc.get(ch), dict) else None
            if s in ("x", "-x", "y", "-y") or isinstance(s, dict) and ("field" in s or "encoding" in s):
                found.append(s)
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for sub in spec.get(key) or []:
                found += _value_sorts(sub)
        if isinstance(spec.get("spec"), dict):
            found += _value_sorts(spec["spec"])
    return found


def _municipalities(spec) -> set:
    rows = [r for d in (spec.get("datasets") or {}).values() for r in d]
    return {r.get("municipality") for r in rows if r.get("municipality")}


@pytest.mark.parametrize("name", PAGE_RUNS)
def test_every_chart_has_year_and_phase_in_its_title_or_subtitle(executed, name):
    nb = _ok(executed, name)
    specs = [s for s in charts_of(nb) if not _is_note(s)]
    assert specs
    for spec in specs:
        text = _title_text(spec)
        assert YEAR.search(text), f"{name}: no fiscal year in {text!r}"
        assert any(w in text for w in PHASE_WORDS), f"{name}: no phase in {text!r}"


@pytest.mark.parametrize("name", PAGE_RUNS)
def test_no_page_ranks_or_orders_municipalities_with_different_coverage(executed, name):
    """A chart that orders bars by their value does so within one municipality (a panel per
    municipality, or one municipality's data); spending levels across municipalities are compared
    only where coverage is complete (faded otherwise), and no table ranks."""
    nb = _ok(executed, name)
    for spec in charts_of(nb):
        if not _value_sorts(spec):
            continue
        facet = (spec.get("facet") or {})
        per_municipality = any((facet.get(k) or {}).get("field") == "municipality" for k in ("row", "column"))
        assert per_municipality or len(_municipalities(spec)) <= 1, f"{name}: {_title_text(spec)[:80]}"
    for spec in charts_of(nb):
        rows = [r for d in (spec.get("datasets") or {}).values() for r in d]
        if spec.get("encoding", {}).get("opacity", {}).get("condition", {}).get("test") == "datum.complete":
            partial = [r for r in rows if not r.get("complete")]
            assert all(r.get("coverage_text") for r in partial)       # the coverage is in the tooltip
    headers = [r for r in rows_of_headers(nb)]
    assert not any("Rank" in h for h in headers), name


def rows_of_headers(nb) -> list[str]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            out += re.findall(r"<th[^>]*>(.*?)</th>", o.get("data", {}).get("text/html", ""), re.S)
    return out


def test_spending_page_marks_partial_coverage_and_shows_the_settled_deviation(executed):
    nb = _ok(executed, "spending-default")
    comp = next(s for s in charts_of(nb) if _title_text(s).startswith("Net spending by category"))
    data = comp["datasets"][next(iter(comp["datasets"]))]
    social = {r["municipality"]: r for r in data if r["category"] == "10"}
    assert not social["Aalborg Kommune"]["complete"] and not social["Landkreis Peine"]["complete"]
    assert social["Landkreis Peine"]["coverage_text"].startswith("partial")
    assert "Scope: " in _title_text(comp) and "36 %" in _title_text(comp) and "2024 prices" in _title_text(comp)
    # Aalborg's social protection, outturn against the adjusted budget: +0,7 % with the settled figures
    row = row_with(nb, "Aalborg Kommune", "| 2014", "| 10", "| Social protection", "| actual against adjusted budget")
    cells = [c.strip() for c in row.split("|")]
    pct = float(next(c for c in cells if c.endswith("\u00a0%")).replace("\u00a0%", "").replace(",", "."))
    assert -2.0 < pct < 2.0
    row_with(nb, "Aalborg Kommune", "| 10.5", "| complete")                        # the document-coverage table


def test_goals_page_shows_the_contradictions_apart(executed):
    nb = _ok(executed, "goals-default")
    for code, printed in (("31198", "140"), ("3125", "70"), ("41403", "139")):
        row_with(nb, "Landkreis Peine", f"| {code}", f"| {printed}", "| missed")     # printed, computed, figures say
    assert not any(r.startswith("Landkreis Peine | 41403") and "| clear miss |" in r for r in rows(nb))
    row_with(nb, "Landkreis Peine", "| 3114", "| near miss (within 5 points)")


def test_profile_compares_per_category_only_among_complete_coverage(executed):
    nb = _ok(executed, "profile-default")
    row_with(nb, "| 10.5", "| Aalborg Kommune", "| compared (complete coverage)")
    row_with(nb, "| 10.4", "| ▶ Landkreis Peine", "nothing to compare")
    row_with(nb, "Kreis Segeberg", "| 16")                                           # key facts, not ranked
    nb = _ok(executed, "profile-aalborg")
    row_with(nb, "aalborg-2014-g07", "| 100")                                        # pending quantified goal


MONEY_RUNS = ["spending-default", "spending-nominal", "profile-default", "profile-aalborg"]


@pytest.mark.parametrize("name", MONEY_RUNS)
def test_every_money_chart_has_price_basis_and_scope_in_its_title_or_subtitle(executed, name):
    """Issue 10: the price basis and the scope of the figures are in the chart's title or subtitle,
    not only in the caveats under it (every chart of the spending page, a profile's spending charts)."""
    nb = _ok(executed, name)
    specs = [s for s in charts_of(nb) if not _is_note(s)]
    if name.startswith("profile"):
        specs = [s for s in specs if _title_text(s).startswith("Net spending")]
    assert len(specs) >= 2, f"{name}: {len(specs)} charts of amounts"
    for spec in specs:
        text = _title_text(spec)
        assert ("current prices" in text) if name == "spending-nominal" else ("2024 prices" in text), \
            f"{name}: no price basis in {text!r}"
        assert "Scope: " in text, f"{name}: no scope in {text!r}"


def test_methods_page_lists_every_correction_flag_and_task_split_row(executed):
    """Issue 10: the methods page lists the corrections and flags of data/curated/corrections.yml
    (printed and settled figure) and every row of the task-split table."""
    import pandas as pd
    import yaml

    nb = _ok(executed, "methods")
    curated = yaml.safe_load((ROOT / "data/curated/corrections.yml").read_text(encoding="utf-8"))
    assert len(curated["corrections"]) == 7 and len(curated["flags"]) == 6
    for rec in curated["corrections"] + curated["flags"]:
        row_with(nb, f"| {rec['id']}", f"| {rec['document_id']}")
    r658 = row_with(nb, "| aalborg-658-adjusted-income")
    assert "| 149,0 (extracted as -149,000,000) | -149,0 (stored as 149,000,000) |" in r658
    split = pd.read_csv(ROOT / "data/reference/task_split.csv", dtype=str, keep_default_na=False)
    assert len(split) == 38
    for r in split.to_dict("records"):
        row_with(nb, f"| {r['country']}", f"| {r['admin_type']}", f"| {r['category']}", f"| {r['responsibility']}")
