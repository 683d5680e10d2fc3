"""Charts and display tables of the spending page, drawn from the DataFrames of `analysis.compare.spending`.

The computations stay in the compare layer; this module only draws and formats.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.compare import caveats, spending
from analysis.report import charts


def _context(d: pd.DataFrame, names, phase: str = "phase", notes: list[str] | None = None) -> list[str]:
    return caveats.chart_context(d, names, phase=phase) + [n for n in (notes or []) if n]


def composition_chart(comp: pd.DataFrame, all_ids, names: dict[str, str] | None = None,
                      measure: str = "value", decimals: int = 0, subtitle: list[str] | None = None) -> alt.Chart:
    """Grouped bars: each category's value (or share) per municipality, municipality colours.

    Categories the municipality's document covers only partly (`scope.with_coverage`: complete
    False, or coverage not recorded) are faded, with the coverage in the tooltip; bars that
    include a corrected or flagged figure are outlined. The subtitle gives year, phase, unit and
    scope (`subtitle` replaces it)."""
    if not len(comp):
        return charts.empty_note(spending.NO_FIGURES)
    c = charts.with_marks(comp)
    if "complete" not in c.columns:
        c["complete"], c["coverage_text"] = False, "not recorded"
    c["category_label"] = (charts.text(c["category"]) + " " + charts.text(c["category_name_en"])).str.strip()
    c["phase_label"] = c["phase"].map(spending.PHASE_LABELS)
    c["share_unit"] = "% of categorised spending"
    axis = "Share of categorised net spending (%)" if measure == "share" else f"Net, {spending.unit_label(c)}"
    unit_field = "share_unit" if measure == "share" else "unit"
    notes = [charts.PARTIAL_NOTE if not c["complete"].all() else None, charts.MARK_NOTE if charts.has_marks(c) else None]
    chart = alt.Chart(charts.guard(c)).mark_bar().encode(
        y=alt.Y("category_label:N", title=None, sort=sorted(c["category_label"].unique())),
        yOffset=alt.YOffset("municipality:N", sort=sorted(c["municipality"].unique())),
        x=alt.X(f"{measure}:Q", title=axis),
        color=charts.municipality_colour(all_ids, "municipality", names, only=c["municipality"].unique()),
        opacity=charts.coverage_opacity(),
        **charts.mark_encodings(),
        tooltip=charts.tooltips(measure, "Share (%)" if measure == "share" else "Value",
                                1 if measure == "share" else decimals, unit=unit_field, year="fiscal_year",
                                extra=[alt.Tooltip("municipality:N", title="Municipality"),
                                       alt.Tooltip("category_label:N", title="Category"),
                                       alt.Tooltip("phase_label:N", title="Phase"),
                                       alt.Tooltip("coverage_text:N", title="Coverage of the category"),
                                       charts.mark_tooltip()]),
    ).properties(width=460)
    title = "Net spending by category" + (" (share of the categorised total)" if measure == "share" else "")
    return charts.titled(chart, title, subtitle if subtitle is not None else _context(c, names, notes=notes))


def deviation_chart(pvo: pd.DataFrame, all_ids, names: dict[str, str] | None = None, label: str = "category",
                    top: int = 15, subtitle: list[str] | None = None) -> alt.Chart:
    """Outturn against plan per category or item.

    By category: deviation_pct of every category, in code order, one bar per municipality (never
    ordered by value across municipalities). By item: one panel per municipality with its `top`
    largest absolute deviations in money, plotted in money (the unit of the figures) and ordered
    within the panel, so that the chart shows what it selects by; the percentage is in the tooltip.
    Corrected figures are outlined, flagged ones dashed and never set the scale."""
    d = pvo.dropna(subset=["deviation_pct" if label == "category" else "deviation"]).copy()
    if not len(d):
        return charts.empty_note("no plan and outturn for the same items")
    d = charts.with_marks(d)
    if label == "category":
        d["label"] = (charts.text(d["category"]) + " " + charts.text(d["category_name_en"])).str.strip()
        measure, axis = "deviation_pct", "Deviation from plan (%)"
    else:
        d["label"] = item_labels(d)
        d = (d.assign(_abs=d["deviation"].abs()).sort_values("_abs", ascending=False)
             .groupby("municipality_id", sort=False).head(top).drop(columns="_abs"))
        measure, axis = "deviation", charts.with_unit("Deviation from plan", spending.unit_label(d))
    d["phase_label"] = d["outturn_phase"].map(spending.PHASE_LABELS).fillna("") + " against " + \
        d["compared_with"].map(spending.PHASE_LABELS).fillna("")
    d, cut = charts.cap_flagged(d, measure)
    tips = charts.tooltips("deviation", "Deviation", 2, year="fiscal_year", extra=[
        alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("label:N", title="Item"),
        alt.Tooltip("phase_label:N", title="Compared"),
        alt.Tooltip("deviation_pct:Q", title="Deviation (%)", format=",.1f"), charts.mark_tooltip()])
    notes = [charts.MARK_NOTE if charts.has_marks(d) else None, charts.FLAG_OFF_SCALE if cut else None]
    x = alt.X("plot_value:Q", title=axis, stack=None)
    colour = charts.municipality_colour(all_ids, "municipality", names, only=d["municipality"].unique())
    if label == "category":
        chart = alt.Chart(charts.guard(d)).mark_bar().encode(
            y=alt.Y("label:N", title=None, sort=sorted(d["label"].unique())),
            yOffset=alt.YOffset("municipality:N", sort=sorted(d["municipality"].unique())),
            x=x, color=colour, **charts.mark_encodings(), tooltip=tips).properties(width=460)
        title = "Outturn against plan by category (% of plan)"
    else:
        bars = alt.Chart().mark_bar().encode(
            y=alt.Y("label:N", title=None, sort="-x"),
            x=x, color=colour, **charts.mark_encodings(), tooltip=tips)
        chart = alt.layer(bars, data=charts.guard(d)).properties(width=420).facet(
            row=alt.Row("municipality:N", title=None, sort=sorted(d["municipality"].unique()))
        ).resolve_scale(y="independent")
        title = f"Outturn against plan by item: the {top} largest deviations in money per municipality"
    return charts.titled(chart, title, subtitle if subtitle is not None else
                         _context(d, names, phase="phase_label", notes=notes))


def item_labels(d: pd.DataFrame, width: int = 60) -> pd.Series:
    """'3126 Leistungen für Bildung und Teilhabe (Education and participation benefits)': the code
    where it is a number (synthetic codes such as Aalborg's 'VB.aktivering' do not help), the
    original name and the English one, cut to `width` characters."""
    code = charts.text(d["item_code"]).where(charts.text(d["item_code"]).str.fullmatch(r"\d+"), "")
    name = charts.text(d["item_name"]) if "item_name" in d.columns else pd.Series("", index=d.index)
    en = charts.text(d["item_name_en"]) if "item_name_en" in d.columns else pd.Series("", index=d.index)
    both = [n if not e or e == n else (f"{n} ({e})" if n else e) for n, e in zip(name, en)]
    out = [f"{c} {b}".strip() for c, b in zip(code, both)]
    return pd.Series([t if len(t) <= width else t[: width - 1].rstrip() + "…" for t in out], index=d.index)


def economic_chart(econ: pd.DataFrame, all_ids, names: dict[str, str] | None = None,
                   subtitle: list[str] | None = None) -> alt.Chart:
    """Bars: share of each economic type in expenditure, per municipality (and phase)."""
    d = econ.dropna(subset=["share"]).copy()
    if not len(d):
        return charts.empty_note(spending.NO_FIGURES)
    d["phase_label"] = d["phase"].map(spending.PHASE_LABELS) + " " + d["fiscal_year"].astype("Int64").astype(str)
    d["share_unit"] = "% of expenditure"
    chart = alt.Chart(charts.guard(d)).mark_bar().encode(
        y=alt.Y("economic_type_label:N", title=None),
        yOffset=alt.YOffset("phase_label:N"),
        x=alt.X("share:Q", title="Share of expenditure (%)"),
        color=charts.municipality_colour(all_ids, "municipality", names, only=d["municipality"].unique()),
        # ordinal: Vega-Lite warns about opacity on an unsorted nominal field
        opacity=alt.Opacity("phase_label:O", title="Phase and year", legend=alt.Legend()),
        tooltip=charts.tooltips("share", "Share (%)", 1, unit="share_unit", extra=[
            alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("phase_label:N", title="Phase"),
            alt.Tooltip("value:Q", title="Amount", format=",.0f"), alt.Tooltip("unit:N", title="Amount unit")]),
    ).properties(width=460)
    return charts.titled(chart, "Economic composition of expenditure",
                         subtitle if subtitle is not None else _context(d, names))


def revenue_chart(rev: pd.DataFrame, all_ids, names: dict[str, str] | None = None,
                  subtitle: list[str] | None = None) -> alt.Chart:
    """Bars: revenue as % of gross expenditure per municipality and phase."""
    d = rev.dropna(subset=["revenue_share"]).copy()
    if not len(d):
        return charts.empty_note(spending.NO_FIGURES)
    d["phase_label"] = d["phase"].map(spending.PHASE_LABELS) + " " + d["fiscal_year"].astype("Int64").astype(str)
    d["share_unit"] = "% of gross expenditure"
    chart = alt.Chart(charts.guard(d)).mark_bar().encode(
        y=alt.Y("phase_label:N", title=None),
        yOffset=alt.YOffset("municipality:N"),
        x=alt.X("revenue_share:Q", title="Revenue as % of gross expenditure"),
        color=charts.municipality_colour(all_ids, "municipality", names, only=d["municipality"].unique()),
        tooltip=charts.tooltips("revenue_share", "Revenue share (%)", 1, unit="share_unit", extra=[
            alt.Tooltip("municipality:N", title="Municipality"),
            alt.Tooltip("expenditure:Q", title="Gross expenditure", format=",.0f"),
            alt.Tooltip("revenue:Q", title="Revenue", format=",.0f"), alt.Tooltip("unit:N", title="Amount unit")]),
    ).properties(width=460)
    return charts.titled(chart, "Revenue and reimbursements against gross expenditure",
                         subtitle if subtitle is not None else _context(d, names))


def _h(label: str, unit: str) -> str:
    return charts.with_unit(label, unit)


def coverage_view(cov: pd.DataFrame) -> pd.DataFrame:
    return charts.table(charts.say_missing(cov, "phases"), columns=["municipality", "fiscal_year", "phases", "levels", "monthly",
                                      "economic_breakdown", "revenue_kinds", "categorised_items", "rows"],
                        rename={"phases": "Phases", "levels": "Levels", "monthly": "Monthly figures",
                                "economic_breakdown": "Economic breakdown", "revenue_kinds": "Revenue split",
                                "categorised_items": "Categorised items", "rows": "Rows"})


def totals_view(t: pd.DataFrame, decimals: int = 0) -> pd.DataFrame:
    unit = spending.unit_label(t.dropna(subset=["unit"])) if len(t.dropna(subset=["unit"])) else ""
    return charts.table(charts.say_missing(t, "phase"), numbers={"expenditure_amount": 0, "revenue_amount": 0, "net_amount": 0,
                                    "expenditure": decimals, "revenue": decimals, "net": decimals},
                        columns=["municipality", "fiscal_year", "phase", "item_name", "currency",
                                 "expenditure_amount", "revenue_amount", "net_amount", "expenditure", "revenue",
                                 "net", "source_ref"], hover={"item_name": "org_unit"},
                        rename={"item_name": "Total (original)", "currency": "Source currency",
                                "expenditure_amount": "Expenditure (source currency)",
                                "revenue_amount": "Revenue (source currency)", "net_amount": "Net (source currency)",
                                "expenditure": _h("Expenditure", unit), "revenue": _h("Revenue", unit),
                                "net": _h("Net", unit)})


def composition_view(comp: pd.DataFrame, decimals: int = 0) -> pd.DataFrame:
    unit = spending.unit_label(comp) if len(comp) else ""
    comp = charts.with_marks(comp) if len(comp) else comp.assign(marked=None, mark_text=None)
    return charts.table(comp, numbers={"value": decimals}, percent={"share": 1},
                        columns=["municipality", "fiscal_year", "phase", "category", "category_name_en", "value",
                                 "share", "coverage_text", "items", "judgement_items", "marked", "source_ref"],
                        rename={"value": _h("Net", unit), "share": "Share of categorised spending (%)",
                                "coverage_text": "Coverage of the category",
                                "items": "Items", "judgement_items": "Items assigned by judgement",
                                "marked": "Corrected / flagged"},
                        hover={"marked": "mark_text"}, order_by="value", order_text="largest net spending")


def plan_view(pvo: pd.DataFrame, decimals: int = 0, by: str = "category") -> pd.DataFrame:
    """Plan against outturn; `Compared` says which phases ('actual against adjusted budget'). By
    item the organisational unit is on hover of the item's name, the category in the download."""
    unit = spending.unit_label(pvo) if len(pvo) else ""
    pvo = charts.with_marks(pvo) if len(pvo) else pvo.assign(marked=None, mark_text=None)
    pvo = pvo.assign(compared=[f"{charts.PHASES.get(o, o)} against {charts.PHASES.get(c, c)}" if o == o and o and c == c
                               and c else "" for o, c in zip(pvo["outturn_phase"], pvo["compared_with"])])
    first = ["category", "category_name_en"] if by == "category" else ["item_code", "item_name", "item_name_en"]
    return charts.table(pvo, numbers={"original_budget": decimals, "adjusted_budget": decimals,
                                      "outturn": decimals, "deviation": decimals},
                        percent={"deviation_pct": 1}, missing_for={"deviation_pct": "–"},
                        columns=["municipality", "fiscal_year"] + first + [
                            "original_budget", "adjusted_budget", "outturn", "compared",
                            "deviation", "deviation_pct", "marked", "source_ref"],
                        rename={"original_budget": _h("Original budget", unit),
                                "adjusted_budget": _h("Adjusted budget", unit),
                                "outturn": _h("Outturn", unit), "compared": "Compared",
                                "deviation": _h("Deviation", unit), "deviation_pct": "Deviation (%)",
                                "marked": "Corrected / flagged"},
                        hover={"marked": "mark_text", "item_name": "org_unit"}, order_by="deviation",
                        order_text="largest deviations in money (absolute)")


def economic_view(econ: pd.DataFrame, decimals: int = 0) -> pd.DataFrame:
    unit = spending.unit_label(econ.dropna(subset=["unit"])) if len(econ.dropna(subset=["unit"])) else ""
    return charts.table(charts.say_missing(econ, "economic_type_label"), numbers={"value": decimals}, percent={"share": 1},
                        columns=["municipality", "fiscal_year", "phase", "org_unit", "economic_type_label", "value",
                                 "share", "source_ref"],
                        rename={"economic_type_label": "Economic type", "value": _h("Expenditure", unit),
                                "share": "Share of expenditure (%)"})


def revenue_view(rev: pd.DataFrame, decimals: int = 0) -> pd.DataFrame:
    unit = spending.unit_label(rev.dropna(subset=["unit"])) if len(rev.dropna(subset=["unit"])) else ""
    return charts.table(charts.say_missing(rev, "phase"), numbers={"expenditure": decimals, "revenue": decimals, "income": decimals,
                                      "reimbursement": decimals, "net": decimals},
                        percent={"revenue_share": 1},
                        columns=["municipality", "fiscal_year", "phase", "expenditure", "revenue", "income",
                                 "reimbursement", "split_level", "net", "revenue_share", "source_ref"],
                        rename={"expenditure": _h("Gross expenditure", unit), "revenue": _h("Revenue", unit),
                                "income": _h("of which income", unit),
                                "reimbursement": _h("of which reimbursements", unit),
                                "split_level": "Split from level", "net": _h("Net", unit),
                                "revenue_share": "Revenue / gross expenditure (%)"})


def scope_view(cov: pd.DataFrame) -> pd.DataFrame:
    """What each document covers, per category ('total': the document as a whole)."""
    return charts.table(cov, percent={"share": 1}, missing_for={"share": "–"},
                        columns=["municipality", "document_id", "category", "coverage", "share", "share_basis",
                                 "scope", "evidence", "note"],
                        rename={"document_id": "Document", "coverage": "Coverage", "share": "Share covered (%)",
                                "share_basis": "Share computed from", "scope": "Scope", "evidence": "Evidence",
                                "note": "Note"})
