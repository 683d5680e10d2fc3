"""Charts and display tables of the indicators page, drawn from the DataFrames of `analysis.compare.indicator_analysis`.

The computations stay in the compare layer; this module only draws and formats.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.report import charts


def _label(d: pd.DataFrame) -> pd.Series:
    group = d["indicator_group"].fillna("").astype(str)
    en = d["indicator_en"].fillna(d["indicator"]).astype(str)
    code = d["item_code"].fillna("").astype(str)
    return (code + " " + en + group.where(group == "", " (" + group + ")")).str.strip().str.slice(0, 70)


def volume_chart(pva: pd.DataFrame, all_ids, names: dict[str, str] | None = None, top: int = 25) -> alt.Chart:
    """Deviation of realised from planned volumes (%) per indicator, the `top` largest first."""
    d = pva.dropna(subset=["deviation_pct"]).copy()
    if not len(d):
        return charts.empty_note("no indicator with both a planned and a realised value")
    d["label"] = _label(d)
    d = d.reindex(d["deviation_pct"].abs().sort_values(ascending=False).index).head(top)
    d["compared"] = d["realised_phase"].fillna("") + " vs " + d["planned_phase"].fillna("")
    return alt.Chart(charts.guard(d)).mark_bar().encode(
        y=alt.Y("label:N", title=None, sort=alt.EncodingSortField("deviation_pct", order="descending")),
        x=alt.X("deviation_pct:Q", title="Realised against planned (% deviation)"),
        color=charts.municipality_colour(all_ids, "municipality", names, only=d["municipality"].unique()),
        tooltip=charts.tooltips("realised", "Realised", 0, extra=[
            alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("indicator:N", title="Indicator"),
            alt.Tooltip("planned:Q", title="Planned", format=",.0f"),
            alt.Tooltip("deviation_pct:Q", title="Deviation (%)", format=",.1f"),
            alt.Tooltip("compared:N", title="Compared")]),
    ).properties(width=420, title="Planned against realised volumes")


def rates_chart(rates: pd.DataFrame, all_ids, names: dict[str, str] | None = None) -> alt.Chart:
    """Realised volumes per 1,000 inhabitants."""
    d = rates.dropna(subset=["realised_per_1000"]).copy()
    if not len(d):
        return charts.empty_note("no volumes with a population to divide by")
    d["label"] = _label(d)
    d["rate_unit"] = d["unit"] + " per 1,000 inhabitants"
    return alt.Chart(charts.guard(d)).mark_bar().encode(
        y=alt.Y("label:N", title=None, sort=alt.EncodingSortField("realised_per_1000", order="descending")),
        x=alt.X("realised_per_1000:Q", title="Per 1,000 inhabitants"),
        color=charts.municipality_colour(all_ids, "municipality", names, only=d["municipality"].unique()),
        tooltip=charts.tooltips("realised_per_1000", "Per 1,000 inhabitants", 2, unit="rate_unit", extra=[
            alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("indicator:N", title="Indicator"),
            alt.Tooltip("realised:Q", title="Realised", format=",.0f"),
            alt.Tooltip("population:Q", title="Population", format=",.0f"),
            alt.Tooltip("population_year:N", title="Population year")]),
    ).properties(width=420, title="Volumes per 1,000 inhabitants")


def timeliness_chart(t: pd.DataFrame, all_ids, names: dict[str, str] | None = None) -> alt.Chart:
    """Target (tick) and result (bar) of deadline goals, in percent."""
    d = t.dropna(subset=["target"]).copy()
    if not len(d):
        return charts.empty_note("no deadline targets")
    d["label"] = (d["item_code"].fillna("").astype(str) + " " + d["goal_en"].fillna(d["goal"]).astype(str)
                  .str.slice(0, 55)).str.strip()
    d["unit"] = "percent"
    d["year"] = ""
    # op "min": the layers share the y domain, and Vega-Lite drops a "sum" sort of a shared domain
    # (with a warning), leaving the labels in alphabetical order
    base = alt.Chart(charts.guard(d)).encode(y=alt.Y("label:N", title=None, sort=alt.EncodingSortField(
        "gap_pp", op="min", order="ascending")))
    bars = base.mark_bar().encode(
        x=alt.X("result:Q", title="Share within the deadline (%)", scale=alt.Scale(domain=[0, 100])),
        color=charts.municipality_colour(all_ids, "municipality", names, only=d["municipality"].unique()),
        tooltip=charts.tooltips("result", "Result (%)", 0, year=None, extra=[
            alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("goal:N", title="Goal"),
            alt.Tooltip("target:Q", title="Target (%)"), alt.Tooltip("gap_pp:Q", title="Gap (pp)"),
            alt.Tooltip("result_phase:N", title="Result is")]))
    ticks = base.mark_tick(color="black", thickness=2, size=14).encode(x="target:Q")
    return (bars + ticks).properties(width=420, title="Timeliness targets: result (bar) against target (tick)")


def volumes_view(pva: pd.DataFrame) -> pd.DataFrame:
    return charts.table(pva, numbers={"planned": None, "realised": None, "deviation": None},
                        percent={"deviation_pct": 1}, missing=charts.NOT_MEASURED, missing_for={"deviation_pct": "–"},
                        columns=["municipality", "fiscal_year", "item_code", "indicator", "indicator_en", "unit",
                                 "category", "planned", "planned_phase", "realised", "realised_phase", "deviation",
                                 "deviation_pct", "source_ref"],
                        rename={"planned": "Planned", "planned_phase": "Plan is", "realised": "Realised",
                                "realised_phase": "Realised is", "deviation": "Deviation",
                                "deviation_pct": "Deviation (%)"})


def rates_view(rates: pd.DataFrame) -> pd.DataFrame:
    return charts.table(rates, numbers={"planned_per_1000": 2, "realised_per_1000": 2, "realised": None,
                                        "population": 0}, missing=charts.NOT_MEASURED,
                        columns=["municipality", "fiscal_year", "item_code", "indicator", "indicator_en", "unit",
                                 "realised", "realised_phase", "population", "population_year", "planned_per_1000",
                                 "realised_per_1000", "source_ref"],
                        rename={"realised": "Realised", "realised_phase": "Realised is", "population": "Population",
                                "population_year": "Population year", "planned_per_1000": "Planned per 1,000",
                                "realised_per_1000": "Realised per 1,000"})


def timeliness_view(t: pd.DataFrame) -> pd.DataFrame:
    return charts.table(t, numbers={"target": None, "result": None, "gap_pp": None, "achievement_reported": None},
                        missing=charts.NOT_MEASURED, missing_for={"target": "no target", "gap_pp": "–"},
                        columns=["municipality", "item_code", "item_name", "goal", "goal_en", "target", "result",
                                 "gap_pp", "result_phase", "status", "source_ref"],
                        rename={"item_name": "Product / area (original)", "target": "Target (%)",
                                "result": "Result (%)", "gap_pp": "Result - target (pp)", "result_phase": "Result is"})


def coverage_rates_view(c: pd.DataFrame) -> pd.DataFrame:
    return charts.table(c, numbers={"planned": None, "realised": None, "deviation": None}, missing=charts.NOT_MEASURED,
                        columns=["municipality", "fiscal_year", "indicator", "indicator_en", "planned", "planned_phase",
                                 "realised", "realised_phase", "deviation", "source_ref"],
                        rename={"planned": "Planned (%)", "planned_phase": "Plan is", "realised": "Realised (%)",
                                "realised_phase": "Realised is", "deviation": "Deviation (pp)"})
