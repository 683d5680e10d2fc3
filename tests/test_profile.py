"""profile.py: one municipality's facts, documents, headline total and standing among the others."""
import math

import pandas as pd
import pytest

from analysis import profile, schema

MUNIS = pd.DataFrame({"municipality_id": ["aalborg", "magdeburg", "peine"],
                      "name": ["Aalborg Kommune", "Landeshauptstadt Magdeburg", "Landkreis Peine"],
                      "country": ["DK", "DE", "DE"], "region": ["Region Nordjylland", "Sachsen-Anhalt", "Niedersachsen"],
                      "admin_type": ["Kommune", "kreisfreie Stadt", "Landkreis"], "currency": ["DKK", "EUR", "EUR"],
                      "language": ["da", "de", "de"], "official_code": ["851", "15003", "03157"]})
IDS = list(MUNIS["municipality_id"])
NAMES = dict(zip(MUNIS["municipality_id"], MUNIS["name"]))


def _b(mid, year, phase, direction, value, level="total", group=None):
    return {"municipality_id": mid, "document_id": f"{mid}-doc", "fiscal_year": year, "period": str(year),
            "org_unit": "Dezernat III" if mid == "peine" else "FB", "item_code": "T", "item_name": "total",
            "item_name_en": None, "level": level, "direction": direction, "economic_type": "all", "phase": phase,
            "amount": value, "currency": "EUR" if mid == "peine" else "DKK", "category": None,
            "source_ref": "f.txt:1", "budget_group": group}


@pytest.fixture
def cb():
    """Per-inhabitant values as comparable_budget(per='inhabitant') gives them (value, unit)."""
    rows = [
        # Peine: 2023 actual and 2024 plan and forecast; the latest year's most realised phase is the forecast
        _b("peine", 2023, "actual", "expenditure", 1900.0), _b("peine", 2023, "actual", "revenue", 1300.0),
        _b("peine", 2024, "original_budget", "expenditure", 1877.1), _b("peine", 2024, "original_budget", "revenue", 1224.5),
        _b("peine", 2024, "forecast", "expenditure", 2006.9), _b("peine", 2024, "forecast", "revenue", 1341.7),
        # Aalborg: actual with a printed net, plus a budget-group subtotal that must not be added
        _b("aalborg", 2014, "actual", "net", 3312.9), _b("aalborg", 2014, "actual", "net", 1558.4, group="service"),
    ]
    df = schema.conform(pd.DataFrame(rows), "budget")
    df["value"] = df["amount"]
    df["unit"] = "EUR at 2024 prices per inhabitant"
    return df


@pytest.fixture
def goals():
    rows = [{"municipality_id": "peine", "document_id": "d", "goal_id": f"p{i}", "goal": "g", "goal_en": "g",
             "perspective": "client", "goal_type": "process", "direction": "higher_is_better", "target": t,
             "result": r, "status": s, "quantified": t is not None, "quote": "q", "source_ref": "f.txt:1"}
            for i, (t, r, s) in enumerate([(90, 76, "missed"), (95, 100, "met"), (93, 99, "met"), (None, None, "pending")])]
    rows.append({"municipality_id": "aalborg", "document_id": "d", "goal_id": "a1", "goal": "g", "goal_en": "g",
                 "perspective": "client", "goal_type": "outcome", "direction": "lower_is_better", "target": 4585,
                 "result": 4632, "status": "missed", "quantified": True, "quote": "q", "source_ref": "f.txt:497"})
    return schema.conform(pd.DataFrame(rows), "goals")


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


def test_standing_ranks_and_keeps_missing_missing(cb, goals):
    ind = schema.empty("indicators")
    st = profile.standing(cb, goals, ind, IDS, NAMES).set_index("municipality_id")
    assert st.at["aalborg", "rank_spending"] == 1 and st.at["peine", "rank_spending"] == 2
    assert pd.isna(st.at["magdeburg", "rank_spending"]) and math.isnan(st.at["magdeburg", "net_per_inhabitant"])
    assert st.at["magdeburg", "phase"] == "no figures in source" and st.at["magdeburg", "goals"] == 0
    assert math.isnan(st.at["magdeburg", "share_quantified"])
    assert st.at["peine", "goals"] == 4 and st.at["peine", "share_quantified"] == 75
    assert st.at["peine", "share_met"] == pytest.approx(200 / 3)          # 2 of 3 measured goals met
    assert st.at["aalborg", "share_met"] == 0
    assert pd.isna(st.at["peine", "indicators"])                           # none in the table: missing, not 0


def test_standing_chart_highlights_the_municipality(cb, goals):
    st = profile.standing(cb, goals, schema.empty("indicators"), IDS, NAMES)
    spec = profile.standing_chart(st, "peine", IDS, NAMES).to_dict()
    data = spec["datasets"][next(iter(spec["datasets"]))]
    assert {r["municipality"] for r in data} == {"Aalborg Kommune", "Landkreis Peine"}
    assert [r["selected"] for r in data if r["municipality_id"] == "peine"] == [True]
