"""availability.py: the coverage grid of the overview page (municipality x fiscal year x data type)."""
import pandas as pd
from samples import goals as goal_samples
from samples import spending as s

from analysis.compare import availability

DOCS = pd.DataFrame({"document_id": ["peine-doc", "aalborg-doc", "x"], "municipality_id": ["peine", "aalborg", "x"],
                     "reference": ["Informationsvorlage 2024/143", "Regnskab 2014", "X"],
                     "date": ["2024-10-28", None, "2011-09-07"]})


def test_grid_by_phase_year_and_data_type_with_document_reference_and_date():
    g = availability.grid(s.budget(), None, None, DOCS)
    cell = g[(g["municipality_id"] == "peine") & (g["data_type"] == "budget: forecast")].iloc[0]
    assert (cell["fiscal_year"], cell["status"]) == (2024, "figures")
    assert cell["documents"] == "Informationsvorlage 2024/143 (2024-10-28)"
    aal = g[g["municipality_id"] == "aalborg"]
    assert set(aal["data_type"]) == {"budget: original budget", "budget: adjusted budget", "budget: actual"}
    assert aal["documents"].iloc[0] == "Regnskab 2014 (no date)"
    assert availability.data_types(s.budget())[:2] == ["budget: original budget", "budget: adjusted budget"]


def test_goals_say_whether_results_exist():
    goals = goal_samples.goals()
    g = availability.grid(None, None, goals, None)
    assert set(g["status"]) <= set(availability.STATUSES) and set(g["data_type"]) == {"goals"}
    assert "targets and results" in set(g.loc[g["municipality_id"] == "peine", "status"])     # met and missed


def test_a_document_without_a_reference_is_named_by_its_title():
    # Kiel's budget file as published: no council reference, no date (data/raw/documents.csv)
    docs = pd.DataFrame({"document_id": ["kiel-haushalt-2017", "y"], "municipality_id": ["kiel", "y"],
                         "title": ["Haushalt 2017, Ergebnisplan nach Produkten und Sachkonten (Open-Data-Datei)", None],
                         "reference": [float("nan"), None], "date": [float("nan"), "2016-12-13"]})
    labels = availability.document_labels(docs)
    assert labels["kiel-haushalt-2017"] == ("Haushalt 2017, Ergebnisplan nach Produkten und Sachkonten "
                                            "(Open-Data-Datei) (no date)")
    assert labels["y"] == "y (2016-12-13)"
