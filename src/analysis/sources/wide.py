"""Import wide tables (one column per year and phase) through a mapping in municipality.yml.

Many budgets are published as ``Produkt; Bezeichnung; Ist 2015; Plan 2016; Plan 2017`` or
``Konto; Tekst; Regnskab; Budget``. An entry under ``input: wide:`` says which column holds
what, and every value cell becomes one row of the long contract table::

    input:
      wide:
        - file: haushalt.csv            # in the municipality's folder (no spaces in the name)
          table: budget                 # or indicators
          item_code: Produkt            # a field given as a string is a column header
          item_name: Bezeichnung
          direction: {column: Art, map: {Aufwand: expenditure, Ertrag: revenue}}
          columns:                      # value columns, listed ...
            "Ist 2015": {phase: actual, fiscal_year: 2015}
          # ... or matched by a pattern (fiscal_year: 2 = the pattern's 2nd group)
          # columns: {pattern: "^(Ist|Plan) (\\d{4})$", phase: {Ist: actual, Plan: original_budget}, fiscal_year: 2}
          sign: as_is                   # as_is | negate | revenue_negative
          unit: 1000                    # 1 | 1000 | 1000000: multiply to whole currency units
          constants: {level: product, org_unit: "FB 50 Soziales", document_id: muster-haushalt-2017}

For indicators (``table: indicators``) the unit of measure is ``constants: {unit: Fälle}`` or
``unit_column: Einheit``; ``unit:`` is always the scale. Each row gets source_ref
``<file name>:<row>`` (spreadsheet row, header = row 1). Empty cells give no row; cells with
a dash or ``n.a.`` give a row with a missing amount (never 0).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import pandas as pd

from analysis.contract import schema
from analysis.contract.errors import InputError, Problem
from analysis.sources import spreadsheet

FIELDS = {
    "budget": ["document_id", "org_unit", "item_code", "item_name", "item_name_en", "level", "direction",
               "economic_type", "currency", "category", "budget_type", "budget_group", "revenue_kind", "note"],
    "indicators": ["document_id", "item_code", "indicator", "indicator_en", "unit", "category",
                   "indicator_group", "note"],
}
REQUIRED = {
    "budget": ["document_id", "org_unit", "item_code", "item_name", "level", "direction", "economic_type", "currency"],
    "indicators": ["document_id", "indicator", "unit"],
}
VALUE = {"budget": "amount", "indicators": "value"}
VOCAB = {"level": schema.LEVELS, "direction": schema.DIRECTIONS, "economic_type": schema.ECONOMIC_TYPES,
         "budget_type": schema.BUDGET_TYPES, "revenue_kind": schema.REVENUE_KINDS}
SIGNS = ["as_is", "negate", "revenue_negative"]
UNITS = [1, 1000, 1000000]
KEYS = {"file", "table", "columns", "sign", "unit", "constants"}
# `unit` is the scale (1, 1000, 1000000); an indicator's unit of measure is a constant
# (constants: {unit: Fälle}) or a column (unit_column: Einheit).
DEFAULTS = {"budget": {"economic_type": "all"}, "indicators": {}}


class _Spec:
    """A checked mapping entry; `problems` lists what is wrong with it."""

    def __init__(self, spec, index: int, yml: str, line: Callable[[tuple], int | None], defaults: dict):
        self.problems: list[Problem] = []
        self.index, self.yml, self._line = index, yml, line
        if not isinstance(spec, dict):
            self._bad((), "a wide mapping must be a mapping of keys", "keys file, table, columns", str(spec))
            spec = {}
        self.file = spec.get("file")
        self.table = spec.get("table", "budget")
        if not self.file:
            self._bad(("file",), "required key is missing", "the file name in the municipality's folder", None)
        elif re.search(r"[\s:/\\]", str(self.file)):
            self._bad(("file",), "file names may not contain spaces, ':' or folders (they become source_ref)",
                      "a name like haushalt_2017.csv", str(self.file))
        if self.table not in FIELDS:
            self._bad(("table",), "unknown table", "budget or indicators", str(self.table))
            self.table = "budget"
        fields = FIELDS[self.table]
        for key in spec:
            if key == "unit_column" and self.table == "indicators":
                continue
            if key not in KEYS and key not in fields:
                self._bad((key,), "unknown key", "one of " + ", ".join(sorted(KEYS) + fields), str(key))
        self.sign = spec.get("sign", "as_is")
        if self.sign not in SIGNS:
            self._bad(("sign",), "unknown sign rule", "one of " + ", ".join(SIGNS), str(self.sign))
        try:
            self.unit = int(float(str(spec.get("unit", 1)).replace("_", "")))
        except ValueError:
            self.unit = None
        if self.unit not in UNITS:
            self._bad(("unit",), "unknown unit", "1, 1000 or 1000000", str(spec.get("unit")))
            self.unit = 1
        constants = spec.get("constants") or {}
        if not isinstance(constants, dict):
            self._bad(("constants",), "constants must be a mapping", "field: value", str(constants))
            constants = {}
        self.sources: dict[str, tuple] = {}
        for key, value in constants.items():
            if key not in fields:
                self._bad(("constants", key), "unknown field", "one of " + ", ".join(fields), str(key))
            elif (key in spec and key != "unit") or (key == "unit" and "unit_column" in spec):
                self._bad(("constants", key), "given both as a column and as a constant", "one of them", str(key))
            else:
                self._check_vocab(("constants", key), key, str(value))
                self.sources[key] = ("constant", str(value))
        for key in fields:
            name = "unit_column" if key == "unit" else key
            if name in spec:
                value = spec[name]
                if isinstance(value, dict):
                    extra = set(value) - {"column", "map"}
                    if "column" not in value or extra:
                        self._bad((key,), "a column field is {column: <header>, map: {<value>: <code>}}",
                                  "keys column and map", ", ".join(sorted(map(str, value))))
                        continue
                    mapping = {str(k).strip(): str(v) for k, v in (value.get("map") or {}).items()}
                    for v in mapping.values():
                        self._check_vocab((key, "map"), key, v)
                    self.sources[key] = ("column", str(value["column"]), mapping or None)
                else:
                    self.sources[key] = ("column", str(value), None)
        for key, value in {**DEFAULTS[self.table], **defaults}.items():
            if key in fields and key not in self.sources and value is not None:
                self.sources[key] = ("constant", str(value))
        for key in REQUIRED[self.table]:
            if key not in self.sources:
                self._bad((), f"no column or constant for '{key}'",
                          f"'{key}: <column header>' or 'constants: {{{key}: <value>}}'", None)
        self.columns = spec.get("columns")
        if not isinstance(self.columns, dict) or not self.columns:
            self._bad(("columns",), "required key is missing or empty",
                      "value columns: {\"Ist 2015\": {phase: actual, fiscal_year: 2015}} or {pattern: ...}",
                      None if self.columns is None else str(self.columns))
            self.columns = {}
        elif "pattern" in self.columns:
            self._check_pattern()
        else:
            for header, target in self.columns.items():
                if not isinstance(target, dict) or "phase" not in target or "fiscal_year" not in target:
                    self._bad(("columns", header), "a value column needs phase and fiscal_year",
                              "{phase: actual, fiscal_year: 2015}", str(target))
                    continue
                self._check_phase(("columns", header, "phase"), target["phase"])
                self._check_year(("columns", header, "fiscal_year"), target["fiscal_year"])

    def where(self, keys: tuple) -> tuple[int | None, str]:
        full = ("input", "wide", self.index) + keys
        line = None
        for n in range(len(full), 2, -1):
            line = self._line(full[:n])
            if line is not None:
                break
        return line, f"input.wide[{self.index}]" + "".join(f".{k}" for k in keys)

    def _bad(self, keys, message, expected, found):
        line, col = self.where(keys)
        self.problems.append(Problem(self.yml, message, line, col, expected, found))

    def _check_vocab(self, keys, field, value):
        if field in VOCAB and value not in VOCAB[field]:
            self._bad(keys, f"not a valid {field}", "one of " + ", ".join(VOCAB[field]), value)

    def _check_phase(self, keys, phase):
        if str(phase) not in schema.PHASES:
            self._bad(keys, "unknown phase", "one of " + ", ".join(schema.PHASES), str(phase))

    def _check_year(self, keys, year):
        if not (isinstance(year, int) and 1990 <= year <= 2100):
            self._bad(keys, "not a fiscal year", "a year like 2015", str(year))

    def _check_pattern(self):
        c = self.columns
        extra = set(c) - {"pattern", "phase", "phase_group", "fiscal_year"}
        if extra:
            self._bad(("columns",), "unknown key", "pattern, phase, phase_group, fiscal_year", ", ".join(map(str, extra)))
        try:
            self.regex = re.compile(str(c["pattern"]))
        except re.error as exc:
            self._bad(("columns", "pattern"), f"not a regular expression ({exc})", "e.g. ^(Ist|Plan) (\\d{4})$",
                      str(c["pattern"]))
            self.regex = re.compile(r"(?!)")
        phase = c.get("phase")
        if isinstance(phase, dict):
            for v in phase.values():
                self._check_phase(("columns", "phase"), v)
        elif phase is None:
            self._bad(("columns", "phase"), "required key is missing", "a phase or {<text>: <phase>}", None)
        else:
            self._check_phase(("columns", "phase"), phase)
        fy = c.get("fiscal_year")
        if isinstance(fy, dict):
            fy = fy.get("group")
        if not (isinstance(fy, int) and (0 < fy <= self.regex.groups or 1990 <= fy <= 2100)):
            self._bad(("columns", "fiscal_year"), "not a group of the pattern nor a year",
                      f"a group number 1..{self.regex.groups} or a year like 2015", str(c.get("fiscal_year")))

    def value_columns(self, header: list[str], display: str) -> tuple[list[tuple[str, str, int]], list[Problem]]:
        """[(header, phase, fiscal_year)] for the value columns present in `header`."""
        out, problems = [], []
        c = self.columns
        if "pattern" not in c:
            for h, target in c.items():
                if h not in header:
                    problems.append(Problem(display, "column named in municipality.yml (input: wide: columns) "
                                                     "is missing", 1, str(h), "a header " + repr(h), None))
                elif isinstance(target, dict):
                    out.append((h, str(target.get("phase")), target.get("fiscal_year")))
            return out, problems
        fy = c.get("fiscal_year")
        fy = fy.get("group") if isinstance(fy, dict) else fy
        phase = c.get("phase")
        group = int(c.get("phase_group", 1))
        for h in header:
            m = self.regex.search(h)
            if not m:
                continue
            if isinstance(phase, dict):
                key = m.group(group) if group <= self.regex.groups else None
                if key not in {str(k) for k in phase}:
                    problems.append(Problem(display, "column matches the pattern but its phase is not mapped", 1, h,
                                            "one of " + ", ".join(map(str, phase)), key))
                    continue
                ph = str({str(k): v for k, v in phase.items()}[key])
            else:
                ph = str(phase)
            year = int(m.group(fy)) if isinstance(fy, int) and fy <= self.regex.groups else fy
            out.append((h, ph, year))
        if not out:
            problems.append(Problem(display, "no column matches the pattern in municipality.yml", 1, None,
                                    f"headers matching {c.get('pattern')!r}", ", ".join(header)))
        return out, problems


def read(spec: dict, index: int, folder: Path, *, meta: dict, options: dict | None, yml: str,
         line: Callable[[tuple], int | None], display: Callable[[Path], str],
         defaults: dict) -> tuple[pd.DataFrame | None, list[str], list[Problem]]:
    """Turn one wide file into long rows (with `_file`, `_row`, `_unit`); return rows, notes, problems."""
    s = _Spec(spec, index, yml, line, defaults)
    if s.problems:
        return None, [], s.problems
    path = folder / str(s.file)
    if not path.exists():
        line_no, col = s.where(("file",))
        return None, [], [Problem(yml, "file not found in the municipality's folder", line_no, col,
                                  f"a file {path.name} next to municipality.yml", str(s.file))]
    shown = display(path)
    value_cols: list = []
    try:
        sheet = spreadsheet.read(path, options=options, language=meta.get("language"), display=shown,
                                 numeric=lambda header: [h for h, _, _ in s.value_columns(header, shown)[0]])
    except InputError as exc:
        return None, [], exc.problems
    value_cols, problems = s.value_columns(sheet.columns, shown)
    for key, src in s.sources.items():
        if src[0] == "column" and src[1] not in sheet.columns:
            problems.append(Problem(shown, f"column for '{key}' (named in municipality.yml) is missing", 1, src[1],
                                    "one of " + ", ".join(sheet.columns), None))
    if problems:
        return None, [], problems
    used = {src[1] for src in s.sources.values() if src[0] == "column"} | {h for h, _, _ in value_cols}
    ignored = [c for c in sheet.columns if c not in used]
    notes = list(sheet.notes)
    notes.append(f"{shown}: wide table mapped to {s.table}: {len(value_cols)} value columns "
                 f"({', '.join(h for h, _, _ in value_cols)}), unit {s.unit}, sign {s.sign}"
                 + (f"; ignored columns: {', '.join(ignored)}" if ignored else ""))
    rows = []
    for rec in sheet.df.to_dict("records"):
        row = rec[spreadsheet.ROW]
        fields = {}
        for key, src in s.sources.items():
            if src[0] == "constant":
                fields[key] = src[1]
                continue
            cell = rec[src[1]]
            text = None if cell is None else _text(cell)
            if text is not None and src[2] is not None:
                if text not in src[2]:
                    problems.append(Problem(shown, f"value not in the map for '{key}' in municipality.yml", row,
                                            src[1], "one of " + ", ".join(src[2]), text))
                    continue
                text = src[2][text]
            fields[key] = text
        for header, phase, year in value_cols:
            cell = rec[header]
            if cell is None:
                continue
            try:
                value = sheet.number(cell, row, header)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            if value is not None:
                negate = s.sign == "negate" or (s.sign == "revenue_negative" and fields.get("direction") == "revenue")
                value = round((-value if negate else value) * s.unit, 6) + 0.0
            out = {"municipality_id": meta.get("municipality_id"), "fiscal_year": int(year), "phase": phase,
                   **fields, VALUE[s.table]: value, "source_ref": f"{path.name}:{row}",
                   "_file": shown, "_row": row, "_unit": s.unit}
            if s.table == "budget":
                out["period"] = str(year)
                if s.unit != 1:
                    out["source_unit"] = f"{s.unit} {fields.get('currency', '')}".strip()
            rows.append(out)
    if problems:
        return None, notes, problems
    return pd.DataFrame(rows), notes, []


def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()
