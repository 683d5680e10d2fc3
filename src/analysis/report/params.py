"""Notebook parameters: normalise what Papermill or JupyterLab passes and check it against the data.

Papermill hands parameters over as Python values (``-y``), as strings (``-r``) or as guessed
types (``-p``: '2024' becomes 2024 but '["peine","aalborg"]' stays a string). Every function here
accepts all of these forms: a list, a JSON list string, a comma-separated string, one value, or
"all"/None/[] for every valid choice.

A value outside the valid choices raises `ParameterError`, whose message names the parameter,
the bad values and every valid choice, so that a notebook stops in its first cell with a message
the analyst can act on:

    spending(ws, municipalities='["peine","aalborg"]', base_year="2024", price_basis="real")
    goals(ws, municipalities="all", perspectives=None, goal_types=["outcome"])
    indicators(ws, municipalities=["aalborg"], categories="10.4")
    profile(ws, municipality="peine")

`ws` is an `analysis.api.Workspace` (anything with the contract tables works: see `_table`).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd

from analysis.contract import schema

ALL = ("all", "*", "alle", "")
PRICE_BASES = {"nominal": "nominal", "real": "real", "constant": "real"}
PER = {"inhabitant": "inhabitant", "capita": "inhabitant", "per_inhabitant": "inhabitant",
       "per inhabitant": "inhabitant", "total": "total"}
CATEGORY_LEVELS = {"division": "division", "group": "group", "10": "division", "10.4": "group"}


class ParameterError(ValueError):
    """A notebook parameter outside its valid choices; the message lists the valid choices."""


# --- normalising single parameters -------------------------------------------------------------

def as_list(value, name: str = "value") -> list[str] | None:
    """A parameter as a list of strings, or None for "all".

    Accepts a list/tuple/set, a JSON list ('["peine","aalborg"]'), a comma-separated string
    ('peine, aalborg'), a single value ('peine', 2024) and None/""/"all"/[] (= None).
    """
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ALL or text.lower() in ("none", "null", "[]"):
            return None
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                try:
                    value = json.loads(text.replace("'", '"'))
                except json.JSONDecodeError:
                    raise ParameterError(
                        f"parameter {name}: {value!r} is not a JSON list; write it like "
                        '\'["peine", "aalborg"]\' or as comma-separated ids: peine,aalborg') from None
        else:
            value = [part for part in text.split(",")]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value]
    if isinstance(value, (list, tuple, set, pd.Series)):
        out = [_text(v) for v in value]
        out = [v for v in out if v != ""]
        if not out or any(v.lower() in ALL[:3] for v in out):
            return None
        return list(dict.fromkeys(out))  # unique, order kept
    raise ParameterError(f"parameter {name}: expected a list like [\"a\", \"b\"], found {value!r}")


def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def as_int(value, name: str = "value") -> int:
    """An integer parameter given as 2024, 2024.0, '2024' or '"2024"'."""
    if isinstance(value, bool):
        raise ParameterError(f"parameter {name}: expected a year like 2024, found {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip().strip('"').strip("'")
        if text.lstrip("-").isdigit():
            return int(text)
    raise ParameterError(f"parameter {name}: expected a year like 2024, found {value!r}")


def choose(name: str, value, valid, *, normalise=str.lower) -> list[str]:
    """The chosen values (all valid ones for None/"all"); unknown values raise `ParameterError`."""
    valid = [str(v) for v in valid]
    values = as_list(value, name)
    if values is None:
        return list(valid)
    lookup = {normalise(v): v for v in valid}
    chosen, unknown = [], []
    for v in values:
        hit = lookup.get(normalise(v))
        if hit is None and v.replace(".", "").isdigit():  # a code that lost its leading zero: 7 -> 07
            hit = lookup.get(normalise("0" + v))
        (chosen if hit is not None else unknown).append(hit if hit is not None else v)
    if unknown:
        raise ParameterError(_message(name, unknown, valid))
    return list(dict.fromkeys(chosen))


def choose_one(name: str, value, valid, *, normalise=str.lower) -> str:
    """Exactly one value out of `valid`."""
    values = as_list(value, name)
    if values is None or len(values) != 1:
        raise ParameterError(f"parameter {name}: choose exactly one, found {value!r}. "
                             f"Valid choices: {', '.join(map(str, valid))}")
    return choose(name, values, valid, normalise=normalise)[0]


def option(name: str, value, options: dict[str, str]) -> str:
    """One of a fixed set of options; `options` maps accepted spellings to the canonical value."""
    key = str(value).strip().lower() if value is not None else ""
    if key not in options:
        canonical = list(dict.fromkeys(options.values()))
        raise ParameterError(_message(name, [value], canonical))
    return options[key]


def year(name: str, value, valid_years) -> int:
    """A year out of `valid_years`."""
    valid = sorted({int(y) for y in valid_years})
    y = as_int(value, name)
    if y not in valid:
        raise ParameterError(_message(name, [y], valid))
    return y


def _message(name: str, unknown, valid) -> str:
    bad = ", ".join(repr(v) for v in unknown)
    return (f"unknown {name}: {bad}. Valid choices for {name}: {', '.join(map(str, valid))}"
            if valid else f"unknown {name}: {bad}. There is nothing to choose from: the data have no {name}.")


# --- valid choices from the workspace ----------------------------------------------------------

def _table(ws, name: str) -> pd.DataFrame:
    """A contract table of a workspace (``ws.tables[name]``, ``ws[name]`` or ``ws.<name>``)."""
    tables = getattr(ws, "tables", None)
    if isinstance(tables, dict) and name in tables:
        return tables[name]
    if isinstance(ws, dict) and name in ws:
        return ws[name]
    df = getattr(ws, name, None)
    if isinstance(df, pd.DataFrame):
        return df
    try:
        return ws[name]
    except (KeyError, TypeError):
        return schema.empty(name)


def municipalities(ws, value, name: str = "municipalities", within=None) -> list[str]:
    """Municipality ids chosen by `value`: ids and groups ('land:Niedersachsen',
    'admin_type:Landkreis', 'country:DK', 'group:NAME' of reports/groups.yml), resolved by
    `analysis.compare.groups`; "all"/None is every municipality (or all of `within`). An unknown
    id or group raises `ParameterError` listing the valid ones."""
    from analysis.compare import groups
    valid = list(within) if within is not None else municipality_ids(ws)
    tokens = as_list(value, name)
    if tokens is None:
        return valid
    try:
        tokens = groups.expand(tokens, _table(ws, "municipalities"), groups.load(getattr(ws, "root", None)), name)
    except groups.GroupError as exc:
        raise ParameterError(str(exc)) from None
    return choose(name, tokens, valid)


def highlight(ws, value, within: list[str], name: str = "highlight") -> list[str]:
    """The municipalities drawn one by one when a page compares many (`analysis.compare.distribution`):
    ids or groups out of `within`; ""/None/"none" for none."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "[]")):
        return []
    return municipalities(ws, value, name, within=within)


def municipality_ids(ws) -> list[str]:
    """Every registered municipality id, in registry order."""
    return list(_table(ws, "municipalities")["municipality_id"])


def price_index_years(ws, countries=None) -> list[int]:
    """Years with a price index for every country in `countries` (all countries when None)."""
    pi = _price_index(ws)
    if pi is None or not len(pi):
        return []
    if "series" in pi.columns and (pi["series"] == "HICP").any():
        pi = pi[pi["series"] == "HICP"]
    countries = sorted(set(countries or pi["country"]))
    years = None
    for c in countries:
        ys = set(pd.to_numeric(pi.loc[pi["country"] == c, "year"], errors="coerce").dropna().astype(int))
        years = ys if years is None else years & ys
    return sorted(years or [])


def _price_index(ws) -> pd.DataFrame | None:
    """The price-index table: ``ws.reference.price_index`` or data/reference/price_index.csv."""
    ref = getattr(ws, "reference", None)
    ref = ref() if callable(ref) else ref
    pi = ref.get("price_index") if isinstance(ref, dict) else getattr(ref, "price_index", None)
    if isinstance(pi, pd.DataFrame):
        return pi
    try:
        from analysis.reference import tables as reference
        return reference.load_price_index(getattr(ws, "root", None))
    except Exception:  # no reference data: no real prices, any data year is a base year
        return None


# --- one validator per notebook ----------------------------------------------------------------

LATEST = ("latest", "", "none", "auto")
MOST_REALISED = ("most_realised", "most realised", "auto", "", "none")


def fiscal_year(ws, value, name: str = "fiscal_year") -> int | None:
    """None for "latest" (each municipality's latest year), else a year of the budget table."""
    if value is None or (isinstance(value, str) and value.strip().lower() in LATEST):
        return None
    years = sorted(set(_table(ws, "budget")["fiscal_year"].dropna().astype(int)))
    try:
        return year(name, value, years)
    except ParameterError as exc:
        raise ParameterError(f"{exc} (or 'latest')") from None


def phase(value, name: str = "phase") -> str | None:
    """None for "most_realised" (actual, else forecast, else adjusted, else original budget)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in MOST_REALISED):
        return None
    text = str(value).strip()
    if text not in schema.PHASES:
        raise ParameterError(_message(name, [value], list(schema.PHASES) + ["most_realised"]))
    return text


@dataclass
class SpendingParams:
    municipalities: list[str]
    base_year: int
    price_basis: str
    per: str
    category_level: str
    all_municipalities: list[str] = field(default_factory=list)
    fiscal_year: int | None = None   # None: each municipality's latest year
    phase: str | None = None         # None: the most realised phase of that year
    highlight: list[str] = field(default_factory=list)  # drawn one by one when the page compares many


def spending(ws, municipalities="all", base_year=2024, price_basis="nominal", per="inhabitant",
             category_level="division", fiscal_year="latest", phase="most_realised",
             highlight="") -> SpendingParams:
    """Check the spending-structure notebook's parameters."""
    valid_m = municipality_ids(ws)
    chosen = _municipalities(ws, municipalities)
    basis = option("price_basis", price_basis, PRICE_BASES)
    per_ = option("per", per, PER)
    level = option("category_level", category_level, CATEGORY_LEVELS)
    munis = _table(ws, "municipalities")
    countries = munis.loc[munis["municipality_id"].isin(chosen), "country"].unique()
    years = price_index_years(ws, countries)
    if not years:  # no price index available: any year of the data is a valid base year
        years = sorted(set(_table(ws, "budget")["fiscal_year"].astype(int))) or [as_int(base_year, "base_year")]
    return SpendingParams(chosen, year("base_year", base_year, years), basis, per_, level, valid_m,
                          _fiscal_year(ws, fiscal_year), _phase(phase), _highlight(ws, highlight, chosen))


@dataclass
class GoalParams:
    municipalities: list[str]
    perspectives: list[str]
    goal_types: list[str]
    all_municipalities: list[str] = field(default_factory=list)
    highlight: list[str] = field(default_factory=list)


def goals(ws, municipalities="all", perspectives="all", goal_types="all", highlight="") -> GoalParams:
    """Check the goal-agreements notebook's parameters."""
    valid_m = municipality_ids(ws)
    g = _table(ws, "goals")
    valid_p = sorted(set(g["perspective"].dropna())) if len(g) else []
    try:
        from analysis.contract.schema import GOAL_PERSPECTIVES as PERSPECTIVES
        valid_p = list(dict.fromkeys(list(PERSPECTIVES) + valid_p))
    except ImportError:
        pass
    chosen = _municipalities(ws, municipalities)
    return GoalParams(chosen, choose("perspectives", perspectives, valid_p),
                      choose("goal_types", goal_types, schema.GOAL_TYPES), valid_m, _highlight(ws, highlight, chosen))


@dataclass
class IndicatorParams:
    municipalities: list[str]
    categories: list[str]
    all_municipalities: list[str] = field(default_factory=list)
    highlight: list[str] = field(default_factory=list)


UNCATEGORISED = "uncategorised"


def indicators(ws, municipalities="all", categories="all", highlight="") -> IndicatorParams:
    """Check the service-indicators notebook's parameters.

    Categories are the COFOG-based codes of the indicators (filled from their budget items, see
    `indicator_analysis.with_categories`), e.g. '10.4', or a division ('10') selecting every
    group under it, or 'uncategorised' for indicators without a category.
    """
    from analysis.compare.indicator_analysis import with_categories
    valid_m = municipality_ids(ws)
    ind = with_categories(_table(ws, "indicators"), _table(ws, "budget"))
    codes = sorted(set(ind["category"].dropna().astype(str))) if len(ind) else []
    divisions = sorted({c.split(".")[0] for c in codes})
    valid_c = list(dict.fromkeys(divisions + codes)) + [UNCATEGORISED]
    chosen = _municipalities(ws, municipalities)
    return IndicatorParams(chosen, choose("categories", categories, valid_c), valid_m,
                           _highlight(ws, highlight, chosen))


@dataclass
class ProfileParams:
    municipality: str
    all_municipalities: list[str] = field(default_factory=list)
    fiscal_year: int | None = None
    phase: str | None = None


def profile(ws, municipality="peine", fiscal_year="latest", phase="most_realised") -> ProfileParams:
    """Check the municipality-profile notebook's parameters (exactly one municipality)."""
    valid_m = municipality_ids(ws)
    return ProfileParams(choose_one("municipality", municipality, valid_m), valid_m, _fiscal_year(ws, fiscal_year),
                         _phase(phase))


# the parameters' names are taken inside the functions above
_fiscal_year, _phase, _municipalities, _highlight = fiscal_year, phase, municipalities, highlight
