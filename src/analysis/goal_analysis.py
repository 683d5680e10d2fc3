"""Goal agreements: inventory, perspectives, measurability and achievement of coded goals.

Pure functions over the contract `goals` table (see `analysis.schema`):

    select(goals, municipalities, perspectives, goal_types)
    inventory(goals)                     one row per goal, original and English wording
    perspective_matrix(goals, municipalities, perspectives)   goals per perspective x municipality
    measurability(goals, municipalities) share of goals with a quantified target, a baseline, a result
    achievement(goals, municipalities)   goals per status (met / missed / ... / not measured)
    missed(goals)                        the missed goals with target, result and achievement
    qualitative(goals)                   goals without figures, with their quote and source

A municipality without any coded goal has missing values (shown as "no goals coded"), never 0.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from . import charts, schema
from .achievement import percent

STATUS_LABELS = {"met": "met", "missed": "missed", "partly": "partly met", "no_target": "no target",
                 "not_measured": "not measured", "pending": "pending"}
STATUS_COLOURS = {"met": "#59a14f", "partly": "#edc948", "missed": "#e15759", "pending": "#a0cbe8",
                  "no_target": "#bab0ac", "not_measured": "#d9d9d9"}
NO_GOALS = "no goals coded"
PERSPECTIVE_LABELS = {"client": "client", "staff": "staff", "economic": "economic (cost)",
                      "legal": "legal compliance", "process_quality": "process quality"}


def select(goals: pd.DataFrame, municipalities=None, perspectives=None, goal_types=None) -> pd.DataFrame:
    """The goals of the given municipalities, perspectives and goal types (None = all)."""
    g = goals
    if municipalities is not None:
        g = g[g["municipality_id"].isin(municipalities)]
    if perspectives is not None:
        g = g[g["perspective"].isin(perspectives)]
    if goal_types is not None:
        g = g[g["goal_type"].isin(goal_types)]
    return g.reset_index(drop=True)


def _baseline(goals: pd.DataFrame) -> pd.Series:
    if "baseline" in goals.columns:
        return pd.to_numeric(goals["baseline"], errors="coerce")
    return pd.Series(float("nan"), index=goals.index)


def achievement_pct(goals: pd.DataFrame) -> pd.Series:
    """Degree of achievement in percent, computed from target, result and direction
    (higher_is_better: result / target; lower_is_better: target / result; 100 = met exactly).

    Computed from the figures (analysis.achievement.percent) rather than read from `achievement`,
    so that goals from any source, including analyst tables that leave it empty, are treated alike.
    Missing when a figure is missing or zero, or the goal has no direction.
    """
    t = pd.to_numeric(goals["target"], errors="coerce")
    r = pd.to_numeric(goals["result"], errors="coerce")
    values = [percent(a, b, d) for a, b, d in zip(t, r, goals["direction"])]
    return pd.Series(values, index=goals.index, dtype="float64")


def inventory(goals: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per goal: who, original and English wording, perspective, type, figures, status."""
    cols = ["municipality_id", "goal_id", "item_code", "goal", "goal_en", "perspective", "goal_type",
            "quantified", "unit", "target", "result", "status", "source_ref"]
    out = goals.reindex(columns=cols).copy()
    out.insert(1, "municipality", out["municipality_id"].map(lambda m: (names or {}).get(m, m)))
    out["status"] = out["status"].map(STATUS_LABELS).fillna(out["status"])
    return out.sort_values(["municipality_id", "goal_id"]).reset_index(drop=True)


def perspective_matrix(goals: pd.DataFrame, municipalities: list[str], perspectives: list[str]) -> pd.DataFrame:
    """Number of goals per perspective (rows) and municipality (columns).

    A municipality with goals gets 0 for a perspective it has no goal in; a municipality without
    any coded goal gets missing values in every row.
    """
    counts = pd.crosstab(goals["perspective"], goals["municipality_id"]) if len(goals) else pd.DataFrame()
    out = counts.reindex(index=perspectives, columns=municipalities)
    have = set(goals["municipality_id"])
    for m in municipalities:
        if m in have:
            out[m] = out[m].fillna(0)
        else:
            out[m] = float("nan")
    out.index.name = "perspective"
    out.columns.name = None
    return out.astype("float64")


def measurability(goals: pd.DataFrame, municipalities: list[str]) -> pd.DataFrame:
    """Per municipality: goals, and how many and what share (%) have a quantified target, a
    baseline and a result. Municipalities without coded goals: counts 0 goals, shares missing."""
    rows = []
    base = _baseline(goals)
    for m in municipalities:
        mask = goals["municipality_id"] == m
        n = int(mask.sum())
        g = goals[mask]
        counts = {"with_target": int(g["target"].notna().sum()),
                  "with_baseline": int(base[mask].notna().sum()),
                  "with_result": int(g["result"].notna().sum())}
        row = {"municipality_id": m, "goals": n, "quantified": int(charts.flag(g["quantified"]).sum())}
        for k, v in counts.items():
            row[k] = v if n else float("nan")
            row["share_" + k.split("_", 1)[1]] = 100.0 * v / n if n else float("nan")
        rows.append(row)
    return pd.DataFrame(rows, columns=["municipality_id", "goals", "quantified", "with_target", "share_target",
                                       "with_baseline", "share_baseline", "with_result", "share_result"])


def achievement(goals: pd.DataFrame, municipalities: list[str]) -> pd.DataFrame:
    """Goals per status and municipality (rows: municipalities; columns: statuses in
    schema order). Municipalities without coded goals have missing values."""
    counts = pd.crosstab(goals["municipality_id"], goals["status"]) if len(goals) else pd.DataFrame()
    out = counts.reindex(index=municipalities, columns=schema.GOAL_STATUSES)
    have = set(goals["municipality_id"])
    out.loc[[m for m in municipalities if m in have]] = out.loc[[m for m in municipalities if m in have]].fillna(0)
    out["measured"] = out[["met", "missed", "partly"]].sum(axis=1, min_count=1)
    out["share_met"] = 100.0 * out["met"] / out["measured"].where(out["measured"] > 0)
    out.index.name = "municipality_id"
    out.columns.name = None
    return out.astype("float64").reset_index()


def missed(goals: pd.DataFrame, names: dict[str, str] | None = None, include_partly: bool = True) -> pd.DataFrame:
    """Goals that were missed (and partly met): target, result, the gap and the achievement.

    `achievement_pct` is computed from target and result (see `achievement_pct`);
    `achievement_reported` is what the document prints, unchanged.
    """
    statuses = ["missed", "partly"] if include_partly else ["missed"]
    g = goals[goals["status"].isin(statuses)].copy()
    g["gap"] = g["result"] - g["target"]
    g["achievement_pct"] = achievement_pct(g)
    cols = ["municipality_id", "goal_id", "item_code", "item_name", "goal", "goal_en", "unit", "direction", "target",
            "result", "gap", "achievement_pct", "achievement_reported", "status", "source_ref"]
    out = g.reindex(columns=cols)
    out.insert(1, "municipality", out["municipality_id"].map(lambda m: (names or {}).get(m, m)))
    out["status"] = out["status"].map(STATUS_LABELS)
    return out.sort_values(["municipality_id", "achievement_pct"]).reset_index(drop=True)


def qualitative(goals: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Goals without figures (quantified false) with their verbatim quote and source reference."""
    g = goals[~charts.flag(goals["quantified"])]
    cols = ["municipality_id", "goal_id", "goal", "goal_en", "perspective", "goal_type", "quote", "source_ref"]
    out = g.reindex(columns=cols)
    out.insert(1, "municipality", out["municipality_id"].map(lambda m: (names or {}).get(m, m)))
    return out.sort_values(["municipality_id", "goal_id"]).reset_index(drop=True)


# --- charts -------------------------------------------------------------------------------------

def matrix_chart(matrix: pd.DataFrame, names: dict[str, str] | None = None) -> alt.Chart:
    """Heat map of `perspective_matrix`: goals per perspective and municipality ('no goals coded'
    where a municipality has none)."""
    long = matrix.reset_index().melt(id_vars="perspective", var_name="municipality_id", value_name="goals")
    long["municipality"] = long["municipality_id"].map(lambda m: (names or {}).get(m, m))
    long["perspective_label"] = long["perspective"].map(PERSPECTIVE_LABELS).fillna(long["perspective"])
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
        return charts.empty_note(NO_GOALS)
    g = goals.groupby(["municipality_id", "status"]).agg(
        goals=("goal_id", "size"), source_ref=("source_ref", charts.join_refs)).reset_index()
    g["municipality"] = g["municipality_id"].map(lambda m: (names or {}).get(m, m))
    g["status_label"] = g["status"].map(STATUS_LABELS)
    order = [STATUS_LABELS[s] for s in schema.GOAL_STATUSES]
    return alt.Chart(charts.guard(g)).mark_bar().encode(
        y=alt.Y("municipality:N", title=None),
        x=alt.X("goals:Q", title="Goals", stack="zero"),
        color=alt.Color("status_label:N", title="Status", sort=order,
                        scale=alt.Scale(domain=order, range=[STATUS_COLOURS[s] for s in schema.GOAL_STATUSES])),
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


# --- item names and display tables ----------------------------------------------------------------

def with_item_names(goals: pd.DataFrame, budget: pd.DataFrame) -> pd.DataFrame:
    """Goals with `item_name` (and `item_name_en`): the budget item (product) the goal belongs to,
    e.g. Peine 3118 'Hilfe zur Pflege (Pflegestärkungsgesetz ab 2017)'."""
    out = goals.copy()
    b = budget.dropna(subset=["item_code"])
    b = b[b["level"].isin(["product", "line"])].drop_duplicates(["municipality_id", "item_code"])
    key = list(zip(b["municipality_id"], b["item_code"].astype(str)))
    names, names_en = dict(zip(key, b["item_name"])), dict(zip(key, b["item_name_en"]))
    codes = list(zip(out["municipality_id"], out["item_code"].astype(object).where(out["item_code"].notna(), "")))
    out["item_name"] = pd.Series([names.get((m, str(c))) for m, c in codes], index=out.index, dtype="str")
    out["item_name_en"] = pd.Series([names_en.get((m, str(c))) for m, c in codes], index=out.index, dtype="str")
    return out


def inventory_view(inv: pd.DataFrame) -> pd.DataFrame:
    inv = inv.assign(quantified=inv["quantified"].map({True: "yes", False: "no"}),
                     perspective=inv["perspective"].map(lambda v: PERSPECTIVE_LABELS.get(v, v)))
    return charts.table(inv, numbers={"target": None, "result": None},
                        missing_for={"target": "no target"},
                        columns=["municipality", "goal_id", "item_code", "goal", "goal_en", "perspective", "goal_type",
                                 "quantified", "target", "result", "unit", "status", "source_ref"],
                        missing=charts.NOT_MEASURED, rename={"quantified": "Quantified"})


def matrix_view(matrix: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    m = matrix.copy()
    m.index = [PERSPECTIVE_LABELS.get(p, p) for p in m.index]
    m = m.reset_index().rename(columns={"index": "perspective"})
    cols = [c for c in m.columns if c != "perspective"]
    out = charts.table(m, numbers={c: 0 for c in cols}, missing=NO_GOALS)
    return out.rename(columns={c: (names or {}).get(c, c) for c in cols})


def measurability_view(meas: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    meas = meas.assign(municipality=meas["municipality_id"].map(lambda m: (names or {}).get(m, m)))
    meas = meas.assign(goals=meas["goals"].where(meas["goals"] > 0))
    return charts.table(meas, numbers={"goals": 0, "quantified": 0, "with_target": 0, "with_baseline": 0,
                                       "with_result": 0},
                        percent={"share_target": 0, "share_baseline": 0, "share_result": 0}, missing=NO_GOALS,
                        columns=["municipality", "goals", "with_target", "share_target", "with_baseline",
                                 "share_baseline", "with_result", "share_result"],
                        rename={"goals": "Goals coded", "with_target": "With a quantified target",
                                "share_target": "% with target", "with_baseline": "With a baseline",
                                "share_baseline": "% with baseline", "with_result": "With a result",
                                "share_result": "% with result"})


def achievement_view(ach: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    ach = ach.assign(municipality=ach["municipality_id"].map(lambda m: (names or {}).get(m, m)))
    has_goals = ach[schema.GOAL_STATUSES].notna().any(axis=1)
    ach = ach.assign(share_met=[charts.fmt_percent(v, 0, missing=charts.NOT_MEASURED if g else NO_GOALS)
                                for v, g in zip(ach["share_met"], has_goals)])
    counts = {s: 0 for s in schema.GOAL_STATUSES} | {"measured": 0}
    return charts.table(ach, numbers=counts, missing=NO_GOALS,
                        columns=["municipality"] + schema.GOAL_STATUSES + ["measured", "share_met"],
                        rename={**{s: STATUS_LABELS[s] for s in schema.GOAL_STATUSES},
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
    table = table.assign(perspective=table["perspective"].map(lambda v: PERSPECTIVE_LABELS.get(v, v)))
    return charts.table(table, columns=["municipality", "goal_id", "goal", "goal_en", "perspective", "goal_type",
                                        "quote", "source_ref"])
