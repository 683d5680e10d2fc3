"""Charts and display tables of the spending page, drawn from the DataFrames of `analysis.compare.spending`.

The computations stay in the compare layer; this module only draws and formats.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.compare import spending
from analysis.report import charts


def composition_chart(comp: pd.DataFrame, all_ids, names: dict[str, str] | None = None,
                      measure: str = "value", decimals: int = 0) -> alt.Chart:
    """Grouped bars: each category's value (or share) per municipality, municipality colours."""
    if not len(comp):
        return charts.empty_note(spending.NO_FIGURES)
    c = comp.copy()
    c["category_label"] = (charts.text(c["category"]) + " " + charts.text(c["category_name_en"])).str.strip()
    c["phase_label"] = c["phase"].map(spending.PHASE_LABELS)
    c["share_unit"] = "% of categorised spending"
    title = "Share of categorised spending (%)" if measure == "share" else f"{spending.unit_label(c)}"
    unit_field = "share_unit" if measure == "share" else "unit"
    return alt.Chart(charts.guard(c)).mark_bar().encode(
        y=alt.Y("category_label:N", title=None, sort=sorted(c["category_label"].unique())),
        yOffset=alt.YOffset("municipality:N"),
        x=alt.X(f"{measure}:Q", title=title),
        color=charts.municipality_colour(all_ids, "municipality", names, only=c["municipality"].unique()),
        tooltip=charts.tooltips(measure, "Share (%)" if measure == "share" else "Value",
                                1 if measure == "share" else decimals, unit=unit_field, year="fiscal_year",
                                extra=[alt.Tooltip("municipality:N", title="Municipality"),
                                       alt.Tooltip("category_label:N", title="Category"),
                                       alt.Tooltip("phase_label:N", title="Phase")]),
    ).properties(width=460, title="Spending by category" + (" (share)" if measure == "share" else ""))


def deviation_chart(pvo: pd.DataFrame, all_ids, names: dict[str, str] | None = None, label: str = "category",
                    top: int = 20) -> alt.Chart:
    """Bars of deviation_pct (outturn against plan) per category or item; the `top` largest
    absolute deviations in money are shown."""
    d = pvo.dropna(subset=["deviation_pct"]).copy()
    if not len(d):
        return charts.empty_note("no plan and outturn for the same items")
    if label == "category":
        d["label"] = (charts.text(d["category"]) + " " + charts.text(d["category_name_en"])).str.strip()
    else:  # numeric product codes help; synthetic codes (Aalborg's 'VB.aktivering') do not
        en = charts.text(d["item_name_en"]).where(d["item_name_en"].notna(), charts.text(d["item_name"]))
        code = charts.text(d["item_code"]).where(charts.text(d["item_code"]).str.fullmatch(r"\d+"), "")
        d["label"] = (code + " " + en.str.slice(0, 55)).str.strip()
    d = d.reindex(d["deviation"].abs().sort_values(ascending=False).index).head(top)
    d["phase_label"] = d["outturn_phase"].map(spending.PHASE_LABELS).fillna("") + " vs " + d["compared_with"].map(
        spending.PHASE_LABELS).fillna("")
    enc = {"yOffset": alt.YOffset("municipality:N")} if label == "category" else {}
    return alt.Chart(charts.guard(d)).mark_bar().encode(
        y=alt.Y("label:N", title=None, sort=alt.EncodingSortField("deviation_pct", order="descending")),
        x=alt.X("deviation_pct:Q", title="Deviation from plan (%)"),
        **enc,
        color=charts.municipality_colour(all_ids, "municipality", names, only=d["municipality"].unique()),
        tooltip=charts.tooltips("deviation", "Deviation", 0, year="fiscal_year", extra=[
            alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("label:N", title="Item"),
            alt.Tooltip("phase_label:N", title="Compared"),
            alt.Tooltip("deviation_pct:Q", title="Deviation (%)", format=",.1f")]),
    ).properties(width=460, title="Outturn against plan" + (" by category" if label == "category" else " by item"))


def economic_chart(econ: pd.DataFrame, all_ids, names: dict[str, str] | None = None) -> alt.Chart:
    """Bars: share of each economic type in expenditure, per municipality (and phase)."""
    d = econ.dropna(subset=["share"]).copy()
    if not len(d):
        return charts.empty_note(spending.NO_FIGURES)
    d["phase_label"] = d["phase"].map(spending.PHASE_LABELS) + " " + d["fiscal_year"].astype("Int64").astype(str)
    d["share_unit"] = "% of expenditure"
    return alt.Chart(charts.guard(d)).mark_bar().encode(
        y=alt.Y("economic_type_label:N", title=None),
        yOffset=alt.YOffset("phase_label:N"),
        x=alt.X("share:Q", title="Share of expenditure (%)"),
        color=charts.municipality_colour(all_ids, "municipality", names, only=d["municipality"].unique()),
        # ordinal: Vega-Lite warns about opacity on an unsorted nominal field
        opacity=alt.Opacity("phase_label:O", title="Phase and year", legend=alt.Legend()),
        tooltip=charts.tooltips("share", "Share (%)", 1, unit="share_unit", extra=[
            alt.Tooltip("municipality:N", title="Municipality"), alt.Tooltip("phase_label:N", title="Phase"),
            alt.Tooltip("value:Q", title="Amount", format=",.0f"), alt.Tooltip("unit:N", title="Amount unit")]),
    ).properties(width=460, title="Economic composition of expenditure")


def revenue_chart(rev: pd.DataFrame, all_ids, names: dict[str, str] | None = None) -> alt.Chart:
    """Bars: revenue as % of gross expenditure per municipality and phase."""
    d = rev.dropna(subset=["revenue_share"]).copy()
    if not len(d):
        return charts.empty_note(spending.NO_FIGURES)
    d["phase_label"] = d["phase"].map(spending.PHASE_LABELS) + " " + d["fiscal_year"].astype("Int64").astype(str)
    d["share_unit"] = "% of gross expenditure"
    return alt.Chart(charts.guard(d)).mark_bar().encode(
        y=alt.Y("phase_label:N", title=None),
        yOffset=alt.YOffset("municipality:N"),
        x=alt.X("revenue_share:Q", title="Revenue as % of gross expenditure"),
        color=charts.municipality_colour(all_ids, "municipality", names, only=d["municipality"].unique()),
        tooltip=charts.tooltips("revenue_share", "Revenue share (%)", 1, unit="share_unit", extra=[
            alt.Tooltip("municipality:N", title="Municipality"),
            alt.Tooltip("expenditure:Q", title="Gross expenditure", format=",.0f"),
            alt.Tooltip("revenue:Q", title="Revenue", format=",.0f"), alt.Tooltip("unit:N", title="Amount unit")]),
    ).properties(width=460, title="Revenue and reimbursements against gross expenditure")


def _h(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else label


def coverage_view(cov: pd.DataFrame) -> pd.DataFrame:
    return charts.table(cov, columns=["municipality", "fiscal_year", "phases", "levels", "monthly",
                                      "economic_breakdown", "revenue_kinds", "categorised_items", "rows"],
                        rename={"phases": "Phases", "levels": "Levels", "monthly": "Monthly figures",
                                "economic_breakdown": "Economic breakdown", "revenue_kinds": "Revenue split",
                                "categorised_items": "Categorised items", "rows": "Rows"})


def totals_view(t: pd.DataFrame, decimals: int = 0) -> pd.DataFrame:
    unit = spending.unit_label(t.dropna(subset=["unit"])) if len(t.dropna(subset=["unit"])) else ""
    return charts.table(t, numbers={"expenditure_amount": 0, "revenue_amount": 0, "net_amount": 0,
                                    "expenditure": decimals, "revenue": decimals, "net": decimals},
                        columns=["municipality", "fiscal_year", "phase", "org_unit", "item_name", "currency",
                                 "expenditure_amount", "revenue_amount", "net_amount", "expenditure", "revenue",
                                 "net", "source_ref"],
                        rename={"item_name": "Total (original)", "currency": "Source currency",
                                "expenditure_amount": "Expenditure (source currency)",
                                "revenue_amount": "Revenue (source currency)", "net_amount": "Net (source currency)",
                                "expenditure": _h("Expenditure", unit), "revenue": _h("Revenue", unit),
                                "net": _h("Net", unit)})


def composition_view(comp: pd.DataFrame, decimals: int = 0) -> pd.DataFrame:
    unit = spending.unit_label(comp) if len(comp) else ""
    return charts.table(comp, numbers={"value": decimals}, percent={"share": 1},
                        columns=["municipality", "fiscal_year", "phase", "category", "category_name_en", "value",
                                 "share", "items", "judgement_items", "source_ref"],
                        rename={"value": _h("Net", unit), "share": "Share of categorised spending",
                                "items": "Items", "judgement_items": "Items assigned by judgement"})


def plan_view(pvo: pd.DataFrame, decimals: int = 0, by: str = "category") -> pd.DataFrame:
    unit = spending.unit_label(pvo) if len(pvo) else ""
    first = ["category", "category_name_en"] if by == "category" else ["org_unit", "item_code", "item_name",
                                                                       "item_name_en", "category"]
    return charts.table(pvo, numbers={"original_budget": decimals, "adjusted_budget": decimals,
                                      "outturn": decimals, "deviation": decimals},
                        percent={"deviation_pct": 1}, missing_for={"deviation_pct": "–"},
                        columns=["municipality", "fiscal_year"] + first + [
                            "original_budget", "adjusted_budget", "outturn", "outturn_phase", "compared_with",
                            "deviation", "deviation_pct", "source_ref"],
                        rename={"original_budget": "Original budget", "adjusted_budget": "Adjusted budget",
                                "outturn": "Outturn", "outturn_phase": "Outturn is", "compared_with": "Compared with",
                                "deviation": _h("Deviation", unit), "deviation_pct": "Deviation (%)"})


def economic_view(econ: pd.DataFrame, decimals: int = 0) -> pd.DataFrame:
    unit = spending.unit_label(econ.dropna(subset=["unit"])) if len(econ.dropna(subset=["unit"])) else ""
    return charts.table(econ, numbers={"value": decimals}, percent={"share": 1},
                        columns=["municipality", "fiscal_year", "phase", "org_unit", "economic_type_label", "value",
                                 "share", "source_ref"],
                        rename={"economic_type_label": "Economic type", "value": _h("Expenditure", unit),
                                "share": "Share of expenditure"})


def revenue_view(rev: pd.DataFrame, decimals: int = 0) -> pd.DataFrame:
    unit = spending.unit_label(rev.dropna(subset=["unit"])) if len(rev.dropna(subset=["unit"])) else ""
    return charts.table(rev, numbers={"expenditure": decimals, "revenue": decimals, "income": decimals,
                                      "reimbursement": decimals, "net": decimals},
                        percent={"revenue_share": 1},
                        columns=["municipality", "fiscal_year", "phase", "expenditure", "revenue", "income",
                                 "reimbursement", "split_level", "net", "revenue_share", "source_ref"],
                        rename={"expenditure": _h("Gross expenditure", unit), "revenue": _h("Revenue", unit),
                                "income": "of which income", "reimbursement": "of which reimbursements",
                                "split_level": "Split from level", "net": _h("Net", unit),
                                "revenue_share": "Revenue / gross expenditure"})
