"""Charts that stay readable with hundreds of municipalities (`analysis.compare.distribution`).

Each function takes the same DataFrame as the page's chart of the same name plus `highlight`
(the municipalities the analyst picked). Up to `distribution.THRESHOLD` municipalities with a
figure to draw it returns
the page's own chart unchanged; above it, per category (or measure, status, phase) a box of the
others (whiskers 5th to 95th percentile, box the quartiles, a tick at the median) with the
highlighted municipalities as dots in their fixed colours. Charts with one panel per municipality
keep only the highlighted panels. No chart draws more than `THRESHOLD` municipalities one by one.
`subtitle` is the page chart's subtitle, used up to the threshold; at scale the subtitle names the
highlighted municipalities' years and phases and the others' range (`context`).

    scale_charts.composition_chart(comp, all_ids, names, highlight=["peine"])
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.compare import caveats, distribution, goal_analysis, spending
from analysis.contract import schema
from analysis.report import charts
from analysis.report import goal_charts as gc
from analysis.report import indicator_charts as ic
from analysis.report import profile_charts as pc
from analysis.report import spending_charts as sc

BOX_NOTE = ("Grey: the other municipalities (whiskers 5th to 95th percentile, box the middle half, tick the "
            "median; the tooltip has minimum, maximum and how many); dots: the highlighted municipalities")
OTHERS_COLOUR, SELECTED_COLOUR = "#bdbdbd", "#f28e2b"
ONE_BY_ONE = 5  # a subtitle names the years and phases of up to this many highlighted municipalities


def _names(d: pd.DataFrame, names) -> pd.DataFrame:
    if "municipality" not in d.columns:
        d = d.assign(municipality=d["municipality_id"].map(lambda m: (names or {}).get(m, m)))
    return d


def context(df: pd.DataFrame, highlight, names=None, phase: str | None = "phase", year: str = "fiscal_year",
            unit: str | None = "unit") -> list[str]:
    """Subtitle lines at scale: the highlighted municipalities' years and phases one by one (up to
    `ONE_BY_ONE` of them, else as a range too), the others' as a range ('480 other
    municipalities: fiscal years 2022-2023; actual outturn, forecast')."""
    sel, rest = distribution.split(df, highlight)
    one_by_one = distribution.count(sel) <= ONE_BY_ONE
    lines = caveats.chart_context(sel, names, year=year, phase=phase, unit=None) if one_by_one else []
    for part, who in ((rest, "other municipalities"), (sel if not one_by_one else rest.iloc[0:0], "highlighted")):
        if not len(part):
            continue
        ys = sorted({int(y) for y in pd.to_numeric(part.get(year, pd.Series(dtype=float)), errors="coerce").dropna()})
        span = (f"{ys[0]}" if len(ys) == 1 else f"{ys[0]}-{ys[-1]}") if ys else "years not stated"
        ps = [] if phase is None or phase not in part.columns else list(dict.fromkeys(
            caveats.PHASE_WORDS.get(p, p) for p in part[phase].dropna().astype(str) if p))
        lines.append(f"{distribution.count(part)} {who}: fiscal years {span}" + (f"; {', '.join(ps)}" if ps else ""))
    if unit and unit in df.columns:
        units = [u for u in dict.fromkeys(df[unit].dropna().astype(str)) if u]
        if units:
            lines.append(" / ".join(units))
    return lines


def distribution_chart(df: pd.DataFrame, y: str, value: str, highlight, all_ids, names=None, *, x_title: str,
                       title: str, subtitle: list[str] | None = None, decimals: int = 0, y_sort=None,
                       others: pd.DataFrame | None = None, notes: list[str] | None = None) -> alt.Chart:
    """Per value of `y`: the box of the others (of `others`, default the rows of `df` not
    highlighted) and the highlighted rows of `df` as dots (or, with more than
    `distribution.MAX_HIGHLIGHT` highlighted, a box of their own)."""
    d = _names(df.dropna(subset=[value]), names)
    if not len(d):
        return charts.empty_note(charts.NO_FIGURES)
    sel, rest = distribution.split(d, highlight)
    base = (rest if others is None else others.dropna(subset=[value]))
    summ = distribution.summary(pd.concat([base, sel]), [y], value, highlight)
    pts = distribution.points(sel, highlight)
    labels = sorted(set(d[y].astype(str)))
    enc_y = alt.Y(f"{y}:N", title=None, sort=y_sort if y_sort is not None else labels)
    fmt = charts.d3_format(decimals)
    box_tips = [alt.Tooltip(f"{y}:N", title="Category"), alt.Tooltip("group_label:N", title="Municipalities")] + [
        alt.Tooltip(f"{s}:Q", title=t, format=fmt) for s, t in (
            ("min", "Minimum"), ("p05", "5th percentile"), ("q1", "Lower quartile"), ("median", "Median"),
            ("q3", "Upper quartile"), ("p95", "95th percentile"), ("max", "Maximum"))]
    two = bool((summ["group"] == distribution.SELECTED).any())
    extra = {"yOffset": alt.YOffset("group:N", sort=[distribution.OTHERS, distribution.SELECTED])} if two else {}
    colour = (alt.Color("group:N", title="Municipalities", scale=alt.Scale(
        domain=[distribution.OTHERS, distribution.SELECTED], range=[OTHERS_COLOUR, SELECTED_COLOUR]))
        if two else alt.value(OTHERS_COLOUR))
    box_data = charts.guard(summ, "distribution")
    whiskers = alt.Chart(box_data).mark_rule(color="#888").encode(
        y=enc_y, x=alt.X("p05:Q", title=x_title), x2="p95:Q", tooltip=box_tips, **extra)
    box = alt.Chart(box_data).mark_bar(height=alt.RelativeBandSize(0.45) if two else 14).encode(
        y=enc_y, x="q1:Q", x2="q3:Q", color=colour, tooltip=box_tips, **extra)
    median = alt.Chart(box_data).mark_tick(color="#333", thickness=2, size=12 if two else 18).encode(
        y=enc_y, x="median:Q", tooltip=box_tips, **extra)
    layers = [whiskers, box, median]
    if len(pts):
        tips = [alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip(f"{y}:N", title="Category"),
                alt.Tooltip(f"{value}:Q", title="Value", format=fmt)]
        tips += [alt.Tooltip(f"{c}:N", title=t) for c, t in (("unit", "Unit"), ("fiscal_year", "Year"),
                                                               ("coverage_text", "Coverage of the category"),
                                                               ("source_ref", "Source")) if c in pts.columns]
        dots = alt.Chart(charts.guard(pts)).mark_point(filled=True, size=80, stroke="#222", strokeWidth=0.5).encode(
            y=enc_y, x=f"{value}:Q",
            color=charts.municipality_colour(all_ids, "municipality", names, only=pts["municipality"].unique()),
            opacity=charts.coverage_opacity() if "complete" in pts.columns else alt.value(1.0), tooltip=tips)
        layers.append(dots)
    chart = alt.layer(*layers).resolve_scale(color="independent").properties(width=460, height=alt.Step(28))
    lines = list(subtitle or []) + [BOX_NOTE] + [n for n in (notes or []) if n]
    n_rest = distribution.count(rest)
    return charts.titled(chart, f"{title}: {distribution.count(sel)} highlighted against {n_rest} others", lines)


def panels(draw, df: pd.DataFrame, highlight, what: str, column: str = "municipality_id"):
    """A chart with one panel per municipality (`draw(df)`) at scale: the highlighted panels only,
    or a note saying how to choose them."""
    if not distribution.at_scale(df, column):     # (municipalities with rows: the panels drawn)
        return draw(df)
    sel, _ = distribution.split(df, highlight, column)
    n = distribution.count(df, column)
    if not len(sel):
        return charts.empty_note(f"{what}: {n} municipalities, one panel each would not be readable; choose up to "
                                 f"{distribution.MAX_HIGHLIGHT} with the parameter highlight (the table and the "
                                 "download hold all)")
    if distribution.count(sel, column) > distribution.MAX_HIGHLIGHT:
        return charts.empty_note(f"{what}: {distribution.count(sel, column)} highlighted municipalities, more than "
                                 f"{distribution.MAX_HIGHLIGHT} panels; the table and the download hold all")
    return draw(sel)


# --- spending --------------------------------------------------------------------------------------

def _category_label(d: pd.DataFrame) -> pd.Series:
    return (charts.text(d["category"]) + " " + charts.text(d["category_name_en"])).str.strip()


def composition_chart(comp: pd.DataFrame, all_ids, names=None, highlight=(), measure: str = "value",
                      decimals: int = 0, subtitle: list[str] | None = None) -> alt.Chart:
    """`spending_charts.composition_chart`, or at scale the distribution per category; levels
    (and shares) of the others only where their documents cover the category completely."""
    if not distribution.at_scale(comp.dropna(subset=[measure])):
        return sc.composition_chart(comp, all_ids, names, measure=measure, decimals=decimals, subtitle=subtitle)
    c = comp.copy()
    if "complete" not in c.columns:
        c["complete"], c["coverage_text"] = False, "not recorded"
    c["category_label"] = _category_label(c)
    _, rest = distribution.split(c, highlight)
    complete = rest[rest["complete"].fillna(False).astype(bool)]
    left = distribution.count(rest) - distribution.count(complete)
    axis = "Share of categorised net spending (%)" if measure == "share" else f"Net, {spending.unit_label(c)}"
    title = "Net spending by category" + (" (share of the categorised total)" if measure == "share" else "")
    note = (f"The grey boxes hold only figures of documents that cover the category completely "
            f"({left} municipalities have none such)" if left else
            "The grey boxes hold only figures of documents that cover the category completely")
    return distribution_chart(c, "category_label", measure, highlight, all_ids, names, x_title=axis, title=title,
                              subtitle=context(c, highlight, names),
                              decimals=1 if measure == "share" else decimals, others=complete,
                              notes=[note, charts.PARTIAL_NOTE.replace("bars", "dots")])


def deviation_chart(pvo: pd.DataFrame, all_ids, names=None, highlight=(), label: str = "category", top: int = 15,
                    subtitle: list[str] | None = None) -> alt.Chart:
    """`spending_charts.deviation_chart`, or at scale: by category the distribution of the
    deviation (% of plan); by item the highlighted municipalities' panels only."""
    if label != "category":
        return panels(lambda d: sc.deviation_chart(d, all_ids, names, label=label, top=top, subtitle=subtitle),
                      pvo, highlight, "Outturn against plan by item")
    if not distribution.at_scale(pvo.dropna(subset=["deviation_pct"])):
        return sc.deviation_chart(pvo, all_ids, names, label=label, top=top, subtitle=subtitle)
    d = pvo.assign(label=_category_label(pvo))
    return distribution_chart(d, "label", "deviation_pct", highlight, all_ids, names,
                              x_title="Deviation from plan (%)", title="Outturn against plan by category (% of plan)",
                              subtitle=context(d, highlight, names, phase="outturn_phase"), decimals=1)


def economic_chart(econ: pd.DataFrame, all_ids, names=None, highlight=(),
                   subtitle: list[str] | None = None) -> alt.Chart:
    """`spending_charts.economic_chart`, or at scale the distribution of each economic type's share."""
    if not distribution.at_scale(econ.dropna(subset=["share"])):
        return sc.economic_chart(econ, all_ids, names, subtitle=subtitle)
    return distribution_chart(econ, "economic_type_label", "share", highlight, all_ids, names,
                              x_title="Share of expenditure (%)", title="Economic composition of expenditure",
                              subtitle=context(econ, highlight, names),
                              decimals=1)


def revenue_chart(rev: pd.DataFrame, all_ids, names=None, highlight=(), subtitle: list[str] | None = None) -> alt.Chart:
    """`spending_charts.revenue_chart`, or at scale the distribution of the revenue share per phase."""
    if not distribution.at_scale(rev.dropna(subset=["revenue_share"])):
        return sc.revenue_chart(rev, all_ids, names, subtitle=subtitle)
    d = rev.assign(phase_label=rev["phase"].map(spending.PHASE_LABELS).fillna(rev["phase"]))
    return distribution_chart(d, "phase_label", "revenue_share", highlight, all_ids, names,
                              x_title="Revenue as % of gross expenditure",
                              title="Revenue and reimbursements against gross expenditure",
                              subtitle=context(d, highlight, names), decimals=1)


# --- goals -----------------------------------------------------------------------------------------

def matrix_chart(matrix: pd.DataFrame, names=None, highlight=(), all_ids=(),
                 subtitle: list[str] | None = None) -> alt.Chart:
    """`goal_charts.matrix_chart`, or with more municipalities (columns) than the threshold the
    distribution of the number of goals per perspective."""
    if len(matrix.columns) <= distribution.THRESHOLD:
        return gc.matrix_chart(matrix, names, subtitle=subtitle)
    long = matrix.copy().reset_index().melt(id_vars="perspective", var_name="municipality_id", value_name="goals")
    long["perspective_label"] = long["perspective"].map(goal_analysis.PERSPECTIVE_LABELS).fillna(long["perspective"])
    return distribution_chart(long, "perspective_label", "goals", highlight, list(all_ids) or list(matrix.columns),
                              names, x_title="Goals coded", title="Coded goals by perspective",
                              subtitle=context(long.assign(fiscal_year=None), highlight, names, phase=None, unit=None))


def measurability_chart(table: pd.DataFrame, all_ids, names=None, highlight=(),
                        subtitle: list[str] | None = None) -> alt.Chart:
    """`goal_charts.measurability_chart`, or at scale the distribution of each share."""
    if not distribution.at_scale(table[table["goals"] > 0]):
        return gc.measurability_chart(table, all_ids, names, subtitle=subtitle)
    t = table[table["goals"] > 0]
    long = pd.concat([t[["municipality_id"]].assign(measure=label, share=t[key]) for key, label in (
        ("share_target", "quantified target"), ("share_baseline", "baseline"), ("share_result", "result"))])
    return distribution_chart(long, "measure", "share", highlight, all_ids, names, x_title="Share of coded goals (%)",
                              title="How measurable are the goals?", decimals=1,
                              subtitle=context(long.assign(fiscal_year=None), highlight, names, phase=None, unit=None),
                              y_sort=["quantified target", "baseline", "result"])


def achievement_chart(goals: pd.DataFrame, names=None, highlight=(), all_ids=(),
                      subtitle: list[str] | None = None) -> alt.Chart:
    """`goal_charts.achievement_chart`, or at scale the distribution of each status's share of a
    municipality's coded goals."""
    if not distribution.at_scale(goals):
        return gc.achievement_chart(goals, names, subtitle=subtitle)
    shares = distribution.shares(goals, "status", list(schema.GOAL_STATUSES))
    shares["status_label"] = shares["status"].map(goal_analysis.STATUS_LABELS)
    order = [goal_analysis.STATUS_LABELS[s] for s in schema.GOAL_STATUSES]
    lines = context(goals, highlight, names, phase="result_phase", year="target_year", unit=None)
    return distribution_chart(shares, "status_label", "share", highlight, list(all_ids) or sorted(
        goals["municipality_id"].unique()), names, x_title="Share of the municipality's coded goals (%)",
        title="Achievement of the coded goals", subtitle=lines, decimals=1, y_sort=order)


def missed_chart(table: pd.DataFrame, all_ids, names=None, highlight=(), subtitle=None):
    return panels(lambda d: gc.missed_chart(d, all_ids, names, subtitle=subtitle), table, highlight, "Missed goals")


def contradiction_chart(table: pd.DataFrame, names=None, highlight=(), subtitle=None):
    return panels(lambda d: gc.contradiction_chart(d, names, subtitle=subtitle), table, highlight,
                  "Printed against computed degree of achievement")


# --- indicators ------------------------------------------------------------------------------------

def volume_chart(pva: pd.DataFrame, all_ids, names=None, highlight=(), top: int = 15, subtitle=None):
    return panels(lambda d: ic.volume_chart(d, all_ids, names, top=top, subtitle=subtitle), pva, highlight,
                  "Realised against planned volumes")


def rates_chart(rates: pd.DataFrame, all_ids, names=None, highlight=(), top: int = 15, subtitle=None):
    return panels(lambda d: ic.rates_chart(d, all_ids, names, top=top, subtitle=subtitle), rates, highlight,
                  "Volumes per 1,000 inhabitants")


def timeliness_chart(t: pd.DataFrame, all_ids, names=None, highlight=(), subtitle=None):
    return panels(lambda d: ic.timeliness_chart(d, all_ids, names, subtitle=subtitle), t, highlight,
                  "Timeliness targets")


# --- profile ---------------------------------------------------------------------------------------

def standing_chart(table: pd.DataFrame, mid: str, all_ids, names=None, subtitle=None) -> alt.Chart:
    """`profile_charts.standing_chart`, or at scale the profiled municipality (a dot) against the
    distribution of the others whose documents cover the category completely (never a rank)."""
    d = table[table["comparison"].astype(str).str.startswith("compared")].dropna(subset=["value"])
    if not distribution.at_scale(d):
        return pc.standing_chart(table, mid, all_ids, names, subtitle=subtitle)
    d = d.assign(category_label=_category_label(d))
    return distribution_chart(d, "category_label", "value", [mid], all_ids, names, x_title=str(d["unit"].iloc[0]),
                              title="Net spending per inhabitant where the documents cover a category completely",
                              subtitle=context(d, [mid], names), decimals=2,
                              notes=["Only municipalities whose documents cover the category completely: not a ranking"])
