"""Spending structure: composition by category, plan against outturn, economic types, revenue.

Pure functions over budget rows made comparable by `Workspace.comparable_budget` (or
`harmonise.comparable`): contract budget columns plus `value` (EUR, nominal or real, total or per
inhabitant) and `unit`. They also work on plain contract rows when `value=` names another column
(e.g. "amount").

    composition(cb, level)              categories' value and share of the categorised total
    composition_and_amounts(cb, level)  the same and its source-currency amounts, in one pass
    plan_vs_outturn(cb, by, level)      plan, adjusted plan, outturn, deviation (money and %)
    economic_composition(cb)            personnel, goods and services, transfers, ... of expenditure
    revenue_vs_gross(cb)                revenue (income, reimbursements) against gross expenditure
    totals(cb)                          the grand totals (expenditure, revenue, net) per year and phase
    with_net(rows)                      derive net = expenditure - revenue where no net is printed
    join_notes(values)                  the corrections/flags (correction_note, flag_note) behind a figure
    coverage(budget, municipalities)    which municipality has which figures for which year

Only annual rows (period = fiscal year) are used; monthly figures are not added to annual ones.
Aggregated tables carry `correction_note` and `flag_note`: the corrected (data/curated/corrections.yml)
and flagged figures behind each value, so that charts can mark them.
Where a municipality has no figures the tables say "no figures in source", never 0.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.contract.missing import NO_FIGURES, flag
from analysis.contract.refs import distinct, join_refs

PHASE_LABELS = {"original_budget": "original budget", "adjusted_budget": "adjusted budget", "forecast": "forecast",
                "actual": "actual", "actual_to_date": "actual to date", "financial_plan": "financial plan"}
OUTTURN_PHASES = ["actual", "forecast"]                       # preferred first
COMPOSITION_PHASES = ["actual", "forecast", "adjusted_budget", "original_budget"]
LEVEL_ORDER = ["total", "area", "product", "line"]
ECONOMIC_LABELS = {"personnel": "personnel", "goods_services": "goods and services", "transfers": "transfers",
                   "other": "other", "depreciation": "depreciation and interest", "internal": "internal charges"}


# --- helpers ------------------------------------------------------------------------------------

def category_code(code, level: str = "division"):
    """A COFOG code cut to a division ('10') or group ('10.4'); None stays None."""
    if code is None or (isinstance(code, float) and code != code) or str(code) in ("", "nan", "None"):
        return None
    parts = str(code).split(".")
    return parts[0] if level == "division" else ".".join(parts[:2])


def category_names(cofog: pd.DataFrame | None) -> dict[str, str]:
    """COFOG code -> English name from the reference table (empty without one)."""
    if cofog is None or not len(cofog):
        return {}
    return dict(zip(cofog["code"].astype(str), cofog["name_en"]))


def annual(df: pd.DataFrame) -> pd.DataFrame:
    """Rows whose period is the whole fiscal year."""
    if "period" not in df.columns:
        return df
    return df[df["period"].astype(str) == df["fiscal_year"].astype(int).astype(str)]


def _names(df: pd.DataFrame, names: dict[str, str] | None) -> pd.Series:
    return df["municipality_id"].map(lambda m: (names or {}).get(m, m))


def unit_label(df: pd.DataFrame) -> str:
    units = df["unit"].dropna().unique() if "unit" in df.columns else []
    return units[0] if len(units) == 1 else ", ".join(map(str, units))


def _pick_phase(phases, preference) -> str | None:
    for p in preference:
        if p in set(phases):
            return p
    return None


def _in_group_order(d: pd.DataFrame, keys: list[str], keep: pd.Series) -> pd.DataFrame:
    """The rows of `d` where `keep`, group by group of `keys` in the order the groups first appear
    (rows with a missing key are dropped), as concatenating `d.groupby(keys, sort=False)` parts does."""
    order = d.groupby(keys, sort=False).ngroup()
    keep = keep & (order >= 0)
    return d[keep].iloc[order[keep].argsort(kind="stable")]


def _first_present(values: pd.Series, groups: list[pd.Series], prefer: list[str]) -> pd.Series:
    """Per row: whether its value is the first of `prefer` present in its group (one pass)."""
    rank = values.astype(object).map({v: i for i, v in enumerate(prefer)}).astype(float)
    best = rank.groupby(groups, sort=False, dropna=False).transform("min")
    return rank.notna() & (rank == best)


def _one_level(d: pd.DataFrame, prefer: list[str]) -> pd.DataFrame:
    """Per municipality, fiscal year and phase keep only the first level of `prefer` present,
    so that products and their own lines (or areas and their total) are not added twice."""
    if not len(d):
        return d
    keys = ["municipality_id", "fiscal_year", "phase"]
    return _in_group_order(d, keys, _first_present(d["level"], [d[k] for k in keys], prefer))


ITEM_KEYS = ["municipality_id", "document_id", "fiscal_year", "period", "org_unit", "item_code", "item_name",
             "level", "economic_type", "phase", "budget_group"]


def operating(df: pd.DataFrame) -> pd.DataFrame:
    """Rows that are not capital spending (budget_type 'capital' is left out)."""
    if "budget_type" not in df.columns:
        return df
    return df[df["budget_type"].astype(object).where(df["budget_type"].notna(), "") != "capital"]


MARKS = ["correction_note", "flag_note"]  # corrections.yml: corrected and flagged figures


def join_notes(values) -> str | None:
    """Distinct non-empty texts joined by ' | ' (None when there are none): the corrections or
    flags behind an aggregated figure."""
    texts = [str(v) for v in distinct(values) if str(v) not in ("", "nan")]
    return " | ".join(texts) or None


def series_sum(values) -> float:
    """``pd.Series(values).sum(min_count=1)`` of float values, bit for bit (missing ones count as 0,
    NaN when all are missing): numpy's pairwise sum, not the compensated sum of a group-by."""
    a = np.asarray(values, dtype="float64")
    ok = ~np.isnan(a)
    return np.where(ok, a, 0.0).sum() if ok.any() else float("nan")


def grouped(values: pd.Series, by, func, sort: bool = True, dropna: bool = True) -> pd.Series:
    """``values.groupby(by, sort=sort, dropna=dropna).agg(func)`` for a `func` of a list of values
    (join_refs, join_notes), calling it on plain arrays: no Series per group (linear in rows, and
    fast at hundreds of thousands of groups)."""
    g = values.groupby(by, sort=sort, dropna=dropna)
    index = g.size().index
    codes = g.ngroup().to_numpy()
    keep = codes >= 0
    if not keep.any():
        return g.agg(func)
    pos = np.flatnonzero(keep)
    order = np.argsort(codes[pos], kind="stable")
    pos, c = pos[order], codes[pos][order]
    chunks = np.split(values.to_numpy(dtype=object)[pos], np.flatnonzero(np.diff(c)) + 1)
    if len(chunks) != len(index):  # e.g. unobserved categories: pandas' own way
        return g.agg(func)
    return pd.Series([func(ch) for ch in chunks], index=index, name=values.name)  # dtype inferred as agg does


def _marks(d: pd.DataFrame, keys) -> pd.DataFrame:
    """correction_note and flag_note of the rows behind each group of `keys`."""
    out = {}
    for col in MARKS:
        src = d[col] if col in d.columns else pd.Series(None, index=d.index, dtype="object")
        out[col] = grouped(src, [d[k] for k in keys] if isinstance(keys, list) else keys, join_notes, dropna=False)
    return pd.DataFrame(out)


def _keys(df: pd.DataFrame, columns: list[str]) -> pd.Series:
    key = pd.Series("", index=df.index, dtype=object)
    for c in columns:
        col = df[c].astype(object)
        key = key + "\x1f" + col.where(col.notna(), "").astype(str)
    return key


ONE_SIDED = "no {missing} rows for this item in its document, which lists {missing} for other items: net = {rule}"
UNKNOWN = "no {missing} rows for this item and none in its document: net unknown"


def _item_rows(d: pd.DataFrame) -> pd.Series:
    """Rows that are budget items of their own: categorised operating products or lines of economic
    type 'all' (not totals, areas, capital projects or lines that break down a total)."""
    ok = d["level"].isin(["product", "line"]) & (d["economic_type"] == "all")
    if "category" in d.columns:
        ok &= d["category"].notna()
    if "budget_type" in d.columns:
        ok &= d["budget_type"].astype(object).fillna("") != "capital"
    return ok


def with_net(df: pd.DataFrame, value: str = "value") -> pd.DataFrame:
    """`df` plus derived net rows (expenditure - revenue) for items that give expenditure and
    revenue but no net figure (e.g. Aalborg's activity tables). Derived rows have
    `derived_net` True; a missing expenditure or revenue gives a missing net, never a guess.

    An item with expenditure but no revenue rows (or the other way round) is never dropped: where
    its document lists that direction for other items of the same year, phase and level, the
    document's own rows are the evidence that the item has none, and net = expenditure (or
    -revenue); otherwise net is unknown (missing). `net_note` says which."""
    out = df.assign(derived_net=False)
    if not len(df):
        return out
    keys = [k for k in ITEM_KEYS if k in df.columns]
    key = _keys(df, keys)
    printed_net = set(key[df["direction"] == "net"])
    cand = df[df["direction"].isin(["expenditure", "revenue"]) & ~key.isin(printed_net)]
    if "category_rule" in cand.columns:  # lines that break down a total are not items of their own
        cand = cand[~cand["category_rule"].astype(object).fillna("").astype(str).str.startswith("breakdown")]
    ck = key[cand.index]
    sides = cand.groupby(ck)["direction"].nunique()
    if not len(sides):
        return out

    def total(col, direction):  # NaN when any figure is missing
        part = cand[cand["direction"] == direction]
        g = part[col].groupby(ck[part.index])
        return g.sum().where(g.count() == g.size())

    one_ok = _item_rows(cand).groupby(ck).all()  # one-sided only for items (not totals, breakdowns, capital)
    sides = sides[(sides == 2) | one_ok.reindex(sides.index, fill_value=False)]
    if not len(sides):
        return out
    cand, ck = cand[ck.isin(sides.index)], ck[ck.isin(sides.index)]
    derived = cand.assign(_k=ck).drop_duplicates("_k").set_index("_k")
    exp = {col: total(col, "expenditure") for col in dict.fromkeys([value, "amount"])}
    rev = {col: total(col, "revenue") for col in dict.fromkeys([value, "amount"])}
    scope = [k for k in ("document_id", "fiscal_year", "phase", "level") if k in cand.columns]
    has = {d: set(_keys(cand[cand["direction"] == d], scope)) for d in ("expenditure", "revenue")}
    where = _keys(derived, scope)
    notes = []
    for k in derived.index:
        if sides[k] == 2:
            notes.append(None)
            continue
        side = derived.at[k, "direction"]
        missing = "revenue" if side == "expenditure" else "expenditure"
        evidence = where[k] in has[missing]
        for col in exp:
            other = exp if side == "revenue" else rev
            if evidence:
                other[col].loc[k] = 0.0
        notes.append((ONE_SIDED if evidence else UNKNOWN).format(
            missing=missing, rule="expenditure" if side == "expenditure" else "-revenue"))
    for col in exp:
        derived[col] = exp[col].reindex(derived.index) - rev[col].reindex(derived.index)
    derived["direction"] = "net"
    if "revenue_kind" in derived.columns:
        derived["revenue_kind"] = None
    derived["source_ref"] = grouped(cand["source_ref"], ck, join_refs)
    for col in MARKS:  # a corrected or flagged side marks the derived net
        if col in cand.columns:
            derived[col] = grouped(cand[col], ck, join_notes)
    derived["derived_net"] = True
    derived["net_note"] = pd.Series(notes, index=derived.index, dtype=object)
    return pd.concat([out, derived.reset_index(drop=True)], ignore_index=True)


def grand_total(d: pd.DataFrame) -> pd.DataFrame:
    """The total-level rows of `d`; where the source gives subtotals per budget group next to
    a grand total (Aalborg: 'Serviceudgifter i alt', ..., 'I alt Drift'), only the grand total."""
    t = d[d["level"] == "total"]
    if "budget_group" in t.columns and len(t):
        keys = ["municipality_id", "fiscal_year", "phase", "direction"]
        grand = t["budget_group"].isna()
        by = [t[k] for k in keys]
        both = grand.groupby(by, sort=False, dropna=False).transform("any") & \
            (~grand).groupby(by, sort=False, dropna=False).transform("any")
        t = _in_group_order(t, keys, grand | ~both)
    return t


def _deviation(outturn: pd.Series, plan: pd.Series) -> tuple[pd.Series, pd.Series]:
    dev = outturn - plan
    pct = 100.0 * dev / plan.abs().where(plan != 0)
    return dev, pct


# --- composition --------------------------------------------------------------------------------

def select_year_phase(part: pd.DataFrame, fiscal_year: int | None = None, phase: str | None = None,
                      preference: list[str] = COMPOSITION_PHASES) -> pd.DataFrame:
    """The rows of one municipality for `fiscal_year` (default: its latest year with figures in one
    of the `preference` phases) and `phase` (default: the first of `preference` it has that year,
    i.e. the most realised one). Empty when it has no figures for the choice."""
    phases = [phase] if phase else preference
    have = part[part["phase"].isin(phases)]
    if not len(have):
        return part.iloc[0:0]
    year = int(fiscal_year) if fiscal_year is not None else int(have["fiscal_year"].max())
    have = have[have["fiscal_year"].astype(int) == year]
    chosen = _pick_phase(have["phase"], phases)
    return have[have["phase"] == chosen] if chosen else part.iloc[0:0]


def select_year_phase_all(d: pd.DataFrame, fiscal_year: int | None = None, phase: str | None = None,
                          preference: list[str] = COMPOSITION_PHASES) -> pd.DataFrame:
    """`select_year_phase` for every municipality of `d` at once (group-by, linear in rows), in the
    order of ``pd.concat(select_year_phase(part, ...) for _, part in d.groupby("municipality_id", sort=False))``."""
    phases = [phase] if phase else preference
    have = d[d["phase"].isin(phases)]
    if not len(have):
        return d.iloc[0:0]
    fy = have["fiscal_year"].astype(int)
    year = fy.groupby(have["municipality_id"]).transform("max") if fiscal_year is None else int(fiscal_year)
    have = have[fy == year]
    if not len(have):
        return d.iloc[0:0]
    keep = _first_present(have["phase"], [have["municipality_id"]], phases)
    order = d.groupby("municipality_id", sort=False).ngroup()[keep[keep].index]
    return have[keep].iloc[order.argsort(kind="stable")]


def composition(cb: pd.DataFrame, level: str = "division", cofog: pd.DataFrame | None = None,
                direction: str = "net", value: str = "value", names: dict[str, str] | None = None,
                fiscal_year: int | None = None, phase: str | None = None) -> pd.DataFrame:
    """Value and share of each category (COFOG division or group) in each municipality's
    categorised spending.

    Per municipality the latest fiscal year and its most realised phase (actual, forecast,
    adjusted budget, original budget) are used, or the `fiscal_year` and `phase` given (a
    municipality without figures for them is left out); `fiscal_year` and `phase` say which. Only
    categorised operating product/line rows count (products, or lines where a municipality has
    no products); net is derived from expenditure and revenue where the source gives no net
    (`one_sided_items`: items whose document lists no revenue or no expenditure for them, see
    `with_net`; `unknown_net_items`: items whose net is unknown and therefore not in `value`).
    `share` is percent of the sum over categories (negative where a category is net income).
    """
    return _composition_table(_composition_rows(cb, level, direction, value, fiscal_year, phase), value, cofog, names)


def composition_and_amounts(cb: pd.DataFrame, level: str = "division", cofog: pd.DataFrame | None = None,
                            names: dict[str, str] | None = None, fiscal_year: int | None = None,
                            phase: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``composition(cb, level, cofog, names=names, fiscal_year=, phase=)`` and the same in the
    source currency, ``composition(cb, level, cofog, value="amount")`` (what a download adds as
    ``value_amount``: `basis.composition_download`), from one pass over the rows where both
    choose the same year and phase (no `fiscal_year` and `phase` given): the net rows derived
    for `value` carry the derived `amount` too, so both tables are those of two calls."""
    if fiscal_year is not None or phase is not None:
        return (composition(cb, level, cofog, names=names, fiscal_year=fiscal_year, phase=phase),
                composition(cb, level, cofog, value="amount"))
    rows = _composition_rows(cb, level, "net", "value", None, None)
    return _composition_table(rows, "value", cofog, names), _composition_table(rows, "amount", cofog, None)


def _composition_rows(cb: pd.DataFrame, level: str, direction: str, value: str, fiscal_year, phase):
    """The rows `composition` adds up (with `cat`, the category at `level`), None when there are none."""
    d = operating(annual(cb))
    d = d[d["category"].notna() & (d["economic_type"] == "all") & d["level"].isin(["product", "line"])]
    if direction == "net":
        d = with_net(d, value)
    d = d[d["direction"] == direction]
    if not len(d):
        return None
    picked = select_year_phase_all(d, fiscal_year, phase)
    if not len(picked):
        return None
    d = _one_level(picked, ["product", "line"])
    return d.assign(cat=d["category"].map(lambda c: category_code(c, level)))


def _composition_table(d: pd.DataFrame | None, value: str, cofog, names) -> pd.DataFrame:
    if d is None:
        return _empty_composition()
    g = d.groupby(["municipality_id", "fiscal_year", "phase", "cat"], sort=True)
    out = g[value].sum(min_count=1).to_frame("value")
    out["items"] = g.size()
    if "category_judgement" in d.columns:
        d = d.assign(category_judgement=flag(d["category_judgement"]))  # (d may serve another table)
        out["judgement_items"] = d.groupby(["municipality_id", "fiscal_year", "phase", "cat"])["category_judgement"].sum()
    else:
        out["judgement_items"] = 0
    out["source_ref"] = grouped(d["source_ref"], [d[k] for k in ["municipality_id", "fiscal_year", "phase", "cat"]],
                                join_refs)
    out = out.join(_marks(d, ["municipality_id", "fiscal_year", "phase", "cat"]))
    note = d["net_note"].astype(object).fillna("").astype(str) if "net_note" in d.columns else pd.Series("", index=d.index)
    out["one_sided_items"] = note.str.contains("which lists").groupby([d[k] for k in ["municipality_id", "fiscal_year",
                                                                                       "phase", "cat"]]).sum()
    out["unknown_net_items"] = note.str.contains("net unknown").groupby([d[k] for k in ["municipality_id",
                                                                                          "fiscal_year", "phase",
                                                                                          "cat"]]).sum()
    out = out.reset_index().rename(columns={"cat": "category"})
    cnames = category_names(cofog)
    out["category_name_en"] = out["category"].map(cnames)
    out["unit"] = unit_label(d)
    total = out.groupby("municipality_id")["value"].transform(lambda s: s.sum(min_count=1))
    out["share"] = 100.0 * out["value"] / total.where(total != 0)
    out.insert(1, "municipality", _names(out, names))
    return out[COMPOSITION_COLUMNS].reset_index(drop=True)


COMPOSITION_COLUMNS = ["municipality_id", "municipality", "fiscal_year", "phase", "category", "category_name_en",
                       "value", "unit", "share", "items", "judgement_items", "one_sided_items", "unknown_net_items",
                       "source_ref", *MARKS]


def _empty_composition() -> pd.DataFrame:
    return pd.DataFrame(columns=COMPOSITION_COLUMNS)


# --- plan against outturn -----------------------------------------------------------------------

def plan_vs_outturn(cb: pd.DataFrame, by: str = "category", level: str = "division", direction: str = "net",
                    value: str = "value", cofog: pd.DataFrame | None = None,
                    names: dict[str, str] | None = None, fiscal_year: int | None = None) -> pd.DataFrame:
    """Plan against outturn per category (`by='category'`) or per budget item (`by='item'`).

    Columns: original_budget, adjusted_budget (where the source has one), outturn and
    outturn_phase (actual where given, else the forecast), compared_with (the adjusted budget when
    there is one, as the documents do, else the original budget), deviation = outturn - that plan
    (positive: more spent / less income than planned) and deviation_pct = deviation / |plan| x 100.
    Missing figures stay missing. `fiscal_year` limits the table to one year.
    """
    d = operating(annual(cb))
    d = d[(d["economic_type"] == "all") & d["level"].isin(["product", "line"])]
    if fiscal_year is not None:
        d = d[d["fiscal_year"].astype(int) == int(fiscal_year)]
    if direction == "net":
        d = with_net(d, value)
    d = d[d["direction"] == direction]
    d = _one_level(d, ["product", "line"])
    if by == "category":
        d = d[d["category"].notna()]
        d = d.assign(key=d["category"].map(lambda c: category_code(c, level)))
        keys = ["municipality_id", "fiscal_year", "key"]
    elif by == "item":
        d = d.assign(key=d["item_code"].fillna("").astype(str))
        keys = ["municipality_id", "fiscal_year", "org_unit", "level", "key", "item_name"]
    else:
        raise ValueError(f"by must be 'category' or 'item', not {by!r}")
    if not len(d):
        return pd.DataFrame(columns=keys + ["original_budget", "adjusted_budget", "outturn", "outturn_phase",
                                            "compared_with", "deviation", "deviation_pct", *MARKS])
    g = d.groupby(keys + ["phase"], dropna=False)
    wide = g[value].sum(min_count=1).unstack("phase")
    refs = grouped(d["source_ref"], [d[k] for k in keys], join_refs, dropna=False)
    marks = _marks(d, keys)
    for p in ["original_budget", "adjusted_budget", "actual", "forecast"]:
        if p not in wide.columns:
            wide[p] = float("nan")
    wide = wide.reset_index()
    has_actual = wide["actual"].notna()
    wide["outturn"] = wide["actual"].where(has_actual, wide["forecast"])
    wide["outturn_phase"] = [("actual" if a else ("forecast" if f == f else None))
                             for a, f in zip(has_actual, wide["forecast"])]
    has_adj = wide["adjusted_budget"].notna()
    plan = wide["adjusted_budget"].where(has_adj, wide["original_budget"])
    wide["compared_with"] = ["adjusted_budget" if a else ("original_budget" if o == o else None)
                             for a, o in zip(has_adj, wide["original_budget"])]
    wide["deviation"], wide["deviation_pct"] = _deviation(wide["outturn"], plan)
    wide["unit"] = unit_label(d)
    wide = wide.merge(refs.rename("source_ref").reset_index(), on=keys, how="left")
    wide = wide.merge(marks.reset_index(), on=keys, how="left")
    if by == "category":
        wide = wide.rename(columns={"key": "category"})
        wide.insert(3, "category_name_en", wide["category"].map(category_names(cofog)))
    else:
        labels = (d.drop_duplicates(["municipality_id", "key", "item_name"])
                  [["municipality_id", "key", "item_name", "item_name_en", "category"]])
        wide = wide.merge(labels, on=["municipality_id", "key", "item_name"], how="left")
        wide = wide.rename(columns={"key": "item_code"})
    wide.insert(1, "municipality", _names(wide, names))
    cols = [c for c in wide.columns if c not in ("actual", "forecast")]
    return wide[cols].sort_values(["municipality_id", "fiscal_year"], kind="stable").reset_index(drop=True)


# --- economic composition -------------------------------------------------------------------------

def economic_composition(cb: pd.DataFrame, municipalities: list[str] | None = None, value: str = "value",
                         names: dict[str, str] | None = None) -> pd.DataFrame:
    """Expenditure by economic type (personnel, goods and services, transfers, ...) where the
    source breaks it down, per municipality, fiscal year and phase; `share` is percent of the
    types' sum. Where the breakdown is given for the whole budget (the org unit of the total-level
    rows) only that one is used, so that areas are not added to their total.

    Municipalities in `municipalities` without such a breakdown get one row with `missing`
    "no figures in source" and missing values (the other columns empty).
    """
    d = annual(cb)
    totals_org = set(zip(d.loc[d["level"] == "total", "municipality_id"], d.loc[d["level"] == "total", "org_unit"]))
    d = d[(d["direction"] == "expenditure") & (d["economic_type"] != "all")]
    if len(d):
        top = [(m, o) in totals_org for m, o in zip(d["municipality_id"], d["org_unit"])]
        has_top = d.assign(_top=top).groupby("municipality_id")["_top"].transform("any")
        d = d[~has_top | pd.Series(top, index=d.index)]
        d = _one_level(d, LEVEL_ORDER)
    cols = ["municipality_id", "municipality", "fiscal_year", "phase", "org_unit", "economic_type",
            "economic_type_label", "value", "unit", "share", "source_ref", "missing"]
    rows = pd.DataFrame(columns=[c for c in cols if c != "municipality"])
    if len(d):
        g = d.groupby(["municipality_id", "fiscal_year", "phase", "economic_type"])
        rows = g[value].sum(min_count=1).to_frame("value")
        by = [d[k] for k in ["municipality_id", "fiscal_year", "phase", "economic_type"]]
        rows["org_unit"] = grouped(d["org_unit"], by, _distinct)
        rows["source_ref"] = grouped(d["source_ref"], by, join_refs)
        rows = rows.reset_index()
        total = rows.groupby(["municipality_id", "fiscal_year", "phase"])["value"].transform(lambda s: s.sum(min_count=1))
        rows["share"] = 100.0 * rows["value"] / total.where(total != 0)
        rows["unit"] = unit_label(d)
        rows["economic_type_label"] = rows["economic_type"].map(ECONOMIC_LABELS)
        order = {t: i for i, t in enumerate(ECONOMIC_LABELS)}
        rows = rows.sort_values(["municipality_id", "fiscal_year", "phase", "economic_type"],
                                key=lambda c: c.map(order) if c.name == "economic_type" else c)
    have = set(rows["municipality_id"].unique())  # once, not once per municipality
    missing = [m for m in (municipalities or []) if m not in have]
    if missing:
        rows = pd.concat([rows, pd.DataFrame({"municipality_id": missing, "missing": NO_FIGURES})], ignore_index=True)
    rows.insert(1, "municipality", _names(rows, names))
    rows["fiscal_year"] = rows["fiscal_year"].astype("Int64")
    return rows.reindex(columns=cols).reset_index(drop=True)


# --- totals and revenue against gross spending ----------------------------------------------------

def totals(cb: pd.DataFrame, value: str = "value", names: dict[str, str] | None = None,
           municipalities: list[str] | None = None) -> pd.DataFrame:
    """The grand totals the source gives (level 'total') per municipality, fiscal year and phase:
    expenditure, revenue and net, in the source currency (`*_amount`) and as `value` columns
    (see `unit`). Net is the printed net or, where only expenditure and revenue are printed,
    their difference (`net_derived` True). Annual figures only.

    Where a document prints no total at all (a budget file of items only, e.g. Kiel's accounts),
    the total is the sum of its operating items (`item_name` says so; `net_derived` as above).
    Municipalities in `municipalities` without a total get a row with `missing` "no figures in
    source" (never in `phase`).
    """
    d = grand_total(annual(cb))
    with_totals = set(cb.loc[cb["level"] == "total", "document_id"]) if "document_id" in cb.columns else None
    d = pd.concat([d, _item_totals(annual(cb), with_totals)])
    d = d[(d["economic_type"] == "all") & d["direction"].isin(["expenditure", "revenue", "net"])]
    rows = _total_rows(d, value)
    cols = ["municipality_id", "municipality", "fiscal_year", "phase", "org_unit", "item_name", "currency",
            "expenditure_amount", "revenue_amount", "net_amount", "net_derived", "expenditure", "revenue", "net",
            "unit", "source_ref", "missing"]
    out = rows.reindex(columns=[c for c in cols if c != "municipality"])
    have = set(out["municipality_id"].unique())
    missing = [m for m in (municipalities or []) if m not in have]
    if missing:
        out = pd.concat([out, pd.DataFrame({"municipality_id": missing, "missing": NO_FIGURES})], ignore_index=True)
    if "missing" not in out.columns:
        out["missing"] = None
    order = {p: i for i, p in enumerate(["original_budget", "adjusted_budget", "actual_to_date", "forecast",
                                         "actual", "financial_plan"])}
    out = out.sort_values(["municipality_id", "fiscal_year", "phase"],
                          key=lambda c: c.map(order) if c.name == "phase" else c, na_position="last")
    out.insert(1, "municipality", _names(out, names))
    out["fiscal_year"] = out["fiscal_year"].astype("Int64")
    return out[cols].reset_index(drop=True)


def _one_unit(values) -> str:
    """`unit_label` of a group's unit values."""
    units = distinct(values)
    return units[0] if len(units) == 1 else ", ".join(map(str, units))


def _distinct(values) -> str:
    return "; ".join(distinct(values))


def _total_rows(d: pd.DataFrame, value: str) -> pd.DataFrame:
    """One row per municipality, fiscal year and phase of the total rows `d` (in the order the
    groups first appear): org units, item names, currency and unit, references, and per direction
    the sum of `amount` and `value` (missing where the direction has no row or no figure)."""
    keys = ["municipality_id", "fiscal_year", "phase"]
    cols = ["municipality_id", "fiscal_year", "phase", "org_unit", "item_name", "currency", "unit", "source_ref",
            "expenditure_amount", "expenditure", "revenue_amount", "revenue", "net_amount", "net", "net_derived"]
    d = d.dropna(subset=keys)
    if not len(d):
        return pd.DataFrame(columns=cols)
    by = [d[k] for k in keys]
    out = grouped(d["org_unit"], by, _distinct, sort=False).to_frame("org_unit")
    out["item_name"] = grouped(d["item_name"], by, _distinct, sort=False)
    first = d.drop_duplicates(keys).set_index(keys)
    out["currency"] = first["currency"].reindex(out.index)
    if "unit" in d.columns:
        out["unit"] = grouped(d["unit"], by, _one_unit, sort=False)
    else:
        out["unit"] = ""
    out["source_ref"] = grouped(d["source_ref"], by, join_refs, sort=False)
    by_dir = [d[k] for k in keys + ["direction"]]
    sums = pd.DataFrame({c: grouped(d[c], by_dir, series_sum, sort=False) for c in dict.fromkeys(["amount", value])})
    for direction in ("expenditure", "revenue", "net"):
        part = sums.xs(direction, level="direction") if direction in set(sums.index.get_level_values("direction")) \
            else pd.DataFrame(columns=sums.columns)
        out[f"{direction}_amount"] = part["amount"].reindex(out.index).astype(float)
        out[direction] = part[value].reindex(out.index).astype(float)
    derive = out["net"].isna() & out["expenditure"].notna() & out["revenue"].notna()
    out["net_derived"] = derive
    out.loc[derive, "net"] = out["expenditure"] - out["revenue"]
    out.loc[derive, "net_amount"] = out["expenditure_amount"] - out["revenue_amount"]
    out = out.reset_index()
    out["fiscal_year"] = out["fiscal_year"].astype(int)
    return out[cols]


SUM_OF_ITEMS = "sum of the items (the document prints no total)"


def _item_totals(d: pd.DataFrame, have: set | None) -> pd.DataFrame:
    """For documents that print no total row at all (`have`: the documents that do): the sum of
    their operating items (products, or lines where there are no products) as total rows."""
    if have is None:
        return d.iloc[0:0]
    items = operating(d)
    items = items[(items["economic_type"] == "all") & items["level"].isin(["product", "line"])
                  & items["direction"].isin(["expenditure", "revenue"])]
    if "category_rule" in items.columns:
        items = items[~items["category_rule"].astype(object).fillna("").astype(str).str.startswith("breakdown")]
    items = items[~items["document_id"].isin(have)]
    if not len(items):
        return d.iloc[0:0]
    items = _one_level(items, ["product", "line"])
    num = [c for c in ("value", "amount") if c in items.columns]
    g = items.groupby(["municipality_id", "fiscal_year", "phase", "direction"], sort=False)
    out = g[num].sum(min_count=1)
    for c in num:
        out[c] = out[c].where(g[c].count() == g.size())
    first = g.head(1).set_index(["municipality_id", "fiscal_year", "phase", "direction"])
    for c in ("currency", "unit", "economic_type", "period", "document_id"):
        if c in first.columns:
            out[c] = first[c]
    out["org_unit"] = None
    out["item_name"] = SUM_OF_ITEMS
    out["level"] = "total"
    out["source_ref"] = grouped(items["source_ref"], [items[k] for k in ["municipality_id", "fiscal_year", "phase",
                                                                          "direction"]], join_refs, sort=False)
    return out.reset_index()


def revenue_vs_gross(cb: pd.DataFrame, municipalities: list[str] | None = None, value: str = "value",
                     names: dict[str, str] | None = None) -> pd.DataFrame:
    """Gross expenditure, revenue and net of the grand total (see `totals`) with
    `revenue_share` = revenue / gross expenditure x 100, and revenue split into income and
    reimbursements where the source says which: summed over the operating rows that carry a
    revenue_kind, at the highest level where every revenue row does (`split_level`; e.g.
    Aalborg's sector tables), so income + reimbursement may differ from the total's revenue
    (rounding, capital items).

    Municipalities without a total get a row saying "no figures in source".
    """
    t = totals(cb, value, names, municipalities)
    t["revenue_share"] = 100.0 * t["revenue"] / t["expenditure"].where(t["expenditure"] > 0)
    rev = operating(annual(cb))
    rev = rev[(rev["direction"] == "revenue") & (rev["economic_type"] == "all")]
    keys = ["municipality_id", "fiscal_year", "phase"]
    split = pd.DataFrame(columns=["income", "reimbursement", "split_level"])
    if "revenue_kind" in rev.columns and len(rev):
        rev = rev[rev["level"].isin(LEVEL_ORDER)].dropna(subset=keys)
        by = [rev[k] for k in keys]
        # the highest level whose revenue rows all say which kind they are
        complete = rev["revenue_kind"].notna().groupby(by + [rev["level"]], dropna=False).transform("all")
        rank = rev["level"].astype(object).map({lv: i for i, lv in enumerate(LEVEL_ORDER)}).astype(float)
        rank = rank.where(complete)
        k = rev[rank.notna() & (rank == rank.groupby(by, dropna=False).transform("min"))]
        g = k.groupby(keys)
        split = pd.DataFrame({"split_level": g["level"].agg(lambda s: s.iloc[0]).astype(object)})
        for kind, col in (("income", "income"), ("reimbursement", "reimbursement")):
            x = k[k["revenue_kind"] == kind]
            split[col] = grouped(x[value], [x[c] for c in keys], series_sum).reindex(split.index).astype(float)
        split = split.reset_index()
        split["fiscal_year"] = split["fiscal_year"].astype(int)
    merged = t[keys].astype(object).merge(split.astype({"fiscal_year": object}), on=keys, how="left")
    t["income"] = merged["income"].astype(float).to_numpy()
    t["reimbursement"] = merged["reimbursement"].astype(float).to_numpy()
    t["split_level"] = merged["split_level"].astype(object).where(merged["split_level"].notna(), None).to_numpy()
    cols = ["municipality_id", "municipality", "fiscal_year", "phase", "org_unit", "expenditure", "revenue",
            "income", "reimbursement", "split_level", "net", "revenue_share", "unit", "source_ref", "missing"]
    return t[cols]


# --- coverage -------------------------------------------------------------------------------------

def coverage(budget: pd.DataFrame, municipalities: list[str], names: dict[str, str] | None = None) -> pd.DataFrame:
    """Which budget figures each municipality has for which fiscal year.

    One row per municipality and fiscal year: phases, levels, whether an economic breakdown and
    revenue kinds exist, categorised items and rows. A municipality without budget rows gets one
    row with `missing` "no figures in source" (never zeros, never in `phases`).
    """
    rows = []
    parts = dict(tuple(budget.groupby("municipality_id", sort=False))) if len(budget) else {}  # one pass
    for m in municipalities:
        part = parts.get(m, budget.iloc[0:0])
        if not len(part):
            rows.append({"municipality_id": m, "fiscal_year": None, "phases": "", "levels": "",
                         "monthly": "", "economic_breakdown": "", "revenue_kinds": "", "categorised_items": None,
                         "rows": None, "missing": NO_FIGURES})
            continue
        for year, p in part.groupby("fiscal_year"):
            monthly = p["period"].astype(str).str.len().gt(4).any() if "period" in p.columns else False
            kinds = p["revenue_kind"].dropna().unique() if "revenue_kind" in p.columns else []
            items = p[p["level"].isin(["product", "line"])]
            rows.append({
                "municipality_id": m, "fiscal_year": int(year),
                "phases": ", ".join(PHASE_LABELS[x] for x in PHASE_LABELS if x in set(p["phase"])),
                "levels": ", ".join(x for x in LEVEL_ORDER if x in set(p["level"])),
                "monthly": "yes" if monthly else "no",
                "economic_breakdown": "yes" if (p["economic_type"] != "all").any() else "no",
                "revenue_kinds": ", ".join(sorted(kinds)) if len(kinds) else "not split",
                "categorised_items": int(items.loc[items["category"].notna(), ["item_code", "item_name"]]
                                         .drop_duplicates().shape[0]),
                "rows": int(len(p)), "missing": None})
    out = pd.DataFrame(rows)
    out["fiscal_year"] = out["fiscal_year"].astype("Int64")
    out["categorised_items"] = out["categorised_items"].astype("Int64")
    out["rows"] = out["rows"].astype("Int64")
    out.insert(1, "municipality", _names(out, names))
    return out
