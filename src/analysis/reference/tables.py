"""Reference tables in data/reference/: population, exchange rates, price indices, COFOG, category map,
task split (who pays for which category) and coverage (what each document covers).

Every loader validates its file and raises `InputError` naming file, row, column and what was
expected (rows are counted like a spreadsheet: the header is row 1). Look-ups:

    population("peine", 2024)      -> (139170, 2023, "<source>")   nearest earlier year, never later
    rate("DKK", 2014)              -> 7.4548                      DKK per EUR; EUR is 1.0
    price_index("DK", 2024)        -> 119.13                      HICP, 2015 = 100 by default

A new country or currency is a data change only: add rows to exchange_rates.csv and price_index.csv.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.contract import file_state, paths, safe_paths, schema
from analysis.contract.errors import InputError, Problem, ProblemList

POPULATION = "population.csv"
EXCHANGE_RATES = "exchange_rates.csv"
PRICE_INDEX = "price_index.csv"
COFOG = "cofog.csv"
CATEGORY_MAP = "category_map.csv"
SCHEMES = "schemes.csv"
INDICATOR_MAP = "indicator_category_map.csv"
TASK_SPLIT = "task_split.csv"
COVERAGE = "coverage.csv"
RESPONSIBILITIES = ["pays", "partly", "not"]
COVERAGES = ["complete", "partial", "absent"]

DEFAULT_SERIES = "HICP"  # exists for every country in price_index.csv; CPI-DE only for Germany
BASE_CURRENCY = "EUR"
MATCH_ON = ["code", "name", "code+name"]

# column -> (kind, required); kinds: str, int, float, bool, plus patterns
_SPECS: dict[str, dict[str, tuple[str, bool]]] = {
    POPULATION: {"municipality_id": ("slug", True), "official_code": ("str", False), "year": ("year", True),
                 "reference_date": ("date", True), "population": ("posint", True), "source": ("str", True),
                 "publisher": ("str", False), "notes": ("str", False)},
    EXCHANGE_RATES: {"currency": ("currency", True), "year": ("year", True), "units_per_eur": ("posfloat", True),
                     "source": ("str", True)},
    PRICE_INDEX: {"country": ("country", True), "year": ("year", True), "index": ("posfloat", True),
                  "base_year": ("year", True), "series": ("str", True), "definition": ("str", False),
                  "source": ("str", True)},
    COFOG: {"code": ("cofog", True), "name_en": ("str", True), "name_de": ("str", False), "level": ("level", True)},
    SCHEMES: {"country": ("country", True), "region": ("str", False), "scheme": ("str", True),
              "description": ("str", False), "source": ("str", True)},
    CATEGORY_MAP: {"scheme": ("str", True), "municipality_id": ("slug", False), "item_code": ("str", False),
                   "item_name": ("str", False), "match_on": ("match_on", False), "category": ("str", True),
                   "judgement": ("bool", True), "note": ("str", False), "source": ("str", True)},
    INDICATOR_MAP: {"municipality_id": ("slug", True), "indicator_group": ("str", True), "category": ("cofog", True),
                    "judgement": ("bool", True), "note": ("str", True), "source": ("str", True)},
    TASK_SPLIT: {"country": ("country", True), "admin_type": ("admin_type", True), "category": ("cofog", True),
                 "responsibility": ("responsibility", True), "who_else": ("str", True), "note": ("str", False),
                 "source": ("str", True)},
    COVERAGE: {"municipality_id": ("slug", True), "document_id": ("slug", True), "category": ("scope", True),
               "coverage": ("coverage", True), "share": ("percent", False), "share_basis": ("str", False),
               "scope": ("str", False),
               "evidence": ("refs", True), "note": ("str", False)},
}

_KIND = {
    "slug": (r"^[a-z][a-z0-9]*(-[a-z0-9]+)*\Z", "a slug like 'berlin-neukoelln'"),
    "year": (r"^\d{4}$", "a four-digit year"),
    "date": (r"^\d{4}-\d{2}-\d{2}$", "an ISO date YYYY-MM-DD"),
    "posint": (r"^\d+$", "a positive whole number without separators"),
    "posfloat": (r"^\d+(\.\d+)?$", "a positive number with a decimal point, e.g. 7.4548"),
    "currency": (r"^[A-Z]{3}$", "an ISO 4217 code like DKK"),
    "country": (r"^[A-Z]{2}$", "an ISO 3166 alpha-2 code like DE"),
    "cofog": (r"^\d{2}(\.\d)?(\.\d)?$", "a COFOG code like 10.4 or 10.1.2"),
    "level": (r"^(division|group|class)$", "one of division, group, class"),
    "bool": (r"^(true|false)$", "true or false"),
    "match_on": (r"^(code|name|code\+name)$", "one of code, name, code+name (blank: code when item_code is given)"),
    "str": (r".", "text"),
    "admin_type": ("^(" + "|".join(re.escape(a) for a in schema.ADMIN_TYPES) + ")$",
                   "one of " + ", ".join(schema.ADMIN_TYPES)),
    "responsibility": (r"^(pays|partly|not)$", "one of pays, partly, not"),
    "coverage": (r"^(complete|partial|absent)$", "one of complete, partial, absent"),
    "scope": (r"^(total|\d{2}(\.\d)?(\.\d)?)$", "'total' or a COFOG code like 10.4"),
    "percent": (r"^\d{1,3}(\.\d+)?$", "a percentage like 36.0"),
    "refs": (r"^[^:;\s]+:\d+(-\d+)?(, ?\d+(-\d+)?)*(; [^:;\s]+:\d+(-\d+)?(, ?\d+(-\d+)?)*)*$",
             "'<raw file>:<line>[-<line>]' references separated by '; '"),
}

_KEYS = {POPULATION: ["municipality_id", "year"], EXCHANGE_RATES: ["currency", "year"],
         PRICE_INDEX: ["country", "series", "year"], COFOG: ["code"], SCHEMES: ["country", "region"],
         CATEGORY_MAP: ["scheme", "municipality_id", "item_code", "item_name"],
         INDICATOR_MAP: ["municipality_id", "indicator_group"], TASK_SPLIT: ["country", "admin_type", "category"],
         COVERAGE: ["municipality_id", "document_id", "category"]}


def _read(path: Path) -> pd.DataFrame:
    """Read a reference CSV as text, check required columns, values and duplicate keys."""
    name = path.name
    if not path.exists():
        raise InputError("reference file not found", path=path, expected=f"{name} in {path.parent}")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise InputError("row has the wrong number of fields (a comma inside an unquoted value?)",
                             path=path, line=int(m.group(2)), expected=f"{m.group(1)} fields",
                             found=f"{m.group(3)} fields") from None
        raise InputError("not a readable UTF-8 CSV file: " + str(exc).splitlines()[0], path=path) from None
    df = df.apply(lambda s: s.str.strip())
    spec = _SPECS[name]
    problems = ProblemList()
    for col, (_, required) in spec.items():
        if required and col not in df.columns:
            problems.add(path, "required column is missing", 1, col, "columns " + ", ".join(
                c for c, (_, r) in spec.items() if r), ", ".join(df.columns))
    problems.raise_if_any()
    for col, (kind, required) in spec.items():
        if col not in df.columns:
            df[col] = ""
            continue
        pattern, expected = _KIND[kind]
        for i, value in df[col].items():
            if value == "":
                if required:
                    problems.add(path, "value is missing", i + 2, col, expected, value)
            elif kind == "posint" and re.fullmatch(r"[-+\u2212]?\d+", value) and not re.fullmatch(r"0*[1-9]\d*", value):
                problems.add(path, f"{col} must be a positive whole number", i + 2, col, "a number > 0", value)
            elif kind == "posfloat" and re.fullmatch(r"[-+\u2212]?\d+(\.\d+)?", value) and not float(
                    value.replace("\u2212", "-")) > 0:
                problems.add(path, f"{col} must be a positive number", i + 2, col, "a number > 0", value)
            elif not re.match(pattern, value):
                problems.add(path, "value does not parse", i + 2, col, expected, value)
            elif kind == "date" and not _calendar_date(value):
                problems.add(path, "not a calendar date", i + 2, col, expected, value)
    key = _KEYS[name]
    for i in df.index[df.duplicated(key, keep="first")]:
        problems.add(path, "duplicate row", i + 2, key[0], "each " + "/".join(key) + " once",
                     ", ".join(str(df.at[i, k]) for k in key))
    problems.raise_if_any()
    for col, (kind, _) in spec.items():
        if kind in ("year", "posint"):
            df[col] = pd.to_numeric(df[col].replace("", None)).astype("Int64")
        elif kind in ("posfloat", "percent"):
            df[col] = pd.to_numeric(df[col].replace("", None)).astype("float64")
        elif kind == "bool":
            df[col] = df[col].eq("true")
    df.attrs["path"] = str(path)
    return df


def _calendar_date(text: str) -> bool:
    import datetime as dt
    try:
        dt.date.fromisoformat(text)
        return True
    except ValueError:
        return False


@lru_cache(maxsize=64)
def _cached(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    return _read(Path(path))


def _load(name: str, root: str | Path | None) -> pd.DataFrame:
    path = paths.reference_dir(root) / name
    if not path.exists():
        return _read(path)  # raises with the expected location
    safe_paths.check_file(path, paths.reference_dir(root), paths.rel(path, root), root)
    st = path.stat()
    df = _cached(str(path), st.st_mtime_ns, st.st_size)
    out = df.copy()
    out.attrs = dict(df.attrs)
    return out


def load_population(root: str | Path | None = None) -> pd.DataFrame:
    """population.csv: inhabitants by municipality_id and year, with reference_date and source."""
    return _load(POPULATION, root)


def load_exchange_rates(root: str | Path | None = None) -> pd.DataFrame:
    """exchange_rates.csv: currency, year, units_per_eur, source (EUR needs no row)."""
    df = _load(EXCHANGE_RATES, root)
    eur = df[(df["currency"] == BASE_CURRENCY) & (df["units_per_eur"] != 1.0)]
    if len(eur):
        raise InputError("EUR per EUR is 1 by definition", path=df.attrs["path"], line=int(eur.index[0]) + 2,
                         column="units_per_eur", expected="1 or no EUR row at all", found=str(eur.iloc[0]["units_per_eur"]))
    return df


def load_price_index(root: str | Path | None = None) -> pd.DataFrame:
    """price_index.csv: country, year, index, base_year, series (HICP, CPI-DE), definition, source."""
    return _load(PRICE_INDEX, root)


def load_cofog(root: str | Path | None = None) -> pd.DataFrame:
    """cofog.csv: COFOG 1999 codes with English and German names."""
    return _load(COFOG, root)


DEFAULT_SCHEMES = {"DE": "de_produkt", "DK": "dk_kontoplan"}


def load_schemes(root: str | Path | None = None) -> pd.DataFrame:
    """schemes.csv: which budget-item scheme a country's municipalities use (DE -> de_produkt), by
    region where a region numbers its items differently (DE, Baden-Württemberg -> de_produkt_bw);
    a blank region is the country's default.

    Without the file, the two schemes of the shipped category map (DE, DK) are assumed.
    """
    if not (paths.reference_dir(root) / SCHEMES).exists():
        df = pd.DataFrame({"country": list(DEFAULT_SCHEMES), "region": "", "scheme": list(DEFAULT_SCHEMES.values()),
                           "description": "", "source": "built-in default (no schemes.csv)"})
        df.attrs["path"] = str(paths.reference_dir(root) / SCHEMES)
        return df
    return _load(SCHEMES, root)


def load_category_map(root: str | Path | None = None) -> pd.DataFrame:
    """category_map.csv, validated against cofog.csv and schemes.csv.

    Adds `category_name_en`, fills a blank `match_on` (code when item_code is given, else name),
    and attaches ``attrs['schemes']`` (country -> scheme) and ``attrs['cofog_names']``.
    """
    df = _load(CATEGORY_MAP, root)
    cofog = load_cofog(root)
    schemes = load_schemes(root)
    names = dict(zip(cofog["code"], cofog["name_en"]))
    path = df.attrs["path"]
    problems = ProblemList()
    df["match_on"] = [m or ("code" if c else "name") for m, c in zip(df["match_on"], df["item_code"])]
    for i, rec in df.iterrows():
        row = int(i) + 2
        if rec["category"] not in names:
            problems.add(path, "unknown category", row, "category",
                         "a code from cofog.csv (e.g. 10.4); 'admin' is not a category: administration "
                         "belongs to its scheme's group", rec["category"])
        if rec["scheme"] not in set(schemes["scheme"]):
            problems.add(path, "unknown scheme", row, "scheme",
                         "one of " + ", ".join(schemes["scheme"]) + " (schemes.csv)", rec["scheme"])
        needs_code = rec["match_on"] in ("code", "code+name")
        needs_name = rec["match_on"] in ("name", "code+name")
        if needs_code and not rec["item_code"]:
            problems.add(path, "item_code is missing", row, "item_code",
                         f"a code or prefix ending in '*' (match_on={rec['match_on']})", "")
        if needs_name and not rec["item_name"]:
            problems.add(path, "item_name is missing", row, "item_name",
                         f"the item's name as printed (match_on={rec['match_on']})", "")
        if "*" in rec["item_code"][:-1]:
            problems.add(path, "'*' only at the end", row, "item_code", "an exact code or a prefix ending in '*'",
                         rec["item_code"])
        if rec["judgement"] and not rec["note"]:
            problems.add(path, "a judgement needs a note", row, "note", "why this category was chosen", "")
    code_rows = df[df["match_on"] == "code"]
    for i in code_rows.index[code_rows.duplicated(["scheme", "municipality_id", "item_code"], keep="first")]:
        problems.add(path, "the same code is mapped twice", int(i) + 2, "item_code",
                     "each scheme/municipality_id/item_code once for match_on=code", df.at[i, "item_code"])
    problems.raise_if_any()
    df["category_name_en"] = df["category"].map(names)
    default = schemes[schemes["region"] == ""]
    df.attrs["schemes"] = dict(zip(default["country"], default["scheme"]))
    from analysis.reference.categories import region_key
    df.attrs["region_schemes"] = {(c, region_key(r)): sc for c, r, sc in
                                  zip(schemes["country"], schemes["region"], schemes["scheme"]) if r}
    df.attrs["cofog_names"] = names
    return df


category_map = load_category_map  # name used by analysis.sources.extract




def indicator_category_map(root: str | Path | None = None) -> pd.DataFrame:
    """indicator_category_map.csv: municipality_id, indicator_group -> COFOG category (empty when
    the file does not exist); categories are checked against cofog.csv."""
    if not (paths.reference_dir(root) / INDICATOR_MAP).exists():
        return pd.DataFrame(columns=list(_SPECS[INDICATOR_MAP]))
    df = _load(INDICATOR_MAP, root)
    codes = set(load_cofog(root)["code"])
    problems = ProblemList()
    for i, rec in df.iterrows():
        if rec["category"] not in codes:
            problems.add(df.attrs["path"], "unknown category", int(i) + 2, "category", "a code from cofog.csv",
                         rec["category"])
    problems.raise_if_any()
    return df


def load_task_split(root: str | Path | None = None) -> pd.DataFrame:
    """task_split.csv: per country, administrative type and COFOG category, whether that level
    pays for the category (pays, partly, not), who else does, and the source (empty without the file)."""
    if not (paths.reference_dir(root) / TASK_SPLIT).exists():
        return pd.DataFrame(columns=list(_SPECS[TASK_SPLIT]))
    df = _load(TASK_SPLIT, root)
    _check_categories(df, root)
    return df


def load_coverage(root: str | Path | None = None) -> pd.DataFrame:
    """coverage.csv: per municipality, document and COFOG category (or 'total'), whether the
    document covers what the municipality spends on it: complete, partial (share in percent where
    it can be computed) or absent, with the evidence lines (empty without the file)."""
    if not (paths.reference_dir(root) / COVERAGE).exists():
        return pd.DataFrame(columns=list(_SPECS[COVERAGE]))
    df = _load(COVERAGE, root)
    _check_categories(df[df["category"] != "total"], root)
    problems = ProblemList()
    for i, rec in df.iterrows():
        if rec["coverage"] != "partial" and rec["share"] == rec["share"]:
            problems.add(df.attrs["path"], "a share only for partial coverage", int(i) + 2, "share",
                         "empty (complete is 100 %, absent 0 %)", str(rec["share"]))
        if rec["share"] == rec["share"] and not (0 < rec["share"] < 100):
            problems.add(df.attrs["path"], "a partial share lies between 0 and 100", int(i) + 2, "share",
                         "0 < share < 100", str(rec["share"]))
    problems.raise_if_any()
    return df


def _check_categories(df: pd.DataFrame, root) -> None:
    codes = set(load_cofog(root)["code"])
    problems = ProblemList()
    for i, rec in df.iterrows():
        if rec["category"] not in codes:
            problems.add(df.attrs["path"], "unknown category", int(i) + 2, "category", "a code from cofog.csv",
                         rec["category"])
    problems.raise_if_any()


# --- look-ups ---------------------------------------------------------------------------------

def _path_of(table: pd.DataFrame, name: str) -> str:
    return table.attrs.get("path") or f"data/reference/{name}"


def population(municipality_id: str, year: int, table: pd.DataFrame | None = None,
               root: str | Path | None = None) -> tuple[int, int, str]:
    """(population, year_used, source) for `year` or, when missing, the nearest EARLIER year.

    Never interpolates and never uses a later year; raises `InputError` listing the available
    years when there is no earlier one.
    """
    table = load_population(root) if table is None else table
    rows = table[table["municipality_id"] == municipality_id]
    path = _path_of(table, POPULATION)
    if rows.empty:
        known = ", ".join(sorted(table["municipality_id"].unique()))
        raise InputError(f"no population figures for {municipality_id!r}", path=path, column="municipality_id",
                         expected=f"rows for {municipality_id} (municipalities with figures: {known})")
    earlier = rows[rows["year"] <= int(year)]
    if earlier.empty:
        years = ", ".join(str(y) for y in sorted(rows["year"]))
        raise InputError(f"no population figure for {municipality_id} in {year} or an earlier year "
                         f"(available years: {years}; a later year is never used)", path=path, column="year",
                         expected=f"a row municipality_id={municipality_id}, year<={year}")
    rec = earlier.sort_values("year").iloc[-1]
    return int(rec["population"]), int(rec["year"]), str(rec["source"])


def population_record(municipality_id: str, year: int, table: pd.DataFrame | None = None,
                      root: str | Path | None = None) -> dict:
    """Like `population` but the whole row (incl. reference_date and notes) as a dict."""
    table = load_population(root) if table is None else table
    value, used, _ = population(municipality_id, year, table)
    rec = table[(table["municipality_id"] == municipality_id) & (table["year"] == used)].iloc[0]
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in rec.to_dict().items()}


def rate(currency: str, year: int, table: pd.DataFrame | None = None, root: str | Path | None = None) -> float:
    """Units of `currency` per EUR in `year` (annual mean); EUR -> 1.0 by definition."""
    if currency == BASE_CURRENCY:
        return 1.0
    table = load_exchange_rates(root) if table is None else table
    hit = table[(table["currency"] == currency) & (table["year"] == int(year))]
    if hit.empty:
        have = sorted(table.loc[table["currency"] == currency, "year"])
        span = f"{currency} has years {have[0]}-{have[-1]}" if have else f"no rows for {currency}"
        raise InputError(f"no exchange rate for {currency} in {year} ({span})", path=_path_of(table, EXCHANGE_RATES),
                         column="units_per_eur",
                         expected=f"add a row currency={currency}, year={year}, units_per_eur=<annual mean>, source=<where from>")
    return float(hit.iloc[0]["units_per_eur"])


def price_index(country: str, year: int, series: str = DEFAULT_SERIES, table: pd.DataFrame | None = None,
                root: str | Path | None = None) -> float:
    """The price index of `country` in `year` for `series` (default HICP, 2015 = 100)."""
    table = load_price_index(root) if table is None else table
    hit = table[(table["country"] == country) & (table["year"] == int(year)) & (table["series"] == series)]
    if hit.empty:
        series_known = ", ".join(sorted(table["series"].unique()))
        have = sorted(table.loc[(table["country"] == country) & (table["series"] == series), "year"])
        span = f"{series} {country} has years {have[0]}-{have[-1]}" if have else f"no {series} rows for {country}"
        raise InputError(f"no price index for {country} in {year} ({span}; series: {series_known})",
                         path=_path_of(table, PRICE_INDEX), column="index",
                         expected=f"add a row country={country}, year={year}, series={series}, index=<value>, "
                                  f"base_year=<base>, source=<where from>")
    return float(hit.iloc[0]["index"])


@dataclass
class Reference:
    """All reference tables of one workspace (see `load`)."""

    population: pd.DataFrame
    exchange_rates: pd.DataFrame
    price_index: pd.DataFrame
    cofog: pd.DataFrame
    category_map: pd.DataFrame
    schemes: pd.DataFrame
    root: Path | None = None
    task_split: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(_SPECS[TASK_SPLIT])))
    coverage: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(_SPECS[COVERAGE])))
    notes: list[str] = field(default_factory=list)

    def sources(self) -> pd.DataFrame:
        """Distinct sources per reference file, for a methods page."""
        rows = []
        for name, df in (("population.csv", self.population), ("exchange_rates.csv", self.exchange_rates),
                         ("price_index.csv", self.price_index)):
            for src in df["source"].drop_duplicates():
                rows.append({"file": name, "source": src})
        return pd.DataFrame(rows)

    def copy(self) -> Reference:
        """The same tables as frames of its own (copy-on-write: no data is copied) and its own notes."""
        frames = {f.name: getattr(self, f.name).copy(deep=False) for f in fields(self)
                  if isinstance(getattr(self, f.name), pd.DataFrame)}
        return replace(self, **frames, notes=list(self.notes))


def load(root: str | Path | None = None) -> Reference:
    """Every reference table of the workspace at `root`, validated. The tables are kept in memory
    for the next load in this process while data/reference/ keeps the same files (a profile page
    of a batch loads them again); each load gets its own frames."""
    folder = paths.reference_dir(root)
    key = (str(paths.root(root)), file_state.folder_key(folder)) if folder.is_dir() else None
    if key is None or _loaded.get("key") != key:
        ref = Reference(population=load_population(root), exchange_rates=load_exchange_rates(root),
                        price_index=load_price_index(root), cofog=load_cofog(root),
                        category_map=load_category_map(root), schemes=load_schemes(root),
                        root=paths.root(root), task_split=load_task_split(root), coverage=load_coverage(root))
        _loaded.clear()
        _loaded.update(key=key, reference=ref)
    return _loaded["reference"].copy()


_loaded: dict = {}  # load's cache: the Reference of the last data/reference/ read, under its folder_key


__all__ = ["Reference", "load", "population", "population_record", "rate", "price_index", "category_map",
           "load_population", "load_exchange_rates", "load_price_index", "load_cofog", "load_category_map",
           "load_schemes", "load_task_split", "load_coverage", "Problem", "DEFAULT_SERIES"]
