"""Charts and display tables of the municipality profile, drawn from the DataFrames of `analysis.compare.profile`
and `analysis.compare.scope`.

The computations stay in the compare layer; this module only draws and formats.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.compare import caveats, goal_analysis
from analysis.report import charts

NOT_RANKED = ("Only municipalities whose documents cover the category completely, in alphabetical order: "
              "not a ranking")


def standing_chart(table: pd.DataFrame, mid: str, all_ids, names: dict[str, str] | None = None,
                   subtitle: list[str] | None = None) -> alt.Chart:
    """Per category (`scope.standing`) the profiled municipality next to the others whose documents
    cover the category completely, alphabetical; categories with nothing to compare are left out
    (the table says why)."""
    d = table[table["comparison"].astype(str).str.startswith("compared")].dropna(subset=["value"]).copy()
    if not len(d):
        return charts.empty_note("nothing to compare: no category is covered completely by this and another "
                                 "municipality's documents")
    d = charts.with_marks(d)
    d["category_label"] = (charts.text(d["category"]) + " " + charts.text(d["category_name_en"])).str.strip()
    d["phase_label"] = d["phase"].map(charts.PHASES).fillna(d["phase"])
    chart = alt.Chart(charts.guard(d)).mark_bar().encode(
        y=alt.Y("category_label:N", title=None, sort=sorted(d["category_label"].unique())),
        yOffset=alt.YOffset("municipality:N", sort=sorted(d["municipality"].unique())),
        x=alt.X("value:Q", title=str(d["unit"].iloc[0])),
        color=charts.municipality_colour(all_ids, "municipality", names, only=d["municipality"].unique()),
        opacity=alt.condition(alt.datum.selected, alt.value(1.0), alt.value(0.5)),
        **charts.mark_encodings(),
        tooltip=charts.tooltips("value", "Net per inhabitant", 2, unit="unit", extra=[
            alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("category_label:N", title="Category"),
            alt.Tooltip("phase_label:N", title="Phase"), alt.Tooltip("coverage_text:N", title="Coverage"),
            charts.mark_tooltip()], source=None),
    ).properties(width=420)
    notes = [NOT_RANKED, charts.MARK_NOTE if charts.has_marks(d) else None]
    return charts.titled(chart, "Net spending per inhabitant where the documents cover a category completely",
                         subtitle if subtitle is not None else caveats.chart_context(d, names) + notes)


def category_standing_view(table: pd.DataFrame, mid: str) -> pd.DataFrame:
    """Per category: the values compared, or why there is nothing to compare."""
    t = table.assign(municipality=[f"▶ {n}" if m == mid else n for m, n in zip(table["municipality_id"],
                                                                             table["municipality"])])
    unit = next(iter(t["unit"].dropna()), "")
    return charts.table(t, numbers={"value": 2},
                        columns=["category", "category_name_en", "municipality", "fiscal_year", "phase", "value",
                                 "coverage_text", "comparison"],
                        rename={"value": f"Net ({unit})" if unit else "Net per inhabitant",
                                "coverage_text": "Coverage of the category", "comparison": "Comparison"})


def standing_view(table: pd.DataFrame, mid: str) -> pd.DataFrame:
    """The key facts of every municipality with the profiled one marked (no ranking)."""
    t = table.assign(municipality=[f"▶ {n}" if m == mid else n for m, n in zip(table["municipality_id"],
                                                                             table["municipality"])])
    t = charts.say_missing(t, "phase")
    return charts.table(t, numbers={"goals": 0, "indicators": 0, "contradictions": 0, "pending": 0},
                        percent={"share_quantified": 0, "share_met": 0},
                        missing_for={"share_quantified": goal_analysis.NO_GOALS, "share_met": charts.NOT_MEASURED,
                                     "indicators": "none in source", "contradictions": goal_analysis.NO_GOALS,
                                     "pending": goal_analysis.NO_GOALS},
                        columns=["municipality", "fiscal_year", "phase", "scope", "goals", "share_quantified",
                                 "share_met", "contradictions", "pending", "indicators"],
                        rename={"scope": "What the document covers", "goals": "Goals coded",
                                "share_quantified": "% with a quantified target", "share_met": "% met of measured",
                                "contradictions": "Printed degree contradicts the figures",
                                "pending": "Quantified, no result yet", "indicators": "Indicators"})
