"""Many small frames (one per folder) stacked into one, cheaply."""
from __future__ import annotations

import pandas as pd


def stack(frames: list[pd.DataFrame], columns: list[str], missing_as_object: bool = False) -> pd.DataFrame:
    """The frames one below the other with `columns` (a column a frame lacks: NaN, as objects when
    `missing_as_object`), as `pd.concat` of each frame reindexed gives them; consecutive frames of
    the same columns and dtypes are concatenated first, so a reindex is paid per run of alike
    frames, not per frame."""
    runs: list[list[pd.DataFrame]] = []
    last = None
    for f in frames:
        kinds = list(zip(f.columns, f.dtypes))
        if runs and kinds == last:
            runs[-1].append(f)
        else:
            runs.append([f])
        last = kinds
    parts = []
    for run in runs:
        f = run[0] if len(run) == 1 else pd.concat(run, ignore_index=True)
        f = f.reindex(columns=columns)
        if missing_as_object:
            f = f.astype({c: object for c in columns if c not in run[0].columns})
        parts.append(f)
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
