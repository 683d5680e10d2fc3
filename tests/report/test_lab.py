"""`make lab` (analysis.report.lab): JupyterLab on notebooks/, as root too, with or without a browser;
and, in a real JupyterLab in headless Chromium, a notebook that runs top to bottom, draws its charts
with the workspace's own Vega bundle, warns of nothing and offers downloads that open."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import webbrowser
from pathlib import Path

import pytest
from chromium import ARGS, CHROMIUM
from conftest import ROOT, copy_workspace

from analysis.report import lab

AS_ROOT = lab.running_as_root()


# --- the command line ---------------------------------------------------------------------

def test_command_as_root_without_a_browser(tmp_path):
    cmd = lab.command(tmp_path, ["--port=8899"], as_root=True, browser=False)
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert cmd[3:] == [f"--ServerApp.root_dir={tmp_path.resolve() / 'notebooks'}", "--allow-root", "--no-browser",
                       "--port=8899"]


def test_command_as_a_user_with_a_browser(tmp_path):
    assert lab.command(tmp_path, as_root=False, browser=True)[3:] == [f"--ServerApp.root_dir={tmp_path.resolve() / 'notebooks'}"]


def test_command_keeps_what_the_user_asked_for(tmp_path):
    cmd = lab.command(tmp_path, ["--browser=firefox", "--allow-root"], as_root=True, browser=False)
    assert cmd[4:] == ["--browser=firefox", "--allow-root"]          # as given, nothing added


def test_no_browser_without_a_display(monkeypatch):
    assert lab.has_browser({}, "linux") is False
    assert lab.has_browser({"BROWSER": "firefox"}, "linux") is True     # the user's own choice

    def none():
        raise webbrowser.Error("could not locate runnable browser")
    monkeypatch.setattr(webbrowser, "get", none)
    assert lab.has_browser({"DISPLAY": ":0"}, "linux") is False
    assert lab.has_browser({}, "darwin") is False
    monkeypatch.setattr(webbrowser, "get", lambda: webbrowser.GenericBrowser("w3m"))   # a text browser
    assert lab.has_browser({"DISPLAY": ":0"}, "linux") is False
    monkeypatch.setattr(webbrowser, "get", lambda: webbrowser.BackgroundBrowser("firefox"))
    assert lab.has_browser({"DISPLAY": ":0"}, "linux") is True


def test_environment_points_the_kernels_at_the_workspace(tmp_path):
    assert lab.environment(tmp_path, {"PATH": "/bin"}) == {"PATH": "/bin", "ANALYSIS_ROOT": str(tmp_path.resolve())}


def test_make_lab_runs_the_launcher_on_this_workspace():
    if shutil.which("make") is None:
        pytest.skip("no make")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER", "CONDA_PREFIX")}
    out = subprocess.run(["make", "-s", "lab", "LAB_ARGS=--dry-run --port=8899"], cwd=ROOT, capture_output=True,
                         text=True, env={**env, "VIRTUAL_ENV": sys.prefix}, timeout=120)
    assert out.returncode == 0, out.stderr
    printed = out.stdout.splitlines()[-1].split()
    assert printed[1:3] == ["-m", "jupyterlab"] and f"--ServerApp.root_dir={ROOT / 'notebooks'}" in printed
    assert ("--allow-root" in printed) is AS_ROOT
    assert "--no-browser" in printed and printed[-1] == "--port=8899"


def test_missing_notebooks_folder_is_named(tmp_path, capsys):
    with pytest.raises(SystemExit):
        lab.main(["--root", str(tmp_path), "--dry-run"])
    assert f"{tmp_path.resolve() / 'notebooks'}: no such folder" in capsys.readouterr().err


# --- a real JupyterLab --------------------------------------------------------------------

NOTEBOOK = "spending_structure"
URL = re.compile(r"(http://127\.0\.0\.1:\d+/)lab\?token=([0-9a-f]+)")
# JupyterLab's own start-up diagnostics on a busy machine (not the notebook's doing)
LAB_TIMING = re.compile(r"^Plugin \S+ (\(with \d+ dependants\) took [\d.]+ms|is taking too long) to activate\.$")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> list[int]:
    """Processes started by `pid`, its children's children, ... (Linux /proc; elsewhere none)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


class LabServer:
    """`make lab` in a workspace copy, in a session of its own; `stop()` ends it and its kernels."""

    def __init__(self, root: Path, home: Path):
        env = {k: v for k, v in os.environ.items() if k not in (
            "DISPLAY", "WAYLAND_DISPLAY", "BROWSER", "ANALYSIS_ROOT", "ANALYSIS_SITE_BUILD", "ANALYSIS_PAGE",
            "ANALYSIS_DOWNLOADS_DIR", "JPY_SESSION_NAME", "CONDA_PREFIX")}
        env.update(VIRTUAL_ENV=sys.prefix,                    # the Makefile's $(PYTHON): this environment
                   JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
                   JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_PLATFORM_DIRS="0")
        self.lines: list[str] = []
        self.proc = subprocess.Popen(["make", "lab", f"LAB_ARGS=--port={_free_port()}"], cwd=root, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        self.started: set[int] = set()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def url(self, timeout: float = 240) -> tuple[str, str]:
        """(base URL, token) as `make lab` prints them."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.started.update(_descendants(self.proc.pid))
            for line in list(self.lines):
                if m := URL.search(line):
                    return m.group(1), m.group(2)
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        raise AssertionError("make lab printed no URL with a token:\n" + "\n".join(self.lines[-40:]))

    def stop(self) -> list[int]:
        """SIGTERM to the server's process group (Jupyter then shuts its kernels down); SIGKILL what
        is left of the processes it started. Returns the pids that needed SIGKILL."""
        self.started.update(_descendants(self.proc.pid))
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
        end = time.monotonic() + 20
        while time.monotonic() < end and any(_alive(p) for p in self.started):
            time.sleep(0.5)
        killed = [p for p in self.started | {self.proc.pid} if _alive(p)]
        for pid in killed:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=10)
        return killed


def _run_all_cells(page) -> None:
    """Accept the kernel JupyterLab proposes (the notebooks carry no kernelspec), then Run > Run All Cells."""
    page.wait_for_function("""() => document.querySelector('.jp-Dialog .jp-mod-accept') ||
        (document.querySelector('.jp-NotebookPanel-toolbar .jp-KernelName')?.textContent.includes('Python 3') &&
         document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle')""", timeout=180_000)
    if page.locator(".jp-Dialog .jp-mod-accept").count():
        page.click(".jp-Dialog .jp-mod-accept")
    page.wait_for_function("""() => document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status
        === 'idle'""", timeout=180_000)
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    page.wait_for_function("""() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
        return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)) &&
          document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle'; }""",
                           timeout=900_000, polling=500)


@pytest.mark.slow
@pytest.mark.browser
def test_make_lab_runs_a_notebook_with_charts_and_downloads(tmp_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright Python package is not installed (pip install playwright)")
    if CHROMIUM is None:
        pytest.skip("no Chromium found (/usr/bin/chromium); scripts/ensure-browser.sh installs Debian's chromium")
    if shutil.which("make") is None:
        pytest.skip("no make")
    root = copy_workspace(tmp_path / "ws", notebooks=(f"{NOTEBOOK}.ipynb", f"{NOTEBOOK}.py", "jupytext.toml"))
    shutil.copyfile(ROOT / "Makefile", root / "Makefile")
    from analysis.sources import extract
    extract.run(root)
    before = {p for p in (root / "notebooks").rglob("*") if p.is_file()}

    server = LabServer(root, tmp_path / "jupyter")
    console, blocked = [], []
    try:
        base, token = server.url()
        printed = "\n".join(server.lines)
        assert f"JupyterLab on {root / 'notebooks'}" in printed and "--no-browser" in printed
        assert ("--allow-root" in printed) is AS_ROOT          # as root: started all the same
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)

            def route(r):
                if r.request.url.startswith(base) or r.request.url.startswith(("data:", "blob:", "about:")):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()
            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("warning", "error")
                    and not LAB_TIMING.match(m.text) else None)
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            page.goto(f"{base}lab/tree/{NOTEBOOK}.ipynb?token={token}")
            _run_all_cells(page)

            failed = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            assert failed.count() == 0, failed.all_inner_texts()
            charts = page.locator(".analysis-chart").count()
            assert charts >= 5
            page.wait_for_function("n => document.querySelectorAll('.analysis-chart svg.marks').length"
                                   " + document.querySelectorAll('.analysis-chart-error').length >= n",
                                   arg=charts, timeout=60_000)
            assert page.locator(".analysis-chart svg.marks").count() == charts
            assert page.locator(".jp-RenderedVegaLite").count() == 0    # not Lab's Vega-Lite 5 renderer
            bundle = page.get_attribute("#analysis-vega-bundle", "src")
            assert bundle.startswith(f"{base}files/assets/vega-bundle.js"), bundle

            link = page.locator(".analysis-download a").first
            href = link.get_attribute("href")               # rewritten by Lab: /files/ + the notebook's folder
            assert href.startswith(f"{base}files/downloads/{NOTEBOOK}/") and ".csv" in href, href
            written = root / "notebooks" / "downloads" / NOTEBOOK / href.split("/")[-1].split("?")[0]
            response = context.request.get(href)
            assert response.status == 200 and response.body() == written.read_bytes()
            with page.expect_download() as download:
                link.click()
            assert download.value.suggested_filename == written.name
            page.wait_for_timeout(1000)                     # late messages
            browser.close()
    finally:
        killed = server.stop()
    assert blocked == [], f"requests to the web: {blocked}"
    assert console == [], console
    assert killed == [], f"still running after SIGTERM: {killed}"
    assert not any(_alive(pid) for pid in server.started)
    # what the notebook wrote sits in the two folders .gitignore ignores (test_offline.py)
    new = sorted(str(p.relative_to(root / "notebooks")) for p in (root / "notebooks").rglob("*")
                 if p.is_file() and p not in before and ".ipynb_checkpoints" not in p.parts)
    assert new and all(n.startswith(("assets/", f"downloads/{NOTEBOOK}/")) for n in new), new
