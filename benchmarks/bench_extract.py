"""Benchmark: `analysis extract` and `analysis validate` with N municipalities, side by side.

Run: .venv/bin/python benchmarks/bench_extract.py [N ...] [--repeat 3]     (default N: 5 50 500)
     .venv/bin/python benchmarks/bench_extract.py 5 50 --src /tmp/before/src  (another checkout's code)

For every N it makes a temporary copy of the workspace's inputs (data/raw, curated,
municipalities, reference; never data/ itself) and adds N minus the real municipalities
synthetic ones with benchmarks/synth.py (the README's way: ~700 budget rows, 60 indicators and
10 goals each). The smallest N below the real count is the real workspace as it is. Then, in
rounds (each round runs every N once, so that the load of the shared machine falls on all of
them alike), each command runs in its own process:

  extract    `analysis --root <copy> extract`, cold: data/.extract-cache/ removed first (writes
             <copy>/data/processed/ and the cache)
  validate   `analysis --root <copy> validate` (must exit 0)
  extract-1  one municipality changed: the grand total of synth-de-0002's budget.csv gets another
             amount, then `analysis extract` with the cache the cold extract left (only where
             synth-de-0002 exists, i.e. N >= real + 2)

and it prints per N and command the median wall seconds, CPU seconds (user + sys of the
process) and peak memory (maxrss), with the ratios to the first N. CPU seconds are the robust
figure on a shared machine. Goal (issue 13): extract at N=500 at most 3x the time at N=5. The
ratios of extract-1 are to the cold extract at the first N.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from synth import copy_workspace, generate  # noqa: E402

ROOT = HERE.parent
COMMANDS = {"extract": ["extract"], "validate": ["validate"], "extract-1": ["extract"]}
CHANGED = "synth-de-0002"


def change_one(copy: Path, round_: int) -> bool:
    """Give the last row (a grand total, checked against nothing) of synth-de-0002's budget.csv
    another amount; False when the copy has no such municipality."""
    path = copy / "data" / "municipalities" / CHANGED / "budget.csv"
    if not path.exists():
        return False
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    cells = lines[-1].split(",")
    cells[12] = f"{float(cells[12]) + round_ + 1:.2f}"
    lines[-1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return True


def run_once(copy: Path, command: str, src: Path | None = None) -> dict:
    """One command in its own process: wall, CPU (user+sys) and peak RSS of that process."""
    env = {**os.environ, "ANALYSIS_ROOT": str(copy)}
    if src:  # another checkout's package (e.g. the code before a change), ahead of this one
        env["PYTHONPATH"] = os.pathsep.join([str(src), *filter(None, [os.environ.get("PYTHONPATH")])])
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "analysis.cli", "--root", str(copy), *COMMANDS[command]],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    out = proc.stdout.read()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{command} failed in {copy} (exit {proc.returncode}):\n{out.decode(errors='replace')[-3000:]}")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "mb": ru.ru_maxrss / 1024}


def real_count() -> int:
    base = ROOT / "data" / "municipalities"
    return sum(1 for p in base.iterdir() if (p / "municipality.yml").exists())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", nargs="*", type=int, default=[5, 50, 500], help="numbers of municipalities")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (the median is reported)")
    parser.add_argument("--src", type=Path, default=None,
                        help="run the package in this src/ folder instead (e.g. a clone of the code before a change)")
    args = parser.parse_args()
    ns = sorted(set(args.n))
    real = real_count()
    results: dict[tuple[int, str], list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        copies, counts = {}, {}
        for n in ns:
            copy = copy_workspace(ROOT, Path(tmp) / f"ws{n}")
            extra = max(0, n - real)
            if extra:
                generate(copy, extra)
            copies[n], counts[n] = copy, real + extra
            print(f"N={n}: {real} real + {extra} synthetic municipalities in {copy}", flush=True)
        for r in range(args.repeat):
            for n in ns:
                for command in COMMANDS:
                    if command == "extract":
                        shutil.rmtree(copies[n] / "data" / ".extract-cache", ignore_errors=True)
                    if command == "extract-1" and not change_one(copies[n], r):
                        continue
                    res = run_once(copies[n], command, args.src)
                    results.setdefault((n, command), []).append(res)
                    print(f"round {r + 1} N={n} {command}: {res['wall']:.1f}s wall, {res['cpu']:.1f}s CPU, "
                          f"{res['mb']:.0f} MB", flush=True)
    base_n = ns[0]
    med = {k: {m: statistics.median(x[m] for x in v) for m in ("wall", "cpu", "mb")} for k, v in results.items()}
    print(f"\nmedians of {args.repeat} rounds; ratios to N={base_n} ({counts[base_n]} municipalities)")
    print(f"{'command':9} {'N':>5} {'munis':>5} {'wall s':>8} {'CPU s':>8} {'MB':>6} "
          f"{'x wall':>7} {'x CPU':>7} {'x MB':>6}")
    for command in COMMANDS:
        b = med.get((base_n, command)) or med.get((ns[0], "extract"))
        for n in ns:
            if (n, command) not in med:
                continue
            m = med[(n, command)]
            print(f"{command:9} {n:>5} {counts[n]:>5} {m['wall']:8.1f} {m['cpu']:8.1f} {m['mb']:6.0f} "
                  f"{m['wall'] / b['wall']:7.2f} {m['cpu'] / b['cpu']:7.2f} {m['mb'] / b['mb']:6.2f}")
    for n in ns:
        if (n, "extract-1") in med:
            cold, one = med[(n, "extract")], med[(n, "extract-1")]
            print(f"one municipality changed at N={n}: {one['cpu'] / cold['cpu']:.0%} of a cold extract's CPU, "
                  f"{one['wall'] / cold['wall']:.0%} of its wall time")


if __name__ == "__main__":
    main()
