"""Source references: `<raw file>:<line>` for one figure, and short texts for many."""
from __future__ import annotations

from pathlib import Path

import pandas as pd


def source_ref(path: Path | str, line: int) -> str:
    """`<raw file name>:<line>` for a 1-based line number."""
    return f"{Path(path).name}:{line}"


def is_missing(v) -> bool:
    """True for the values pandas' dropna removes (None, NaN, NA, NaT), without building a Series."""
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def distinct(values) -> list:
    """The non-missing values in the order they first appear (``pd.Series(values).dropna().unique()``)."""
    return list(dict.fromkeys(v for v in values if not is_missing(v)))


def join_refs(refs, limit: int = 4) -> str:
    """Several '<file>:<line>' references as one short text: 'file.txt:12, 15, 17 (+3 more)'."""
    refs = [str(r) for r in distinct(refs) if str(r)]
    if not refs:
        return ""
    by_file: dict[str, list[str]] = {}
    for r in refs:
        f, _, line = r.rpartition(":")
        by_file.setdefault(f or r, []).append(line)
    parts, shown = [], 0
    for f, lines in by_file.items():
        keep = lines[: max(limit - shown, 1)]
        shown += len(keep)
        text = f"{f}:{', '.join(keep)}"
        if len(lines) > len(keep):
            text += f" (+{len(lines) - len(keep)} more)"
        parts.append(text)
        if shown >= limit:
            rest = len(by_file) - len(parts)
            if rest:
                parts.append(f"+{rest} more files")
            break
    return "; ".join(parts)
