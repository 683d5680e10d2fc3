"""spending_charts.py: charts and display tables drawn from the spending DataFrames."""
import pytest
from samples import spending as samples
from samples.spending import A, P, _row  # noqa: F401

from analysis.compare import spending
from analysis.report import spending_charts as sc

budget = pytest.fixture(samples.budget)


def test_charts_build(budget):
    ids = ["peine", "aalborg"]
    comp = spending.composition(budget, "division", value="amount")
    for ch in (sc.composition_chart(comp, ids), sc.composition_chart(comp, ids, measure="share"),
               sc.deviation_chart(spending.plan_vs_outturn(budget, value="amount"), ids),
               sc.deviation_chart(spending.plan_vs_outturn(budget, "item", value="amount"), ids, label="item"),
               sc.economic_chart(spending.economic_composition(budget, ids, value="amount"), ids),
               sc.revenue_chart(spending.revenue_vs_gross(budget, ids, value="amount"), ids)):
        spec = ch.to_dict()
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
