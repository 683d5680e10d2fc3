"""Import budget files as they were published, through a mapping in municipality.yml.

Wide files (one column per year and phase: ``Produkt; Bezeichnung; Ist 2015; Plan 2016``) are
mapped under ``input: wide:``, long files (one amount per row, e.g. one row per product x
account) under ``input: long:``; the keys are described in `analysis.sources.mapping`. Every
value cell becomes one row of the long contract table, in this order:

1. read the file as published (dialect declared or detected; `analysis.sources.spreadsheet`);
2. keep the rows the ``filters`` select (`analysis.sources.row_filters`);
3. map the fields (column, map, prefix, constant, or the direction from the amount's sign);
4. parse the value cells (`analysis.sources.value_cells`): an empty cell gives no row, a dash or
   ``n.a.`` a row with a missing amount (never 0); a value column that is zero or empty in every
   kept row is a placeholder (years not yet planned) and skipped with a note, unless it is
   declared ``zeros: real``;
5. apply ``sign`` (as_is | negate | revenue_negative | expenditure_negative) and ``unit``;
   original/adjusted budget years after ``budget_year`` become ``financial_plan``;
6. check printed Saldo columns (``check:``; `analysis.sources.net_checks`), never importing them;
7. sum the rows that share a key (``aggregate``; `analysis.sources.aggregate`).

Each row's source_ref is ``<file>:<row>`` (spreadsheet row, header = row 1) or, for summed rows,
``<file>:<rows>`` (``Haushalt-Kiel-2017.csv:2677-2695``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from analysis.contract.errors import InputError, Problem
from analysis.sources import aggregate, net_checks, row_filters, spreadsheet, value_cells
from analysis.sources.mapping import FIELDS, REQUIRED, SIGNS, UNITS, VALUE, Spec  # noqa: F401 (re-exported)
from analysis.sources.progress import Progress

MAX_MAP_PROBLEMS = 20


@dataclass
class Mapped:
    """What one mapping entry gave: long rows (with `_file`, `_row`, `_unit`), notes, problems
    (errors), warnings and quality rows."""

    rows: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    quality: list[dict] = field(default_factory=list)

    def __iter__(self):  # (rows, notes, problems), as before
        return iter((self.rows, self.notes, self.problems))


def read(spec: dict, index: int, folder: Path, *, meta: dict, options: dict | None, yml: str,
         line: Callable[[tuple], int | None], display: Callable[[Path], str], defaults: dict,
         section: str = "wide", cache: dict | None = None) -> Mapped:
    """Turn one mapped file into long contract rows; never raises on bad input."""
    s = Spec(spec, index, yml, line, defaults, section)
    if s.problems:
        return Mapped(problems=s.problems)
    path = folder / str(s.file)
    if not path.exists():
        line_no, col = s.where(("file",))
        return Mapped(problems=[Problem(yml, "file not found in the municipality's folder", line_no, col,
                                        f"a file {path.name} next to municipality.yml", str(s.file))])
    shown = display(path)
    progress = Progress(shown)
    again = cache is not None and any(k[0] == str(path) for k in cache)
    try:
        sheet = _sheet(path, s, options, meta, shown, cache)
    except InputError as exc:
        return Mapped(problems=exc.problems)
    progress.step(f"read {len(sheet.df):,} rows")
    value_cols, problems, notes = s.value_columns(sheet.columns, shown)
    for col in s.header_columns():
        if col not in sheet.columns:
            what = next((f"'{k}'" for k, src in s.sources.items() if src[0] != "sign" and src[1] == col), "a filter")
            problems.append(Problem(shown, f"column for {what} (named in municipality.yml) is missing", 1, col,
                                    "one of " + ", ".join(sheet.columns), None))
    if problems:
        return Mapped(problems=problems)
    out = Mapped(notes=([] if again else list(sheet.notes)) + notes)
    mask, filter_note = row_filters.apply(sheet.df, s.filters)
    df = sheet.df[mask]
    if filter_note:
        out.notes.append(f"{shown}: {filter_note}")
    fields = _fields(s, df, shown, out.problems)
    imported, checked = [c for c in value_cols if not c.check], [c for c in value_cols if c.check]
    parsed = {}
    for c in value_cols:
        values, present, probs = value_cells.parse(sheet, df, c.header)
        out.problems += probs
        parsed[c.header] = (values, present)
    if out.problems:
        return Mapped(notes=out.notes, problems=out.problems)
    imported = _skip_placeholders(s, imported, parsed, shown, out.notes)
    used = set(s.header_columns()) | {c.header for c in value_cols}
    ignored = [c for c in sheet.columns if c not in used]
    kind = "long table" if s.long else "wide table"
    out.notes.append(f"{shown}: {kind} mapped to {s.table}: {len(imported)} value column"
                     f"{'s' * (len(imported) != 1)} ({', '.join(c.header for c in imported)}), unit {s.unit}, "
                     f"sign {s.sign}" + (f"; checked, not imported: {', '.join(c.header for c in checked)}"
                                         if checked else "")
                     + (f"; ignored columns: {', '.join(ignored)}" if ignored else ""))
    progress.step(f"mapped {len(df):,} rows")
    rows = _long_rows(s, df, fields, imported, parsed, meta, path.name, shown, out)
    if checked:
        _run_checks(s, df, fields, checked, parsed, value_cols, meta, path.name, shown, out)
    if out.problems:
        return Mapped(notes=out.notes, problems=out.problems)
    if s.aggregate and len(rows):
        n = len(rows)
        rows, agg_notes = aggregate.aggregate(rows, s.aggregate["by"], VALUE[s.table], path.name,
                                              s.aggregate["item_name"])
        out.notes.append(f"{shown}: {n:,} rows summed into {len(rows):,} by "
                         f"{', '.join(s.aggregate['by'])} (source_ref lists the rows of each sum)")
        out.notes += [f"{shown}: {t}" for t in agg_notes]
        rows = rows.drop(columns=["_rows"])
    progress.step(f"{len(rows):,} rows ready")
    out.rows = rows
    return out


def _sheet(path: Path, s: Spec, options, meta, shown, cache):
    numeric = (lambda header: [c.header for c in s.value_columns(header, shown)[0]])
    key = (str(path), repr(sorted((options or {}).items())), s.value if s.long else repr(s.columns))
    if cache is not None and key in cache:
        return cache[key]
    sheet = spreadsheet.read(path, options=options, language=meta.get("language"), display=shown, numeric=numeric)
    if cache is not None:
        cache[key] = sheet
    return sheet


def _fields(s: Spec, df: pd.DataFrame, shown: str, problems: list[Problem]) -> dict[str, pd.Series]:
    """Each field's value per row (None where the cell is empty); unmapped values are problems."""
    out = {}
    for key, src in s.sources.items():
        if src[0] == "constant":
            out[key] = pd.Series(src[1], index=df.index, dtype=object)
            continue
        if src[0] == "sign":
            continue  # from the amounts, see _long_rows
        text = row_filters.texts(df, src[1])
        empty = text == ""
        if src[0] == "prefix":
            value = pd.Series(None, index=df.index, dtype=object)
            for prefix in sorted(src[2], key=len, reverse=True):
                value = value.where(value.notna() | ~text.str.startswith(prefix), src[2][prefix])
            expected = "a value starting with one of " + ", ".join(src[2])
        elif src[2] is not None:
            value = text.map(src[2])
            expected = "one of " + ", ".join(src[2])
        else:
            out[key] = text.where(~empty, None).astype(object)
            continue
        unmapped = value.isna() & ~empty
        if unmapped.any():
            rows = df.loc[unmapped, spreadsheet.ROW]
            for n, (v, part) in enumerate(rows.groupby(text[unmapped], sort=False)):
                if n >= MAX_MAP_PROBLEMS:
                    problems.append(Problem(shown, f"more values not in the map for '{key}' (not listed)", None,
                                            src[1], expected, None))
                    break
                more = f" ({len(part)} rows, the first shown)" if len(part) > 1 else ""
                problems.append(Problem(shown, f"value not in the map for '{key}' in municipality.yml{more}",
                                        int(part.iloc[0]), src[1], expected, v))
        out[key] = value.where(~empty, None).astype(object)
    return out


def _skip_placeholders(s: Spec, columns, parsed, shown, notes):
    keep = []
    for c in columns:
        values, present = parsed[c.header]
        if not s.long and not c.zeros_real and present.any() and (values[present].fillna(1) == 0).all():
            notes.append(f"{shown}: column '{c.header}' is zero or empty in every row imported: skipped as a "
                         "placeholder (e.g. a year not yet planned); declare it with zeros: real in "
                         "municipality.yml if the zeros are figures")
            continue
        keep.append(c)
    return keep


def _long_rows(s: Spec, df, fields, columns, parsed, meta, file_name, shown, out: Mapped) -> pd.DataFrame:
    frames = []
    value = VALUE[s.table]
    for c in columns:
        values, present = parsed[c.header]
        part = pd.DataFrame({k: v[present] for k, v in fields.items()})
        part[value] = values[present]
        if c.direction:
            part["direction"] = c.direction
        if not s.long:
            part["fiscal_year"], part["phase"] = int(c.fiscal_year), c.phase
        part["_row"] = df.loc[present, spreadsheet.ROW].astype(int)
        frames.append(part)
    rows = pd.concat(frames) if frames else pd.DataFrame(columns=list(fields) + [value, "_row"])
    if s.direction_from_sign:
        rule = s.sources["direction"][1]
        v = rows[value]
        rows["direction"] = [rule["negative"] if x < 0 else rule["zero"] if x == 0 else rule["positive"] for x in v]
        rows[value] = v.abs()
    _apply_sign(s, rows, shown, out.notes)
    rows[value] = (rows[value] * s.unit).round(6) + 0.0
    if s.long:
        bad = ~rows["fiscal_year"].astype(str).str.fullmatch(r"\d{4}")
        for r, y in zip(rows.loc[bad, "_row"][:MAX_MAP_PROBLEMS], rows.loc[bad, "fiscal_year"]):
            col = s.sources["fiscal_year"][1] if s.sources["fiscal_year"][0] != "constant" else "fiscal_year"
            out.problems.append(Problem(shown, "not a fiscal year", int(r), col, "a year like 2017", str(y)))
        rows = rows[~bad]
        rows["fiscal_year"] = rows["fiscal_year"].astype(int)
    _financial_plan(s, rows, shown, out.notes)
    rows["municipality_id"] = meta.get("municipality_id")
    rows["source_ref"] = file_name + ":" + rows["_row"].astype(str)
    rows["_file"], rows["_unit"] = shown, s.unit
    if s.table == "budget":
        if "period" not in rows.columns or rows["period"].isna().any():
            period = rows["fiscal_year"].astype(str)
            rows["period"] = rows["period"].fillna(period) if "period" in rows.columns else period
        if s.unit != 1:
            rows["source_unit"] = (f"{s.unit} " + rows["currency"].astype(str)) if "currency" in rows.columns \
                else str(s.unit)
    return rows.sort_values(["_row"], kind="stable").reset_index(drop=True)


def _apply_sign(s: Spec, rows: pd.DataFrame, shown: str, notes: list[str]) -> None:
    value = VALUE[s.table]
    if s.sign == "as_is" or not len(rows):
        return
    if s.sign == "negate":
        rows[value] = -rows[value]
        return
    direction = "revenue" if s.sign == "revenue_negative" else "expenditure"
    hit = rows["direction"] == direction
    odd = hit & (rows[value] > 0)
    if odd.any():
        lines = ", ".join(map(str, rows.loc[odd, "_row"][:5])) + (" ..." if odd.sum() > 5 else "")
        notes.append(f"{shown}: {int(odd.sum())} {direction} amounts are printed positive although the file prints "
                     f"{direction} negative (rows {lines}): imported as negative {direction}, as printed")
    rows.loc[hit, value] = -rows.loc[hit, value]


def _financial_plan(s: Spec, rows: pd.DataFrame, shown: str, notes: list[str]) -> None:
    if "phase" not in rows.columns or not len(rows):
        return
    plan = rows["phase"].isin(["original_budget", "adjusted_budget"])
    if s.budget_years:
        later = plan & (rows["fiscal_year"] > max(s.budget_years))
        if later.any():
            years = sorted(set(rows.loc[later, "fiscal_year"]))
            rows.loc[later, "phase"] = "financial_plan"
            notes.append(f"{shown}: planning years {', '.join(map(str, years))} after the budget year "
                         f"{'/'.join(map(str, s.budget_years))} are the medium-term financial plan: phase financial_plan")
        return
    years = sorted(set(rows.loc[plan, "fiscal_year"]))
    if len(years) > 2:
        notes.append(f"{shown}: budget figures for {len(years)} years ({', '.join(map(str, years))}) are all mapped "
                     "to the budget itself; if the later ones are the medium-term financial plan (Finanzplanung), "
                     "set budget_year: <the budget year> in municipality.yml so that they become financial_plan")


def _run_checks(s: Spec, df, fields, checked, parsed, value_cols, meta, file_name, shown, out: Mapped) -> None:
    doc = fields["document_id"].iloc[0] if "document_id" in fields and len(df) else None
    for c in checked:
        same = [v for v in value_cols if not v.check and v.fiscal_year == c.fiscal_year and v.phase == c.phase]
        by_dir = {v.direction: v for v in same if v.direction in ("revenue", "expenditure")}
        if set(by_dir) != {"revenue", "expenditure"}:
            line_no, col = s.where(("columns", c.header))
            out.problems.append(Problem(s.yml, "a checked column needs a revenue and an expenditure column of the "
                                        "same fiscal_year and phase (each with its direction:)", line_no, col,
                                        f"columns with direction revenue and expenditure for {c.fiscal_year} {c.phase}",
                                        ", ".join(v.header for v in same) or None))
            continue
        amounts = {}
        for d, v in by_dir.items():
            values = parsed[v.header][0]
            sign = -1 if s.sign == "negate" or (s.sign == f"{d}_negative") else 1
            amounts[d] = values * sign * s.unit
        q, w = net_checks.run(c.header, c.check, parsed[c.header][0], amounts["revenue"], amounts["expenditure"],
                              df[spreadsheet.ROW], unit=s.unit, file_name=file_name, shown=shown,
                              municipality_id=meta.get("municipality_id"), document_id=doc)
        out.quality += q
        out.warnings += w
