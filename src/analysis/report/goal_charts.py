"""Charts and display tables of the goals page, drawn from the DataFrames of `analysis.compare.goal_analysis`.

The computations stay in the compare layer; this module only draws and formats.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.compare import caveats, goal_analysis
from analysis.contract import schema
from analysis.report import charts


def matrix_chart(matrix: pd.DataFrame, names: dict[str, str] | None = None,
                 subtitle: list[str] | None = None) -> alt.Chart:
    """Heat map of `perspective_matrix`: goals per perspective and municipality ('no goals coded'
    where a municipality has none). `subtitle`: the goals' years and result phases
    (`caveats.goal_context`)."""
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
    return charts.titled((rect + text).properties(width=alt.Step(120), height=alt.Step(32)),
                         "Coded goals by perspective", subtitle)


def measurability_chart(table: pd.DataFrame, all_ids, names: dict[str, str] | None = None,
                        subtitle: list[str] | None = None) -> alt.Chart:
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
    chart = alt.Chart(charts.guard(long)).mark_bar().encode(
        y=alt.Y("municipality:N", title=None),
        x=alt.X("share:Q", title="Share of coded goals (%)", scale=alt.Scale(domain=[0, 100])),
        color=charts.municipality_colour(all_ids, "municipality", names, legend=False,
                                         only=long["municipality"].unique()),
        row=alt.Row("measure:N", title=None, sort=["quantified target", "baseline", "result"]),
        tooltip=[alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("share:Q", title="Share", format=",.1f"), alt.Tooltip("unit:N", title="Unit"),
                 alt.Tooltip("count:Q", title="Goals with it"), alt.Tooltip("goals:Q", title="Goals coded")],
    ).properties(width=380)
    return charts.titled(chart, "How measurable are the goals?", subtitle)


def achievement_chart(goals: pd.DataFrame, names: dict[str, str] | None = None,
                      subtitle: list[str] | None = None) -> alt.Chart:
    """Stacked bars: goals per status and municipality (status colours); goals whose printed
    degree contradicts their figures have a status of their own."""
    if not len(goals):
        return charts.empty_note(goal_analysis.NO_GOALS)
    g = goals.groupby(["municipality_id", "status"]).agg(
        goals=("goal_id", "size"), source_ref=("source_ref", charts.join_refs)).reset_index()
    g["municipality"] = g["municipality_id"].map(lambda m: (names or {}).get(m, m))
    g["status_label"] = g["status"].map(goal_analysis.STATUS_LABELS)
    order = [goal_analysis.STATUS_LABELS[s] for s in schema.GOAL_STATUSES]
    chart = alt.Chart(charts.guard(g)).mark_bar().encode(
        y=alt.Y("municipality:N", title=None, sort=sorted(g["municipality"].unique())),
        x=alt.X("goals:Q", title="Goals", stack="zero"),
        color=alt.Color("status_label:N", title="Status", sort=order,
                        scale=alt.Scale(domain=order, range=[goal_analysis.STATUS_COLOURS[s] for s in schema.GOAL_STATUSES])),
        order=alt.Order("status_order:Q"),
        tooltip=[alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("status_label:N", title="Status"),
                 alt.Tooltip("goals:Q", title="Goals"), alt.Tooltip("source_ref:N", title="Source")],
    ).transform_calculate(
        status_order=f"indexof({order!r}, datum.status_label)"
    ).properties(width=420)
    lines = list(subtitle) if subtitle is not None else caveats.goal_context(goals, None, names)
    return charts.titled(chart, "Achievement of the coded goals", lines + [few_measured_note(goals, names)])


def few_measured_note(goals: pd.DataFrame, names: dict[str, str] | None = None) -> str | None:
    """'Fewer than 5 measured goals (too few to compare a share met): Aalborg Kommune 4' or None."""
    if not len(goals):
        return None
    ach = goal_analysis.achievement(goals, sorted(goals["municipality_id"].unique()))
    few = ach[ach["few_measured"].fillna(False).astype(bool)]
    if not len(few):
        return None
    who = "; ".join(f"{(names or {}).get(m, m)} {int(n)}" for m, n in zip(few["municipality_id"], few["measured"]))
    return (f"Fewer than {goal_analysis.MIN_MEASURED} measured goals (met, missed, partly met), too few to "
            f"compare a share met: {who}")


MISS_COLOURS = {goal_analysis.MISS_KINDS["near"]: "#f1a340", goal_analysis.MISS_KINDS["clear"]: "#e15759",
                goal_analysis.MISS_KINDS["partly"]: "#edc948", goal_analysis.MISS_KINDS["unknown"]: "#bab0ac"}


def _goal_label(t: pd.DataFrame, width: int = 80) -> pd.Series:
    """'3118 Hilfe zur Pflege: Share of decisions within 14 days': the product's name with its code
    (where the goal belongs to a budget item), then the goal, cut to `width` characters."""
    code = charts.text(t["item_code"])
    item = charts.text(t["item_name"]) if "item_name" in t.columns else pd.Series("", index=t.index)
    goal = charts.text(t["goal_en"]).where(t["goal_en"].notna(), charts.text(t["goal"]))
    out = []
    for c, i, g in zip(code, item, goal):
        head = " ".join(x for x in (c, i) if x)
        text = f"{head}: {g}" if head else g
        text = " ".join(text.split())
        out.append(text if len(text) <= width else text[: width - 1].rstrip() + "…")
    return pd.Series(out, index=t.index)


def missed_chart(table: pd.DataFrame, all_ids, names: dict[str, str] | None = None,
                 subtitle: list[str] | None = None) -> alt.Chart:
    """Bars of the missed goals' degree of achievement (result against target, 100 % = met), a
    unit-free scale since the goals are measured in percent, cases, euros, ...; one panel per
    municipality (ordered within it), near misses (within 5 points) apart from clear misses;
    flagged figures dashed."""
    t = table.dropna(subset=["achievement_pct"]).copy()
    if not len(t):
        return charts.empty_note("no missed goals with target and result")
    t = charts.with_marks(t)
    t["label"] = _goal_label(t)
    t["unit"] = charts.text(t["unit"])
    years = t["target_year"] if "target_year" in t.columns else pd.Series(None, index=t.index)
    t["year"] = [str(int(y)) if pd.notna(y) else "not stated" for y in years]
    order = list(MISS_COLOURS)
    bars = alt.Chart().mark_bar().encode(
        y=alt.Y("label:N", title=None, sort="x"),
        x=alt.X("achievement_pct:Q", title="Achievement (% of target)", stack=None),
        color=alt.Color("miss:N", title="Miss", sort=order,
                        scale=alt.Scale(domain=order, range=list(MISS_COLOURS.values()))),
        **charts.mark_encodings(),
        tooltip=[alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("goal:N", title="Goal"),
                 alt.Tooltip("target:Q", title="Target", format=",.1f"),
                 alt.Tooltip("result:Q", title="Result", format=",.1f"), alt.Tooltip("unit:N", title="Unit"),
                 alt.Tooltip("year:N", title="Year"), alt.Tooltip("result_phase:N", title="Result is"),
                 alt.Tooltip("achievement_pct:Q", title="Achievement (%)", format=",.0f"),
                 alt.Tooltip("miss:N", title="Miss"), charts.mark_tooltip(),
                 alt.Tooltip("source_ref:N", title="Source")])
    rule = alt.Chart().mark_rule(color="#333", strokeDash=[4, 3]).encode(x=alt.datum(100))
    chart = alt.layer(bars, rule, data=charts.guard(t)).properties(width=400).facet(
        row=alt.Row("municipality:N", title=None, sort=sorted(t["municipality"].unique()))
    ).resolve_scale(y="independent")
    notes = [charts.MARK_NOTE if charts.has_marks(t) else None]
    return charts.titled(chart, "Missed goals: result as % of target (dashed line = target)",
                         subtitle if subtitle is not None else caveats.goal_context(t, None, names) + notes)


def contradiction_chart(table: pd.DataFrame, names: dict[str, str] | None = None,
                        subtitle: list[str] | None = None) -> alt.Chart:
    """Printed (●) and computed (○) degree of achievement side by side for goals with status
    `contradiction` (`goal_analysis.contradictions`), one panel per municipality."""
    t = table.dropna(subset=["achievement_pct", "achievement_reported"]).copy()
    if not len(t):
        return charts.empty_note("no goal whose printed degree contradicts target and result")
    t["label"] = _goal_label(t)
    long = t.melt(id_vars=["municipality", "municipality_id", "label", "goal", "target", "result", "result_phase",
                           "target_year", "source_ref"],
                  value_vars=["achievement_reported", "achievement_pct"], var_name="which", value_name="pct")
    long["which"] = long["which"].map({"achievement_reported": "printed", "achievement_pct": "computed"})
    base = alt.Chart().encode(y=alt.Y("label:N", title=None))
    rule = base.mark_rule(color="#999").encode(x="min(pct):Q", x2="max(pct):Q")
    points = base.mark_point(size=90, filled=True).encode(
        x=alt.X("pct:Q", title="Degree of achievement (%)"),
        shape=alt.Shape("which:N", title="Degree", sort=["printed", "computed"]),
        color=alt.Color("which:N", title="Degree", sort=["printed", "computed"],
                        scale=alt.Scale(domain=["printed", "computed"], range=["#b07aa1", "#333333"])),
        tooltip=[alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("goal:N", title="Goal"),
                 alt.Tooltip("which:N", title="Degree"), alt.Tooltip("pct:Q", title="%", format=",.1f"),
                 alt.Tooltip("target:Q", title="Target", format=",.1f"),
                 alt.Tooltip("result:Q", title="Result", format=",.1f"),
                 alt.Tooltip("result_phase:N", title="Result is"), alt.Tooltip("source_ref:N", title="Source")])
    target = alt.Chart().mark_rule(color="#333", strokeDash=[4, 3]).encode(x=alt.datum(100))
    chart = alt.layer(rule, points, target, data=charts.guard(long)).properties(width=400).facet(
        row=alt.Row("municipality:N", title=None)).resolve_scale(y="independent")
    return charts.titled(chart, "Printed degree of achievement against the one computed from target and result",
                         subtitle if subtitle is not None else caveats.goal_context(t, None, names))


def why_missing(view: pd.DataFrame, table: pd.DataFrame, status_codes) -> pd.DataFrame:
    """`view` (from charts.table) with an empty Target / Result cell saying why, by the goal's status
    code: 'no target', 'not measured yet', 'pending', ... (`goal_analysis.MISSING_TARGET`/`_RESULT`)."""
    out = view.copy()
    codes = list(status_codes)
    for col, header, words in (("target", "Target", goal_analysis.MISSING_TARGET),
                               ("result", "Result", goal_analysis.MISSING_RESULT)):
        if col not in table.columns or header not in out.columns:
            continue
        raw = pd.to_numeric(table[col], errors="coerce").reset_index(drop=True)
        out[header] = [words.get(c, "–") if v != v else shown for v, c, shown in zip(raw, codes, out[header])]
    return out


def _status_codes(table: pd.DataFrame) -> list:
    labels = {v: k for k, v in goal_analysis.STATUS_LABELS.items()}
    return [labels.get(s, s) for s in table["status"]] if "status" in table.columns else [None] * len(table)


def inventory_view(inv: pd.DataFrame) -> pd.DataFrame:
    inv = inv.assign(quantified=inv["quantified"].map({True: "yes", False: "no"}),
                     perspective=inv["perspective"].map(lambda v: goal_analysis.PERSPECTIVE_LABELS.get(v, v)))
    view = charts.table(inv, numbers={"target": None, "result": None},
                        columns=["municipality", "goal_id", "item_code", "goal", "goal_en", "perspective", "goal_type",
                                 "quantified", "target", "result", "unit", "status", "source_ref"],
                        missing="–", rename={"quantified": "Quantified"})
    return why_missing(view, inv, _status_codes(inv))


def matrix_view(matrix: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    m = matrix.copy()
    m.index = [goal_analysis.PERSPECTIVE_LABELS.get(p, p) for p in m.index]
    m = m.reset_index().rename(columns={"index": "perspective"})
    cols = [c for c in m.columns if c != "perspective"]
    return charts.table(m, numbers={c: 0 for c in cols}, missing=goal_analysis.NO_GOALS,
                        rename={"perspective": "Perspective", **{c: (names or {}).get(c, c) for c in cols}})


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
    counts = {s: 0 for s in schema.GOAL_STATUSES} | {"measured": 0, "near_miss": 0, "clear_miss": 0}
    ach = ach.assign(basis=["" if f is pd.NA or not f else f"fewer than {goal_analysis.MIN_MEASURED} measured goals: "
                            "too few to compare" for f in ach["few_measured"].astype(object)])
    cols = ["municipality", "met", "missed", "near_miss", "clear_miss"] + \
        [s for s in schema.GOAL_STATUSES if s not in ("met", "missed")] + ["measured", "share_met", "basis"]
    return charts.table(ach, numbers=counts, missing=goal_analysis.NO_GOALS, columns=cols,
                        rename={**{s: goal_analysis.STATUS_LABELS[s] for s in schema.GOAL_STATUSES},
                                "near_miss": "of which near misses (within 5 points)",
                                "clear_miss": "of which clear misses",
                                "measured": "measured (met, missed, partly)", "share_met": "% met of measured",
                                "basis": "Note"}, aligned=["share_met"])


def missed_view(table: pd.DataFrame) -> pd.DataFrame:
    table = charts.with_marks(table) if len(table) else table.assign(marked=None, mark_text=None)
    return charts.table(table, numbers={"target": None, "result": None, "gap": None, "achievement_reported": None},
                        percent={"achievement_pct": 0}, missing="–",
                        missing_for={"achievement_reported": "not printed", "gap": "–", "achievement_pct": "–",
                                     "flag_note": ""},
                        columns=["municipality", "item_code", "item_name", "goal", "goal_en", "unit", "target",
                                 "result", "gap", "achievement_pct", "achievement_reported", "miss", "status",
                                 "marked", "source_ref"],
                        rename={"item_name": "Product / area (original)", "gap": "Result - target",
                                "achievement_pct": "Computed degree (%)",
                                "achievement_reported": "Printed degree (%)", "miss": "Near or clear miss",
                                "marked": "Flagged"}, hover={"marked": "mark_text"},
                        order_by="achievement_pct", order_abs=False, order_text="lowest degree of achievement"
                        ).pipe(_lowest_first, table)


def _lowest_first(view: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """A long table of missed goals shows the clearest misses first (lowest degree, missing last)."""
    if "achievement_pct" in table.columns and len(table):
        key = pd.to_numeric(table["achievement_pct"], errors="coerce").reset_index(drop=True)
        view.attrs["order"] = [int(i) for i in key.sort_values(na_position="last", kind="stable").index]
    return view


def contradictions_view(table: pd.DataFrame) -> pd.DataFrame:
    """Printed and computed degree of achievement side by side."""
    return charts.table(table, numbers={"target": None, "result": None, "achievement_reported": None,
                                        "difference_pp": 1},
                        percent={"achievement_pct": 1}, missing="–",
                        columns=["municipality", "item_code", "item_name", "goal", "goal_en", "unit", "target",
                                 "result", "result_phase", "achievement_reported", "achievement_pct",
                                 "difference_pp", "by_figures", "note", "source_ref"],
                        rename={"item_name": "Product / area (original)", "result_phase": "Result is",
                                "achievement_reported": "Printed degree (%)",
                                "achievement_pct": "Computed degree (%)",
                                "difference_pp": "Printed − computed (points)",
                                "by_figures": "The figures alone say", "note": "Note"})


def pending_view(table: pd.DataFrame) -> pd.DataFrame:
    """Quantified goals with a target and no result yet."""
    return charts.table(table, numbers={"target": None}, missing_for={"target_year": "not stated"},
                        columns=["municipality", "goal_id", "item_code", "goal", "goal_en", "unit", "target",
                                 "target_year", "status", "source_ref"],
                        rename={"target_year": "Target year"}, missing="–")


def qualitative_view(table: pd.DataFrame) -> pd.DataFrame:
    table = table.assign(perspective=table["perspective"].map(lambda v: goal_analysis.PERSPECTIVE_LABELS.get(v, v)))
    return charts.table(table, columns=["municipality", "goal_id", "goal", "goal_en", "perspective", "goal_type",
                                        "quote", "source_ref"])
