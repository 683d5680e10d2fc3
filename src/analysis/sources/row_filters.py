"""Row filters of a mapped budget file (``filters:`` in municipality.yml): which rows are imported.

    filters:
      keep:                                  # a row is kept when it matches every keep filter ...
        - {column: Teilplan, pattern: "^(3[1-6]|41)"}
        - {column: Produktbereich, in: ["31", "36", "41"]}
      drop:                                  # ... and none of the drop filters
        - {column: Produkt-Bez, pattern: "(?i)^summe"}

A filter names a column and exactly one test on the cell's text (spaces at the ends ignored):
``equals`` (one value), ``in`` (a list), ``prefix`` (a text or a list: the cell starts with one of
them), ``range`` (``[from, to]``, inclusive, the cell read as a whole number; cells that are no
whole number do not match) or ``pattern`` (a regular expression searched in the cell). Filters
apply to the file as published, before anything is mapped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import pandas as pd

TESTS = ("equals", "in", "prefix", "range", "pattern")


@dataclass
class Filter:
    kind: str            # keep | drop
    index: int
    column: str
    test: str
    value: object

    def describe(self) -> str:
        v = self.value.pattern if isinstance(self.value, re.Pattern) else self.value
        return f"{self.kind} {self.column} {self.test} {v!r}"

    def matches(self, text: pd.Series) -> pd.Series:
        if self.test == "equals":
            return text == self.value
        if self.test == "in":
            return text.isin(self.value)
        if self.test == "prefix":
            return text.str.startswith(tuple(self.value))
        if self.test == "range":
            lo, hi = self.value
            num = pd.to_numeric(text.where(text.str.fullmatch(r"[+-]?\d+")), errors="coerce")
            return (num >= lo) & (num <= hi)
        return text.str.contains(self.value, regex=True)


def parse(spec, bad: Callable[[tuple, str, str, str | None], None]) -> list[Filter]:
    """The filters of a mapping entry; `bad(keys, message, expected, found)` reports a problem."""
    if spec is None:
        return []
    if not isinstance(spec, dict) or set(spec) - {"keep", "drop"}:
        bad(("filters",), "filters has the keys keep and drop", "keep: [...], drop: [...]", str(spec))
        return []
    out = []
    for kind in ("keep", "drop"):
        items = spec.get(kind) or []
        if not isinstance(items, list):
            bad(("filters", kind), f"filters.{kind} is a list of filters", "- {column: ..., pattern: ...}", str(items))
            continue
        for i, item in enumerate(items):
            f = _one(kind, i, item, lambda m, e, f, k=(("filters", kind, i)): bad(k, m, e, f))
            if f is not None:
                out.append(f)
    return out


def _one(kind: str, i: int, item, bad) -> Filter | None:
    tests = [t for t in TESTS if isinstance(item, dict) and t in item]
    if not isinstance(item, dict) or "column" not in item or len(tests) != 1 or set(item) - {"column", *TESTS}:
        bad("a filter is {column: <header>, <test>: <value>} with one test",
            "one of " + ", ".join(TESTS), str(item))
        return None
    test, value = tests[0], item[tests[0]]
    if test == "equals":
        value = _str(value)
    elif test == "in":
        if not isinstance(value, list) or not value:
            bad("'in' takes a list of values", "[\"31\", \"36\"]", str(value))
            return None
        value = [_str(v) for v in value]
    elif test == "prefix":
        value = [_str(v) for v in (value if isinstance(value, list) else [value])]
    elif test == "range":
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
            bad("'range' takes two whole numbers [from, to]", "[310000, 369999]", str(value))
            return None
    else:
        try:
            value = re.compile(str(value))
        except re.error as exc:
            bad(f"not a regular expression ({exc})", "e.g. ^(31|36)", str(value))
            return None
    return Filter(kind, i, str(item["column"]), test, value)


def _str(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def columns(filters: list[Filter]) -> list[str]:
    return list(dict.fromkeys(f.column for f in filters))


def texts(df: pd.DataFrame, column: str) -> pd.Series:
    """A column's cells as stripped text ('' for empty cells; XLSX numbers without '.0')."""
    s = df[column]
    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        return s.fillna("").astype(str).str.strip()
    return s.map(lambda v: "" if v is None else _str(v))


def apply(df: pd.DataFrame, filters: list[Filter]) -> tuple[pd.Series, str | None]:
    """(mask of the rows kept, a note saying how many each filter kept or dropped)."""
    mask = pd.Series(True, index=df.index)
    if not filters:
        return mask, None
    cache: dict[str, pd.Series] = {}
    parts = []
    for f in filters:
        text = cache.setdefault(f.column, texts(df, f.column))
        hit = f.matches(text).fillna(False).astype(bool)
        if f.kind == "keep":
            parts.append(f"{f.describe()}: {int(hit.sum()):,} rows match")
            mask &= hit
        else:
            parts.append(f"{f.describe()}: {int((hit & mask).sum()):,} rows dropped")
            mask &= ~hit
    return mask, f"kept {int(mask.sum()):,} of {len(df):,} rows ({'; '.join(parts)})"
