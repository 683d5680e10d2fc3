"""A hostile municipality: a payload in every free-text field of every table, of municipality.yml and
of its reference rows (issue 12). Used by tests/report/test_hostile_site.py.

Each payload names its field and, if it ever ran in a browser, would set ``window.__xss`` and
``document.title``: a <script>, an <img onerror>, a Markdown link to javascript:, Markdown emphasis
and a Quarto shortcode that prints the build machine's HOME. Some fields start with = + - @ so
that a spreadsheet would read them as formulas.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

MID = "testtown"
MARK = "window.__xss=(window.__xss||[]).concat"


def payload(field: str, start: str = "") -> str:
    return (f"{start}{field} <script>{MARK}(['{field}']);document.title='XSS {field}'</script>"
            f"<img src=x onerror=\"{MARK}(['{field}-img']);document.title='XSS {field}'\"> "
            f"[{field}-link](javascript:document.title='XSS') **{field}-bold** {{{{< env HOME >}}}}")


NAME = payload("name")


def bomb(levels: int) -> str:
    """A YAML "billion laughs": each level repeats the previous one nine times (9 levels: 10^9 strings)."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"
FORMULA = '=HYPERLINK("http://evil.example/","click me")'


def _csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def municipality_yml() -> str:
    return "\n".join([f"municipality_id: {MID}", f"name: {json.dumps(NAME)}", 'country: "DE"',
                      f"region: {json.dumps(payload('region'))}", 'admin_type: "Stadt"', 'currency: "EUR"',
                      'language: "de"', f"official_code: {json.dumps(payload('official_code'))}", ""])


def documents() -> list[dict]:
    return [{"document_id": f"{MID}-haushalt-2023", "municipality_id": MID, "title": payload("d_title"),
             "reference": payload("d_reference"), "date": "2022-12-15", "publisher": payload("d_publisher"),
             "language": "de", "path": "https://example.org/haushalt-2023.pdf?" + payload("d_path").replace(" ", "%20"),
             "sha256": "", "notes": payload("d_notes", "=")}]


def budget() -> list[dict]:
    base = {"municipality_id": MID, "document_id": f"{MID}-haushalt-2023", "fiscal_year": 2023, "period": "2023",
            "org_unit": payload("b_org_unit"), "direction": "net", "economic_type": "all", "phase": "original_budget",
            "currency": "EUR", "budget_type": "operating"}
    return [
        {**base, "item_code": "T" + payload("b_total_code"), "item_name": payload("b_total_name"),
         "item_name_en": payload("b_total_name_en"), "level": "total", "amount": "3000", "category": "",
         "source_ref": "<img/src=x/onerror=window.__xss=1>:2", "note": payload("b_total_note", "-2+3 ")},
        {**base, "item_code": "3111" + payload("b_item_code"), "item_name": payload("b_item_name"),
         "item_name_en": FORMULA + payload("b_item_name_en"), "level": "product", "amount": "1000",
         "category": "10.7", "source_ref": "", "note": payload("b_note", "@SUM(1+1) ")},
        {**base, "item_code": "3118", "item_name": payload("b_item_name_2", "+1+2 "), "item_name_en": "=1+2",
         "level": "product", "amount": "2000", "category": "10.2", "source_ref": "", "note": ""},
    ]


def indicators() -> list[dict]:
    base = {"municipality_id": MID, "document_id": f"{MID}-haushalt-2023", "fiscal_year": 2023,
            "item_code": "3111" + payload("i_item_code"), "indicator": payload("i_indicator"),
            "indicator_en": payload("i_indicator_en", "@"), "unit": payload("i_unit"), "category": "10.7",
            "source_ref": "", "note": payload("i_note", "=")}
    return [{**base, "phase": "original_budget", "value": "10"}, {**base, "phase": "actual", "value": "12"}]


def goals() -> list[dict]:
    base = {"municipality_id": MID, "document_id": f"{MID}-haushalt-2023", "item_code": "3111",
            "perspective": "process_quality", "source_ref": "", "perspective_original": payload("g_perspective_original"),
            "target_year": "2023", "note": payload("g_note", "=")}
    return [
        {**base, "goal_id": f"{MID}-2023-01", "goal": payload("g_goal"), "goal_en": payload("g_goal_en", "+"),
         "goal_type": "process", "metric": payload("g_metric", "=1+2 "), "unit": payload("g_unit"),
         "direction": "higher_is_better", "target": "95", "result": "97", "result_phase": "actual",
         "achievement_reported": "", "achievement": "", "status": "met", "quantified": "", "quote": payload("g_quote")},
        {**base, "goal_id": f"{MID}-2023-02", "goal": payload("g_goal_2"), "goal_en": payload("g_goal_en_2"),
         "goal_type": "structure", "metric": "", "unit": "", "direction": "none", "target": "", "result": "",
         "result_phase": "", "achievement_reported": "", "achievement": "", "status": "no_target", "quantified": "",
         "quote": payload("g_quote_2", "=")},
    ]


KEEP = ("peine", "aalborg")   # a DKK municipality too: its currency caveat quotes exchange_rates.csv


def make(root: Path) -> Path:
    """Turn a copy of the workspace (conftest.copy_workspace) into peine, aalborg and the hostile
    testtown, with payloads in testtown's reference rows and the DKK exchange-rate sources."""
    root = Path(root)
    munis = root / "data" / "municipalities"
    for folder in munis.iterdir():
        if folder.name not in KEEP:
            shutil.rmtree(folder)
    for goals_file in (root / "data" / "curated" / "goals").glob("*.yml"):
        if goals_file.stem not in KEEP:
            goals_file.unlink()
    raw = root / "data" / "raw" / "documents.csv"
    lines = raw.read_text(encoding="utf-8").splitlines()
    raw.write_text("\n".join([lines[0]] + [ln for ln in lines[1:] if ln.split(",")[1] in KEEP]) + "\n", encoding="utf-8")
    folder = munis / MID
    folder.mkdir()
    (folder / "municipality.yml").write_text(municipality_yml(), encoding="utf-8")
    for name, rows in (("documents", documents()), ("budget", budget()), ("indicators", indicators()),
                       ("goals", goals())):
        (folder / f"{name}.csv").write_text(_csv(rows), encoding="utf-8")
    ref = root / "data" / "reference"
    with open(ref / "population.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(
            [MID, payload("p_official_code"), 2023, "2023-12-31", 50000, payload("p_source", "="),
             payload("p_publisher"), payload("p_notes", "@")])
    fx = ref / "exchange_rates.csv"
    rows = list(csv.DictReader(io.StringIO(fx.read_text(encoding="utf-8"))))
    for r in rows:
        if r["currency"] == "DKK":
            r["source"] = payload(f"fx_source_{r['year']}")
    fx.write_text(_csv(rows), encoding="utf-8")
    ts = ref / "task_split.csv"   # testtown is a DE Stadt: its task-split texts, in caveats and the methods page
    rows = list(csv.DictReader(io.StringIO(ts.read_text(encoding="utf-8"))))
    for r in rows:
        if (r["country"], r["admin_type"]) == ("DE", "Stadt"):
            r.update(who_else=payload(f"ts_who_else_{r['category']}"), note=payload(f"ts_note_{r['category']}", "="),
                     source=payload(f"ts_source_{r['category']}"))
    ts.write_text(_csv(rows), encoding="utf-8")
    with open(ref / "coverage.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(
            [MID, f"{MID}-haushalt-2023", "total", "partial", "40.0", payload("c_share_basis", "+"),
             payload("c_scope"), "haushalt-2023.pdf:3", payload("c_note", "@")])
    return root


CONFIG = """\
site:
  title: Hostile input site
pages:
  - name: spending
    notebook: notebooks/spending_structure.ipynb
    title: Spending structure
    nav: Spending
    parameters: {municipalities: all, base_year: 2024, price_basis: real, per: inhabitant}
  - name: goals
    notebook: notebooks/goal_agreements.ipynb
    title: Goals
    parameters: {municipalities: all}
  - name: indicators
    notebook: notebooks/service_indicators.ipynb
    title: Indicators
    parameters: {municipalities: all}
  - profiles:
      name: "profile-{municipality_id}"
      notebook: notebooks/municipality_profile.ipynb
      title: "{name}"
      menu: Municipality profiles
      description: "Budget, goals and indicators of {name}."
      parameters: {municipality: "{municipality_id}"}
  - name: methods
    notebook: notebooks/methods.ipynb
    title: Methods and sources
"""


# --- careless edits of the fixture municipality (tests/fixtures/municipality/musterstadt) ------------

def edit_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV (row 1 = header), keeping its delimiter, encoding and BOM."""
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text, enc = raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, enc = raw.decode("cp1252"), "cp1252"
    delim = ";" if text.split("\n", 1)[0].count(";") else ","
    recs = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    recs[row - 1][recs[0].index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, delimiter=delim, lineterminator="\n").writerows(recs)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode(enc))


def rules_workspace(tmp_path: Path) -> Path:
    """The fixture workspace (musterstadt, fictitious reference data) with the category map, so that
    `analysis extract` runs on it in a second (no importers, no curated goals)."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from conftest import ROOT, fixture_workspace

    root = fixture_workspace(tmp_path, with_musterstadt=True)
    for name in ("category_map.csv", "schemes.csv", "indicator_category_map.csv"):
        shutil.copy(ROOT / "data" / "reference" / name, root / "data" / "reference" / name)
    return root
