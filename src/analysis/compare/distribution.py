"""Many municipalities at once: the highlighted ones against the distribution of the others.

Up to `THRESHOLD` municipalities a page draws each one (its charts as they are). Above it a chart
shows, per category (or measure, status, ...), the quartiles of the others and the highlighted
municipalities one by one; a table shows the highlighted rows plus one summary row per category,
and the download keeps every row.

    at_scale(comp)                                          # True above THRESHOLD municipalities
    summary(comp, ["category"], "value", highlight=["peine"])   # others' quartiles per category
    for_table(comp, ["peine"], by=["category"], values=["value", "share"])

DataFrames in, DataFrames out; the drawing is in `analysis.report.scale_charts`.
"""
from __future__ import annotations

import re

import pandas as pd

THRESHOLD = 25          # municipalities drawn one by one; above it, the distribution view
MAX_HIGHLIGHT = 25      # more highlighted ones than this are summarised as one group too
OTHERS = "others"
SELECTED = "highlighted"
STATS = ["n", "min", "p05", "q1", "median", "q3", "p95", "max"]


def count(df: pd.DataFrame, column: str = "municipality_id") -> int:
    """The number of municipalities in `df` (0 for an empty frame or one without `column`)."""
    return int(df[column].nunique()) if column in df.columns and len(df) else 0


def at_scale(df: pd.DataFrame, column: str = "municipality_id", threshold: int = THRESHOLD) -> bool:
    """True when `df` holds more municipalities than a chart draws one by one."""
    return count(df, column) > threshold


def split(df: pd.DataFrame, highlight, column: str = "municipality_id") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows of the highlighted municipalities, rows of all the others)."""
    hit = df[column].isin(list(highlight or []))
    return df[hit], df[~hit]


def quartiles(df: pd.DataFrame, by: list[str], value: str, column: str = "municipality_id") -> pd.DataFrame:
    """Per `by` group: n (municipalities with a value), min, p05, q1, median, q3, p95, max of
    `value` (p05/p95: the 5th and 95th percentile, where a chart's whiskers end, so that one
    extreme or flagged figure does not set the axis)."""
    d = df.dropna(subset=[value])
    if not len(d):
        return pd.DataFrame(columns=by + STATS)
    g = d.groupby(by, dropna=False, sort=True)[value]
    out = pd.DataFrame({"n": d.groupby(by, dropna=False, sort=True)[column].nunique(), "min": g.min(),
                        "p05": g.quantile(0.05), "q1": g.quantile(0.25), "median": g.median(),
                        "q3": g.quantile(0.75), "p95": g.quantile(0.95), "max": g.max()})
    return out.reset_index()


def summary(df: pd.DataFrame, by: list[str], value: str, highlight=(), column: str = "municipality_id",
            max_highlight: int = MAX_HIGHLIGHT) -> pd.DataFrame:
    """The others' quartiles per `by` group (group 'others'); when more than `max_highlight`
    municipalities are highlighted, their quartiles too (group 'highlighted'). Columns: `by`,
    group, group_label ('others (480)'), n, min, p05, q1, median, q3, p95, max."""
    sel, rest = split(df, highlight, column)
    parts = [quartiles(rest, by, value, column).assign(group=OTHERS)]
    if count(sel, column) > max_highlight:
        parts.append(quartiles(sel, by, value, column).assign(group=SELECTED))
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else parts[0]
    out["group_label"] = [f"{g} ({int(n)})" for g, n in zip(out["group"], out["n"])]
    return out


def points(df: pd.DataFrame, highlight, column: str = "municipality_id",
           max_highlight: int = MAX_HIGHLIGHT) -> pd.DataFrame:
    """The highlighted rows drawn one by one (none when more than `max_highlight` are highlighted:
    `summary` gives them a box of their own)."""
    sel, _ = split(df, highlight, column)
    return sel if count(sel, column) <= max_highlight else sel.iloc[0:0]


def for_table(df: pd.DataFrame, highlight, by: list[str] | None = None, values: list[str] | None = None,
              column: str = "municipality_id", label: str = "municipality",
              threshold: int = THRESHOLD) -> pd.DataFrame:
    """A table's rows for display: `df` itself up to `threshold` municipalities; above it the
    highlighted rows plus, per `by` group, one row with the median of each of `values` (default:
    every numeric column but years, codes and ids) over the others (`label` says 'median of 480
    others'), or without `by` one row saying how many other municipalities the download holds.
    The download keeps `df` whole."""
    if not at_scale(df, column, threshold):
        return df
    sel, rest = split(df, highlight, column)
    n_rest = count(rest, column)
    if by is not None:
        if values is None:
            values = [c for c in rest.columns if c not in by and pd.api.types.is_numeric_dtype(rest[c])
                      and not pd.api.types.is_bool_dtype(rest[c]) and not re.search(r"year|code|_id$", str(c))]
        values = [v for v in values if v in rest.columns]
        if by:
            med = rest.groupby(by, dropna=False, sort=True)[values].median().reset_index()
            n = rest.groupby(by, dropna=False, sort=True)[column].nunique().reset_index(name="_n")
            med = med.merge(n, on=by, how="left")
        else:
            med = rest[values].median().to_frame().T.assign(_n=n_rest)
        med[label] = [f"median of {int(k)} others" for k in med["_n"]]
        med = med.drop(columns="_n")
    else:
        med = pd.DataFrame({label: [f"{n_rest} other municipalities: every row is in the download"]})
    return pd.concat([sel, med], ignore_index=True)


def shares(df: pd.DataFrame, column: str, values: list[str], id_column: str = "municipality_id") -> pd.DataFrame:
    """Per municipality the share (%) of its rows with each of `values` in `column` (0 where it
    has none of them): e.g. the share of a municipality's goals per status. Columns: id,
    `column`, count, rows, share."""
    counts = df.groupby([id_column, column]).size().unstack(fill_value=0).reindex(columns=values, fill_value=0)
    total = df.groupby(id_column).size()
    long = counts.stack().rename("count").reset_index()
    long["rows"] = long[id_column].map(total)
    long["share"] = 100.0 * long["count"] / long["rows"]
    return long


def for_matrix(matrix: pd.DataFrame, highlight, threshold: int = THRESHOLD) -> pd.DataFrame:
    """A wide table with one column per municipality (e.g. goals per perspective) for display:
    itself up to `threshold` columns, else the highlighted municipalities' columns only."""
    if len(matrix.columns) <= threshold:
        return matrix
    return matrix[[m for m in matrix.columns if m in set(highlight or [])]]
