"""goal_charts.py: charts and display tables drawn from the goal_analysis DataFrames."""
import pandas as pd
import pytest
from samples import goals as samples
from samples.goals import IDS, A, N, P, S, _goal  # noqa: F401

from analysis.compare import caveats
from analysis.compare import goal_analysis as ga
from analysis.report import goal_charts as gc

goals = pytest.fixture(samples.goals)


def test_charts_and_caveats(goals):
    names = {"peine": "Landkreis Peine", "aalborg": "Aalborg Kommune"}
    mat = ga.perspective_matrix(goals, IDS, ["client", "legal"])
    for ch in (gc.matrix_chart(mat, names), gc.measurability_chart(ga.measurability(goals, IDS), IDS, names),
               gc.achievement_chart(goals, names), gc.missed_chart(ga.missed(goals, names), IDS, names)):
        assert "$schema" in ch.to_dict()
    spec = gc.matrix_chart(mat, names).to_dict()
    labels = {r["label"] for r in spec["datasets"][next(iter(spec["datasets"]))]}
    assert "–" in labels and "2" in labels                # missing shown as a dash, not 0
    missed = gc.missed_chart(ga.missed(goals, names), IDS, names).to_dict()
    tips = [t["title"] for t in missed["spec"]["layer"][0]["encoding"]["tooltip"]]
    assert {"Target", "Result", "Unit", "Year", "Source", "Miss"} <= set(tips)
    assert missed["facet"]["row"]["field"] == "municipality"      # ordered within a municipality only
    munis = pd.DataFrame({"municipality_id": ["peine", "aalborg"], "name": ["Landkreis Peine", "Aalborg Kommune"]})
    texts = caveats.goals(goals[goals["municipality_id"].isin(["peine", "aalborg"])], munis)
    assert "Results are: Aalborg Kommune actual outturn; Landkreis Peine forecast." in texts


def test_views_say_why_a_figure_is_missing(goals):
    names = {"peine": "Landkreis Peine", "magdeburg": "Landeshauptstadt Magdeburg",
             "berlin-neukoelln": "Bezirk Berlin-Neukölln"}
    ach = gc.achievement_view(ga.achievement(goals, IDS), names).set_index("Municipality")
    assert ach.at["Landkreis Peine", "% met of measured"] == "50\u00a0%"
    assert ach.at["Bezirk Berlin-Neukölln", "% met of measured"] == "not measured"   # goals, none measured
    assert ach.at["Landeshauptstadt Magdeburg", "% met of measured"] == "no goals coded"
    assert ach.at["Landeshauptstadt Magdeburg", "met"] == "no goals coded"
    missed = gc.missed_view(ga.missed(goals, names)).set_index("Goal (original)")
    row = missed.loc["unge på offentlig forsørgelse"]
    assert (row["Target"], row["Result"], row["Result - target"]) == ("4.585", "4.632", "47")
    assert row["Printed degree (%)"] == "not printed"
    assert missed.loc["Anteil der Bescheiderteilung innerhalb von 14 Tagen bei Neuansträgen", "Computed degree (%)"] \
        == "84\u00a0%"
