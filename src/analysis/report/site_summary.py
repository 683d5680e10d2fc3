"""What a published site offers a reader, publisher-neutral: to check that Quarto and nbconvert
publish the same site (tests/report/test_publish.py, benchmarks/bench_publish.py).

    summarise(site_dir) -> {"pages": [...], "nav": {page: [...]}, "charts": {page: n},
                            "downloads": [...], "links": {page: [...]}}

- pages: the HTML pages at the top of the site (index.html, <page>.html, data-downloads.html)
- nav: per page the entries of its navigation bar in order: ("link", text, href) for a link,
  ("menu", text, "") for the head of a dropdown; hrefs without a leading "./"
- charts: per page the chart containers (<div class="analysis-chart">)
- downloads: the files below downloads/ and data/
- links: per page the links to those files
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

FILE_DIRS = ("downloads", "data")
_CHART = re.compile(r'<div\b[^>]*\bclass="analysis-chart"[^>]*>')


class _Nav(HTMLParser):
    """The entries of the first site navigation bar (nbconvert: nav.site-nav, Quarto: nav.navbar)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.entries: list[tuple[str, str, str]] = []
        self.links: list[str] = []
        self._depth = 0          # >0 inside the navigation bar
        self._done = False
        self._open: list = []    # [kind, href, text parts, depth] of the <a>/<summary> being read

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "nav" and not self._done and self._depth == 0:
            classes = (a.get("class") or "").split()
            if "site-nav" in classes or "navbar" in classes:
                self._depth = 1
                return
        if not self._depth:
            return
        if tag == "nav":
            self._depth += 1
        classes = (a.get("class") or "").split()
        if tag == "summary" or (tag == "a" and "dropdown-toggle" in classes):
            self._open.append(["menu", "", [], tag])
        elif tag == "a" and a.get("href") and not {"navbar-brand", "site-title"} & set(classes):
            self._open.append(["link", a["href"].removeprefix("./"), [], tag])

    def handle_endtag(self, tag):
        if not self._depth:
            return
        if self._open and self._open[-1][3] == tag:
            kind, href, text, _ = self._open.pop()
            self.entries.append((kind, " ".join("".join(text).split()), href))
        if tag == "nav":
            self._depth -= 1
            self._done = self._depth == 0

    def handle_data(self, data):
        if self._depth and self._open:
            self._open[-1][2].append(data)


def page_nav(html: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(navigation entries, every link href) of one page."""
    parser = _Nav()
    parser.feed(html)
    return parser.entries, parser.links


def summarise(site_dir: Path) -> dict:
    """The pages, navigation, charts and downloads of the site in `site_dir` (see the module doc)."""
    site_dir = Path(site_dir)
    pages = sorted(p.name for p in site_dir.glob("*.html"))
    nav, charts, links = {}, {}, {}
    for name in pages:
        text = (site_dir / name).read_text(encoding="utf-8", errors="replace")
        entries, hrefs = page_nav(text)
        nav[name] = entries
        charts[name] = len(_CHART.findall(text))
        links[name] = sorted({h.removeprefix("./") for h in hrefs
                              if h.removeprefix("./").split("/")[0] in FILE_DIRS})
    downloads = sorted(str(p.relative_to(site_dir)) for folder in FILE_DIRS
                       for p in (site_dir / folder).rglob("*") if p.is_file())
    return {"pages": pages, "nav": nav, "charts": charts, "downloads": downloads, "links": links}
