"""Every page of the real site (reports/notebooks.yml built from data/raw) in headless Chromium at
1,280 px with the network blocked, published by nbconvert and by Quarto (with Quarto on PATH): no
table is wider than the content column (with every expander open, too), the page opens with its
findings, a table of more than 25 rows is collapsed, numbers are right-aligned, and the long
tables sort and filter by the local script. Also the README's images, generated from that site."""
import re
import struct

import pytest
import chromium
from conftest import NO_QUARTO, QUARTO

browser = chromium.browser  # the shared headless Chromium (tests/report/chromium.py)

pytestmark = [pytest.mark.slow, pytest.mark.browser]
WIDTH = 1280
MAX_ROWS = 25

# Measured in the page: the content column, every visible table, its visible rows, numeric cells.
MEASURE = r"""() => {
  const main = document.querySelector('main') || document.body;
  const cs = getComputedStyle(main);
  const column = main.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  const number = /^[-\u2212+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?(\u00a0?%)?$/;
  const tables = [...document.querySelectorAll('table')].filter(t => t.checkVisibility());
  const out = tables.map(t => {
    const head = [...t.querySelectorAll('th')].map(h => h.textContent.trim()).join(' | ').slice(0, 90);
    const rows = [...t.querySelectorAll('tbody tr')].filter(r => r.checkVisibility()).length;
    const left = [];
    for (const td of t.querySelectorAll('td')) {
      if (!td.checkVisibility()) continue;
      const text = td.textContent.trim();
      const formatted = number.test(text) && /[.,%]/.test(text);
      const align = getComputedStyle(td).textAlign;
      if ((formatted || td.classList.contains('num')) && number.test(text) && !['right', 'end'].includes(align))
        left.push(text);
    }
    return {head, width: t.getBoundingClientRect().width, rows, left: left.slice(0, 5),
            grid: t.classList.contains('analysis-grid')};
  });
  return {column, tables: out};
}"""

FIRST_BLOCK = r"""() => {
  const main = document.querySelector('main') || document.body;
  const blocks = [...main.querySelectorAll('h1, h2, h3, p, ul, ol, table, section, .analysis-chart, pre')]
    .filter(e => e.checkVisibility() && !e.closest('header, nav, .page-title, #title-block-header, h1.title, .quarto-title')
                 && !e.matches('h1') && e.textContent.trim() !== '');
  const first = blocks[0];
  if (!first) return null;
  const box = first.closest('.analysis-findings');
  return box ? {findings: true, text: box.textContent.slice(0, 200)} : {findings: false, text: first.outerHTML.slice(0, 200)};
}"""




@pytest.fixture(scope="module", params=["nbconvert", pytest.param("quarto", marks=pytest.mark.quarto)])
def site(request, real_site, tmp_path_factory):
    """The real site's executed notebooks published by nbconvert, or by Quarto (skipped without it)."""
    from analysis.report import build, publish
    if request.param == "quarto" and QUARTO is None:
        pytest.skip(NO_QUARTO)
    root = real_site[0]
    config = build.load_config(root / "reports" / "notebooks.yml", root)
    return publish.publish(root / "reports" / "_executed", config.site, tmp_path_factory.mktemp(request.param), root,
                           publisher=request.param, say=None)


def _offline_context(browser):
    """A browser context at 1,280 px that refuses every request to the web (listed in `.blocked`)."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    context.blocked = []

    def route(r):
        if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
            r.continue_()
        else:
            context.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return context


@pytest.fixture(scope="module")
def measured(browser, site):
    """Per page: the measurements with the expanders closed, then open; the first block."""
    context = _offline_context(browser)
    out = {}
    for path in sorted(site.glob("*.html")):
        page = context.new_page()
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        n = page.locator(".analysis-chart").count()
        if n:
            page.wait_for_function("n => document.querySelectorAll('.vega-embed svg.marks, .vega-embed canvas,"
                                   " .analysis-chart-error').length >= n", arg=n, timeout=30000)
        closed = page.evaluate(MEASURE)
        first = page.evaluate(FIRST_BLOCK)
        height = page.evaluate("() => document.documentElement.scrollHeight")
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        opened = page.evaluate(MEASURE)
        out[path.name] = {"closed": closed, "open": opened, "first": first, "height": height}
        page.close()
    blocked = context.blocked
    context.close()
    assert blocked == [], f"requests to the web: {blocked[:5]}"
    return out


def test_every_page_of_the_site_is_measured(measured):
    names = set(measured)
    assert {"index.html", "spending.html", "goals.html", "indicators.html", "methods.html",
            "data-downloads.html", "profile-peine.html", "profile-aalborg.html"} <= names
    for name, m in measured.items():
        print(f"{name}: {m['height']} px tall, widest table {max([t['width'] for t in m['open']['tables']] or [0]):.0f}"
              f" px in a {m['closed']['column']:.0f} px column")


def test_no_table_is_wider_than_the_content_column(measured):
    for name, m in measured.items():
        for state in ("closed", "open"):
            column = m[state]["column"]
            wide = [(t["head"], round(t["width"])) for t in m[state]["tables"] if t["width"] > column + 1]
            assert not wide, f"{name} ({state} expanders): tables wider than the {column:.0f} px column: {wide}"


def test_every_page_opens_with_its_findings(measured):
    for name, m in measured.items():
        assert m["first"] and m["first"]["findings"], f"{name} does not open with its findings: {m['first']}"
        assert len(m["first"]["text"].strip()) > 40, name


def test_long_tables_are_collapsed(measured):
    """More than 25 rows: the first rows show and the rest is behind an expander (the overview's
    coverage grid is its chart: one row per municipality and data type)."""
    seen_collapsed = 0
    for name, m in measured.items():
        long = [(t["head"], t["rows"]) for t in m["closed"]["tables"] if t["rows"] > MAX_ROWS and not t["grid"]]
        assert not long, f"{name}: tables of more than {MAX_ROWS} rows shown in full: {long}"
        seen_collapsed += sum(t["rows"] > MAX_ROWS for t in m["open"]["tables"])
    assert seen_collapsed >= 3       # the methods page's category map and checks, spending by item, ...


def test_numbers_are_right_aligned(measured):
    checked = 0
    for name, m in measured.items():
        for t in m["open"]["tables"]:
            assert not t["left"], f"{name}: numbers not right-aligned in {t['head']!r}: {t['left']}"
            checked += 1
    assert checked > 30


def test_pages_are_shorter_than_before(measured):
    """Issue 11 measured 13.000 to 44.000 px; collapsed tables keep the long pages far below that."""
    for name in ("spending.html", "goals.html", "methods.html"):
        assert measured[name]["height"] < 20000, (name, measured[name]["height"])


SORT_COLUMN = r"""() => {
  const t = document.querySelector('details.analysis-more table[data-sortable="true"][data-enhanced="true"]');
  if (!t) return null;
  const heads = [...t.tHead.rows[0].cells];
  const i = heads.findIndex(h => h.classList.contains('num'));
  const values = () => [...t.tBodies[0].rows].filter(r => !r.hidden).map(r => r.cells[i].textContent.trim());
  return {index: i, header: heads[i].textContent, before: values()};
}"""
COLUMN_VALUES = r"""(i) => {
  const t = document.querySelector('details.analysis-more table[data-sortable="true"]');
  return [...t.tBodies[0].rows].filter(r => !r.hidden).map(r => r.cells[i].textContent.trim());
}"""


def _number(text: str) -> float | None:
    t = text.replace("\u00a0", "").replace("%", "").replace("\u2212", "-").strip()
    if not re.fullmatch(r"[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?", t):
        return None
    return float(t.replace(".", "").replace(",", "."))


def test_long_tables_sort_and_filter_by_the_local_script(browser, site):
    """The spending page's table by item: all rows behind the expander; a click on its first number
    column sorts ascending (numbers before texts such as 'no figures in source'), a second click
    descending; typing in the filter field hides the rows without the text. Nothing from the web."""
    context = _offline_context(browser)
    page = context.new_page()
    page.goto((site / "spending.html").as_uri())
    page.wait_for_load_state("load")
    page.wait_for_function("() => document.querySelector('table[data-enhanced=\"true\"]') !== null", timeout=30000)
    details = page.locator("details.analysis-more").first
    details.locator("summary").click()
    col = page.evaluate(SORT_COLUMN)
    assert col and col["index"] >= 0, "no sortable table with a number column"
    assert len(col["before"]) > 25
    header = details.locator("thead th").nth(col["index"])
    header.click()
    up = [v for v in (_number(x) for x in page.evaluate(COLUMN_VALUES, col["index"])) if v is not None]
    assert len(up) > 10 and up == sorted(up), col["header"]
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    down = [v for v in (_number(x) for x in page.evaluate(COLUMN_VALUES, col["index"])) if v is not None]
    assert down == sorted(up, reverse=True)
    first_row = details.locator("tbody tr").first.text_content()
    word = max(re.findall(r"[A-Za-zÄÖÜäöüßæøåÆØÅ]{6,}", first_row), key=len)
    details.locator("input.analysis-table-filter").fill(word)
    shown = page.evaluate(COLUMN_VALUES, col["index"])
    assert 1 <= len(shown) < len(col["before"]), word
    texts = details.locator("tbody tr:not([hidden])").all_text_contents()
    assert all(word.lower() in t.lower() for t in texts)
    blocked = context.blocked
    context.close()
    assert blocked == []


def _png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_readme_images_are_generated_from_the_site(real_site, tmp_path):
    from analysis.report import overview
    root = real_site[0]
    written = overview.readme_images(root, root / "reports" / "_site", say=print)
    names = {p.name for p in written}
    assert {"coverage-grid.png", "coverage-grid.svg", "overview.png", "spending.png"} <= names
    w, h = _png_size(root / "docs" / "images" / "overview.png")
    assert (w, h) == (1280, 1600)
    svg = (root / "docs" / "images" / "coverage-grid.svg").read_text(encoding="utf-8")
    assert "Landkreis Peine" in svg and "Informationsvorlage 2024/143 (2024-10-28)" in svg
    assert re.search(r"budget: original budget", svg)
