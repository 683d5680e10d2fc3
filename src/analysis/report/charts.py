"""One look for every chart and table: colours per municipality, number formats, tooltips, saving.

    charts.enable("de")                 # Altair theme 'municipal' with a d3 number locale (1.234,5)
    charts.colour_scale(all_ids)        # fixed colour per municipality (alt.Scale)
    charts.tooltips(value="amount_eur", unit="EUR", ...)   # value, unit, year, source reference
    charts.fmt(1234.5, 1)               # '1.234,5'   (German and Danish number format)
    charts.table(df, numbers={...})     # a table with numbers formatted as text, missing as text
    charts.save(chart, "out/fig")       # out/fig.png and out/fig.svg (vl-convert), for slides

Colours: the five founding municipalities have fixed palette positions (peine, magdeburg,
berlin-neukoelln, aalborg, segeberg); any other id gets the next free colours in alphabetical
order of the ids of the workspace, so a municipality keeps its colour in every chart of a run
whatever subset a chart shows. Always pass the workspace's full id list, not the chart's subset.
"""
from __future__ import annotations

import re
from pathlib import Path

import altair as alt
import pandas as pd

from analysis.contract.missing import NO_FIGURES, NOT_MEASURED, flag, text  # noqa: F401 (used by the figure modules)
from analysis.contract.numbers import fmt, fmt_percent
from analysis.contract.refs import join_refs  # noqa: F401

# Tableau 10 (colour-blind friendly enough and distinguishable in print), then Tableau 20 extras.
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295", "#a0cbe8", "#ffbe7d", "#8cd17d"]
FIXED = ["peine", "magdeburg", "berlin-neukoelln", "aalborg", "segeberg"]
MISSING_COLOUR = "#d9d9d9"

# d3-format locales: German and Danish share decimal comma and thousands dot.
LOCALES = {
    "de": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0€"]},
    "da": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0€"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]},
}
THEME = "municipal"
MAX_ROWS = 5000  # Altair's default limit: aggregate before charting



# --- colours ------------------------------------------------------------------------------------

def colours(ids) -> dict[str, str]:
    """A colour for every municipality id: fixed positions for the founding five, then the next
    palette colours for the others in alphabetical order; the palette repeats after 15 ids."""
    ids = list(dict.fromkeys(str(i) for i in ids))
    out = {m: PALETTE[FIXED.index(m)] for m in ids if m in FIXED}
    others = sorted(m for m in ids if m not in FIXED)
    for k, m in enumerate(others):
        out[m] = PALETTE[(len(FIXED) + k) % len(PALETTE)]
    return {m: out[m] for m in ids}


def colour_scale(ids, labels: dict[str, str] | None = None, only=None) -> alt.Scale:
    """An Altair colour scale with one fixed colour per municipality.

    `ids` are all ids of the workspace (they decide the colours); with `labels` (id -> display
    name) the domain is the display names, for charts that encode the name instead of the id;
    `only` (ids or names) limits the domain, and so the legend, to what the chart shows.
    """
    cmap = colours(ids)
    pairs = [((labels or {}).get(m, m), c) for m, c in cmap.items()]
    if only is not None:
        keep = {str(v) for v in only}
        pairs = [(d, c) for (d, c), m in zip(pairs, cmap) if d in keep or m in keep]
    return alt.Scale(domain=[d for d, _ in pairs], range=[c for _, c in pairs])


def municipality_colour(ids, field: str = "municipality", labels: dict[str, str] | None = None,
                        title: str = "Municipality", legend: bool = True, only=None) -> alt.Color:
    """The colour channel for a municipality field, with the fixed colours (`only`: the values
    the chart shows, so that the legend lists no municipality without data)."""
    return alt.Color(f"{field}:N", scale=colour_scale(ids, labels, only), title=title,
                     legend=alt.Legend() if legend else None)


# --- theme --------------------------------------------------------------------------------------

def theme_config(lang: str = "de") -> dict:
    """The Vega-Lite config of the shared theme, with the d3 number locale of `lang`."""
    return {
        "config": {
            "locale": {"number": LOCALES.get(lang, LOCALES["de"])},
            "font": "Helvetica, Arial, sans-serif",
            "view": {"continuousWidth": 480, "continuousHeight": 300, "stroke": None},
            "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12, "subtitleColor": "#555"},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 260, "grid": True,
                     "gridColor": "#eeeeee", "domainColor": "#888", "tickColor": "#888"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 260, "orient": "right"},
            "header": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 260},
            "bar": {"discreteBandSize": {"band": 0.8}},
            "range": {"category": PALETTE},
        }
    }


def enable(lang: str = "de") -> str:
    """Register and enable the shared theme (number format of `lang`); return the theme name."""
    name = f"{THEME}-{lang}"
    if name not in alt.theme.names():
        alt.theme.register(name, enable=False)(lambda: theme_config(lang))
    alt.theme.enable(name)
    return name


enable("de")


# --- number formats -----------------------------------------------------------------------------

def d3_format(decimals: int = 0) -> str:
    """The d3 format string for grouped numbers with `decimals` decimals (locale from the theme)."""
    return f",.{decimals}f"


# Column headers of display tables: original-language and English labels side by side.
HEADERS = {
    "municipality": "Municipality", "fiscal_year": "Year", "phase": "Phase", "category": "Category",
    "category_name_en": "Category (English)", "item_code": "Code", "item_name": "Item (original)",
    "item_name_en": "Item (English)", "goal": "Goal (original)", "goal_en": "Goal (English)",
    "indicator": "Indicator (original)", "indicator_en": "Indicator (English)", "unit": "Unit",
    "value": "Value", "share": "Share", "source_ref": "Source", "org_unit": "Organisational unit",
    "currency": "Currency", "perspective": "Perspective", "goal_type": "Type", "status": "Status",
    "target": "Target", "result": "Result", "quote": "Quote (verbatim)", "goal_id": "Goal id",
}
PHASES = {"original_budget": "original budget", "adjusted_budget": "adjusted budget", "forecast": "forecast",
          "actual": "actual", "actual_to_date": "actual to date"}


def table(df: pd.DataFrame, numbers: dict[str, int | None] | None = None,
          percent: dict[str, int] | None = None, lang: str = "de", missing: str = NO_FIGURES,
          rename: dict[str, str] | None = None, columns: list[str] | None = None,
          missing_for: dict[str, str] | None = None, order_by: str | None = None, order_abs: bool = True,
          order_text: str | None = None, hover: dict[str, str] | None = None,
          aligned: list[str] | None = None) -> pd.DataFrame:
    """A copy of `df` for display: number columns as formatted text, missing values as `missing`.

    `numbers`/`percent` map column -> decimals (None: as many as needed); `missing_for` gives
    a column its own text for missing values (e.g. 'not printed'). Other columns keep
    their values (missing becomes ''); phase codes become words. `columns` picks and orders
    columns; headers come from `HEADERS` updated by `rename`. Use the unformatted frame for
    downloads.

    For `analysis.report.html_tables` the result's `attrs` say which columns are numeric (right-aligned)
    and, with `order_by` (a numeric column of `df`, by absolute value unless order_abs=False), the
    order in which a long table shows its first rows ('largest first'; `order_text` says so, e.g.
    'largest absolute deviation'); `hover` maps a shown column to a column of `df` whose text is
    shown on hover (e.g. {"marked": "mark_text"}); `aligned` names columns formatted before (e.g. a
    share with its own missing texts) that are numbers all the same.
    """
    out = df.copy() if columns is None else df.reindex(columns=columns).copy()
    for col in ("phase", "outturn_phase", "compared_with", "planned_phase", "realised_phase", "result_phase"):
        if col in out.columns:
            out[col] = out[col].map(lambda v: PHASES.get(v, v))
    miss = missing_for or {}
    numeric = [c for c in out.columns if c in (numbers or {}) or c in (percent or {})]
    numeric += [c for c in out.columns if c not in numeric and (c in (aligned or []) or (
        pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c]) and not _is_year_or_code(c)))]
    for col, dec in (numbers or {}).items():
        if col in out.columns:
            out[col] = [fmt(v, dec, lang, miss.get(col, missing)) for v in out[col]]
    for col, dec in (percent or {}).items():
        if col in out.columns:
            out[col] = [fmt_percent(v, dec, lang, miss.get(col, missing)) for v in out[col]]
    for col in out.columns:
        if col in (numbers or {}) or col in (percent or {}) or pd.api.types.is_bool_dtype(out[col]):
            continue
        if not pd.api.types.is_numeric_dtype(out[col]) or out[col].isna().any():
            out[col] = out[col].astype(object).where(out[col].notna(), "")
    headers = {**HEADERS, **(rename or {})}
    titles = {}
    for col, src in (hover or {}).items():
        if col in out.columns and src in df.columns:
            titles[headers.get(col, col)] = [None if v is None or v != v or v == "" else str(v)
                                             for v in df[src].astype(object).reset_index(drop=True)]
    order = None
    if order_by is not None and order_by in df.columns and len(df):
        key = pd.to_numeric(df[order_by], errors="coerce").reset_index(drop=True)
        key = key.abs() if order_abs else key
        order = [int(i) for i in key.sort_values(ascending=False, na_position="last", kind="stable").index]
    out = out.rename(columns={c: headers[c] for c in out.columns if c in headers})
    out = out.reset_index(drop=True)
    out.attrs = {"numeric": [headers.get(c, c) for c in numeric], "titles": titles}
    if order is not None:
        out.attrs["order"] = order
        out.attrs["order_text"] = order_text or f"largest {headers.get(order_by, order_by)}"
    return out


def say_missing(df: pd.DataFrame, column: str, missing: str = "missing") -> pd.DataFrame:
    """`df` with `column` showing the text of the `missing` column where it is empty (for display:
    the data keep missingness in a column of its own, never in `phase`)."""
    if missing not in df.columns or column not in df.columns:
        return df
    empty = df[column].isna() | (df[column].astype(object).astype(str) == "")
    return df.assign(**{column: df[column].astype(object).where(~empty, df[missing])})


def unit_header(unit) -> str:
    """A unit short enough for a column header ('EUR per inhabitant, 2024 prices'): see
    `analysis.compare.harmonise.short_unit`."""
    from analysis.compare.harmonise import short_unit
    return short_unit(unit)


def with_unit(label: str, unit) -> str:
    """'Net (EUR per inhabitant, 2024 prices)': a column header with its unit and price basis."""
    u = unit_header(unit)
    return f"{label} ({u})" if u else label


def _is_year_or_code(col: str) -> bool:
    return bool(re.search(r"year|code|_id$", str(col)))


NOTES_SHOWN = 3  # caveats shown under a figure; more than NOTES_SHOWN + 1: the rest behind an expander


def note(items: list[str], title: str = "Caveats", shown: int = NOTES_SHOWN):
    """Caveats (texts of `analysis.compare.caveats`) as an IPython Markdown object under a figure:
    the first `shown` as a list, the others behind "N more caveats" (<details>, no script needed)."""
    from IPython.display import Markdown

    from analysis.compare.caveats import markdown
    items = [i for i in dict.fromkeys(items) if i]
    if len(items) <= shown + 1:
        return Markdown(markdown(items, title) or f"**{title}**: none for this selection.")
    from analysis.contract.safe_text import markdown_text
    rest = "\n".join(f"- {markdown_text(i)}" for i in items[shown:])
    return Markdown(f"{markdown(items[:shown], title)}\n\n<details class=\"analysis-notes\"><summary>"
                    f"{len(items) - shown} more {title.lower()}</summary>\n\n{rest}\n\n</details>")


def md(template: str, /, **values):
    """Markdown from a trusted `template` with values from the data escaped (shown as text):
    ``md("## {name}", name=names[m])``. Use it for every Markdown line a notebook builds from data."""
    from IPython.display import Markdown

    from analysis.contract.safe_text import markdown_format
    return Markdown(markdown_format(template, **values))


def show(df: pd.DataFrame, empty: str = NO_FIGURES) -> None:
    """Display a (formatted) table the way the site shows tables (`analysis.report.html_tables`): no
    index, numbers right-aligned, more than 25 rows collapsed behind an expander."""
    from analysis.report import html_tables
    html_tables.show(df, empty)


# --- tooltips and source references -------------------------------------------------------------

def tooltips(value: str, value_title: str = "Value", decimals: int = 0, unit: str | None = "unit",
             year: str | None = "fiscal_year", source: str | None = "source_ref",
             extra: list | None = None) -> list:
    """Tooltip channels: the extra fields, the value (formatted), unit, year and source reference."""
    tips = list(extra or [])
    tips.append(alt.Tooltip(f"{value}:Q", title=value_title, format=d3_format(decimals)))
    if unit:
        tips.append(alt.Tooltip(f"{unit}:N", title="Unit"))
    if year:
        tips.append(alt.Tooltip(f"{year}:N", title="Year"))
    if source:
        tips.append(alt.Tooltip(f"{source}:N", title="Source"))
    return tips


def guard(df: pd.DataFrame, what: str = "chart data") -> pd.DataFrame:
    """Return `df` when it is small enough for an inline Altair chart; else raise ValueError."""
    if len(df) > MAX_ROWS:
        raise ValueError(f"{what} has {len(df)} rows (Altair's limit is {MAX_ROWS}): aggregate first")
    return df


def empty_note(message: str) -> alt.Chart:
    """A small chart that only says why there is nothing to draw (e.g. 'no figures in source')."""
    return (alt.Chart(pd.DataFrame({"text": [message]})).mark_text(align="left", fontSize=13, color="#555")
            .encode(text="text:N").properties(width=480, height=30))


# --- saving -------------------------------------------------------------------------------------

def save(chart, path_stem, scale: float = 2.0) -> list[Path]:
    """Write `chart` as `<path_stem>.png` and `<path_stem>.svg` (vl-convert) and return both paths.

    The images carry the active theme, including its number locale.
    """
    stem = Path(path_stem)
    if stem.suffix in (".png", ".svg"):
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    png, svg = stem.with_name(stem.name + ".png"), stem.with_name(stem.name + ".svg")
    chart.save(str(png), scale_factor=scale)
    chart.save(str(svg))
    return [png, svg]


# --- titles, marks of corrected and flagged figures, partial coverage ---------------------------

MARK_NOTE = ("Outlined bars include a figure corrected where the document settles it; dashed outlines mark "
             "a doubtful figure kept as printed (see the tooltip)")
PARTIAL_NOTE = "Faded bars: the document covers the category only partly, or its coverage is not recorded (tooltip)"
FLAG_OFF_SCALE = "A flagged figure kept as printed is drawn off scale, labelled with its value: the axis is set by the other figures"


def titled(chart, title: str, subtitle: list[str] | None = None):
    """`chart` with `title` and the subtitle lines (year, phase, price basis, scope, notes)."""
    lines = [str(x) for x in (subtitle or []) if x]
    return chart.properties(title=alt.TitleParams(title, subtitle=lines) if lines else title)


def with_marks(d: pd.DataFrame) -> pd.DataFrame:
    """`d` plus `marked` ('corrected', 'flagged' or '') and `mark_text` (the corrections or flags
    behind the figure, '' without) from its correction_note / flag_note columns."""
    out = d.copy()
    corr = text(out["correction_note"]) if "correction_note" in out.columns else pd.Series("", index=out.index)
    flg = text(out["flag_note"]) if "flag_note" in out.columns else pd.Series("", index=out.index)
    out["marked"] = ["flagged" if f else ("corrected" if c else "") for c, f in zip(corr, flg)]
    out["mark_text"] = ["; ".join(x.replace(" | ", "; ") for x in (c, f) if x) for c, f in zip(corr, flg)]
    return out


def has_marks(d: pd.DataFrame) -> bool:
    return "marked" in d.columns and bool((d["marked"] != "").any())


def mark_encodings() -> dict:
    """Stroke channels: a black outline for corrected figures, a dashed one for flagged figures."""
    return {"stroke": alt.condition("datum.marked != ''", alt.value("#222"), alt.value(None)),
            "strokeWidth": alt.condition("datum.marked != ''", alt.value(1.5), alt.value(0)),
            "strokeDash": alt.condition("datum.marked == 'flagged'", alt.value([4, 2]), alt.value([1, 0]))}


def mark_tooltip() -> alt.Tooltip:
    return alt.Tooltip("mark_text:N", title="Corrected / flagged")


def coverage_opacity() -> alt.OpacityValue:
    """Full colour for complete coverage, faded for partial or unrecorded coverage."""
    return alt.condition("datum.complete", alt.value(1.0), alt.value(0.35))


def cap_flagged(d: pd.DataFrame, value: str, out: str = "plot_value") -> tuple[pd.DataFrame, bool]:
    """`d` plus `out`: `value`, but flagged figures beyond the range of the unflagged ones are
    cut to that range (they are drawn off scale, with a label), so that a doubtful figure never
    sets the axis. Returns the frame and whether any figure was cut."""
    out_df = d.copy()
    flagged = out_df["marked"].eq("flagged") if "marked" in out_df.columns else pd.Series(False, index=out_df.index)
    others = out_df.loc[~flagged, value].dropna()
    out_df[out] = out_df[value]
    out_df["off_scale"] = False
    if not flagged.any() or not len(others):
        return out_df, False
    hi, lo = max(float(others.max()), 0.0), min(float(others.min()), 0.0)
    span = (hi - lo) or 1.0
    top, bottom = hi + 0.08 * span, lo - 0.08 * span
    over = flagged & (out_df[value] > top)
    under = flagged & (out_df[value] < bottom)
    out_df.loc[over, out] = top
    out_df.loc[under, out] = bottom
    out_df.loc[over | under, "off_scale"] = True
    out_df["off_scale_label"] = [f"flagged: {fmt(v, 0)} (off scale)" if o else "" for v, o in
                                 zip(out_df[value], out_df["off_scale"])]
    return out_df, bool((over | under).any())
