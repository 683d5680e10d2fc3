#!/usr/bin/env python3
"""`analysis.load()` in a fresh process, side by side for several versions of the code.

    .venv/bin/python benchmarks/bench_load.py WS [--code main=/work/main/src] [--rounds 3] [--check]

WS is an extracted workspace (e.g. bench_scale.prepare(500, ...) then `analysis extract`); it is
only read. Each round runs, for each code (NAME=SRC, default: WS/src as "ws" and this checkout's
src as "this"), one fresh process with PYTHONPATH=SRC, ANALYSIS_ROOT=WS and ANALYSIS_NO_EXTRACT=1
(as a notebook of the build) that does `import analysis; analysis.load()`, then --again more loads
(a page of a batch kernel) and as many `reference.load()` calls. Printed per code, medians over
the rounds: the first load (wall and CPU seconds), the process (wall, CPU), the RSS after the load
and its peak (VmRSS, VmHWM), the mean further load and reference.load. --check also compares what
each code loaded with the first code's (`pd.testing.assert_frame_equal`: columns, dtypes, values;
the reference tables' attrs too).
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent("""
    import json, pickle, sys, time
    def status(field):
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    again, dump = int(sys.argv[1]), sys.argv[2]
    w0, c0 = time.perf_counter(), time.process_time()
    import analysis
    ws = analysis.load()
    w1, c1 = time.perf_counter(), time.process_time()
    rss, hwm = status("VmRSS"), status("VmHWM")
    for _ in range(again):
        analysis.load()
    w2 = time.perf_counter()
    from analysis.reference import tables as reference
    for _ in range(again):
        reference.load()
    w3 = time.perf_counter()
    if dump != "-":
        ref = reference.load()
        refs = {k: (v, v.attrs) for k, v in vars(ref).items() if hasattr(v, "attrs")}
        with open(dump, "wb") as fh:
            pickle.dump({"tables": ws.tables, "unassigned": ws.unassigned, "reference": refs}, fh)
    print(json.dumps({"load_wall": w1 - w0, "load_cpu": c1 - c0, "rss_mb": rss, "hwm_mb": hwm,
                      "again_s": (w2 - w1) / max(again, 1), "reference_s": (w3 - w2) / max(again, 1)}))
""")


def run_one(src: Path, ws: Path, again: int, dump: str = "-") -> dict:
    env = dict(os.environ, PYTHONPATH=str(src), ANALYSIS_ROOT=str(ws), ANALYSIS_NO_EXTRACT="1")
    env.pop("ANALYSIS_STANDING_DIR", None)
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(again), dump], env=env, cwd=ws,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        sys.exit(f"{src}: the child failed (rc {proc.returncode}):\n{proc.stderr[-4000:]}")
    rec = json.loads(proc.stdout.strip().splitlines()[-1])
    rec.update(proc_wall=wall, proc_cpu=ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime)
    return rec


def compare(a: dict, b: dict) -> list[str]:
    """What differs between two dumps (empty when equal)."""
    import pandas as pd
    out = []
    pairs = [(f"table {n}", a["tables"][n], b["tables"].get(n)) for n in a["tables"]]
    pairs.append(("unassigned", a["unassigned"], b["unassigned"]))
    for n, (df, attrs) in a["reference"].items():
        other, other_attrs = b["reference"].get(n, (None, None))
        pairs.append((f"reference {n}", df, other))
        if attrs != other_attrs:
            out.append(f"reference {n}: attrs differ")
    for what, x, y in pairs:
        try:
            pd.testing.assert_frame_equal(x, y, check_exact=True)
        except AssertionError as exc:
            out.append(f"{what}: {str(exc).splitlines()[0]}")
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ws", type=Path)
    ap.add_argument("--code", action="append", default=[], metavar="NAME=SRC",
                    help="a version of the code (its src folder); default: ws=WS/src and this=<checkout>/src")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--again", type=int, default=5, help="further loads and reference.loads per process")
    ap.add_argument("--check", action="store_true", help="compare the loaded tables with the first code's")
    a = ap.parse_args(argv)
    ws = a.ws.resolve()
    codes = dict(c.split("=", 1) for c in a.code) or {"ws": str(ws / "src"), "this": str(REPO / "src")}
    codes = {k: Path(v).resolve() for k, v in codes.items()}
    if a.check:
        with tempfile.TemporaryDirectory() as tmp:
            dumps = {}
            for name, src in codes.items():
                run_one(src, ws, 0, f"{tmp}/{name}.pkl")
                with open(f"{tmp}/{name}.pkl", "rb") as fh:
                    dumps[name] = pickle.load(fh)
            first, *rest = codes
            for name in rest:
                diff = compare(dumps[first], dumps[name])
                print(f"check {name} against {first}: " + ("identical" if not diff else "; ".join(diff)))
    results: dict[str, list[dict]] = {name: [] for name in codes}
    for r in range(a.rounds):
        for name, src in codes.items():
            results[name].append(run_one(src, ws, a.again))
            print(f"round {r + 1} {name}: " + ", ".join(f"{k} {v:.2f}" for k, v in results[name][-1].items()),
                  flush=True)
    keys = [("load_wall", "load s"), ("load_cpu", "load CPU s"), ("proc_wall", "process s"),
            ("proc_cpu", "process CPU s"), ("rss_mb", "RSS after load MB"), ("hwm_mb", "peak RSS MB"),
            ("again_s", "further load s"), ("reference_s", "reference.load s")]
    print(f"\n{ws}: medians of {a.rounds} rounds")
    print(f"{'':22}" + "".join(f"{n:>12}" for n in codes))
    for key, label in keys:
        print(f"{label:22}" + "".join(f"{statistics.median(r[key] for r in results[n]):12.3f}" for n in codes))


if __name__ == "__main__":
    main()
