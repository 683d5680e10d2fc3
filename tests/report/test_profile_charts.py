"""profile_charts.py: charts and display tables drawn from the profile DataFrames."""
import pytest
from samples import profile as samples
from samples.profile import IDS, MUNIS, NAMES, _b  # noqa: F401

from analysis.compare import profile
from analysis.contract import schema
from analysis.report import profile_charts as pc

cb = pytest.fixture(samples.cb)
goals = pytest.fixture(samples.goals)


def test_standing_chart_highlights_the_municipality(cb, goals):
    st = profile.standing(cb, goals, schema.empty("indicators"), IDS, NAMES)
    spec = pc.standing_chart(st, "peine", IDS, NAMES).to_dict()
    data = spec["datasets"][next(iter(spec["datasets"]))]
    assert {r["municipality"] for r in data} == {"Aalborg Kommune", "Landkreis Peine"}
    assert [r["selected"] for r in data if r["municipality_id"] == "peine"] == [True]
