"""Make budget figures comparable: currency, prices, population, categories.

Pure functions over contract tables (DataFrames) and reference tables (`analysis.reference.tables`).
Each adds columns and keeps every row; a missing reference figure raises `InputError` naming
the reference file and the row to add (never a silent NaN or 0). Amounts that are NaN stay NaN.

With ``missing="leave_out"`` the rows whose reference figure is missing are left out instead (a
municipality without a population figure gets no per-inhabitant values, one without an exchange
rate no EUR values), and ``attrs["left_out"]`` of the result lists what was left out and the
reference row that would add it (`analysis.compare.caveats.left_out` turns it into a caveat).

    nominal EUR      amount / units_per_eur[fiscal_year]
    real (national)  amount * index[base_year] / index[fiscal_year]   (HICP of the country)
    real EUR         real (national) / units_per_eur[base_year]        (constant prices and rate)
    per inhabitant   value / population[fiscal_year or nearest earlier year]

`comparable()` chains them: the one obvious way to compare municipalities.
"""
from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pandas as pd

from analysis.contract.errors import InputError, Problem
from analysis.contract.numbers import fmt_exact
from analysis.reference import tables as ref_mod

PRICE_BASES = ("nominal", "real")
PER = ("total", "inhabitant")
MISSING = ("raise", "leave_out")
GROUP_KEYS = ["municipality_id", "fiscal_year", "phase", "direction", "category"]


def _table(obj, attr: str) -> pd.DataFrame:
    """Accept a reference table or a `Reference` bundle."""
    return getattr(obj, attr) if isinstance(obj, ref_mod.Reference) else obj


def _need(df: pd.DataFrame, cols: list[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(f"{what} needs columns {', '.join(cols)}", path="<table>", column=missing[0],
                         expected="contract budget columns")


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise InputError(problems)


def _distinct(*columns) -> tuple[np.ndarray, list[tuple]]:
    """The distinct tuples of `columns` (equal-length Series) in the order the rows first have
    them, and per row the position of its tuple in that list: the per-row lookups of this module
    run once per distinct key (a few per municipality) instead of once per row (iterating a
    string column of 350,000 budget rows took seconds)."""
    frame = pd.DataFrame({i: pd.Series(c).reset_index(drop=True) for i, c in enumerate(columns)})
    if not len(frame):
        return np.zeros(0, dtype=np.intp), []
    group = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()
    _, first = np.unique(group, return_index=True)   # first row of each group, by group number
    order = np.argsort(first, kind="stable")          # groups in the order of their first row
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    rows = frame.iloc[first[order]]
    keys = list(zip(*(rows[c].tolist() for c in rows.columns)))
    return rank[group], keys


def _per_row(codes: np.ndarray, values: list) -> list:
    """Per row the value of its key (`_distinct`'s codes)."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr[codes].tolist()


def _settle(out_df: pd.DataFrame, problems: list[Problem], bad: list[bool], missing: str, entries: list[dict]
            ) -> pd.DataFrame:
    """Raise for the problems, or (missing='leave_out') drop the rows marked `bad` and record `entries`."""
    if missing not in MISSING:
        raise ValueError(f"unknown missing={missing!r}; valid: {', '.join(MISSING)}")
    if missing == "raise" or not problems:
        _raise(problems)
        return out_df
    kept = out_df[[not b for b in bad]].copy()
    kept.attrs = dict(out_df.attrs)
    kept.attrs["left_out"] = list(out_df.attrs.get("left_out", [])) + entries
    return kept


def left_out(df: pd.DataFrame) -> list[dict]:
    """What `missing='leave_out'` left out of `df`: dicts with municipality_id, fiscal_year, what
    (population, exchange rate, price index), file and add (the row that would add it)."""
    return list(df.attrs.get("left_out", []))


def left_out_ids(df: pd.DataFrame) -> list[str]:
    """The municipalities `missing='leave_out'` left out of `df` entirely (no row of theirs is left)."""
    ids = list(dict.fromkeys(e["municipality_id"] for e in left_out(df)))
    have = set(df["municipality_id"]) if "municipality_id" in df.columns else set()
    return [m for m in ids if m not in have]


def to_eur(df: pd.DataFrame, rates, *, column: str = "amount", out: str = "amount_eur",
           year: int | None = None, missing: str = "raise") -> pd.DataFrame:
    """Add `out` (= column / units_per_eur), `fx_rate`, `fx_year` and `fx_source`.

    The rate is the annual mean of the row's fiscal_year, or of `year` when given (used for
    real figures: constant exchange rate of the base year). EUR rows get rate 1.0.
    """
    rates = _table(rates, "exchange_rates")
    _need(df, ["currency", "fiscal_year", column], "to_eur")
    out_df = df.copy()
    years = pd.Series(int(year), index=df.index) if year is not None else df["fiscal_year"].astype(int)
    lookup = {(c, int(y)): (float(v), s) for c, y, v, s in
              rates[["currency", "year", "units_per_eur", "source"]].itertuples(index=False)}
    fx, src, problems, seen, bad, entries = [], [], [], set(), [], []
    path = rates.attrs.get("path", "data/reference/exchange_rates.csv")
    mids = out_df["municipality_id"] if "municipality_id" in out_df.columns else pd.Series([None] * len(out_df))
    codes, keys = _distinct(mids, out_df["currency"], years)
    for mid, cur, y in keys:  # each distinct (municipality, currency, year) once, as the rows first have it
        if cur == ref_mod.BASE_CURRENCY:
            fx.append(1.0)
            src.append("EUR: no conversion")
        elif (cur, y) in lookup:
            fx.append(lookup[(cur, y)][0])
            src.append(lookup[(cur, y)][1])
        else:
            fx.append(float("nan"))
            src.append(None)
            add = f"add a row currency={cur}, year={y}, units_per_eur=<annual mean>, source=<where from>"
            if (cur, y) not in seen:
                seen.add((cur, y))
                problems.append(Problem(path, f"no exchange rate for {cur} in {y}", None, "units_per_eur", add))
            if (mid, cur, y) not in seen:
                seen.add((mid, cur, y))
                entries.append({"municipality_id": mid, "fiscal_year": int(y), "what": "exchange rate",
                                "file": _rel(path), "add": add[len("add "):]})
        bad.append(fx[-1] != fx[-1])
    fx, src, bad = _per_row(codes, fx), _per_row(codes, src), _per_row(codes, bad)
    out_df["fx_rate"] = fx
    out_df["fx_year"] = years.to_numpy()
    out_df["fx_source"] = pd.Series(src, index=out_df.index, dtype="str")
    out_df[out] = out_df[column].astype("float64") / out_df["fx_rate"]
    return _settle(out_df, problems, bad, missing, entries)


def to_real(df: pd.DataFrame, price_index, base_year: int, countries: dict[str, str], *,
            series: str = ref_mod.DEFAULT_SERIES, column: str = "amount", out: str = "amount_real",
            missing: str = "raise") -> pd.DataFrame:
    """Add `out` at `base_year` prices in the row's own currency: column * index[base] / index[year].

    Also adds price_index_series, price_index_year, price_index_value, price_index_base_value,
    deflator (index[base] / index[year]) and deflator_note. The index is the country's
    (`countries`: municipality_id -> country) for `series` (default HICP, which exists for all).
    """
    table = _table(price_index, "price_index")
    _need(df, ["municipality_id", "fiscal_year", column], "to_real")
    path = table.attrs.get("path", "data/reference/price_index.csv")
    lookup = {(c, s, int(y)): float(v) for c, s, y, v in
              table[["country", "series", "year", "index"]].itertuples(index=False)}
    problems, seen, bad, entries = [], set(), [], []
    out_df = df.copy()
    idx, base_idx, notes = [], [], []
    codes, keys = _distinct(out_df["municipality_id"], out_df["fiscal_year"].astype(int))
    for mid, y in keys:  # each distinct (municipality, year) once, in the order the rows first have it
        country = countries.get(mid)
        if not country:
            if ("country", mid) not in seen:
                seen.add(("country", mid))
                problems.append(Problem("<countries>", f"no country for municipality {mid!r}", None, "country",
                                        "countries={municipality_id: country} for every municipality in the table"))
            idx.append(float("nan")); base_idx.append(float("nan")); notes.append(None); bad.append(True)
            continue
        values = []
        for yy in (y, int(base_year)):
            v = lookup.get((country, series, yy))
            add = (f"add a row country={country}, year={yy}, series={series}, index=<value>, "
                   f"base_year=<base>, source=<where from>")
            if v is None and (country, yy) not in seen:
                seen.add((country, yy))
                problems.append(Problem(path, f"no {series} price index for {country} in {yy}", None, "index", add))
            if v is None and (mid, country, yy) not in seen:
                seen.add((mid, country, yy))
                entries.append({"municipality_id": mid, "fiscal_year": int(y), "what": "price index",
                                "file": _rel(path), "add": add[len("add "):]})
            values.append(float("nan") if v is None else v)
        idx.append(values[0]); base_idx.append(values[1])
        bad.append(values[0] != values[0] or values[1] != values[1])
        notes.append(f"{series} {country}: {fmt_exact(values[1])} ({base_year}) / {fmt_exact(values[0])} ({y})")
    idx, base_idx, notes, bad = (_per_row(codes, v) for v in (idx, base_idx, notes, bad))
    out_df["price_index_series"] = series
    out_df["price_index_year"] = out_df["fiscal_year"].astype(int).to_numpy()
    out_df["price_index_value"] = idx
    out_df["price_index_base_value"] = base_idx
    out_df["deflator"] = out_df["price_index_base_value"] / out_df["price_index_value"]
    out_df["deflator_note"] = pd.Series(notes, index=out_df.index, dtype="str")
    out_df["price_base_year"] = int(base_year)
    out_df[out] = out_df[column].astype("float64") * out_df["deflator"]
    return _settle(out_df, problems, bad, missing, entries)


def per_inhabitant(df: pd.DataFrame, population, *, column: str = "amount",
                   out: str = "amount_per_inhabitant", missing: str = "raise") -> pd.DataFrame:
    """Add population, population_year (nearest earlier year when the fiscal year is missing),
    population_date, population_source and `out` = column / population."""
    table = _table(population, "population")
    _need(df, ["municipality_id", "fiscal_year", column], "per_inhabitant")
    out_df = df.copy()
    cache: dict[tuple, tuple] = {}
    problems: list[Problem] = []
    entries = []
    codes, keys = _distinct(out_df["municipality_id"], out_df["fiscal_year"].astype(int))
    rows_of = _population_rows(table)
    for key in sorted(set(keys)):
        try:
            cache[key] = _population_of(key[0], key[1], table, rows_of)
        except InputError as exc:
            problems.extend(exc.problems)
            cache[key] = (float("nan"), None, None, None)
            entries.append({"municipality_id": key[0], "fiscal_year": key[1], "what": "population",
                            "file": _rel(_path(table, ref_mod.POPULATION)),
                            "add": f"a row municipality_id={key[0]}, year={key[1]}, reference_date=<YYYY-MM-DD>, "
                                   "population=<official figure>, source=<where from>"})
    per_key = [cache[k] for k in keys]
    out_df["population"] = _per_row(codes, [c[0] for c in per_key])
    out_df["population_year"] = pd.array(_per_row(codes, [c[1] for c in per_key]), dtype="Int64")
    out_df["population_date"] = pd.Series(_per_row(codes, [c[2] for c in per_key]), index=out_df.index, dtype="str")
    out_df["population_source"] = pd.Series(_per_row(codes, [c[3] for c in per_key]), index=out_df.index,
                                            dtype="str")
    out_df[out] = out_df[column].astype("float64") / out_df["population"].astype("float64")
    return _settle(out_df, problems, _per_row(codes, [c[1] is None for c in per_key]), missing, entries)


def _population_rows(table: pd.DataFrame) -> dict[str, list[tuple]]:
    """municipality_id -> its rows of the population table as (year, population, reference_date,
    source), in the table's order: read once, so that each (municipality, year) is a lookup in
    a short list rather than filters of the whole table (a few ms each, 1,000 keys at N=500)."""
    cols = [table[c].tolist() for c in ("municipality_id", "year", "population", "reference_date", "source")]
    out: dict[str, list[tuple]] = {}
    for mid, *rest in zip(*cols):
        out.setdefault(mid, []).append(tuple(rest))
    return out


def _population_of(mid: str, year: int, table: pd.DataFrame, rows_of: dict[str, list[tuple]]) -> tuple:
    """(population, year used, reference_date, source) as `reference.tables.population` and the
    table's first row of the year used give them; every case but the plain one (no rows, no
    earlier year, two rows of one year) goes through `population` itself, for its exact result
    or error."""
    earlier = [r for r in rows_of.get(mid, []) if r[0] <= int(year)]
    best = max((r[0] for r in earlier), default=None)
    hits = [r for r in earlier if r[0] == best]
    if len(hits) != 1:
        value, used, _ = ref_mod.population(mid, year, table)
        rec = table[(table["municipality_id"] == mid) & (table["year"] == used)].iloc[0]
        return value, used, rec["reference_date"], rec["source"]
    used, pop, date, source = hits[0]
    return int(pop), int(used), date, source


def _path(table: pd.DataFrame, name: str) -> str:
    return table.attrs.get("path") or f"data/reference/{name}"


def _rel(path) -> str:
    """'.../data/reference/population.csv' -> 'data/reference/population.csv' (for captions)."""
    text = str(path)
    i = text.find("data/reference/")
    return text[i:] if i >= 0 else text


def by_category(df: pd.DataFrame, value: str = "amount_eur", *, annual_only: bool = True,
                economic_type: str | None = "all") -> pd.DataFrame:
    """Sum `value` by municipality_id, fiscal_year, phase, direction and category.

    Only categorised rows count. By default only annual rows (period == fiscal year) with
    economic_type 'all' are summed, so that monthly figures and type breakdowns are not added
    to annual totals; pass annual_only=False / economic_type=None to change that. A sum over
    NaN only stays NaN. Adds rows (count), judgement_rows and category_name_en.
    """
    _need(df, ["municipality_id", "fiscal_year", "phase", "direction", "category", value], "by_category")
    d = df[df["category"].notna()]
    if annual_only and "period" in d.columns:
        d = d[d["period"].astype(str) == d["fiscal_year"].astype(int).astype(str)]
    if economic_type is not None and "economic_type" in d.columns:
        d = d[d["economic_type"] == economic_type]
    if "category_judgement" not in d.columns:
        d = d.assign(category_judgement=False)
    d = d.assign(category_judgement=d["category_judgement"].map(
        lambda v: str(v).strip().lower() == "true" if not isinstance(v, bool) else v).astype(bool))
    grouped = d.groupby(GROUP_KEYS, dropna=False)
    out = grouped[value].sum(min_count=1).to_frame(value)
    out["rows"] = grouped.size()
    out["judgement_rows"] = grouped["category_judgement"].sum().astype(int)
    out = out.reset_index()
    if "category_name_en" in d.columns:
        names = d.drop_duplicates("category").set_index("category")["category_name_en"]
        out["category_name_en"] = out["category"].map(names)
    return out.sort_values(GROUP_KEYS).reset_index(drop=True)


def short_unit(unit) -> str:
    """The unit of `comparable` short enough for a header or a sentence: 'EUR at 2024 prices (HICP,
    2024 exchange rate) per inhabitant' -> 'EUR per inhabitant, 2024 prices'; 'EUR, current prices'
    stays. The index and exchange rate behind real terms are in the caveats and the downloads."""
    text = str(unit or "").strip()
    m = re.match(r"^(\w+)(?: at (\d{4}) prices \([^)]*\)|, (current prices))( per inhabitant)?$", text)
    if not m:
        return text
    prices = f"{m.group(2)} prices" if m.group(2) else m.group(3)
    return f"{m.group(1)}{' per inhabitant' if m.group(4) else ''}, {prices}"


def comparable(budget: pd.DataFrame, ref: "ref_mod.Reference", base_year: int | None = None,
               price_basis: Literal["nominal", "real"] = "nominal", per: Literal["total", "inhabitant"] = "total",
               countries: dict[str, str] | None = None, series: str = ref_mod.DEFAULT_SERIES,
               missing: str = "raise") -> pd.DataFrame:
    """Budget rows with `value` in EUR and `unit` describing it.

    nominal: value = amount / rate[fiscal_year].
    real:    value = amount * index[base_year] / index[fiscal_year] / rate[base_year] (national
             price index of the municipality's country, then the base year's exchange rate).
    per='inhabitant' divides by the population of the fiscal year or the nearest earlier year
    (population_year says which). All intermediate columns stay for tracing. missing='leave_out'
    leaves out rows without a reference figure (see `left_out`) instead of raising.
    """
    if price_basis not in PRICE_BASES:
        raise ValueError(f"unknown price_basis {price_basis!r}; valid: {', '.join(PRICE_BASES)}")
    if per not in PER:
        raise ValueError(f"unknown per {per!r}; valid: {', '.join(PER)}")
    if price_basis == "nominal":
        df = to_eur(budget, ref.exchange_rates, missing=missing)
        value, unit = "amount_eur", "EUR, current prices"
    else:
        if base_year is None:
            raise ValueError("price_basis='real' needs base_year, e.g. base_year=2024")
        if countries is None:
            raise ValueError("price_basis='real' needs countries={municipality_id: country} (Workspace.countries)")
        df = to_real(budget, ref.price_index, base_year, countries, series=series, missing=missing)
        df = to_eur(df, ref.exchange_rates, column="amount_real", out="amount_real_eur", year=base_year,
                    missing=missing)
        value, unit = "amount_real_eur", f"EUR at {base_year} prices ({series}, {base_year} exchange rate)"
    if per == "inhabitant":
        df = per_inhabitant(df, ref.population, column=value, out=value + "_per_inhabitant", missing=missing)
        value, unit = value + "_per_inhabitant", unit + " per inhabitant"
    df["value"] = df[value]
    df["unit"] = unit
    return df
