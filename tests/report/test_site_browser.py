"""The published site in headless Chromium: every page loads without the network, draws its
charts and logs no error. Opened as file:// (as the README says) and from a local http server."""
import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")) if p
                 and Path(p).exists()), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright Python package is not installed (pip install playwright)")
    if CHROMIUM is None:
        pytest.skip("no Chromium found (/usr/bin/chromium); scripts/ensure-browser.sh installs Debian's chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def served(smoke_site):
    """reports/_site of the smoke site on http://127.0.0.1:<port>/."""
    site = smoke_site[0] / "reports" / "_site"
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _visit(browser, base: str, pages: list[str]) -> tuple[dict, list[str], list[str]]:
    """Open every page with all non-local requests aborted; return charts per page, errors, blocked."""
    context = browser.new_context()
    blocked, errors = [], []

    def route(r):
        url = r.request.url
        if url.startswith(base) or url.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    context.route("**/*", route)
    charts = {}
    for name in pages:
        page = context.new_page()
        page.on("console", lambda m, name=name: errors.append(f"{name}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e, name=name: errors.append(f"{name}: {e}"))
        page.on("requestfailed", lambda r, name=name: None if r.url in blocked else errors.append(
            f"{name}: request failed {r.url}"))
        page.goto(base + name)
        page.wait_for_load_state("load")
        expected = page.locator(".analysis-chart").count()
        if expected:  # every chart placeholder becomes a drawn Vega view (or shows its error)
            page.wait_for_function(
                "n => document.querySelectorAll('.vega-embed svg.marks, .vega-embed canvas').length"
                " + document.querySelectorAll('.analysis-chart-error').length >= n", arg=expected, timeout=20000)
        drawn = page.locator(".vega-embed svg.marks, .vega-embed canvas").count()
        charts[name] = (expected, drawn)
        assert page.locator("nav a[href='index.html']").count() >= 1 or page.locator(
            "a[href='index.html']").count() >= 1, f"{name}: no link to the overview"
        page.close()
    context.close()
    return charts, errors, blocked


@pytest.mark.parametrize("how", ["file", "http"])
def test_every_page_draws_its_charts_offline(browser, smoke_site, served, how):
    site = smoke_site[0] / "reports" / "_site"
    pages = sorted(p.name for p in site.glob("*.html"))
    assert {"index.html", "smoke.html", "methods.html", "data-downloads.html"} <= set(pages)
    base = site.as_uri() + "/" if how == "file" else served
    charts, errors, blocked = _visit(browser, base, pages)
    assert blocked == [], f"requests to the web: {blocked}"
    assert errors == [], errors
    assert sum(drawn for _, drawn in charts.values()) >= 5       # smoke x4 and methods
    for name, (expected, drawn) in charts.items():
        assert drawn == expected, f"{name}: {drawn} of {expected} charts drawn"
    assert charts["smoke.html"] == (1, 1) and charts["methods.html"] == (1, 1)
