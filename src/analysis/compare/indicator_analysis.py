"""Service indicators: planned against realised volumes, rates per 1,000, timeliness, coverage.

Pure functions over the contract `indicators` and `goals` tables:

    with_categories(ind, budget)        fill an indicator's category from its budget item's category
    select(ind, municipalities, categories)   categories: groups ('10.4') or divisions ('10')
    plan_vs_actual(ind)                 planned and realised volumes (cases, places, ...) with deviation
    rates_per_1000(pva, population)     realised (and planned) volumes per 1,000 inhabitants
    timeliness(goals)                   deadline targets ('within 14 days'), target against result
    coverage_rates(ind)                 coverage rates such as Aalborg's Dækningsgrad, plan against actual

Only units that count people or cases get a rate per 1,000 (`RATE_UNITS`); hours, euros and
percentages do not. Missing figures stay missing ("not measured"), never 0.
"""
from __future__ import annotations

import re

import pandas as pd

from analysis.compare.spending import join_notes
from analysis.contract.refs import join_refs

PLAN_PHASES = ["original_budget", "adjusted_budget"]
REALISED_PHASES = ["actual", "forecast", "actual_to_date"]
PERCENT_UNITS = {"percent", "%", "pct", "prozent", "procent"}
# Units that count people, cases or places: a rate per 1,000 inhabitants makes sense for them.
RATE_UNITS = {"cases", "persons", "people", "children", "places", "placements", "contacts", "clients",
              "communities of need", "households", "examinations", "applications", "recipients",
              "full-time persons", "users"}
DEADLINE = re.compile(r"innerhalb|within|fristgerecht|termingerecht|\b\d+\s*(tag|tage|tagen|woche|wochen|monat|"
                      r"monats|days?|weeks?|months?|timer|dage|uger)\b|24 timers", re.IGNORECASE)
COVERAGE = re.compile(r"dækningsgrad|coverage|versorgungsquote|deckungsgrad", re.IGNORECASE)


def _names(df: pd.DataFrame, names: dict[str, str] | None) -> pd.Series:
    return df["municipality_id"].map(lambda m: (names or {}).get(m, m))


def with_categories(ind: pd.DataFrame, budget: pd.DataFrame | None) -> pd.DataFrame:
    """Indicators with `category` filled from the budget item of the same municipality and
    item_code where the indicator has none (e.g. Peine's cases of product 3111 -> 10.x)."""
    out = ind.copy()
    if "category" not in out.columns:
        out["category"] = pd.Series(None, index=out.index, dtype="str")
    if budget is None or not len(budget) or "item_code" not in ind.columns:
        return out
    b = budget.dropna(subset=["category", "item_code"])
    b = b[b["level"].isin(["product", "line"])].drop_duplicates(["municipality_id", "item_code"])
    lookup = dict(zip(zip(b["municipality_id"], b["item_code"].astype(str)), b["category"]))
    filled = [c if isinstance(c, str) and c not in ("", "nan") else lookup.get((m, str(code)))
              for m, code, c in zip(out["municipality_id"], out["item_code"], out["category"])]
    out["category"] = pd.Series(filled, index=out.index, dtype="str")
    return out


def category_matches(category, wanted: list[str] | None) -> bool:
    """True when `category` is one of `wanted` or lies under one of them ('10.4' under '10');
    'uncategorised' in `wanted` selects indicators without a category."""
    if wanted is None:
        return True
    if not isinstance(category, str) or category in ("", "nan"):
        return "uncategorised" in wanted
    return any(category == w or category.startswith(w + ".") for w in wanted)


def select(ind: pd.DataFrame, municipalities=None, categories=None) -> pd.DataFrame:
    """The indicators of the given municipalities and categories (None = all; indicators
    without a category only with None or 'uncategorised')."""
    d = ind
    if municipalities is not None:
        d = d[d["municipality_id"].isin(municipalities)]
    if categories is not None:
        d = d[d["category"].map(lambda c: category_matches(c, list(categories))).astype(bool)]
    return d.reset_index(drop=True)


def is_percent(unit) -> bool:
    return isinstance(unit, str) and unit.strip().lower() in PERCENT_UNITS


def plan_vs_actual(ind: pd.DataFrame, names: dict[str, str] | None = None, percent: bool = False) -> pd.DataFrame:
    """Planned against realised values per indicator (volumes; percentages with percent=True).

    planned = original budget (adjusted budget where there is one), realised = actual, else the
    forecast, else actual to date (`realised_phase` says which); deviation = realised - planned
    and deviation_pct = deviation / planned x 100. `item_name` is the budget item's name where the
    indicators carry one (`goal_analysis.with_item_names`), for labels such as '3126 Leistungen für
    Bildung und Teilhabe: cases'.
    """
    d = ind[ind["unit"].map(is_percent).astype(bool) == percent]
    if "period" in d.columns:
        d = d[d["period"].isna() | (d["period"].astype(str) == d["fiscal_year"].astype(str))]
    group = d["indicator_group"] if "indicator_group" in d.columns else pd.Series("", index=d.index)
    d = d.assign(indicator_group=group.fillna(""), item_code=d["item_code"].fillna(""))
    keys = ["municipality_id", "fiscal_year", "item_code", "indicator_group", "indicator", "unit"]
    cols = keys + ["indicator_en", "item_name", "category", "planned", "planned_phase", "realised", "realised_phase",
                   "deviation", "deviation_pct", "source_ref", "correction_note", "flag_note"]
    if not len(d):
        return pd.DataFrame(columns=["municipality_id", "municipality"] + cols[1:])
    wide = d.groupby(keys + ["phase"], dropna=False)["value"].sum(min_count=1).unstack("phase").reset_index()
    for p in PLAN_PHASES + REALISED_PHASES:
        if p not in wide.columns:
            wide[p] = float("nan")
    wide["planned"], wide["planned_phase"] = _first(wide, ["adjusted_budget", "original_budget"])
    wide["realised"], wide["realised_phase"] = _first(wide, REALISED_PHASES)
    wide["deviation"] = wide["realised"] - wide["planned"]
    wide["deviation_pct"] = 100.0 * wide["deviation"] / wide["planned"].abs().where(wide["planned"] != 0)
    marks = {c: (c, join_notes) for c in ("correction_note", "flag_note") if c in d.columns}
    if "item_name" in d.columns:
        marks["item_name"] = ("item_name", "first")
    meta = d.groupby(keys, dropna=False).agg(indicator_en=("indicator_en", "first"), category=("category", "first"),
                                             source_ref=("source_ref", join_refs), **marks).reset_index()
    for c in ("correction_note", "flag_note", "item_name"):
        if c not in meta.columns:
            meta[c] = None
    wide = wide.merge(meta, on=keys, how="left")
    wide = wide[cols]
    wide.insert(1, "municipality", _names(wide, names))
    return wide.sort_values(["municipality_id", "fiscal_year", "item_code", "indicator_group", "indicator"]) \
        .reset_index(drop=True)


def _first(wide: pd.DataFrame, phases: list[str]) -> tuple[pd.Series, pd.Series]:
    value = pd.Series(float("nan"), index=wide.index)
    phase = pd.Series(None, index=wide.index, dtype="object")
    for p in phases:
        take = value.isna() & wide[p].notna()
        value[take] = wide.loc[take, p]
        phase[take] = p
    return value, phase


def rates_per_1000(pva: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Planned and realised volumes per 1,000 inhabitants for units in `RATE_UNITS`.

    The population is that of the fiscal year or the nearest earlier year (`population_year`);
    municipalities without a population figure get missing rates.
    """
    from analysis.reference import tables as reference
    d = pva[pva["unit"].str.lower().isin(RATE_UNITS)].copy()
    pops, years, dates = [], [], []
    for m, y in zip(d["municipality_id"], d["fiscal_year"]):
        try:
            rec = reference.population_record(m, int(y), table=population)
            pops.append(float(rec["population"]))
            years.append(int(rec["year"]))
            dates.append(rec.get("reference_date"))
        except Exception:  # no population for this municipality/year: no rate
            pops.append(float("nan"))
            years.append(None)
            dates.append(None)
    d["population"] = pops
    d["population_year"] = pd.array(years, dtype="Int64")
    d["population_date"] = dates
    d["planned_per_1000"] = 1000.0 * d["planned"] / d["population"]
    d["realised_per_1000"] = 1000.0 * d["realised"] / d["population"]
    return d.reset_index(drop=True)


def timeliness(goals: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Deadline goals (e.g. 'decisions within 14 days', unit percent): target, result, the gap in
    percentage points and the status."""
    g = goals[goals["unit"].map(is_percent).astype(bool)]
    metric = g["metric"] if "metric" in g.columns else pd.Series("", index=g.index)
    text = g["goal"].fillna("") + " " + g["goal_en"].fillna("") + " " + metric.fillna("")
    g = g[text.map(lambda t: bool(DEADLINE.search(t))).astype(bool)].copy()
    g["gap_pp"] = g["result"] - g["target"]
    cols = ["municipality_id", "goal_id", "item_code", "item_name", "goal", "goal_en", "target", "result", "gap_pp",
            "achievement_reported", "status", "result_phase", "target_year", "category", "source_ref"]
    out = g.reindex(columns=cols)
    out.insert(1, "municipality", _names(out, names))
    return out.sort_values(["municipality_id", "gap_pp"]).reset_index(drop=True)


def coverage_rates(ind: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Coverage rates (Dækningsgrad and similar, unit percent): planned against realised."""
    text = ind["indicator"].fillna("") + " " + ind["indicator_en"].fillna("")
    d = ind[text.map(lambda t: bool(COVERAGE.search(t))).astype(bool)]
    return plan_vs_actual(d, names, percent=True)
