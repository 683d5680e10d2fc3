"""analysis.report.publish and analysis.offline: an offline site with navigation, charts and downloads."""
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import altair as alt
import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.report import offline, publish
from analysis.report.runner import Page

from conftest import NO_QUARTO, QUARTO

PAGES = [Page("spending", "nb/s.ipynb", "Spending structure", nav="Spending", section="Comparisons"),
         Page("profile-aalborg", "nb/p.ipynb", "Aalborg Kommune", menu="Municipality profiles"),
         Page("profile-peine", "nb/p.ipynb", "Landkreis Peine", menu="Municipality profiles"),
         Page("methods", "nb/m.ipynb", "Methods and sources")]

# what a page must never do: fetch a script, stylesheet or font from the web
EXTERNAL = [re.compile(p, re.I) for p in (
    r"<script[^>]*\ssrc\s*=\s*[\"']?\s*(https?:)?//",
    r"<link[^>]*\shref\s*=\s*[\"']?\s*(https?:)?//",
    r"@import[^;]*(https?:)?//",
    r"url\(\s*[\"']?(https?:)?//",
    r"@font-face[^}]*(https?:)?//",
)]


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.refs.append((tag, name, value))


def refs(path: Path) -> list[tuple[str, str, str]]:
    parser = _Refs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.refs


# --- units ---------------------------------------------------------------------------------

def test_navigation_groups_menus_between_overview_and_downloads():
    nav = publish.navigation(PAGES)
    assert [i["text"] for i in nav] == ["Overview", "Spending", "Municipality profiles", "Methods and sources",
                                        "Data downloads"]
    assert [i["page"] for i in nav[2]["menu"]] == ["profile-aalborg", "profile-peine"]
    assert nav[0]["page"] == "index" and nav[-1]["page"] == "data-downloads"


def test_quarto_config_renders_every_page_with_the_navbar():
    site = publish.Site(PAGES, title="T")
    base = {"project": {"type": "website", "render": ["index.qmd"]}, "format": {"html": {"theme": "cosmo"}}}
    cfg = publish.quarto_config(base, site)
    assert cfg["project"]["render"] == ["index.qmd", "spending.ipynb", "profile-aalborg.ipynb",
                                        "profile-peine.ipynb", "methods.ipynb", "data-downloads.qmd"]
    assert cfg["project"]["output-dir"] == "_site"
    assert {"assets/**", "downloads/**", "data/**"} <= set(cfg["project"]["resources"])
    left = cfg["website"]["navbar"]["left"]
    assert left[0] == {"href": "index.qmd", "text": "Overview"}
    assert left[2] == {"text": "Municipality profiles", "menu": [
        {"href": "profile-aalborg.ipynb", "text": "Aalborg Kommune"},
        {"href": "profile-peine.ipynb", "text": "Landkreis Peine"}]}
    assert cfg["format"] == base["format"] and base["project"]["render"] == ["index.qmd"]  # base untouched


def test_the_checked_in_quarto_project_is_offline():
    import yaml
    reports = Path(__file__).resolve().parents[2] / "reports"
    cfg = yaml.safe_load((reports / "_quarto.yml").read_text())
    html = cfg["format"]["html"]
    assert cfg["project"]["type"] == "website" and cfg["project"]["output-dir"] == "_site"
    assert cfg["execute"]["enabled"] is False
    assert html["embed-resources"] is False and html["html-math-method"] == "plain"
    headers = [(reports / name).read_text() for name in html["include-in-header"]]
    assert '<script src="assets/vega-bundle.js"></script>' in headers[0]   # every chart needs it
    assert 'window.location.protocol === "file:"' in headers[1] and "#quarto-search" in headers[1]
    assert html["html-table-processing"] == "none" and cfg["website"]["search"] is True
    assert "$web-font-path: false" in (reports / "theme.scss").read_text()   # no Google font import


def test_prepare_notebook_drops_stderr_removed_cells_and_the_leading_heading():
    code = new_code_cell("x")
    code.outputs = [new_output("stream", name="stderr", text="FutureWarning"),
                    new_output("stream", name="stdout", text="42\n")]
    nb = new_notebook(cells=[new_markdown_cell("# Old title\n\nIntro."), code,
                             new_code_cell("secret", metadata={"tags": ["remove-cell"]})])
    out = publish.prepare_notebook(nb, Page("p", "p.ipynb", "New title"))
    assert [c.source for c in out.cells] == ["Intro.", "x"]
    assert [o["text"] for o in out.cells[1].outputs] == ["42\n"]
    assert out.metadata["title"] == "New title"
    assert len(nb.cells) == 3 and nb.cells[0].source.startswith("# Old")  # input not changed


def test_external_references_are_found(tmp_path):
    (tmp_path / "a.html").write_text('<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>'
                                     '<link rel="stylesheet" href="//fonts.googleapis.com/css?family=X">'
                                     '<a href="https://example.org">a link is fine</a>'
                                     '<script src="assets/vega-bundle.js"></script>')
    (tmp_path / "b.css").write_text("@import url('https://fonts.googleapis.com/css2?family=Source+Sans');")
    found = publish.external_references(tmp_path)
    assert len(found) == 3 and found[0].startswith("a.html: <script src>")
    assert any(f.startswith("b.css: @import") for f in found)


def test_methods_content_lists_documents_contract_and_every_contradiction(tmp_path):
    from conftest import copy_workspace, write_fake_processed

    from analysis.contract import schema
    root = copy_workspace(tmp_path / "ws", notebooks=())
    write_fake_processed(root)
    m = publish.methods_content(root)
    docs = m["documents"].set_index("document_id")
    assert docs.loc["peine-2024-143", "reference"] == "Informationsvorlage 2024/143"
    assert docs.loc["berlin-neukoelln-1265-xxi", "date"] == "2024-01-09"
    contract = m["contract"].set_index("table")
    assert contract.loc["budget", "columns (required)"] == ", ".join(schema.COLUMNS["budget"])
    assert list(m["contradictions"]["found"]) == ["1,330"]
    assert "SMOKE-CONTRADICTION" in m["contradictions"]["detail"].iloc[0]
    assert list(m["failures_warnings"]["status"]) == ["warning"]
    by_doc = m["quality_by_document"].set_index("document_id")
    assert by_doc.loc["peine-2024-143", ["pass", "contradiction", "total"]].tolist() == [1, 1, 2]
    assert m["category_map"] is not None and "category" in m["category_map"]
    assert m["exchange_rates"] is not None and m["population"] is not None and m["price_index"] is not None


def test_renderer_bundle_carries_vegalite_and_html():
    offline.enable(html=True)
    try:
        chart = alt.Chart(pd.DataFrame({"a": ["</script><b>x"], "v": [1.5]})).mark_bar().encode(x="a:N", y="v:Q")
        bundle = chart._repr_mimebundle_()
        bundle = bundle[0] if isinstance(bundle, tuple) else bundle
        assert bundle["application/vnd.vegalite.v5+json"]["mark"] == {"type": "bar"}
        html = bundle["text/html"]
        assert html.startswith('<div id="chart-') and "window.vegaEmbed(el, spec, opts)" in html
        assert '"assets/vega-bundle.js"' in html
        assert "</script><b>" not in html and "\\u003c/script\\u003e\\u003cb\\u003ex" in html  # spec cannot end the script
        assert html.count("<script") == 1
    finally:
        offline.enable()


def test_renderer_leaves_html_out_in_an_interactive_kernel_outside_jupyterlab(monkeypatch):
    # e.g. papermill run by hand: the site's bundle is not next to its output (JupyterLab: test_offline.py)
    monkeypatch.setattr(offline, "_in_interactive_kernel", lambda: True)
    monkeypatch.delenv(offline.ENV_LAB_SESSION, raising=False)
    offline.enable()
    bundle = offline.renderer({"mark": "bar"})
    assert "text/html" not in bundle and bundle["application/vnd.vegalite.v5+json"] == {"mark": "bar"}
    monkeypatch.undo()
    monkeypatch.setenv(offline.ENV_SITE_BUILD, "1")      # under `analysis build`: always both
    assert offline._in_interactive_kernel() is False and "text/html" in offline.renderer({"mark": "bar"})


def test_offer_download_writes_csv_and_xlsx_with_relative_links(tmp_path, monkeypatch):
    monkeypatch.setenv(offline.ENV_DOWNLOADS, str(tmp_path / "downloads" / "spending"))
    monkeypatch.setenv(offline.ENV_PAGE, "spending")
    df = pd.DataFrame({"municipality": ["Peine", "Aalborg"], "amount": [1234.5, None]})
    links = offline.offer_download(df, "spending by category", title="Spending", display=False)
    assert links.hrefs == ["downloads/spending/spending-by-category.csv", "downloads/spending/spending-by-category.xlsx"]
    assert (tmp_path / links.hrefs[0]).read_text().splitlines() == ["municipality,amount", "Peine,1234.5", "Aalborg,"]
    back = pd.read_excel(tmp_path / links.hrefs[1])
    assert back["amount"].iloc[0] == 1234.5 and pd.isna(back["amount"].iloc[1])
    assert 'href="downloads/spending/spending-by-category.csv"' in links._repr_html_()
    assert "(downloads/spending/spending-by-category.xlsx)" in links._repr_markdown_()
    assert "CSV only" not in links._repr_html_()


def test_offer_download_above_the_cell_limit_is_csv_only_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv(offline.ENV_DOWNLOADS, str(tmp_path / "downloads" / "spending"))
    monkeypatch.setenv(offline.ENV_PAGE, "spending")
    monkeypatch.setattr(offline, "XLSX_MAX_CELLS", 6)
    small = pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6]})             # 6 cells: both files
    assert [p.suffix for p in offline.offer_download(small, "t", display=False).files] == [".csv", ".xlsx"]
    big = pd.DataFrame({"a": [1, 2, 3, 7], "b": [4, 5, 6, 8]})         # 8 cells: CSV only
    links = offline.offer_download(big, "t", display=False)
    assert links.hrefs == ["downloads/spending/t.csv"]
    assert not (tmp_path / "downloads" / "spending" / "t.xlsx").exists()  # the earlier XLSX is gone
    assert (tmp_path / links.hrefs[0]).read_text().splitlines() == ["a,b", "1,4", "2,5", "3,6", "7,8"]
    assert "CSV only: tables of more than 6 cells" in links._repr_html_()
    assert "CSV only" in links._repr_markdown_()
    assert [p.suffix for p in offline.write_table(big, tmp_path / "x", "t", xlsx=True)] == [".csv", ".xlsx"]


# --- the published smoke site (built once in conftest) ------------------------------------

def _pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html"))


@pytest.mark.slow
def test_site_has_an_index_and_a_page_per_notebook(smoke_site):
    root, result, lines = smoke_site
    site = root / "reports" / "_site"
    names = {p.stem for p in _pages(site)}
    assert names == {"index", "smoke", "smoke-three", "profile-aalborg", "profile-peine", "methods", "data-downloads"}
    assert [r.page.name for r in result.results] == ["smoke", "smoke-three", "profile-aalborg", "profile-peine", "methods"]
    assert (root / "reports" / "_executed" / "smoke-three.ipynb").exists()
    notes = [line for line in lines if line.startswith("publisher:")]   # one line, whichever publisher
    why = publish.FALLBACK_NOTE if not QUARTO else "publisher: nbconvert (--publisher nbconvert)"
    assert len(notes) == 1 and re.fullmatch(re.escape(why) + r": rendered all 7 pages in \d+\.\ds", notes[0]), notes
    index = (site / "index.html").read_text()
    assert 'href="smoke-three.html"' in index and "Smoke with factor 3" in index and "Profiles" in index


@pytest.mark.slow
def test_every_page_has_the_navigation_and_only_local_links(smoke_site):
    root, _, _ = smoke_site
    site = root / "reports" / "_site"
    targets = {"index.html", "smoke.html", "smoke-three.html", "profile-aalborg.html", "profile-peine.html",
               "methods.html", "data-downloads.html"}
    for page in _pages(site):
        found = refs(page)
        nav_links = {v for tag, _, v in found if tag == "a"}
        assert targets <= nav_links, f"{page.name} lacks navigation links: {targets - nav_links}"
        for tag, attr, value in found:
            url = urlsplit(value)
            if tag == "a" and url.scheme in ("http", "https"):
                continue  # an ordinary link the reader may follow
            assert not url.scheme and not value.startswith("//"), f"{page.name}: <{tag} {attr}={value}>"
            if url.path:
                assert (site / unquote(url.path)).exists(), f"{page.name}: <{tag} {attr}={value}> is broken"


@pytest.mark.slow
def test_no_page_loads_scripts_styles_or_fonts_from_the_web(smoke_site):
    root, _, _ = smoke_site
    site = root / "reports" / "_site"
    files = [p for p in site.rglob("*") if p.suffix in (".html", ".css")]
    assert len(files) >= 8
    for path in files:
        text = path.read_text(encoding="utf-8")
        for pattern in EXTERNAL:
            m = pattern.search(text)
            assert m is None, f"{path.relative_to(site)}: {text[m.start():m.start() + 100]}"


@pytest.mark.slow
def test_vega_is_local_and_the_spec_is_in_the_page(smoke_site):
    root, _, _ = smoke_site
    site = root / "reports" / "_site"
    bundle = site / "assets" / "vega-bundle.js"
    assert bundle.stat().st_size > 500_000 and "window.vegaEmbed=" in bundle.read_text()
    page = (site / "smoke-three.html").read_text()
    assert page.count('<script src="assets/vega-bundle.js"></script>') == 1
    assert "https://vega.github.io/schema/vega-lite/v6" in page          # the Vega-Lite spec ...
    assert re.search(r'"amount":\s*7\.5', page)                          # ... with its data (2.5 x 3)
    assert "total amount: 18.00" in page


@pytest.mark.slow
def test_pages_offer_their_data_and_the_site_its_tables(smoke_site):
    root, _, _ = smoke_site
    site = root / "reports" / "_site"
    assert (site / "downloads" / "smoke-three" / "smoke-amounts.xlsx").exists()
    page = (site / "smoke-three.html").read_text()
    assert 'href="downloads/smoke-three/smoke-amounts.csv"' in page
    data = (site / "data-downloads.html").read_text()
    for name in ("municipalities", "documents", "quality"):
        assert f'href="data/{name}.csv"' in data and f'href="data/{name}.xlsx"' in data
        assert (site / "data" / f"{name}.xlsx").exists()
    assert 'href="downloads/profile-peine/smoke-amounts.csv"' in data
    assert pd.read_excel(site / "data" / "quality.xlsx")["status"].tolist() == ["pass", "contradiction", "warning"]


@pytest.mark.slow
def test_methods_page_shows_references_and_each_contradiction(smoke_site):
    root, _, _ = smoke_site
    page = (root / "reports" / "_site" / "methods.html").read_text()
    for text in ("Informationsvorlage 2024/143", "Drucksache DrS/2011/054", "SMOKE-CONTRADICTION difference -20",
                 "SMOKE-WARNING", "source_ref", "units_per_eur", 'href="downloads/methods/quality-checks.csv"'):
        assert text in page, text


# --- Quarto: the notebook copy, the guard, the render plan (a stand-in quarto) ------------

def test_html_outputs_become_markdown_raw_html_for_quarto():
    code = new_code_cell("x")
    code.outputs = [
        new_output("display_data", data={"text/html": '<div class="analysis-chart"></div>\n<script>```</script>',
                                         "text/plain": "chart"}),
        new_output("execute_result", data={"application/javascript": "console.log(1)"}, execution_count=1),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "m"},
                                         "text/html": "<b>widget</b>"}),
        new_output("stream", name="stdout", text="<b>not html</b>")]
    nb = new_notebook(cells=[code])
    out = publish.html_outputs_as_markdown(nb)
    chart, js, widget, stream = out.cells[0].outputs
    assert "text/html" not in chart.data and chart.data["text/plain"] == "chart"
    # a fence longer than any run of backticks inside, so the HTML cannot end the block
    assert chart.data["text/markdown"] == '````{=html}\n<div class="analysis-chart"></div>\n<script>```</script>\n````\n'
    assert js.data == {"text/markdown": '```{=html}\n<script type="application/javascript">\nconsole.log(1)\n</script>\n```\n'}
    assert widget.data["text/html"] == "<b>widget</b>" and "text/markdown" not in widget.data
    assert stream.text == "<b>not html</b>"
    assert "text/html" in nb.cells[0].outputs[0].data                 # the input is not changed


def test_the_quarto_copy_of_a_page_has_the_same_bytes_for_the_same_content():
    def executed(run: str):
        nb = new_notebook(cells=[new_markdown_cell("Intro"), new_code_cell("x")])
        nb.metadata["papermill"] = {"start_time": run, "duration": 1.5}
        nb.cells[1].metadata["execution"] = {"iopub.status.busy": run}
        nb.cells[1].metadata["papermill"] = {"duration": 0.1, "start_time": run}
        nb.cells[1].metadata["tags"] = ["injected-parameters"]
        nb.cells[1].outputs = [new_output("display_data", data={"text/html": "<p>42</p>"})]
        return nb

    one, two = (publish.quarto_notebook(executed(t), "Spending") for t in ("2024-01-01T10:00", "2024-06-30T23:59"))
    assert one.cells[1].get("id") != executed("a").cells[0].get("id")  # random ids replaced ...
    assert nbformat.writes(one) == nbformat.writes(two)              # ... and timings dropped
    assert one.cells[0].source == "---\ntitle: Spending\n---" and one.cells[2].metadata["tags"] == ["injected-parameters"]
    changed = executed("x")
    changed.cells[1].outputs[0].data["text/html"] = "<p>43</p>"
    assert nbformat.writes(publish.quarto_notebook(changed, "Spending")) != nbformat.writes(one)


def test_module_scripts_are_found(tmp_path):
    (tmp_path / "site_libs").mkdir()
    (tmp_path / "a.html").write_text('<script src="site_libs/quarto-html/quarto.js" type="module"></script>')
    (tmp_path / "b.html").write_text('<script type="module" src="data:application/javascript;base64,AA=="></script>'
                                     '<script src="assets/vega-bundle.js"></script><script type="module">1</script>')
    (tmp_path / "site_libs" / "c.html").write_text('<script type="module" src="x.js"></script>')
    assert [f.split(":")[0] for f in publish.module_scripts(tmp_path)] == ["a.html"]


FAKE_QUARTO = '''#!{python}
"""Stands in for quarto: records each call and writes one HTML file per rendered page."""
import json, sys, yaml
from pathlib import Path
with open({calls!r}, "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\\n")
if {fail}:
    print("ERROR: theme.scss: Undefined variable", file=sys.stderr)
    sys.exit(1)
target = Path(sys.argv[2])
project = target if target.is_dir() else target.parent
cfg = yaml.safe_load((project / "_quarto.yml").read_text())
out = project / cfg["project"]["output-dir"]
out.mkdir(exist_ok=not target.is_dir())
for name in cfg["project"]["render"] if target.is_dir() else [target.name]:
    text = (project / name).read_text()
    (out / (Path(name).stem + ".html")).write_text("<html><head>"
        '<script src="assets/vega-bundle.js"></script></head><body>' + str(len(text)) + " " + name + "</body></html>")
'''


def _executed_dir(tmp_path) -> Path:
    executed = tmp_path / "executed"
    (executed / "downloads" / "spending").mkdir(parents=True)
    (executed / "downloads" / "spending" / "t.csv").write_text("a\n1\n")
    for p in PAGES:
        nb = new_notebook(cells=[new_markdown_cell("# Heading\n\nText of " + p.name)])
        nbformat.write(nb, executed / f"{p.name}.ipynb")
    return executed


def _fake_quarto(tmp_path, monkeypatch, fail=False) -> Path:
    import sys
    fake = tmp_path / "bin" / "quarto"
    fake.parent.mkdir()
    calls = tmp_path / "quarto-calls.jsonl"
    fake.write_text(FAKE_QUARTO.format(python=sys.executable, fail=fail, calls=str(calls)))
    fake.chmod(0o755)
    monkeypatch.setattr(publish, "quarto_path", lambda: str(fake))
    return calls


def _calls(path: Path) -> list[list[str]]:
    calls = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    path.unlink(missing_ok=True)
    return calls


@pytest.mark.parametrize("fail", [False, True])
def test_quarto_branch_renders_a_generated_project(tmp_path, monkeypatch, fail):
    import sys

    import yaml
    from conftest import copy_workspace
    root = copy_workspace(tmp_path / "ws", notebooks=())
    calls = _fake_quarto(tmp_path, monkeypatch, fail)
    notes = []
    site = publish.Site(PAGES, title="Test site", description="About")
    work = tmp_path / "work"
    project = root / "reports" / publish.QUARTO_PROJECT
    if fail:
        with pytest.raises(publish.PublishError, match=r"quarto render failed \(exit code 1\):\nERROR: theme.scss: Undefined variable"):
            publish.publish(_executed_dir(tmp_path), site, work, root, say=notes.append)
        assert "ERROR: theme.scss: Undefined variable" in (project / publish.RENDER_LOG).read_text()
        assert not (project / publish.RENDER_STATE).exists()          # the next build renders everything
        return
    out = publish.publish(_executed_dir(tmp_path), site, work, root, say=notes.append)
    assert out == work / "quarto" / "_site"
    assert len(notes) == 1 and re.fullmatch(r"publisher: Quarto \(.*bin/quarto\): rendered all 6 pages in \d+\.\ds",
                                            notes[0]), notes
    assert _calls(calls) == [["render", str(project), "--no-execute"]]
    cfg = yaml.safe_load((project / "_quarto.yml").read_text())
    assert cfg["website"]["title"] == "Test site" and cfg["website"]["description"] == "About"
    assert cfg["execute"]["enabled"] is False
    assert cfg["format"]["html"]["include-in-header"] == ["vega-header.html", "from-disk.html"]
    assert cfg["format"]["html"]["html-table-processing"] == "none"
    assert cfg["project"]["post-render"] == [f'"{sys.executable}" -m analysis.report.quarto_nomodule']
    for name in ("vega-header.html", "from-disk.html", "theme.scss", "styles.css", "index.qmd", "data-downloads.qmd"):
        assert (project / name).exists(), name
    index = (project / "index.qmd").read_text()
    assert index.startswith("---\ntitle: Overview\n---") and "[Spending structure](spending.html)" in index
    nb = nbformat.read(project / "spending.ipynb", as_version=4)
    assert nb.cells[0].cell_type == "raw" and nb.cells[0].source == "---\ntitle: Spending structure\n---"
    assert nb.cells[1].source == "Text of spending"                  # the '# Heading' gave way to the title
    assert {p.name for p in out.glob("*.html")} == {"index.html", "spending.html", "profile-aalborg.html",
                                                     "profile-peine.html", "methods.html", "data-downloads.html"}
    assert (out / "assets" / "vega-bundle.js").exists() and (out / "downloads" / "spending" / "t.csv").exists()


# --- issue 12: text from the data in titles, navbar and downloads ------------------------------------

EVIL = "Test <script>document.title='x'</script> [c](javascript:x) {{< env HOME >}}"


def test_quarto_titles_and_navbar_texts_are_escaped():
    """Quarto reads them as Markdown (and runs shortcodes in them): they are escaped."""
    site = publish.Site([Page("profile-t", "nb/p.ipynb", EVIL, menu="Municipality profiles")], title="T <b>")
    cfg = publish.quarto_config({}, site)
    item = cfg["website"]["navbar"]["left"][1]["menu"][0]
    assert item["text"] == "Test &lt;script&gt;document.title='x'&lt;/script&gt; \\[c\\](javascript:x) " \
                           "\\{\u200b\\{&lt; env HOME &gt;\\}\u200b\\}"
    assert cfg["website"]["title"] == "T &lt;b&gt;"
    front = publish.front_matter_cell(EVIL).source
    assert "<script>" not in front and "&lt;script&gt;" in front
    index = publish.index_markdown(site, "")
    assert "[Test &lt;script&gt;" in index and "<script>" not in index


def test_write_table_keeps_formulas_out_of_csv_and_xlsx(tmp_path):
    """OWASP CSV injection: a text starting with = + - @ tab or CR is no formula; numbers stay numbers."""
    import openpyxl

    df = pd.DataFrame({"item_name": ['=HYPERLINK("http://evil.example/","click me")', "@SUM(1+1)", "+1+2", "-2+3",
                                     "\tx", "Hilfe", "-250"],
                       "amount": [1.0, -250.0, 3.0, 4.0, 5.0, 6.0, 7.0]})
    csv_path, xlsx_path = offline.write_table(df, tmp_path, "t")
    assert csv_path.read_text(encoding="utf-8").splitlines() == [
        "item_name,amount", "\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"click me\"\")\",1.0", "'@SUM(1+1),-250.0",
        "'+1+2,3.0", "'-2+3,4.0", "'\tx,5.0", "Hilfe,6.0", "-250,7.0"]
    ws = openpyxl.load_workbook(xlsx_path).active
    cells = [(c.value, c.data_type, bool(c.quotePrefix)) for c in ws["A"][1:]]
    assert cells == [('=HYPERLINK("http://evil.example/","click me")', "s", True), ("@SUM(1+1)", "s", True),
                     ("+1+2", "s", True), ("-2+3", "s", True), ("\tx", "s", True), ("Hilfe", "s", False),
                     ("-250", "s", False)]
    assert [(c.value, c.data_type) for c in ws["B"][1:3]] == [(1, "n"), (-250, "n")]


def _xlsx_cells(path):
    import openpyxl
    wb = openpyxl.load_workbook(path)
    return wb.sheetnames, [[(c.value, c.data_type, bool(c.quotePrefix)) for c in row] for row in wb.active.iter_rows()]


def test_a_table_written_again_in_one_process_gives_the_same_files(tmp_path, monkeypatch):
    """A batch of profile pages offers the same table of every municipality on each page: the
    second write reuses the first XLSX (sheet renamed), and CSV and cells are what openpyxl writes."""
    monkeypatch.setattr(offline, "_same_table", {})
    df = pd.DataFrame({"municipality": [f"M{i}" for i in range(150)], "share": [i / 7 for i in range(150)],
                       "note": ["=1+2" if i % 10 == 0 else ("" if i % 3 else None) for i in range(150)],
                       "mixed": [1 if i % 2 else "1" for i in range(150)]})
    first = offline.write_table(df, tmp_path / "a", "standing-kiel")
    again = offline.write_table(df.copy(), tmp_path / "b", "standing-peine")
    assert len(offline._same_table) == 1  # the second one was not written by openpyxl
    monkeypatch.setattr(offline, "_same_table", {})
    fresh = offline.write_table(df, tmp_path / "c", "standing-peine")
    assert again[0].read_bytes() == fresh[0].read_bytes() == first[0].read_bytes()
    assert _xlsx_cells(again[1]) == _xlsx_cells(fresh[1])
    assert _xlsx_cells(again[1])[0] == ["standing-peine"] and _xlsx_cells(first[1])[0] == ["standing-kiel"]
    assert _xlsx_cells(fresh[1])[1][1] == [("M0", "s", False), (0, "n", False), ("=1+2", "s", True), ("1", "s", False)]
    # the same CSV text with a number where a text was is another table
    other = df.assign(mixed=["1"] * 150)
    offline.write_table(other, tmp_path / "d", "standing-x")
    assert _xlsx_cells(tmp_path / "d" / "standing-x.xlsx")[1][2][3] == ("1", "s", False)
    assert len(offline._same_table) == 2


def test_published_csv_copies_carry_no_formula(tmp_path):
    src = tmp_path / "budget.csv"
    src.write_text('item_name,amount\n"=1+2",-250\nHilfe,3\n', encoding="utf-8")
    offline.write_csv_copy(src, tmp_path / "copy.csv")
    assert (tmp_path / "copy.csv").read_text(encoding="utf-8") == "item_name,amount\n'=1+2,-250\nHilfe,3\n"


def test_quarto_renders_only_the_pages_whose_content_changed(tmp_path, monkeypatch):
    from conftest import copy_workspace
    root = copy_workspace(tmp_path / "ws", notebooks=())
    calls = _fake_quarto(tmp_path, monkeypatch)
    project = root / "reports" / publish.QUARTO_PROJECT
    executed = _executed_dir(tmp_path)

    def run(n: int, site=publish.Site(PAGES, title="T")):
        notes = []
        out = publish.publish(executed, site, tmp_path / f"work{n}", root, say=notes.append)
        return out, notes[0], _calls(calls)

    out, note, done = run(1)
    assert done == [["render", str(project), "--no-execute"]] and "rendered all 6 pages" in note
    out, note, done = run(2)                                          # the same notebooks again
    assert done == [] and "rendered 0 of 6 pages (none changed since the last build)" in note
    assert (out / "spending.html").exists() and (out / "downloads" / "spending" / "t.csv").exists()
    nb = nbformat.read(executed / "spending.ipynb", as_version=4)     # Papermill's timings alone change nothing
    nb.metadata["papermill"] = {"start_time": "2030-01-01"}
    nbformat.write(nb, executed / "spending.ipynb")
    assert run(3)[2] == []
    nb.cells.append(new_markdown_cell("A new paragraph"))             # new content: that page only
    nbformat.write(nb, executed / "spending.ipynb")
    out, note, done = run(4)
    assert done == [["render", str(project / "spending.ipynb"), "--no-execute"]]
    assert "rendered 1 of 6 pages (spending; the other 5 unchanged since the last build)" in note
    assert "A new paragraph" in (project / "spending.ipynb").read_text()
    (executed / "downloads" / "spending" / "t.csv").unlink()         # the data page lists the downloads
    out, note, done = run(5)
    assert done == [["render", str(project / "data-downloads.qmd"), "--no-execute"]]
    assert not (out / "downloads" / "spending" / "t.csv").exists() and not (project / "downloads" / "spending" / "t.csv").exists()
    assert run(6, publish.Site(PAGES, title="Another title"))[2] == [["render", str(project), "--no-execute"]]  # navbar
    for name in ("methods.ipynb", "profile-peine.ipynb", "profile-aalborg.ipynb", "spending.ipynb"):
        nb = nbformat.read(executed / name, as_version=4)
        nb.cells.append(new_markdown_cell("More"))
        nbformat.write(nb, executed / name)
    assert run(7, publish.Site(PAGES, title="Another title"))[2] == [["render", str(project), "--no-execute"]]  # > 3 pages
    (project / "_site" / "methods.html").unlink()                     # a page of the last render is gone
    assert run(8, publish.Site(PAGES, title="Another title"))[2] == [["render", str(project), "--no-execute"]]


@pytest.mark.parametrize("publisher, why", [("auto", publish.FALLBACK_NOTE),
                                             ("nbconvert", "publisher: nbconvert (--publisher nbconvert)")])
def test_nbconvert_says_in_one_line_that_it_published(tmp_path, monkeypatch, publisher, why):
    from conftest import copy_workspace
    root = copy_workspace(tmp_path / "ws", notebooks=())
    monkeypatch.setattr(publish, "quarto_path", lambda: None)
    notes = []
    out = publish.publish(_executed_dir(tmp_path), publish.Site(PAGES, title="T"), tmp_path / "work", root,
                          publisher=publisher, say=notes.append)
    assert len(notes) == 1 and re.fullmatch(re.escape(why) + r": rendered all 6 pages in \d+\.\ds", notes[0]), notes
    assert (out / "spending.html").exists()


def test_quarto_version_is_read_from_the_install_tree(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "lib" / "quarto-cli").mkdir(parents=True)
    (tmp_path / "bin" / "quarto").write_text("#!/bin/sh\n")
    (tmp_path / "lib" / "quarto-cli" / "version.txt").write_text("1.9.38\n")
    assert publish.quarto_version(str(tmp_path / "bin" / "quarto")) == "1.9.38"
    (tmp_path / "lib" / "quarto-cli" / "version.txt").unlink()
    assert publish.quarto_version(str(tmp_path / "bin" / "quarto")) is None


# --- Quarto: the real one (make test installs it; see tests/conftest.py) -------------------



@pytest.mark.slow
@pytest.mark.quarto
@pytest.mark.skipif(QUARTO is None, reason=NO_QUARTO)
def test_quarto_site_is_offline_with_navigation_and_charts(tmp_path):
    from conftest import SMOKE_CONFIG, copy_workspace, write_fake_processed

    from analysis.report import build
    root = copy_workspace(tmp_path / "ws", notebooks=("_smoke.ipynb", "methods.ipynb"))
    write_fake_processed(root)
    (root / "reports" / "smoke.yml").write_text(SMOKE_CONFIG)
    lines = []
    build.build(root, config=root / "reports" / "smoke.yml", jobs=2, extract=False, publisher="quarto",
                say=lines.append)
    site = root / "reports" / "_site"
    assert (site / "index.html").exists() and (site / "assets" / "vega-bundle.js").exists()
    assert publish.external_references(site) == [] and publish.module_scripts(site) == []
    page = (site / "smoke-three.html").read_text()
    assert "vegaEmbed" in page and "alt.Chart(" not in page and "profile-peine.html" in page
    assert "cdn.jsdelivr.net" not in page and "require.min.js" not in page and "define(" not in page
    assert '<script src="site_libs/quarto-html/quarto-nomodule.js" defer></script>' in page
    assert (site / "site_libs" / "quarto-html" / "quarto-nomodule.js").exists()
    assert (site / "downloads" / "smoke-three" / "smoke-amounts.csv").exists()
    notes = [line for line in lines if line.startswith("publisher:")]
    assert len(notes) == 1 and re.fullmatch(r"publisher: Quarto [\d.]+ \(.+\): rendered all 7 pages in \d+\.\ds",
                                            notes[0]), notes


@pytest.mark.slow
@pytest.mark.quarto
@pytest.mark.skipif(QUARTO is None, reason=NO_QUARTO)
def test_both_publishers_publish_the_same_site(smoke_site, quarto_smoke_site):
    from analysis.report.site_summary import summarise
    nbconvert = summarise(smoke_site[0] / "reports" / "_site")
    quarto = summarise(quarto_smoke_site[1])
    assert nbconvert["pages"] == ["data-downloads.html", "index.html", "methods.html", "profile-aalborg.html",
                                  "profile-peine.html", "smoke-three.html", "smoke.html"]
    assert quarto["pages"] == nbconvert["pages"]
    expected_nav = [("link", "Overview", "index.html"), ("link", "Defaults", "smoke.html"),
                    ("link", "Factor 3", "smoke-three.html"), ("menu", "Municipality profiles", ""),
                    ("link", "Aalborg Kommune", "profile-aalborg.html"), ("link", "Landkreis Peine", "profile-peine.html"),
                    ("link", "Methods and sources", "methods.html"), ("link", "Data downloads", "data-downloads.html")]
    for page in nbconvert["pages"]:
        assert nbconvert["nav"][page] == expected_nav, page
        assert quarto["nav"][page] == expected_nav, page
    assert nbconvert["charts"] == {"data-downloads.html": 0, "index.html": 0, "methods.html": 1, "profile-aalborg.html": 1,
                                   "profile-peine.html": 1, "smoke-three.html": 1, "smoke.html": 1}
    assert quarto["charts"] == nbconvert["charts"]
    assert "downloads/smoke-three/smoke-amounts.xlsx" in nbconvert["downloads"] and "data/quality.xlsx" in nbconvert["downloads"]
    assert quarto["downloads"] == nbconvert["downloads"]
    assert nbconvert["links"]["smoke-three.html"] == ["downloads/smoke-three/smoke-amounts.csv",
                                                      "downloads/smoke-three/smoke-amounts.xlsx"]
    assert quarto["links"] == nbconvert["links"]


@pytest.mark.slow
@pytest.mark.quarto
@pytest.mark.skipif(QUARTO is None, reason=NO_QUARTO)
def test_quarto_renders_again_only_a_page_whose_notebook_changed(quarto_smoke_site, tmp_path):
    root, first, notes = quarto_smoke_site
    from analysis.report import build
    site = build.load_config(root / "reports" / "smoke.yml", root).site
    executed = tmp_path / "executed"
    shutil.copytree(root / "reports" / "_executed", executed)
    nb = nbformat.read(executed / "smoke.ipynb", as_version=4)
    nb.cells.append(new_markdown_cell("A paragraph added after the first render."))
    nbformat.write(nb, executed / "smoke.ipynb")
    lines = []
    again = publish.publish(executed, site, tmp_path / "work", root, publisher="quarto", say=lines.append)
    assert len(lines) == 1 and "rendered 1 of 7 pages (smoke; the other 6 unchanged since the last build)" in lines[0]
    assert "A paragraph added after the first render." in (again / "smoke.html").read_text()
    for page in first.glob("*.html"):
        if page.name != "smoke.html":
            assert (again / page.name).read_bytes() == page.read_bytes(), page.name
    assert publish.module_scripts(again) == [] and publish.external_references(again) == []


@pytest.mark.slow
@pytest.mark.quarto
@pytest.mark.skipif(QUARTO is None, reason=NO_QUARTO)
def test_a_failed_quarto_render_shows_quartos_own_error(smoke_site, tmp_path):
    from conftest import copy_workspace, write_fake_processed

    from analysis.report import build
    root = copy_workspace(tmp_path / "ws", notebooks=())
    write_fake_processed(root)
    theme = root / "reports" / "theme.scss"
    theme.write_text(theme.read_text() + "\n/*-- scss:rules --*/\n.broken { color: $no-such-variable; }\n")
    site = build.load_config(smoke_site[0] / "reports" / "smoke.yml", smoke_site[0]).site
    with pytest.raises(publish.PublishError) as err:
        publish.publish(smoke_site[0] / "reports" / "_executed", site, tmp_path / "work", root, publisher="quarto")
    message = str(err.value)
    assert message.startswith("quarto render failed (exit code 1):\n")
    assert "Undefined variable" in message and "$no-such-variable" in message, message


def test_a_processed_table_over_the_xlsx_limit_is_offered_as_csv_only(tmp_path, monkeypatch):
    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    (processed / "budget.csv").write_text("item,amount\n=SUM(A1),1\nb,2\nc,3\n", encoding="utf-8")
    (processed / "quality.csv").write_text("check,status\nx,pass\n", encoding="utf-8")
    monkeypatch.setattr(publish, "XLSX_MAX_ROWS", 2)
    dest = tmp_path / "site"
    md = publish.data_downloads(tmp_path, dest, publish.Site([], title="T"))
    assert "| budget | 3 | [budget.csv](data/budget.csv) | CSV only |" in md
    assert "| quality | 1 | [quality.csv](data/quality.csv) | [quality.xlsx](data/quality.xlsx) |" in md
    assert "more than 2 rows (budget) are offered as CSV only" in md
    assert not (dest / "data" / "budget.xlsx").exists() and (dest / "data" / "quality.xlsx").exists()
    assert (dest / "data" / "budget.csv").read_text(encoding="utf-8") == "item,amount\n'=SUM(A1),1\nb,2\nc,3\n"
    # the next publish reuses what it can and still counts the rows of the CSV-only table
    md2 = publish.data_downloads(tmp_path, tmp_path / "site2", publish.Site([], title="T"), previous=dest / "data")
    assert "| budget | 3 |" in md2 and (tmp_path / "site2" / "data" / "quality.xlsx").exists()


def test_pages_rendered_while_the_notebooks_run_are_those_of_the_render_at_the_end(tmp_path, monkeypatch):
    from conftest import copy_workspace
    root = copy_workspace(tmp_path / "ws", notebooks=())
    monkeypatch.setattr(publish, "quarto_path", lambda: None)
    executed, site = _executed_dir(tmp_path), publish.Site(PAGES, title="T")
    nb = nbformat.read(executed / "spending.ipynb", as_version=4)
    nb.cells.append(new_code_cell("chart", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": "<div id='c'>a &amp; b<br></div>", "text/plain": "c"})]))
    nbformat.write(nb, executed / "spending.ipynb")
    plain = publish.publish(executed, site, tmp_path / "plain", root, publisher="nbconvert", say=None)
    early = publish.EarlyPages(site, tmp_path / "early-html")
    early.submit(PAGES[0], executed / "spending.ipynb")
    early.submit(PAGES[2], executed / "missing.ipynb")           # cannot be read: rendered again at the end
    notes = []
    both = publish.publish(executed, site, tmp_path / "both", root, publisher="nbconvert", say=notes.append,
                           early=early)
    assert set(early.html) == {"spending"} and "nbconvert" in notes[0] and "rendered all 6 pages" in notes[0]
    def text(path):  # the overview and data page are made in each render, with random cell ids
        return re.sub(r'id="cell-id=[0-9a-f]+"', "", path.read_text(encoding="utf-8"))
    assert (both / "spending.html").read_bytes() == (plain / "spending.html").read_bytes()
    for page in plain.glob("*.html"):
        assert text(both / page.name) == text(page), page.name
