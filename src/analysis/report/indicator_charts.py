"""Charts and display tables of the indicators page, drawn from the DataFrames of `analysis.compare.indicator_analysis`.

The computations stay in the compare layer; this module only draws and formats.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.compare import caveats
from analysis.report import charts


def _label(d: pd.DataFrame, width: int = 80) -> pd.Series:
    """'3126 Leistungen für Bildung und Teilhabe: cases': the budget item's code (where it is a number)
    and name, then the indicator (English where given); no group codes or editorial notes."""
    from analysis.compare.findings import indicator_label
    out = [indicator_label(r) for r in d.to_dict("records")]
    return pd.Series([t if len(t) <= width else t[: width - 1].rstrip() + "…" for t in out], index=d.index)


def _phases(d: pd.DataFrame) -> pd.Series:
    words = {**charts.PHASES}
    return d["realised_phase"].map(words).fillna("") + " against " + d["planned_phase"].map(words).fillna("")


def volume_chart(pva: pd.DataFrame, all_ids, names: dict[str, str] | None = None, top: int = 15,
                 subtitle: list[str] | None = None) -> alt.Chart:
    """Deviation of realised from planned volumes (%) per indicator: one panel per municipality
    with its `top` largest relative deviations, ordered within the panel. A flagged figure
    (corrections.yml) is dashed and drawn off scale when it would set the axis."""
    d = pva.dropna(subset=["deviation_pct"]).copy()
    if not len(d):
        return charts.empty_note("no indicator with both a planned and a realised value")
    d = charts.with_marks(d)
    d["label"] = _label(d)
    d = (d.assign(_abs=d["deviation_pct"].abs()).sort_values("_abs", ascending=False)
         .groupby("municipality_id", sort=False).head(top).drop(columns="_abs"))
    d["compared"] = _phases(d)
    d, cut = charts.cap_flagged(d, "deviation_pct")
    bars = alt.Chart().mark_bar().encode(
        y=alt.Y("label:N", title=None, sort="-x"),
        x=alt.X("plot_value:Q", title="Realised against planned (% deviation)", stack=None),
        color=charts.municipality_colour(all_ids, "municipality", names, only=d["municipality"].unique()),
        **charts.mark_encodings(),
        tooltip=charts.tooltips("realised", "Realised", 0, extra=[
            alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("indicator:N", title="Indicator"),
            alt.Tooltip("planned:Q", title="Planned", format=",.0f"),
            alt.Tooltip("deviation_pct:Q", title="Deviation (%)", format=",.1f"),
            alt.Tooltip("compared:N", title="Compared"), charts.mark_tooltip()]))
    layers = [bars] + ([_off_scale_labels("label")] if cut else [])
    chart = alt.layer(*layers, data=charts.guard(d)).properties(width=400).facet(
        row=alt.Row("municipality:N", title=None, sort=sorted(d["municipality"].unique()))
    ).resolve_scale(y="independent")
    notes = [charts.MARK_NOTE if charts.has_marks(d) else None, charts.FLAG_OFF_SCALE if cut else None]
    return charts.titled(chart, f"Realised against planned volumes: the {top} largest deviations in percent per "
                                "municipality",
                         subtitle if subtitle is not None else
                         caveats.chart_context(d, names, phase="compared", unit=None) + notes)


def _off_scale_labels(y: str) -> alt.Chart:
    """The value of a flagged figure drawn off scale, at the end of its bar (same y order as the bars)."""
    return alt.Chart().mark_text(align="right", dx=-4, fontSize=11, color="#222").encode(
        y=alt.Y(f"{y}:N", sort="-x"), x="plot_value:Q",
        text=alt.condition("datum.off_scale", alt.Text("off_scale_label:N"), alt.value("")))


def rates_chart(rates: pd.DataFrame, all_ids, names: dict[str, str] | None = None, top: int = 15,
                subtitle: list[str] | None = None) -> alt.Chart:
    """Realised volumes per 1,000 inhabitants: one panel per municipality (its `top` highest),
    never one ranking across municipalities whose counts cover different target groups. A
    flagged figure is dashed and drawn off scale when it would set the axis."""
    d = rates.dropna(subset=["realised_per_1000"]).copy()
    if not len(d):
        return charts.empty_note("no volumes with a population to divide by")
    d = charts.with_marks(d)
    d["label"] = _label(d)
    d = d.sort_values("realised_per_1000", ascending=False).groupby("municipality_id", sort=False).head(top)
    d["rate_unit"] = d["unit"] + " per 1,000 inhabitants"
    d, cut = charts.cap_flagged(d, "realised_per_1000")
    bars = alt.Chart().mark_bar().encode(
        y=alt.Y("label:N", title=None, sort="-x"),
        x=alt.X("plot_value:Q", title="Per 1,000 inhabitants", stack=None),
        color=charts.municipality_colour(all_ids, "municipality", names, only=d["municipality"].unique()),
        **charts.mark_encodings(),
        tooltip=charts.tooltips("realised_per_1000", "Per 1,000 inhabitants", 2, unit="rate_unit", extra=[
            alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("indicator:N", title="Indicator"),
            alt.Tooltip("realised:Q", title="Realised", format=",.0f"),
            alt.Tooltip("realised_phase:N", title="Realised is"),
            alt.Tooltip("population:Q", title="Population", format=",.0f"),
            alt.Tooltip("population_year:N", title="Population year"), charts.mark_tooltip()]))
    layers = [bars] + ([_off_scale_labels("label")] if cut else [])
    chart = alt.layer(*layers, data=charts.guard(d)).properties(width=400).facet(
        row=alt.Row("municipality:N", title=None, sort=sorted(d["municipality"].unique()))
    ).resolve_scale(y="independent", x="independent")
    notes = ["Each municipality in its own panel: the counts refer to different target groups and tasks",
             charts.MARK_NOTE if charts.has_marks(d) else None, charts.FLAG_OFF_SCALE if cut else None]
    return charts.titled(chart, f"Volumes per 1,000 inhabitants (highest {top} per municipality)",
                         subtitle if subtitle is not None else
                         caveats.chart_context(d, names, phase="realised_phase", unit=None) + notes)


def timeliness_chart(t: pd.DataFrame, all_ids, names: dict[str, str] | None = None,
                     subtitle: list[str] | None = None) -> alt.Chart:
    """Target (tick) and result (bar) of deadline goals, in percent, one panel per municipality."""
    d = t.dropna(subset=["target"]).copy()
    if not len(d):
        return charts.empty_note("no deadline targets")
    from analysis.report.goal_charts import _goal_label
    d["label"] = _goal_label(d)
    d["unit"] = "percent"
    # op "min": the layers share the y domain, and Vega-Lite drops a "sum" sort of a shared domain
    # (with a warning), leaving the labels in alphabetical order
    base = alt.Chart().encode(y=alt.Y("label:N", title=None, sort=alt.EncodingSortField(
        "gap_pp", op="min", order="ascending")))
    bars = base.mark_bar().encode(
        x=alt.X("result:Q", title="Share within the deadline (%)", scale=alt.Scale(domain=[0, 100])),
        color=charts.municipality_colour(all_ids, "municipality", names, only=d["municipality"].unique()),
        tooltip=charts.tooltips("result", "Result (%)", 0, year=None, extra=[
            alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("goal:N", title="Goal"),
            alt.Tooltip("target:Q", title="Target (%)"), alt.Tooltip("gap_pp:Q", title="Gap (pp)"),
            alt.Tooltip("result_phase:N", title="Result is")]))
    ticks = base.mark_tick(color="black", thickness=2, size=14).encode(x="target:Q")
    chart = alt.layer(bars, ticks, data=charts.guard(d)).properties(width=400).facet(
        row=alt.Row("municipality:N", title=None, sort=sorted(d["municipality"].unique()))
    ).resolve_scale(y="independent")
    return charts.titled(chart, "Timeliness targets: result (bar) against target (tick)",
                         subtitle if subtitle is not None else caveats.goal_context(d, None, names))


def volumes_view(pva: pd.DataFrame) -> pd.DataFrame:
    return charts.table(pva, numbers={"planned": None, "realised": None, "deviation": None},
                        percent={"deviation_pct": 1}, missing=charts.NO_FIGURES, missing_for={"deviation_pct": "–"},
                        columns=["municipality", "fiscal_year", "item_code", "item_name", "indicator", "indicator_en",
                                 "unit", "planned", "planned_phase", "realised", "realised_phase", "deviation",
                                 "deviation_pct", "source_ref"],
                        rename={"planned": "Planned (unit)", "planned_phase": "Plan is", "realised": "Realised (unit)",
                                "realised_phase": "Realised is", "deviation": "Deviation (unit)",
                                "deviation_pct": "Deviation (%)"},
                        order_by="deviation_pct", order_text="largest relative deviations (absolute)")


def rates_view(rates: pd.DataFrame) -> pd.DataFrame:
    return charts.table(rates, numbers={"planned_per_1000": 2, "realised_per_1000": 2, "realised": None,
                                        "population": 0}, missing="–",
                        columns=["municipality", "fiscal_year", "item_code", "item_name", "indicator", "indicator_en",
                                 "unit", "realised", "realised_phase", "population", "population_year",
                                 "planned_per_1000", "realised_per_1000", "source_ref"],
                        rename={"realised": "Realised (unit)", "realised_phase": "Realised is",
                                "population": "Population (inhabitants)", "population_year": "Population year",
                                "planned_per_1000": "Planned (unit per 1.000 inhabitants)",
                                "realised_per_1000": "Realised (unit per 1.000 inhabitants)"},
                        order_by="realised_per_1000", order_abs=False, order_text="highest realised rates")


def timeliness_view(t: pd.DataFrame) -> pd.DataFrame:
    return charts.table(t, numbers={"target": None, "result": None, "gap_pp": None, "achievement_reported": None},
                        missing="–", missing_for={"target": "no target", "gap_pp": "–", "result": "not measured yet"},
                        columns=["municipality", "item_code", "item_name", "goal", "goal_en", "target", "result",
                                 "gap_pp", "result_phase", "status", "source_ref"],
                        rename={"item_name": "Product / area (original)", "target": "Target (%)",
                                "result": "Result (%)", "gap_pp": "Result - target (pp)", "result_phase": "Result is"})


def coverage_rates_view(c: pd.DataFrame) -> pd.DataFrame:
    return charts.table(c, numbers={"planned": None, "realised": None, "deviation": None}, missing="–",
                        columns=["municipality", "fiscal_year", "indicator", "indicator_en", "planned", "planned_phase",
                                 "realised", "realised_phase", "deviation", "source_ref"],
                        rename={"planned": "Planned (%)", "planned_phase": "Plan is", "realised": "Realised (%)",
                                "realised_phase": "Realised is", "deviation": "Deviation (pp)"})
