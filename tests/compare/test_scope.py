"""scope.py: coverage of each document per category, and comparisons only among complete coverage."""
import pandas as pd
import pytest

from analysis.compare import caveats, scope
from analysis.reference import tables as reference

COVERAGE = pd.DataFrame([
    {"municipality_id": "peine", "document_id": "p", "category": "total", "coverage": "partial", "share": 36.0,
     "scope": "Dezernat III product report (36 %)", "evidence": "f.txt:268", "note": ""},
    {"municipality_id": "peine", "document_id": "p", "category": "10", "coverage": "partial", "share": float("nan"),
     "scope": "", "evidence": "f.txt:27", "note": "Jugendamt not itemised"},
    {"municipality_id": "peine", "document_id": "p", "category": "10.5", "coverage": "complete",
     "share": float("nan"), "scope": "", "evidence": "f.txt:327", "note": ""},
    {"municipality_id": "peine", "document_id": "p", "category": "07", "coverage": "complete",
     "share": float("nan"), "scope": "", "evidence": "f.txt:339", "note": ""},
    {"municipality_id": "aalborg", "document_id": "a", "category": "10.5", "coverage": "complete",
     "share": float("nan"), "scope": "", "evidence": "a.txt:470", "note": ""},
    {"municipality_id": "aalborg", "document_id": "a", "category": "10.2", "coverage": "partial",
     "share": float("nan"), "scope": "", "evidence": "a.txt:651", "note": "personal supplements only"},
    {"municipality_id": "magdeburg", "document_id": "m", "category": "total", "coverage": "absent",
     "share": float("nan"), "scope": "", "evidence": "m.txt:185", "note": "no amounts"},
])
NAMES = {"peine": "Landkreis Peine", "aalborg": "Aalborg Kommune", "magdeburg": "Landeshauptstadt Magdeburg"}


def test_coverage_of_uses_the_category_then_a_complete_or_absent_parent():
    assert scope.coverage_of(COVERAGE, "peine", "10.5")["coverage"] == "complete"
    assert scope.coverage_of(COVERAGE, "peine", "10")["coverage"] == "partial"
    assert scope.coverage_of(COVERAGE, "peine", "10.4")["coverage"] == "not recorded"   # a partial division says nothing
    assert scope.coverage_of(COVERAGE, "peine", "07.4")["coverage"] == "complete"       # a complete division covers it
    assert scope.coverage_of(COVERAGE, "magdeburg", "10.5")["coverage"] == "absent"     # the document has no amounts
    assert scope.coverage_of(COVERAGE, "segeberg", "10.4")["coverage"] == "not recorded"
    assert scope.coverage_label(scope.coverage_of(COVERAGE, "peine", "total")) == "partial (36 %)"


def test_with_coverage_marks_partial_coverage_and_adds_the_scope():
    comp = pd.DataFrame({"municipality_id": ["peine", "aalborg"], "category": ["10", "10.5"], "value": [194.0, 1210.4]})
    c = scope.with_coverage(comp, COVERAGE).set_index("municipality_id")
    assert not c.at["peine", "complete"] and c.at["aalborg", "complete"]
    assert c.at["peine", "coverage_text"] == "partial (share not computable): Jugendamt not itemised"
    assert c.at["peine", "scope"] == "Dezernat III product report (36 %)" and c.at["aalborg", "scope"] == "not recorded"


def test_standing_compares_a_category_only_among_complete_coverage():
    comp = pd.DataFrame({"municipality_id": ["peine", "aalborg", "peine", "aalborg"],
                         "category": ["10.5", "10.5", "10.2", "10.2"], "category_name_en": None,
                         "fiscal_year": [2024, 2014, 2024, 2014], "phase": ["forecast", "actual"] * 2,
                         "value": [83.3, 1210.4, 42.8, 17.1], "unit": "EUR per inhabitant"})
    st = scope.standing(comp, COVERAGE, "peine", NAMES)
    five = st[st["category"] == "10.5"]
    assert list(five["municipality"]) == ["Aalborg Kommune", "Landkreis Peine"]      # alphabetical, not by value
    assert set(five["comparison"]) == {"compared (complete coverage)"}
    two = st[st["category"] == "10.2"]
    assert list(two["municipality_id"]) == ["peine"]                                 # Aalborg covers 10.2 partly
    assert two.iloc[0]["comparison"].startswith("nothing to compare: the document's coverage of the category is "
                                                "not recorded")
    a = scope.standing(comp, COVERAGE, "aalborg", NAMES)
    assert a[a["category"] == "10.2"].iloc[0]["comparison"].startswith(
        "nothing to compare: the document's coverage of the category is partial")
    assert "rank" not in " ".join(st.columns)


def test_task_split_caveats_are_keyed_by_country_and_admin_type():
    munis = pd.DataFrame({"municipality_id": ["aalborg", "x", "peine"], "name": ["Aalborg Kommune", "Stadt X", "Peine"],
                          "country": ["DK", "DE", "DE"], "admin_type": ["Kommune", "Kommune", "Landkreis"]})
    text = caveats.task_split(munis, ["aalborg", "x", "peine"])[0]
    assert "Aalborg Kommune is a Danish municipality (Kommune)" in text
    assert "Stadt X is a Kommune in DE: its tasks are not described" in text      # never called a Danish Kommune
    assert "Peine is a German county (Landkreis)" in text
    ts = reference.load_task_split()
    lines = caveats.task_split(munis, ["aalborg", "peine"], ts, ["10.5"])
    who = lines[-1]
    assert who.startswith("Who pays for each category") and "10.5: " in who
    assert "Aalborg Kommune pays partly (state refund" in who and "Peine pays partly (Bund" in who
    rows = scope.task_split_rows(ts, munis, ["peine"], ["10.1"])
    assert list(rows["category"]) == ["10.1.2"]                                     # a class under the group


@pytest.mark.parametrize("mid, category, coverage", [("peine", "10.5", "complete"), ("peine", "10.4", "partial"),
                                                     ("aalborg", "10.2", "partial"), ("aalborg", "10.5", "complete"),
                                                     ("magdeburg", "10.7", "absent")])
def test_the_shipped_coverage_table(mid, category, coverage):
    cov = reference.load_coverage()
    assert scope.coverage_of(cov, mid, category)["coverage"] == coverage
    peine = cov[(cov["municipality_id"] == "peine") & (cov["category"] == "total")].iloc[0]
    assert peine["share"] == 36.0 and "33.340.700" in peine["share_basis"] and "92.577.700" in peine["share_basis"]


def test_with_coverage_looks_up_each_row_as_coverage_of_does():
    # with_coverage groups coverage.csv once (linear in rows); each row's record is coverage_of's
    cov = pd.DataFrame([
        {"municipality_id": "a", "category": "10", "coverage": "partial", "share": 36.0, "note": "n", "evidence": "e"},
        {"municipality_id": "a", "category": "10.4", "coverage": "complete", "share": float("nan"), "note": None,
         "evidence": "l. 3"},
        {"municipality_id": "b", "category": "total", "coverage": "absent", "share": float("nan"), "note": "none",
         "evidence": ""},
        {"municipality_id": "c", "category": "10", "coverage": "complete", "share": float("nan"), "note": "",
         "evidence": "x"}]).assign(scope="")
    df = pd.DataFrame({"municipality_id": ["a", "a", "a", "b", "c", "c", "d"],
                       "category": ["10", "10.4", "10.9", "10.1", "10.2.1", None, "10"]})
    out = scope.with_coverage(df, cov)
    recs = [scope.coverage_of(cov, m, c) for m, c in zip(df["municipality_id"], df["category"])]
    assert out["coverage"].tolist() == [r["coverage"] for r in recs] == \
        ["partial", "complete", "not recorded", "absent", "complete", "not recorded", "not recorded"]
    assert out["coverage_text"].tolist() == [scope.coverage_label(r) for r in recs]
    assert out["coverage_evidence"].tolist() == [r["evidence"] for r in recs]
