"""A progress line for steps that take more than a few seconds (printed to stderr, never to stdout).

    p = Progress("data/municipalities/kiel/Haushalt-Kiel-2017.csv")
    p.step("read 100,000 rows")     # silent during the first 2 seconds, then one line per step
"""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, label: str, after: float = 2.0, stream=None):
        self.label, self.after, self.stream = label, after, stream
        self.t0 = time.perf_counter()

    def step(self, what: str) -> None:
        elapsed = time.perf_counter() - self.t0
        if elapsed >= self.after:
            print(f"  {self.label}: {what} ({elapsed:.1f}s)", file=self.stream or sys.stderr, flush=True)
