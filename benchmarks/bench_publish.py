"""Benchmark: the publish step of `analysis build` with Quarto against nbconvert.

Run: PATH=.tools/quarto/bin:$PATH .venv/bin/python benchmarks/bench_publish.py [--repeat 3]

Publishes the executed notebooks of the last build (reports/_executed/, from `make build`) into
temporary folders; never touches reports/_site/ or reports/.quarto-render/. Each run is a new
Python process, as each `analysis build` is: it imports what both publishers share (pandas,
nbformat, analysis.report.publish), then measures wall time and CPU time (the process and its
children: Quarto, Deno, Pandoc, Dart Sass) of the `publish.publish` call alone, which includes
the publisher's own imports (nbconvert is imported on first use). Three cases:

  full         every page rendered (Quarto: a new project folder, as in a first build)
  one changed  one page's executed notebook changed since the last build (Quarto renders only
               that page in its kept project folder; nbconvert renders every page anyway)
  unchanged    the same notebooks again (e.g. a rebuild after an edit elsewhere)

and prints the Quarto/nbconvert ratio of the best runs (goal: under 2 for the publish step).
It also checks that both publishers made the same site (analysis.report.site_summary).

Measured on the shared 2-core machine (load 7-14 from other work), Quarto 1.9.38 from
../shared/tools/quarto, 11 pages, best of 3, wall / CPU seconds:
  full         nbconvert  7.3 / 2.8   Quarto 69.0 / 17.0   ratio 9.5 / 6.2
  one changed  nbconvert  9.4 / 2.6   Quarto 14.0 /  4.5   ratio 1.5 / 1.75
  unchanged    nbconvert  5.5 / 2.4   Quarto  1.2 /  0.5   ratio 0.2 / 0.2
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from analysis.report import publish
from analysis.report.runner import workspace_root
from analysis.report.site_summary import summarise


CHILD = """
import json, os, sys, time
from pathlib import Path
import pandas, nbformat, openpyxl
from analysis.report import build, publish
executed, work, project, publisher = (sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4])
site = build.load_config(None).site
notes = []
t = os.times(); c0 = t.user + t.system + t.children_user + t.children_system; w0 = time.perf_counter()
out = publish.publish(Path(executed), site, Path(work), publisher=publisher, say=notes.append,
                      quarto_project=Path(project))
t = os.times(); c1 = t.user + t.system + t.children_user + t.children_system
print(json.dumps({"wall": time.perf_counter() - w0, "cpu": c1 - c0, "note": notes[-1], "site": str(out)}))
"""


def _publish(executed: Path, work: Path, project: Path, publisher: str) -> dict:
    """One publish step in a new Python process (see the module doc)."""
    proc = subprocess.run([sys.executable, "-c", CHILD, str(executed), str(work), str(project), publisher],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"publish with {publisher} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _change_one(executed: Path, name: str, n: int) -> None:
    path = executed / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(f"Benchmark change {n}."))
    nbformat.write(nb, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page", default=None, help="the page changed in 'one changed' (default: the first)")
    args = parser.parse_args()
    root = workspace_root()
    executed_src = root / "reports" / "_executed"
    if not (executed_src / "pages.json").exists():
        print(f"no executed notebooks in {executed_src}: run `make build` first", file=sys.stderr)
        return 1
    if publish.quarto_path() is None:
        print("quarto is not on PATH (PATH=.tools/quarto/bin:$PATH after `make test`)", file=sys.stderr)
        return 1
    from analysis.report import build
    page = args.page or build.load_config(None, root).site.pages[0].name
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}

    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        tmp = Path(tmp)
        executed = tmp / "executed"
        shutil.copytree(executed_src, executed)
        kept = tmp / "kept-project"            # Quarto's project folder kept between "builds"
        sites = {}

        def run(publisher: str, case: str, project: Path, i: int) -> None:
            r = _publish(executed, tmp / f"work-{publisher}-{case}-{i}", project, publisher)
            results.setdefault((publisher, case), []).append((r["wall"], r["cpu"]))
            print(f"{publisher:9} {case:12} run {i + 1}: wall {r['wall']:6.1f}s  cpu {r['cpu']:6.1f}s  "
                  f"load {os.getloadavg()[0]:4.1f}   {r['note']}", flush=True)
            sites[publisher] = Path(r["site"])

        for i in range(args.repeat):
            run("nbconvert", "full", kept, i)
            run("quarto", "full", tmp / f"fresh-project-{i}", i)
        a, b = summarise(sites["nbconvert"]), summarise(sites["quarto"])
        same = a == b
        print(f"same site (pages, navbar, charts per page, downloads): {'yes' if same else 'NO'}: "
              f"{len(a['pages'])} pages, {sum(a['charts'].values())} charts, {len(a['downloads'])} download files")
        shutil.copytree(tmp / f"fresh-project-{args.repeat - 1}", kept)   # a project after a full build
        for i in range(args.repeat):
            _change_one(executed, page, i)
            run("nbconvert", "one changed", kept, i)
            run("quarto", "one changed", kept, i)
        for i in range(args.repeat):
            run("nbconvert", "unchanged", kept, i)
            run("quarto", "unchanged", kept, i)

    print(f"\nbest of {args.repeat} (wall s / cpu s); ratio Quarto/nbconvert; {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}")
    for case in ("full", "one changed", "unchanged"):
        nb_wall, nb_cpu = (min(x[k] for x in results[("nbconvert", case)]) for k in (0, 1))
        q_wall, q_cpu = (min(x[k] for x in results[("quarto", case)]) for k in (0, 1))
        print(f"  {case:12} nbconvert {nb_wall:6.1f} / {nb_cpu:6.1f}   quarto {q_wall:6.1f} / {q_cpu:6.1f}   "
              f"ratio wall {q_wall / nb_wall:4.2f}  cpu {q_cpu / nb_cpu:4.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
