"""The data contract: tables, columns, vocabularies and their pandera schemas.

Column names in `COLUMNS` are the contract; extra columns listed in `OPTIONAL`
may be present. `validate(name, df)` checks a table and raises `InputError`
listing every failing row and column at once.
"""
from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from analysis.contract.errors import InputError, Problem

# An id: at most 64 characters; \Z (not $) so that a trailing newline does not pass.
SLUG = r"^(?=.{1,64}\Z)[a-z][a-z0-9]*(-[a-z0-9]+)*\Z"
SLUG_MAX = 64
PERIOD = r"^\d{4}(-(0[1-9]|1[0-2]))?$"
SOURCE_REF = r"^[^:\s]+:\d+(-\d+)?(,\d+(-\d+)?)*$"  # <file>:<line>, a range 12-15 or a list 12-15,18
SOURCE_REF_TEXT = "<file>:<line> (or lines: <file>:12-15,18)"

LEVELS = ["total", "area", "product", "line"]
DIRECTIONS = ["expenditure", "revenue", "net"]
ECONOMIC_TYPES = ["all", "personnel", "goods_services", "transfers", "other", "depreciation", "internal"]
# financial_plan: the medium-term financial plan (planning years after the budget year, e.g. Plan 2018-2020
# printed in a 2017 budget), distinct from the adopted original_budget of the budget year itself.
PHASES = ["original_budget", "adjusted_budget", "forecast", "actual", "actual_to_date", "financial_plan"]
GOAL_DIRECTIONS = ["higher_is_better", "lower_is_better", "none"]
# contradiction: the printed degree of achievement contradicts the printed target and result
GOAL_STATUSES = ["met", "missed", "partly", "contradiction", "no_target", "not_measured", "pending"]
GOAL_TYPES = ["outcome", "output", "process", "input", "structure"]
# Coding frame (data/curated/goals/README.md); Neukölln's four steering fields plus process quality.
GOAL_PERSPECTIVES = ["client", "staff", "economic", "legal", "process_quality"]
ADMIN_TYPES = ["Landkreis", "kreisfreie Stadt", "Bezirk", "Kommune", "Kreis", "Stadt", "Gemeinde", "Region"]
BUDGET_TYPES = ["operating", "capital"]
REVENUE_KINDS = ["income", "reimbursement"]
# corrected: a misprint the document settles itself, corrected from data/curated/corrections.yml
QUALITY_STATUSES = ["pass", "fail", "contradiction", "corrected", "warning", "info"]

COLUMNS: dict[str, list[str]] = {
    "municipalities": ["municipality_id", "name", "country", "region", "admin_type", "currency", "language"],
    "documents": ["document_id", "municipality_id", "title", "reference", "date", "publisher", "language",
                  "path", "sha256"],
    "budget": ["municipality_id", "document_id", "fiscal_year", "period", "org_unit", "item_code", "item_name",
               "item_name_en", "level", "direction", "economic_type", "phase", "amount", "currency", "category",
               "source_ref"],
    "indicators": ["municipality_id", "document_id", "fiscal_year", "item_code", "indicator", "indicator_en",
                   "unit", "phase", "value", "category", "source_ref"],
    "goals": ["municipality_id", "document_id", "goal_id", "item_code", "goal", "goal_en", "perspective",
              "goal_type", "metric", "unit", "direction", "target", "result", "result_phase",
              "achievement_reported", "achievement", "status", "quantified", "quote", "source_ref"],
    "quality": ["check", "municipality_id", "document_id", "source_ref", "expected", "found", "status"],
    "budget_changes": ["municipality_id", "document_id", "fiscal_year", "org_unit", "budget_group", "change",
                       "change_en", "direction", "amount", "currency", "source_ref"],
}

# Corrections and flags of figures (data/curated/corrections.yml, applied by `analysis extract`):
# correction_id / correction_note: the figure was corrected where the document settles it; the
# printed figure stays in `<column>_as_printed`. flag_id / flag_note: the figure is kept as printed
# but doubtful (the document does not settle it); charts mark it.
MARK_COLUMNS = ["correction_id", "correction_note", "flag_id", "flag_note"]
# the figure columns a correction may change, per table, and where the printed figure is kept
CORRECTABLE = {"budget": {"amount": "amount_as_printed"}, "indicators": {"value": "value_as_printed"},
               "goals": {"target": "target_as_printed", "result": "result_as_printed"}}

# Useful extra columns; present in the processed tables, optional in input files.
OPTIONAL: dict[str, list[str]] = {
    "municipalities": ["official_code", "scheme"],
    "documents": ["original_file", "notes"],
    "budget": ["budget_type", "budget_group", "revenue_kind", "source_unit", "trend", "note", "category_name_en",
               "category_judgement", "category_rule", "amount_as_printed", *MARK_COLUMNS],
    "indicators": ["indicator_group", "period", "note", "category_rule", "value_as_printed", *MARK_COLUMNS],
    "goals": ["target_year", "baseline", "baseline_year", "metric_en", "perspective_original", "related_goal_id",
              "note", "target_as_printed", "result_as_printed", *MARK_COLUMNS],
    "quality": ["detail", "tolerance"],
    "budget_changes": ["source_unit"],
}

# Columns that identify a row; duplicates are contract violations.
KEYS: dict[str, list[str]] = {
    "municipalities": ["municipality_id"],
    "documents": ["document_id"],
    "budget": ["document_id", "fiscal_year", "period", "org_unit", "item_code", "item_name", "level",
               "direction", "economic_type", "phase", "budget_group", "revenue_kind"],
    "indicators": ["document_id", "fiscal_year", "item_code", "indicator", "phase", "indicator_group"],
    "goals": ["goal_id"],
    "budget_changes": ["document_id", "org_unit", "budget_group", "change", "direction", "source_ref"],
}


def is_calendar_date(text) -> bool:
    """True for 'YYYY-MM-DD' that names a day of the calendar (2022-13-45 does not)."""
    import datetime as dt
    try:
        dt.date.fromisoformat(str(text))
        return len(str(text)) == 10
    except ValueError:
        return False


@functools.cache
def schemas() -> dict:
    """The pandera schema of each table (built on first use: importing pandera takes a while)."""
    import pandera.pandas as pa

    _str = pa.Column(str)
    _nstr = pa.Column(str, nullable=True)

    def _isin(values):
        return pa.Check.isin(values, error=f"one of {', '.join(values)}")

    def _match(pattern, what):
        return pa.Check.str_matches(pattern, error=what)

    return {
        "municipalities": pa.DataFrameSchema({
            "municipality_id": pa.Column(str, _match(SLUG, "a slug like 'berlin-neukoelln'"), unique=True),
            "name": _str,
            "country": pa.Column(str, _match(r"^[A-Z]{2}$", "an ISO 3166 alpha-2 code like DE")),
            "region": _nstr,
            "admin_type": pa.Column(str, _isin(ADMIN_TYPES)),
            "currency": pa.Column(str, _match(r"^[A-Z]{3}$", "an ISO 4217 code like EUR")),
            "language": pa.Column(str, _match(r"^[a-z]{2}$", "an ISO 639-1 code like de")),
        }, strict=False, coerce=False),
        "documents": pa.DataFrameSchema({
            "document_id": pa.Column(str, _match(SLUG, "a slug"), unique=True),
            "municipality_id": pa.Column(str, _match(SLUG, "a slug")),
            "title": _str,
            "reference": _nstr,
            "date": pa.Column(str, [_match(r"^\d{4}-\d{2}-\d{2}\Z", "an ISO date YYYY-MM-DD"),
                                    pa.Check(lambda s: s.map(is_calendar_date), error="a calendar date YYYY-MM-DD")],
                              nullable=True),
            "publisher": _nstr,
            "language": pa.Column(str, _match(r"^[a-z]{2}$", "an ISO 639-1 code")),
            "path": _str,
            "sha256": pa.Column(str, _match(r"^[0-9a-f]{64}$", "a sha256 hex digest"), nullable=True),
        }, strict=False),
        "budget": pa.DataFrameSchema({
            "municipality_id": pa.Column(str, _match(SLUG, "a slug")),
            "document_id": _str,
            "fiscal_year": pa.Column(int, pa.Check.in_range(1990, 2100)),
            "period": pa.Column(str, _match(PERIOD, "YYYY or YYYY-MM")),
            "org_unit": _str,
            "item_code": _str,
            "item_name": _str,
            "item_name_en": _nstr,
            "level": pa.Column(str, _isin(LEVELS)),
            "direction": pa.Column(str, _isin(DIRECTIONS)),
            "economic_type": pa.Column(str, _isin(ECONOMIC_TYPES)),
            "phase": pa.Column(str, _isin(PHASES)),
            "amount": pa.Column(float, nullable=True),
            "currency": pa.Column(str, _match(r"^[A-Z]{3}$", "an ISO 4217 code")),
            "category": _nstr,
            "source_ref": pa.Column(str, _match(SOURCE_REF, SOURCE_REF_TEXT)),
        }, strict=False),
        "indicators": pa.DataFrameSchema({
            "municipality_id": pa.Column(str, _match(SLUG, "a slug")),
            "document_id": _str,
            "fiscal_year": pa.Column(int, pa.Check.in_range(1990, 2100)),
            "item_code": _nstr,
            "indicator": _str,
            "indicator_en": _nstr,
            "unit": _str,
            "phase": pa.Column(str, _isin(PHASES)),
            "value": pa.Column(float, nullable=True),
            "category": _nstr,
            "source_ref": pa.Column(str, _match(SOURCE_REF, SOURCE_REF_TEXT)),
        }, strict=False),
        "goals": pa.DataFrameSchema({
            "municipality_id": pa.Column(str, _match(SLUG, "a slug")),
            "document_id": _str,
            "goal_id": pa.Column(str, unique=True),
            "item_code": _nstr,
            "goal": _str,
            "goal_en": _str,
            "perspective": pa.Column(str, _isin(GOAL_PERSPECTIVES)),
            "goal_type": pa.Column(str, _isin(GOAL_TYPES)),
            "metric": _nstr,
            "unit": _nstr,
            "direction": pa.Column(str, _isin(GOAL_DIRECTIONS)),
            "target": pa.Column(float, nullable=True),
            "result": pa.Column(float, nullable=True),
            "result_phase": pa.Column(str, _isin(PHASES), nullable=True),
            "achievement_reported": pa.Column(float, nullable=True),
            "achievement": pa.Column(float, nullable=True),
            "status": pa.Column(str, _isin(GOAL_STATUSES)),
            "quantified": pa.Column(bool),
            "quote": _str,
            "source_ref": pa.Column(str, _match(SOURCE_REF, SOURCE_REF_TEXT)),
        }, strict=False),
        "quality": pa.DataFrameSchema({
            "check": _str,
            "municipality_id": _str,
            "document_id": _str,
            "source_ref": _nstr,
            "expected": _nstr,
            "found": _nstr,
            "status": pa.Column(str, _isin(QUALITY_STATUSES)),
        }, strict=False),
        "budget_changes": pa.DataFrameSchema({
            "municipality_id": pa.Column(str, _match(SLUG, "a slug")),
            "document_id": _str,
            "fiscal_year": pa.Column(int),
            "org_unit": _str,
            "budget_group": _str,
            "change": _str,
            "change_en": _nstr,
            "direction": pa.Column(str, _isin(DIRECTIONS)),
            "amount": pa.Column(float, nullable=True),
            "currency": _str,
            "source_ref": pa.Column(str, _match(SOURCE_REF, SOURCE_REF_TEXT)),
        }, strict=False),
    }


# Optional columns with a fixed vocabulary.
OPTIONAL_CHECKS = {
    ("budget", "budget_type"): BUDGET_TYPES,
    ("budget", "revenue_kind"): REVENUE_KINDS,
}

TABLES = list(COLUMNS)
DTYPES_FLOAT = {"budget": ["amount", "amount_as_printed"], "indicators": ["value", "value_as_printed"],
                "budget_changes": ["amount"],
                "goals": ["target", "result", "achievement_reported", "achievement", "baseline", "target_as_printed",
                          "result_as_printed"]}
DTYPES_BOOL = {"goals": ["quantified"], "budget": ["category_judgement"]}
DTYPES_INT = {"budget": ["fiscal_year"], "indicators": ["fiscal_year"], "budget_changes": ["fiscal_year"],
              "goals": ["target_year", "baseline_year"]}


def empty(name: str) -> pd.DataFrame:
    """An empty table with the contract's columns (required then optional)."""
    return conform(pd.DataFrame(columns=COLUMNS[name] + OPTIONAL.get(name, [])), name)


def conform(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Order columns (contract first, then optional, then any others) and set dtypes.

    Missing optional columns are added as empty. Text columns become pandas' `str` dtype
    (missing values are NaN), so that CSV and Parquet round-trip the same way. A column that
    has its contract dtype already (Parquet written by `analysis extract`) is kept as it is.
    """
    ordered = COLUMNS[name] + OPTIONAL.get(name, [])
    df = df.copy(deep=False)  # copy-on-write: the caller's frame never changes
    for col in ordered:
        if col not in df.columns:
            df[col] = None
    df = df[ordered + [c for c in df.columns if c not in ordered]]
    for col in df.columns:
        kind, dtype = _contract_dtype(name, col)
        if not _has_dtype(df[col], dtype):
            df[col] = _convert(df[col], kind, dtype)
    return df.reset_index(drop=True)


def _contract_dtype(name: str, col: str) -> tuple[str, object]:
    """The kind (float, int, bool, str) of a column of table `name` and its pandas dtype."""
    required = col in COLUMNS[name]
    if col in DTYPES_FLOAT.get(name, []):
        return "float", np.dtype("float64")
    if col in DTYPES_INT.get(name, []):
        return "int", np.dtype("int64") if required else pd.Int64Dtype()
    if col in DTYPES_BOOL.get(name, []):
        return "bool", np.dtype(bool) if required else pd.BooleanDtype()
    return "str", _STR


_STR = pd.api.types.pandas_dtype("str")  # pandas' default string dtype (its storage and NaN as missing)


def _has_dtype(s: pd.Series, dtype) -> bool:
    return type(s.dtype) is type(dtype) and s.dtype == dtype


def _convert(s: pd.Series, kind: str, dtype) -> pd.Series:
    """`s` as `dtype`: numbers that do not parse become missing (NaN, or <NA> in a nullable column)."""
    nullable = not isinstance(dtype, np.dtype)
    if kind == "float" or (kind == "int" and (len(s) or nullable)):
        return pd.to_numeric(s, errors="coerce").astype(dtype)
    if kind == "int":  # an empty column
        return s.astype(dtype)
    if kind == "bool":
        return s.map((lambda v: None if pd.isna(v) else _to_bool(v)) if nullable else _to_bool).astype(dtype)
    s = s.astype(object)
    return s.where(s.isna(), s.astype(str)).astype(dtype)


def _to_bool(v) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes", "ja", "x")
    return False if pd.isna(v) else bool(v)


def problems(df: pd.DataFrame, name: str, path: str = "<table>", row_offset: int = 2,
             within: str | None = None) -> list[Problem]:
    """Every contract problem in `df` as a list of `Problem`s (empty when valid).

    Row numbers are `index + row_offset`, i.e. spreadsheet rows with a header in row 1.
    `within`: a column of `df` that groups the rows (e.g. by folder): a key repeats only inside a group.
    """
    out: list[Problem] = []
    missing = [c for c in COLUMNS[name] if c not in df.columns]
    for col in missing:
        out.append(Problem(path, "required column is missing", None, col,
                           f"columns {', '.join(COLUMNS[name])}", None))
    if missing:
        return out
    from pandera.errors import SchemaErrors
    try:
        schemas()[name].validate(df, lazy=True)
    except SchemaErrors as exc:
        fc = exc.failure_cases
        for rec in fc.to_dict("records"):
            idx = rec.get("index")
            line = int(idx) + row_offset if idx is not None and idx == idx else None
            check = str(rec.get("check"))
            expected = _expected_text(check)
            case = rec.get("failure_case")
            found = "" if case is None or (isinstance(case, float) and case != case) else str(case)
            out.append(Problem(path, "value breaks the contract", line, rec.get("column"), expected, found))
    for (table, col), allowed in OPTIONAL_CHECKS.items():
        if table == name and col in df.columns:
            values = df[col]
            bad = values.map(lambda v: isinstance(v, str)).astype(bool) & ~values.isin(allowed)
            for idx, v in values[bad].items():  # only the rows at fault
                out.append(Problem(path, "value breaks the contract", int(idx) + row_offset, col,
                                   "one of " + ", ".join(allowed), str(v)))
    key = [k for k in KEYS.get(name, []) if k in df.columns]
    if key:
        dup = df[df.duplicated(key + ([within] if within else []), keep="first")]
        for idx in dup.index:
            vals = ", ".join(f"{k}={df.at[idx, k]}" for k in key[:6] if df.at[idx, k] is not None)
            out.append(Problem(path, f"duplicate row ({vals})", int(idx) + row_offset, key[0],
                               "each key once", None))
    return out


def all_clean(frames: list[pd.DataFrame], name: str) -> bool:
    """True when the rows of `frames` taken together break no rule of the contract `name`; then
    no frame alone breaks one either (every rule is a test of one value, or of keys that repeat),
    so one pandera pass stands for one per frame. Every frame needs the required columns and a
    row: False otherwise (check such a frame alone)."""
    if not frames or any(not len(f) or any(c not in f.columns for c in COLUMNS[name]) for f in frames):
        return False
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    whole = pd.concat([f.reindex(columns=columns) for f in frames], ignore_index=True)
    return not problems(conform(whole, name), name)


def _expected_text(check: str) -> str:
    m = re.match(r"^(one of .*|a .*|an .*|YYYY.*|<file>.*|each .*)$", check)
    if m:
        return check
    if check.startswith("column_in_dataframe"):
        return "the column to exist"
    if check.startswith("dtype"):
        return "type " + check.split("(", 1)[-1].rstrip(")").strip("'")
    if "not_nullable" in check:
        return "a value (the column may not be empty)"
    if check.startswith("field_uniqueness"):
        return "unique values"
    return check


def validate(df: pd.DataFrame, name: str, path: str = "<table>") -> pd.DataFrame:
    """Return `df` when it meets the contract; raise `InputError` listing every problem."""
    found = problems(df, name, path)
    if found:
        raise InputError(found)
    return df
