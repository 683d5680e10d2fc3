"""corrections.py and data/curated/corrections.yml: misprints the documents settle themselves are
corrected with the printed figure kept; doubtful figures are flagged and kept as printed."""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.api import Workspace
from analysis.compare import spending
from analysis.contract import schema
from analysis.contract.errors import InputError
from analysis.reference import tables as reference
from analysis.sources import corrections, extract, registry

ROOT = Path(__file__).resolve().parents[2]
FILE = ROOT / "data" / "curated" / "corrections.yml"
AALBORG = "aalborg_regnskab_2014_fb.txt"


@pytest.fixture(scope="module")
def built():
    return extract.build_tables(ROOT)


@pytest.fixture(scope="module")
def tables(built):
    return built.tables


def one(df, **kw):
    for k, v in kw.items():
        df = df[df[k].astype(str) == str(v)]
    assert len(df) == 1, kw
    return df.iloc[0]


def _net(b, item_code, phase):
    rows = b[(b["item_code"] == item_code) & (b["phase"] == phase) & (b["level"] == "product")]
    e = one(rows, direction="expenditure")["amount"]
    r = one(rows, direction="revenue")["amount"]
    return e - r


# --- the file itself ----------------------------------------------------------------------------

def test_every_evidence_quote_and_printed_figure_is_on_its_line():
    """The same check as for curated goal quotes: each quote is verbatim on its line of the raw file."""
    docs = registry.documents(ROOT)
    records = corrections.load(FILE, docs, ROOT)           # raises on any quote not on its line
    data = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    assert len(records) == len(data["corrections"]) + len(data["flags"]) == 13
    cited = {r["document_id"] for r in records}     # the council documents (UTF-8 text), not budget files
    raw = {d: (ROOT / p).read_text(encoding="utf-8").split("\n") for d, p in zip(docs["document_id"], docs["path"])
           if d in cited}
    for rec in records:
        lines = raw[rec["document_id"]]
        for e in rec["evidence"]:
            assert e["quote"] in lines[e["line"] - 1], (rec["id"], e["line"])
        if rec["printed"] is not None:
            assert rec["printed"] in lines[rec["line"] - 1], rec["id"]


def test_a_quote_that_is_not_on_its_line_names_the_file_key_and_where_it_is(tmp_path):
    text = FILE.read_text(encoding="utf-8").replace('{line: 585, quote: "Netto\\t0\\t0\\t0\\t0"}',
                                                    '{line: 584, quote: "Netto\\t0\\t0\\t0\\t0"}')
    bad = tmp_path / "corrections.yml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        corrections.load(bad, registry.documents(ROOT), ROOT)
    msg = str(exc.value)
    assert str(bad) in msg and "column 'evidence'" in msg and "aalborg-658-adjusted-income" in msg
    assert "is not on line 584" in msg and "585" in msg


def test_bad_records_are_refused_with_every_problem(tmp_path):
    bad = tmp_path / "corrections.yml"
    bad.write_text(yaml.safe_dump({"corrections": [
        {"id": "x", "document_id": "nowhere", "table": "budget", "line": 1, "row": {}, "column": "value",
         "printed": None, "settled": "0", "as_printed": None, "value": "zero", "evidence": [], "reason": "r"}],
        "flags": [{"id": "y", "colour": "red"}]}), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        corrections.load(bad, registry.documents(ROOT), ROOT)
    msg = str(exc.value)
    for part in ("not a figure column of the table", "expected a number", "expected a list of evidence lines",
                 "unknown document", "unknown key", "required key is missing"):
        assert part in msg, part


def test_a_correction_whose_row_no_longer_holds_the_printed_figure_stops_extract(tmp_path, tables):
    rec = next(r for r in corrections.load(FILE, registry.documents(ROOT), ROOT)
               if r["id"] == "aalborg-457-original-income")
    with pytest.raises(InputError) as exc:
        corrections.apply({"budget": tables["budget"]}, [{**rec, "as_printed": 11_000_000}])
    assert "not the printed figure" in str(exc.value) and "as_printed" in str(exc.value)
    with pytest.raises(InputError) as exc:
        corrections.apply({"budget": tables["budget"]}, [{**rec, "line": 458}])
    assert "matches 0 rows" in str(exc.value)


# --- the settled figures --------------------------------------------------------------------------

def test_aalborg_line_658_adjusted_income_is_settled_with_the_printed_figure_kept(tables):
    b = tables["budget"]
    row = one(b, source_ref=f"{AALBORG}:658", phase="adjusted_budget", direction="revenue")
    assert row["amount"] == 149_000_000                      # the area's income, settled by lines 23, 24, 584, 632
    assert row["amount_as_printed"] == -149_000_000          # printed 149,0: a negative revenue in the contract's sign
    assert row["correction_id"] == "aalborg-658-adjusted-income"
    assert "printed 149,0, settled -149,0" in row["correction_note"]
    assert pd.isna(row["note"]) or "positive income" not in str(row["note"])
    assert _net(b, "VF.omraader_med_100_refusion", "adjusted_budget") == 0    # as lines 23, 585 and 632
    assert _net(b, "VF.omraader_med_100_refusion", "actual") == 0


def test_aalborg_line_165_refund_gets_the_expenditure_of_line_166(tables):
    b = tables["budget"]
    for phase, net in (("actual", -26_600_000), ("original_budget", -36_400_000), ("adjusted_budget", -27_400_000)):
        row = one(b, source_ref=f"{AALBORG}:165", phase=phase, direction="expenditure")
        assert row["amount"] == 0 and math.isnan(row["amount_as_printed"])   # printed as an empty cell
        assert row["correction_id"] == f"aalborg-165-{phase.split('_')[0]}-expenditure"
        assert _net(b, "BU.refusion_saerlig_dyre_enkeltsager", phase) == net


def test_aalborg_line_457_original_income_and_line_407_sector_total(tables):
    b = tables["budget"]
    row = one(b, source_ref=f"{AALBORG}:457", phase="original_budget", direction="revenue")
    assert (row["amount"], row["amount_as_printed"]) == (119_700_000, 12_000_000)
    for phase, settled, printed in (("original_budget", 1_834_567_000, 1_696_234_000),
                                    ("adjusted_budget", 1_840_454_000, 1_693_234_000)):
        row = one(b, source_ref=f"{AALBORG}:407", phase=phase)
        assert (row["amount"], row["amount_as_printed"]) == (settled, printed)
    actual = one(b, source_ref=f"{AALBORG}:407", phase="actual")            # printed right: untouched
    assert actual["amount"] == 1_854_043_000 and pd.isna(actual["correction_id"])


def test_each_correction_is_a_quality_row_with_status_corrected(tables):
    q = tables["quality"]
    c = q[q["status"] == "corrected"]
    assert sorted(c["source_ref"]) == sorted([f"{AALBORG}:{n}" for n in (658, 165, 165, 165, 457, 407, 407)])
    r658 = one(c, source_ref=f"{AALBORG}:658")
    assert r658["found"] == "149,0 (extracted as -149,000,000)"
    assert r658["expected"] == "-149,0 (stored as 149,000,000)"
    assert "lines 23, 24, 584, 585, 586, 632, 659" in r658["detail"]
    assert "corrected" in schema.QUALITY_STATUSES


def test_flagged_figures_stay_as_printed(tables):
    ind = tables["indicators"]
    k = one(ind, source_ref="peine_produktbericht_2024-06.txt:336", indicator="Kontakte", phase="forecast")
    assert k["value"] == 40_097 and k["flag_id"] == "peine-41403-contacts-forecast"
    assert pd.isna(k["correction_id"]) and math.isnan(k["value_as_printed"])
    b = tables["budget"]
    feb = one(b, source_ref="peine_produktbericht_2024-06.txt:220", period="2024-02")
    assert feb["amount"] == 960 and feb["flag_id"] == "peine-220-february-transfers"
    assert (b.loc[b["source_ref"] == "peine_produktbericht_2024-06.txt:176", "flag_id"]
            == "peine-176-fd33-2022-revenue").all()
    g = tables["goals"].set_index("goal_id")
    assert g.loc["peine-3129-g1", "result"] == 74 and g.loc["peine-3129-g1", "flag_id"] == "peine-3129-goal-figures"
    q = tables["quality"]
    flags = q[q["check"].str.startswith("flag:")]
    assert set(flags["status"]) == {"warning"} and len(flags) == 6


# --- what the spending page computes -------------------------------------------------------------

def test_aalborg_social_protection_deviation_is_within_two_percent(tables):
    """The spending page (real, 2024 prices, per inhabitant, divisions): outturn against the adjusted
    budget. As printed, line 658 gave -5.0 %; with the document's own figures it is a small overspend."""
    ws = Workspace(tables, reference.load(ROOT), ROOT)
    cb = ws.comparable_budget(["aalborg", "peine"], base_year=2024, price_basis="real", per="inhabitant")
    pvo = spending.plan_vs_outturn(cb, "category", "division", cofog=ws.reference.cofog)
    row = one(pvo, municipality_id="aalborg", category="10")
    assert row["compared_with"] == "adjusted_budget" and row["outturn_phase"] == "actual"
    assert -2.0 < row["deviation_pct"] < 2.0
    assert row["deviation_pct"] == pytest.approx(0.68, abs=0.01)
    assert "aalborg-658-adjusted-income" in row["correction_note"]
    nine = one(spending.plan_vs_outturn(cb, "category", "group", cofog=ws.reference.cofog),
               municipality_id="aalborg", category="10.9")
    assert -10 < nine["deviation_pct"] < 0                     # was -58.9 % with the misprint


def test_the_scope_share_of_aalborg_is_no_longer_above_100_percent(tables):
    ws = Workspace(tables, reference.load(ROOT), ROOT)
    cb = ws.comparable_budget(["aalborg"], per="total")
    covered = spending.composition(cb, "division")["value"].sum()
    total = one(spending.totals(cb), phase="actual")["net"]
    assert covered / total == pytest.approx(5_082.3 / 5_083.0, abs=0.001)   # 26,6 mio. kr. refund counted


def test_a_workspace_without_the_file_extracts_as_printed(tmp_path):
    root = tmp_path / "ws"
    for sub in ("raw", "municipalities", "reference", "curated"):
        shutil.copytree(ROOT / "data" / sub, root / "data" / sub)
    (root / "data" / "curated" / "corrections.yml").unlink()
    b = extract.build_tables(root).tables["budget"]
    row = one(b, source_ref=f"{AALBORG}:658", phase="adjusted_budget", direction="revenue")
    assert row["amount"] == -149_000_000 and pd.isna(row["correction_id"])
