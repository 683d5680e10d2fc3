"""`analysis validate [ID ...]`: check a municipality's tables against the contract.

Reports every problem of every file at once, each with file, row and column: reading errors,
required columns, types, vocabularies, duplicate keys, unknown documents and categories
(with the closest COFOG code), items that do not add up to the total the file gives, goals
whose status or reported achievement contradicts target and result, and reference data
(population, exchange rates, price indices) missing for the years used, naming the row to add.
Warnings do not fail: population, exchange rates or price indices missing for a year (the
municipality is then left out of per-inhabitant, EUR or real figures, and the warning names the
reference row that would add it), budget items mostly without a category, a document without a
date, a published file that contradicts itself. Exit code 1 when there is any error.
"""
from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.contract import paths, schema
from analysis.contract.errors import InputError, Problem
from analysis.reference import tables as reference
from analysis.sources import category_coverage, spreadsheet
from analysis.sources import municipality_tables as mt
from analysis.sources.consistency import AS_PRINTED, GOAL_TOLERANCE, Finding, consistency, goal_checks, sum_checks  # noqa: F401


@dataclass
class Report:
    municipality_id: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    loaded: "mt.Loaded | None" = None  # what was read (extract uses it instead of reading again)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        head = (f"{self.municipality_id}: {len(self.errors)} error{'s' * (len(self.errors) != 1)}, "
                f"{len(self.warnings)} warning{'s' * (len(self.warnings) != 1)}")
        lines = [head]
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  warning: {w}" for w in self.warnings]
        lines += [f"  error: {e}" for e in self.errors]
        return "\n".join(lines)


# --- reference data ----------------------------------------------------------------------------

HEADERS = {"population.csv": "municipality_id, official_code, year, reference_date, population, source, publisher, notes",
           "exchange_rates.csv": "currency, year, units_per_eur, source",
           "price_index.csv": "country, year, index, base_year, series, definition, source",
           "cofog.csv": "code, name_en, name_de, level"}
LOADERS = {"population.csv": reference.load_population, "exchange_rates.csv": reference.load_exchange_rates,
           "price_index.csv": reference.load_price_index, "cofog.csv": reference.load_cofog}


def _ref(root, name: str, column: str) -> tuple[pd.DataFrame | None, str, list[Problem]]:
    """A reference table read (and checked) by `analysis.reference.tables`; problems name file, row, column."""
    path = paths.reference_dir(root) / name
    shown = paths.rel(path, root)
    if not path.exists():
        return None, shown, [Problem(shown, "reference file not found", 1, column,
                                     "a CSV with columns " + HEADERS[name], None)]
    try:
        return LOADERS[name](root), shown, []
    except InputError as exc:
        return None, shown, [Problem(paths.rel(Path(p.path), root), p.message, p.line, p.column, p.expected, p.found)
                             for p in exc.problems]


def category_problems(tables: dict[str, pd.DataFrame], root=None) -> list[Problem]:
    used = [(df, name) for name, df in tables.items() if name in ("budget", "indicators") and len(df)
            and df["category"].notna().any()]
    if not used:
        return []
    cofog, _, problems = _ref(root, "cofog.csv", "code")
    if problems:
        return problems
    codes = set(cofog["code"])
    for df, name in used:
        for f, r, c in zip(df["_file"], df["_row"], df["category"]):
            if c == c and c is not None and c not in codes:
                close = difflib.get_close_matches(str(c), sorted(codes), n=1, cutoff=0.5)
                hint = f" (did you mean {close[0]}?)" if close else ""
                problems.append(Problem(f, "unknown category" + hint, int(r), "category",
                                        "a code of data/reference/cofog.csv like 10.7, or empty", c))
    return problems


def _years(tables: dict[str, pd.DataFrame]) -> dict[int, tuple[str, int]]:
    """fiscal year -> first (file, row) that uses it."""
    out: dict[int, tuple[str, int]] = {}
    for name in ("budget", "indicators"):
        df = tables.get(name)
        if df is None or not len(df):
            continue
        first = df.drop_duplicates("fiscal_year")  # the first row of each year (fast for 100,000 rows)
        for y, f, r in zip(first["fiscal_year"], first["_file"], first["_row"]):
            out.setdefault(int(y), (f, int(r)))
    return dict(sorted(out.items()))


def reference_problems(tables: dict[str, pd.DataFrame], meta: dict, root=None) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) for population, exchange rates and price indices of the years used."""
    years = _years(tables)
    if not years:
        return [], []
    errors, warnings = [], []
    mid, country = meta["municipality_id"], meta["country"]

    pop, shown, problems = _ref(root, "population.csv", "population")
    errors += problems
    if pop is not None:
        nxt = len(pop) + 2
        mine = pop[pop["municipality_id"] == mid]
        have = {int(v): int(i) + 2 for i, v in zip(mine.index, mine["year"])}
        for y, (f, r) in years.items():
            if y in have:
                continue
            add = (f"municipality_id={mid}, official_code={meta.get('official_code') or '<official code>'}, "
                   f"year={y}, reference_date=<YYYY-MM-DD, e.g. {y}-12-31>, population=<official figure>, "
                   f"source=<where from>, publisher=<statistical office>")
            earlier = [v for v in have if v < y]
            if earlier:
                e = max(earlier)
                warnings.append(Problem(shown, f"no population for {mid} {y} (used by {f}:{r}); the figure for {e} "
                                               f"(row {have[e]}) will be used. For the exact year add a row {add}",
                                        have[e], "population", f"a row for {y}", str(e)))
            else:
                warnings.append(Problem(shown, f"no population for {mid} {y} or earlier (used by {f}:{r}): {mid} is "
                                               f"left out of per-inhabitant figures for {y} until you add a row {add}",
                                        nxt, "population", f"a row for {y}", None))
                nxt += 1
    currencies = set()
    df = tables.get("budget")
    if df is not None and len(df):
        currencies |= set(df["currency"].dropna())
    currencies.discard(reference.BASE_CURRENCY)
    if currencies:
        fx, shown, problems = _ref(root, "exchange_rates.csv", "units_per_eur")
        errors += problems
        if fx is not None:
            nxt = len(fx) + 2
            for cur in sorted(currencies):
                have = {int(v) for v in fx.loc[fx["currency"] == cur, "year"]}
                for y, (f, r) in years.items():
                    if y not in have:
                        warnings.append(Problem(shown, f"no exchange rate for {cur} {y} (used by {f}:{r}): {mid} is "
                                                       f"left out of EUR figures for {y} until you add a row "
                                                       f"currency={cur}, year={y}, units_per_eur=<ECB annual mean>, "
                                                       f"source=<where from>", nxt, "units_per_eur",
                                                f"a row for {cur} {y}", None))
                        nxt += 1
    budget = tables.get("budget")
    schemes_path = paths.reference_dir(root) / reference.SCHEMES
    if budget is not None and len(budget) and schemes_path.exists():
        try:
            schemes = reference.load_schemes(root)
        except InputError as exc:
            errors.extend(exc.problems)
        else:
            if country not in set(schemes["country"]):
                warnings.append(Problem(paths.rel(schemes_path, root), f"no budget-item scheme for country {country}: "
                                        "budget items get a category only where the table gives one; add a row "
                                        f"country={country}, scheme=<e.g. {country.lower()}_kontoplan>, "
                                        "description=<the chart of accounts>, source=<where from> and the scheme's "
                                        "rows in category_map.csv", len(schemes) + 2, "scheme",
                                        f"a row for {country}", None))
    pi, shown, problems = _ref(root, "price_index.csv", "index")
    errors += problems
    if pi is not None:
        nxt = len(pi) + 2
        series = reference.DEFAULT_SERIES
        mine = pi[(pi["country"] == country) & (pi["series"] == series)]
        like = mine if len(mine) else pi[pi["series"] == series]
        base = str(like["base_year"].mode().iloc[0]) if len(like) else "2015"
        have = {int(v) for v in mine["year"]}
        for y, (f, r) in years.items():
            if y not in have:
                warnings.append(Problem(shown, f"no price index ({series}) for {country} {y} (used by {f}:{r}): {mid} "
                                               f"is left out of figures at constant prices for {y} until you add a "
                                               f"row country={country}, year={y}, index=<annual mean, {base} = 100>, "
                                               f"base_year={base}, series={series}, definition=<what the series is>, "
                                               f"source=<where from>", nxt, "index", f"a row for {country} {y}", None))
                nxt += 1
    return errors, warnings


# --- documents.csv -----------------------------------------------------------------------------

def document_problems(folder: Path, root=None) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) for the folder's documents.csv (read by the registry as ','-separated UTF-8)."""
    path = folder / "documents.csv"
    shown = paths.rel(path, root)
    if not path.exists():
        return [], []
    try:
        sheet = spreadsheet.read(path, display=shown)
    except InputError as exc:
        return exc.problems, []
    errors, warnings = [], []
    if sheet.delimiter != "," or sheet.encoding not in ("UTF-8", "UTF-8 with BOM"):
        errors.append(Problem(shown, "documents.csv must be ','-separated UTF-8", 1, "(whole file)",
                              "',' and UTF-8 (save as 'CSV UTF-8')", f"{sheet.delimiter!r}, {sheet.encoding}"))
        return errors, warnings
    df = sheet.df.drop(columns=[spreadsheet.ROW])
    rows = list(sheet.df[spreadsheet.ROW])
    for p in schema.problems(schema.conform(df, "documents"), "documents", shown, row_offset=0):
        line = rows[p.line] if p.line is not None and p.line < len(rows) else (1 if p.line is None else p.line)
        errors.append(Problem(shown, p.message, line, p.column, p.expected, p.found))
    if "document_id" not in df.columns:
        return errors, warnings
    _, raw = mt.document_ids(folder, root)
    for i, rec in enumerate(df.to_dict("records")):
        row = rows[i]
        if rec.get("municipality_id") and rec["municipality_id"] != folder.name:
            errors.append(Problem(shown, "document of another municipality", row, "municipality_id",
                                  folder.name, rec["municipality_id"]))
        if rec.get("document_id") in raw:
            errors.append(Problem(shown, "document_id is already used in data/raw/documents.csv", row,
                                  "document_id", "a new id", rec["document_id"]))
        if rec.get("document_id") and not rec.get("date"):
            warnings.append(Problem(shown, "the document has no date: the methods page and the profile list it "
                                           "without one", row, "date",
                                    "the date of the council decision or publication (YYYY-MM-DD)", None))
        p = rec.get("path")
        if p and not re.match(r"^[a-z]+://", str(p)):
            file = folder / str(p)
            if not file.exists():
                warnings.append(Problem(shown, "document file not found in the folder", row, "path",
                                        "a file next to documents.csv or a web address", p))
            elif rec.get("sha256") and _sha256(file) != rec["sha256"]:
                errors.append(Problem(shown, f"{file.name} does not match its sha256", row, "sha256",
                                      _sha256(file), rec["sha256"]))
    return errors, warnings


# --- the command -------------------------------------------------------------------------------

def check(municipality_id: str, root=None) -> Report:
    """Validate one municipality's folder; never raises on bad input (everything is in the report)."""
    report = Report(municipality_id)
    folder = paths.municipalities_dir(root) / municipality_id
    if not (folder / mt.MUNICIPALITY_FILE).exists():
        known = ", ".join(p.name for p in _folders(root))
        report.errors.append(Problem(paths.rel(folder, root), "no such municipality", None, "ID",
                                     f"one of {known} (or create it: analysis new-municipality {municipality_id} ...)",
                                     municipality_id))
        return report
    loaded = mt.read(folder, root)
    report.notes += loaded.notes
    report.errors += loaded.problems
    report.warnings += loaded.warnings
    if loaded.meta is None:
        return report
    e, w = document_problems(folder, root)
    report.errors += e
    report.warnings += w
    if not loaded.files and not loaded.tables:
        report.notes.append("no tables in this folder: its figures come from the importers of "
                            "data/raw/documents.csv" if municipality_id in _raw_municipalities(root)
                            else "no tables filled in yet (budget.csv, indicators.csv, goals.csv are empty or absent)")
    for f in consistency(loaded.tables):
        if f.severity == "error":
            report.errors.append(f.problem)
        elif f.severity == "warning":
            report.warnings.append(f.problem)
    report.errors += category_problems(loaded.tables, root)
    n, w, e = category_coverage.check(loaded.tables.get("budget"), loaded.meta, root)
    report.notes += n
    report.warnings += w
    report.errors += e
    e, w = reference_problems(loaded.tables, loaded.meta.values, root)
    report.errors += e
    report.warnings += w
    report.loaded = loaded
    return report


def _sha256(path: Path) -> str:
    import hashlib
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _folders(root=None) -> list[Path]:
    base = paths.municipalities_dir(root)
    return sorted(p for p in base.iterdir() if (p / mt.MUNICIPALITY_FILE).exists()) if base.exists() else []


def _raw_municipalities(root=None) -> set[str]:
    path = paths.raw_dir(root) / "documents.csv"
    if not path.exists():
        return set()
    return set(pd.read_csv(path, dtype=str, keep_default_na=False).get("municipality_id", []))


def check_all(root=None) -> list[Report]:
    return [check(p.name, root) for p in _folders(root)]


def add_arguments(parser) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID", help="municipality ids (default: all)")


def run_cli(args) -> int:
    root = getattr(args, "root", None)
    reports = [check(i, root) for i in args.ids] if args.ids else check_all(root)
    for r in reports:
        print(r.text())
    n_err = sum(len(r.errors) for r in reports)
    n_warn = sum(len(r.warnings) for r in reports)
    if len(reports) > 1:
        print(f"{len(reports)} municipalities: {n_err} error{'s' * (n_err != 1)}, "
              f"{n_warn} warning{'s' * (n_warn != 1)}")
    if n_err:
        print("validation failed: fix the errors above (each names file, row and column)", file=sys.stderr)
    return 1 if n_err else 0
