"""Publish executed notebooks as a static website that works offline, also opened from disk.

With `quarto` on PATH the site is rendered by Quarto in reports/.quarto-render/ (a copy of the
project in reports/ with the render list and navbar of the build, kept between builds so that
only the pages whose content changed are rendered again); otherwise nbconvert's HTML exporter
renders every page with a small template (same navigation bar on every page, no CDN scripts)
and an index page is generated. Both produce the same files:

    index.html, <page>.html ..., data-downloads.html
    assets/vega-bundle.js          local Vega libraries (analysis.report.offline)
    downloads/<page>/*.csv|xlsx    the data behind each page (analysis.offline.offer_download)
    data/*.csv|xlsx                the processed tables (data/processed/)

Rendering happens in a folder of the caller's stage; `staging.publish_unit` then publishes it.
The offline check refuses a site that would load anything from the web or a module script.
"""
from __future__ import annotations

import copy
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat
import yaml

from analysis.contract.safe_text import markdown_text
from analysis.report import html_tables, offline, overview, page_size
from analysis.report.runner import Page, workspace_root

FALLBACK_NOTE = "publisher: nbconvert (quarto not found on PATH: fallback)"  # + ": rendered N pages in Xs"
INDEX, DATA_PAGE = "index", "data-downloads"
DATA_DIR = "data"
XLSX_MAX_ROWS = 100_000  # processed tables above this are offered as CSV only (see data_downloads)
REMOVE_CELL, REMOVE_OUTPUT = "remove-cell", "remove-output"  # cell tags honoured (code is never shown)
QUARTO_COPY = (".qmd", ".css", ".scss", ".html", ".svg", ".png")  # files of reports/ the project needs


class PublishError(RuntimeError):
    """Rendering failed; the previous site is kept."""


@dataclass
class Site:
    """What is published: the pages in navbar order and the site's title."""

    pages: list[Page]
    title: str = "Reports"
    description: str | None = None
    nav: list[dict] = field(default_factory=list)

    def __post_init__(self):
        if not self.nav:
            self.nav = navigation(self.pages)


def navigation(pages: list[Page]) -> list[dict]:
    """Navbar items: Overview, the pages (a `menu` groups its pages in one dropdown), Data downloads.

    Items are {"text", "page"} or {"text", "menu": [items]}; "page" is a name without extension.
    """
    items: list[dict] = [{"text": "Overview", "page": INDEX}]
    menus: dict[str, dict] = {}
    for p in pages:
        item = {"text": p.nav or p.title, "page": p.name}
        if p.menu:
            if p.menu not in menus:
                menus[p.menu] = {"text": p.menu, "menu": []}
                items.append(menus[p.menu])
            menus[p.menu]["menu"].append(item)
        else:
            items.append(item)
    items.append({"text": "Data downloads", "page": DATA_PAGE})
    return items


# --- content shared by both publishers ----------------------------------------------------

def prepare_notebook(nb: nbformat.NotebookNode, page: Page) -> nbformat.NotebookNode:
    """A copy for the site: no stderr, no cells tagged remove-cell, no outputs of remove-output,
    and no leading '# heading' (the page title comes from the config)."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if REMOVE_CELL in tags:
            continue
        if cell.cell_type == "code":
            cell.outputs = [] if REMOVE_OUTPUT in tags else [
                o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        cells.append(cell)
    for cell in cells:
        if cell.cell_type != "markdown" or not cell.source.strip():
            continue
        lines = cell.source.lstrip().splitlines()
        if re.match(r"^#\s+\S", lines[0]):
            cell.source = "\n".join(lines[1:]).lstrip("\n")
        break
    nb.cells = [c for c in cells if c.cell_type != "markdown" or c.source.strip()]  # a cell that held only the title
    nb.metadata["title"] = page.title
    return nb


def read_front_matter(path: Path) -> tuple[dict, str]:
    """(YAML front matter, body) of a .qmd/.md file."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    m = re.match(r"^---\s*\n(.*?)\n---\s*\n?", text, re.S)
    if not m:
        return {}, text
    return yaml.safe_load(m.group(1)) or {}, text[m.end():]


def index_markdown(site: Site, intro: str, notebooks: dict | None = None, root: Path | None = None,
                   quarto: bool = False) -> str:
    """The overview page: the intro of reports/index.qmd, the pages' findings, the coverage grid,
    the date and checks of the data, and the pages by section (`analysis.report.overview`)."""
    return overview.index_markdown(site, intro, notebooks, root, quarto=quarto, data_page=DATA_PAGE)


def _md(text: str) -> str:
    """Data text (a page title from a municipality's name, a description) as Markdown text."""
    return markdown_text(text)


def data_downloads(root: Path | None, dest: Path, site: Site, downloads: Path | None = None,
                   previous: Path | None = None, quarto: bool = False) -> str:
    """Copy data/processed/*.csv into `dest`/data/ with an XLSX of each up to XLSX_MAX_ROWS rows;
    return the page's Markdown.

    The page lists those tables and the per-page downloads found in `downloads`
    (downloads/<page>/<file>). An XLSX of the `previous` site's data/ folder is reused when its
    CSV is unchanged.
    """
    root = workspace_root(root)
    processed = root / "data" / "processed"
    out = Path(dest) / DATA_DIR
    out.mkdir(parents=True, exist_ok=True)
    methods = next((p for p in site.pages if p.name == "methods"), None)
    lines = ["The processed tables of `data/processed/`, built by `analysis extract` from the council "
             "documents and the reference data. CSV files are UTF-8 and comma-separated; every row names "
             "its source as `source_ref` (`<raw file>:<line>`)."
             + (f" The [methods page]({methods.html}) explains the columns." if methods else ""), ""]
    csvs = sorted(processed.glob("*.csv")) if processed.exists() else []
    counts: dict[str, int] = {}
    too_big = []
    if csvs:
        lines += ["| table | rows | CSV | Excel |", "|---|---:|---|---|"]
        for csv in csvs:
            offline.write_csv_copy(csv, out / csv.name)  # no formula in a download
            old_csv = Path(previous) / csv.name if previous else None
            old_xlsx = old_csv.with_suffix(".xlsx") if old_csv else None
            if old_xlsx and old_xlsx.exists() and old_csv.read_bytes() == (out / csv.name).read_bytes():
                shutil.copyfile(old_xlsx, out / old_xlsx.name)
                counts[csv.stem] = _rows(csv)
            else:
                df = _read_table(csv)
                counts[csv.stem] = len(df)
                if len(df) <= XLSX_MAX_ROWS:
                    offline.write_table(df, out, csv.stem, xlsx=True)
                del df
            xlsx = out / f"{csv.stem}.xlsx"
            excel = f"[{csv.stem}.xlsx]({DATA_DIR}/{csv.stem}.xlsx)" if xlsx.exists() else "CSV only"
            if not xlsx.exists():
                too_big.append(csv.stem)
            lines.append(f"| {csv.stem} | {counts[csv.stem]} | [{csv.name}]({DATA_DIR}/{csv.name}) | {excel} |")
        if too_big:
            lines += ["", f"Tables of more than {XLSX_MAX_ROWS:,} rows ({', '.join(too_big)}) are offered as CSV "
                          "only: an Excel copy of that size takes minutes and gigabytes to write and is slow to open. "
                          "Excel and LibreOffice open the CSV (UTF-8, comma-separated)."]
        meta = processed / "metadata.json"
        if meta.exists():
            shutil.copyfile(meta, out / meta.name)
            lines += ["", f"[metadata.json]({DATA_DIR}/metadata.json) lists the input files with their "
                          "SHA-256 and the columns of every table."]
    else:
        lines.append("*No processed tables yet: run `analysis extract`.*")
    page_files = []
    for p in site.pages:  # in navbar order
        folder = Path(downloads) / p.name if downloads is not None else None
        for csv in sorted(folder.glob("*.csv")) if folder is not None and folder.is_dir() else []:
            xlsx = csv.with_suffix(".xlsx")
            page_files.append((p, csv, xlsx if xlsx.exists() else None))
    if page_files:  # one row per page (a row per file made a table of 40+ rows)
        lines += ["", "## The data behind each page", "", "| page | data (CSV · Excel) |", "|---|---|"]
        by_page: dict[str, list] = {}
        for p, csv, xlsx in page_files:
            base = f"{offline.DOWNLOADS}/{p.name}"
            xl = f" · [XLSX]({base}/{xlsx.name})" if xlsx else ""
            by_page.setdefault(p.name, [p, []])[1].append(f"{_md(csv.stem)} ([CSV]({base}/{csv.name}){xl})")
        for p, files in by_page.values():
            lines.append(f"| [{_md(p.title)}]({p.html}) | {'; '.join(files)} |")
    return overview.downloads_findings(counts, page_files, quarto) + "\n\n" + "\n".join(lines) + "\n"


def _rows(csv: Path) -> int:
    """The data rows of a CSV (records, so a quoted line break does not count twice)."""
    import csv as csv_
    with open(csv, encoding="utf-8", newline="") as fh:
        return max(sum(1 for _ in csv_.reader(fh)) - 1, 0)


def _read_table(csv: Path):
    """A processed table with its types (Parquet next to the CSV when present)."""
    import pandas as pd
    parquet = csv.with_suffix(".parquet")
    if parquet.exists():
        try:
            return pd.read_parquet(parquet)
        except Exception:
            pass
    return pd.read_csv(csv, dtype=str, keep_default_na=False)


# --- the methods page (notebooks/methods.ipynb shows these tables) -------------------------

METHODS_DOCUMENT_COLUMNS = ["document_id", "municipality_id", "title", "reference", "date", "publisher",
                            "language", "path"]
QUALITY_COLUMNS = ["check", "document_id", "source_ref", "expected", "found", "detail", "tolerance"]


def methods_content(root: Path | None = None) -> dict:
    """The tables of the methods page, read from data/processed/ and data/reference/.

    Keys: documents, contract, category_map, exchange_rates, price_index, population,
    quality (all checks), quality_by_document and quality_by_check (counts per status),
    contradictions, failures_warnings, info. A table whose file is missing is None.
    Values are read as text, exactly as written in the files.
    """
    import pandas as pd

    from analysis.contract import schema

    root = workspace_root(root)
    processed, reference = root / "data" / "processed", root / "data" / "reference"

    def read(path: Path):
        return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None

    out: dict = {}
    docs = read(processed / "documents.csv")
    if docs is None:
        docs = read(root / "data" / "raw" / "documents.csv")
    out["documents"] = None if docs is None else docs[[c for c in METHODS_DOCUMENT_COLUMNS if c in docs]]
    out["contract"] = pd.DataFrame([
        {"table": name, "columns (required)": ", ".join(cols),
         "optional columns": ", ".join(schema.OPTIONAL.get(name, []))}
        for name, cols in schema.COLUMNS.items()])
    for name in ("category_map", "exchange_rates", "price_index", "population"):
        out[name] = read(reference / f"{name}.csv")
    quality = read(processed / "quality.csv")
    out["quality"] = quality
    statuses = list(schema.QUALITY_STATUSES)
    if quality is not None and len(quality):
        def counts(by: str):
            table = pd.crosstab(quality[by], quality["status"]).reindex(columns=statuses, fill_value=0)
            table["total"] = table.sum(axis=1)
            table.columns.name = None
            return table.reset_index()
        out["quality_by_document"] = counts("document_id")
        out["quality_by_check"] = counts("check")
        cols = [c for c in QUALITY_COLUMNS if c in quality]
        out["contradictions"] = quality.loc[quality["status"] == "contradiction", cols]
        out["failures_warnings"] = quality.loc[quality["status"].isin(["fail", "warning"]), cols + ["status"]]
        out["info"] = quality.loc[quality["status"] == "info", cols]
    else:
        for key in ("quality_by_document", "quality_by_check", "contradictions", "failures_warnings", "info"):
            out[key] = None
    return out


def table_html(df, empty: str = "none") -> str:
    """A plain HTML table (no index): numbers right-aligned, long tables collapsed
    (`analysis.report.html_tables.html`)."""
    return html_tables.html(df, empty)


# --- the offline check --------------------------------------------------------------------

_EXTERNAL = [
    (re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//", re.I), "<script src> from the web"),
    (re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//", re.I), "<link href> to the web"),
    (re.compile(r"@import\s+(?:url\(\s*)?[\"']?\s*(?:https?:)?//", re.I), "@import from the web"),
    (re.compile(r"url\(\s*[\"']?\s*(?:https?:)?//[^)]*\.(?:woff2?|ttf|otf|eot|css)", re.I), "font/style url() from the web"),
    (re.compile(r"import\(\s*[\"'](?:https?:)?//", re.I), "dynamic import() from the web"),
]


def external_references(site_dir: Path) -> list[str]:
    """Every script, stylesheet, @import or font the site would fetch from the web ('file: what')."""
    found = []
    for path in sorted(Path(site_dir).rglob("*")):
        if path.suffix.lower() not in (".html", ".htm", ".css") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for pattern, what in _EXTERNAL:
            for m in pattern.finditer(text):
                snippet = text[m.start():m.start() + 120].splitlines()[0]
                found.append(f"{path.relative_to(site_dir)}: {what}: {snippet}")
    return found


_MODULE_SCRIPT = re.compile(r"<script\b(?=[^>]*\btype\s*=\s*[\"']?module)(?=[^>]*\bsrc\s*=\s*(?![\"']?data:))[^>]*>", re.I)


def module_scripts(site_dir: Path) -> list[str]:
    """Pages that load a <script type="module" src=...>: browsers block those when the page is
    opened from disk (file://), as analysis.report.quarto_nomodule explains."""
    found = []
    for path in sorted(Path(site_dir).rglob("*.htm*")):
        if "site_libs" in path.relative_to(site_dir).parts or not path.is_file():
            continue
        m = _MODULE_SCRIPT.search(path.read_text(encoding="utf-8", errors="replace"))
        if m:
            found.append(f"{path.relative_to(site_dir)}: module script (blocked from file://): {m.group(0)[:120]}")
    return found


# --- nbconvert ----------------------------------------------------------------------------

NBCONVERT_TEMPLATE = """{%- extends 'index.html.j2' -%}
{#- lab template without CDN scripts (require.js, MathJax, mermaid, widgets), plus site chrome -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block notebook_css -%}
<link rel="stylesheet" href="assets/notebook.css">
{%- endblock notebook_css -%}
{%- block html_head_css -%}
{%- if resources.site_description %}
<meta name="description" content="{{ resources.site_description | escape_html }}">
{%- endif %}
<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="assets/site.css">
<script src="assets/vega-bundle.js"></script>
<script src="assets/analysis-tables.js" defer></script>
{%- endblock html_head_css -%}
{%- block body_header -%}
<body class="jp-Notebook site-page" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
{{ resources.site_nav }}
<main>
<h1 class="page-title">{{ resources.page_title | escape_html }}</h1>
{%- endblock body_header -%}
{% block body_footer %}
</main>
<footer class="site-footer">{{ resources.site_footer }}</footer>
</body>
{% endblock body_footer %}
"""


def nav_html(site: Site, current: str) -> str:
    """The navigation bar of the nbconvert pages (dropdowns are <details>: no script needed)."""
    def link(item):
        active = item["page"] == current
        attrs = ' class="active" aria-current="page"' if active else ""
        return f'<a href="{item["page"]}.html"{attrs}>{html.escape(item["text"])}</a>'

    parts = ['<nav class="site-nav" aria-label="site"><div class="site-nav-inner">',
             f'<a class="site-title" href="{INDEX}.html">{html.escape(site.title)}</a><ul>']
    for item in site.nav:
        if "menu" in item:
            opened = any(sub["page"] == current for sub in item["menu"])
            parts.append(f'<li class="site-menu{" active" if opened else ""}"><details><summary>'
                         f'{html.escape(item["text"])}</summary><ul>')
            parts += [f"<li>{link(sub)}</li>" for sub in item["menu"]]
            parts.append("</ul></details></li>")
        else:
            parts.append(f"<li>{link(item)}</li>")
    parts.append("</ul></div></nav>")
    return "".join(parts)


def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    return HTMLExporter(config=c, template_name="lab", template_file="analysis_site.html.j2",
                        extra_loaders=[DictLoader({"analysis_site.html.j2": NBCONVERT_TEMPLATE})])


NOTEBOOK_CSS_EXTRA = """
/* from nbconvert's lab template (inline there, shared here) */
* { -webkit-print-color-adjust: exact; }
a.anchor-link { display: none; }
.jp-Collapser { display: none; }
.jp-OutputArea-output pre { line-height: inherit; font-family: inherit; }
.jp-RenderedText pre { color: var(--jp-content-font-color1); font-size: var(--jp-code-font-size); }
@page { margin: 0.5in; }
@media print { .jp-Cell-inputWrapper, .jp-Cell-outputWrapper { display: block; } }
"""


def notebook_css(exporter) -> str:
    """JupyterLab's notebook CSS of the lab template, once for all pages (not inlined per page)."""
    env = exporter.environment
    parts = [env.loader.get_source(env, name)[0] for name in ("static/index.css", "static/theme-light.css")]
    return "\n".join(parts) + NOTEBOOK_CSS_EXTRA


def _markdown_notebook(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    return nb


def _page_html(exporter, site: Site, name: str, title: str, nb: nbformat.NotebookNode) -> str:
    """One page of the nbconvert site (`nb` gets the HTML title in its metadata)."""
    nb.metadata["title"] = f"{title} - {site.title}" if name != INDEX else site.title
    body, _ = exporter.from_notebook_node(nb, resources={
        "site_nav": nav_html(site, name), "page_title": title,
        "site_footer": html.escape(f"{site.title} - built with nbconvert, works offline."),
        "site_description": site.description or ""})
    return body


class EarlyPages:
    """The nbconvert HTML of each page rendered as soon as its notebook has run (`submit`), in a
    thread of the build, while the other notebooks still run; `publish(early=...)` then renders
    only the overview and the data page (they need every page) and copies these. The HTML is
    what `render_nbconvert` writes for the page (same notebook, exporter and navigation). A page
    whose early render fails is rendered by `publish` as before, which reports the error."""

    def __init__(self, site: Site, folder: Path):
        import queue
        import threading

        self.site, self.folder = site, Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.html: dict[str, Path] = {}
        self.notebooks: dict[str, nbformat.NotebookNode] = {}    # prepare_notebook of each page rendered
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="early-pages", daemon=True)
        self._thread.start()

    def submit(self, page: Page, executed: Path) -> None:
        self._queue.put((page, Path(executed)))

    def _work(self) -> None:
        exporter = None
        while True:
            item = self._queue.get()
            if item is None:
                return
            page, executed = item
            try:
                exporter = exporter or _exporter()
                nb = prepare_notebook(nbformat.read(executed, as_version=4), page)
                body = _page_html(exporter, self.site, page.name, page.title, nb)
                nb.metadata["title"] = page.title           # as prepare_notebook left it, for the overview
                target = self.folder / f"{page.name}.html"
                target.write_text(body, encoding="utf-8")
            except Exception:  # rendered again by publish, which names the error
                continue
            self.notebooks[page.name], self.html[page.name] = nb, target

    def close(self) -> "EarlyPages":
        """Wait for the pages submitted so far; return self."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        return self


def render_nbconvert(site: Site, notebooks: dict[str, nbformat.NotebookNode], index_md: str,
                     index_title: str, data_md: str, out: Path, styles: Path | None,
                     reuse: dict[str, Path] | None = None, early: dict[str, Path] | None = None) -> None:
    """Write index.html, one page per notebook and data-downloads.html into `out`; the pages in
    `reuse` are copied from the earlier HTML given (the build checked that it would be the same),
    those in `early` from their HTML rendered while the notebooks ran (`EarlyPages`)."""
    exporter = _exporter()
    reuse = reuse or {}
    early = {n: f for n, f in (early or {}).items() if n not in reuse}
    for name, old in {**reuse, **early}.items():
        shutil.copyfile(old, out / f"{name}.html")
    docs = [(INDEX, index_title, _markdown_notebook(index_md))]
    docs += [(p.name, p.title, notebooks[p.name]) for p in site.pages if p.name not in reuse and p.name not in early]
    docs.append((DATA_PAGE, "Data downloads", _markdown_notebook(data_md)))
    for name, title, nb in docs:
        (out / f"{name}.html").write_text(_page_html(exporter, site, name, title, nb), encoding="utf-8")
    (out / offline.SITE_ASSETS / "notebook.css").write_text(notebook_css(exporter), encoding="utf-8")
    if styles is not None and styles.exists():
        shutil.copyfile(styles, out / offline.SITE_ASSETS / "site.css")
    else:
        (out / offline.SITE_ASSETS / "site.css").write_text("", encoding="utf-8")


# --- Quarto -------------------------------------------------------------------------------
#
# The Quarto project lives in reports/.quarto-render/ and is kept between builds: a build writes
# its files there (only those whose bytes changed), then renders the whole project, or only the
# pages whose content changed since the last successful render (`render_plan`), and copies the
# result into the caller's stage. Unchanged pages give the same bytes: the notebook copy handed
# to Quarto drops what differs between two runs of the same content (Papermill timings, random
# cell ids), and chart element ids come from the chart spec (analysis.report.offline).

QUARTO_PROJECT = ".quarto-render"        # reports/.quarto-render/: the Quarto project between builds
RENDER_STATE = "render-state.json"       # in it: what the last successful render was made from
RENDER_LOG = "render.log"                # in it: Quarto's output of the last render
RENDER_STATE_VERSION = 1
MAX_PAGE_RENDERS = 3                     # more changed pages: one full render is cheaper than one call each
RESOURCE_DIRS = (offline.SITE_ASSETS, offline.DOWNLOADS, DATA_DIR)
POST_RENDER = "analysis.report.quarto_nomodule"
WIDGET_MIME_TYPES = ("application/vnd.jupyter.widget-view+json", "application/vnd.jupyter.widget-state+json")


def quarto_config(base: dict, site: Site) -> dict:
    """reports/_quarto.yml with the render list, the navbar of this build and the post-render
    step that makes the pages work from disk (analysis.report.quarto_nomodule)."""
    cfg = copy.deepcopy(base or {})
    project = cfg.setdefault("project", {})
    project["type"] = "website"
    project["output-dir"] = "_site"
    project["render"] = [f"{INDEX}.qmd"] + [f"{p.name}.ipynb" for p in site.pages] + [f"{DATA_PAGE}.qmd"]
    resources = list(project.get("resources") or [])
    for glob in (f"{folder}/**" for folder in RESOURCE_DIRS):
        if glob not in resources:
            resources.append(glob)
    project["resources"] = resources
    # quarto.js is a <script type="module">, which browsers block on file://: a classic copy replaces it
    project["post-render"] = [f'"{sys.executable}" -m {POST_RENDER}']
    website = cfg.setdefault("website", {})
    website["title"] = markdown_text(site.title)  # Quarto reads title and navbar texts as Markdown
    if site.description:
        website["description"] = markdown_text(site.description)

    def item(entry):
        if "menu" in entry:
            return {"text": markdown_text(entry["text"]), "menu": [item(e) for e in entry["menu"]]}
        suffix = ".qmd" if entry["page"] in (INDEX, DATA_PAGE) else ".ipynb"
        return {"href": entry["page"] + suffix, "text": markdown_text(entry["text"])}

    website.setdefault("navbar", {})["left"] = [item(e) for e in site.nav]
    return cfg


def front_matter(fields: dict) -> str:
    """The YAML front matter block (`---` ... `---`) of a Quarto page, e.g. {"title": ...}."""
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) + "---"


def front_matter_cell(title: str) -> nbformat.NotebookNode:
    """The raw first cell Quarto reads as a notebook's front matter (Pandoc reads the title as
    Markdown: it is escaped, since it may hold a municipality's name)."""
    cell = nbformat.v4.new_raw_cell(front_matter({"title": markdown_text(title)}))
    cell.pop("id", None)  # set by quarto_notebook (a random id would change the page's bytes)
    return cell


def html_outputs_as_markdown(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy whose text/html and application/javascript outputs are text/markdown holding the
    same raw HTML block Quarto would write for them (```{=html}).

    Quarto adds require.js and jQuery from a CDN to every page with a code-cell output that has a
    text/html or application/javascript key (src/core/jupyter/widgets.ts, haveOutputType; no
    option turns it off); a text/markdown output renders to the same HTML without them. Jupyter
    widget outputs are left alone (they need the CDN; the offline check then refuses the page).
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = out.get("data", {})
            if any(m in data for m in WIDGET_MIME_TYPES) or not ("text/html" in data or "application/javascript" in data):
                continue
            if "text/html" in data:
                body = _text(data.pop("text/html"))
                data.pop("application/javascript", None)
            else:
                body = f'<script type="application/javascript">\n{_text(data.pop("application/javascript"))}\n</script>'
            fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", body)), default=0))
            data["text/markdown"] = f"{fence}{{=html}}\n{body.rstrip()}\n{fence}\n"
    return nb


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def quarto_notebook(nb: nbformat.NotebookNode, title: str) -> nbformat.NotebookNode:
    """The copy of a prepared notebook handed to Quarto: its front matter first, HTML outputs as
    Markdown (no CDN scripts), and nothing that differs between two runs of the same content
    (Papermill's timings, random cell ids), so an unchanged page gives the same bytes."""
    nb = html_outputs_as_markdown(nb)
    nb.metadata.pop("papermill", None)
    nb.cells.insert(0, front_matter_cell(title))
    with_ids = (nb.get("nbformat"), nb.get("nbformat_minor", 0)) >= (4, 5)
    for i, cell in enumerate(nb.cells):
        for key in ("papermill", "execution"):
            cell.get("metadata", {}).pop(key, None)
        if with_ids:
            cell["id"] = f"cell-{i}"
    return nb


def content_hash(data: bytes) -> str:
    """The key of a page's Quarto input (sha256 of its bytes; see `quarto_notebook`)."""
    return hashlib.sha256(data).hexdigest()


def quarto_inputs(site: Site, notebooks: dict[str, nbformat.NotebookNode], index_front: dict, index_md: str,
                  data_md: str) -> dict[str, bytes]:
    """The pages Quarto renders, file name -> bytes: index.qmd, <page>.ipynb ..., data-downloads.qmd."""
    front = dict(index_front or {})
    front.setdefault("title", "Overview")
    files = {f"{INDEX}.qmd": (front_matter(front) + "\n\n" + index_md).encode("utf-8")}
    for p in site.pages:
        files[f"{p.name}.ipynb"] = nbformat.writes(quarto_notebook(notebooks[p.name], p.title)).encode("utf-8")
    files[f"{DATA_PAGE}.qmd"] = (front_matter({"title": "Data downloads"}) + "\n\n" + data_md).encode("utf-8")
    return files


def quarto_project_files(site: Site, reports: Path, pages: dict[str, bytes]) -> dict[str, bytes]:
    """_quarto.yml of this build and the files of reports/ the project needs (theme, styles, headers)."""
    files = {}
    for f in sorted(reports.iterdir()):
        if f.is_file() and f.suffix in QUARTO_COPY and not f.name.startswith((".", "_")) and f.name not in pages:
            files[f.name] = f.read_bytes()
    config = reports / "_quarto.yml"
    base = yaml.safe_load(config.read_text(encoding="utf-8")) if config.exists() else {}
    files["_quarto.yml"] = yaml.safe_dump(quarto_config(base, site), allow_unicode=True,
                                          sort_keys=False).encode("utf-8")
    return files


def render_state(quarto: str, config: dict[str, bytes], pages: dict[str, bytes]) -> dict:
    """What a render is made from: Quarto, the project files and this code, and each page's hash."""
    code = b"".join(Path(m.__file__).read_bytes() for m in (sys.modules[__name__], _post_render_module()))
    digest = hashlib.sha256(code)
    for name in sorted(config):
        digest.update(name.encode() + b"\0" + config[name] + b"\0")
    return {"version": RENDER_STATE_VERSION, "quarto": os.path.realpath(quarto), "config": digest.hexdigest(),
            "pages": {name: content_hash(data) for name, data in pages.items()}}


def _post_render_module():
    from analysis.report import quarto_nomodule
    return quarto_nomodule


def render_plan(previous: dict | None, current: dict, site_dir: Path) -> list[str] | None:
    """The pages to render one at a time ([] when none changed), or None for a full render.

    A full render when there is no successful earlier render, when anything but the pages
    changed (navbar, render list, theme, styles, Quarto, this code), when a page of the last
    render is missing, or when more than MAX_PAGE_RENDERS pages changed."""
    if not previous or any(previous.get(k) != current[k] for k in ("version", "quarto", "config")):
        return None
    if set(previous.get("pages", {})) != set(current["pages"]):
        return None
    if not all((site_dir / f"{Path(name).stem}.html").exists() for name in current["pages"]):
        return None
    changed = [name for name, digest in current["pages"].items() if previous["pages"][name] != digest]
    return None if len(changed) > MAX_PAGE_RENDERS else changed


def _write_if_changed(path: Path, data: bytes) -> None:
    if not (path.is_file() and path.read_bytes() == data):
        path.write_bytes(data)


def _mirror(src: Path, dest: Path) -> None:
    """Make `dest` hold exactly the files of `src` (files with the same bytes are not rewritten)."""
    import filecmp
    dest.mkdir(parents=True, exist_ok=True)
    wanted = {p.relative_to(src) for p in src.rglob("*") if p.is_file()} if src.exists() else set()
    for p in sorted(dest.rglob("*"), reverse=True):
        rel = p.relative_to(dest)
        if p.is_file() and rel not in wanted:
            p.unlink()
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()
    for rel in sorted(wanted):
        target = dest / rel
        if not (target.is_file() and filecmp.cmp(src / rel, target, shallow=False)):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / rel, target)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _run_quarto(quarto: str, args: list[str], project: Path) -> None:
    """Run quarto in the project; on failure raise PublishError with Quarto's own output."""
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([quarto, *args], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace", env=env)
    log = project / RENDER_LOG
    output = _ANSI.sub("", proc.stdout)
    with log.open("a", encoding="utf-8") as f:
        f.write(f"$ quarto {' '.join(args)}\n{output}\n(exit code {proc.returncode})\n")
    if proc.returncode != 0:
        # Quarto's messages without its TypeScript stack trace (that stays in the log)
        lines = [line for line in output.strip().splitlines()
                 if line.strip() and line.strip() != "Stack trace:" and not re.match(r"^\s+at ", line)]
        tail = "\n".join(lines[-40:])
        raise PublishError(f"quarto {args[0]} failed (exit code {proc.returncode}):\n{tail}\n"
                           f"(Quarto's whole output: {log})")


def render_quarto(site: Site, notebooks: dict[str, nbformat.NotebookNode], index_front: dict, index_md: str,
                  data_md: str, stage: Path, reports: Path, quarto: str, project: Path | None = None) -> tuple[Path, str]:
    """Render the site with Quarto in `project` (default reports/.quarto-render/), all pages or
    only the changed ones; copy it with the resource folders of `stage` (assets/, downloads/,
    data/) into `stage`/_site. Returns that folder and what was rendered (for the build's note)."""
    project = Path(project) if project else reports / QUARTO_PROJECT
    project.mkdir(parents=True, exist_ok=True)
    pages = quarto_inputs(site, notebooks, index_front, index_md, data_md)
    config = quarto_project_files(site, reports, pages)
    state_file, built = project / RENDER_STATE, project / "_site"
    try:
        previous = json.loads(state_file.read_text(encoding="utf-8")) if state_file.exists() else None
    except ValueError:
        previous = None
    current = render_state(quarto, config, pages)
    plan = render_plan(previous, current, built)
    state_file.unlink(missing_ok=True)  # written again only once this render succeeded
    (project / RENDER_LOG).write_text("", encoding="utf-8")
    for name, data in {**config, **pages}.items():
        _write_if_changed(project / name, data)
    for f in project.iterdir():  # pages of earlier builds that are gone now
        if f.is_file() and f.suffix in (".ipynb", ".qmd") and f.name not in pages and f.name not in config:
            f.unlink()
    for folder in RESOURCE_DIRS:
        _mirror(stage / folder, project / folder)
    if plan is None:
        shutil.rmtree(built, ignore_errors=True)
        _run_quarto(quarto, ["render", str(project), "--no-execute"], project)
        detail = f"rendered all {len(pages)} pages"
    else:
        for name in plan:
            _run_quarto(quarto, ["render", str(project / name), "--no-execute"], project)
        rest = len(pages) - len(plan)
        detail = (f"rendered {len(plan)} of {len(pages)} pages ({', '.join(Path(n).stem for n in plan)}; "
                  f"the other {rest} unchanged since the last build)" if plan else
                  f"rendered 0 of {len(pages)} pages (none changed since the last build)")
    if not (built / f"{INDEX}.html").exists():
        raise PublishError(f"quarto render wrote no {INDEX}.html into {built}")
    state_file.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    site_dir = stage / "_site"
    shutil.rmtree(site_dir, ignore_errors=True)
    shutil.copytree(built, site_dir, ignore=lambda d, names: [n for n in names if Path(d) == built and n in RESOURCE_DIRS])
    for folder in RESOURCE_DIRS:
        if (stage / folder).exists():
            shutil.copytree(stage / folder, site_dir / folder)
    return site_dir, detail


# --- entry points -------------------------------------------------------------------------

def quarto_path() -> str | None:
    return shutil.which("quarto")


def quarto_version(quarto: str) -> str | None:
    """Quarto's version read from its install tree (no process start: the launcher takes seconds)."""
    bin_dir = Path(os.path.realpath(quarto)).parent
    for rel in ("../lib/quarto-cli/version.txt", "../share/version", "../share/quarto/version",
                "../opt/quarto/share/version"):
        f = bin_dir / rel
        if f.is_file():
            text = f.read_text(encoding="utf-8", errors="replace").strip()
            if re.fullmatch(r"\d+(\.\d+)+", text):
                return text
    return None


def publish(executed: Path, site: Site, work: Path, root: Path | None = None, publisher: str = "auto",
            say: Callable[[str], None] | None = print, quarto_project: Path | None = None,
            reuse: dict[str, Path] | None = None, early: EarlyPages | None = None) -> Path:
    """Render the executed notebooks (executed/<page>.ipynb, executed/downloads/) into a new
    folder below `work`; return that folder (reports/_site is not touched: see `staging.publish_unit`).

    publisher: "auto" (Quarto when on PATH, else nbconvert), "quarto" or "nbconvert". One line
    through `say` names the publisher used and how long the render took. Quarto renders in
    `quarto_project` (default reports/.quarto-render/, kept between builds: only changed pages
    are rendered again). Raises PublishError when rendering fails, or a page would load from
    the web or a module script (blocked when the page is opened from disk).
    """
    root = workspace_root(root)
    reports = root / "reports"
    executed, work = Path(executed), Path(work)
    quarto = quarto_path()
    if publisher == "quarto" and not quarto:
        raise PublishError("publisher 'quarto' asked for, but quarto is not on PATH")
    use_quarto = publisher == "quarto" or (publisher == "auto" and quarto is not None)
    reuse = {} if use_quarto else {n: Path(f) for n, f in (reuse or {}).items() if Path(f).is_file()}
    early = early.close() if early is not None and not use_quarto else None
    notebooks = {}
    for p in site.pages:
        path = executed / f"{p.name}.ipynb"
        if not path.exists():
            raise PublishError(f"executed notebook missing: {path}")
        if p.name not in reuse:
            notebooks[p.name] = early.notebooks[p.name] if early and p.name in early.notebooks else \
                prepare_notebook(nbformat.read(path, as_version=4), p)
    index_front, intro = read_front_matter(reports / "index.qmd")
    index_md = index_markdown(site, intro, notebooks, root, quarto=use_quarto)
    downloads = executed / offline.DOWNLOADS

    out = work / ("quarto" if use_quarto else "site")
    out.mkdir(parents=True, exist_ok=True)
    offline.copy_assets(out)
    html_tables.copy_assets(out)  # the script that sorts and filters long tables
    if downloads.exists():
        shutil.copytree(downloads, out / offline.DOWNLOADS, dirs_exist_ok=True)
    data_md = data_downloads(root, out, site, downloads, previous=reports / "_site" / DATA_DIR, quarto=use_quarto)
    t0 = time.perf_counter()
    if use_quarto:
        site_dir, detail = render_quarto(site, notebooks, index_front, index_md, data_md, out, reports, quarto,
                                         quarto_project)
        version = quarto_version(quarto)
        note = f"publisher: Quarto{' ' + version if version else ''} ({_shown(quarto, root)}): {detail}"
    else:
        try:
            render_nbconvert(site, notebooks, index_md, index_front.get("title", "Overview"), data_md, out,
                             reports / "styles.css", reuse, early.html if early else None)
        except Exception as exc:
            raise PublishError(f"nbconvert failed: {type(exc).__name__}: {exc}") from exc
        site_dir = out
        why = FALLBACK_NOTE if publisher == "auto" else "publisher: nbconvert (--publisher nbconvert)"
        note = (f"{why}: rendered {len(site.pages) - len(reuse) + 2} pages, kept the HTML of {len(reuse)} "
                "(same executed notebook and navigation)" if reuse else f"{why}: rendered all {len(site.pages) + 2} pages")
    seconds = time.perf_counter() - t0
    problems = external_references(site_dir) + module_scripts(site_dir)
    if problems:
        raise PublishError("the site would load from the web or fail when opened from disk (it must work "
                           "offline):\n  " + "\n  ".join(problems[:10]))
    too_big = page_size.oversized(site_dir)
    if too_big:
        raise PublishError(page_size.message(too_big))
    if say:
        say(f"{note} in {seconds:.1f}s")
    return site_dir


def _shown(path: str, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


