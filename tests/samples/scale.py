"""Hundreds of municipalities in memory, for the charts-at-scale tests: the rows of a sample
frame (contract rows or a compare result) cloned under new ids ('m0001', ...), municipality k a
copy of the k-th sample municipality in turn, its figures times a seeded factor (0.5 to 1.5)."""
import numpy as np
import pandas as pd


def ids(n: int) -> list[str]:
    return [f"m{i:04d}" for i in range(1, n + 1)]


def names(n: int) -> dict[str, str]:
    return {m: f"Gemeinde {m[1:]}" for m in ids(n)}


def clone(df: pd.DataFrame, n: int, numbers: tuple[str, ...] = (), seed: int = 13) -> pd.DataFrame:
    """`df` for `n` municipalities; `numbers` are the columns scaled per municipality; the
    `municipality` (name) and goal ids follow the new id."""
    rng = np.random.default_rng(seed)
    groups = {m: g for m, g in df.groupby("municipality_id", sort=True)}
    sources = list(groups)
    new = ids(n)
    parts = [groups[sources[k % len(sources)]] for k in range(n)]
    out = pd.concat(parts, ignore_index=True)
    sizes = [len(p) for p in parts]
    out["municipality_id"] = np.repeat(new, sizes)
    factor = np.repeat(rng.uniform(0.5, 1.5, n), sizes)
    for col in numbers:
        if col in out.columns:
            out[col] = pd.to_numeric(out[col], errors="coerce") * factor
    if "municipality" in out.columns:
        out["municipality"] = out["municipality_id"].map(names(n))
    if "goal_id" in out.columns:
        out["goal_id"] = out["municipality_id"] + "-" + out["goal_id"].astype(str)
    return out
