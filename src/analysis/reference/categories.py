"""Assign COFOG categories to budget rows with data/reference/category_map.csv.

The scheme of a row follows from its municipality: the `scheme` its municipality.yml names, else
the row of schemes.csv for its country and region (Land), else the country's row with a blank
region (DE -> de_produkt, DE/Baden-Württemberg -> de_produkt_bw, DE/Nordrhein-Westfalen -> de_nkf,
DK -> dk_kontoplan). A map row matches on `item_code` (exact, or a prefix ending in '*'), on
`item_name` (exact after collapsing spaces and ignoring case), or on both (`match_on`). The best
match wins, in this order:

1. item_code exact (municipality-specific before any municipality)
2. item_code prefix (municipality-specific first, then the longest prefix, then rows that
   also require the name)
3. item_name exact (municipality-specific first)

A numeric code that matches nothing as printed is tried once more without dots and spaces and,
when that leaves an odd number of digits, with the leading zero that printing dropped
('05.01.01' -> '050101', '501' -> '0501', Danish '5.57.73' -> '055773'), against the map's codes
written the same way.

Only levels 'product' and 'line' get a category; totals and areas get None. A 'line' that breaks
down a total or area (same document_id and item_code as a total/area row, e.g. Peine's
'Personal' line of budget 33, or Aalborg's 'Udgifter' line of sector BU) is an aggregate too and
gets None (category_rule says so), so that category sums never count a figure twice.
Product/line rows without a match keep a category already given in the input (if it is a COFOG
code) and are otherwise listed in `unassigned`, never dropped.
"""
from __future__ import annotations

import re

import pandas as pd

CATEGORISED_LEVELS = ("product", "line")
DEFAULT_SCHEMES = {"DE": "de_produkt", "DK": "dk_kontoplan"}  # mirrors data/reference/schemes.csv
UNASSIGNED_COLUMNS = ["municipality_id", "scheme", "item_code", "item_name", "levels", "rows", "reason"]


def _norm(name) -> str:
    return " ".join(str(name).split()).casefold() if isinstance(name, str) else ""


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())


_RECORDS: list[tuple] = []  # the last maps seen: (map, digest of its rows, records); callers never change them


def _records(category_map: pd.DataFrame) -> dict[str, list[dict]]:
    """Map rows per scheme as dicts, each with `_row` (its 1-based row in the file); the same map
    (the same object with the same rows, e.g. once per municipality in one extract) is turned into
    dicts once."""
    digest = (len(category_map), tuple(category_map.columns),
              int(pd.util.hash_pandas_object(category_map.astype(str), index=True).sum()))
    for m, d, recs in _RECORDS:
        if m is category_map and d == digest:
            return recs
    recs = _make_records(category_map)
    _RECORDS[:] = ([(category_map, digest, recs)] + _RECORDS)[:2]
    return recs


def _make_records(category_map: pd.DataFrame) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for idx, rec in zip(category_map.index, category_map.to_dict("records")):
        rec["_row"] = int(idx) + 2
        for col in ("municipality_id", "item_code", "item_name", "match_on"):
            rec[col] = "" if _blank(rec.get(col)) else str(rec[col]).strip()
        rec["_name"] = _norm(rec["item_name"])
        rec["_code_norm"] = _code_norm(rec["item_code"], pattern=True)
        out.setdefault(rec["scheme"], []).append(rec)
    return out


def _code_norm(code: str, pattern: bool = False) -> str | None:
    """'05.01.01' -> '050101', '501' -> '0501' (a pattern keeps its '*' and is not padded); None
    for codes that are not numbers."""
    star = pattern and code.endswith("*")
    body = code[:-1] if star else code
    if not body or not re.fullmatch(r"[\d.\s]+", body):
        return None
    digits = re.sub(r"[.\s]", "", body)
    if not star and len(digits) % 2:
        digits = "0" + digits
    return digits + ("*" if star else "")


def _best(rows: list[dict], municipality_id: str, item_code, item_name) -> dict | None:
    code = "" if _blank(item_code) else str(item_code).strip()
    hit = _best_of(rows, municipality_id, code, _norm(item_name), "item_code")
    if hit is None and _code_norm(code):
        hit = _best_of(rows, municipality_id, _code_norm(code), _norm(item_name), "_code_norm")
    return hit


def _best_of(rows: list[dict], municipality_id: str, code: str, name: str, field: str) -> dict | None:
    best, best_rank = None, None
    for rec in rows:
        mid = rec["municipality_id"]
        if mid and mid != municipality_id:
            continue
        how = rec["match_on"] or ("code" if rec["item_code"] else "name")
        kind, plen = 0, 0
        if "code" in how:
            pattern = rec[field]
            if not pattern:
                continue
            if pattern.endswith("*"):
                if not code or not code.startswith(pattern[:-1]):
                    continue
                kind, plen = 1, len(pattern) - 1
            elif code != pattern:
                continue
            else:
                kind = 2
        if "name" in how and (not name or name != rec["_name"]):
            continue
        rank = (kind, bool(mid), plen, "name" in how)
        if best_rank is None or rank > best_rank:
            best, best_rank = rec, rank
    return best


def match(scheme: str, municipality_id: str, item_code, item_name, category_map: pd.DataFrame) -> dict | None:
    """The best map row for one item (a dict with `_row`, its 1-based row in the file) or None."""
    return _best(_records(category_map).get(scheme, []), municipality_id, item_code, item_name)


def region_key(region) -> str:
    """A region's name for matching: 'Baden-Württemberg', 'baden-wuerttemberg' -> 'badenwuerttemberg'."""
    fold = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "-": "", " ": "", "_": "", ".": ""})
    return str(region or "").strip().casefold().translate(fold)


def scheme_for(country, region=None, override=None, schemes: dict | None = None,
               region_schemes: dict | None = None) -> tuple[str | None, str]:
    """(scheme, how it was chosen) for a municipality: its own `scheme` (municipality.yml), else
    schemes.csv by country and region, else by country; (None, why) when there is none."""
    if not _blank(override):
        return str(override), "named in municipality.yml"
    if not country:
        return None, "no country known"
    hit = (region_schemes or {}).get((country, region_key(region))) if not _blank(region) else None
    if hit:
        return hit, f"schemes.csv row for {country}, {region}"
    scheme = (schemes or DEFAULT_SCHEMES).get(country)
    if not scheme:
        return None, f"no scheme for country {country} (add a row to data/reference/schemes.csv)"
    return scheme, f"schemes.csv row for {country}" + (f" (no row of its own for {region})" if not _blank(region) else "")


def _scheme_of(countries: dict, schemes: dict, municipality_id: str, regions: dict | None = None,
               region_schemes: dict | None = None, overrides: dict | None = None) -> tuple[str | None, str | None]:
    country = countries.get(municipality_id)
    if not country and _blank((overrides or {}).get(municipality_id)):
        return None, f"no country known for municipality {municipality_id!r}"
    scheme, how = scheme_for(country, (regions or {}).get(municipality_id), (overrides or {}).get(municipality_id),
                             schemes, region_schemes)
    return (scheme, None) if scheme else (None, how)


def assign(budget: pd.DataFrame, category_map: pd.DataFrame, countries: dict[str, str],
           schemes: dict[str, str] | None = None, cofog_names: dict[str, str] | None = None,
           regions: dict[str, str] | None = None, overrides: dict[str, str] | None = None
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (budget with category columns, unassigned items).

    Sets `category`, adds `category_name_en`, `category_judgement` (bool) and `category_rule`
    (which map row decided, e.g. 'category_map.csv:57'). `countries` maps municipality_id to
    country; `schemes` maps country to scheme (default: the map's attrs, else DE/DK); `regions`
    (municipality_id -> region) choose the map's region schemes and `overrides` (municipality_id ->
    scheme) win over both.
    `unassigned` has one row per distinct (municipality_id, item_code, item_name) of product/line
    rows without a category.
    """
    schemes = schemes or category_map.attrs.get("schemes") or DEFAULT_SCHEMES
    region_schemes = category_map.attrs.get("region_schemes") or {}
    names = cofog_names or category_map.attrs.get("cofog_names") or {}
    if not names and "category_name_en" in category_map.columns:
        names = dict(zip(category_map["category"], category_map["category_name_en"]))
    df = budget.copy()
    if "category" not in df.columns:
        df["category"] = None
    n = len(df)
    cat = [None] * n
    name_en = [None] * n
    judgement = [False] * n
    rule = [None] * n
    missing: dict[tuple, dict] = {}
    cache: dict[tuple, tuple] = {}
    by_scheme = _records(category_map)
    has_doc = "document_id" in df.columns
    aggregates = set()
    if has_doc:
        agg = df[~df["level"].isin(CATEGORISED_LEVELS)]
        aggregates = set(zip(agg["document_id"], agg["item_code"]))
    docs = df["document_id"] if has_doc else pd.Series(None, index=df.index)
    columns = [df[c].astype(object).tolist() for c in ("municipality_id", "item_code", "item_name", "level", "category")]
    for pos, (rec, doc) in enumerate(zip(zip(*columns), docs.astype(object).tolist())):  # lists: fast for 100,000 rows
        mid, code, iname, level, given = rec
        if level not in CATEGORISED_LEVELS:
            continue
        if level == "line" and (doc, code) in aggregates:
            rule[pos] = f"breakdown of total/area {code}: no category"
            continue
        key = (mid, None if _blank(code) else code, None if _blank(iname) else iname)
        if key not in cache:
            scheme, why = _scheme_of(countries, schemes, mid, regions, region_schemes, overrides)
            hit = _best(by_scheme.get(scheme, []), mid, code, iname) if scheme else None
            cache[key] = (scheme, why, hit)
        scheme, why, hit = cache[key]
        if hit is not None:
            cat[pos] = hit["category"]
            name_en[pos] = names.get(hit["category"], hit.get("category_name_en"))
            judgement[pos] = bool(hit["judgement"])
            rule[pos] = f"category_map.csv:{hit['_row']}"
            continue
        if not _blank(given) and (not names or given in names):
            cat[pos], name_en[pos], rule[pos] = given, names.get(given), "given in input"
            continue
        entry = missing.setdefault(key, {"municipality_id": mid, "scheme": scheme, "item_code": key[1],
                                         "item_name": key[2], "levels": set(), "rows": 0,
                                         "reason": why or (f"input category {given!r} is not a COFOG code"
                                                           if not _blank(given) else "no matching row in category_map.csv")})
        entry["levels"].add(level)
        entry["rows"] += 1
    df["category"] = pd.Series(cat, index=df.index, dtype="str")
    df["category_name_en"] = pd.Series(name_en, index=df.index, dtype="str")
    df["category_judgement"] = pd.Series(judgement, index=df.index, dtype=bool)
    df["category_rule"] = pd.Series(rule, index=df.index, dtype="str")
    records = [{**v, "levels": ", ".join(sorted(v["levels"]))} for v in missing.values()]
    unassigned = pd.DataFrame(records, columns=UNASSIGNED_COLUMNS)
    if len(unassigned):
        unassigned = unassigned.sort_values(["municipality_id", "item_code", "item_name"],
                                            na_position="last").reset_index(drop=True)
    return df, unassigned


def assign_indicators(indicators: pd.DataFrame, budget: pd.DataFrame,
                      indicator_map: pd.DataFrame | None = None) -> pd.DataFrame:
    """Categories for indicator rows, never overwriting one given in the input.

    First ``data/reference/indicator_category_map.csv`` (municipality_id, indicator_group ->
    category); else the category of the budget product of the same municipality and item_code
    (Peine's case numbers of product 3111 -> that product's category). Adds ``category_rule``.
    """
    out = indicators.copy()
    rule = pd.Series(None, index=out.index, dtype="object")
    by_group: dict = {}
    if indicator_map is not None and len(indicator_map):
        for rec in indicator_map.to_dict("records"):
            by_group[(rec["municipality_id"], rec["indicator_group"])] = rec
    b = budget[budget["level"].isin(["product"]) & budget["category"].notna()] if len(budget) else budget
    by_item = dict(zip(zip(b["municipality_id"], b["item_code"].astype(str)), b["category"])) if len(b) else {}
    cats = []
    groups = out["indicator_group"] if "indicator_group" in out.columns else pd.Series(None, index=out.index)
    for i, (mid, code, group, given) in enumerate(zip(out["municipality_id"], out["item_code"], groups,
                                                       out["category"])):
        if isinstance(given, str) and given:
            cats.append(given)
            rule.iloc[i] = "given in the input"
        elif (mid, group) in by_group:
            cats.append(str(by_group[(mid, group)]["category"]))
            rule.iloc[i] = f"indicator_category_map.csv: {group}"
        elif (mid, str(code)) in by_item:
            cats.append(by_item[(mid, str(code))])
            rule.iloc[i] = f"budget item {code}"
        else:
            cats.append(None)
    out["category"] = pd.Series(cats, index=out.index, dtype="object")
    out["category_rule"] = rule
    return out
