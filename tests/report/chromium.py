"""The headless Chromium the browser tests share: where it is, how it starts, a `browser` fixture.

Test modules import the fixture (`from chromium import browser`); it skips with the reason when
Playwright or Chromium is missing (scripts/ensure-browser.sh installs Debian's chromium).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")) if p
                 and Path(p).exists()), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


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
