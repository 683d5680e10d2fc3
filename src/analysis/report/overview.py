"""The overview page (index.html) and the README's images, both written by the build.

    index_markdown(site, intro, notebooks, root, quarto=False)   the overview page as Markdown:
        the intro of reports/index.qmd, the findings of each page (one or two lines, linked), one
        coverage grid (municipality x fiscal year x data type, coloured by what exists, with each
        document's reference and date), the date of the build and of the data, the figures found
        on the document line they cite, the contradictions and corrections (linked to the methods
        page), and the pages by section
    grid_html(grid)                the coverage grid as a plain HTML table
    grid_chart(grid)               the same grid as an Altair chart (for the README image)
    readme_images(root, site_dir)  docs/images/coverage-grid.png (vl-convert) and screenshots of the
                                   overview and spending pages (headless Chromium), for README.md

The build date is today's date, or SOURCE_DATE_EPOCH's when that is set (reproducible builds).
"""
from __future__ import annotations

import datetime as dt
import html
import os
import shutil
from pathlib import Path

import pandas as pd

from analysis.compare import availability, distribution, findings, verification
from analysis.contract.numbers import fmt
from analysis.contract.safe_text import markdown_text
from analysis.report import page_findings

IMAGES = Path("docs") / "images"
GRID_IMAGE, SHOTS = "coverage-grid", {"overview": "index.html", "spending": "spending.html"}
STATUS_COLOURS = {"figures": "#4e79a7", "planned and realised": "#59a14f", "planned only": "#a0cbe8",
                  "realised only": "#8cd17d", "targets and results": "#f28e2b",
                  "targets, no results yet": "#ffbe7d", "qualitative goals only": "#d4c9a8"}
NO_YEAR = "no year"
DATA_PAGE = "data-downloads"  # analysis.report.publish.DATA_PAGE
FINDING_LINES = 2


# --- data ------------------------------------------------------------------------------------

def _tables(root: Path | None) -> dict[str, pd.DataFrame] | None:
    from analysis.api import read_processed
    from analysis.report.runner import workspace_root
    folder = workspace_root(root) / "data" / "processed"
    try:
        return read_processed(folder)
    except Exception:
        return None


def document_lines(root: Path, documents: pd.DataFrame | None) -> dict[str, list[str]]:
    """Raw file name -> its lines, for the documents listed (their `path`, relative to the workspace
    or to data/raw/)."""
    out = {}
    root = Path(root)
    paths = list(documents["path"].dropna()) if documents is not None and "path" in documents.columns else []
    for name in paths:
        for f in (root / str(name), root / "data" / "raw" / str(name), root / "data" / "raw" / Path(str(name)).name):
            if f.is_file():
                out[f.name] = f.read_text(encoding="utf-8", errors="replace").splitlines()
                break
    return out


def verification_table(root: Path | None = None, tables: dict | None = None) -> pd.DataFrame | None:
    """Every figure of data/processed with `status` (found on its line, corrected, not found, no
    document line): `analysis.compare.verification.verify` against data/raw (None without data)."""
    from analysis.report.runner import workspace_root
    root = workspace_root(root)
    tables = tables if tables is not None else _tables(root)
    if not tables:
        return None
    figs = verification.figures(tables.get("budget"), tables.get("indicators"), tables.get("goals"))
    return verification.verify(figs, document_lines(root, tables.get("documents")))


def verified(root: Path | None = None, tables: dict | None = None) -> dict | None:
    """`verification.summary` of `verification_table` (None without data)."""
    checked = verification_table(root, tables)
    return None if checked is None else verification.summary(checked)


def build_date() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.date.today()


# --- the grid --------------------------------------------------------------------------------

def _years(grid: pd.DataFrame) -> list:
    years = sorted(int(y) for y in grid["fiscal_year"].dropna().unique())
    return years + ([NO_YEAR] if grid["fiscal_year"].isna().any() else [])


def _rows(grid: pd.DataFrame, municipalities: pd.DataFrame | None) -> list[tuple[str, str, list[str]]]:
    """(municipality_id, name, data types) in order; every municipality has a budget, an
    indicators and a goals row (budget: one row per phase present), empty where nothing exists."""
    ids = list(municipalities["municipality_id"]) if municipalities is not None else []
    ids += [m for m in grid["municipality_id"].unique() if m not in ids]
    names = dict(zip(grid["municipality_id"], grid["municipality"]))
    if municipalities is not None:
        names.update(dict(zip(municipalities["municipality_id"], municipalities["name"])))
    order = list(availability.BUDGET_PHASES.values())
    out = []
    for m in sorted(ids, key=lambda i: names.get(i, i)):
        types = grid.loc[grid["municipality_id"] == m, "data_type"].unique()
        budget = sorted([t for t in types if t.startswith("budget: ")], key=lambda t: order.index(t[8:]))
        out.append((m, names.get(m, m), (budget or ["budget"]) + ["indicators", "goals"]))
    return out


def _at_scale(grid: pd.DataFrame, municipalities: pd.DataFrame | None) -> bool:
    ids = set(grid["municipality_id"]) | (set(municipalities["municipality_id"]) if municipalities is not None else set())
    return len(ids) > distribution.THRESHOLD


def _year_key(y) -> str:
    return NO_YEAR if pd.isna(y) else str(int(y))


def summary_html(grid: pd.DataFrame, municipalities: pd.DataFrame | None = None) -> str:
    """The coverage grid for many municipalities (`availability.summary`): a row per data type, a
    column per fiscal year, each cell how many municipalities have data there, coloured by the most
    common status (title: the count per status and their rows), and a legend."""
    total = len(set(grid["municipality_id"]) | (set(municipalities["municipality_id"])
                                                if municipalities is not None else set()))
    summ = availability.summary(grid)
    years = [str(y) if y != NO_YEAR else NO_YEAR for y in _years(grid)]
    cells = {}
    for (dtype, year), part in summ.groupby([summ["data_type"], summ["fiscal_year"].map(_year_key)], sort=False):
        cells[(dtype, year)] = part
    types = list(dict.fromkeys(summ["data_type"]))
    head = "".join(f'<th scope="col" class="num">{html.escape(y)}</th>' for y in years)
    body = []
    for dtype in types:
        tds = []
        for y in years:
            part = cells.get((dtype, y))
            if part is None:
                tds.append('<td class="grid-none"></td>')
                continue
            n = int(part["municipalities"].sum())
            top = part.loc[part["municipalities"].idxmax()]
            title = f"{dtype}, {y}: " + "; ".join(f"{int(r['municipalities'])} municipalities {r['status']} "
                                                  f"({int(r['rows'])} rows)" for r in part.to_dict("records"))
            colour = STATUS_COLOURS.get(top["status"], "#999")
            tds.append(f'<td class="grid-cell" style="background:{colour}" title="{html.escape(title)}">'
                       f'<span class="grid-label">{n}</span></td>')
        body.append(f'<tr class="grid-first"><td class="grid-type">{html.escape(dtype)}</td>{"".join(tds)}</tr>')
    legend = " ".join(f'<span class="grid-key" style="background:{c}"></span>{html.escape(s)}'
                      for s, c in STATUS_COLOURS.items() if s in set(summ["status"]))
    return (f'<div class="analysis-grid-wrap"><table class="analysis-grid"><thead><tr><th scope="col">Data of '
            f'{total} municipalities</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            f'<p class="analysis-grid-legend">{legend}. Each cell: how many of the {total} municipalities have '
            f'data of that type for that year, coloured by the most common status (hover for each status). '
            f'Empty: none has. Each municipality\'s own grid: its profile page and the spending page\'s table '
            f'"Which figures exist".</p></div>')


def grid_html(grid: pd.DataFrame, municipalities: pd.DataFrame | None = None,
              documents: pd.DataFrame | None = None) -> str:
    """The coverage grid: a row per municipality and data type, a column per fiscal year, cells
    coloured by what exists (title: rows and documents), each municipality's documents with their
    reference and date, and a legend. Above `distribution.THRESHOLD` municipalities: the
    summary per data type and year (`summary_html`)."""
    if _at_scale(grid, municipalities):
        return summary_html(grid, municipalities)
    years = _years(grid)
    labels = availability.document_labels(documents)
    by_muni = {}
    if documents is not None and len(documents):
        for m, part in documents.groupby("municipality_id"):
            by_muni[m] = "; ".join(labels[d] for d in part["document_id"])
    head = "".join(f'<th scope="col" class="num">{y}</th>' for y in years)
    first: dict = {}  # (municipality, data type, year or NO_YEAR) -> position of its first row in the grid
    for at, key in enumerate(zip(grid["municipality_id"], grid["data_type"], grid["fiscal_year"])):
        first.setdefault(key[:2] + (NO_YEAR if pd.isna(key[2]) else key[2],), at)
    body = []
    for mid, name, types in _rows(grid, municipalities):
        for i, dtype in enumerate(types):
            cells = []
            for y in years:
                at = first.get((mid, dtype, y))
                if at is None:
                    cells.append('<td class="grid-none"></td>')
                    continue
                rec = grid.iloc[at]
                title = f"{name}, {dtype}, {y}: {rec['status']} ({rec['rows']} rows) - {rec['documents']}"
                colour = STATUS_COLOURS.get(rec["status"], "#999")
                cells.append(f'<td class="grid-cell" style="background:{colour}" title="{html.escape(title)}">'
                             f'<span class="grid-label">{html.escape(_short(rec["status"]))}</span></td>')
            lead = ""
            if i == 0:
                docs = html.escape(by_muni.get(mid, ""))
                lead = (f'<th scope="rowgroup" rowspan="{len(types)}" class="grid-muni">{html.escape(name)}'
                        f'<span class="grid-docs">{docs}</span></th>')
            kind = dtype if dtype != "budget" else "budget (none)"
            body.append(f'<tr class="{"grid-first" if i == 0 else ""}">{lead}<td class="grid-type">'
                        f'{html.escape(kind)}</td>{"".join(cells)}</tr>')
    legend = " ".join(f'<span class="grid-key" style="background:{c}"></span>{html.escape(s)}'
                      for s, c in STATUS_COLOURS.items() if s in set(grid["status"]))
    return (f'<div class="analysis-grid-wrap"><table class="analysis-grid"><thead><tr><th scope="col">Municipality '
            f'and documents</th><th scope="col">Data</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            f'<p class="analysis-grid-legend">{legend}. Empty: the documents give none. Fiscal years; goals by '
            f'their target year (else the document\'s year). Hover a cell for its rows and document.</p></div>')


def _short(status: str) -> str:
    return {"figures": "✓", "planned and realised": "plan + real", "planned only": "plan", "realised only": "real",
            "targets and results": "results", "targets, no results yet": "targets",
            "qualitative goals only": "qualit."}.get(status, status)


def grid_chart(grid: pd.DataFrame, municipalities: pd.DataFrame | None = None, built: dt.date | None = None):
    """The coverage grid as an Altair heat map (municipality: data type x fiscal year)."""
    import altair as alt

    from analysis.report import charts
    if _at_scale(grid, municipalities):
        return summary_chart(grid, municipalities, built)
    d = grid.copy()
    d["year"] = [str(int(y)) if pd.notna(y) else NO_YEAR for y in d["fiscal_year"]]
    d["row"] = d["municipality"] + ": " + d["data_type"]
    order = [f"{name}: {t}" for _, name, types in _rows(grid, municipalities) for t in types]
    present = [s for s in STATUS_COLOURS if s in set(d["status"])]
    chart = alt.Chart(charts.guard(d)).mark_rect(stroke="white", strokeWidth=2).encode(
        x=alt.X("year:O", title="Fiscal year", sort=[str(y) for y in _years(grid)], axis=alt.Axis(labelAngle=0)),
        y=alt.Y("row:N", title=None, sort=order, scale=alt.Scale(domain=order)),
        color=alt.Color("status:N", title="What exists", sort=present,
                        scale=alt.Scale(domain=present, range=[STATUS_COLOURS[s] for s in present])),
        tooltip=["municipality", "data_type", "year", "status", "rows", "documents"],
    ).properties(width=alt.Step(44), height=alt.Step(18))
    docs = list(dict.fromkeys(x for cell in grid["documents"].dropna() for x in str(cell).split("; ") if x))
    sub = ["Cells coloured by what exists; empty: the documents give none", f"Documents: {'; '.join(docs)}"]
    if built:
        sub.append(f"Built {built.isoformat()}")
    return charts.titled(chart, "Which data exist: municipality x fiscal year x data type", sub)


def summary_chart(grid: pd.DataFrame, municipalities: pd.DataFrame | None = None, built: dt.date | None = None):
    """The coverage grid for many municipalities as an Altair heat map: data type x fiscal year,
    the number of municipalities in each cell, coloured by the most common status."""
    import altair as alt

    from analysis.report import charts
    summ = availability.summary(grid)
    summ = summ.assign(year=summ["fiscal_year"].map(_year_key))
    top = summ.sort_values("municipalities", ascending=False, kind="stable").drop_duplicates(["data_type", "year"])
    n = summ.groupby(["data_type", "year"], sort=False)["municipalities"].sum().rename("n").reset_index()
    d = top.drop(columns=["municipalities"]).merge(n, on=["data_type", "year"])
    total = len(set(grid["municipality_id"]) | (set(municipalities["municipality_id"])
                                                if municipalities is not None else set()))
    order = list(dict.fromkeys(summ["data_type"]))
    present = [s for s in STATUS_COLOURS if s in set(d["status"])]
    base = alt.Chart(charts.guard(d)).encode(
        x=alt.X("year:O", title="Fiscal year", sort=[str(y) for y in _years(grid)], axis=alt.Axis(labelAngle=0)),
        y=alt.Y("data_type:N", title=None, sort=order))
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("status:N", title="Most common", sort=present,
                        scale=alt.Scale(domain=present, range=[STATUS_COLOURS[s] for s in present])),
        tooltip=["data_type", "year", "status", alt.Tooltip("n:Q", title="municipalities")])
    text = base.mark_text(color="white", fontSize=11).encode(text="n:Q")
    chart = (rect + text).properties(width=alt.Step(44), height=alt.Step(22))
    sub = [f"Number of the {total} municipalities with data in each cell; colour: the most common status"]
    if built:
        sub.append(f"Built {built.isoformat()}")
    return charts.titled(chart, "Which data exist: data type x fiscal year", sub)


# --- the page --------------------------------------------------------------------------------

def page_lines(notebook, limit: int = FINDING_LINES) -> list[str]:
    """The first `limit` findings a page showed."""
    return (page_findings.from_notebook(notebook) if notebook is not None else [])[:limit]


def about_lines(root: Path, tables: dict | None, methods_html: str | None) -> list[str]:
    """The build date, the data's date, the figures verified and the contradictions/corrections."""
    out = [f"Built on {build_date().isoformat()}."]
    meta = Path(root) / "data" / "processed" / "metadata.json"
    if meta.exists():
        import json
        created = str(json.loads(meta.read_text(encoding="utf-8")).get("created", ""))[:10]
        docs = tables["documents"] if tables else None
        dates = sorted(str(d) for d in docs["date"].dropna() if str(d).strip()) if docs is not None else []
        span = f" from documents dated {dates[0]} to {dates[-1]}" if dates else ""
        undated = int(docs["date"].isna().sum() + (docs["date"].astype(str).str.strip() == "").sum()) if docs is not None else 0
        out.append(f"Data extracted on {created}{span}" + (f" ({undated} without a date)" if undated else "") + ".")
    v = verified(root, tables)
    link = f" ([how]({methods_html}))" if methods_html else ""
    if v and v["figures"]:
        out.append(findings.verification_sentence(v).rstrip(".") + "." + link)
    quality = tables.get("quality") if tables else None
    if quality is not None and len(quality):
        n_contra = int((quality["status"] == "contradiction").sum())
        n_corr = int((quality["status"] == "corrected").sum())
        n_flag = int(quality["check"].astype(str).str.startswith("flag:").sum())
        where = f"[methods page]({methods_html})" if methods_html else "methods page"
        out.append(f"{_n(n_contra, 'contradiction')} where a document disagrees with itself, {_n(n_corr, 'correction')} "
                   f"where it settles a misprint itself and {_n(n_flag, 'doubtful figure')} flagged: each one on the "
                   f"{where}.")
    return out


def findings_html(items: list) -> str:
    """The overview's first block: each page's first findings, linked to the page
    (`page_findings` markup, so that every page opens the same way)."""
    lines = [f'<a href="{html.escape(p.html)}"><strong>{html.escape(p.title)}</strong></a>: '
             + html.escape(" ".join(found)) for p, found in items]
    return page_findings.Findings([], title="What the pages find").html(
        lines or ["no page has findings yet: run `analysis build`"], raw=True)


def downloads_findings(counts: dict[str, int], page_files: list, quarto: bool = False) -> str:
    """The first block of the data downloads page: how many tables and rows, how many files behind
    how many pages (computed from what is offered)."""
    lines = []
    if counts:
        biggest = max(counts, key=counts.get)
        lines.append(f"{len(counts)} processed tables with {fmt(sum(counts.values()), 0)} rows in all "
                     f"(the largest: {biggest}, {fmt(counts[biggest], 0)} rows), each as CSV and Excel.")
    else:
        lines.append("No processed tables yet: run `analysis extract`.")
    if page_files:
        pages = {p.name for p, _, _ in page_files}
        lines.append(f"{len(page_files)} tables behind {len(pages)} pages; none is offered without rows.")
    return _raw(page_findings.Findings(lines, title="What this page offers").html(), quarto)


def _n(n: int, word: str) -> str:
    return f"{fmt(n, 0)} {word}{'' if n == 1 else 's'}"


def _raw(block: str, quarto: bool) -> str:
    """Raw HTML for the page's Markdown (Quarto needs a raw block, nbconvert's Markdown passes it)."""
    return f"```{{=html}}\n{block}\n```" if quarto else block


def _md(text: str) -> str:
    """Data text as Markdown text: the workspace's one escaping helper (issue 12)."""
    return markdown_text(text)


def index_markdown(site, intro: str, notebooks: dict | None = None, root: Path | None = None,
                   quarto: bool = False, data_page: str = DATA_PAGE) -> str:
    """The overview page (see the module docstring); without `notebooks`/`root` only intro and pages."""
    from analysis.report.runner import workspace_root
    parts = []
    methods = next((p for p in site.pages if p.name == "methods"), None)
    methods_html = methods.html if methods else None
    items = []
    for p in site.pages:
        found = page_lines((notebooks or {}).get(p.name))
        if found:
            items.append((p, found))
    parts += [_raw(findings_html(items), quarto), ""]
    if intro.strip():
        parts += ["## About this site", "", intro.strip(), ""]
    if root is not None:
        root = workspace_root(root)
        tables = _tables(root)
        if tables:
            grid = availability.grid(tables["budget"], tables["indicators"], tables["goals"], tables["documents"],
                                     tables["municipalities"])
            parts += ["## Which data exist", "",
                      _raw(grid_html(grid, tables["municipalities"], tables["documents"]), quarto), ""]
        parts += ["## Date and checks of the data", "", *[f"- {x}" for x in about_lines(root, tables, methods_html)], ""]
    sections: dict[str, list] = {}
    for p in site.pages:
        sections.setdefault(p.section or "Pages", []).append(p)
    for section, pages in sections.items():
        parts.append(f"## {section}\n")
        for p in pages:
            line = f"- [{_md(p.title)}]({p.html})"
            if p.description:
                line += f": {_md(p.description)}"
            parts.append(line)
        parts.append("")
    parts.append(f"## Data\n\n- [Data downloads]({data_page}.html): every table as CSV and Excel.\n")
    return "\n".join(parts)


# --- README images ---------------------------------------------------------------------------

def readme_images(root: Path, site_dir: Path, say=print) -> list[Path]:
    """Write docs/images/coverage-grid.png (and .svg) and screenshots of the overview and spending
    pages (headless Chromium, network blocked) for README.md; a missing Chromium or page is said
    in one line and skipped. Returns the files written."""
    root, site_dir = Path(root), Path(site_dir)
    out_dir = root / IMAGES
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    tables = _tables(root)
    if tables:
        from analysis.report import charts
        grid = availability.grid(tables["budget"], tables["indicators"], tables["goals"], tables["documents"],
                                 tables["municipalities"])
        try:
            written += charts.save(grid_chart(grid, tables["municipalities"]), out_dir / GRID_IMAGE, scale=1.5)
        except Exception as exc:  # vl-convert missing or failing: the site is fine without the image
            say(f"README image {GRID_IMAGE}.png not written: {type(exc).__name__}: {exc}")
    pages = {k: site_dir / v for k, v in SHOTS.items() if (site_dir / v).exists()}
    if pages:
        try:
            written += screenshots(pages, out_dir)
        except Exception as exc:
            say(f"README screenshots not updated: {type(exc).__name__}: {exc}")
    return written


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium() -> str | None:
    for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if p and Path(p).exists():
            return p
    return None


def screenshots(pages: dict[str, Path], out_dir: Path, width: int = 1280, height: int = 1600) -> list[Path]:
    """<out_dir>/<name>.png: the top `height` pixels of each page at `width` px, charts drawn.
    Runs in a thread of its own (Playwright's sync API refuses a thread with an asyncio loop, as in
    Jupyter or a test that drives a browser already)."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_screenshots, pages, out_dir, width, height).result()


def _screenshots(pages: dict[str, Path], out_dir: Path, width: int, height: int) -> list[Path]:
    from playwright.sync_api import sync_playwright
    exe = chromium()
    if exe is None:
        raise RuntimeError("no Chromium found (/usr/bin/chromium)")
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
                       else r.abort())
            for name, path in pages.items():
                page.goto(Path(path).resolve().as_uri())
                page.wait_for_load_state("load")
                n = page.locator(".analysis-chart").count()
                if n:
                    page.wait_for_function("n => document.querySelectorAll('.vega-embed svg.marks, "
                                           ".vega-embed canvas, .analysis-chart-error').length >= n",
                                           arg=n, timeout=20000)
                target = out_dir / f"{name}.png"
                page.screenshot(path=str(target))
                written.append(target)
        finally:
            browser.close()
    return written
