"""Charts and downloads that work offline in the published site and in JupyterLab.

- `enable()` switches Altair to a renderer whose output carries the Vega-Lite spec and `text/html`
  (a div plus a script calling `vegaEmbed`, for Quarto and nbconvert). The page loads the Vega
  libraries once from the local file ``assets/vega-bundle.js``; nothing comes from a CDN.
- In JupyterLab (a kernel started by a Jupyter server) the `text/html` draws with the same bundle,
  copied to ``notebooks/assets/`` where Lab serves it (`lab_chart_html`), so Lab shows the charts
  with the Vega-Lite version the specs are written for, as the site does.
- `offer_download(df, name)` writes the data behind a page as CSV and XLSX into the page's
  ``downloads/<page>/`` folder and shows relative links to both; outside `analysis build` the
  folder is ``notebooks/downloads/<notebook>/`` (ignored by git), linked relative to the notebook.

The bundle (vega, vega-lite, vega-embed and their dependencies in one file) is vendored in
``src/analysis/report/assets/``; regenerate it with ``python -m analysis.report.offline --vendor``.
"""
from __future__ import annotations

import html
import hashlib
import json
import math
import os
import re
import shutil
import urllib.parse
import uuid
from pathlib import Path

from analysis.contract.safe_text import csv_cell, is_formula_like

ASSETS_DIR = Path(__file__).parent / "assets"
BUNDLE = "vega-bundle.js"
SITE_ASSETS = "assets"                      # folder of the site that holds the bundle
BUNDLE_URL = f"{SITE_ASSETS}/{BUNDLE}"      # relative to every page (all pages sit at the site root)
DOWNLOADS = "downloads"                     # per-page downloads: <site>/downloads/<page>/<file>
RENDERER = "analysis-offline"

# Set by `analysis build` (analysis.runner) in the kernel's environment.
ENV_SITE_BUILD = "ANALYSIS_SITE_BUILD"
ENV_PAGE = "ANALYSIS_PAGE"
ENV_DOWNLOADS = "ANALYSIS_DOWNLOADS_DIR"
# Set by jupyter_server (JupyterLab) for the kernels it starts: the path of the notebook.
ENV_LAB_SESSION = "JPY_SESSION_NAME"
NOTEBOOKS = "notebooks"                     # the folder `make lab` opens; its assets/ and downloads/ are ignored

# The Vega-Lite mime type of the outputs (the spec, for tools that read the notebooks). JupyterLab 4's
# own renderer of it is Vega-Lite 5.6.1, which warns on Altair 6's v6 specs: in JupyterLab the
# charts are drawn by `lab_chart_html` instead. Altair 6's own 'application/vnd.vegalite.v6.json'
# is not a JSON mime type to nbformat (papermill fails to store it) and no JupyterLab renders it.
VEGALITE_MIME_TYPES = ("application/vnd.vegalite.v5+json",)
EMBED_OPTIONS = {"renderer": "svg", "mode": "vega-lite",
                 "actions": {"export": True, "source": False, "compiled": False, "editor": False}}

_settings = {"html": None, "bundle_url": BUNDLE_URL}


# --- the vendored Vega bundle -------------------------------------------------------------

def bundle_path() -> Path:
    """The vendored bundle; created from vl-convert when it is missing."""
    path = ASSETS_DIR / BUNDLE
    if not path.exists():
        vendor(ASSETS_DIR)
    return path


def vendor(dest: Path = ASSETS_DIR) -> Path:
    """Write vega-bundle.js and versions.json into `dest` from the installed vl-convert."""
    import altair as alt
    import vl_convert as vlc

    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    text = vlc.javascript_bundle(vl_version=major_minor)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / BUNDLE).write_text(text, encoding="utf-8")
    versions = {
        "file": BUNDLE,
        "made_by": f"vl_convert.javascript_bundle(vl_version={major_minor!r}), vl-convert-python {vlc.__version__}",
        "vega": vlc.get_vega_version(),
        "vega-lite": _bundled_vegalite_version(text) or major_minor,
        "vega-embed": vlc.get_vega_embed_version(),
        "vega-themes": vlc.get_vega_themes_version(),
        "altair": alt.__version__,
        "globals": "window.vegaEmbed (window.vega and window.vegaLite are null in this bundle)",
    }
    (dest / "versions.json").write_text(json.dumps(versions, indent=2) + "\n", encoding="utf-8")
    return dest / BUNDLE


def _bundled_vegalite_version(text: str) -> str | None:
    import altair as alt
    want = alt.SCHEMA_VERSION.lstrip("v")
    return want if f'"{want}"' in text else None


def copy_assets(site_dir: Path) -> Path:
    """Copy the bundle and the favicon into `<site_dir>/assets/`; return that folder."""
    import shutil
    dest = Path(site_dir) / SITE_ASSETS
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(bundle_path(), dest / BUNDLE)
    shutil.copyfile(ASSETS_DIR / "favicon.svg", dest / "favicon.svg")
    return dest


# --- the Altair renderer ------------------------------------------------------------------

def _in_interactive_kernel() -> bool:
    """True inside a Jupyter kernel that `analysis build` did not start (e.g. JupyterLab)."""
    if os.environ.get(ENV_SITE_BUILD) == "1":
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def chart_html(spec: dict, bundle_url: str = BUNDLE_URL, element_id: str | None = None) -> str:
    """A div and a script that draws `spec` with vegaEmbed once the local bundle is loaded.

    The page normally loads the bundle in its <head>; if it did not, the script adds one
    <script src=bundle_url> (relative to the page) and waits for it.
    """
    # NaN/Infinity may pass: they are valid JavaScript (the spec is a script literal, not JSON)
    spec_json = _script_safe(json.dumps(spec, ensure_ascii=False, default=str))
    element_id = element_id or _element_id(spec_json)
    opts_json = json.dumps(EMBED_OPTIONS)
    url_json = json.dumps(bundle_url)
    return f"""<div id="{element_id}" class="analysis-chart"></div>
<script type="text/javascript">
(function () {{
  var el = document.getElementById("{element_id}");
  var spec = {spec_json};
  var opts = {opts_json};
  var url = {url_json};
  var waited = 0;
  function fail(msg) {{
    el.className += " analysis-chart-error";
    el.textContent = msg;
    console.error(msg);
  }}
  function draw() {{
    if (typeof window.vegaEmbed === "function") {{
      window.vegaEmbed(el, spec, opts).catch(function (err) {{ fail("chart could not be drawn: " + err); }});
      return;
    }}
    if (!document.querySelector('script[src$="{BUNDLE}"]')) {{
      var s = document.createElement("script");
      s.src = url;
      document.head.appendChild(s);
    }}
    waited += 50;
    if (waited > 20000) {{ fail("chart needs " + url + " (the local Vega bundle), which did not load"); return; }}
    setTimeout(draw, 50);
  }}
  if (document.readyState === "loading") {{ document.addEventListener("DOMContentLoaded", draw); }} else {{ draw(); }}
}})();
</script>"""


_ids_seen: dict[str, int] = {}


def _element_id(spec_json: str) -> str:
    """A page-unique element id derived from the spec (the same chart gets the same id in every
    build, so an unchanged page stays byte-identical; a repeated chart gets -2, -3, ...)."""
    digest = hashlib.sha256(spec_json.encode("utf-8")).hexdigest()[:12]
    _ids_seen[digest] = _ids_seen.get(digest, 0) + 1
    n = _ids_seen[digest]
    return f"chart-{digest}" + (f"-{n}" if n > 1 else "")


def new_page() -> None:
    """Forget the chart ids of the previous page (a kernel running several pages: `report.batch`)."""
    _ids_seen.clear()


def _script_safe(text: str) -> str:
    """JSON that can sit inside a <script> element."""
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def json_safe(value):
    """`value` with every NaN or infinite float replaced by None (JSON null: missing for Vega-Lite),
    so the kernel can send it (Jupyter messages are strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def renderer(spec: dict, **metadata) -> dict:
    """Altair renderer: Vega-Lite mime types plus text/html (published site, JupyterLab).

    In JupyterLab the text/html is `lab_chart_html` (JupyterLab prefers text/html, rank 50, to its
    own Vega-Lite 5 renderer, rank 57). In any other interactive kernel (e.g. papermill run by
    hand) text/html is left out, unless `enable(html=True)` forced it.
    """
    spec = json_safe(spec)
    bundle = {mime: spec for mime in VEGALITE_MIME_TYPES}
    bundle["text/plain"] = "<Altair chart (drawn by Vega-Lite)>"
    want_html = _settings["html"]
    if want_html is None and in_lab():
        bundle["text/html"] = lab_chart_html(spec, _href(lab_bundle()))
        return bundle
    if want_html is None:
        want_html = not _in_interactive_kernel()
    if want_html:
        bundle["text/html"] = chart_html(spec, _settings["bundle_url"])
    return bundle


def enable(html: bool | None = None, bundle_url: str = BUNDLE_URL) -> None:
    """Use the offline renderer for Altair charts and keep data inline (no max_rows limit).

    html=None (default): text/html for the site, JupyterLab's own in JupyterLab, none in another
    interactive kernel; html=True/False forces the site's text/html on/off.
    """
    import altair as alt

    _settings["html"] = html
    _settings["bundle_url"] = bundle_url
    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, renderer)
    alt.renderers.enable(RENDERER)
    alt.data_transformers.enable("default", max_rows=None)
    if os.environ.get(ENV_SITE_BUILD) == "1":
        _unvalidated_charts()
        # Altair's own theme, as in a new kernel before analysis.report.charts (which sets the site's
        # theme when imported) is: a kernel that runs several pages (runner.lanes) keeps the theme
        # of the previous page otherwise; pages that want the site's theme call charts.enable() next.
        alt.theme.enable("default")


def chart_bundle(chart) -> dict | None:
    """What Altair's own `_repr_mimebundle_` shows for `chart` (the active renderer's bundle of its
    spec), but without Altair's check of the spec against the Vega-Lite schema, which takes about as
    long as making the spec. In a site build the charts come from the chart modules of
    `analysis.report`, whose tests make every chart's spec with that check
    (`tests/report/test_*_charts.py`), and the browser tests draw every page's charts."""
    import altair as alt
    from altair.utils import display_traceback

    try:
        spec = chart.to_dict(validate=False, context={"pre_transform": False})
    except Exception:  # as Altair does: the traceback in the output, which fails the build
        display_traceback(in_ipython=True)
        return {}
    draw = alt.renderers.get()
    return draw(spec) if draw else None


def _unvalidated_charts() -> None:
    """Let IPython show Altair charts through `chart_bundle` (a type formatter comes before the
    `_repr_mimebundle_` method); only in a kernel of `analysis build`."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    import altair as alt
    from altair.utils import schemapi
    shell.display_formatter.mimebundle_formatter.for_type(alt.TopLevelMixin, chart_bundle)
    schemapi.disable_debug_mode()  # nor each part of a chart (alt.X, alt.Tooltip, ...) checked when it is made


# --- JupyterLab ----------------------------------------------------------------------------

def in_lab() -> bool:
    """True in a kernel that a Jupyter server (JupyterLab) started, outside `analysis build`."""
    return bool(os.environ.get(ENV_LAB_SESSION)) and _in_interactive_kernel()


def notebooks_dir() -> Path:
    """The workspace's notebooks/ folder (what `make lab` opens)."""
    from analysis.report.runner import workspace_root
    return workspace_root() / NOTEBOOKS


_lab_copied: dict[Path, int] = {}  # bundle copies made by this kernel (and the source's mtime)


def lab_bundle() -> Path:
    """The Vega bundle copied to notebooks/assets/vega-bundle.js (ignored by git), where JupyterLab
    serves it (as /files/assets/vega-bundle.js when Lab's root is notebooks/); copied again when the
    vendored bundle changed (checked once per kernel)."""
    src, dest = bundle_path(), notebooks_dir() / SITE_ASSETS / BUNDLE
    if _lab_copied.get(dest) == src.stat().st_mtime_ns and dest.exists():
        return dest
    if not (dest.exists() and dest.stat().st_size == src.stat().st_size and dest.read_bytes() == src.read_bytes()):
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{BUNDLE}.{os.getpid()}.tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)  # another kernel may copy at the same time
    _lab_copied[dest] = src.stat().st_mtime_ns
    return dest


def _href(path: Path) -> str:
    """A URL of `path` relative to the kernel's folder (in JupyterLab: the notebook's folder)."""
    try:
        rel = os.path.relpath(Path(path).resolve(), Path.cwd().resolve())
    except ValueError:  # another drive (Windows)
        return Path(path).resolve().as_uri()
    return urllib.parse.quote(Path(rel).as_posix())


def lab_chart_html(spec: dict, bundle_href: str) -> str:
    """A div and a script that draws `spec` in JupyterLab with the workspace's own Vega bundle.

    The script cannot know where Lab serves the notebook's folder, but Lab rewrites the relative
    href of every link in an output to the file's /files/... URL: the hidden link to the bundle
    (`bundle_href`, relative to the notebook) tells the script which URL to load. Outside
    JupyterLab (an exported page next to the notebook) the href is used as it is.
    """
    spec_json = _script_safe(json.dumps(spec, ensure_ascii=False, default=str))
    element_id = f"lab-chart-{uuid.uuid4().hex[:12]}"  # unique in the Lab page, whichever notebook
    opts_json = _script_safe(json.dumps(EMBED_OPTIONS))
    href_json = _script_safe(json.dumps(bundle_href))
    return f"""<div id="{element_id}" class="analysis-chart"></div>
<a id="{element_id}-bundle" class="analysis-vega-bundle" href="{html.escape(bundle_href)}" download hidden></a>
<script type="text/javascript">
(function () {{
  var me = document.currentScript;   // a second view of the same output has the same ids: look beside the script
  var box = (me && me.parentNode) || document;
  var el = box.querySelector("#{element_id}");
  var link = box.querySelector("#{element_id}-bundle");
  var spec = {spec_json};
  var opts = {opts_json};
  var relative = {href_json};
  var inLab = !!el.closest(".jp-OutputArea");
  var started = Date.now();
  function fail(msg) {{
    el.className += " analysis-chart-error";
    el.textContent = msg;
    console.error(msg);
  }}
  function bundleUrl() {{
    if (!inLab) {{ return link.href; }}
    var href = link.getAttribute("href");
    return href !== relative ? href : null;  // not yet rewritten by JupyterLab
  }}
  function draw() {{
    if (typeof window.vegaEmbed === "function") {{
      window.vegaEmbed(el, spec, opts).catch(function (err) {{ fail("chart could not be drawn: " + err); }});
      return;
    }}
    var s = document.getElementById("analysis-vega-bundle");
    if (s && s.getAttribute("data-failed")) {{ fail("chart needs " + s.src + " (the local Vega bundle), which did not load"); return; }}
    var url = bundleUrl();
    if (!s && url) {{
      s = document.createElement("script");
      s.id = "analysis-vega-bundle";
      s.onerror = function () {{ s.setAttribute("data-failed", "1"); }};
      s.src = url;
      document.head.appendChild(s);
    }}
    if (Date.now() - started > 30000) {{ fail("chart needs " + (url || relative) + " (the local Vega bundle), which did not load"); return; }}
    setTimeout(draw, 50);
  }}
  draw();
}})();
</script>"""


# --- downloads ----------------------------------------------------------------------------

def page_name() -> str:
    """The page being built (set by `analysis build`), else the notebook open in JupyterLab
    (its file name without .ipynb), else 'interactive'."""
    if os.environ.get(ENV_PAGE):
        return os.environ[ENV_PAGE]
    session = os.environ.get(ENV_LAB_SESSION)
    if session:
        try:
            return _slug(Path(session).stem)
        except ValueError:
            pass
    return "interactive"


def downloads_dir() -> Path:
    """Where `offer_download` writes: the build's stage, else notebooks/downloads/<page>/ (ignored
    by git; next to the notebooks, so that JupyterLab serves the files the links point to)."""
    env = os.environ.get(ENV_DOWNLOADS)
    if env:
        return Path(env)
    return notebooks_dir() / DOWNLOADS / page_name()


def download_href(path: Path) -> str:
    """The link to a written download: downloads/<page>/<file> in the site (relative to every
    page), else relative to the kernel's folder (downloads/<page>/<file> for a notebook in notebooks/)."""
    if os.environ.get(ENV_DOWNLOADS):
        return f"{DOWNLOADS}/{page_name()}/{Path(path).name}"
    return _href(path)


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(name)).strip("-.")
    if not slug:
        raise ValueError(f"download name {name!r} has no letters or digits")
    return slug


XLSX_MAX_CELLS = 1_000_000  # a page's download above this many cells is offered as CSV only


def xlsx_too_big(df) -> bool:
    """Whether a page's download of `df` is offered as CSV only: openpyxl holds every cell in memory
    (at N=500 the 98,689 x 39 plan-against-outturn table took 11 min and 0.9 GB as XLSX)."""
    return len(df) * max(len(df.columns), 1) > XLSX_MAX_CELLS


def write_table(df, folder: Path, name: str, xlsx: bool | None = None) -> list[Path]:
    """Write `df` as <name>.csv (UTF-8) and <name>.xlsx into `folder`; return the paths written.

    `xlsx=None` writes the XLSX unless the table has more than `XLSX_MAX_CELLS` cells
    (`xlsx_too_big`); `xlsx=False` writes the CSV only. A CSV-only table leaves no older XLSX of
    its name behind.

    No cell becomes a formula (OWASP CSV injection): in the CSV a text starting with = + - @,
    tab or CR gets a leading ', in the XLSX every text is stored as text. Numbers stay numbers.

    A table of `SAME_TABLE_ROWS` rows or more whose content was written before in this process
    (a kernel running a batch of profile pages, each offering the same table of every municipality)
    is not written by openpyxl again: its CSV bytes are reused and its XLSX is the earlier one
    with the sheet renamed (`_same_table`).
    """
    import zipfile

    import pandas as pd

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = _slug(name)
    want_xlsx = (not xlsx_too_big(df)) if xlsx is None else bool(xlsx)
    csv, xlsx = folder / f"{name}.csv", folder / f"{name}.xlsx"
    text_cols = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype)]
    safe = df.copy()
    for col in text_cols:
        safe[col] = safe[col].map(csv_cell)
    csv_bytes = safe.to_csv(index=False).encode("utf-8")
    csv.write_bytes(csv_bytes)
    if not want_xlsx:
        xlsx.unlink(missing_ok=True)
        return [csv]
    key = _table_key(df, csv_bytes) if len(df) >= SAME_TABLE_ROWS else None
    if key is not None and key in _same_table:
        sheet, data = _same_table[key]
        try:
            xlsx.write_bytes(_renamed_sheet(data, sheet, name[:31]))
            return [csv, xlsx]
        except (ValueError, OSError, zipfile.BadZipFile):
            _same_table.pop(key, None)  # written anew below
    out = df.copy()
    for col in out.columns:  # Excel has no time zones
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        out.to_excel(writer, index=False, sheet_name=name[:31])
        _text_stays_text(writer.sheets[name[:31]])
    if key is not None:
        while len(_same_table) >= SAME_TABLE_KEEP:
            _same_table.pop(next(iter(_same_table)))
        _same_table[key] = (name[:31], xlsx.read_bytes())
    return [csv, xlsx]


SAME_TABLE_ROWS = 100   # smaller tables are written anew (cheap)
SAME_TABLE_KEEP = 8     # XLSX kept in memory for reuse, the oldest dropped first
_same_table: dict = {}  # _table_key -> (sheet name, XLSX bytes)


def _table_key(df, csv_bytes: bytes):
    """What decides a table's XLSX: its CSV text, the columns' dtypes and, per object column, the
    Python type of every cell (1 and "1" print alike in the CSV but are a number and a text in
    the XLSX); None when that cannot be told."""
    try:
        h = hashlib.sha256(csv_bytes)
        for col in df.columns:
            dtype = df[col].dtype
            h.update(f"\0{col!r}:{dtype}".encode())
            if dtype == object:
                h.update("|".join(type(v).__name__ for v in df[col]).encode())
        return h.hexdigest()
    except Exception:
        return None


def _renamed_sheet(data: bytes, old: str, new: str) -> bytes:
    """The XLSX `data` (one sheet, written by `write_table`) with its sheet `old` named `new`: only
    xl/workbook.xml names it (both are slugs: nothing to escape)."""
    import io
    import zipfile

    if old == new:
        return data
    src, buf = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            member = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                renamed = member.replace(f'<sheet name="{old}"'.encode(), f'<sheet name="{new}"'.encode(), 1)
                if renamed == member:
                    raise ValueError(f"sheet {old!r} not found in xl/workbook.xml")
                member = renamed
            dst.writestr(info, member)
    return buf.getvalue()


def _text_stays_text(sheet) -> None:
    """openpyxl stores a text starting with '=' as a formula: store every such text as text, and
    mark formula-like texts with Excel's quote prefix so that editing the cell keeps it text."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
            if cell.data_type == "s" and is_formula_like(cell.value):
                cell.quotePrefix = True


def write_csv_copy(src: Path, dest: Path) -> Path:
    """Copy a CSV with formula-like text cells prefixed by ' (header and other cells unchanged)."""
    import csv as csv_

    with open(src, encoding="utf-8", newline="") as fh, open(dest, "w", encoding="utf-8", newline="") as out:
        rows = csv_.reader(fh)  # streamed: a table of 350,000 rows is never held in memory
        writer = csv_.writer(out, lineterminator="\n")
        header = next(rows, None)
        if header is not None:
            writer.writerow(header)
            writer.writerows([csv_cell(c) for c in r] for r in rows)
    return Path(dest)


class Downloads:
    """Links to the files of one `offer_download` call (shown as HTML and Markdown)."""

    def __init__(self, name: str, title: str, files: list[Path], hrefs: list[str], rows: int):
        self.name, self.title, self.files, self.hrefs, self.rows = name, title, files, hrefs, rows

    def _why_csv_only(self) -> str:
        if any(Path(h).suffix == ".xlsx" for h in self.hrefs):
            return ""
        return (f" (CSV only: tables of more than {XLSX_MAX_CELLS:,} cells are not offered as XLSX; "
                "the CSV opens in Excel)")

    def _repr_html_(self) -> str:
        links = " · ".join(f'<a href="{html.escape(h)}" download>{html.escape(Path(h).suffix[1:].upper())}</a>'
                           for h in self.hrefs)
        return (f'<p class="analysis-download">Download the data: {html.escape(self.title)} '
                f'({self.rows} rows): {links}{html.escape(self._why_csv_only())}</p>')

    def _repr_markdown_(self) -> str:
        links = " · ".join(f"[{Path(h).suffix[1:].upper()}]({h})" for h in self.hrefs)
        return f"Download the data: {self.title} ({self.rows} rows): {links}{self._why_csv_only()}"

    def __repr__(self) -> str:
        return f"Downloads({', '.join(self.hrefs)})"


def offer_download(df, name: str, title: str | None = None, display: bool = True) -> Downloads | None:
    """Write `df` as CSV and XLSX (CSV only above `XLSX_MAX_CELLS` cells) for this page and show links.

    The files go to downloads/<page>/<name>.csv|.xlsx of the site; the links are relative to
    the page (outside the build: see `downloads_dir`). With display=False nothing is shown and
    the `Downloads` object is returned. A table without rows is not offered (nothing is written
    or shown; None is returned).
    """
    if df is None or not len(df):
        return None
    slug = _slug(name)
    files = write_table(df, downloads_dir(), slug)
    hrefs = [download_href(p) for p in files]
    result = Downloads(slug, title or slug, files, hrefs, len(df))
    if not display:
        return result
    from IPython.display import display as show
    show(result)
    return None


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m analysis.report.offline", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vendor", action="store_true", help="regenerate src/analysis/report/assets/vega-bundle.js")
    args = parser.parse_args()
    if args.vendor:
        print(f"wrote {vendor(ASSETS_DIR)}")
    else:
        print(bundle_path())
