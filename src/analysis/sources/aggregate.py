"""Sum the rows of a mapped file that share a key (``aggregate:`` in municipality.yml).

Budgets published one row per product x account (Sachkonto) or product x department become one
row per product::

    aggregate:
      by: [item_code]          # the item; year, phase, direction, level, economic_type, document,
                               # currency, budget_type, budget_group and revenue_kind always separate
      item_name: first         # first (default): the first row's name; other names go into `note`

Every summed row keeps its provenance: ``source_ref`` names the published file and the rows it
sums, as ranges (``Haushalt-Kiel-2017.csv:2677-2695``, ``file.csv:223-225,230``). Other text
fields that differ between the summed rows (e.g. the departments of a product) are joined with
"; ". A group with a missing amount (a dash in the file) sums to a missing amount, never to a
partial sum.
"""
from __future__ import annotations

import pandas as pd

STRUCTURAL = ["document_id", "fiscal_year", "period", "phase", "direction", "level", "economic_type",
              "currency", "budget_type", "budget_group", "revenue_kind"]
ITEM_NAMES = ("first", "join")


def line_ranges(rows) -> str:
    """Sorted line numbers as ranges: [5, 6, 7, 9] -> '5-7,9'."""
    rows = sorted({int(r) for r in rows})
    parts, start, prev = [], None, None
    for r in rows:
        if start is None:
            start = prev = r
        elif r == prev + 1:
            prev = r
        else:
            parts.append(f"{start}-{prev}" if prev != start else str(start))
            start = prev = r
    if start is not None:
        parts.append(f"{start}-{prev}" if prev != start else str(start))
    return ",".join(parts)


def row_keys(df: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One text key per row from `columns` (missing values kept apart from ''), built column-wise
    so that 100,000 rows take milliseconds."""
    key = pd.Series("", index=df.index, dtype=object)
    for c in columns:
        col = df[c].astype(object)
        key = key + "\x1f" + col.where(col.notna(), "\0").astype(str)
    return key


def _joined(values) -> str | None:
    seen = list(dict.fromkeys(v for v in values if v is not None and v == v and str(v) != ""))
    return "; ".join(map(str, seen)) if seen else None


def aggregate(rows: pd.DataFrame, by: list[str], value: str, file_name: str,
              item_name: str = "first") -> tuple[pd.DataFrame, list[str]]:
    """One row per key (`by` plus the structural fields present) with `value` summed; return
    (rows, notes). `rows` carries `_row` (the file's row) and `_unit`; the result keeps the
    first row in `_row` and sets `source_ref` to the rows summed."""
    if not len(rows):
        return rows, []
    keys = list(dict.fromkeys([c for c in by if c in rows.columns]
                              + [c for c in STRUCTURAL if c in rows.columns]))
    rest = [c for c in rows.columns if c not in keys and c not in (value, "_row", "source_ref")]
    d = rows.sort_values("_row", kind="stable")
    key = row_keys(d, keys)
    g = d.groupby(key, sort=False)
    first = g.head(1).set_index(key[g.head(1).index])
    out = first[keys + [c for c in rest if c in first.columns]].copy()
    total = g[value].sum(min_count=1)
    complete = g[value].count() == g.size()
    out[value] = total.where(complete)
    out["_row"] = g["_row"].min()
    out["_rows"] = g.size()
    out["source_ref"] = g["_row"].agg(lambda s: f"{file_name}:{line_ranges(s)}")
    notes = []
    n_names = g["item_name"].nunique(dropna=True) if "item_name" in d.columns else None
    if n_names is not None and (n_names > 1).any():
        several = n_names[n_names > 1].index
        names = g["item_name"].agg(_joined)
        if item_name == "join":
            out.loc[several, "item_name"] = names[several]
        else:
            extra = names[several].map(lambda t: "names in the summed rows: " + t)
            old = out.loc[several, "note"] if "note" in out.columns else pd.Series(None, index=several)
            out.loc[several, "note"] = [f"{o}; {e}" if isinstance(o, str) and o else e for o, e in zip(old, extra)]
        notes.append(f"{len(several)} summed items carry more than one name in the file; "
                     + ("names joined" if item_name == "join" else "the first row's name is used, all names are in `note`"))
    for c in rest:
        if c in ("item_name", "note", "_unit", "_file") or c not in d.columns:
            continue
        n = g[c].nunique(dropna=True)
        if (n > 1).any():
            several = n[n > 1].index
            out.loc[several, c] = g[c].agg(_joined)[several]
            notes.append(f"{len(several)} summed items have several values of {c} (joined with '; ')")
    return out.reset_index(drop=True), notes
