"""What a download needs so that each value can be recomputed from the file alone.

    basis(cb)                         per municipality and fiscal year: currency, exchange rate (and its
                                      year), price index (series, the fiscal year's and the base year's
                                      value), population (its year and reference date) and `formula`
    with_basis(table, cb, amounts)    `table` plus those columns and the amounts in the source currency

`cb` are comparable budget rows (`harmonise.comparable`). `amounts` is the same analysis computed
on the source amounts (e.g. `spending.composition(cb, ..., value="amount")`); its value columns
join `table` as `<column>_amount`. Then, for real figures per inhabitant,

    value = value_amount x price_index_base_value / price_index_value / fx_rate / population

(nominal: value_amount / fx_rate [/ population]); `formula` says which applies to the row.
"""
from __future__ import annotations

import pandas as pd

KEYS = ["municipality_id", "fiscal_year"]
BASIS_COLUMNS = ["currency", "fx_rate", "fx_year", "fx_source", "price_index_series", "price_index_year",
                 "price_index_value", "price_base_year", "price_index_base_value", "population", "population_year",
                 "population_date", "population_source"]


def formula(row: dict) -> str:
    """The computation of `value` from `*_amount` for a row of `basis`."""
    real = pd.notna(row.get("price_index_value"))
    per = pd.notna(row.get("population"))
    text = "value = amount" + (" x price_index_base_value / price_index_value" if real else "") + " / fx_rate"
    return text + (" / population" if per else "") + " (amount in the source currency)"


def basis(cb: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality and fiscal year with the reference figures `cb` was computed with."""
    cols = [c for c in BASIS_COLUMNS if c in cb.columns]
    if not len(cb):
        return pd.DataFrame(columns=KEYS + cols + ["formula"])
    out = cb.groupby(KEYS, sort=True)[cols].first().reset_index()
    out["formula"] = [formula(r) for r in out.to_dict("records")]
    return out


def with_basis(table: pd.DataFrame, cb: pd.DataFrame, amounts: pd.DataFrame | None = None,
               keys: list[str] | None = None, values: list[str] | None = None) -> pd.DataFrame:
    """`table` plus the `basis` columns of its municipality and fiscal year and, from `amounts` (the
    same rows computed on the source amounts, matched on `keys`), `<value>_amount` for `values`.
    Rows without a fiscal year (a municipality without figures) get empty columns."""
    out = table.copy()
    if amounts is not None and values and keys:
        src = amounts[keys + values].rename(columns={v: f"{v}_amount" for v in values})
        src = src.drop_duplicates(keys)
        left = out[keys].astype(object).where(out[keys].notna(), None).astype(str)
        right = src[keys].astype(object).where(src[keys].notna(), None).astype(str)
        lookup = {tuple(k): i for i, k in zip(src.index, right.itertuples(index=False))}
        idx = [lookup.get(tuple(k)) for k in left.itertuples(index=False)]
        for v in values:
            col = f"{v}_amount"
            out[col] = [src.at[i, col] if i is not None else float("nan") for i in idx]
    b = basis(cb)
    drop = [c for c in b.columns if c in out.columns and c not in KEYS]
    b = b.drop(columns=drop)
    year = pd.to_numeric(out["fiscal_year"], errors="coerce").astype("Int64")
    b["fiscal_year"] = pd.to_numeric(b["fiscal_year"], errors="coerce").astype("Int64")
    merged = out.assign(fiscal_year=year).merge(b, on=KEYS, how="left")
    merged.index = out.index
    return merged


# --- the spending tables, ready for download -----------------------------------------------------

def composition_download(comp: pd.DataFrame, cb: pd.DataFrame, level: str = "division",
                         cofog: pd.DataFrame | None = None) -> pd.DataFrame:
    """`spending.composition` rows plus `value_amount` (source currency) and the basis."""
    from analysis.compare import spending
    amounts = spending.composition(cb, level, cofog, value="amount")
    return with_basis(comp, cb, amounts, ["municipality_id", "fiscal_year", "phase", "category"], ["value"])


def plan_download(pvo: pd.DataFrame, cb: pd.DataFrame, by: str = "category", level: str = "division",
                  cofog: pd.DataFrame | None = None) -> pd.DataFrame:
    """`spending.plan_vs_outturn` rows plus `<plan, outturn, deviation>_amount` and the basis."""
    from analysis.compare import spending
    amounts = spending.plan_vs_outturn(cb, by, level, value="amount", cofog=cofog)
    keys = (["municipality_id", "fiscal_year", "category"] if by == "category" else
            ["municipality_id", "fiscal_year", "org_unit", "level", "item_code", "item_name"])
    return with_basis(pvo, cb, amounts, keys, ["original_budget", "adjusted_budget", "outturn", "deviation"])


def economic_download(econ: pd.DataFrame, cb: pd.DataFrame, municipalities=None) -> pd.DataFrame:
    from analysis.compare import spending
    amounts = spending.economic_composition(cb, municipalities, value="amount")
    return with_basis(econ, cb, amounts, ["municipality_id", "fiscal_year", "phase", "economic_type"], ["value"])


def revenue_download(rev: pd.DataFrame, cb_total: pd.DataFrame, municipalities=None) -> pd.DataFrame:
    from analysis.compare import spending
    amounts = spending.revenue_vs_gross(cb_total, municipalities, value="amount")
    return with_basis(rev, cb_total, amounts, ["municipality_id", "fiscal_year", "phase"],
                      ["expenditure", "revenue", "income", "reimbursement", "net"])


def totals_download(totals: pd.DataFrame, cb_total: pd.DataFrame) -> pd.DataFrame:
    """`spending.totals` (which has the source amounts as `*_amount`) plus the basis."""
    return with_basis(totals, cb_total)
