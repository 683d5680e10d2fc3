"""Charts and display tables of the goals page, drawn from the DataFrames of `analysis.compare.goal_analysis`.

The computations stay in the compare layer; this module only draws and formats.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.compare import goal_analysis
from analysis.contract import schema
from analysis.report import charts


def matrix_chart(matrix: pd.DataFrame, names: dict[str, str] | None = None) -> alt.Chart:
    """Heat map of `perspective_matrix`: goals per perspective and municipality ('no goals coded'
    where a municipality has none)."""
    long = matrix.reset_index().melt(id_vars="perspective", var_name="municipality_id", value_name="goals")
    long["municipality"] = long["municipality_id"].map(lambda m: (names or {}).get(m, m))
    long["perspective_label"] = long["perspective"].map(goal_analysis.PERSPECTIVE_LABELS).fillna(long["perspective"])
    long["label"] = [charts.fmt(v, 0, missing="–") for v in long["goals"]]
    base = alt.Chart(charts.guard(long)).encode(
        x=alt.X("municipality:N", title=None, sort=list(long["municipality"].unique()),
                axis=alt.Axis(labelAngle=-25, labelLimit=180, grid=False, ticks=False)),
        y=alt.Y("perspective_label:N", title="Perspective", axis=alt.Axis(grid=False, ticks=False)))
    rect = base.mark_rect(stroke="white").encode(
        color=alt.Color("goals:Q", title="Goals", scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("municipality:N", title="Municipality"),
                 alt.Tooltip("perspective_label:N", title="Perspective"),
                 alt.Tooltip("label:N", title="Goals")])
    top = float(long["goals"].max()) if long["goals"].notna().any() else 0.0
    text = base.mark_text(fontSize=13).encode(
        text="label:N",
        color=alt.condition(alt.datum.goals > top * 0.6, alt.value("white"), alt.value("black")))
    return (rect + text).properties(title="Coded goals by perspective", width=alt.Step(120), height=alt.Step(32))


def measurability_chart(table: pd.DataFrame, all_ids, names: dict[str, str] | None = None) -> alt.Chart:
    """Bars: share of goals with a quantified target, a baseline and a result, per municipality."""
    rows = []
    for rec in table.to_dict("records"):
        for key, label, n in (("share_target", "quantified target", "with_target"),
                              ("share_baseline", "baseline", "with_baseline"),
                              ("share_result", "result", "with_result")):
            rows.append({"municipality_id": rec["municipality_id"],
                         "municipality": (names or {}).get(rec["municipality_id"], rec["municipality_id"]),
                         "measure": label, "share": rec[key], "count": rec[n], "goals": rec["goals"],
                         "unit": "% of goals"})
    long = pd.DataFrame(rows)
    long = long[long["goals"] > 0]
    return alt.Chart(charts.guard(long)).mark_bar().encode(
        y=alt.Y("municipality:N", title=None),
        x=alt.X("share:Q", title="Share of coded goals (%)", scale=alt.Scale(domain=[0, 100])),
        color=charts.municipality_colour(all_ids, "municipality", names, legend=False,
                                         only=long["municipality"].unique()),
        row=alt.Row("measure:N", title=None, sort=["quantified target", "baseline", "result"]),
        tooltip=[alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("share:Q", title="Share", format=",.1f"), alt.Tooltip("unit:N", title="Unit"),
                 alt.Tooltip("count:Q", title="Goals with it"), alt.Tooltip("goals:Q", title="Goals coded")],
    ).properties(width=380, title="How measurable are the goals?")


def achievement_chart(goals: pd.DataFrame, names: dict[str, str] | None = None) -> alt.Chart:
    """Stacked bars: goals per status and municipality (status colours)."""
    if not len(goals):
        return charts.empty_note(goal_analysis.NO_GOALS)
    g = goals.groupby(["municipality_id", "status"]).agg(
        goals=("goal_id", "size"), source_ref=("source_ref", charts.join_refs)).reset_index()
    g["municipality"] = g["municipality_id"].map(lambda m: (names or {}).get(m, m))
    g["status_label"] = g["status"].map(goal_analysis.STATUS_LABELS)
    order = [goal_analysis.STATUS_LABELS[s] for s in schema.GOAL_STATUSES]
    return alt.Chart(charts.guard(g)).mark_bar().encode(
        y=alt.Y("municipality:N", title=None),
        x=alt.X("goals:Q", title="Goals", stack="zero"),
        color=alt.Color("status_label:N", title="Status", sort=order,
                        scale=alt.Scale(domain=order, range=[goal_analysis.STATUS_COLOURS[s] for s in schema.GOAL_STATUSES])),
        order=alt.Order("status_order:Q"),
        tooltip=[alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("status_label:N", title="Status"),
                 alt.Tooltip("goals:Q", title="Goals"), alt.Tooltip("source_ref:N", title="Source")],
    ).transform_calculate(
        status_order=f"indexof({order!r}, datum.status_label)"
    ).properties(width=420, title="Achievement of quantified goals")


def missed_chart(table: pd.DataFrame, all_ids, names: dict[str, str] | None = None) -> alt.Chart:
    """Bars of the missed goals' degree of achievement (result against target, 100 % = met),
    a unit-free scale since the goals are measured in percent, cases, euros, ..."""
    t = table.dropna(subset=["achievement_pct"]).copy()
    if not len(t):
        return charts.empty_note("no missed goals with target and result")
    t["label"] = (charts.text(t["item_code"]) + " " + charts.text(t["goal_en"]).where(
        t["goal_en"].notna(), charts.text(t["goal"])).str.slice(0, 60)).str.replace(r"\s+", " ", regex=True).str.strip()
    t["unit"] = charts.text(t["unit"])
    years = t["target_year"] if "target_year" in t.columns else pd.Series(None, index=t.index)
    t["year"] = [str(int(y)) if pd.notna(y) else "not stated" for y in years]
    bars = alt.Chart(charts.guard(t)).mark_bar().encode(
        y=alt.Y("label:N", title=None, sort=alt.EncodingSortField("achievement_pct", order="ascending")),
        x=alt.X("achievement_pct:Q", title="Achievement (% of target)"),
        color=charts.municipality_colour(all_ids, "municipality", names, only=t["municipality"].unique()),
        tooltip=[alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("goal:N", title="Goal"),
                 alt.Tooltip("target:Q", title="Target", format=",.1f"),
                 alt.Tooltip("result:Q", title="Result", format=",.1f"), alt.Tooltip("unit:N", title="Unit"),
                 alt.Tooltip("year:N", title="Year"),
                 alt.Tooltip("achievement_pct:Q", title="Achievement (%)", format=",.0f"),
                 alt.Tooltip("source_ref:N", title="Source")])
    rule = alt.Chart(pd.DataFrame({"x": [100.0]})).mark_rule(color="#333", strokeDash=[4, 3]).encode(x="x:Q")
    return (bars + rule).properties(width=420, title="Missed goals: result as % of target (dashed line = target)")


def inventory_view(inv: pd.DataFrame) -> pd.DataFrame:
    inv = inv.assign(quantified=inv["quantified"].map({True: "yes", False: "no"}),
                     perspective=inv["perspective"].map(lambda v: goal_analysis.PERSPECTIVE_LABELS.get(v, v)))
    return charts.table(inv, numbers={"target": None, "result": None},
                        missing_for={"target": "no target"},
                        columns=["municipality", "goal_id", "item_code", "goal", "goal_en", "perspective", "goal_type",
                                 "quantified", "target", "result", "unit", "status", "source_ref"],
                        missing=charts.NOT_MEASURED, rename={"quantified": "Quantified"})


def matrix_view(matrix: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    m = matrix.copy()
    m.index = [goal_analysis.PERSPECTIVE_LABELS.get(p, p) for p in m.index]
    m = m.reset_index().rename(columns={"index": "perspective"})
    cols = [c for c in m.columns if c != "perspective"]
    out = charts.table(m, numbers={c: 0 for c in cols}, missing=goal_analysis.NO_GOALS)
    return out.rename(columns={c: (names or {}).get(c, c) for c in cols})


def measurability_view(meas: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    meas = meas.assign(municipality=meas["municipality_id"].map(lambda m: (names or {}).get(m, m)))
    meas = meas.assign(goals=meas["goals"].where(meas["goals"] > 0))
    return charts.table(meas, numbers={"goals": 0, "quantified": 0, "with_target": 0, "with_baseline": 0,
                                       "with_result": 0},
                        percent={"share_target": 0, "share_baseline": 0, "share_result": 0}, missing=goal_analysis.NO_GOALS,
                        columns=["municipality", "goals", "with_target", "share_target", "with_baseline",
                                 "share_baseline", "with_result", "share_result"],
                        rename={"goals": "Goals coded", "with_target": "With a quantified target",
                                "share_target": "% with target", "with_baseline": "With a baseline",
                                "share_baseline": "% with baseline", "with_result": "With a result",
                                "share_result": "% with result"})


def achievement_view(ach: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    ach = ach.assign(municipality=ach["municipality_id"].map(lambda m: (names or {}).get(m, m)))
    has_goals = ach[schema.GOAL_STATUSES].notna().any(axis=1)
    ach = ach.assign(share_met=[charts.fmt_percent(v, 0, missing=charts.NOT_MEASURED if g else goal_analysis.NO_GOALS)
                                for v, g in zip(ach["share_met"], has_goals)])
    counts = {s: 0 for s in schema.GOAL_STATUSES} | {"measured": 0}
    return charts.table(ach, numbers=counts, missing=goal_analysis.NO_GOALS,
                        columns=["municipality"] + schema.GOAL_STATUSES + ["measured", "share_met"],
                        rename={**{s: goal_analysis.STATUS_LABELS[s] for s in schema.GOAL_STATUSES},
                                "measured": "measured (met, missed, partly)", "share_met": "% met of measured"})


def missed_view(table: pd.DataFrame) -> pd.DataFrame:
    return charts.table(table, numbers={"target": None, "result": None, "gap": None, "achievement_reported": None},
                        percent={"achievement_pct": 0}, missing=charts.NOT_MEASURED,
                        missing_for={"achievement_reported": "not printed", "gap": "–", "achievement_pct": "–"},
                        columns=["municipality", "item_code", "item_name", "goal", "goal_en", "unit", "target",
                                 "result", "gap", "achievement_pct", "achievement_reported", "status", "source_ref"],
                        rename={"item_name": "Product / area (original)", "gap": "Result - target",
                                "achievement_pct": "Achievement (computed)",
                                "achievement_reported": "Achievement as printed (%)"})


def qualitative_view(table: pd.DataFrame) -> pd.DataFrame:
    table = table.assign(perspective=table["perspective"].map(lambda v: goal_analysis.PERSPECTIVE_LABELS.get(v, v)))
    return charts.table(table, columns=["municipality", "goal_id", "goal", "goal_en", "perspective", "goal_type",
                                        "quote", "source_ref"])
