"""Like for like: what each document covers (data/reference/coverage.csv) and who pays for what
(data/reference/task_split.csv), applied to the figures a page compares.

    coverage_of(coverage, mid, category)          complete / partial / absent / not recorded, with share and note
    with_coverage(df, coverage)                   rows of a category table plus coverage, coverage_text, complete, scope
    with_scope(df, coverage)                      rows plus `scope`: what each municipality's document covers
    scope_text(coverage, ids, names)              one line per municipality: what its document covers ('total' rows)
    task_split_rows(task_split, municipalities, ids, categories)   the task-split rows behind a comparison
    standing(comp, coverage, mid, names)          the profiled municipality against the others, per category,
                                                  only among municipalities whose documents cover it completely

A category is compared in level only where the document covers it completely; "not recorded"
counts as not complete. Look-up: the category's own row, else its division's row when that one is
complete or absent (a complete division covers its groups), else 'total' when absent.
"""
from __future__ import annotations

import pandas as pd

from analysis.contract.numbers import fmt

NOT_RECORDED = "not recorded"
NOTHING_TO_COMPARE = "nothing to compare"


def _division(code: str) -> str:
    return str(code).split(".")[0]


def coverage_of(coverage: pd.DataFrame | None, mid: str, category) -> dict:
    """{'coverage', 'share', 'note', 'evidence', 'row_category'} of `category` for municipality `mid`."""
    if coverage is None or not len(coverage) or category is None or category != category:
        return _empty()
    mine = coverage[coverage["municipality_id"] == mid]
    return _lookup({r["category"]: r for r in mine.to_dict("records")}, category)


def _empty() -> dict:
    return {"coverage": NOT_RECORDED, "share": float("nan"), "note": "", "evidence": "", "row_category": None}


def _by_municipality(coverage: pd.DataFrame | None) -> dict:
    """{municipality_id: {category: coverage.csv record}}, built once per table."""
    out: dict = {}
    if coverage is not None and len(coverage):
        for r in coverage.to_dict("records"):
            out.setdefault(r["municipality_id"], {})[r["category"]] = r
    return out


def _lookup(by_cat: dict, category) -> dict:
    """`coverage_of` for the records of one municipality (`by_cat`: category -> record)."""
    empty = _empty()
    if category is None or category != category:
        return empty
    code = str(category)
    candidates = [code]
    parts = code.split(".")
    candidates += [".".join(parts[:k]) for k in range(len(parts) - 1, 0, -1)]
    for i, c in enumerate(candidates):
        rec = by_cat.get(c)
        if rec is None:
            continue
        if i == 0 or rec["coverage"] in ("complete", "absent"):
            return {"coverage": rec["coverage"], "share": rec["share"], "note": rec.get("note") or "",
                    "evidence": rec.get("evidence") or "", "row_category": c}
        return empty  # a partial division says nothing about its groups
    total = by_cat.get("total")
    if total is not None and total["coverage"] == "absent":
        return {"coverage": "absent", "share": float("nan"), "note": total.get("note") or "",
                "evidence": total.get("evidence") or "", "row_category": "total"}
    return empty


def coverage_label(rec: dict) -> str:
    """'complete', 'partial (36 %)', 'absent' or 'not recorded' followed by the note."""
    text = rec["coverage"]
    if rec["coverage"] == "partial":
        text += f" ({fmt(rec['share'], 0)} %)" if rec["share"] == rec["share"] else " (share not computable)"
    return text + (f": {rec['note']}" if rec.get("note") else "")


def with_scope(df: pd.DataFrame, coverage: pd.DataFrame | None) -> pd.DataFrame:
    """`df` plus `scope`: what the municipality's document covers (the 'total' row of coverage.csv)."""
    out = df.copy()
    scopes = {}
    if coverage is not None and len(coverage):
        t = coverage[coverage["category"] == "total"]
        scopes = {m: (s or n or c) for m, s, n, c in zip(t["municipality_id"], t["scope"].fillna(""),
                                                           t["note"].fillna(""), t["coverage"])}
    out["scope"] = pd.Series([scopes.get(m, NOT_RECORDED) for m in out["municipality_id"]], index=out.index,
                             dtype="object")
    return out


def with_coverage(df: pd.DataFrame, coverage: pd.DataFrame | None, category: str = "category") -> pd.DataFrame:
    """`df` (one row per municipality and category, e.g. `spending.composition`) plus `coverage`,
    `coverage_share`, `coverage_text` (for tooltips), `complete` (True only for complete coverage)
    and `scope` (see `with_scope`)."""
    out = with_scope(df, coverage)
    by_mid = _by_municipality(coverage)  # one pass over coverage.csv, not one filter per row
    recs = [_lookup(by_mid.get(m, {}), c) for m, c in zip(out["municipality_id"], out[category])]
    out["coverage"] = [r["coverage"] for r in recs]
    out["coverage_share"] = [r["share"] for r in recs]
    out["coverage_text"] = [coverage_label(r) for r in recs]
    out["coverage_evidence"] = [r["evidence"] for r in recs]
    out["complete"] = out["coverage"] == "complete"
    return out


def scope_text(coverage: pd.DataFrame | None, ids, names: dict[str, str] | None = None) -> list[str]:
    """'<name>: <scope>' for each municipality in `ids` with a 'total' row in coverage.csv."""
    if coverage is None or not len(coverage):
        return []
    t = coverage[(coverage["category"] == "total") & coverage["municipality_id"].isin(list(ids))]
    out = []
    for rec in t.to_dict("records"):
        scope = rec.get("scope") or rec.get("note") or rec["coverage"]
        out.append(f"{(names or {}).get(rec['municipality_id'], rec['municipality_id'])}: {scope}")
    return out


def task_split_rows(task_split: pd.DataFrame | None, municipalities: pd.DataFrame, ids,
                    categories=None) -> pd.DataFrame:
    """The task-split rows (country x admin type x category) of the municipalities in `ids`, for
    the `categories` shown (COFOG codes at any level; a row's class 10.1.2 matches 10.1 and 10)."""
    cols = ["municipality_id", "name", "country", "admin_type", "category", "responsibility", "who_else", "note",
            "source"]
    if task_split is None or not len(task_split):
        return pd.DataFrame(columns=cols)
    m = municipalities[municipalities["municipality_id"].isin(list(ids))][["municipality_id", "name", "country",
                                                                           "admin_type"]]
    rows = m.merge(task_split, on=["country", "admin_type"], how="inner")
    if categories is not None:
        wanted = [str(c) for c in categories if c is not None and c == c]
        keep = [any(c == w or c.startswith(w + ".") or w.startswith(c + ".") for w in wanted) for c in rows["category"]]
        rows = rows[keep]
    return rows.reindex(columns=cols).sort_values(["municipality_id", "category"]).reset_index(drop=True)


def standing(comp: pd.DataFrame, coverage: pd.DataFrame | None, mid: str,
             names: dict[str, str] | None = None, covered: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per category of `mid`: its value next to the other municipalities whose documents cover the
    category completely (alphabetical, never ranked), or one row saying there is nothing to compare.

    `comp` is `spending.composition` of all municipalities (one level, per inhabitant). Columns:
    category, category_name_en, municipality_id, municipality, fiscal_year, phase, value, unit,
    coverage_text, comparison ('compared' or 'nothing to compare: <why>'), selected.
    `covered`: `with_coverage(comp, coverage)` when the caller has it (the standing of every
    municipality computes it once, not once per municipality).
    """
    cols = ["category", "category_name_en", "municipality_id", "municipality", "fiscal_year", "phase", "value",
            "unit", "coverage_text", "comparison", "selected", "scope", "correction_note", "flag_note"]
    if comp is None or not len(comp) or mid not in set(comp["municipality_id"]):
        return pd.DataFrame(columns=cols)
    c = with_coverage(comp, coverage) if covered is None else covered.copy()
    c["municipality"] = c["municipality_id"].map(lambda m: (names or {}).get(m, m))
    rows = []
    for cat, part in c.groupby("category", sort=True):
        me = part[part["municipality_id"] == mid]
        if not len(me):
            continue
        me_rec = me.iloc[0].to_dict()
        peers = part[(part["municipality_id"] != mid) & part["complete"] & part["value"].notna()]
        if not me_rec["complete"]:
            why = f"{NOTHING_TO_COMPARE}: the document's coverage of the category is {me_rec['coverage_text']}"
            rows.append({**me_rec, "comparison": why, "selected": True})
            continue
        if not len(peers):
            others = part[part["municipality_id"] != mid]
            why = (f"{NOTHING_TO_COMPARE}: no other municipality's document covers the category completely"
                   + (f" ({'; '.join(others['municipality'] + ': ' + others['coverage'])})" if len(others) else ""))
            rows.append({**me_rec, "comparison": why, "selected": True})
            continue
        for rec in pd.concat([me, peers]).sort_values("municipality").to_dict("records"):
            rows.append({**rec, "comparison": "compared (complete coverage)", "selected": rec["municipality_id"] == mid})
    return pd.DataFrame(rows).reindex(columns=cols).reset_index(drop=True)


def coverage_table(coverage: pd.DataFrame | None, ids, names: dict[str, str] | None = None) -> pd.DataFrame:
    """The coverage.csv rows of the municipalities in `ids` (in that order), with their names."""
    cols = ["municipality_id", "municipality", "document_id", "category", "coverage", "share", "share_basis",
            "scope", "evidence", "note"]
    if coverage is None or not len(coverage):
        return pd.DataFrame(columns=cols)
    order = {m: i for i, m in enumerate(ids)}
    t = coverage[coverage["municipality_id"].isin(list(ids))].copy()
    t["municipality"] = t["municipality_id"].map(lambda m: (names or {}).get(m, m))
    t["_o"] = t["municipality_id"].map(order)
    t["_c"] = t["category"].map(lambda c: "" if c == "total" else c)
    return t.sort_values(["_o", "_c"]).reindex(columns=cols).reset_index(drop=True)
