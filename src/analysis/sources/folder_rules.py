"""The rules a municipality's folder must meet beyond its own tables, shared by `analysis validate`
and `analysis extract` (through `municipality_tables.check`): its documents.csv, the categories it
uses, the reference data (population, exchange rates, price indices) for its years, and every file in
the folder that nothing reads.
"""
from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.contract import paths, safe_paths
from analysis.contract.errors import InputError, Problem
from analysis.reference import tables as reference
from analysis.sources import documents_list, run_cache

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
        years = df["fiscal_year"].to_numpy()
        _, first = np.unique(years, return_index=True)  # the first row of each year (fast for 100,000 rows)
        files, rows = df["_file"].to_numpy(), df["_row"].to_numpy()
        for i in sorted(first):
            out.setdefault(int(years[i]), (files[i], int(rows[i])))
    return dict(sorted(out.items()))


def reference_problems(tables: dict[str, pd.DataFrame], meta: dict, root=None) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) for population, exchange rates and price indices of the years used."""
    return reference_problems_many([(tables, meta)], root)[0]


class _References:
    """The reference tables `reference_problems` reads, each read once for many folders, with the
    lookups it makes per folder."""

    def __init__(self, root):
        self.root = root
        self._got: dict = {}

    def get(self, name: str, column: str):
        if name not in self._got:
            self._got[name] = _ref(self.root, name, column)
        return self._got[name]

    def lookup(self, name: str, column: str, key: str, values: str):
        """{key value: [values in file order]} of a reference table (read once)."""
        slot = ("lookup", name, key, values)
        if slot not in self._got:
            df = self.get(name, column)[0]
            out: dict = {}
            if df is not None:
                for k, v, i in zip(df[key].tolist(), df[values].tolist(), df.index.tolist()):
                    out.setdefault(k, []).append((v, i))
            self._got[slot] = out
        return self._got[slot]

    def schemes(self):
        if "schemes" not in self._got:
            try:
                self._got["schemes"] = (reference.load_schemes(self.root), None)
            except InputError as exc:
                self._got["schemes"] = (None, exc.problems)
        return self._got["schemes"]


def reference_problems_many(items: list[tuple[dict[str, pd.DataFrame], dict]], root=None
                            ) -> list[tuple[list[Problem], list[Problem]]]:
    """`reference_problems` of several folders ((tables, metadata) each), the reference tables read once."""
    refs = _References(root)
    return [_reference_problems(tables, meta, refs) for tables, meta in items]


def _reference_problems(tables: dict[str, pd.DataFrame], meta: dict, refs: _References
                        ) -> tuple[list[Problem], list[Problem]]:
    root = refs.root
    years = _years(tables)
    if not years:
        return [], []
    errors, warnings = [], []
    mid, country = meta["municipality_id"], meta["country"]

    pop, shown, problems = refs.get("population.csv", "population")
    errors += problems
    if pop is not None:
        nxt = len(pop) + 2
        have = {int(v): int(i) + 2 for v, i in refs.lookup("population.csv", "population", "municipality_id",
                                                            "year").get(mid, [])}
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
        currencies |= set(df["currency"].dropna().unique())
    currencies.discard(reference.BASE_CURRENCY)
    if currencies:
        fx, shown, problems = refs.get("exchange_rates.csv", "units_per_eur")
        errors += problems
        if fx is not None:
            nxt = len(fx) + 2
            by_currency = refs.lookup("exchange_rates.csv", "units_per_eur", "currency", "year")
            for cur in sorted(currencies):
                have = {int(v) for v, _ in by_currency.get(cur, [])}
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
        schemes, problems = refs.schemes()
        if problems is not None:
            errors.extend(problems)
        else:
            if country not in set(schemes["country"]):
                warnings.append(Problem(paths.rel(schemes_path, root), f"no budget-item scheme for country {country}: "
                                        "budget items get a category only where the table gives one; add a row "
                                        f"country={country}, scheme=<e.g. {country.lower()}_kontoplan>, "
                                        "description=<the chart of accounts>, source=<where from> and the scheme's "
                                        "rows in category_map.csv", len(schemes) + 2, "scheme",
                                        f"a row for {country}", None))
    pi, shown, problems = refs.get("price_index.csv", "index")
    errors += problems
    if pi is not None:
        nxt = len(pi) + 2
        series = reference.DEFAULT_SERIES
        slot = ("price_index", country)
        if slot not in refs._got:
            mine = pi[(pi["country"] == country) & (pi["series"] == series)]
            like = mine if len(mine) else pi[pi["series"] == series]
            base = str(like["base_year"].mode().iloc[0]) if len(like) else "2015"
            refs._got[slot] = (base, {int(v) for v in mine["year"]})
        base, have = refs._got[slot]
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

def document_list(folder: Path, root=None) -> documents_list.DocumentList | None:
    """The folder's documents.csv read and checked (None when the folder has none)."""
    path = folder / documents_list.LIST
    if not path.exists() and not path.is_symlink():
        return None
    raw = documents_list.owners(paths.raw_dir(root) / documents_list.LIST)
    return run_cache.shared(list_key(folder), lambda: documents_list.read(path, folder, root, owner=folder.name,
                                                                          raw_ids=raw))


def list_key(folder: Path) -> tuple:
    """The run_cache key of `document_list(folder)`."""
    return ("folder_rules.document_list", str(folder))


def document_problems(folder: Path, root=None) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) for the folder's documents.csv (the same checks as `registry.documents`)."""
    lst = document_list(folder, root)
    return ([], []) if lst is None else (lst.errors, lst.warnings)


# --- files nothing reads ------------------------------------------------------------------------

TABLE_NAMES = ("budget", "indicators", "goals")
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
UNSUPPORTED = (".xls", ".ods", ".numbers")
KNOWN_FILES = ("municipality.yml", "documents.csv", "README.md")
IGNORED = re.compile(r"^(\.|~\$|_)|\.(bak|tmp|swp)$|~$", re.I)  # hidden, Excel lock files, backups


def _expected_names(table: str | None = None) -> str:
    if table:
        return f"{table}.csv (or {table}.xlsx)"
    return ", ".join(f"{t}.csv" for t in TABLE_NAMES) + " or a wide file listed in municipality.yml (input: wide:)"


def file_problems(folder: Path, read: set[str], root=None) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) for files in the folder that nothing reads, each with the name it needs.

    `read` holds the paths (relative to the folder) that the tables, the wide mappings and
    documents.csv use. A table under a wrong name (Budget.csv, budget.xls) is an error; any other
    file is a warning."""
    errors, warnings = [], []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir() or any(IGNORED.search(part) for part in Path(rel).parts) or rel in read:
            continue
        if rel in KNOWN_FILES:
            continue
        shown = paths.rel(path, root)
        stem, suffix = Path(rel).stem, Path(rel).suffix
        table = next((t for t in TABLE_NAMES if stem.lower() == t), None)
        close = difflib.get_close_matches(stem.lower(), TABLE_NAMES + ("municipality", "documents"), n=1, cutoff=0.75)
        if stem.lower() == "municipality" or (close and close[0] == "municipality"):
            errors.append(Problem(shown, "the metadata file must be called municipality.yml", None, None,
                                  "municipality.yml", path.name))
        elif stem.lower() == "documents" or (close and close[0] == "documents" and suffix.lower() == ".csv"):
            errors.append(Problem(shown, "file name not recognised", None, None, "documents.csv (lower case)",
                                  path.name))
        elif table and suffix.lower() in UNSUPPORTED:
            errors.append(Problem(shown, f"{suffix.lower()} files are not supported", None, None,
                                  f"CSV or XLSX (save the sheet as {table}.xlsx or {table}.csv)", path.name))
        elif table and stem != table and suffix.lower() in TABLE_SUFFIXES:
            errors.append(Problem(shown, "file name not recognised", None, None, f"{table}{suffix.lower()} (lower case)",
                                  path.name))
        elif close and close[0] in TABLE_NAMES:
            warnings.append(Problem(shown, "file name not recognised: nothing reads this file", None, None,
                                    _expected_names(), path.name))
        else:
            warnings.append(Problem(shown, "nothing reads this file", None, None,
                                    "a table (" + _expected_names() + ") or a document listed in documents.csv "
                                    "(column path)", path.name))
    return errors, warnings


def folder_problems(root=None) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) for folders in data/municipalities/ that have no municipality.yml."""
    base = paths.municipalities_dir(root)
    errors, warnings = [], []
    if not base.exists():
        return errors, warnings
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and not IGNORED.search(p.name)):
        if (folder / "municipality.yml").exists():
            continue
        alike = [p for p in folder.iterdir() if p.is_file() and p.stem.lower() == "municipality"]
        if alike:
            errors.append(Problem(paths.rel(alike[0], root), "the metadata file must be called municipality.yml",
                                  None, None, "municipality.yml", alike[0].name))
        elif any(folder.iterdir()):
            warnings.append(Problem(paths.rel(folder, root), "a folder without municipality.yml is not read", None,
                                    None, "municipality.yml (create it with: analysis new-municipality "
                                          f"{folder.name} ...)", None))
    return errors, warnings


def inside_problems(path: Path, folder: Path, root=None) -> list[Problem]:
    """A table or wide file must lie in the folder (no link out of it)."""
    return safe_paths.file_problems(path, folder, paths.rel(path, root), root)


def mapped_file_problems(value, folder: Path, yml: str, line: int | None, key: str, root=None) -> list[Problem]:
    """A file named in municipality.yml (input.long / input.wide `file:`) lies in the folder: an
    absolute path or one leading out by '..' names the line of municipality.yml; a link out of
    the folder names the link."""
    text, where = str(value), safe_paths.folder_text(folder, root)
    if os.path.isabs(text) or text.startswith("~") or re.match(r"^[A-Za-z]:[\\/]", text):
        return [Problem(yml, "an absolute path is not allowed", line, key, f"a file name in {where}", text)]
    file = folder / text
    if not os.path.abspath(file).startswith(os.path.abspath(folder) + os.sep):
        return [Problem(yml, "the file is outside this municipality's folder", line, key, f"a file in {where}", text)]
    return inside_problems(file, folder, root)
