"""goal_analysis.py (and the goal caveats) on hand-built goals rows taken from the documents."""
import math

import pandas as pd
import pytest
from samples import goals as samples
from samples.goals import IDS, A, N, P, S, _goal  # noqa: F401

from analysis.compare import goal_analysis as ga
from analysis.contract import schema

goals = pytest.fixture(samples.goals)


def test_select_filters_each_parameter(goals):
    assert set(ga.select(goals, ["aalborg"])["goal_id"]) == {"aalborg-unge", "aalborg-ftp", "aalborg-misbrug"}
    assert set(ga.select(goals, perspectives=["legal"])["goal_id"]) == {"aalborg-misbrug"}
    assert set(ga.select(goals, goal_types=["output"])["goal_id"]) == {"segeberg-05"}
    assert len(ga.select(goals)) == 7


def test_inventory_has_original_and_english_wording(goals):
    inv = ga.inventory(goals, {"peine": "Landkreis Peine"})
    row = inv[inv["goal_id"] == "peine-3118-g1"].iloc[0]
    assert row["municipality"] == "Landkreis Peine"
    assert row["goal"].startswith("Anteil der Bescheiderteilung") and row["goal_en"].endswith("(en)")
    assert row["status"] == "missed"
    assert inv[inv["goal_id"] == "neukoelln-01"].iloc[0]["status"] == "no target"


def test_perspective_matrix_zero_only_for_municipalities_with_goals(goals):
    mat = ga.perspective_matrix(goals, IDS, ["client", "staff", "economic", "legal", "process_quality"])
    assert mat.at["client", "peine"] == 2 and mat.at["client", "aalborg"] == 2
    assert mat.at["legal", "aalborg"] == 1 and mat.at["legal", "peine"] == 0
    assert mat["magdeburg"].isna().all()                   # no goals coded: missing, not 0


def test_measurability_shares(goals):
    m = ga.measurability(goals, IDS).set_index("municipality_id")
    assert m.at["aalborg", "goals"] == 3
    assert m.at["aalborg", "share_target"] == pytest.approx(200 / 3)
    assert m.at["aalborg", "share_baseline"] == pytest.approx(200 / 3)
    assert m.at["aalborg", "share_result"] == pytest.approx(200 / 3)
    assert m.at["peine", "share_target"] == 100 and m.at["peine", "share_baseline"] == 0
    assert m.at["segeberg", "share_result"] == 0
    assert m.at["magdeburg", "goals"] == 0 and math.isnan(m.at["magdeburg", "share_target"])


def test_achievement_counts(goals):
    a = ga.achievement(goals, IDS).set_index("municipality_id")
    assert a.at["peine", "met"] == 1 and a.at["peine", "missed"] == 1
    assert a.at["peine", "share_met"] == 50
    assert a.at["aalborg", "not_measured"] == 1 and a.at["aalborg", "share_met"] == 50
    assert math.isnan(a.at["berlin-neukoelln", "share_met"])   # nothing measured
    assert a.at["berlin-neukoelln", "no_target"] == 1
    assert a.loc["magdeburg"].drop("measured").isna().all()


def test_missed_goals_with_gap_and_achievement(goals):
    m = ga.missed(goals).set_index("goal_id")
    assert list(m.index) == ["aalborg-unge", "peine-3118-g1"]
    p = m.loc["peine-3118-g1"]
    assert p["target"] == 90 and p["result"] == 76 and p["gap"] == -14
    assert p["achievement_pct"] == pytest.approx(84.444, abs=1e-3) and p["achievement_reported"] == 84
    a = m.loc["aalborg-unge"]
    assert a["target"] == 4585 and a["result"] == 4632 and a["gap"] == 47
    assert a["achievement_pct"] == pytest.approx(100 * 4585 / 4632)   # lower is better


def test_achievement_pct_is_computed_not_read(goals):
    # an importer that stores achievement in percent instead of a ratio must not change the table
    g = goals.copy()
    g.loc[g["goal_id"] == "peine-3118-g1", "achievement"] = 84.444
    p = ga.missed(g).set_index("goal_id").loc["peine-3118-g1"]
    assert p["achievement_pct"] == pytest.approx(84.444, abs=1e-3)


def test_qualitative_goals_keep_quote_and_source(goals):
    q = ga.qualitative(goals)
    assert list(q["goal_id"]) == ["aalborg-misbrug", "neukoelln-01"]
    assert q.iloc[1]["quote"] == "Sofortiges Tätigwerden bei Räumungsklagen"
    assert q.iloc[1]["source_ref"] == f"{N}:51"


def test_with_item_names_adds_the_product_name(goals):
    budget = schema.conform(pd.DataFrame([{
        "municipality_id": "peine", "document_id": "d", "fiscal_year": 2024, "period": "2024", "org_unit": "FD 32",
        "item_code": "3118", "item_name": "Hilfe zur Pflege (Pflegestärkungsgesetz ab 2017)",
        "item_name_en": "Long-term care assistance", "level": "product", "direction": "net",
        "economic_type": "all", "phase": "original_budget", "amount": 5_786_700.0, "currency": "EUR",
        "source_ref": f"{P}:293"}]), "budget")
    g = ga.with_item_names(goals, budget).set_index("goal_id")
    assert g.at["peine-3118-g1", "item_name"] == "Hilfe zur Pflege (Pflegestärkungsgesetz ab 2017)"
    assert pd.isna(g.at["peine-3111-g1", "item_name"])          # no budget row given for 3111
