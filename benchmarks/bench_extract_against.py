#!/usr/bin/env python3
"""Cold `analysis extract` and `analysis validate`, this checkout against another commit, side by side.

    .venv/bin/python benchmarks/bench_extract_against.py 7 50 500 --against main
    .venv/bin/python benchmarks/bench_extract_against.py 500 --rounds 2 --skip-validate

For every N, two workspace copies with the same N-7 synthetic municipalities
(`bench_scale.prepare`): one runs this checkout's code, the other the `--against` commit's src/
(`git archive`). Each round runs the steps of both, interleaved (against first); each extract cold: no
data/processed/ and no data/.extract-cache/. Per step: wall and CPU seconds (user+sys of the whole
process tree: worker processes included) and peak RSS of the tree, as `bench_scale.measure`
measures them. After the runs, the data/processed/ tables of both copies are compared byte for byte
(metadata.json differs by its time and by the code's fingerprint) and so are validate's outputs.
"""
from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_scale as bs  # noqa: E402


def _against(ws: Path, other: Path, ref: str) -> None:
    """`other`: a copy of `ws` whose src/ is that of commit `ref`."""
    if other.exists():
        shutil.rmtree(other)
    shutil.copytree(ws, other, symlinks=True)
    shutil.rmtree(other / "src")
    archive = subprocess.run(["git", "-C", str(bs.REPO), "archive", ref, "src"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(other)], input=archive.stdout, check=True)


def _cold(ws: Path) -> None:
    for d in (ws / "data" / "processed", ws / "data" / ".extract-cache"):
        if d.exists():
            shutil.rmtree(d)


def _same_tables(a: Path, b: Path) -> list[str]:
    """Names of the files of data/processed/ that differ (metadata.json left out)."""
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    return [n for n in names if n != "metadata.json"
            and not ((a / n).exists() and (b / n).exists() and filecmp.cmp(a / n, b / n, shallow=False))]


def _output(log: Path) -> list[str]:
    return [ln for ln in log.read_text(encoding="utf-8", errors="replace").splitlines()
            if not ln.startswith(("extracted in", "wall "))]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="*", type=int, default=[bs.REAL, 50, 500])
    ap.add_argument("--against", default="main", help="the commit to compare with (default: main)")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--skip-validate", action="store_true")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "bench-extract")
    args = ap.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    steps = ["extract"] + ([] if args.skip_validate else ["validate"])
    rows = []
    for n in args.n:
        ws = bs.prepare(n, args.workdir, print)
        other = args.workdir / f"ws{n}-{args.against.replace('/', '_')}"
        _against(ws, other, args.against)
        for r in range(args.rounds):
            for step in steps:
                for label, tree in ((args.against, other), ("this", ws)):
                    if step == "extract":  # validate reads neither: the last extract's tables stay for the comparison
                        _cold(tree)
                    log = args.workdir / f"{tree.name}-{step}-{r}.log"
                    res = bs.measure(bs.analysis_cmd(tree, step), bs.env_for(tree), tree, log)
                    rows.append((n, step, label, res))
                    print(f"N={n} {step:8} {label:10} wall {res['wall']:7.2f} s  cpu {res.get('cpu', float('nan')):7.2f} s"
                          f"  peak {res['peak_mb']:7.1f} MB  rc {res.get('rc')}", flush=True)
        diff = _same_tables(ws / "data" / "processed", other / "data" / "processed")
        print(f"N={n}: data/processed/ tables " + ("identical" if not diff else "DIFFER: " + ", ".join(diff)))
        if "validate" in steps:
            same = _output(args.workdir / f"{other.name}-validate-0.log") == _output(args.workdir / f"{ws.name}-validate-0.log")
            print(f"N={n}: validate output " + ("identical" if same else "DIFFERS"))


if __name__ == "__main__":
    main()
