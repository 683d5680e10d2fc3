"""Execute notebooks with Papermill: the pages that read all data in min(jobs, pages) lanes
(`lanes`: longest first, balanced by the seconds of the last build), the pages that read one
municipality (the profiles) in min(jobs, pages) batches (`batches`); each lane or batch is one
child process and one kernel that runs its pages one after another (`run_batch`,
analysis.report.batch: the kernel is reset between pages, so a page's outputs are those of a run
alone). `run_one` runs one page in a Papermill process of its own.

Each run gets its parameters from a YAML file (``papermill -f``: types are kept as written,
nothing is guessed) and a kernel that is this interpreter (a private ``python3`` kernelspec
whose argv is `sys.executable`). After each run the output notebook is checked for
``metadata.papermill.exception`` and for error outputs; the first failure stops the others and
raises `NotebookError` naming the notebook, the parameters, the cell and the error.

A papermill child ends with the build, however the build ends (kill -9 included): it asks the
system for SIGTERM when its parent goes (Linux `PR_SET_PDEATHSIG`, elsewhere a watchdog thread),
and its kernel follows it (ipykernel's parent poller). A child stopped by the build is ended with
its kernel before the build cleans up.
"""
from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat
import yaml

from analysis.api import NO_EXTRACT_ENV
from analysis.contract import lock
from analysis.contract.errors import InputError, Problem

KERNEL = "python3"
# jsonschema (used by nbformat and Altair) imports the optional rfc3987_syntax, which compiles a
# grammar for ~2 s in every process; the children skip it (only jsonschema's 'iri' format check
# is lost). Otherwise these are `python -m papermill` and `python -m ipykernel_launcher`.
_SKIP_SLOW = "import sys; sys.modules.setdefault('rfc3987_syntax', None); "
ENV_PARENT = "ANALYSIS_BUILD_PID"  # the build process a papermill child lives and dies with
# End this process when the build ends (also after kill -9 of the build).
_LIFELINE = """
import os, signal, threading, time
def _lifeline(parent):
    try:
        import ctypes
        if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM) != 0:  # PR_SET_PDEATHSIG
            raise OSError
    except Exception:
        def watch():
            while os.getppid() == parent:
                time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGTERM)
        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)
if os.environ.get(%r):
    _lifeline(int(os.environ[%r]))
""" % (ENV_PARENT, ENV_PARENT)
PAPERMILL_CMD = ["-c", _SKIP_SLOW + _LIFELINE + "from papermill.cli import papermill; papermill(prog_name='papermill')"]
KERNEL_CMD = ["-c", _SKIP_SLOW + "sys.path[:1] = [] if sys.path[:1] == [''] else sys.path[:1]; "
              "from ipykernel import kernelapp; kernelapp.launch_new_instance()"]
IGNORED_TAGS = {"injected-parameters", "papermill-error-cell-tag"}  # cells papermill adds
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def workspace_root(root: Path | str | None = None) -> Path:
    """`root`, else $ANALYSIS_ROOT, else this checkout (via analysis.paths when present)."""
    try:
        from analysis.contract import paths
    except ImportError:
        paths = None
    if paths is not None and hasattr(paths, "root"):
        return Path(paths.root(root)).resolve()
    if root:
        return Path(root).resolve()
    env = os.environ.get("ANALYSIS_ROOT")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[3]


@dataclass
class Page:
    """One notebook run = one page of the site (`<name>.html`)."""

    name: str
    notebook: str                      # relative to the workspace root
    title: str
    nav: str | None = None             # navbar text (default: title)
    section: str | None = None         # heading on the overview page
    menu: str | None = None            # navbar dropdown holding this page
    description: str | None = None
    parameters: dict = field(default_factory=dict)
    reads: str = "all"                 # what it reads of data/processed/: all, or municipality (analysis.report.incremental)
    entry: int | None = field(default=None, repr=False, compare=False)  # index in the config's pages

    @property
    def html(self) -> str:
        return f"{self.name}.html"

    def parameter_text(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.parameters.items()) or "(notebook defaults)"


@dataclass
class Result:
    page: Page
    output: Path
    seconds: float | None               # None: reused from an earlier build
    reused: bool = False


@dataclass
class Failure:
    page: Page
    ename: str
    evalue: str
    cell: int | None = None             # 1-based, as in the source notebook
    source: str | None = None           # first line of the cell
    kept: Path | None = None            # the failed output notebook, for its traceback
    seconds: float = 0.0

    def message(self) -> str:
        lines = [f"notebook failed: {self.page.notebook} (page '{self.page.name}')",
                 f"  parameters: {self.page.parameter_text()}"]
        if self.cell is not None:
            lines.append(f"  cell {self.cell} (counting cells from 1): {self.source or ''}")
        lines.append(f"  error: {self.ename}: {self.evalue}")
        if self.kept is not None:
            lines.append(f"  executed notebook with the traceback: {self.kept}")
        return "\n".join(lines)


class NotebookError(InputError):
    """A notebook raised or showed an error output."""

    def __init__(self, failure: Failure):
        self.failure = failure
        super().__init__(Problem(failure.page.notebook, failure.message()))

    def _format(self) -> str:
        return self.failure.message()


def failure_of(path: Path, page: Page) -> Failure | None:
    """The first error in an executed notebook, or None when it ran cleanly."""
    nb = nbformat.read(path, as_version=4)
    index = 0
    for cell in nb.cells:
        if IGNORED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        index += 1
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                first = next((ln.strip() for ln in cell.source.splitlines() if ln.strip()), "")
                return Failure(page, out.get("ename", "Error"), _ANSI.sub("", str(out.get("evalue", ""))),
                               cell=index, source=first)
    if nb.metadata.get("papermill", {}).get("exception"):
        return Failure(page, "papermill", "metadata.papermill.exception is set but no cell shows the error")
    return None


def _output_failure(out: Path, page: Page) -> Failure | None:
    """`failure_of` an executed notebook, if it was written (an unreadable one is a failure too)."""
    if not out.exists():
        return None
    try:
        return failure_of(out, page)
    except Exception as exc:  # unreadable output notebook
        return Failure(page, type(exc).__name__, str(exc))


def parameter_names(notebook: Path) -> list[str] | None:
    """The names the cell tagged `parameters` of an .ipynb assigns, in order; None when the
    notebook has no such cell or it is not plain Python."""
    import ast
    nb = nbformat.read(notebook, as_version=4)
    cell = next((c for c in nb.cells if c.cell_type == "code" and "parameters" in c.get("metadata", {}).get("tags", [])),
                None)
    if cell is None:
        return None
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return None
    names: list[str] = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for t in targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name) and n.id not in names:
                    names.append(n.id)
    return names


def write_kernelspec(jupyter_dir: Path) -> Path:
    """A `python3` kernelspec that starts this very interpreter (put its folder on JUPYTER_PATH)."""
    spec_dir = Path(jupyter_dir) / "kernels" / KERNEL
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-Xfrozen_modules=off", *KERNEL_CMD, "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return spec_dir


def child_env(root: Path, page: Page, downloads: Path, jupyter_dir: Path) -> dict:
    env = dict(os.environ)
    package_parent = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(jupyter_dir), env.get("JUPYTER_PATH")) if p)
    env["ANALYSIS_ROOT"] = str(root)
    env["ANALYSIS_PAGE"] = page.name
    env["ANALYSIS_DOWNLOADS_DIR"] = str(downloads)
    env["ANALYSIS_SITE_BUILD"] = "1"
    env[NO_EXTRACT_ENV] = "1"            # the kernels read data/processed/ as the build left it
    env[lock.ENV_HOLDER] = str(os.getpid())
    env[ENV_PARENT] = str(os.getpid())
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def _kill(proc: subprocess.Popen) -> None:
    """Stop a papermill child and its kernel (each in its own process group) and wait until they
    are gone, so that nothing writes into the stage once the build cleans it up."""
    try:
        import psutil
        family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    except Exception:  # psutil missing or the child already gone
        family = []
    groups = {proc.pid}
    for member in family:
        try:
            groups.add(os.getpgid(member.pid))
        except OSError:
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for group in groups:
            try:
                os.killpg(group, sig)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue
        if family:
            _, alive = psutil.wait_procs(family, timeout=10)
            if alive:
                continue
        return


def _tail(path: Path) -> str:
    """The exception line of a crashed papermill's log (or its last line), shortened."""
    try:
        lines = [ln.strip() for ln in _ANSI.sub("", path.read_text(encoding="utf-8", errors="replace")).splitlines()
                 if ln.strip()]
    except OSError:
        return ""
    errors = [ln for ln in lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt)\b", ln)]
    line = (errors or lines or [""])[-1]
    return line if len(line) <= 300 else line[:297] + "..."


def run_one(page: Page, root: Path, out_dir: Path, work_dir: Path, kernel: str = KERNEL,
            stop: threading.Event | None = None, timeout: int | None = None,
            extra_env: dict | None = None) -> tuple[float, Failure | None] | None:
    """Execute one page into out_dir/<name>.ipynb; return (seconds, failure) or None if stopped."""
    src = (root / page.notebook).resolve()
    out = out_dir / f"{page.name}.ipynb"
    params = work_dir / "params" / f"{page.name}.yml"
    log = work_dir / "logs" / f"{page.name}.log"
    downloads = out_dir / "downloads" / page.name
    for d in (params.parent, log.parent, downloads):
        d.mkdir(parents=True, exist_ok=True)
    params.write_text(yaml.safe_dump(page.parameters, allow_unicode=True, sort_keys=False), encoding="utf-8")
    cmd = [sys.executable, *PAPERMILL_CMD, str(src), str(out), "-f", str(params), "-k", kernel,
           "--cwd", str(src.parent), "--no-progress-bar", "--log-level", "WARNING"]
    if timeout:
        cmd += ["--execution-timeout", str(timeout)]
    env = {**child_env(root, page, downloads, work_dir / "jupyter"), **(extra_env or {})}
    t0 = time.perf_counter()
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, cwd=src.parent, start_new_session=True)
        while True:
            try:
                rc = proc.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if stop is not None and stop.is_set():
                    _kill(proc)
                    return None
    seconds = time.perf_counter() - t0
    failure = _output_failure(out, page)
    if failure is None and (rc != 0 or not out.exists()):
        failure = Failure(page, "papermill", f"exited with code {rc}: {_tail(log)}")
    if failure is not None:
        failure.seconds = seconds
    return seconds, failure


BATCH_CMD = ["-c", _SKIP_SLOW + _LIFELINE + "from analysis.report.batch import main; main()"]


def batches(pages: list[Page], jobs: int) -> list[list[Page]]:
    """The units of work: the pages of one notebook that read one municipality (the profiles) in
    min(jobs, pages) batches of consecutive pages, each other page on its own; in the order of
    their first page (the config's: the comparison pages, often the longest single runs, first)."""
    groups: dict[str, list[Page]] = {}
    units: list[list[Page]] = []
    for p in pages:
        if p.reads != "municipality":
            units.append([p])
        elif p.notebook not in groups:
            groups[p.notebook] = [p]
            units.append(groups[p.notebook])     # placeholder: split below
        else:
            groups[p.notebook].append(p)
    out: list[list[Page]] = []
    for unit in units:
        if unit[0].reads != "municipality":
            out.append(unit)
            continue
        n = max(1, min(jobs, len(unit)))
        size, extra = divmod(len(unit), n)
        at = 0
        for i in range(n):
            take = size + (i < extra)
            out.append(unit[at:at + take])
            at += take
    return out


def _read_events(path: Path, offset: int) -> tuple[list[dict], int]:
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except OSError:
        return [], offset
    complete = data[:data.rfind(b"\n") + 1]
    lines = [json.loads(ln) for ln in complete.decode("utf-8").splitlines() if ln.strip()]
    return lines, offset + len(complete)


def run_batch(pages: list[Page], root: Path, out_dir: Path, work_dir: Path, emit: Callable,
              kernel: str = KERNEL, stop: threading.Event | None = None, timeout: int | None = None,
              extra_env: dict | None = None, index: int = 0) -> None:
    """Execute `pages` (notebooks of one folder, the kernel's working folder) in one child process
    with one kernel (analysis.report.batch).

    Calls emit(page, (seconds, failure)) as each page finishes, emit(page, None) for the page
    that was running when `stop` was set; pages after a failure are not run (and not emitted)."""
    src = (root / pages[0].notebook).resolve()
    batch_dir = work_dir / "batches"
    batch_dir.mkdir(parents=True, exist_ok=True)
    spec_file, events = batch_dir / f"batch-{index}.json", batch_dir / f"batch-{index}.events"
    log = work_dir / "logs" / f"batch-{index}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    events.unlink(missing_ok=True)
    entries, by_name = [], {}
    for page in pages:
        params = work_dir / "params" / f"{page.name}.yml"
        downloads = out_dir / "downloads" / page.name
        for d in (params.parent, downloads):
            d.mkdir(parents=True, exist_ok=True)
        params.write_text(yaml.safe_dump(page.parameters, allow_unicode=True, sort_keys=False), encoding="utf-8")
        env = child_env(root, page, downloads, work_dir / "jupyter")
        entries.append({"name": page.name, "input": str((root / page.notebook).resolve()),
                        "output": str(out_dir / f"{page.name}.ipynb"),
                        "params": str(params), "env": {k: env[k] for k in PAGE_ENV}})
        by_name[page.name] = page
    spec_file.write_text(json.dumps({"kernel": kernel, "cwd": str(src.parent), "timeout": timeout,
                                     "events": str(events), "pages": entries}), encoding="utf-8")
    env = {**child_env(root, pages[0], out_dir / "downloads" / pages[0].name, work_dir / "jupyter"),
           **(extra_env or {})}
    running, done, offset = None, set(), 0

    def handle(ev: dict) -> None:
        nonlocal running
        if "start" in ev:
            running = ev["start"]
            return
        page = by_name[ev["done"]]
        running = None
        done.add(page.name)
        out = out_dir / f"{page.name}.ipynb"
        failure = _output_failure(out, page)
        if failure is None and (ev.get("error") or not out.exists()):
            failure = Failure(page, "papermill", ev.get("error") if ev.get("error") not in (None, "cell")
                              else "no output notebook was written")
        if failure is not None:
            failure.seconds = ev["seconds"]
        emit(page, (ev["seconds"], failure))

    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, *BATCH_CMD, str(spec_file)], stdout=fh, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, cwd=src.parent, start_new_session=True)
        while True:
            try:
                rc = proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                rc = None
                if stop is not None and stop.is_set():
                    _kill(proc)
                    evs, offset = _read_events(events, offset)
                    for ev in evs:
                        handle(ev)
                    if running is not None:
                        emit(by_name[running], None)
                    return
            evs, offset = _read_events(events, offset)
            for ev in evs:
                handle(ev)
            if rc is not None:
                break
    if rc != 0 and running is None and len(done) == 0:  # the child failed before its first page
        running = pages[0].name
    if running is not None:  # the child (or its kernel) died during this page
        page = by_name[running]
        emit(page, (0.0, Failure(page, "papermill", f"exited with code {rc}: {_tail(log)}")))
    elif rc == 0 and len(done) < len(pages):
        page = next(p for p in pages if p.name not in done)
        emit(page, (0.0, Failure(page, "papermill", f"the batch ended before this page ran: {_tail(log)}")))


PAGE_ENV = ("ANALYSIS_PAGE", "ANALYSIS_DOWNLOADS_DIR")  # what differs between the pages of a batch

# What a page is expected to take when the last build did not record it (seconds in one kernel
# that runs several pages; only the order of the figures matters): comparison pages read and draw
# everything, a profile one municipality.
ESTIMATE = {"all": 4.0, "municipality": 1.0}


def lanes(pages: list[Page], jobs: int, seconds: dict | None = None) -> list[list[Page]]:
    """The units of work: min(jobs, pages) lanes, each run by one child process with one kernel
    (`run_batch`), so the kernel start, the imports and `analysis.load()` are paid once per lane,
    not once per page. Pages go to lanes longest first, each to the lane with the least work so
    far (`seconds`: a page's seconds in the last build, else `ESTIMATE`); within a lane the
    longest run first, the pages of one notebook folder next to each other (the kernel's working
    folder: `work` runs each folder's pages as a batch of their own)."""
    if not pages:
        return []
    order = {p.name: i for i, p in enumerate(pages)}

    def cost(p: Page) -> float:
        s = (seconds or {}).get(p.name)
        return float(s) if isinstance(s, (int, float)) and s >= 0 else ESTIMATE.get(p.reads, ESTIMATE["all"])

    n = max(1, min(jobs, len(pages)))
    loads, out = [0.0] * n, [[] for _ in range(n)]
    for p in sorted(pages, key=lambda p: (-cost(p), order[p.name])):
        i = min(range(n), key=lambda k: (loads[k], k))
        out[i].append(p)
        loads[i] += cost(p)
    folder = {}
    for lane in out:
        for p in lane:
            folder.setdefault(str(Path(p.notebook).parent), len(folder))
    return [sorted(lane, key=lambda p: folder[str(Path(p.notebook).parent)]) for lane in out]


def _by_folder(lane: list[Page]) -> list[list[Page]]:
    """Consecutive pages of a lane whose notebooks share a folder (one kernel working folder)."""
    runs: list[list[Page]] = []
    for p in lane:
        if runs and Path(runs[-1][0].notebook).parent == Path(p.notebook).parent:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def execute(pages: list[Page], out_dir: Path, root: Path | None = None, jobs: int = 1,
            progress: Callable[[str], None] | None = print, work_dir: Path | None = None,
            failed_dir: Path | None = None, kernel: str = KERNEL, timeout: int | None = None,
            stopped: list[str] | None = None, extra_env: dict | None = None, executor: str = "local",
            fingerprints: dict | None = None, seconds: dict | None = None,
            on_done: Callable[[Result], None] | None = None) -> list[Result]:
    """Run every page (up to `jobs` processes at once) into out_dir; raise NotebookError on the
    first failure.

    executor: "local" (a thread pool) or "dask" (a local Dask cluster, each unit of work a task
    keyed by its pages' `fingerprints`: analysis.report.dask_executor).

    The pages that read all data run in min(jobs, pages) lanes (`lanes`; `seconds`: each page's
    seconds in the last build, to balance them), then the pages that read one municipality (the
    profiles) in min(jobs, pages) batches (`batches`); each lane or batch is one child process
    with one kernel (`run_batch`, analysis.report.batch); `on_done(result)` is called as each page has run cleanly (the build
    renders its HTML then: publish.EarlyPages). Progress: one line per finished page, e.g. ``[3/9] spending 12.3s ok``. A failed
    output notebook is copied to `failed_dir` (when given) so its traceback can be read. A
    failure, an exception or Ctrl-C stops the notebooks still running (with their kernels) before
    this returns or raises; the pages that were running are appended to `stopped`.
    """
    root = workspace_root(root)
    out_dir = Path(out_dir)
    work_dir = Path(work_dir) if work_dir else out_dir / ".work"
    out_dir.mkdir(parents=True, exist_ok=True)
    missing = [p for p in pages if not (root / p.notebook).is_file()]
    if missing:
        raise InputError(f"notebook not found (page '{missing[0].name}')", path=root / missing[0].notebook)
    write_kernelspec(work_dir / "jupyter")
    stop = threading.Event()
    events: queue.Queue = queue.Queue()
    results: dict[str, Result] = {}
    failure: Failure | None = None
    done_count = 0
    halted: list[str] = []

    def emit(page, outcome):
        events.put((page, outcome))

    def record(page: Page, outcome) -> Failure | None:
        """Count and print a page that ended (outcome (seconds, failure)) or note one that was stopped (None)."""
        nonlocal done_count
        if outcome is None:
            halted.append(page.name)
            return None
        seconds, fail = outcome
        done_count += 1
        if progress:
            progress(f"[{done_count}/{len(pages)}] {page.name} {seconds:.1f}s {'FAILED' if fail else 'ok'}")
        return fail

    def work(unit: list[Page], index: int) -> None:
        for k, run in enumerate(_by_folder(unit)):
            if stop.is_set():
                return
            run_batch(run, root, out_dir, work_dir, emit, kernel, stop, timeout, extra_env, index * 1000 + k)

    # the pages that read everything in lanes of their own; the profiles in their batches (a profile
    # run in a kernel after the spending and indicators pages took several times as long)
    units = lanes([p for p in pages if p.reads != "municipality"], jobs, seconds) + \
        batches([p for p in pages if p.reads == "municipality"], jobs)
    if executor == "dask":
        from analysis.report import dask_executor
        pool = dask_executor.DaskPool(jobs)
        futures = [pool.submit(work, unit, i, key=dask_executor.task_key([p.name for p in unit], fingerprints))
                   for i, unit in enumerate(units)]
    elif executor == "local":
        pool = ThreadPoolExecutor(max_workers=max(1, jobs))
        futures = [pool.submit(work, unit, i) for i, unit in enumerate(units)]
    else:
        raise ValueError(f"unknown executor {executor!r}: expected 'local' or 'dask'")
    try:
        while failure is None and done_count < len(pages):
            try:
                page, outcome = events.get(timeout=0.2)
            except queue.Empty:
                for fut in futures:
                    if fut.done() and fut.exception() is not None:
                        raise fut.exception()
                if all(f.done() for f in futures) and events.empty():
                    break
                continue
            fail = record(page, outcome)
            if fail and failure is None:
                failure = fail
            elif outcome is not None and not fail:
                results[page.name] = Result(page, out_dir / f"{page.name}.ipynb", outcome[0])
                if on_done is not None:
                    on_done(results[page.name])
    finally:  # a failure, an exception or Ctrl-C: stop the rest and wait for them
        stop.set()
        for fut in futures:
            fut.cancel()
        pool.shutdown(wait=True)
        while not events.empty():  # pages that ended while stopping are still named in the progress
            record(*events.get())
        if stopped is not None:
            stopped += halted
    if failure is not None:
        if failed_dir is not None and (out_dir / f"{failure.page.name}.ipynb").exists():
            failed_dir = Path(failed_dir)
            failed_dir.mkdir(parents=True, exist_ok=True)
            kept = failed_dir / f"{failure.page.name}.ipynb"
            kept.write_bytes((out_dir / f"{failure.page.name}.ipynb").read_bytes())
            failure.kept = kept
        raise NotebookError(failure)
    missing = [p.name for p in pages if p.name not in results]
    if missing:
        raise RuntimeError(f"pages not run: {', '.join(missing)}")
    return [results[p.name] for p in pages]
