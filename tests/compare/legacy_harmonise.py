"""The per-row loop versions of analysis.compare.harmonise.to_eur, to_real and per_inhabitant
before issue 13m made them look up each distinct key once: the oracle of
tests/compare/test_harmonise.py's equivalence tests (kept verbatim; not used by the package)."""
from __future__ import annotations

import pandas as pd

from analysis.compare.harmonise import _need, _path, _rel, _settle, _table
from analysis.contract.errors import InputError, Problem
from analysis.contract.numbers import fmt_exact
from analysis.reference import tables as ref_mod


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
    for mid, cur, y in zip(out_df["municipality_id"] if "municipality_id" in out_df.columns else [None] * len(out_df),
                           out_df["currency"], years):
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
    for mid, y in zip(out_df["municipality_id"], out_df["fiscal_year"].astype(int)):
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
    for key in sorted(set(zip(out_df["municipality_id"], out_df["fiscal_year"].astype(int)))):
        try:
            value, used, _ = ref_mod.population(key[0], key[1], table)
            rec = table[(table["municipality_id"] == key[0]) & (table["year"] == used)].iloc[0]
            cache[key] = (value, used, rec["reference_date"], rec["source"])
        except InputError as exc:
            problems.extend(exc.problems)
            cache[key] = (float("nan"), None, None, None)
            entries.append({"municipality_id": key[0], "fiscal_year": key[1], "what": "population",
                            "file": _rel(_path(table, ref_mod.POPULATION)),
                            "add": f"a row municipality_id={key[0]}, year={key[1]}, reference_date=<YYYY-MM-DD>, "
                                   "population=<official figure>, source=<where from>"})
    keys = list(zip(out_df["municipality_id"], out_df["fiscal_year"].astype(int)))
    out_df["population"] = [cache[k][0] for k in keys]
    out_df["population_year"] = pd.array([cache[k][1] for k in keys], dtype="Int64")
    out_df["population_date"] = pd.Series([cache[k][2] for k in keys], index=out_df.index, dtype="str")
    out_df["population_source"] = pd.Series([cache[k][3] for k in keys], index=out_df.index, dtype="str")
    out_df[out] = out_df[column].astype("float64") / out_df["population"].astype("float64")
    return _settle(out_df, problems, [cache[k][1] is None for k in keys], missing, entries)


