"""Benchmark: time and peak memory of `analysis extract` (all importers, validation, writing).

Run: .venv/bin/python benchmarks/bench_extract.py [--repeat 3]
Writes into a temporary folder; never touches data/processed/. Goal: under 10 s and 500 MB
for the five documents on a 2-core machine. Prints one line per run and the best.
"""
from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

from analysis.sources import extract
from analysis.contract import paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = paths.root()
    times = []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            tracemalloc.start()
            t0 = time.perf_counter()
            result = extract.run(root, out_dir=Path(tmp) / "processed")
            seconds = time.perf_counter() - t0
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        rows = sum(len(df) for df in result.tables.values())
        times.append(seconds)
        print(f"run {i + 1}: {seconds:.2f}s, peak Python memory {peak / 2**20:.0f} MiB, {rows} rows")
    print(f"best: {min(times):.2f}s")


if __name__ == "__main__":
    main()
