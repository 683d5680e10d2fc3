"""Tables of the methods page on settled figures and like-for-like comparison: the corrections and
flags (data/curated/corrections.yml, as recorded in quality.csv), the task split and the coverage
of each document (data/reference/task_split.csv, coverage.csv). Read as text, as written.

    corrections(quality)      each correction: line, printed and settled figure, evidence and reason
    flags(quality)            each doubtful figure kept as printed, with its evidence and reason
    reference(name, root)     task_split.csv or coverage.csv as text (None when missing)
    documents_context(root)   one line: the fiscal years and phases behind the checks, per municipality
    view(df, numbers)         a table for the page: the `numbers` columns (written 1234.5 or 1,234.5 in
                              the files) in German/Danish format, right-aligned; the files stay as written
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.contract import paths

CORRECTION_CHECK = "correction:"
FLAG_CHECK = "flag:"


def _split(detail: str) -> tuple[str, str, str]:
    """'<id> | <figure> | <note> | <reason>' (sources.corrections) -> (id, figure, reason)."""
    parts = str(detail).split(" | ", 3) + ["", "", ""]
    return parts[0], parts[1], parts[3]


def _marks(quality: pd.DataFrame | None, prefix: str) -> pd.DataFrame:
    cols = ["id", "municipality_id", "document_id", "source_ref", "figure", "printed", "settled", "reason"]
    if quality is None or not len(quality):
        return pd.DataFrame(columns=cols)
    q = quality[quality["check"].astype(str).str.startswith(prefix)]
    rows = []
    for rec in q.to_dict("records"):
        rid, where, reason = _split(rec.get("detail") or "")
        rows.append({"id": rid, "municipality_id": rec["municipality_id"], "document_id": rec["document_id"],
                     "source_ref": rec["source_ref"], "figure": where, "printed": rec["found"],
                     "settled": rec["expected"], "reason": reason})
    return pd.DataFrame(rows, columns=cols)


def corrections(quality: pd.DataFrame | None) -> pd.DataFrame:
    """The corrections recorded in quality.csv (status `corrected`): printed and settled figure."""
    return _marks(quality, CORRECTION_CHECK)


def flags(quality: pd.DataFrame | None) -> pd.DataFrame:
    """The flags recorded in quality.csv: doubtful figures kept as printed."""
    return _marks(quality, FLAG_CHECK).drop(columns="settled").rename(columns={"printed": "printed (rows)"})


def reference(name: str, root: Path | None = None) -> pd.DataFrame | None:
    """data/reference/<name>.csv as text, or None when the file does not exist."""
    path = paths.reference_dir(root) / f"{name}.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None


def documents_context(root: Path | None = None) -> str:
    """'Aalborg Kommune 2014 actual outturn, ...; Landkreis Peine 2022-2024 ...' from the processed
    budget and goals, for the subtitle of the quality chart."""
    from analysis.compare import caveats
    processed = paths.processed_dir(root)
    names = {}
    m = processed / "municipalities.csv"
    if m.exists():
        mu = pd.read_csv(m, dtype=str)
        names = dict(zip(mu["municipality_id"], mu["name"]))
    frames = []
    for table, year, phase in (("budget", "fiscal_year", "phase"), ("goals", "target_year", "result_phase")):
        f = processed / f"{table}.csv"
        if f.exists():
            d = pd.read_csv(f, usecols=["municipality_id", year, phase], dtype=str)
            frames.append(d.rename(columns={year: "fiscal_year", phase: "phase"}))
    if not frames:
        return ""
    lines = caveats.chart_context(pd.concat(frames, ignore_index=True), names, unit=None)
    return lines[0] if lines else ""


# Numeric columns of the methods page's tables (as written in the files: 7.4589, 139170, "-1,300,000").
NUMBERS = {"exchange_rates": ["units_per_eur"], "price_index": ["index"], "population": ["population"],
           "coverage": ["share"], "quality": ["expected", "found", "tolerance"]}


def _german(value) -> str:
    from analysis.contract.numbers import fmt_exact, parse_number
    text = str(value if value is not None else "").strip()
    if not text:
        return ""
    for locale in ("en", "de"):
        try:
            number = parse_number(text, locale, allow_missing=False)
        except Exception:
            continue
        return fmt_exact(number)
    return text


def view(df: pd.DataFrame | None, numbers: list[str] | None = None, counts: bool = False) -> pd.DataFrame | None:
    """`df` for display: the `numbers` columns in German/Danish format (text that is not a number
    stays), and with counts=True every column but the first as a count (1.157)."""
    if df is None:
        return None
    out = df.copy()
    cols = list(numbers or [])
    if counts:
        cols += [c for c in out.columns[1:] if c not in cols]
    for col in cols:
        if col in out.columns:
            out[col] = [_german(v) for v in out[col]]
    out.attrs = {"numeric": [c for c in cols if c in out.columns]}
    return out


QUALITY_STATUSES = ["pass", "contradiction", "corrected", "fail", "warning", "info"]
QUALITY_COLOURS = ["#4c9a5b", "#c0392b", "#4e79a7", "#7b241c", "#e0a030", "#8899aa"]
QUALITY_TITLE = "Quality checks by document and result"


def quality_chart(by_document: pd.DataFrame, context: str):
    """The methods page's chart of quality checks: a bar per document, its checks by result; with
    more than `distribution.THRESHOLD` documents one bar per result (the checks of all documents
    summed, how many documents in the tooltip; the table below lists each document)."""
    import altair as alt

    from analysis.compare import distribution  # (not report.charts: importing it sets the site's theme)
    long = by_document.drop(columns="total").melt("document_id", var_name="result", value_name="checks")
    long = long[long["checks"] > 0]
    colour = alt.Color("result:N", sort=QUALITY_STATUSES, scale=alt.Scale(domain=QUALITY_STATUSES,
                                                                          range=QUALITY_COLOURS))
    subtitle = ["Checks of each document against itself; the figures checked: " + context]
    if by_document["document_id"].nunique() <= distribution.THRESHOLD:
        return (alt.Chart(long, title=alt.TitleParams(QUALITY_TITLE, subtitle=subtitle))
                .mark_bar()
                .encode(y=alt.Y("document_id:N", title=None), x=alt.X("checks:Q", title="checks"), color=colour,
                        tooltip=["document_id", "result", "checks"])
                .properties(width=520))
    # one row per result: far below Altair's row limit
    summ = (long.groupby("result", sort=False).agg(checks=("checks", "sum"), documents=("document_id", "nunique"))
            .reset_index())
    n = by_document["document_id"].nunique()
    subtitle = [f"Checks of each of the {n} documents against itself, summed per result (the table below lists "
                "each document)"]
    return (alt.Chart(summ, title=alt.TitleParams(QUALITY_TITLE, subtitle=subtitle))
            .mark_bar()
            .encode(y=alt.Y("result:N", title=None, sort=QUALITY_STATUSES), x=alt.X("checks:Q", title="checks"),
                    color=colour, tooltip=["result", "checks", "documents"])
            .properties(width=520))
