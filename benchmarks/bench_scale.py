#!/usr/bin/env python3
"""Scaling benchmark: the build with N municipalities, side by side in one run.

    .venv/bin/python benchmarks/bench_scale.py                 # N = 7 (the real ones), 50 and 500; builds up to 50
    .venv/bin/python benchmarks/bench_scale.py 7 50            # only N = 7 and 50
    .venv/bin/python benchmarks/bench_scale.py --max-build-n 500 --build-timeout 7200   # the N=500 build too
    .venv/bin/python benchmarks/bench_scale.py --report-only   # the table of the last results

For every N it copies this checkout's tracked files into <workdir>/ws<N> (a throwaway copy under
the temp dir, never the repository's data/), adds N-7 synthetic municipalities with
benchmarks/synth.py (the README's way: ~100 products x 3 phases x 2 years, 30 indicators and 10
goals each), runs the copy's own code (PYTHONPATH=<copy>/src, this interpreter) and measures,
each step in a fresh process tree:

  extract     `analysis extract` (cold: no data/processed/)
  validate    `analysis validate` (all municipalities)
  build       `analysis build` from clean (no data/processed/, no site), -j = the cores
  nochange    the same again with nothing changed
  one_table   after one amount of one municipality's table (Kiel's budget file) changed
  newline     after a newline added to one curated goals file (Segeberg's)

plus the per-profile cost (mean seconds of a profile page in the build, and the build's extra
seconds per extra municipality against the smallest N), the largest page and the floor (nine
runs of a two-cell notebook that imports pandas and altair and draws one chart, divided by the
cores). Per step: wall and CPU seconds (user+sys of the whole tree) and the peak of the summed
RSS of the tree (sampled every 0.2 s). CPU seconds are the robust figure on a shared machine.
Results go to --results (JSON); the table shows ratios to the smallest N (the real ones) and, per
N, the rebuilds as a share of the full build. Every row is printed for every N: a figure that was
not measured (no build above --max-build-n, a step killed by --build-timeout / --step-timeout, a
step after a failed one) says "not measured" (or "timeout"), never a left-out row.

For N above --max-build-n the build is not run; instead the inputs of a no-change rebuild
(cold and warm) and a few profile pages (--profile-samples, run the way the build runs them) are
measured, which gives the per-profile cost at that N.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable
REAL = 7  # the real municipalities of data/municipalities/
PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] (\S+) ([\d.]+)s (ok|FAILED)")

WRAP = textwrap.dedent("""
    import json, resource, subprocess, sys, time
    out, cmd = sys.argv[1], sys.argv[2:]
    t0 = time.perf_counter()
    rc = subprocess.call(cmd)
    wall = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    json.dump({"rc": rc, "wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "maxrss_mb": ru.ru_maxrss / 1024},
              open(out, "w"))
""")

# For N too large to build here: what a no-change rebuild costs before it decides that nothing
# changed (the staleness check, the config, the digests of data/processed/ and the profiles'
# standing), cold (computing them) and warm (from reports/.cache/, as in a no-change rebuild).
INPUTS_CHILD = textwrap.dedent("""
    import json, sys, time
    sys.modules.setdefault("rfc3987_syntax", None)
    from pathlib import Path
    from analysis.report import build
    from analysis.sources import extract
    root = Path(sys.argv[1])
    t0 = time.perf_counter()
    stale = extract.is_stale(root)
    t1 = time.perf_counter()
    pages = build.load_config(None, root).site.pages
    inputs = build.Inputs.of(root, pages)
    prints = [inputs.fingerprint(p) for p in pages]
    t2 = time.perf_counter()
    print(json.dumps({"stale": stale, "is_stale_s": round(t1 - t0, 2), "inputs_s": round(t2 - t1, 2),
                      "pages": len(pages)}))
""")

# A few profile pages run the way the build runs them (with the standing cache of INPUTS_CHILD):
# seconds per page and the peak memory of one kernel, for N too large to build here.
PROFILES_CHILD = textwrap.dedent("""
    import json, sys
    sys.modules.setdefault("rfc3987_syntax", None)
    from pathlib import Path
    from analysis import api
    from analysis.report import build, incremental, runner
    root, out, k = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    pages = [p for p in build.load_config(None, root).site.pages if p.name.startswith("profile-")]
    pages = [p for p in pages if p.name.startswith("profile-synth")][:k - 1] + [p for p in pages if p.name == "profile-peine"]
    env = {api.STANDING_ENV: str(root / incremental.CACHE / "standing")}
    res = runner.execute(pages, out / "executed", root, jobs=1, progress=None, work_dir=out / "work", extra_env=env)
    print(json.dumps({"pages": [r.page.name for r in res], "seconds": [round(r.seconds, 2) for r in res],
                      "ipynb_kb": [round(r.output.stat().st_size / 1024, 1) for r in res]}))
""")

FLOOR_CHILD = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    import nbformat
    from analysis.report import runner
    root, runs, jobs = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import pandas as pd\\nimport altair as alt"),
                nbformat.v4.new_code_cell("alt.Chart(pd.DataFrame({'x': list('abc'), 'y': [3, 1, 2]}))"
                                          ".mark_bar().encode(x='x:N', y='y:Q')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (root / "nb").mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, root / "nb" / "floor.ipynb")
    pages = [runner.Page(name=f"floor-{i}", notebook="nb/floor.ipynb", title="floor") for i in range(runs)]
    # each run in a Papermill process and kernel of its own (runner.run_one), one after another: the
    # build's lanes would run all nine in one kernel and pay the kernel start and imports once
    work = root / f"work-{jobs}"
    runner.write_kernelspec(work / "jupyter")
    t0 = time.perf_counter()
    seconds = []
    for page in pages:
        s, failure = runner.run_one(page, root, root / f"out-{jobs}", work)
        if failure is not None:
            raise SystemExit(f"floor notebook failed: {failure}")
        seconds.append(s)
    json.dump({"wall": time.perf_counter() - t0, "seconds": seconds}, open(root / f"floor-{jobs}.json", "w"))
""")


# --- measuring one step -----------------------------------------------------------------------

def _tree_rss(pid: int) -> int:
    import psutil
    try:
        procs = [psutil.Process(pid)] + psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return 0
    total = 0
    for q in procs:
        try:
            total += q.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(cmd: list[str], env: dict, cwd: Path, log: Path, timeout: float | None = None,
            every: float = 0.2, sampler=None) -> dict:
    """Run cmd in a fresh wrapper process; wall, CPU and peak memory of its whole tree (sampled every
    `every` seconds: `sampler(pid, seconds)` returns the tree's RSS in bytes, default `_tree_rss`;
    bench_pages also records each sample). `peak_at_s`: when the peak was seen."""
    fd, out = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    peak = [0, 0.0]
    with open(log, "wb") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen([PY, "-c", WRAP, out, *cmd], env=env, cwd=cwd, stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
        done = threading.Event()

        def sample():
            while not done.is_set():
                t = time.perf_counter() - t0
                rss = sampler(proc.pid, t) if sampler else _tree_rss(proc.pid)
                if rss > peak[0]:
                    peak[0], peak[1] = rss, t
                done.wait(every)

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        done.set()
        th.join()
        wall = time.perf_counter() - t0
    try:
        res = json.loads(Path(out).read_text() or "{}")
    except ValueError:
        res = {}
    os.unlink(out)
    res.update(wall=round(res.get("wall", wall), 2), peak_mb=round(peak[0] / 2**20, 1),
               peak_at_s=round(peak[1], 1), timed_out=timed_out, log=str(log))
    if "cpu" in res:
        res["cpu"] = round(res["cpu"], 2)
        res["maxrss_mb"] = round(res["maxrss_mb"], 1)
    return res


def env_for(ws: Path) -> dict:
    env = dict(os.environ, ANALYSIS_ROOT=str(ws), PYTHONPATH=str(ws / "src"))
    env.pop("VIRTUAL_ENV", None)
    return env


def analysis_cmd(ws: Path, *args) -> list[str]:
    return [PY, "-m", "analysis.cli", "--root", str(ws), *args]


# --- the workspace copies ---------------------------------------------------------------------

def prepare(n: int, workdir: Path, say) -> Path:
    """A copy of this checkout's tracked files (working-tree versions) plus N-7 synthetic municipalities."""
    ws = workdir / f"ws{n}"
    if ws.exists():
        shutil.rmtree(ws)
    files = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = REPO / rel
        if src.is_file():
            (ws / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, ws / rel)
    if n > REAL:
        subprocess.run([PY, str(HERE / "synth.py"), str(ws), "--n", str(n - REAL)], check=True,
                       stdout=subprocess.DEVNULL)
    say(f"N={n}: workspace {ws} ready")
    return ws


def edit_one_table(ws: Path) -> str:
    """Add 1000 EUR to one expenditure row of Kiel's budget file (and record the file's new sha256)."""
    f = ws / "data" / "municipalities" / "kiel" / "Haushalt-Kiel-2017.csv"
    lines = f.read_bytes().split(b"\n")
    i = next(i for i, ln in enumerate(lines) if ln.startswith(b"31-35;") and b";Aufwand;" in ln)
    cells = lines[i].split(b";")
    euros, cents = cells[-2].split(b",")
    cells[-2] = str(int(euros) - 1000).encode() + b"," + cents
    lines[i] = b";".join(cells)
    old = hashlib.sha256(f.read_bytes()).hexdigest()
    f.write_bytes(b"\n".join(lines))
    docs = f.parent / "documents.csv"
    docs.write_text(docs.read_text(encoding="utf-8").replace(old, hashlib.sha256(f.read_bytes()).hexdigest()),
                    encoding="utf-8")
    return f"{f.relative_to(ws)}:{i + 1}"


def add_newline(ws: Path) -> str:
    f = ws / "data" / "curated" / "goals" / "segeberg.yml"
    f.write_text(f.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    return str(f.relative_to(ws))


def parse_log(log: Path) -> dict:
    text = Path(log).read_text(errors="replace")
    pages = {}
    for ln in text.splitlines():
        mm = PROGRESS.match(ln.strip())
        if mm:
            pages[mm.group(3)] = float(mm.group(4))
    prof = [v for k, v in pages.items() if k.startswith("profile-")]
    return {"pages_run": len(pages), "profiles_run": len(prof),
            "profile_mean_s": round(sum(prof) / len(prof), 2) if prof else None,
            "reasons": [ln for ln in text.splitlines() if ln.startswith(("ran because", "reused", "published ",
                                                                          "nothing changed"))]}


def page_seconds(log: Path) -> dict:
    """Seconds of each page that is not a profile (the build's progress lines)."""
    out = {}
    for ln in Path(log).read_text(errors="replace").splitlines():
        mm = PROGRESS.match(ln.strip())
        if mm and not mm.group(3).startswith("profile-"):
            out[mm.group(3)] = float(mm.group(4))
    return out


def site_pages(ws: Path) -> dict:
    site = ws / "reports" / "_site"
    html = sorted(site.glob("*.html"), key=lambda p: p.stat().st_size, reverse=True)
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return {"largest_page": html[0].name if html else None,
            "largest_page_kb": round(html[0].stat().st_size / 1024, 1) if html else None,
            "site_mb": round(total / 2**20, 1), "html_pages": len(html)}


def run_builds(ws: Path, logs: Path, jobs: int | None, timeout, say) -> dict:
    """build, nochange, one_table and newline, each with `timeout`; a step that fails or times out
    ends the series (the later ones are not measured)."""
    out = {}
    env = env_for(ws)
    args = ["build", "--publisher", "nbconvert"] + (["-j", str(jobs)] if jobs else [])
    for step in ("build", "nochange", "one_table", "newline"):
        if step == "one_table":
            out["edited"] = edit_one_table(ws)
        if step == "newline":
            out["newline_in"] = add_newline(ws)
        log = logs / f"{step}.log"
        m = measure(analysis_cmd(ws, *args), env, ws, log, timeout)
        m.update(parse_log(log))
        out[step] = m
        say(f"  {step}: {m['wall']:.1f}s wall, {m.get('cpu', float('nan')):.1f}s CPU, {m['pages_run']} pages run, "
            f"peak {m['peak_mb']:.0f} MB, rc {m.get('rc')}")
        if step == "build" and (ws / "reports" / "_site").exists():
            out["pages"] = site_pages(ws)
            out["page_seconds"] = page_seconds(log)
        if m.get("rc") != 0 or m.get("timed_out"):
            break
    return out


def run_floor(workdir: Path, runs: int, say) -> dict:
    root = workdir / "floor"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    cores = os.cpu_count() or 1
    m = measure([PY, "-c", FLOOR_CHILD, str(root), str(runs), "1"], env, root, root / "floor.log")
    data = json.loads((root / "floor-1.json").read_text())
    res = {"cores": cores, "runs": runs, "mean_run_s": round(sum(data["seconds"]) / runs, 2), "cpu": m.get("cpu")}
    res["floor_s"] = round(res["mean_run_s"] * runs / cores, 2)
    say(f"floor: one two-cell notebook {res['mean_run_s']:.2f}s; {runs} / {cores} cores = {res['floor_s']:.2f}s")
    return res


# --- report -----------------------------------------------------------------------------------

ROWS = [
    ("extract wall s", ("extract", "wall")), ("extract CPU s", ("extract", "cpu")),
    ("extract peak MB", ("extract", "peak_mb")),
    ("validate wall s", ("validate", "wall")), ("validate CPU s", ("validate", "cpu")),
    ("build wall s", ("builds", "build", "wall")), ("build CPU s", ("builds", "build", "cpu")),
    ("build pages run", ("builds", "build", "pages_run")),
    ("build peak MB (tree)", ("builds", "build", "peak_mb")),
    ("no-change rebuild wall s", ("builds", "nochange", "wall")),
    ("no-change rebuild CPU s", ("builds", "nochange", "cpu")),
    ("no-change pages run", ("builds", "nochange", "pages_run")),
    ("no-change inputs cold s", ("inputs_cold", "wall")), ("  peak MB", ("inputs_cold", "peak_mb")),
    ("no-change inputs warm s", ("inputs_warm", "wall")), ("  CPU s", ("inputs_warm", "cpu")),
    ("one-table rebuild wall s", ("builds", "one_table", "wall")),
    ("one-table rebuild CPU s", ("builds", "one_table", "cpu")),
    ("one-table pages run", ("builds", "one_table", "pages_run")),
    ("newline rebuild wall s", ("builds", "newline", "wall")),
    ("newline rebuild CPU s", ("builds", "newline", "cpu")),
    ("newline pages run", ("builds", "newline", "pages_run")),
    ("per-profile s (build mean)", ("builds", "build", "profile_mean_s")),
    ("per-profile s (sampled)", ("profiles", "per_profile_s")), ("  peak MB", ("profiles", "peak_mb")),
    ("page s: spending", ("builds", "page_seconds", "spending")),
    ("page s: goals", ("builds", "page_seconds", "goals")),
    ("page s: indicators", ("builds", "page_seconds", "indicators")),
    ("page s: methods", ("builds", "page_seconds", "methods")),
    ("largest page KB", ("builds", "pages", "largest_page_kb")), ("site MB", ("builds", "pages", "site_mb")),
    ("floor s", ("floor_s",)), ("build / floor", ("build_per_floor",)),
]
NOT_MEASURED = "not measured"
WIDTH = 14


def _get(rec: dict, path):
    for k in path:
        if not isinstance(rec, dict) or k not in rec:
            return None
        if isinstance(rec[k], dict) and rec[k].get("timed_out"):
            return "timeout"
        rec = rec[k]
    return rec


def _with_floor(results: dict, ns: list[int]) -> None:
    """Every N gets the floor (one machine figure) and its build as a multiple of it."""
    fl = results.get("floor") or {}
    for n in ns:
        rec = results[str(n)]
        rec["floor_s"] = fl.get("floor_s")
        b = _get(rec, ("builds", "build", "wall"))
        rec["build_per_floor"] = round(b / fl["floor_s"], 2) if isinstance(b, (int, float)) and fl.get("floor_s") \
            else None


def _cell(v) -> str:
    return f"{NOT_MEASURED if v is None else v:>{WIDTH}}"


def report(results: dict) -> str:
    """The table: every row for every N (a missing figure says "not measured"), with ratios to the
    smallest N."""
    ns = sorted(int(k) for k in results if k.isdigit())
    if not ns:
        return "no results"
    _with_floor(results, ns)
    base = results[str(ns[0])]
    lines = [f"{'':28s}" + "".join(f"{'N=' + str(n):>{WIDTH}s}" for n in ns)
             + "".join(f"{'x N=' + str(n):>{WIDTH}s}" for n in ns[1:])]
    for label, path in ROWS:
        vals = [_get(results[str(n)], path) for n in ns]
        b = _get(base, path)
        ratios = "".join(f"{v / b:>{WIDTH}.2f}" if isinstance(v, (int, float)) and isinstance(b, (int, float)) and b
                         else f"{'-':>{WIDTH}}" if isinstance(v, (int, float)) and b == 0  # 0 pages at N=7
                         else _cell(None) for v in vals[1:])
        lines.append(f"{label:28s}{''.join(_cell(v) for v in vals)}{ratios}")
    for n in ns:
        b = results[str(n)].get("builds", {})
        full = _get(b, ("build", "wall"))
        largest = _get(b, ("pages", "largest_page"))
        if largest:
            lines.append(f"N={n}: largest page {largest} ({_get(b, ('pages', 'largest_page_kb'))} KB)")
        if isinstance(full, (int, float)) and full:
            parts = [f"{step} {_get(b, (step, 'wall')) / full:.1%}"
                     for step in ("nochange", "one_table", "newline")
                     if isinstance(_get(b, (step, "wall")), (int, float))]
            cpu = _get(b, ("build", "cpu"))
            parts += [f"{step} CPU {_get(b, (step, 'cpu')) / cpu:.1%}"
                      for step in ("nochange",) if isinstance(cpu, (int, float)) and cpu
                      and isinstance(_get(b, (step, "cpu")), (int, float))]
            lines.append(f"N={n}: rebuilds as a share of the full build: " + (", ".join(parts) or NOT_MEASURED))
        else:
            why = "timed out" if full == "timeout" else "not run (N > --max-build-n)" if not b else "failed"
            lines.append(f"N={n}: build {why}: its rebuilds, pages and page sizes are not measured")
    if len(ns) > 1:
        small = results[str(ns[0])]
        for n in ns[1:]:
            a, c = _get(small, ("builds", "build", "cpu")), _get(results[str(n)], ("builds", "build", "cpu"))
            per = (f"{(c - a) / (n - ns[0]):.2f}s" if isinstance(a, (int, float)) and isinstance(c, (int, float))
                   else NOT_MEASURED)
            lines.append(f"per extra municipality (build CPU s, N={ns[0]} -> {n}): {per}")
    fl = results.get("floor")
    if fl:
        lines.append(f"floor: {fl['runs']} two-cell notebooks / {fl['cores']} cores = {fl['floor_s']} s")
    else:
        lines.append(f"floor: {NOT_MEASURED} (--skip-floor)")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="*", type=int, default=[REAL, 50, 500], help="municipality counts (>= 7)")
    ap.add_argument("--max-build-n", type=int, default=50,
                    help="builds only for N up to this (--max-build-n 500: the N=500 build too)")
    ap.add_argument("--build-timeout", type=float, default=None,
                    help="seconds before a build step is killed (its figures then say timeout); "
                         "default: --step-timeout")
    ap.add_argument("--skip-validate", action="store_true")
    ap.add_argument("--profile-samples", type=int, default=3,
                    help="profile pages run one by one for N above --max-build-n")
    ap.add_argument("--skip-floor", action="store_true")
    ap.add_argument("--jobs", type=int, default=None, help="analysis build -j (default: the cores)")
    ap.add_argument("--step-timeout", type=float, default=None, help="seconds before a step is killed")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "bench-scale")
    ap.add_argument("--results", type=Path, default=Path(tempfile.gettempdir()) / "bench-scale" / "results.json")
    ap.add_argument("--report-only", action="store_true")
    a = ap.parse_args(argv)
    a.workdir.mkdir(parents=True, exist_ok=True)
    results = json.loads(a.results.read_text()) if a.results.exists() else {}
    if a.report_only:
        print(report(results))
        return

    def say(msg):
        print(msg, flush=True)

    def save():
        a.results.write_text(json.dumps(results, indent=1) + "\n")

    rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True).stdout.strip()
    results["machine"] = {"cores": os.cpu_count(), "code": rev, "when": time.strftime("%Y-%m-%d %H:%M"),
                          "loadavg_start": os.getloadavg()}
    if not a.skip_floor:
        results["floor"] = run_floor(a.workdir, 9, say)
        save()
    for n in a.n:
        if n < REAL:
            sys.exit(f"N must be >= {REAL} (the real municipalities are always there)")
        ws = prepare(n, a.workdir, say)
        logs = a.workdir / f"logs{n}"
        shutil.rmtree(logs, ignore_errors=True)
        logs.mkdir(parents=True)
        rec = results[str(n)] = {"municipalities": n}
        env = env_for(ws)
        rec["extract"] = measure(analysis_cmd(ws, "extract"), env, ws, logs / "extract.log", a.step_timeout)
        say(f"  extract: {rec['extract']['wall']:.1f}s wall, {rec['extract'].get('cpu', 0):.1f}s CPU, "
            f"peak {rec['extract']['peak_mb']:.0f} MB, rc {rec['extract'].get('rc')}")
        save()
        if not a.skip_validate:
            rec["validate"] = measure(analysis_cmd(ws, "validate"), env, ws, logs / "validate.log", a.step_timeout)
            say(f"  validate: {rec['validate']['wall']:.1f}s wall, {rec['validate'].get('cpu', 0):.1f}s CPU")
            save()
        if n <= a.max_build_n:
            shutil.rmtree(ws / "data" / "processed", ignore_errors=True)  # the build starts cold
            rec["builds"] = run_builds(ws, logs, a.jobs, a.build_timeout or a.step_timeout, say)
            save()
        else:
            say(f"  builds skipped (N={n} > --max-build-n {a.max_build_n}); the inputs of a no-change rebuild:")
            for step in ("inputs_cold", "inputs_warm"):
                m = measure([PY, "-c", INPUTS_CHILD, str(ws)], env, ws, logs / f"{step}.log", a.step_timeout)
                try:
                    m.update(json.loads(Path(m["log"]).read_text().strip().splitlines()[-1]))
                except (ValueError, IndexError):
                    pass
                rec[step] = m
                say(f"  {step}: {m['wall']:.1f}s wall, {m.get('cpu', 0):.1f}s CPU, peak {m['peak_mb']:.0f} MB, "
                    f"is_stale {m.get('is_stale_s')}s, digests+standing {m.get('inputs_s')}s, rc {m.get('rc')}")
                save()
            out = logs / "profiles"
            m = measure([PY, "-c", PROFILES_CHILD, str(ws), str(out), str(a.profile_samples)], env, ws,
                        logs / "profiles.log", a.step_timeout)
            try:
                m.update(json.loads(Path(m["log"]).read_text().strip().splitlines()[-1]))
                m["per_profile_s"] = round(sum(m["seconds"]) / len(m["seconds"]), 2)
            except (ValueError, IndexError, ZeroDivisionError):
                pass
            rec["profiles"] = m
            say(f"  profiles: {m.get('seconds')} s per page ({m.get('pages')}), peak {m['peak_mb']:.0f} MB, "
                f"rc {m.get('rc')}")
            save()
    print()
    print(report(results))


if __name__ == "__main__":
    main()
