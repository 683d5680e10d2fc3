"""Charts and downloads that work offline in the published site.

- `enable()` switches Altair to a renderer whose output carries the Vega-Lite spec (for JupyterLab)
  and `text/html` (a div plus a script calling `vegaEmbed`, for Quarto and nbconvert). The page
  loads the Vega libraries once from the local file ``assets/vega-bundle.js``; nothing comes from
  a CDN.
- `offer_download(df, name)` writes the data behind a page as CSV and XLSX into the page's
  ``downloads/<page>/`` folder and shows relative links to both.

The bundle (vega, vega-lite, vega-embed and their dependencies in one file) is vendored in
``src/analysis/report/assets/``; regenerate it with ``python -m analysis.report.offline --vendor``.
"""
from __future__ import annotations

import html
import hashlib
import json
import os
import re
from pathlib import Path

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

# The Vega-Lite mime type JupyterLab 4 renders (with its own Vega-Lite 5: the notebooks' v6 specs
# draw with Vega-Lite 5.21, with a version warning). Altair 6's own 'application/vnd.vegalite.v6.json' is not a JSON mime type to nbformat
# (papermill fails to store it) and no JupyterLab renders it.
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


def _script_safe(text: str) -> str:
    """JSON that can sit inside a <script> element."""
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def renderer(spec: dict, **metadata) -> dict:
    """Altair renderer: Vega-Lite mime types (JupyterLab) plus text/html (published site).

    text/html is left out only in an interactive JupyterLab kernel (JupyterLab prefers text/html
    over Vega-Lite, and the site's bundle is not there), unless `enable(html=True)` forced it.
    """
    bundle = {mime: spec for mime in VEGALITE_MIME_TYPES}
    bundle["text/plain"] = "<Altair chart (drawn by Vega-Lite)>"
    want_html = _settings["html"]
    if want_html is None:
        want_html = not _in_interactive_kernel()
    if want_html:
        bundle["text/html"] = chart_html(spec, _settings["bundle_url"])
    return bundle


def enable(html: bool | None = None, bundle_url: str = BUNDLE_URL) -> None:
    """Use the offline renderer for Altair charts and keep data inline (no max_rows limit).

    html=None (default): include text/html except in an interactive JupyterLab kernel;
    html=True/False forces it on/off.
    """
    import altair as alt

    _settings["html"] = html
    _settings["bundle_url"] = bundle_url
    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, renderer)
    alt.renderers.enable(RENDERER)
    alt.data_transformers.enable("default", max_rows=None)


# --- downloads ----------------------------------------------------------------------------

def page_name() -> str:
    """The page being built (set by `analysis build`), else 'interactive'."""
    return os.environ.get(ENV_PAGE) or "interactive"


def downloads_dir() -> Path:
    """Where `offer_download` writes: the build's stage, or reports/_executed/downloads/interactive."""
    env = os.environ.get(ENV_DOWNLOADS)
    if env:
        return Path(env)
    from analysis.report.runner import workspace_root
    return workspace_root() / "reports" / "_executed" / DOWNLOADS / page_name()


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(name)).strip("-.")
    if not slug:
        raise ValueError(f"download name {name!r} has no letters or digits")
    return slug


def write_table(df, folder: Path, name: str) -> list[Path]:
    """Write `df` as <name>.csv (UTF-8) and <name>.xlsx into `folder`; return both paths."""
    import pandas as pd

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = _slug(name)
    csv, xlsx = folder / f"{name}.csv", folder / f"{name}.xlsx"
    df.to_csv(csv, index=False, encoding="utf-8")
    out = df.copy()
    for col in out.columns:  # Excel has no time zones
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        out.to_excel(writer, index=False, sheet_name=name[:31])
    return [csv, xlsx]


class Downloads:
    """Links to the files of one `offer_download` call (shown as HTML and Markdown)."""

    def __init__(self, name: str, title: str, files: list[Path], hrefs: list[str], rows: int):
        self.name, self.title, self.files, self.hrefs, self.rows = name, title, files, hrefs, rows

    def _repr_html_(self) -> str:
        links = " · ".join(f'<a href="{html.escape(h)}" download>{html.escape(Path(h).suffix[1:].upper())}</a>'
                           for h in self.hrefs)
        return (f'<p class="analysis-download">Download the data: {html.escape(self.title)} '
                f'({self.rows} rows): {links}</p>')

    def _repr_markdown_(self) -> str:
        links = " · ".join(f"[{Path(h).suffix[1:].upper()}]({h})" for h in self.hrefs)
        return f"Download the data: {self.title} ({self.rows} rows): {links}"

    def __repr__(self) -> str:
        return f"Downloads({', '.join(self.hrefs)})"


def offer_download(df, name: str, title: str | None = None, display: bool = True) -> Downloads | None:
    """Write `df` as CSV and XLSX for this page and show links to them.

    The files go to downloads/<page>/<name>.csv|.xlsx of the site; the links are relative to
    the page. With display=False nothing is shown and the `Downloads` object is returned.
    A table without rows is not offered (nothing is written or shown; None is returned).
    """
    if df is None or not len(df):
        return None
    slug = _slug(name)
    files = write_table(df, downloads_dir(), slug)
    hrefs = [f"{DOWNLOADS}/{page_name()}/{p.name}" for p in files]
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
