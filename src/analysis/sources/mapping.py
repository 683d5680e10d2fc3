"""One entry of ``input: wide:`` or ``input: long:`` in municipality.yml, read and checked.

A mapping says which column of a published budget file holds what. Every key is checked before
the file is read, and each problem names the line of municipality.yml. Fields (``item_code``,
``direction``, ...) are given as

    item_code: Produkt                                        a column header
    direction: {column: Aufwand/Ertrag, map: {Aufwand: expenditure, Ertrag: revenue}}
    direction: {column: Sachkonto, prefix: {"4": revenue, "5": expenditure}}   longest prefix wins
    direction: {sign: {negative: expenditure, positive: revenue}}             from the amount's sign
    constants: {level: product, ...}                          the same value for every row

A wide file lists its value columns (``columns:``, one per year and phase, optionally with a
``direction`` of its own, ``zeros: real`` or a ``check`` instead of an import); a long file names
its one value column (``value: Betrag``) and takes fiscal_year and phase from a column or a
constant. `analysis.sources.wide.read` applies the mapping.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from analysis.contract import schema
from analysis.contract.errors import Problem
from analysis.sources import row_filters
from analysis.sources.aggregate import ITEM_NAMES

FIELDS = {
    "budget": ["document_id", "org_unit", "item_code", "item_name", "item_name_en", "level", "direction",
               "economic_type", "currency", "category", "budget_type", "budget_group", "revenue_kind", "note"],
    "indicators": ["document_id", "item_code", "indicator", "indicator_en", "unit", "category",
                   "indicator_group", "note"],
}
LONG_FIELDS = ["fiscal_year", "phase", "period"]  # in a long file these come from a column or a constant
REQUIRED = {
    "budget": ["document_id", "org_unit", "item_code", "item_name", "level", "direction", "economic_type", "currency"],
    "indicators": ["document_id", "indicator", "unit"],
}
VALUE = {"budget": "amount", "indicators": "value"}
VOCAB = {"level": schema.LEVELS, "direction": schema.DIRECTIONS, "economic_type": schema.ECONOMIC_TYPES,
         "budget_type": schema.BUDGET_TYPES, "revenue_kind": schema.REVENUE_KINDS, "phase": schema.PHASES}
SIGNS = ["as_is", "negate", "revenue_negative", "expenditure_negative"]
UNITS = [1, 1000, 1000000]
KEYS = {"file", "table", "columns", "sign", "unit", "constants", "filters", "aggregate", "budget_year"}
LONG_KEYS = {"file", "table", "value", "sign", "unit", "constants", "filters", "aggregate", "budget_year"}
CHECKS = {"revenue - expenditure": (1, -1), "expenditure - revenue": (-1, 1)}
COLUMN_KEYS = {"phase", "fiscal_year", "direction", "zeros", "check"}
# Verpflichtungsermächtigungen (commitment appropriations) authorise later years' spending: no budget amount.
COMMITMENTS = re.compile(r"(?i)verpflichtungserm|\bVE\b")
DEFAULTS = {"budget": {"economic_type": "all"}, "indicators": {}}


@dataclass
class ValueColumn:
    """A value column of a wide file (or the value column of a long file)."""

    header: str
    phase: str | None
    fiscal_year: int | None
    direction: str | None = None
    zeros_real: bool = False
    check: str | None = None


class Spec:
    """A checked mapping entry; `problems` lists what is wrong with it."""

    def __init__(self, spec, index: int, yml: str, line: Callable[[tuple], int | None], defaults: dict,
                 section: str = "wide"):
        self.problems: list[Problem] = []
        self.index, self.yml, self._line, self.section = index, yml, line, section
        self.long = section == "long"
        if not isinstance(spec, dict):
            self._bad((), f"a {section} mapping must be a mapping of keys", "keys file, table, "
                      + ("value" if self.long else "columns"), str(spec))
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
        self.fields = FIELDS[self.table] + (LONG_FIELDS if self.long else [])
        keys = LONG_KEYS if self.long else KEYS
        for key in spec:
            if key == "unit_column" and self.table == "indicators":
                continue
            if key not in keys and key not in self.fields:
                self._bad((key,), "unknown key", "one of " + ", ".join(sorted(keys) + self.fields), str(key))
        self._read_sign_unit(spec)
        self._read_sources(spec, defaults)
        self.filters = row_filters.parse(spec.get("filters"), lambda k, m, e, f: self._bad(k, m, e, f))
        self._read_aggregate(spec.get("aggregate"))
        self._read_budget_year(spec.get("budget_year"))
        if self.long:
            self.value = spec.get("value")
            if not isinstance(self.value, str) or not self.value:
                self._bad(("value",), "required key is missing", "the header of the column with the amounts",
                          None if self.value is None else str(self.value))
            self.columns = {}
        else:
            self.value = None
            self._read_columns(spec.get("columns"))
        self._check_required()
        if self.direction_from_sign and self.sign != "as_is":
            self._bad(("sign",), "direction comes from the sign of the amounts, so the amounts are taken as "
                      "they are (positive)", "sign: as_is (or no sign key)", self.sign)

    # --- where ------------------------------------------------------------------------------

    def where(self, keys: tuple) -> tuple[int | None, str]:
        full = ("input", self.section, self.index) + keys
        line = None
        for n in range(len(full), 2, -1):
            line = self._line(full[:n])
            if line is not None:
                break
        return line, f"input.{self.section}[{self.index}]" + "".join(f".{k}" for k in keys)

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

    # --- keys -------------------------------------------------------------------------------

    def _read_sign_unit(self, spec):
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

    def _read_sources(self, spec, defaults):
        fields = self.fields
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
            elif key == "fiscal_year":
                self._check_year(("constants", key), value)
                self.sources[key] = ("constant", str(value))
            else:
                self._check_vocab(("constants", key), key, str(value))
                self.sources[key] = ("constant", str(value))
        for key in fields:
            name = "unit_column" if key == "unit" else key
            if name in spec:
                self._read_field(key, spec[name])
        for key, value in {**DEFAULTS[self.table], **defaults}.items():
            if key in fields and key not in self.sources and value is not None:
                self.sources[key] = ("constant", str(value))

    def _check_required(self):
        required = REQUIRED[self.table] + (["fiscal_year", "phase"] if self.long else [])
        per_column = (isinstance(self.columns, dict) and "pattern" not in self.columns and self.columns
                      and all(isinstance(t, dict) and ("direction" in t or "check" in t) for t in self.columns.values()))
        for key in required:
            if key not in self.sources and not (key == "direction" and per_column):
                self._bad((), f"no column or constant for '{key}'",
                          f"'{key}: <column header>' or 'constants: {{{key}: <value>}}'", None)

    def _read_field(self, key, value):
        if not isinstance(value, dict):
            self.sources[key] = ("column", str(value), None)
            return
        if set(value) == {"sign"} and key == "direction":
            rule = value["sign"]
            ok = isinstance(rule, dict) and set(rule) <= {"negative", "positive", "zero"} \
                and {"negative", "positive"} <= set(rule)
            if not ok:
                self._bad((key, "sign"), "direction from the sign is {negative: <direction>, positive: <direction>}",
                          "{negative: expenditure, positive: revenue}", str(rule))
                return
            for v in rule.values():
                self._check_vocab((key, "sign"), key, str(v))
            rule = {k: str(v) for k, v in rule.items()}
            rule.setdefault("zero", rule["positive"])
            self.sources[key] = ("sign", rule)
            return
        kinds = [k for k in ("map", "prefix") if k in value]
        if "column" not in value or set(value) - {"column", "map", "prefix"} or len(kinds) > 1:
            self._bad((key,), "a column field is {column: <header>, map: {<value>: <code>}} or "
                      "{column: <header>, prefix: {<start>: <code>}}",
                      "keys column and map (or prefix)", ", ".join(sorted(map(str, value))))
            return
        kind = kinds[0] if kinds else "map"
        mapping = {_key(k): str(v) for k, v in (value.get(kind) or {}).items()}
        for v in mapping.values():
            self._check_vocab((key, kind), key, v)
        if kind == "prefix":
            self.sources[key] = ("prefix", str(value["column"]), mapping)
        else:
            self.sources[key] = ("column", str(value["column"]), mapping or None)

    @property
    def direction_from_sign(self) -> bool:
        return self.sources.get("direction", ("",))[0] == "sign"

    def _read_aggregate(self, agg):
        self.aggregate = None
        if agg in (None, False):
            return
        if agg is True:
            agg = {}
        if not isinstance(agg, dict) or set(agg) - {"by", "item_name"}:
            self._bad(("aggregate",), "aggregate is {by: [<field>, ...], item_name: first}",
                      "by: [item_code]", str(agg))
            return
        by = agg.get("by", ["item_code"])
        by = [by] if isinstance(by, str) else by
        bad = [b for b in (by or []) if b not in self.fields or b in ("note", "item_name")]
        if not isinstance(by, list) or not by or bad:
            self._bad(("aggregate", "by"), "not fields to sum by", "fields like item_code, org_unit",
                      ", ".join(map(str, bad or [by])))
            return
        item_name = agg.get("item_name", "first")
        if item_name not in ITEM_NAMES:
            self._bad(("aggregate", "item_name"), "unknown rule for the names of summed rows",
                      "first or join", str(item_name))
            return
        self.aggregate = {"by": [str(b) for b in by], "item_name": item_name}

    def _read_budget_year(self, value):
        self.budget_years: list[int] = []
        if value is None:
            return
        years = value if isinstance(value, list) else [value]
        for y in years:
            self._check_year(("budget_year",), y)
        self.budget_years = [y for y in years if isinstance(y, int)]

    def _read_columns(self, columns):
        self.columns = columns
        if not isinstance(columns, dict) or not columns:
            self._bad(("columns",), "required key is missing or empty",
                      "value columns: {\"Ist 2015\": {phase: actual, fiscal_year: 2015}} or {pattern: ...}",
                      None if columns is None else str(columns))
            self.columns = {}
        elif "pattern" in columns:
            self._check_pattern()
        else:
            for header, target in columns.items():
                self._check_target(header, target)

    def _check_target(self, header, target):
        keys = ("columns", header)
        if not isinstance(target, dict) or "phase" not in target or "fiscal_year" not in target \
                or set(target) - COLUMN_KEYS:
            self._bad(keys, "a value column needs phase and fiscal_year (and may have direction, zeros, check)",
                      "{phase: actual, fiscal_year: 2015}", str(target))
            return
        self._check_phase(keys + ("phase",), target["phase"])
        self._check_year(keys + ("fiscal_year",), target["fiscal_year"])
        if "direction" in target:
            self._check_vocab(keys + ("direction",), "direction", str(target["direction"]))
        if "zeros" in target and target["zeros"] != "real":
            self._bad(keys + ("zeros",), "zeros: real is the only option (the zeros are figures)", "real",
                      str(target["zeros"]))
        if "check" in target and str(target["check"]) not in CHECKS:
            self._bad(keys + ("check",), "unknown check", "one of " + ", ".join(CHECKS), str(target["check"]))
        if COMMITMENTS.search(str(header)):
            self._bad(keys, "commitment appropriations (Verpflichtungsermächtigungen) are not budget amounts",
                      "a column of amounts (leave this one out)", str(header))

    def _check_pattern(self):
        c = self.columns
        extra = set(c) - {"pattern", "phase", "phase_group", "fiscal_year", "zeros"}
        if extra:
            self._bad(("columns",), "unknown key", "pattern, phase, phase_group, fiscal_year, zeros",
                      ", ".join(map(str, extra)))
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
        if "zeros" in c and c["zeros"] != "real":
            self._bad(("columns", "zeros"), "zeros: real is the only option (the zeros are figures)", "real",
                      str(c["zeros"]))

    # --- the value columns of a file --------------------------------------------------------------

    def value_columns(self, header: list[str], display: str) -> tuple[list[ValueColumn], list[Problem], list[str]]:
        """The value columns present in `header`, the problems and notes (e.g. commitments skipped)."""
        if self.long:
            if self.value not in header:
                return [], [Problem(display, "value column named in municipality.yml (input: long: value) is "
                                             "missing", 1, str(self.value), "one of " + ", ".join(header), None)], []
            return [ValueColumn(str(self.value), None, None)], [], []
        out, problems, notes = [], [], []
        c = self.columns
        if "pattern" not in c:
            for h, t in c.items():
                if h not in header:
                    problems.append(Problem(display, "column named in municipality.yml (input: wide: columns) "
                                                     "is missing", 1, str(h), "a header " + repr(h), None))
                elif isinstance(t, dict):
                    out.append(ValueColumn(h, str(t.get("phase")), t.get("fiscal_year"), t.get("direction"),
                                           t.get("zeros") == "real", t.get("check")))
            return out, problems, notes
        fy = c.get("fiscal_year")
        fy = fy.get("group") if isinstance(fy, dict) else fy
        phase = c.get("phase")
        group = int(c.get("phase_group", 1))
        for h in header:
            m = self.regex.search(h)
            if not m:
                continue
            if COMMITMENTS.search(h):
                notes.append(f"{display}: column '{h}' matches the pattern but holds commitment appropriations "
                             "(Verpflichtungsermächtigungen), which are not budget amounts: not imported")
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
            out.append(ValueColumn(h, ph, year, None, c.get("zeros") == "real"))
        if not out:
            problems.append(Problem(display, "no column matches the pattern in municipality.yml", 1, None,
                                    f"headers matching {c.get('pattern')!r}", ", ".join(header)))
        return out, problems, notes

    def header_columns(self) -> list[str]:
        """Headers the fields and filters read."""
        cols = [src[1] for src in self.sources.values() if src[0] in ("column", "prefix")]
        return list(dict.fromkeys(cols + row_filters.columns(self.filters)))


def _key(k) -> str:
    if isinstance(k, float) and k.is_integer():
        k = int(k)
    return str(k).strip()
