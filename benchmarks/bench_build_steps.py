#!/usr/bin/env python3
"""Where the time of one `analysis build` goes, step by step (wall and CPU, children included).

    .venv/bin/python benchmarks/bench_build_steps.py WS [-j 2] [--clean] [--no-sync]

WS is a workspace copy (bench_scale.prepare; never the repository's data/). This checkout's src/
and notebooks/ are copied into WS first (unless --no-sync). --clean removes data/processed/,
reports/_site and reports/.cache first (a build from clean). The build runs in a child process
(the copy's code) with its steps wrapped: extract, the inputs' digests, the profiles' standing,
the notebook runs (with each page's seconds), the render, staging/publishing and the README
images; the rest of the build is "other". CPU = user+sys of the process and its children.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_profiles import sync_code  # noqa: E402

CHILD = textwrap.dedent("""
    import json, os, resource, sys, time
    sys.modules.setdefault("rfc3987_syntax", None)
    from pathlib import Path
    from analysis.report import build, overview, publish, runner, staging, standing_cache
    from analysis.sources import extract as extract_mod
    root, jobs = Path(sys.argv[1]), int(sys.argv[2])
    steps = {}

    def cpu():
        a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime

    def wrap(mod, name, label):
        fn = getattr(mod, name)
        def timed(*a, **k):
            w, c = time.perf_counter(), cpu()
            try:
                return fn(*a, **k)
            finally:
                s = steps.setdefault(label, [0.0, 0.0, 0])
                s[0] += time.perf_counter() - w; s[1] += cpu() - c; s[2] += 1
        setattr(mod, name, timed)

    wrap(extract_mod, "refresh", "extract")
    wrap(standing_cache, "run", "  of it: profiles' standing")
    wrap(build.Inputs, "of", "inputs (digests, standing)")
    wrap(runner, "execute", "notebooks (papermill)")
    wrap(publish, "publish", "render (nbconvert)")
    wrap(staging, "publish_unit", "staging/publish")
    wrap(overview, "readme_images", "README images")
    lines = []
    w0, c0 = time.perf_counter(), cpu()
    res = build.build(root, jobs=jobs, publisher="nbconvert", say=lines.append)
    steps["total"] = [time.perf_counter() - w0, cpu() - c0, 1]
    print(json.dumps({"steps": steps, "log": lines}))
""")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ws", type=Path)
    ap.add_argument("-j", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--clean", action="store_true")
    ap.add_argument("--no-sync", action="store_true")
    a = ap.parse_args(argv)
    ws = a.ws.resolve()
    if not a.no_sync:
        sync_code(ws)
    if a.clean:
        for sub in ("data/processed", "reports/_site", "reports/_executed", "reports/.published", "reports/.cache"):
            p = ws / sub
            if p.is_symlink():
                p.unlink()
            else:
                shutil.rmtree(p, ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=str(ws / "src"), ANALYSIS_ROOT=str(ws))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(ws), str(a.j)], env=env, cwd=ws, capture_output=True,
                          text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"build failed (rc {proc.returncode}):\n{proc.stderr[-4000:]}")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    steps = r["steps"]
    total = steps.pop("total")
    print(f"build (child process) {wall:.1f}s wall; build() {total[0]:.1f}s wall, {total[1]:.1f}s CPU (with children)")
    accounted = [0.0, 0.0]
    for label, (w, c, n) in steps.items():
        print(f"  {label:24s} {w:6.1f}s wall {c:6.1f}s CPU  ({n} call{'s' if n != 1 else ''})")
        if not label.startswith(" "):  # nested in the step above
            accounted[0] += w
            accounted[1] += c
    print(f"  {'other':24s} {total[0] - accounted[0]:6.1f}s wall {total[1] - accounted[1]:6.1f}s CPU")
    for line in r["log"]:
        if line.startswith("[") or "publisher" in line or "README" in line:
            print("   ", line)


if __name__ == "__main__":
    main()
