"""`analysis validate`: which product scheme a municipality's budget items use and how many of them
the category map covers.

A municipality whose items are mostly without a category drops out of every category comparison,
so validate warns when none, or under half by amount, of its product and line rows get a category,
naming the scheme (and how it was chosen: municipality.yml, or schemes.csv by Land or country),
the largest items without one and the closest rows of the map.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.contract import paths
from analysis.contract.errors import InputError, Problem
from analysis.contract.numbers import fmt
from analysis.reference import categories
from analysis.reference import tables as reference
from analysis.sources import run_cache

THRESHOLD = 50.0  # percent of the amount that should be categorised


def check(budget: pd.DataFrame | None, meta, root=None) -> tuple[list[str], list[Problem], list[Problem]]:
    """(notes, warnings, errors) for one municipality's budget rows (as read by municipality_tables)."""
    return check_many([(budget, meta)], root)[0]


def check_many(items: list[tuple[pd.DataFrame | None, object]], root=None
               ) -> list[tuple[list[str], list[Problem], list[Problem]]]:
    """`check` of several municipalities ((budget, meta) each): the items of all are taken from
    their budgets in one pass, their categories assigned in one `categories.assign` call and each
    share computed over the assigned rows at once; each result is the one `check` gives alone."""
    started = [_start(budget, meta, root) for budget, meta in items]
    todo = [s for s in started if not isinstance(s, tuple)]
    if todo:
        _assign_all(todo)
    return [s if isinstance(s, tuple) else s.result for s in started]


_ITEM_COLUMNS = ["municipality_id", "document_id", "item_code", "item_name", "level", "amount"]


class _Pending:
    """A municipality whose items wait for their categories (`check_many`)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def _start(budget, meta, root):
    """The result of `check` when it needs no categories, else a `_Pending`."""
    if budget is None or not len(budget):
        return [], [], []
    if not (paths.reference_dir(root) / reference.CATEGORY_MAP).exists():
        return ["categories: no data/reference/category_map.csv, so no item gets a category from it"], [], []
    try:
        cmap = run_cache.shared(("category_map", str(paths.root(root))), lambda: reference.load_category_map(root))
    except InputError as exc:
        return [], [], exc.problems
    values = meta.values
    shown = paths.rel(paths.reference_dir(root) / reference.CATEGORY_MAP, root)
    override = values.get("scheme")
    schemes = set(cmap.attrs.get("schemes", {}).values()) | set(cmap.attrs.get("region_schemes", {}).values())
    if override and override not in schemes:
        return [], [], [Problem(meta.display, "unknown scheme", meta.line(("scheme",)), "scheme",
                                "one of " + ", ".join(sorted(schemes)) + " (data/reference/schemes.csv)", override)]
    scheme, how = categories.scheme_for(values.get("country"), values.get("region"), override,
                                        cmap.attrs.get("schemes"), cmap.attrs.get("region_schemes"))
    mid = values["municipality_id"]
    notes = [f"categories: scheme {scheme} ({how})" if scheme else f"categories: no scheme ({how})"]
    return _Pending(budget=budget, cmap=cmap, values=values, mid=mid,
                    override=override, scheme=scheme, how=how, notes=notes, shown=shown)


def _items(budget: pd.DataFrame) -> pd.DataFrame:
    """The product and line rows of a budget, with the columns assign and the verdict read."""
    items = budget[budget["level"].isin(categories.CATEGORISED_LEVELS)]
    return items[[c for c in _ITEM_COLUMNS if c in items.columns]]


def _assign_all(todo: list[_Pending]) -> None:
    """Set each pending municipality's `result`: the items of all of them in one frame, one
    `categories.assign` for all but those whose rows cite another municipality's id (they would
    find its scheme: each is assigned alone), the shares by bincount; a folder under the threshold
    (or within a hair of it) gets its verdict from its own rows, as `check` of it alone."""
    keep = [c for c in _ITEM_COLUMNS if c in todo[0].budget.columns]
    if len(todo) > 1 and all(list(s.budget.columns[s.budget.columns.isin(keep)]) == keep for s in todo):
        whole = pd.concat([s.budget[keep] for s in todo], ignore_index=True)
        at = np.repeat(np.arange(len(todo)), [len(s.budget) for s in todo])
        mask = whole["level"].isin(categories.CATEGORISED_LEVELS).to_numpy()
        whole, at = whole[mask].reset_index(drop=True), at[mask]
    else:
        parts = [_items(s.budget) for s in todo]
        whole = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
        at = np.repeat(np.arange(len(todo)), [len(p) for p in parts])
    mids = np.array([s.mid for s in todo], dtype=object)
    own = whole["municipality_id"].to_numpy(dtype=object) == mids[at]
    alone = np.zeros(len(todo), dtype=bool)
    alone[at[~own]] = True
    counts = np.bincount(at, minlength=len(todo))
    batch = ~alone[at]
    codes = at[batch]
    starts = np.r_[0, np.cumsum(np.bincount(codes, minlength=len(todo)))]
    clear = np.zeros(len(todo), dtype=bool)
    if batch.any():
        done = _assign(whole[batch].reset_index(drop=True), todo[0].cmap,
                       [s for k, s in enumerate(todo) if not alone[k] and counts[k]])
        amount = done["amount"].abs().fillna(0).to_numpy(dtype=float)
        has = done["category"].notna().to_numpy(dtype=bool)
        total = np.bincount(codes, amount, minlength=len(todo))
        covered = np.bincount(codes, np.where(has, amount, 0.0), minlength=len(todo))
        n_has = np.bincount(codes, has.astype(float), minlength=len(todo))
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total != 0, 100.0 * covered / total, 100.0 * n_has / np.maximum(counts, 1))
        clear = (n_has > 0) & (share >= THRESHOLD + 1e-6)  # a rounding of the sums cannot change these
    for k, s in enumerate(todo):
        if not counts[k] or (not alone[k] and clear[k]):
            s.result = s.notes, [], []
            continue
        if alone[k]:
            s.items = _items(s.budget)
            s.done = _assign(s.items, s.cmap, [s])
        else:
            s.done = done.iloc[starts[k]:starts[k + 1]]
        s.result = _verdict(s)


def _assign(items: pd.DataFrame, cmap: pd.DataFrame, pending: list) -> pd.DataFrame:
    done, _ = categories.assign(items, cmap, {s.mid: s.values.get("country") for s in pending},
                                regions={s.mid: s.values.get("region") for s in pending},
                                overrides={s.mid: s.override for s in pending})
    return done


def _verdict(s) -> tuple[list[str], list[Problem], list[Problem]]:
    done, cmap, scheme, how, mid, notes = s.done, s.cmap, s.scheme, s.how, s.mid, s.notes
    amount = done["amount"].abs().fillna(0)
    has = done["category"].notna()
    share = 100.0 * amount[has].sum() / amount.sum() if amount.sum() else 100.0 * has.mean()
    if has.any() and share >= THRESHOLD:
        return notes, [], []
    missing = done[~has].assign(_abs=amount[~has])
    largest = (missing.groupby(["item_code", "item_name"], dropna=False)["_abs"].sum()
               .sort_values(ascending=False).head(5))
    shown_items = "; ".join(f"{c} '{n}' ({fmt(v, 0)})" for (c, n), v in largest.items())
    prefixes = list(dict.fromkeys(f"{str(c)[:3]}*" for c, _ in largest.index if isinstance(c, str) and c))
    rows = [r for r in cmap.to_dict("records") if r["scheme"] == scheme]
    n_items = done[["item_code", "item_name"]].drop_duplicates().shape[0]
    n_missing = missing[["item_code", "item_name"]].drop_duplicates().shape[0]
    text = (f"{n_missing} of {n_items} budget items of {mid} ({fmt(100 - share, 0)} % of the amount) have no "
            f"category in scheme {scheme or '(none)'} ({how}): they are left out of every category comparison. "
            f"Largest: {shown_items}. Add rows scheme={scheme or '<scheme>'}, municipality_id=<{mid} or blank>, "
            f"item_code=<code or prefix like {', '.join(prefixes[:3]) or '31*'}>, category=<COFOG code>, "
            f"judgement, note, source=<where the definition comes from>")
    close = _closest(rows, [c for c, _ in largest.index])
    if close:
        text += "; the closest rows of the scheme: " + ", ".join(close)
    if scheme is None or not rows:
        text += "; or, if the municipality numbers its items like another scheme, name it: scheme: <scheme> in municipality.yml"
    return notes, [Problem(s.shown, text, len(cmap) + 2, "item_code", f"rows for the items of scheme {scheme}", None)], []


def _closest(rows: list[dict], codes: list) -> list[str]:
    """Map rows sharing the longest start with the given codes ('311* -> 10.7')."""
    out = []
    for code in codes:
        code = str(code or "")
        best, best_len = None, 0
        for r in rows:
            pattern = str(r.get("item_code") or "").rstrip("*")
            n = 0
            while n < min(len(pattern), len(code)) and pattern[n] == code[n]:
                n += 1
            if n > best_len:
                best, best_len = r, n
        if best is not None:
            out.append(f"{best['item_code']} -> {best['category']}")
    return list(dict.fromkeys(out))[:3]
