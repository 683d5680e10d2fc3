"""How the contract names what a document does not give: a missing figure is never 0.

    NO_FIGURES      'no figures in source': the document has no figure here
    NOT_MEASURED    'not measured': a goal or indicator without a result
    text(values)    a column as text, '' for missing values (for labels)
    flag(values)    a yes/no column as bool, missing as False
"""
from __future__ import annotations

import pandas as pd

NO_FIGURES = "no figures in source"
NOT_MEASURED = "not measured"


def text(values) -> pd.Series:
    """A column as text with '' for missing values (for building labels)."""
    s = pd.Series(values).astype(object)
    return s.where(s.notna(), "").astype(str)


def flag(values) -> pd.Series:
    """A yes/no column as bool, with missing values as False ('true'/'True'/True/1 are True)."""
    def one(v) -> bool:
        if isinstance(v, str):
            return v.strip().lower() in ("true", "1", "yes")
        try:
            return False if pd.isna(v) else bool(v)
        except (TypeError, ValueError):
            return False
    s = pd.Series(values).astype(object)
    return s.map(one).astype(bool)
