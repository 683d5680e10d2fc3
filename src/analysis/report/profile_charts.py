"""Charts and display tables of the municipality profile, drawn from the DataFrames of `analysis.compare.profile`.

The computations stay in the compare layer; this module only draws and formats.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.compare import goal_analysis
from analysis.report import charts


def standing_chart(table: pd.DataFrame, mid: str, all_ids, names: dict[str, str] | None = None) -> alt.Chart:
    """Net spending per inhabitant of every municipality with figures; `mid` in full colour."""
    d = table.dropna(subset=["net_per_inhabitant"]).copy()
    if not len(d):
        return charts.empty_note(charts.NO_FIGURES)
    d["selected"] = d["municipality_id"] == mid
    d["year"] = d["fiscal_year"].astype(str) + " " + d["phase"].astype(str)
    d["source_ref"] = d["scope"]
    return alt.Chart(charts.guard(d)).mark_bar().encode(
        y=alt.Y("municipality:N", title=None, sort=alt.EncodingSortField("net_per_inhabitant", order="descending")),
        x=alt.X("net_per_inhabitant:Q", title=str(d["unit"].iloc[0])),
        color=charts.municipality_colour(all_ids, "municipality", names, legend=False,
                                         only=d["municipality"].unique()),
        opacity=alt.condition(alt.datum.selected, alt.value(1.0), alt.value(0.35)),
        tooltip=charts.tooltips("net_per_inhabitant", "Net per inhabitant", 0, unit="unit", year="year",
                                source="scope", extra=[alt.Tooltip("municipality:N", title="Municipality")]),
    ).properties(width=420, title="Net spending per inhabitant, latest year (budget scope differs)")


def standing_view(table: pd.DataFrame, mid: str) -> pd.DataFrame:
    """The standing table with the profiled municipality marked."""
    t = table.assign(municipality=[f"▶ {n}" if m == mid else n for m, n in zip(table["municipality_id"],
                                                                             table["municipality"])])
    unit = next(iter(t["unit"].dropna()), "")
    return charts.table(t, numbers={"net_per_inhabitant": 0, "goals": 0, "indicators": 0},
                        percent={"share_quantified": 0, "share_met": 0},
                        missing_for={"share_quantified": goal_analysis.NO_GOALS, "share_met": charts.NOT_MEASURED,
                                     "indicators": "none in source"},
                        columns=["municipality", "fiscal_year", "phase", "scope", "net_per_inhabitant", "rank_spending",
                                 "goals", "share_quantified", "share_met", "indicators"],
                        rename={"scope": "Budget scope",
                                "net_per_inhabitant": f"Net ({unit})" if unit else "Net per inhabitant",
                                "rank_spending": "Rank (1 = highest)", "goals": "Goals coded",
                                "share_quantified": "% with a quantified target", "share_met": "% met of measured",
                                "indicators": "Indicators"})
