"""The published site in headless Chromium: every page loads without the network, draws its
charts and logs no error. Opened as file:// (as the README says) and from a local http server;
for the nbconvert site and, with Quarto on PATH, the Quarto site (navigation, table of contents,
tabs from disk; search when served)."""
import contextlib
import functools
import http.server
import threading
from pathlib import Path

import pytest
import chromium
from conftest import NO_QUARTO, QUARTO

browser = chromium.browser  # the shared headless Chromium (tests/report/chromium.py)

pytestmark = [pytest.mark.slow, pytest.mark.browser]




class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _serving(site: Path):
    """`site` on http://127.0.0.1:<port>/."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _base(site: Path, how: str, stack: contextlib.ExitStack) -> str:
    return site.as_uri() + "/" if how == "file" else stack.enter_context(_serving(site))


def _context(browser, base: str):
    """A browser context that aborts (and records) every request that is not to the site."""
    context = browser.new_context()
    context.blocked = []

    def route(r):
        url = r.request.url
        if url.startswith(base) or url.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            context.blocked.append(url)
            r.abort()

    context.route("**/*", route)
    return context


def _open(context, url: str, errors: list, name: str):
    page = context.new_page()
    page.on("console", lambda m: errors.append(f"{name}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{name}: {e}"))
    page.on("requestfailed", lambda r: None if r.url in context.blocked else errors.append(
        f"{name}: request failed {r.url}"))
    page.on("dialog", lambda d: (errors.append(f"{name}: dialog {d.message}"), d.dismiss()))
    page.goto(url)
    page.wait_for_load_state("load")
    return page


def _visit(browser, base: str, pages: list[str]) -> tuple[dict, list[str], list[str]]:
    """Open every page with all non-local requests aborted; return charts per page, errors, blocked."""
    context = _context(browser, base)
    errors = []
    charts = {}
    for name in pages:
        page = _open(context, base + name, errors, name)
        expected = page.locator(".analysis-chart").count()
        if expected:  # every chart placeholder becomes a drawn Vega view (or shows its error)
            page.wait_for_function(
                "n => document.querySelectorAll('.vega-embed svg.marks, .vega-embed canvas').length"
                " + document.querySelectorAll('.analysis-chart-error').length >= n", arg=expected, timeout=20000)
        drawn = page.locator(".vega-embed svg.marks, .vega-embed canvas").count()
        charts[name] = (expected, drawn)
        # (served, Quarto's quarto-nav.js shortens links to index.html to the folder)
        assert page.evaluate("b => [...document.querySelectorAll('nav a')].some(a => a.href === b || "
                             "a.href === b + 'index.html')", base), f"{name}: no link to the overview"
        page.close()
    context.close()
    return charts, errors, context.blocked


def _check_all_pages(browser, site: Path, how: str) -> dict:
    pages = sorted(p.name for p in site.glob("*.html"))
    assert {"index.html", "smoke.html", "methods.html", "data-downloads.html"} <= set(pages)
    with contextlib.ExitStack() as stack:
        charts, errors, blocked = _visit(browser, _base(site, how, stack), pages)
    assert blocked == [], f"requests to the web: {blocked}"
    assert errors == [], errors
    assert sum(drawn for _, drawn in charts.values()) >= 5       # smoke x4 and methods
    for name, (expected, drawn) in charts.items():
        assert drawn == expected, f"{name}: {drawn} of {expected} charts drawn"
    assert charts["smoke.html"] == (1, 1) and charts["methods.html"] == (1, 1)
    return charts


@pytest.mark.parametrize("how", ["file", "http"])
def test_every_page_draws_its_charts_offline(browser, smoke_site, how):
    _check_all_pages(browser, smoke_site[0] / "reports" / "_site", how)


@pytest.mark.parametrize("how", ["file", "http"])
@pytest.mark.quarto
@pytest.mark.skipif(QUARTO is None, reason=NO_QUARTO)
def test_every_quarto_page_draws_its_charts_offline(browser, quarto_smoke_site, how):
    _check_all_pages(browser, quarto_smoke_site[1], how)


@pytest.mark.quarto
@pytest.mark.skipif(QUARTO is None, reason=NO_QUARTO)
def test_quarto_navigation_and_table_of_contents_work_from_disk(browser, quarto_smoke_site):
    site = quarto_smoke_site[1]
    context = _context(browser, site.as_uri() + "/")
    errors = []
    page = _open(context, (site / "methods.html").as_uri(), errors, "methods.html")
    page.set_viewport_size({"width": 1280, "height": 800})
    # the navbar's dropdown opens (bootstrap) and lists the profile pages
    page.locator("nav.navbar .dropdown-toggle").first.click()
    menu = page.locator("nav.navbar .dropdown-menu.show a.dropdown-item")
    assert [menu.nth(i).get_attribute("href") for i in range(menu.count())] == [
        "./profile-aalborg.html", "./profile-peine.html"]
    page.keyboard.press("Escape")
    # the table of contents: quarto.js (the classic copy) marks the section scrolled to
    toc = page.locator("#TOC a.nav-link")
    assert toc.count() >= 4
    last = toc.nth(toc.count() - 1)
    page.evaluate("id => document.getElementById(id).scrollIntoView()", last.get_attribute("href").lstrip("#"))
    page.wait_for_function("el => el.classList.contains('active')", arg=last.element_handle(), timeout=5000)
    first = toc.nth(0)
    first.click()
    page.wait_for_function("id => Math.abs(document.getElementById(id).getBoundingClientRect().top) < 200",
                           arg=first.get_attribute("href").lstrip("#"), timeout=5000)
    # from disk, the search box is hidden (search fetches search.json: browsers refuse that on file://)
    assert page.locator("#quarto-search").count() == 1 and not page.locator("#quarto-search").is_visible()
    page.locator("nav.navbar a.nav-link[href='./smoke.html']").click()
    page.wait_for_url("**/smoke.html")
    page.wait_for_selector(".vega-embed svg.marks", timeout=20000)        # the next page draws its chart
    assert page.locator(".vega-embed svg.marks").count() == 1
    context.close()
    assert errors == [] and context.blocked == [], (errors, context.blocked)


@pytest.mark.quarto
@pytest.mark.skipif(QUARTO is None, reason=NO_QUARTO)
def test_quarto_search_works_when_served(browser, quarto_smoke_site):
    site = quarto_smoke_site[1]
    with _serving(site) as base:
        context = _context(browser, base)
        errors = []
        page = _open(context, base + "index.html", errors, "index.html")
        search = page.locator("#quarto-search")
        assert search.is_visible()
        search.locator("button, .aa-DetachedSearchButton, input").first.click()
        page.keyboard.type("SMOKE-CONTRADICTION")
        page.wait_for_selector(".aa-Item", timeout=10000)
        assert any("methods.html" in (a or "") for a in page.locator(".aa-Item a").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"))
        context.close()
    assert errors == [] and context.blocked == [], (errors, context.blocked)


TABSETS = """
::: {.panel-tabset}
### First tab

Text of the first tab.

### Second tab

Text of the second tab.
:::

::: {.panel-tabset group="lang"}
### Python

Python, first grouped tabset.

### R

R, first grouped tabset.
:::

::: {.panel-tabset group="lang"}
### Python

Python, second grouped tabset.

### R

R, second grouped tabset.
:::
"""


@pytest.mark.quarto
@pytest.mark.skipif(QUARTO is None, reason=NO_QUARTO)
def test_quarto_tabsets_work_from_disk(browser, smoke_site, tmp_path):
    from conftest import copy_workspace, write_fake_processed

    from analysis.report import publish
    from analysis.report.runner import Page
    root = copy_workspace(tmp_path / "ws", notebooks=())
    write_fake_processed(root)
    index = root / "reports" / "index.qmd"
    index.write_text(index.read_text() + "\n## Tabs\n" + TABSETS)
    site = publish.Site([Page("smoke", "notebooks/_smoke.ipynb", "Smoke")], title="Tabs")
    out = publish.publish(smoke_site[0] / "reports" / "_executed", site, tmp_path / "work", root, publisher="quarto",
                          say=None)
    context = _context(browser, out.as_uri() + "/")
    errors = []
    page = _open(context, (out / "index.html").as_uri(), errors, "index.html")
    tabsets = page.locator("div.panel-tabset")
    assert tabsets.count() == 3
    plain = tabsets.nth(0)
    assert plain.get_by_text("Text of the first tab.").is_visible()
    plain.locator(".nav-link").nth(1).click()
    page.wait_for_function("() => [...document.querySelectorAll('.tab-pane')].some("
                           "p => p.textContent.includes('Text of the second tab.') && p.offsetHeight > 0)")
    assert not plain.get_by_text("Text of the first tab.").is_visible()
    tabsets.nth(1).locator(".nav-link").nth(1).click()       # grouped: tabsets.js switches the other one too
    page.wait_for_function("el => el.classList.contains('active')",
                           arg=tabsets.nth(2).locator(".nav-link").nth(1).element_handle(), timeout=5000)
    assert tabsets.nth(2).get_by_text("R, second grouped tabset.").is_visible()
    context.close()
    assert errors == [] and context.blocked == [], (errors, context.blocked)
