#!/usr/bin/env python3
"""Per-profile-page cost at scale: K profile pages run the build's way, and the notebook's code profiled.

    .venv/bin/python benchmarks/bench_profiles.py WS [-k 6] [--mode build|inproc|both] [--prof FILE]

WS is a workspace copy with data/processed/ (e.g. bench_scale.prepare(500, ...) then `analysis
extract` in it; never the repository's data/). This checkout's src/ and notebooks/ are copied into
WS first, so the copy runs this code.

  build    the K pages through `runner.execute` in ONE batch (one kernel, the build's way), with the
           build's standing cache (computed first if missing, its time reported apart); prints each
           page's seconds, the tree's CPU seconds, and the mean of pages 2..K (the first pays the
           kernel start, imports and loading the tables) = the cost of one more profile page; then
           the nbconvert render of the K executed pages in one exporter (seconds per page).
  inproc   the notebook's cells run in one in-process IPython shell (rich display formatting as in
           a kernel, no kernel messaging), pages 2..K under cProfile; prints per-page wall/CPU and
           the top functions by cumulative time (--prof writes the stats).

Figures are wall and CPU (process time) seconds; on a shared machine the CPU figure is the robust one.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable

BUILD_CHILD = textwrap.dedent("""
    import json, resource, sys, time
    sys.modules.setdefault("rfc3987_syntax", None)
    from pathlib import Path
    from analysis import api
    from analysis.report import build, incremental, runner, standing_cache
    root, out, k = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    pages = [p for p in build.load_config(None, root).site.pages if p.name.startswith("profile-")]
    real = [p for p in pages if not p.name.startswith("profile-synth")]
    pages = ([p for p in pages if p.name.startswith("profile-synth")][:max(0, k - len(real[:2]))] + real[:2])[:k]
    cache = root / incremental.CACHE / "standing"
    t0 = time.perf_counter()
    standing_cache.run(root, cache)
    t1 = time.perf_counter()
    env = {api.STANDING_ENV: str(cache)}
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = runner.execute(pages, out / "executed", root, jobs=1, progress=None, work_dir=out / "work", extra_env=env)
    t2 = time.perf_counter()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"standing_s": round(t1 - t0, 2), "pages": [r.page.name for r in res],
                      "seconds": [round(r.seconds, 2) for r in res], "wall": round(t2 - t1, 2),
                      "cpu": round(ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime, 2),
                      "ipynb_kb": [round(r.output.stat().st_size / 1024, 1) for r in res]}))
""")

RENDER_CHILD = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    import nbformat
    from analysis.report import build, publish
    root, executed, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    names = [p.stem for p in sorted(executed.glob("profile-*.ipynb"))]
    site = build.load_config(None, root).site
    pages = {p.name: p for p in site.pages}
    t0 = time.perf_counter(); c0 = time.process_time()
    ex = publish._exporter()
    t1 = time.perf_counter(); c1 = time.process_time()
    per = []
    for n in names:
        a, b = time.perf_counter(), time.process_time()
        nb = publish.prepare_notebook(nbformat.read(executed / f"{n}.ipynb", as_version=4), pages[n])
        body, _ = ex.from_notebook_node(nb, resources={"site_nav": publish.nav_html(site, n), "page_title": n,
                                                       "site_footer": "", "site_description": ""})
        per.append((round(time.perf_counter() - a, 3), round(time.process_time() - b, 3)))
    print(json.dumps({"exporter_s": round(t1 - t0, 2), "exporter_cpu": round(c1 - c0, 2), "per_page": per}))
""")

INPROC_CHILD = textwrap.dedent("""
    import cProfile, io, json, os, pstats, sys, time
    sys.modules.setdefault("rfc3987_syntax", None)
    from pathlib import Path
    import jupytext
    from IPython.core.interactiveshell import InteractiveShell
    from analysis import api
    from analysis.report import build, incremental, standing_cache
    root, out, k, prof_file = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    cache = root / incremental.CACHE / "standing"
    standing_cache.run(root, cache)
    os.environ[api.STANDING_ENV] = str(cache)
    os.environ["ANALYSIS_ROOT"] = str(root)
    os.environ["ANALYSIS_NO_EXTRACT"] = "1"  # as in the build
    pages = [p for p in build.load_config(None, root).site.pages if p.name.startswith("profile-")]
    mids = [p.parameters["municipality"] for p in pages]
    synth = [m for m in mids if m.startswith("synth")]
    real = [m for m in mids if not m.startswith("synth")]
    mids = (synth[:max(0, k - 2)] + real[:2])[:k]
    nb = jupytext.read(root / "notebooks" / "municipality_profile.py")
    cells = [c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    shell = InteractiveShell.instance()
    os.chdir(root / "notebooks")
    prof = cProfile.Profile()
    res = []
    per_cell = [0.0] * len(cells)
    for i, m in enumerate(mids):
        d = out / "downloads" / m
        d.mkdir(parents=True, exist_ok=True)
        os.environ.update({"ANALYSIS_PAGE": f"profile-{m}", "ANALYSIS_DOWNLOADS_DIR": str(d)})
        off = sys.modules.get("analysis.report.offline")
        if off is not None:
            off.new_page()
        shell.reset(new_session=True)
        shell.user_ns.update({"municipality": m, "fiscal_year": "latest", "phase": "most_realised"})
        a, b = time.perf_counter(), time.process_time()
        if i and prof_file != "-":
            prof.enable()
        for j, src in enumerate(cells):
            c0 = time.process_time()
            r = shell.run_cell(src, store_history=False, silent=False)
            if i:
                per_cell[j] += time.process_time() - c0
            if not r.success:
                raise SystemExit(f"{m}: {r.error_in_exec or r.error_before_exec}")
        if i and prof_file != "-":
            prof.disable()
        res.append((m, round(time.perf_counter() - a, 3), round(time.process_time() - b, 3)))
    if prof_file != "-":
        prof.dump_stats(prof_file)
        s = io.StringIO()
        pstats.Stats(prof_file, stream=s).sort_stats("cumulative").print_stats(45)
        print(s.getvalue(), file=sys.stderr)
    n = max(1, len(mids) - 1)
    print(json.dumps({"pages": res, "cells": [(src.splitlines()[0][:50], round(t / n, 3))
                                              for src, t in zip(cells, per_cell)]}))
""")


def sync_code(ws: Path) -> None:
    for sub in ("src", "notebooks"):
        dst = ws / sub
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(REPO / sub, dst, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))


def child(code: str, ws: Path, *args) -> tuple[dict, float, float]:
    env = dict(os.environ, PYTHONPATH=str(ws / "src"), ANALYSIS_ROOT=str(ws))
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([PY, "-c", code, str(ws), *map(str, args)], env=env, cwd=ws, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"child failed (rc {proc.returncode}):\n{proc.stderr[-4000:]}")
    if proc.stderr.strip():
        print(proc.stderr[-12000:], file=sys.stderr)
    cpu = ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall, cpu


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ws", type=Path)
    ap.add_argument("-k", type=int, default=6, help="profile pages (the first one warms the kernel)")
    ap.add_argument("--mode", choices=("build", "inproc", "both"), default="build")
    ap.add_argument("--prof", default="/tmp/bench_profiles.prof", help="'-': no cProfile (the CPU figures without its overhead)")
    ap.add_argument("--no-sync", action="store_true", help="run the copy's code as it is")
    a = ap.parse_args(argv)
    ws = a.ws.resolve()
    if not a.no_sync:
        sync_code(ws)
    out = ws / ".bench-profiles"
    shutil.rmtree(out, ignore_errors=True)
    if a.mode in ("build", "both"):
        r, wall, cpu = child(BUILD_CHILD, ws, out, a.k)
        extra = r["seconds"][1:]
        print(f"build way: standing cache {r['standing_s']}s; pages {list(zip(r['pages'], r['seconds']))}")
        print(f"  batch wall {r['wall']}s, kernel tree CPU {r['cpu']}s (whole child {wall:.1f}s wall, {cpu:.1f}s CPU)")
        if extra:
            print(f"  per extra page (pages 2..{len(r['seconds'])}): {sum(extra) / len(extra):.2f}s wall; "
                  f"ipynb KB {r['ipynb_kb']}")
        rr, wall, cpu = child(RENDER_CHILD, ws, out / "executed", out / "render")
        per = rr["per_page"]
        print(f"  nbconvert: exporter {rr['exporter_s']}s; per page wall/CPU {per}; mean "
              f"{sum(p[0] for p in per) / len(per):.3f}s wall, {sum(p[1] for p in per) / len(per):.3f}s CPU")
    if a.mode in ("inproc", "both"):
        r, wall, cpu = child(INPROC_CHILD, ws, out, a.k, a.prof)
        pages = r["pages"]
        print(f"in-process: {pages}")
        if len(pages) > 1:
            print(f"  per extra page: {sum(p[1] for p in pages[1:]) / (len(pages) - 1):.2f}s wall, "
                  f"{sum(p[2] for p in pages[1:]) / (len(pages) - 1):.2f}s CPU; profile in {a.prof}")
            print("  CPU s per extra page by cell:")
            for first, t in r["cells"]:
                print(f"    {t:6.3f}  {first}")


if __name__ == "__main__":
    main()
