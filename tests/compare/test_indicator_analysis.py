"""indicator_analysis.py on hand-built indicator and goal rows from the Peine and Aalborg documents."""
import math

import pandas as pd
import pytest
from samples import indicators as samples
from samples.indicators import POP, A, P, _ind  # noqa: F401

from analysis.compare import indicator_analysis as ia
from analysis.contract import schema

indicators = pytest.fixture(samples.indicators)
budget = pytest.fixture(samples.budget)


def test_with_categories_fills_from_the_budget_item(indicators, budget):
    ind = ia.with_categories(indicators, budget)
    cat = dict(zip(ind["item_code"], ind["category"]))
    assert cat["3111"] == "10.7" and cat["3121"] == "10.6"
    assert pd.isna(cat["BU"]) and pd.isna(cat["3110"])        # no budget item: no category


def test_select_by_division_group_and_uncategorised(indicators, budget):
    ind = ia.with_categories(indicators, budget)
    assert set(ia.select(ind, categories=["10"])["item_code"]) == {"3111", "3118", "3121", "3122"}
    assert set(ia.select(ind, categories=["10.6"])["item_code"]) == {"3121"}
    assert set(ia.select(ind, ["aalborg"], ["uncategorised"])["item_code"]) == {"BU"}
    assert len(ia.select(ind)) == len(ind)


def test_plan_vs_actual_volumes(indicators):
    pva = ia.plan_vs_actual(indicators).set_index(["municipality_id", "item_code"])
    r = pva.loc[("peine", "3118")]
    assert r["planned"] == 417 and r["realised"] == 452 and r["realised_phase"] == "forecast"
    assert r["deviation"] == 35 and r["deviation_pct"] == pytest.approx(100 * 35 / 417)
    a = pva.loc[("aalborg", "BU")]
    assert a["planned"] == 4604 and a["realised"] == 4549 and a["realised_phase"] == "actual"
    assert a["deviation_pct"] == pytest.approx(100 * -55 / 4604)
    assert "percent" not in set(pva["unit"])                  # coverage rates are handled apart
    missing = pva.loc[("peine", "3110")]
    assert math.isnan(missing["planned"]) and math.isnan(missing["deviation"])


def test_rates_per_1000_only_for_counts(indicators):
    r = ia.rates_per_1000(ia.plan_vs_actual(indicators), POP).set_index("item_code")
    assert "3122" not in r.index                               # hours: no rate per inhabitant
    assert r.loc["3118", "realised_per_1000"] == pytest.approx(1000 * 452 / 139_170)   # 3.248
    assert r.loc["3118", "population_year"] == 2023             # 2024 is not in the table
    assert r.loc["3121", "planned_per_1000"] == pytest.approx(1000 * 4800 / 139_170)
    assert r.loc["BU", "realised_per_1000"] == pytest.approx(1000 * 4549 / 205_809)    # 22.10
    assert r.loc["BU", "population_year"] == 2014


def test_rates_are_missing_without_population(indicators):
    r = ia.rates_per_1000(ia.plan_vs_actual(indicators), POP[POP["municipality_id"] == "aalborg"])
    peine = r[r["municipality_id"] == "peine"]
    assert peine["realised_per_1000"].isna().all() and peine["population"].isna().all()


def test_coverage_rates(indicators):
    c = ia.coverage_rates(indicators).iloc[0]
    assert c["indicator"] == "Dækningsgrad 0-2 år" and c["planned"] == 71.9 and c["realised"] == 72.6
    assert c["deviation"] == pytest.approx(0.7)


def _goal(gid, mid, goal, unit, target, result, status, ref, metric=None):
    return {"municipality_id": mid, "document_id": f"{mid}-doc", "goal_id": gid, "item_code": gid.split("-")[1],
            "goal": goal, "goal_en": goal, "perspective": "client", "goal_type": "process",
            "metric": metric, "unit": unit, "direction": "higher_is_better", "target": target, "result": result,
            "result_phase": "forecast", "achievement_reported": None, "achievement": None, "status": status,
            "quantified": True, "quote": goal, "source_ref": ref}


def test_timeliness_picks_deadline_goals_in_percent():
    goals = schema.conform(pd.DataFrame([
        _goal("peine-3118-g1", "peine", "Anteil der Bescheiderteilung innerhalb von 14 Tagen bei Neuansträgen",
              "percent", 90, 76, "missed", f"{P}:293"),
        _goal("peine-3126-g1", "peine", "Leistungsentscheidung innerhalb von 3 Wochen nach der Antragstellung",
              "percent", 80, 74, "missed", f"{P}:325"),
        _goal("peine-3122-g1", "peine", "Beseitigung des Vermittlungshemmnisses nach Abschluss der Beratung",
              "percent", 50, 36, "missed", f"{P}:321"),                       # percent, but no deadline
        _goal("peine-41403-g1", "peine", "Kontakte innerhalb eines Jahres", "count", 3000, 2091, "missed",
              f"{P}:336"),                                                    # deadline words, not percent
    ]), "goals")
    t = ia.timeliness(goals)
    assert list(t["goal_id"]) == ["peine-3118-g1", "peine-3126-g1"]   # largest shortfall first
    assert t.iloc[0]["gap_pp"] == -14 and t.iloc[0]["target"] == 90 and t.iloc[0]["result"] == 76


