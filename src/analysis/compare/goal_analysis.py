"""Goal agreements: inventory, perspectives, measurability and achievement of coded goals.

Pure functions over the contract `goals` table (see `analysis.contract.schema`):

    select(goals, municipalities, perspectives, goal_types)
    inventory(goals)                     one row per goal, original and English wording
    perspective_matrix(goals, municipalities, perspectives)   goals per perspective x municipality
    measurability(goals, municipalities) share of goals with a quantified target, a baseline, a result
    achievement(goals, municipalities)   goals per status (met / missed / ... / not measured)
    missed(goals)                        the missed goals with target, result and achievement, near or clear miss
    contradictions(goals)                goals whose printed degree contradicts target and result, side by side
    pending(goals)                       quantified goals with a target and no result yet
    qualitative(goals)                   goals without figures, with their quote and source

A municipality without any coded goal has missing values (shown as "no goals coded"), never 0.
"""
from __future__ import annotations

import pandas as pd

from analysis.contract import schema
from analysis.contract.achievement import percent
from analysis.contract.missing import flag

# Four reasons a goal is neither met nor missed, kept apart in labels and colours: the document sets
# no target; it gives no measure or result yet; the result is still to come (pending); or its printed
# degree of achievement contradicts its own target and result.
STATUS_LABELS = {"met": "met", "missed": "missed", "partly": "partly met",
                 "contradiction": "contradiction (printed degree disagrees)", "no_target": "no target",
                 "not_measured": "not measured yet", "pending": "pending"}
STATUS_COLOURS = {"met": "#59a14f", "partly": "#edc948", "missed": "#e15759", "contradiction": "#b07aa1",
                  "pending": "#4e79a7", "no_target": "#7f7f7f", "not_measured": "#d4c9a8"}
# What a table shows where a goal has no target or no result, by status (never a bare "not measured").
MISSING_TARGET = {"no_target": "no target", "not_measured": "not measured yet", "pending": "no target given"}
MISSING_RESULT = {"no_target": "–", "not_measured": "not measured yet", "pending": "pending",
                  "contradiction": "not printed"}
MIN_MEASURED = 5  # a share met resting on fewer measured goals is too few to compare
NEAR_MISS_POINTS = 5.0  # a missed goal within 5 points of its target (achievement >= 95 %) is a near miss
MISS_KINDS = {"near": "near miss (within 5 points)", "clear": "clear miss", "partly": "partly met",
              "unknown": "missed (no computed degree)"}
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
    cols = ["municipality_id", "goals", "quantified", "with_target", "share_target",
            "with_baseline", "share_baseline", "with_result", "share_result"]
    if not len(municipalities):
        return pd.DataFrame(columns=cols)
    ids = pd.Index(list(municipalities), dtype=object)
    g = pd.DataFrame({"target": goals["target"].notna(), "baseline": _baseline(goals).notna(),
                      "result": goals["result"].notna(), "quantified": flag(goals["quantified"]).to_numpy()},
                     index=goals.index)
    sums = g.groupby(goals["municipality_id"].astype(object)).agg(["sum", "size"])
    n = sums[("target", "size")].reindex(ids).fillna(0).astype(int)
    out = pd.DataFrame({"municipality_id": list(municipalities), "goals": n.to_numpy(),
                        "quantified": sums[("quantified", "sum")].reindex(ids).fillna(0).astype(int).to_numpy()})
    has = (n > 0).to_numpy()
    for k in ("target", "baseline", "result"):
        v = sums[(k, "sum")].reindex(ids).fillna(0).astype(float).to_numpy()
        out["with_" + k] = pd.Series(v).where(has).to_numpy()
        out["share_" + k] = pd.Series(100.0 * v / n.where(n > 0).to_numpy()).where(has).to_numpy()
    for k in ("target", "baseline", "result"):  # counts stay integers where every municipality has goals
        if has.all():
            out["with_" + k] = out["with_" + k].astype(int)
    return out[cols]


def achievement(goals: pd.DataFrame, municipalities: list[str]) -> pd.DataFrame:
    """Goals per status and municipality (rows: municipalities; columns: statuses in
    schema order, then near_miss and clear_miss, the missed goals within 5 points of their target
    and the others). `measured` counts met, missed and partly met goals (`few_measured`: fewer than
    MIN_MEASURED of them, a share too few to compare); goals whose printed
    degree contradicts their figures (`contradiction`) are neither met nor missed.
    Municipalities without coded goals have missing values."""
    counts = pd.crosstab(goals["municipality_id"], goals["status"]) if len(goals) else pd.DataFrame()
    out = counts.reindex(index=municipalities, columns=schema.GOAL_STATUSES)
    g = goals[goals["status"] == "missed"]
    kinds = pd.Series([miss_kind("missed", a) for a in achievement_pct(g)], index=g.index, dtype="object")
    for col, kind in (("near_miss", MISS_KINDS["near"]), ("clear_miss", MISS_KINDS["clear"])):
        out[col] = g[kinds == kind].groupby("municipality_id").size().reindex(out.index)
    have = set(goals["municipality_id"])
    out.loc[[m for m in municipalities if m in have]] = out.loc[[m for m in municipalities if m in have]].fillna(0)
    out["measured"] = out[["met", "missed", "partly"]].sum(axis=1, min_count=1)
    out["share_met"] = 100.0 * out["met"] / out["measured"].where(out["measured"] > 0)
    out["few_measured"] = pd.array([pd.NA if n != n else bool(0 < n < MIN_MEASURED) for n in out["measured"]],
                                   dtype="boolean")
    out.index.name = "municipality_id"
    out.columns.name = None
    few = out.pop("few_measured")
    out = out.astype("float64")
    out["few_measured"] = few
    return out.reset_index()


def miss_kind(status: str, achievement) -> str:
    """'near miss (within 5 points)' for a missed goal at >= 95 % of its target, else 'clear miss'
    ('partly met' for partly met goals)."""
    if status == "partly":
        return MISS_KINDS["partly"]
    if achievement is None or achievement != achievement:
        return MISS_KINDS["unknown"]
    return MISS_KINDS["near"] if achievement >= 100.0 - NEAR_MISS_POINTS else MISS_KINDS["clear"]


def missed(goals: pd.DataFrame, names: dict[str, str] | None = None, include_partly: bool = True) -> pd.DataFrame:
    """Goals that were missed (and partly met): target, result, the gap and the achievement.

    `achievement_pct` is computed from target and result (see `achievement_pct`);
    `achievement_reported` is what the document prints, unchanged. `miss` separates near misses
    (within 5 points of the target) from clear misses. Goals with status `contradiction` are not
    here (see `contradictions`). `flag_note` says where a figure is doubtful (corrections.yml).
    """
    statuses = ["missed", "partly"] if include_partly else ["missed"]
    g = goals[goals["status"].isin(statuses)].copy()
    g["gap"] = g["result"] - g["target"]
    g["achievement_pct"] = achievement_pct(g)
    g["miss"] = [miss_kind(s, a) for s, a in zip(g["status"], g["achievement_pct"])]
    cols = ["municipality_id", "goal_id", "item_code", "item_name", "goal", "goal_en", "unit", "direction", "target",
            "result", "gap", "achievement_pct", "achievement_reported", "miss", "status", "result_phase",
            "target_year", "flag_note", "source_ref"]
    out = g.reindex(columns=cols)
    out.insert(1, "municipality", out["municipality_id"].map(lambda m: (names or {}).get(m, m)))
    out["status"] = out["status"].map(STATUS_LABELS)
    return out.sort_values(["municipality_id", "achievement_pct"]).reset_index(drop=True)


def contradictions(goals: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Goals with status `contradiction`: the printed degree of achievement next to the one computed
    from target and result, and what the figures alone would say (met or missed)."""
    g = goals[goals["status"] == "contradiction"].copy()
    g["achievement_pct"] = achievement_pct(g)
    g["by_figures"] = ["met" if (a == a and a >= 100) else ("missed" if a == a else "") for a in g["achievement_pct"]]
    g["difference_pp"] = g["achievement_reported"] - g["achievement_pct"]
    cols = ["municipality_id", "goal_id", "item_code", "item_name", "goal", "goal_en", "unit", "direction", "target",
            "result", "result_phase", "achievement_reported", "achievement_pct", "difference_pp", "by_figures",
            "target_year", "note", "source_ref"]
    out = g.reindex(columns=cols)
    out.insert(1, "municipality", out["municipality_id"].map(lambda m: (names or {}).get(m, m)))
    return out.sort_values(["municipality_id", "goal_id"]).reset_index(drop=True)


def pending(goals: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Quantified goals with a target and no result yet (whatever their coded status)."""
    g = goals[flag(goals["quantified"]) & goals["target"].notna() & goals["result"].isna()]
    cols = ["municipality_id", "goal_id", "item_code", "goal", "goal_en", "unit", "direction", "target",
            "target_year", "status", "source_ref"]
    out = g.reindex(columns=cols)
    out.insert(1, "municipality", out["municipality_id"].map(lambda m: (names or {}).get(m, m)))
    out["status"] = out["status"].map(STATUS_LABELS).fillna(out["status"])
    return out.sort_values(["municipality_id", "goal_id"]).reset_index(drop=True)


def qualitative(goals: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Goals without figures (quantified false) with their verbatim quote and source reference."""
    g = goals[~flag(goals["quantified"])]
    cols = ["municipality_id", "goal_id", "goal", "goal_en", "perspective", "goal_type", "quote", "source_ref"]
    out = g.reindex(columns=cols)
    out.insert(1, "municipality", out["municipality_id"].map(lambda m: (names or {}).get(m, m)))
    return out.sort_values(["municipality_id", "goal_id"]).reset_index(drop=True)


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
