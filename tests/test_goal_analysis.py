"""goal_analysis.py (and the goal caveats) on hand-built goals rows taken from the documents."""
import math

import pandas as pd
import pytest

from analysis import caveats, goal_analysis as ga, schema

P, A, N, S = ("peine_produktbericht_2024-06.txt", "aalborg_regnskab_2014_fb.txt",
              "neukoelln_zielvereinbarung_soziale_wohnhilfen_2024.txt", "segeberg_sozialraumorientierung_2011.txt")


def _goal(gid, mid, goal, perspective, gtype, direction, target, result, status, quantified, ref, unit=None,
          ach=None, reported=None, phase=None, baseline=None, code=None):
    return {"municipality_id": mid, "document_id": f"{mid}-doc", "goal_id": gid, "item_code": code, "goal": goal,
            "goal_en": goal + " (en)", "perspective": perspective, "goal_type": gtype, "metric": None, "unit": unit,
            "direction": direction, "target": target, "result": result, "result_phase": phase,
            "achievement_reported": reported, "achievement": ach, "status": status, "quantified": quantified,
            "quote": goal, "source_ref": ref, "baseline": baseline}


@pytest.fixture
def goals():
    rows = [
        _goal("peine-3118-g1", "peine", "Anteil der Bescheiderteilung innerhalb von 14 Tagen bei Neuansträgen",
              "client", "process", "higher_is_better", 90, 76, "missed", True, f"{P}:293", "percent",
              ach=76 / 90, reported=84, phase="forecast", code="3118"),
        _goal("peine-3111-g1", "peine", "Anteil der Bescheiderteilung innerhalb von 14 Tagen bei Neuansträgen",
              "client", "process", "higher_is_better", 95, 100, "met", True, f"{P}:286", "percent",
              ach=100 / 95, reported=105, phase="forecast", code="3111"),
        _goal("aalborg-unge", "aalborg", "unge på offentlig forsørgelse", "client", "outcome", "lower_is_better",
              4585, 4632, "missed", True, f"{A}:497", "full-time persons", ach=4585 / 4632, phase="actual",
              baseline=4926),
        _goal("aalborg-ftp", "aalborg", "tilkendelser til førtidspension", "client", "outcome", "lower_is_better",
              350, 242, "met", True, f"{A}:499", "awards", ach=350 / 242, phase="actual", baseline=320),
        _goal("aalborg-misbrug", "aalborg", "Overholde behandlingsgarantien", "legal", "process", "none",
              None, None, "not_measured", False, f"{A}:601"),
        _goal("neukoelln-01", "berlin-neukoelln", "Sofortiges Tätigwerden bei Räumungsklagen", "client", "process",
              "none", None, None, "no_target", False, f"{N}:51"),
        _goal("segeberg-05", "segeberg", "Wegezeit höchstens ca. 20 Minuten", "client", "output", "lower_is_better",
              20, None, "pending", True, f"{S}:51", "minutes"),
    ]
    df = schema.conform(pd.DataFrame(rows), "goals")
    schema.validate(df, "goals")
    return df


IDS = ["peine", "magdeburg", "berlin-neukoelln", "aalborg", "segeberg"]


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


def test_charts_and_caveats(goals):
    names = {"peine": "Landkreis Peine", "aalborg": "Aalborg Kommune"}
    mat = ga.perspective_matrix(goals, IDS, ["client", "legal"])
    for ch in (ga.matrix_chart(mat, names), ga.measurability_chart(ga.measurability(goals, IDS), IDS, names),
               ga.achievement_chart(goals, names), ga.missed_chart(ga.missed(goals, names), IDS, names)):
        assert "$schema" in ch.to_dict()
    spec = ga.matrix_chart(mat, names).to_dict()
    labels = {r["label"] for r in spec["datasets"][next(iter(spec["datasets"]))]}
    assert "–" in labels and "2" in labels                # missing shown as a dash, not 0
    missed = ga.missed_chart(ga.missed(goals, names), IDS, names).to_dict()
    tips = [t["title"] for t in missed["layer"][0]["encoding"]["tooltip"]]
    assert {"Target", "Result", "Unit", "Year", "Source"} <= set(tips)
    munis = pd.DataFrame({"municipality_id": ["peine", "aalborg"], "name": ["Landkreis Peine", "Aalborg Kommune"]})
    texts = caveats.goals(goals[goals["municipality_id"].isin(["peine", "aalborg"])], munis)
    assert "Results are: Aalborg Kommune actual outturn; Landkreis Peine forecast." in texts


def test_views_say_why_a_figure_is_missing(goals):
    names = {"peine": "Landkreis Peine", "magdeburg": "Landeshauptstadt Magdeburg",
             "berlin-neukoelln": "Bezirk Berlin-Neukölln"}
    ach = ga.achievement_view(ga.achievement(goals, IDS), names).set_index("Municipality")
    assert ach.at["Landkreis Peine", "% met of measured"] == "50\u00a0%"
    assert ach.at["Bezirk Berlin-Neukölln", "% met of measured"] == "not measured"   # goals, none measured
    assert ach.at["Landeshauptstadt Magdeburg", "% met of measured"] == "no goals coded"
    assert ach.at["Landeshauptstadt Magdeburg", "met"] == "no goals coded"
    missed = ga.missed_view(ga.missed(goals, names)).set_index("Goal (original)")
    row = missed.loc["unge på offentlig forsørgelse"]
    assert (row["Target"], row["Result"], row["Result - target"]) == ("4.585", "4.632", "47")
    assert row["Achievement as printed (%)"] == "not printed"
    assert missed.loc["Anteil der Bescheiderteilung innerhalb von 14 Tagen bei Neuansträgen", "Achievement (computed)"] \
        == "84\u00a0%"


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
