"""profile.py: one municipality's facts, documents, headline total and standing among the others."""
import math

import pandas as pd
import pytest
from samples import profile as samples
from samples.profile import IDS, MUNIS, NAMES, _b  # noqa: F401

from analysis.compare import profile
from analysis.contract import schema

cb = pytest.fixture(samples.cb)
goals = pytest.fixture(samples.goals)


def test_facts_and_documents():
    f = profile.facts(MUNIS, "peine").set_index("field")["value"]
    assert f["Name"] == "Landkreis Peine" and f["Administrative type"] == "Landkreis" and f["Official code"] == "03157"
    docs = pd.DataFrame({"document_id": ["peine-2024-143", "x"], "municipality_id": ["peine", "aalborg"],
                         "title": ["Produktbericht", "Regnskab"], "reference": ["Informationsvorlage 2024/143", None]})
    d = profile.documents(docs, "peine")
    assert list(d["document_id"]) == ["peine-2024-143"] and d.iloc[0]["reference"] == "Informationsvorlage 2024/143"


def test_latest_takes_latest_year_and_most_realised_phase(cb):
    lat = profile.latest(cb).set_index("municipality_id")
    assert lat.at["peine", "fiscal_year"] == 2024 and lat.at["peine", "phase"] == "forecast"
    assert lat.at["peine", "net"] == pytest.approx(2006.9 - 1341.7)      # derived: only exp. and revenue printed
    assert lat.at["aalborg", "net"] == 3312.9                              # the grand total, not + the subtotal
    assert profile.headline_total(cb, "magdeburg") is None


def test_standing_never_ranks_and_keeps_missing_missing(cb, goals):
    """The documents' scopes differ (a department, part of a Dezernat): the standing lists facts
    side by side and ranks nothing; spending is compared per category in scope.standing."""
    ind = schema.empty("indicators")
    st = profile.standing(cb, goals, ind, IDS, NAMES).set_index("municipality_id")
    assert "rank_spending" not in st.columns and "net_per_inhabitant" not in st.columns
    assert st.at["peine", "fiscal_year"] == 2024 and st.at["peine", "phase"] == "forecast"
    assert st.at["magdeburg", "missing"] == "no figures in source" and pd.isna(st.at["magdeburg", "phase"]) and st.at["magdeburg", "goals"] == 0
    assert math.isnan(st.at["magdeburg", "share_quantified"]) and pd.isna(st.at["magdeburg", "pending"])
    assert st.at["peine", "goals"] == 4 and st.at["peine", "share_quantified"] == 75
    assert st.at["peine", "share_met"] == pytest.approx(200 / 3)          # 2 of 3 measured goals met
    assert st.at["aalborg", "share_met"] == 0
    assert st.at["peine", "contradictions"] == 0 and st.at["peine", "pending"] == 0  # 'pending' p3 has no target
    assert pd.isna(st.at["peine", "indicators"])                           # none in the table: missing, not 0


def test_standing_scope_comes_from_the_coverage_table(cb, goals):
    cov = pd.DataFrame([{"municipality_id": "peine", "document_id": "peine-doc", "category": "total",
                         "coverage": "partial", "share": 36.0, "scope": "Dezernat III product report (36 %)",
                         "note": "", "evidence": "f.txt:1"}])
    st = profile.standing(cb, goals, schema.empty("indicators"), IDS, NAMES, coverage=cov).set_index("municipality_id")
    assert st.at["peine", "scope"] == "Dezernat III product report (36 %)"
    assert st.at["aalborg", "scope"] == "not recorded"


def test_latest_for_a_chosen_year_and_phase(cb):
    lat = profile.latest(cb, fiscal_year=2024, phase="original_budget")
    assert list(lat["municipality_id"]) == ["peine"] and list(lat["phase"]) == ["original_budget"]
    assert lat["net"].iloc[0] != profile.latest(cb).set_index("municipality_id").at["peine", "net"]  # not the forecast
    assert profile.latest(cb, fiscal_year=1999).empty
