"""indicator_charts.py: charts and display tables drawn from the indicator_analysis DataFrames."""
import pandas as pd
import pytest
from samples import indicators as samples
from samples.indicators import POP, A, P, _ind  # noqa: F401

from analysis.compare import caveats
from analysis.compare import indicator_analysis as ia
from analysis.report import indicator_charts as ic

indicators = pytest.fixture(samples.indicators)
budget = pytest.fixture(samples.budget)


def test_charts_and_caveats(indicators):
    ids = ["peine", "aalborg"]
    pva = ia.plan_vs_actual(indicators)
    for ch in (ic.volume_chart(pva, ids), ic.rates_chart(ia.rates_per_1000(pva, POP), ids)):
        assert "$schema" in ch.to_dict()
    munis = pd.DataFrame({"municipality_id": ids, "name": ["Landkreis Peine", "Aalborg Kommune"]})
    texts = caveats.indicators(indicators, munis, ia.rates_per_1000(pva, POP))
    assert texts[0] == "Different fiscal years are compared: Aalborg Kommune 2014; Landkreis Peine 2024."
    assert any("Landkreis Peine 2024: 139.170 inhabitants (2023-12-31)" in t for t in texts)
