"""profile_charts.py: charts and display tables drawn from the profile and scope DataFrames."""
import pandas as pd
import pytest
from samples import profile as samples
from samples.profile import IDS, MUNIS, NAMES, _b  # noqa: F401

from analysis.compare import profile, scope
from analysis.contract import schema
from analysis.report import profile_charts as pc

cb = pytest.fixture(samples.cb)
goals = pytest.fixture(samples.goals)

COMP = pd.DataFrame({"municipality_id": ["peine", "aalborg", "peine", "aalborg"],
                     "category": ["10.5", "10.5", "10.4", "10.4"],
                     "category_name_en": ["Unemployment", "Unemployment", "Family and children", "Family and children"],
                     "fiscal_year": [2024, 2014, 2024, 2014], "phase": ["forecast", "actual", "forecast", "actual"],
                     "value": [83.3, 1210.4, 1.4, 1213.1], "unit": "EUR per inhabitant"})
COVERAGE = pd.DataFrame({"municipality_id": ["peine", "aalborg", "peine", "aalborg"],
                         "document_id": ["p", "a", "p", "a"], "category": ["10.5", "10.5", "10.4", "10.4"],
                         "coverage": ["complete", "complete", "partial", "complete"], "share": [None] * 4,
                         "scope": [""] * 4, "evidence": ["f.txt:1"] * 4, "note": ["", "", "Jugendamt not itemised", ""]})


def test_standing_chart_compares_only_complete_coverage_and_ranks_nothing():
    st = scope.standing(COMP, COVERAGE, "peine", NAMES)
    spec = pc.standing_chart(st, "peine", IDS, NAMES).to_dict()
    data = spec["datasets"][next(iter(spec["datasets"]))]
    assert {(r["category"], r["municipality"]) for r in data} == {("10.5", "Aalborg Kommune"), ("10.5", "Landkreis Peine")}
    assert [r["selected"] for r in data if r["municipality_id"] == "peine"] == [True]
    assert spec["encoding"]["yOffset"]["sort"] == ["Aalborg Kommune", "Landkreis Peine"]     # alphabetical, not by value
    assert "not a ranking" in " ".join(spec["title"]["subtitle"])
    assert "2014" in spec["title"]["subtitle"][0] and "forecast" in spec["title"]["subtitle"][0]
    view = pc.category_standing_view(st, "peine").set_index(["Category", "Municipality"])
    assert view.loc[("10.4", "▶ Landkreis Peine"), "Comparison"].startswith("nothing to compare: the document's coverage")


def test_standing_view_marks_the_municipality_without_a_rank(cb, goals):
    st = profile.standing(cb, goals, schema.empty("indicators"), IDS, NAMES)
    view = pc.standing_view(st, "peine")
    assert "▶ Landkreis Peine" in set(view["Municipality"])
    assert not any("Rank" in c for c in view.columns)
