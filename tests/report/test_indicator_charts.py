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


def test_a_flagged_figure_is_drawn_off_scale_and_never_sets_the_axis():
    """Peine 41403 'Kontakte' 3.160 -> 40.097 (line 336): kept as printed, flagged, cut to the range
    of the other figures with a label; every municipality in its own panel."""
    rows = [{"municipality_id": "peine", "municipality": "Landkreis Peine", "fiscal_year": 2024, "item_code": code,
             "indicator_group": "", "indicator": "Kontakte", "indicator_en": "contacts", "unit": "contacts",
             "planned": plan, "planned_phase": "original_budget", "realised": real, "realised_phase": "forecast",
             "deviation": real - plan, "deviation_pct": 100.0 * (real - plan) / plan, "source_ref": f"{P}:{line}",
             "flag_note": note, "correction_note": None}
            for code, plan, real, line, note in (("41201", 3500, 3600, 333, None), ("41402", 4540, 5595, 335, None),
                                                 ("41403", 3160, 40097, 336, "flagged (peine-41403-contacts-forecast)"))]
    spec = ic.volume_chart(pd.DataFrame(rows), ["peine", "aalborg"]).to_dict()
    data = spec["datasets"][next(iter(spec["datasets"]))]
    k = next(r for r in data if r["item_code"] == "41403")
    assert k["deviation_pct"] == pytest.approx(1168.9, abs=0.1) and k["marked"] == "flagged" and k["off_scale"]
    assert k["plot_value"] < 30                                   # the axis is set by 2,9 % and 23,2 %
    assert k["off_scale_label"] == "flagged: 1.169 (off scale)"
    assert spec["facet"]["row"]["field"] == "municipality"
    assert any("drawn off scale" in line for line in spec["title"]["subtitle"])
    assert "2024" in spec["title"]["subtitle"][0] and "forecast against original budget" in spec["title"]["subtitle"][0]
