#!/usr/bin/env python3
"""Per-page time and peak memory of a build at N municipalities, with memory over time.

    .venv/bin/python benchmarks/bench_pages.py build WS [-j 2] [--timeout S] [--only-config PAGES]
    .venv/bin/python benchmarks/bench_pages.py inproc WS [--notebook N] [--params JSON] [--trace]
    .venv/bin/python benchmarks/bench_pages.py report WS                    # the table of the last run

WS is a throwaway workspace copy with N municipalities (``bench_scale.prepare``, then
``analysis extract`` in it; never the repository's data/). Everything runs the copy's own code
(PYTHONPATH=<WS>/src), nice'd by the caller if the machine is shared.

  build   ``analysis build -j J --publisher nbconvert`` in WS, measured as one process tree (wall,
          CPU = user+sys of the tree, peak of the summed RSS) while a sampler writes the tree every
          second to <WS>/../bench-pages/series.jsonl (per process: pid, ppid, RSS, what it runs; a
          kernel is attributed to the page its Papermill parent runs). The table gives per page:
          seconds (the build's ``[i/n] page s ok`` lines), the peak RSS of its processes (kernel +
          Papermill parent, or the batch child for profiles) and the tree's peak while it ran; the
          build's total, the largest page of reports/_site and the time series' peak.
          --only-config writes a notebooks.yml holding only the named pages (comma-separated; a
          ``profile-*`` name keeps that profile) and builds with it, for N too large for a full build.
  inproc  one notebook's cells (default spending_structure) in an in-process IPython shell under
          cProfile: per cell wall, CPU and the process's max RSS (--trace: tracemalloc peaks).
          One page alone through the build: ``build WS --only-config NAME``.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_scale  # noqa: E402

PY = sys.executable
PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] (\S+) ([\d.]+)s (ok|FAILED)")


def _snapshot(pid: int) -> list[dict]:
    import psutil
    try:
        root = psutil.Process(pid)
        procs = [root] + root.children(recursive=True)
    except psutil.Error:
        return []
    out = []
    for q in procs:
        try:
            out.append({"pid": q.pid, "ppid": q.ppid(), "rss": q.memory_info().rss,
                        "cmd": " ".join(q.cmdline())[-300:]})
        except psutil.Error:
            pass
    return out


def measure_series(cmd: list[str], env: dict, cwd: Path, log: Path, series: Path,
                   timeout: float | None = None, every: float = 1.0) -> dict:
    """bench_scale.measure plus the process tree every `every` seconds into `series` (JSON lines)."""
    series.parent.mkdir(parents=True, exist_ok=True)
    with open(series, "w") as sf:
        def sampler(pid: int, t: float) -> int:
            snap = _snapshot(pid)
            total = sum(s["rss"] for s in snap)
            sf.write(json.dumps({"t": round(t, 1), "total": total, "procs": snap}) + "\n")
            sf.flush()
            return total
        res = bench_scale.measure(cmd, env, cwd, log, timeout, every=every, sampler=sampler)
    res["series"] = str(series)
    return res


def _page_of(cmd: str) -> str | None:
    """The page a runner child runs: its output notebook's name (<name>.ipynb) in its command line."""
    mm = re.findall(r"/([a-z0-9-]+)\.ipynb", cmd)
    names = [m for m in mm if not m.startswith(("spending_structure", "goal_agreements", "service_indicators",
                                                "municipality_profile", "methods"))]
    return names[-1] if names else None


def per_page_memory(series: Path) -> dict:
    """Peak RSS per page (the processes under the runner child of that page) and per notebook kind."""
    peaks: dict[str, int] = {}
    kinds = {"spending_structure": "spending", "goal_agreements": "goals", "service_indicators": "indicators",
             "methods": "methods", "municipality_profile": "profile batch"}
    for line in series.read_text().splitlines():
        rec = json.loads(line)
        procs = {p["pid"]: p for p in rec["procs"]}
        label: dict[int, str] = {}
        for p in rec["procs"]:
            for nb, kind in kinds.items():
                if f"{nb}.ipynb" in p["cmd"] or (kind == "profile batch" and "analysis.report.batch" in p["cmd"]):
                    label[p["pid"]] = kind
        sums: dict[str, int] = {}
        for p in rec["procs"]:
            q, seen = p, 0
            while q and q["pid"] not in label and seen < 10:
                q, seen = procs.get(q["ppid"]), seen + 1
            key = label.get(q["pid"]) if q else None
            if key is None:
                key = "build process"
            sums[key] = sums.get(key, 0) + p["rss"]
        for k, v in sums.items():
            peaks[k] = max(peaks.get(k, 0), v)
    return {k: round(v / 2**20, 1) for k, v in peaks.items()}


def page_seconds(log: Path) -> dict:
    out = {}
    for ln in Path(log).read_text(errors="replace").splitlines():
        mm = PROGRESS.match(ln.strip())
        if mm:
            out[mm.group(3)] = float(mm.group(4))
    return out


def subset_config(ws: Path, names: list[str]) -> Path:
    """reports/notebooks.yml with only the named pages (profiles expanded to the named ones)."""
    import yaml
    src = yaml.safe_load((ws / "reports" / "notebooks.yml").read_text(encoding="utf-8"))
    keep = []
    for entry in src["pages"]:
        if "profiles" in entry:
            prof = entry["profiles"]
            for n in names:
                if n.startswith("profile-"):
                    mid = n[len("profile-"):]
                    row = {k: (v.replace("{municipality_id}", mid) if isinstance(v, str) else v)
                           for k, v in prof.items()}
                    row["title"] = mid
                    row["description"] = mid
                    row["parameters"] = {"municipality": mid}
                    keep.append(row)
        elif entry.get("name") in names:
            keep.append(entry)
    out = ws / "reports" / "notebooks-subset.yml"
    out.write_text(yaml.safe_dump({"site": src["site"], "pages": keep}, allow_unicode=True, sort_keys=False),
                   encoding="utf-8")
    return out


INPROC_CHILD = """
import cProfile, json, os, pstats, resource, sys, time, tracemalloc
sys.modules.setdefault("rfc3987_syntax", None)
from pathlib import Path
import jupytext, yaml
from IPython.core.interactiveshell import InteractiveShell
root, notebook, out, prof_file, trace = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4], sys.argv[5] == "1"
params = json.loads(sys.argv[6])
os.environ["ANALYSIS_ROOT"] = str(root)
os.environ["ANALYSIS_NO_EXTRACT"] = "1"
d = out / "downloads"
d.mkdir(parents=True, exist_ok=True)
os.environ.update({"ANALYSIS_PAGE": Path(notebook).stem.replace("_structure", ""), "ANALYSIS_DOWNLOADS_DIR": str(d)})
nb = jupytext.read(notebook if notebook.endswith(".py") else root / "notebooks" / (notebook + ".py"))
code = [c for c in nb.cells if c.cell_type == "code"]
cells = [c.source for c in code if "parameters" not in c.metadata.get("tags", [])]
shell = InteractiveShell.instance()
os.chdir(root / "notebooks")
for c in code:
    if "parameters" in c.metadata.get("tags", []):
        shell.run_cell(c.source, store_history=False)
shell.user_ns.update(params)
prof = cProfile.Profile()
rows = []
if trace:
    tracemalloc.start(5)
for i, src in enumerate(cells):
    a, b = time.perf_counter(), time.process_time()
    if trace:
        tracemalloc.reset_peak()
    prof.enable()
    r = shell.run_cell(src, store_history=False)
    prof.disable()
    row = {"cell": i, "wall": round(time.perf_counter() - a, 2), "cpu": round(time.process_time() - b, 2),
           "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
           "first_line": src.strip().splitlines()[0][:70] if src.strip() else "",
           "ok": r.success}
    if trace:
        cur, peak = tracemalloc.get_traced_memory()
        row.update(traced_mb=round(cur / 2**20), traced_peak_mb=round(peak / 2**20))
    rows.append(row)
    print(json.dumps(row), flush=True)
    if not r.success:
        break
prof.dump_stats(prof_file)
st = pstats.Stats(prof_file)
st.sort_stats("cumulative").print_stats(45)
"""


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["build", "report", "inproc"])
    ap.add_argument("--notebook", default="spending_structure",
                    help="a notebook's name in WS/notebooks, or a path to a jupytext .py (e.g. a patched copy)")
    ap.add_argument("--params", default="{}", help="JSON: the page's parameters")
    ap.add_argument("--trace", action="store_true", help="tracemalloc peak per cell (slower)")
    ap.add_argument("--code", type=Path, default=None, help="src/ to run (default: WS/src)")
    ap.add_argument("ws", type=Path)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=None)
    ap.add_argument("--only-config", default=None, help="comma-separated page names")
    ap.add_argument("--tag", default="build")
    a = ap.parse_args(argv)
    ws = a.ws.resolve()
    outdir = ws.parent / "bench-pages"
    outdir.mkdir(exist_ok=True)
    log, series, res_file = outdir / f"{a.tag}.log", outdir / f"{a.tag}.series.jsonl", outdir / f"{a.tag}.json"
    if a.mode == "inproc":
        env = bench_scale.env_for(ws)
        if a.code:
            env["PYTHONPATH"] = str(a.code.resolve())
        prof = outdir / f"{a.tag}.prof"
        m = bench_scale.measure([PY, "-c", INPROC_CHILD, str(ws), a.notebook, str(outdir / a.tag), str(prof),
                                 "1" if a.trace else "0", a.params], env, ws, log)
        print(Path(log).read_text()[-12000:])
        print(json.dumps(m))
        return
    if a.mode == "build":
        args = ["build", "--publisher", "nbconvert", "-j", str(a.jobs)]
        if a.only_config:
            args += ["--config", str(subset_config(ws, a.only_config.split(",")))]
        res = measure_series(bench_scale.analysis_cmd(ws, *args), bench_scale.env_for(ws), ws, log, series,
                             a.timeout)
        res["site"] = bench_scale.site_pages(ws) if (ws / "reports" / "_site").exists() else None
        res_file.write_text(json.dumps(res, indent=1) + "\n")
    res = json.loads(res_file.read_text())
    secs = page_seconds(log)
    mem = per_page_memory(series)
    prof = [v for k, v in secs.items() if k.startswith("profile-")]
    print(f"build: rc {res.get('rc')}, wall {res['wall']} s, CPU {res.get('cpu')} s, peak {res['peak_mb']} MB "
          f"(at {res['peak_at_s']} s), timed out: {res['timed_out']}")
    print(f"site: {res.get('site')}")
    for k, v in secs.items():
        if not k.startswith("profile-"):
            print(f"  {k:20s} {v:8.1f} s   peak {mem.get(k, 'n/a')} MB")
    if prof:
        print(f"  profiles: {len(prof)} pages, mean {sum(prof) / len(prof):.2f} s, max {max(prof):.1f} s; "
              f"batch peak {mem.get('profile batch')} MB")
    print(f"  build process peak {mem.get('build process')} MB")


if __name__ == "__main__":
    main()
