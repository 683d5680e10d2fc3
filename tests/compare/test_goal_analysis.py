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
    # a share met resting on fewer than 5 measured goals is too few to compare
    assert a.at["peine", "measured"] == 2 and bool(a.at["peine", "few_measured"])


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


def _contradicting():
    rows = [_goal("peine-41403-g1", "peine", "Kontakte", "client", "output", "higher_is_better", 3000, 2091,
                  "contradiction", True, f"{P}:336", "count", reported=139, phase="forecast", code="41403"),
            _goal("peine-3114-g1", "peine", "Anteil der innerhalb von 14 Tagen nach Eingang überwiesenen Rechnungen",
                  "process_quality", "process", "higher_is_better", 96, 95, "missed", True, f"{P}:289", "percent",
                  reported=99, phase="forecast", code="3114"),
            _goal("segeberg-10", "segeberg", "Wegezeit höchstens ca. 20 Minuten", "client", "output",
                  "lower_is_better", 20, None, "pending", True, f"{S}:51", "minutes")]
    return schema.conform(pd.DataFrame(rows), "goals")


def test_contradictions_show_printed_and_computed_side_by_side(goals):
    g = pd.concat([goals, _contradicting()], ignore_index=True)
    c = ga.contradictions(g).set_index("goal_id")
    assert list(c.index) == ["peine-41403-g1"]
    r = c.loc["peine-41403-g1"]
    assert r["achievement_reported"] == 139 and r["achievement_pct"] == pytest.approx(69.7)
    assert r["difference_pp"] == pytest.approx(69.3) and r["by_figures"] == "missed"
    ach = ga.achievement(g, ["peine"]).set_index("municipality_id")
    assert ach.at["peine", "contradiction"] == 1
    assert ach.at["peine", "measured"] == 3                  # met 1, missed 2: a contradiction is neither
    assert "peine-41403-g1" not in set(ga.missed(g)["goal_id"])


def test_near_misses_are_apart_from_clear_misses(goals):
    g = pd.concat([goals, _contradicting()], ignore_index=True)
    m = ga.missed(g).set_index("goal_id")
    assert m.at["peine-3114-g1", "miss"] == "near miss (within 5 points)"     # 95 of 96: 99 %
    assert m.at["peine-3118-g1", "miss"] == "clear miss"                      # 76 of 90: 84 %
    ach = ga.achievement(g, ["peine"]).set_index("municipality_id")
    assert (ach.at["peine", "near_miss"], ach.at["peine", "clear_miss"]) == (1, 1)
    assert ga.miss_kind("missed", 95.0) == "near miss (within 5 points)" and ga.miss_kind("missed", 94.9) == "clear miss"


def test_pending_lists_quantified_goals_with_a_target_and_no_result():
    p = ga.pending(_contradicting(), {"segeberg": "Kreis Segeberg"})
    assert list(p["goal_id"]) == ["segeberg-10"] and p.iloc[0]["target"] == 20
    assert p.iloc[0]["municipality"] == "Kreis Segeberg" and p.iloc[0]["status"] == "pending"
