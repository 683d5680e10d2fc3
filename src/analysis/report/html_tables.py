"""Display tables of the site: plain HTML and CSS (reports/styles.css) plus one small local script.

    html(df, empty)          the table as HTML: numbers right-aligned (class "num"), long text wrapped
                             (beyond ABBREVIATE characters cut, the whole text on hover; quotes never),
                             source references shortened with the full reference on hover; a table of
                             more than COLLAPSE rows shows its TOP first rows (in the order the display
                             frame gives, e.g. largest deviation first) and the whole table behind an
                             expander (<details>), sortable and filterable by assets/analysis-tables.js
    show(df, empty)          display it in a notebook (IPython)
    short_ref(text)          'peine_produktbericht_2024-06.txt:268-269; ...' -> 'peine:268-269 +4'
    copy_assets(site_dir)    copy analysis-tables.js into <site>/assets/

Display frames come from `analysis.report.charts.table`, which records in `df.attrs` which columns
are numeric ("numeric"), the order of the preview rows ("order") and how that order is chosen
("order_text"). Without attrs numeric columns are recognised by their German/Danish number format.
Without the script (e.g. in JupyterLab) the expander still works; nothing is loaded from the web.
"""
from __future__ import annotations

import html as _html
import re
import shutil
from pathlib import Path

import pandas as pd

COLLAPSE = 25        # more rows than this: collapsed
TOP = 10             # rows shown of a collapsed table
SCRIPT = "analysis-tables.js"
SCRIPT_PATH = Path(__file__).parent / "assets" / SCRIPT
SOURCE_HEADERS = {"source", "source_ref", "evidence", "sources"}
# 1.234,5 | -12 | 0,7 | 12,5 % | 90.820.300 (German/Danish; also a plain integer)
NUMBER = re.compile(r"^[-\u2212+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?(\u00a0?%)?$")
LONG_TEXT = 90       # characters from which a cell gets the class "long" (wraps in a wider column)
LONG_WORD = 10       # a word longer than this may break anywhere (class "word"), e.g. 'ADM.administrationsbygninger'
MANY_COLUMNS = 12    # a table with this many columns gets a smaller font (class "analysis-table-many")
ABBREVIATE = 200     # a longer text is cut at a word near ABBREVIATE_TO characters, the whole text on hover
ABBREVIATE_TO = 160  # (class "abbr"; never a quote: a column whose header names a quote keeps its text)


def is_number_text(text) -> bool:
    """True for a number formatted German/Danish style ('1.234,5', '-12', '12,5 %')."""
    return bool(NUMBER.match(str(text).strip()))


def numeric_columns(df: pd.DataFrame, missing_texts=()) -> list:
    """The columns to right-align: `df.attrs['numeric']` when given, else the columns whose
    non-empty cells are all numbers (numeric dtype or German/Danish number text) or missing texts."""
    if "numeric" in df.attrs:
        return [c for c in df.attrs["numeric"] if c in df.columns]
    out = []
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_numeric_dtype(s):
            if not re.search(r"year|code|_id$", str(col), re.I):
                out.append(col)
            continue
        vals = [str(v).strip() for v in s if not (v is None or (isinstance(v, float) and v != v)) and str(v).strip()]
        if vals and all(is_number_text(v) or v in missing_texts for v in vals) and any(is_number_text(v) for v in vals) \
                and not re.search(r"year|code|_id$|^id$", str(col), re.I):
            out.append(col)
    return out


def short_ref(text, lines: int = 2) -> str:
    """A source reference short enough for a table cell: the file's first word and the first
    `lines` line numbers, '+N' for the rest ('aalborg_regnskab_2014_fb.txt:152, 156, 157 (+39 more)'
    -> 'aalborg:152, 156 +40'). Text that is not a reference is returned unchanged."""
    text = str(text or "").strip()
    if not text or ":" not in text:
        return text
    parts = [p.strip() for p in re.split(r";\s*", text) if p.strip()]
    files: dict[str, list] = {}                       # file word -> [line tokens, more]
    extra_files = 0
    for part in parts:
        m = re.match(r"^\+(\d+) more files?$", part)
        if m:
            extra_files += int(m.group(1))
            continue
        f, _, rest = part.rpartition(":")
        if not f or not re.match(r"^\s*\d", rest):
            return text
        stem = re.sub(r"\.(txt|csv|xlsx|pdf|html?)$", "", Path(f).name)
        entry = files.setdefault(stem.split("_")[0] or stem, [[], 0])
        entry[1] += sum(int(n) for n in re.findall(r"\(\+(\d+) more\)", rest))
        entry[0] += [t.strip() for t in re.sub(r"\(\+\d+ more\)", "", rest).split(",") if t.strip()]
    out = []
    for word, (tokens, more) in files.items():
        shown = tokens[:lines]
        more += len(tokens) - len(shown)
        out.append(f"{word}:{', '.join(shown)}" + (f" +{more}" if more else ""))
    if len(out) > 2:
        extra_files += len(out) - 2
        out = out[:2]
    return "; ".join(out) + (f" +{extra_files} files" if extra_files else "")


def _is_source(col) -> bool:
    return str(col).strip().lower() in SOURCE_HEADERS


def _is_year(col) -> bool:
    return bool(re.search(r"\byear\b|^jahr$|^år$", str(col), re.I))


def abbreviate(text: str, limit: int = ABBREVIATE, to: int = ABBREVIATE_TO) -> str:
    """`text` when up to `limit` characters, else cut at the last space before `to` characters + ' …'."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, to)
    return text[:cut if cut > to // 2 else to].rstrip(" ,;:") + " …"


def _is_quote(col) -> bool:
    return bool(re.search(r"quote|verbatim|zitat|citat", str(col), re.I))


def _cell(value, numeric: bool, source: bool, title: str | None, year: bool = False, quote: bool = False) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        text = ""
    else:
        text = str(value)
    classes = []
    if numeric:
        classes += ["num"] if is_number_text(text) or not text else ["num", "text"]
    shown = short_ref(text) if source and text else text
    if not source and not numeric and not quote and shown != abbreviate(shown):
        shown = abbreviate(shown)
        classes.append("abbr")
        title = text if not title else f"{text} ({title})"
    if source and text and (shown != text or len(text) < LONG_WORD):
        classes.append("ref")
        title = title or (text if shown != text else None)
    elif len(text) >= LONG_TEXT:
        classes.append("long")
    elif year and not numeric:
        classes.append("year")
    if not numeric and "ref" not in classes and max((len(w) for w in re.split(r"[\s/-]+", shown)), default=0) > LONG_WORD:
        classes.append("word")  # a long word without a hyphen to break at
    attrs = f' class="{" ".join(classes)}"' if classes else ""
    if title and title != shown:
        attrs += f' title="{_html.escape(str(title))}"'
    return f"<td{attrs}>{_html.escape(shown)}</td>"


def _table(df: pd.DataFrame, numeric: set, titles: dict, positions: list[int], sortable: bool) -> str:
    cols = list(df.columns)
    num = ' class="num"'
    head = "".join(f'<th{num if c in numeric else ""} scope="col">{_html.escape(str(c))}</th>' for c in cols)
    body = []
    for i in positions:
        row = df.iloc[i]
        cells = "".join(_cell(row.iloc[j], c in numeric, _is_source(c), (titles.get(c) or [None] * len(df))[i],
                              _is_year(c), _is_quote(c)) for j, c in enumerate(cols))
        body.append(f"<tr>{cells}</tr>")
    attrs = ' data-sortable="true"' if sortable else ""
    many = " analysis-table-many" if len(cols) >= MANY_COLUMNS else ""
    return (f'<table class="analysis-table{many}"{attrs}><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def html(df, empty: str = "none", collapse: int = COLLAPSE, top: int = TOP) -> str:
    """A display frame as HTML (no index). More than `collapse` rows: the first `top` rows of
    `df.attrs['order']` (else of the frame), a line saying how they were chosen, and every row
    behind an expander."""
    if df is None:
        return f"<p><em>not available yet ({_html.escape(empty)})</em></p>"
    if not len(df):
        return f"<p><em>{_html.escape(empty)}</em></p>"
    df = df.reset_index(drop=True) if not isinstance(df.index, pd.RangeIndex) else df
    numeric = set(numeric_columns(df))
    titles = {k: list(v) for k, v in (df.attrs.get("titles") or {}).items() if k in df.columns}
    n = len(df)
    if n <= collapse:
        return f'<div class="analysis-table-wrap">{_table(df, numeric, titles, list(range(n)), False)}</div>'
    order = [int(i) for i in df.attrs.get("order", range(n)) if 0 <= int(i) < n]
    order += [i for i in range(n) if i not in set(order)]
    how = df.attrs.get("order_text")
    lead = f"The {top} rows with the {how} of {n}" if how else f"The first {top} of {n} rows"
    return (f'<div class="analysis-table-wrap analysis-collapsed" data-rows="{n}">'
            f'{_table(df, numeric, titles, order[:top], False)}'
            f'<p class="analysis-table-note">{_html.escape(lead)}; all rows below and in the download.</p>'
            f'<details class="analysis-more"><summary>All {n} rows (click a column header to sort, type to filter)'
            f'</summary>{_table(df, numeric, titles, list(range(n)), True)}</details></div>')


def show(df, empty: str = "none", **kw) -> None:
    """Display `df` (a display frame) as the site shows tables."""
    from IPython.display import HTML, display
    display(HTML(html(df, empty, **kw)))


def copy_assets(site_dir: Path) -> Path:
    """Copy the table script into `<site_dir>/assets/`; return its path."""
    dest = Path(site_dir) / "assets"
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SCRIPT_PATH, dest / SCRIPT)
    return dest / SCRIPT
