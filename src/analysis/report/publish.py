"""Publish executed notebooks as a static website that works offline.

With `quarto` on PATH the site is rendered by Quarto from a copy of the project in reports/
(render list and navbar filled in from the pages); otherwise nbconvert's HTML exporter renders
every page with a small template (same navigation bar on every page, no CDN scripts) and an
index page is generated. Both produce the same files:

    index.html, <page>.html ..., data-downloads.html
    assets/vega-bundle.js          local Vega libraries (analysis.report.offline)
    downloads/<page>/*.csv|xlsx    the data behind each page (analysis.offline.offer_download)
    data/*.csv|xlsx                the processed tables (data/processed/)

Rendering happens in a folder of the caller's stage; `swap_in` then replaces reports/_site.
"""
from __future__ import annotations

import copy
import html
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat
import yaml

from analysis.report import offline
from analysis.report.runner import Page, workspace_root

FALLBACK_NOTE = "quarto not found on PATH: published with nbconvert (fallback)"
INDEX, DATA_PAGE = "index", "data-downloads"
DATA_DIR = "data"
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
    nb.cells = cells
    nb.metadata["title"] = page.title
    return nb


def read_front_matter(path: Path) -> tuple[dict, str]:
    """(YAML front matter, body) of a .qmd/.md file."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    m = re.match(r"^---\s*\n(.*?)\n---\s*\n?", text, re.S)
    if not m:
        return {}, text
    return yaml.safe_load(m.group(1)) or {}, text[m.end():]


def index_markdown(site: Site, intro: str) -> str:
    """The overview page: the intro of reports/index.qmd and the pages by section."""
    parts = [intro.strip(), ""] if intro.strip() else []
    sections: dict[str, list[Page]] = {}
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
    parts.append(f"## Data\n\n- [Data downloads]({DATA_PAGE}.html): every table as CSV and Excel.\n")
    return "\n".join(parts)


def _md(text: str) -> str:
    return re.sub(r"([\[\]|*_`<>])", r"\\\1", str(text))


def data_downloads(root: Path | None, dest: Path, site: Site, downloads: Path | None = None,
                   previous: Path | None = None) -> str:
    """Copy data/processed/*.csv into `dest`/data/ with an XLSX of each; return the page's Markdown.

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
    if csvs:
        lines += ["| table | rows | CSV | Excel |", "|---|---:|---|---|"]
        for csv in csvs:
            df = _read_table(csv)
            shutil.copyfile(csv, out / csv.name)
            old_csv = Path(previous) / csv.name if previous else None
            old_xlsx = old_csv.with_suffix(".xlsx") if old_csv else None
            if old_xlsx and old_xlsx.exists() and old_csv.read_bytes() == csv.read_bytes():
                shutil.copyfile(old_xlsx, out / old_xlsx.name)
            else:
                offline.write_table(df, out, csv.stem)
            lines.append(f"| {csv.stem} | {len(df)} | [{csv.name}]({DATA_DIR}/{csv.name}) "
                         f"| [{csv.stem}.xlsx]({DATA_DIR}/{csv.stem}.xlsx) |")
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
    if page_files:
        lines += ["", "## The data behind each page", "", "| page | data | CSV | Excel |", "|---|---|---|---|"]
        for p, csv, xlsx in page_files:
            base = f"{offline.DOWNLOADS}/{p.name}"
            xl = f"[XLSX]({base}/{xlsx.name})" if xlsx else ""
            lines.append(f"| [{_md(p.title)}]({p.html}) | {csv.stem} | [CSV]({base}/{csv.name}) | {xl} |")
    return "\n".join(lines) + "\n"


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
    """A plain HTML table (all rows, no index) that scrolls sideways when wide."""
    if df is None:
        return f"<p><em>not available yet ({html.escape(empty)})</em></p>"
    if not len(df):
        return f"<p><em>{html.escape(empty)}</em></p>"
    table = df.to_html(index=False, na_rep="", border=0, escape=True,
                       classes=["table", "table-sm", "analysis-table"])
    return f'<div class="analysis-table-wrap">{table}</div>'


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


def render_nbconvert(site: Site, notebooks: dict[str, nbformat.NotebookNode], index_md: str,
                     index_title: str, data_md: str, out: Path, styles: Path | None,
                     reuse: dict[str, Path] | None = None) -> None:
    """Write index.html, one page per notebook and data-downloads.html into `out`; the pages in
    `reuse` are copied from the earlier HTML given (the build checked that it would be the same)."""
    exporter = _exporter()
    footer = html.escape(f"{site.title} - built with nbconvert, works offline.")
    reuse = reuse or {}
    for name, old in reuse.items():
        shutil.copyfile(old, out / f"{name}.html")
    docs = [(INDEX, index_title, _markdown_notebook(index_md))]
    docs += [(p.name, p.title, notebooks[p.name]) for p in site.pages if p.name not in reuse]
    docs.append((DATA_PAGE, "Data downloads", _markdown_notebook(data_md)))
    for name, title, nb in docs:
        nb.metadata["title"] = f"{title} - {site.title}" if name != INDEX else site.title
        body, _ = exporter.from_notebook_node(nb, resources={
            "site_nav": nav_html(site, name), "page_title": title, "site_footer": footer,
            "site_description": site.description or ""})
        (out / f"{name}.html").write_text(body, encoding="utf-8")
    (out / offline.SITE_ASSETS / "notebook.css").write_text(notebook_css(exporter), encoding="utf-8")
    if styles is not None and styles.exists():
        shutil.copyfile(styles, out / offline.SITE_ASSETS / "site.css")
    else:
        (out / offline.SITE_ASSETS / "site.css").write_text("", encoding="utf-8")


# --- Quarto -------------------------------------------------------------------------------

def quarto_config(base: dict, site: Site) -> dict:
    """reports/_quarto.yml with the render list and the navbar of this build."""
    cfg = copy.deepcopy(base or {})
    project = cfg.setdefault("project", {})
    project["type"] = "website"
    project["output-dir"] = "_site"
    project["render"] = [f"{INDEX}.qmd"] + [f"{p.name}.ipynb" for p in site.pages] + [f"{DATA_PAGE}.qmd"]
    resources = list(project.get("resources") or [])
    for glob in (f"{offline.SITE_ASSETS}/**", f"{offline.DOWNLOADS}/**", f"{DATA_DIR}/**"):
        if glob not in resources:
            resources.append(glob)
    project["resources"] = resources
    website = cfg.setdefault("website", {})
    website["title"] = site.title
    if site.description:
        website["description"] = site.description

    def item(entry):
        if "menu" in entry:
            return {"text": entry["text"], "menu": [item(e) for e in entry["menu"]]}
        suffix = ".qmd" if entry["page"] in (INDEX, DATA_PAGE) else ".ipynb"
        return {"href": entry["page"] + suffix, "text": entry["text"]}

    website.setdefault("navbar", {})["left"] = [item(e) for e in site.nav]
    return cfg


def front_matter_cell(title: str) -> nbformat.NotebookNode:
    """The raw first cell Quarto reads as a notebook's front matter."""
    text = "---\n" + yaml.safe_dump({"title": title}, allow_unicode=True, sort_keys=False) + "---"
    return nbformat.v4.new_raw_cell(text)


def render_quarto(site: Site, notebooks: dict[str, nbformat.NotebookNode], index_front: dict, index_md: str,
                  data_md: str, project: Path, reports: Path, quarto: str, say: Callable[[str], None] | None) -> Path:
    """Write a Quarto project into `project`, run `quarto render` there; return its _site folder."""
    for f in reports.iterdir():
        if f.is_file() and f.suffix in QUARTO_COPY and not f.name.startswith((".", "_")):
            shutil.copyfile(f, project / f.name)
    base = yaml.safe_load((reports / "_quarto.yml").read_text(encoding="utf-8")) if (reports / "_quarto.yml").exists() else {}
    (project / "_quarto.yml").write_text(yaml.safe_dump(quarto_config(base, site), allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
    front = dict(index_front or {})
    front.setdefault("title", "Overview")
    (project / f"{INDEX}.qmd").write_text("---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n\n" + index_md,
                                          encoding="utf-8")
    (project / f"{DATA_PAGE}.qmd").write_text("---\ntitle: Data downloads\n---\n\n" + data_md, encoding="utf-8")
    for p in site.pages:
        nb = copy.deepcopy(notebooks[p.name])
        nb.cells.insert(0, front_matter_cell(p.title))
        nbformat.write(nb, project / f"{p.name}.ipynb")
    cmd = [quarto, "render", str(project), "--no-execute"]
    proc = subprocess.run(cmd, cwd=project, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise PublishError(f"quarto render failed (exit code {proc.returncode}):\n{tail}")
    site_dir = project / "_site"
    if not (site_dir / f"{INDEX}.html").exists():
        raise PublishError(f"quarto render wrote no {INDEX}.html into {site_dir}")
    for folder in (offline.SITE_ASSETS, offline.DOWNLOADS, DATA_DIR):  # resources Quarto may have skipped
        if (project / folder).exists():
            shutil.copytree(project / folder, site_dir / folder, dirs_exist_ok=True)
    return site_dir


# --- entry points -------------------------------------------------------------------------

def quarto_path() -> str | None:
    return shutil.which("quarto")


def publish(executed: Path, site: Site, work: Path, root: Path | None = None, publisher: str = "auto",
            say: Callable[[str], None] | None = print, reuse: dict[str, Path] | None = None) -> Path:
    """Render the executed notebooks (executed/<page>.ipynb, executed/downloads/) into a new
    folder below `work`; return that folder (reports/_site is not touched: see `swap_in`).

    publisher: "auto" (Quarto when on PATH, else nbconvert with a one-line note), "quarto" or
    "nbconvert". Raises PublishError when rendering fails or a page would load from the web.
    """
    root = workspace_root(root)
    reports = root / "reports"
    executed, work = Path(executed), Path(work)
    quarto = quarto_path()
    if publisher == "quarto" and not quarto:
        raise PublishError("publisher 'quarto' asked for, but quarto is not on PATH")
    use_quarto = publisher == "quarto" or (publisher == "auto" and quarto is not None)
    if publisher == "auto" and not use_quarto and say:
        say(FALLBACK_NOTE)
    reuse = {} if use_quarto else {n: Path(f) for n, f in (reuse or {}).items() if Path(f).is_file()}
    notebooks = {}
    for p in site.pages:
        path = executed / f"{p.name}.ipynb"
        if not path.exists():
            raise PublishError(f"executed notebook missing: {path}")
        if p.name not in reuse:
            notebooks[p.name] = prepare_notebook(nbformat.read(path, as_version=4), p)
    index_front, intro = read_front_matter(reports / "index.qmd")
    index_md = index_markdown(site, intro)
    downloads = executed / offline.DOWNLOADS

    out = work / ("quarto" if use_quarto else "site")
    out.mkdir(parents=True, exist_ok=True)
    offline.copy_assets(out)
    if downloads.exists():
        shutil.copytree(downloads, out / offline.DOWNLOADS, dirs_exist_ok=True)
    data_md = data_downloads(root, out, site, downloads, previous=reports / "_site" / DATA_DIR)
    if use_quarto:
        site_dir = render_quarto(site, notebooks, index_front, index_md, data_md, out, reports, quarto, say)
    else:
        try:
            render_nbconvert(site, notebooks, index_md, index_front.get("title", "Overview"), data_md, out,
                             reports / "styles.css", reuse)
        except Exception as exc:
            raise PublishError(f"nbconvert failed: {type(exc).__name__}: {exc}") from exc
        site_dir = out
    problems = external_references(site_dir)
    if problems:
        raise PublishError("the site would load from the web (it must work offline):\n  " + "\n  ".join(problems[:10]))
    return site_dir


def swap_in(new: Path, target: Path) -> None:
    """Replace `target` by `new` with renames (same file system); the old one is removed after."""
    new, target = Path(new), Path(target)
    old = None
    if target.exists():
        old = target.with_name(f".site-old-{target.name.strip('_')}-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        target.rename(old)
    try:
        new.rename(target)
    except BaseException:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
